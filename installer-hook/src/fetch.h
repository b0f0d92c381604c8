/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_FETCH_H
#define XSRAID_FETCH_H

#include <stddef.h>

#include "util.h"

/**
 * Fetching an answerfile from a path or URL, bounded in every way an
 * unattended install needs: a connect timeout, a low-speed limit (a server
 * that stalls or trickles), a total timeout per attempt, a few attempts
 * with backoff for transient failures (a DHCP lease or a web server that is
 * not quite up yet), a size cap, and an optional SHA-256 pin.
 *
 * Schemes: http, https (certificate and host name verified), ftp, tftp and
 * file, through libcurl; a location without a scheme is a local path.
 * Redirects are followed at most FETCH_MAX_REDIRECTS times, never in a
 * loop, to http, https or ftp, and only to https once a URL on the way was
 * https.  A URL's user:password@ is used but never shown: every message
 * names the location without it.
 */
struct fetch_options {
	unsigned connect_timeout_sec;
	unsigned total_timeout_sec; /* per attempt, redirects included */
	/* Fewer than low_speed_bytes a second for low_speed_sec seconds fails the attempt. */
	unsigned low_speed_bytes;
	unsigned low_speed_sec;
	unsigned attempts;
	size_t max_bytes;
	/* CA bundle for https; NULL: the first of the usual system locations. */
	const char *ca_file;
	/* Expected SHA-256 as 64 hex digits, or NULL. */
	const char *sha256;
};

#define FETCH_OPTIONS_DEFAULT                                                                      \
	{                                                                                          \
		.connect_timeout_sec = 10, .total_timeout_sec = 60, .low_speed_bytes = 1024,       \
		.low_speed_sec = 10, .attempts = 4, .max_bytes = 1024 * 1024, .ca_file = NULL,     \
		.sha256 = NULL                                                                     \
	}

#define FETCH_MAX_REDIRECTS 5

/*
 * Fetches @location into @ret.  On failure returns a negative errno and puts
 * a one-line reason that names the location and what to do into @err:
 * -ENOENT (not found), -EFBIG (over max_bytes), -EBADMSG (SHA-256
 * mismatch), -EPROTONOSUPPORT (a scheme, or a redirect to one, that is not
 * allowed), -ELOOP (a redirect loop, or too many redirects), -ETIMEDOUT
 * (connect, low-speed or total timeout), -EACCES (a certificate that does
 * not verify), -EIO (anything else), -EINVAL (a malformed pin or location).
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

/* Seconds slept before attempt @n (1-based; 0 for the first). */
unsigned fetch_backoff_sec(unsigned n);

#endif
