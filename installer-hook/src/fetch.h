/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_FETCH_H
#define XSRAID_FETCH_H

#include <stddef.h>

#include "util.h"

/**
 * Fetching an answerfile from a path or URL, bounded in every way an
 * unattended install needs: connect and total timeouts, a few retries with
 * backoff for transient failures (a DHCP lease or a web server that is not
 * quite up yet), a size cap, and an optional SHA-256 pin.
 *
 * Schemes: http, https (certificate and host name verified), ftp, tftp and
 * file, through libcurl; a location without a scheme is a local path.
 * Redirects are followed to http, https and ftp only.
 */
struct fetch_options {
	unsigned connect_timeout_sec;
	unsigned total_timeout_sec;
	unsigned attempts;
	size_t max_bytes;
	/* CA bundle for https; NULL: the first of the usual system locations. */
	const char *ca_file;
	/* Expected SHA-256 as 64 hex digits, or NULL. */
	const char *sha256;
};

#define FETCH_OPTIONS_DEFAULT                                                                      \
	{                                                                                          \
		10, 60, 4, 1024 * 1024, NULL, NULL                                                 \
	}

/*
 * Fetches @location into @ret.  On failure returns a negative errno and puts
 * a one-line reason that names the location into @err: -ENOENT (not
 * found), -EFBIG (over max_bytes), -EBADMSG (SHA-256 mismatch),
 * -EPROTONOSUPPORT (scheme), -ETIMEDOUT, -EIO (anything else).
 */
int fetch_location(const char *location, const struct fetch_options *opts, struct buf *ret,
		   struct buf *err);

/*
 * PUTs @len bytes at @data to the http or https URL @url as @content_type,
 * with the same timeouts, attempts and backoff as a fetch (transient
 * failures only are retried; redirects are not followed).  Returns 0 when
 * the server answered 2xx; otherwise a negative errno as fetch_location()
 * and one line in @err that names the URL without any user:password.
 */
int fetch_put(const char *url, const void *data, size_t len, const char *content_type,
	      const struct fetch_options *opts, struct buf *err);

/* @url with any user:password@ replaced by "***@", for messages. */
void fetch_url_redacted(const char *url, struct buf *out);

/* Seconds slept before attempt @n (1-based; 0 for the first). */
unsigned fetch_backoff_sec(unsigned n);

#endif
