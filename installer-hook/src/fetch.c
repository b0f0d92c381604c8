// SPDX-License-Identifier: GPL-2.0-only
#include "fetch.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sha256.h"

/* Where CentOS 5 (XenServer 6), CentOS 7 and Debian keep their CA bundles. */
static const char *const CA_BUNDLES[] = {
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/ssl/cert.pem",
};

static const char *const SCHEMES[] = {"http", "https", "ftp", "tftp", "file"};

struct sink {
	struct buf *buf;
	size_t max;
	bool too_big;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct sink *s = userdata;
	size_t n = size * nmemb;

	if (s->buf->len + n > s->max) {
		s->too_big = true;
		return 0; /* makes libcurl fail with CURLE_WRITE_ERROR */
	}
	buf_append(s->buf, data, n);
	return n;
}

unsigned fetch_backoff_sec(unsigned n)
{
	if (n <= 1)
		return 0;
	unsigned s = 1u << (n - 2); /* 1, 2, 4, 8 ... */
	return s > 16 ? 16 : s;
}

static const char *scheme_of(const char *loc, char *out, size_t outlen)
{
	const char *colon = strstr(loc, "://");
	size_t n;

	if (!colon)
		return NULL;
	n = (size_t)(colon - loc);
	if (n == 0 || n >= outlen)
		return NULL;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)loc[i]);
	out[n] = '\0';
	return out;
}

static bool transient(CURLcode c, long http_code)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return true;
	case CURLE_HTTP_RETURNED_ERROR:
		return http_code >= 500 || http_code == 408 || http_code == 429;
	default:
		return false;
	}
}

static void curl_init_once(void)
{
	static bool curl_ready;

	if (!curl_ready && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
		curl_ready = true;
}

static const char *find_ca_bundle(const struct fetch_options *o)
{
	if (o->ca_file)
		return o->ca_file;
	for (size_t i = 0; i < ARRAY_SIZE(CA_BUNDLES); i++)
		if (access(CA_BUNDLES[i], R_OK) == 0)
			return CA_BUNDLES[i];
	return NULL;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* One attempt at a location: the original, as messages show it, and where it leads. */
struct attempt {
	const struct fetch_options *o;
	const char *ca;
	const char *shown; /* the location without user:password */
	struct buf *err;
	char *url;	  /* the URL of this hop */
	bool https_seen;  /* a URL on the way was https: only https may follow */
	struct strv hops; /* the URLs visited, to see a loop */
};

static int __attribute__((format(printf, 3, 4)))
fail(struct attempt *a, int r, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	buf_reset(a->err);
	buf_printf(a->err, "cannot fetch '%s': ", a->shown);
	buf_put_display(a->err, msg.data, 1024);
	buf_free(&msg);
	return r;
}

/* "host port N" of @url for messages, or "the server". */
static void describe_host(const char *url, char *out, size_t outlen)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;

	snprintf(out, outlen, "the server");
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
		snprintf(out, outlen, "%s port %s", host, port);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
}

/*
 * curl_easy_setopt() over a list of options, checked: the first that fails
 * is kept with its name, and the transfer is not started.
 */
struct setopts {
	CURL *h;
	CURLcode code;
	const char *failed;
};

#define SETOPT(s, option, value)                                                                   \
	do {                                                                                       \
		if ((s)->code == CURLE_OK) {                                                       \
			(s)->code = curl_easy_setopt((s)->h, option, value);                       \
			if ((s)->code != CURLE_OK)                                                 \
				(s)->failed = #option;                                             \
		}                                                                                  \
	} while (0)

static int set_options(struct attempt *a, CURL *h, struct sink *sink, char *errbuf,
		       uint64_t timeout_ms)
{
	const struct fetch_options *o = a->o;
	struct setopts s = {.h = h};

	/* The schemes this hop may use: redirects were checked before, curl checks again. */
	SETOPT(&s, CURLOPT_PROTOCOLS_STR,
	       a->hops.n > 1 ? (a->https_seen ? "https" : "http,https,ftp")
			     : "http,https,ftp,tftp,file");
	SETOPT(&s, CURLOPT_URL, a->url);
	SETOPT(&s, CURLOPT_FOLLOWLOCATION, 0L);
	SETOPT(&s, CURLOPT_NOSIGNAL, 1L);
	SETOPT(&s, CURLOPT_FAILONERROR, 1L);
	SETOPT(&s, CURLOPT_CONNECTTIMEOUT, (long)o->connect_timeout_sec);
	SETOPT(&s, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	SETOPT(&s, CURLOPT_LOW_SPEED_LIMIT, (long)o->low_speed_bytes);
	SETOPT(&s, CURLOPT_LOW_SPEED_TIME, (long)o->low_speed_sec);
	SETOPT(&s, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
	SETOPT(&s, CURLOPT_WRITEFUNCTION, on_data);
	SETOPT(&s, CURLOPT_WRITEDATA, sink);
	SETOPT(&s, CURLOPT_ERRORBUFFER, errbuf);
	SETOPT(&s, CURLOPT_USERAGENT, "xsraid");
	SETOPT(&s, CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(&s, CURLOPT_SSL_VERIFYHOST, 2L);
	if (a->ca)
		SETOPT(&s, CURLOPT_CAINFO, a->ca);
	if (s.code != CURLE_OK)
		return fail(a, -EINVAL, "libcurl refused %s: %s", s.failed,
			    curl_easy_strerror(s.code));
	return 0;
}

/*
 * Why a certificate did not verify, from the TLS library's own report:
 * OpenSSL's X509_V_ERR_* code (host libcurl), or the BADCERT_* name curl
 * gives for mbedTLS (the static build).  A wrong host name is found by
 * curl itself with OpenSSL, and only its message says so.
 */
static const char *certificate_problem(CURL *h, const char *errbuf)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	long verify = -1;

	if (strstr(errbuf, "BADCERT_CN_MISMATCH") || strstr(errbuf, "target host name"))
		verify = 62;
	else if (v->ssl_version && str_starts_with(v->ssl_version, "mbedTLS"))
		verify = strstr(errbuf, "BADCERT_EXPIRED")	 ? 10
			 : strstr(errbuf, "BADCERT_FUTURE")	 ? 9
			 : strstr(errbuf, "BADCERT_NOT_TRUSTED") ? 18
								 : -1;
	else
		curl_easy_getinfo(h, CURLINFO_SSL_VERIFYRESULT, &verify);
	switch (verify) {
	case 62: /* X509_V_ERR_HOSTNAME_MISMATCH */
		return "is for another host name; use the name the certificate was made for";
	case 9: /* X509_V_ERR_CERT_NOT_YET_VALID */
		return "is not valid yet; check the installer's clock (BIOS time) or renew the "
		       "certificate";
	case 10: /* X509_V_ERR_CERT_HAS_EXPIRED */
		return "has expired; renew it on the server, or check the installer's clock (BIOS "
		       "time)";
	case 2:	 /* X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT */
	case 18: /* X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT */
	case 19: /* X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN */
	case 20: /* X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY */
	case 21: /* X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE */
		return "is not signed by a CA the installer trusts; add the CA to its bundle, or "
		       "serve the answerfile over http with answerfile_sha256=";
	default:
		return NULL;
	}
}

/* What to do about an HTTP error status. */
static const char *http_hint(long code)
{
	if (code == 404 || code == 410)
		return "; check the path in the URL";
	if (code == 401 || code == 407)
		return "; check the user and password in the URL";
	if (code == 403)
		return "; the server refuses to hand out the file: check its permissions";
	if (code >= 500)
		return "; check the server";
	return "";
}

/* The message and errno for a failed transfer of a->url. */
static int transfer_failed(struct attempt *a, CURL *h, CURLcode c, const char *errbuf,
			   const struct sink *sink, uint64_t timeout_ms, bool *retry)
{
	const struct fetch_options *o = a->o;
	long http_code = 0;
	curl_off_t connect_us = 0, total_us = 0;
	char host[300];
	const char *why;

	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &http_code);
	curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
	curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &total_us);
	describe_host(a->url, host, sizeof(host));
	*retry = transient(c, http_code);

	if (sink->too_big || c == CURLE_FILESIZE_EXCEEDED)
		return fail(a, -EFBIG, "larger than %zu bytes, which is not an answerfile",
			    o->max_bytes);
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return fail(a, -EIO,
			    "cannot find %s: the host name does not resolve; check it, "
			    "and the installer's network and DNS",
			    host);
	case CURLE_COULDNT_CONNECT:
		return fail(a, -EIO,
			    "cannot connect to %s; check that the server is up and "
			    "reachable from the installer",
			    host);
	case CURLE_OPERATION_TIMEDOUT:
		if (connect_us == 0)
			return fail(a, -ETIMEDOUT,
				    "no connection to %s within %u s; check the address and the "
				    "network",
				    host, o->connect_timeout_sec);
		if ((uint64_t)total_us / 1000 + 250 < timeout_ms)
			return fail(a, -ETIMEDOUT,
				    "%s sent less than %u bytes/s for %u s; check the server", host,
				    o->low_speed_bytes, o->low_speed_sec);
		return fail(a, -ETIMEDOUT, "not complete after %u s; check the server",
			    o->total_timeout_sec);
	case CURLE_HTTP_RETURNED_ERROR:
		return fail(a, http_code == 404 || http_code == 410 ? -ENOENT : -EIO,
			    "the server answered HTTP %ld%s", http_code, http_hint(http_code));
	case CURLE_PEER_FAILED_VERIFICATION:
		why = certificate_problem(h, errbuf);
		if (why)
			return fail(a, -EACCES, "the certificate of %s %s", host, why);
		return fail(a, -EACCES, "the certificate of %s does not verify: %s", host,
			    errbuf[0] ? errbuf : curl_easy_strerror(c));
	case CURLE_FILE_COULDNT_READ_FILE:
	case CURLE_REMOTE_FILE_NOT_FOUND:
	case CURLE_TFTP_NOTFOUND:
		return fail(a, -ENOENT, "no such file");
	case CURLE_UNSUPPORTED_PROTOCOL:
		return fail(a, -EPROTONOSUPPORT, "%s", errbuf[0] ? errbuf : curl_easy_strerror(c));
	default:
		return fail(a, -EIO, "%s", errbuf[0] ? errbuf : curl_easy_strerror(c));
	}
}

/*
 * Checks a redirect from a->url to @next: the scheme, loops and the count.
 * Returns 0 when it may be followed.
 */
static int check_redirect(struct attempt *a, const char *next)
{
	char scheme[16];
	char *shown_next = location_display(next);
	int r = 0;

	if (!scheme_of(next, scheme, sizeof(scheme)) ||
	    (strcmp(scheme, "https") &&
	     (a->https_seen || (strcmp(scheme, "http") && strcmp(scheme, "ftp")))))
		r = fail(a, -EPROTONOSUPPORT,
			 "the server redirects to '%s', which is not %s; fix the redirect on the "
			 "server or give the final URL",
			 shown_next,
			 a->https_seen ? "https (after https, only https is followed)"
				       : "http, https or ftp");
	for (size_t i = 0; r == 0 && i < a->hops.n; i++)
		if (!strcmp(a->hops.v[i], next))
			r = fail(a, -ELOOP,
				 "redirect loop: the server sends '%s' back to '%s'; fix the "
				 "redirects on the server",
				 a->url, shown_next);
	if (r == 0 && a->hops.n > FETCH_MAX_REDIRECTS)
		r = fail(a, -ELOOP, "more than %d redirects (the last to '%s'); give the final URL",
			 FETCH_MAX_REDIRECTS, shown_next);
	free(shown_next);
	return r;
}

/* One attempt: the location and its redirects, within the total timeout. */
static int fetch_once(struct attempt *a, const char *location, struct buf *out, bool *retry)
{
	uint64_t deadline = now_ms() + (uint64_t)a->o->total_timeout_sec * 1000;
	CURL *h = curl_easy_init();
	int r = 0;

	*retry = false;
	if (!h)
		return fail(a, -ENOMEM, "libcurl initialisation failed");
	a->url = xstrdup(location);
	a->https_seen = false;
	strv_free(&a->hops);
	for (;;) {
		char errbuf[CURL_ERROR_SIZE] = "", scheme[16] = "";
		struct sink sink = {.buf = out, .max = a->o->max_bytes};
		uint64_t now = now_ms(), timeout_ms = now < deadline ? deadline - now : 1;
		char *next = NULL;
		long code = 0;
		CURLcode c;

		scheme_of(a->url, scheme, sizeof(scheme));
		a->https_seen = a->https_seen || !strcmp(scheme, "https");
		strv_push(&a->hops, a->url);
		buf_reset(out);
		curl_easy_reset(h);
		r = set_options(a, h, &sink, errbuf, timeout_ms);
		if (r < 0)
			break;
		c = curl_easy_perform(h);
		if (c != CURLE_OK) {
			r = transfer_failed(a, h, c, errbuf, &sink, timeout_ms, retry);
			break;
		}
		if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK ||
		    code / 100 != 3)
			break;
		if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &next) != CURLE_OK || !next) {
			r = fail(a, -EIO, "the server answered HTTP %ld without a Location", code);
			break;
		}
		r = check_redirect(a, next);
		if (r < 0)
			break;
		free(a->url);
		a->url = xstrdup(next);
	}
	curl_easy_cleanup(h);
	free(a->url);
	a->url = NULL;
	return r;
}

static int check_pin(const char *shown, const struct buf *data, const char *pin, struct buf *err)
{
	char hex[65];

	if (!pin)
		return 0;
	sha256_hex(data->data, data->len, hex);
	if (strcasecmp(hex, pin) == 0)
		return 0;
	buf_printf(err,
		   "'%s' does not match answerfile_sha256=%s (its SHA-256 is %s); "
		   "fix the pin or the file",
		   shown, pin, hex);
	return -EBADMSG;
}

static int fetch_url(const char *location, const char *scheme, const struct fetch_options *o,
		     const char *shown, struct buf *out, struct buf *err)
{
	struct attempt a = {.o = o, .shown = shown, .err = err};
	bool known = false, retry = true;
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(SCHEMES); i++)
		known = known || !strcmp(scheme, SCHEMES[i]);
	if (!known) {
		buf_printf(err,
			   "cannot fetch '%s': %s:// is not supported; use http, https, ftp, tftp "
			   "or file",
			   shown, scheme);
		return -EPROTONOSUPPORT;
	}
	/* A redirect may lead to https, so the CA bundle is looked for in any case. */
	a.ca = find_ca_bundle(o);
	if (!a.ca && !strcmp(scheme, "https")) {
		buf_printf(err,
			   "cannot fetch '%s': https needs CA certificates and none of %s, %s, %s "
			   "exists; give a CA bundle or use http with answerfile_sha256=",
			   shown, CA_BUNDLES[0], CA_BUNDLES[1], CA_BUNDLES[2]);
		return -ENOENT;
	}
	curl_init_once();
	for (unsigned attempt = 1; retry && attempt <= (o->attempts ? o->attempts : 1); attempt++) {
		unsigned wait = fetch_backoff_sec(attempt);
		if (wait) {
			log_warn("%s; retrying in %u s", err->data, wait);
			sleep(wait);
		}
		r = fetch_once(&a, location, out, &retry);
		if (r == 0)
			break;
	}
	strv_free(&a.hops);
	return r;
}

int fetch_location(const char *location, const struct fetch_options *o, struct buf *ret,
		   struct buf *err)
{
	struct buf out = BUF_INIT;
	char *shown = location_display(location);
	char scheme[16];
	int r = 0;

	buf_reset(err);
	if (o->sha256) {
		bool ok = strlen(o->sha256) == 64;
		for (const char *c = o->sha256; *c && ok; c++)
			ok = isxdigit((unsigned char)*c);
		if (!ok) {
			buf_puts(err, "answerfile_sha256=");
			buf_put_display(err, o->sha256, 80);
			buf_puts(err, " is not 64 hex digits; give the SHA-256 of the answerfile "
				      "(sha256sum prints it)");
			free(shown);
			return -EINVAL;
		}
	}

	if (!scheme_of(location, scheme, sizeof(scheme))) {
		r = read_file(location, o->max_bytes, &out);
		if (r == -EFBIG)
			buf_printf(err,
				   "cannot read '%s': larger than %zu bytes, which is not an "
				   "answerfile",
				   shown, o->max_bytes);
		else if (r < 0)
			buf_printf(err, "cannot read '%s': %s", shown, strerror(-r));
	} else {
		r = fetch_url(location, scheme, o, shown, &out, err);
	}
	if (r == 0)
		r = check_pin(shown, &out, o->sha256, err);
	free(shown);
	if (r == 0) {
		if (!out.data)
			buf_append(&out, "", 0);
		buf_free(ret);
		*ret = out;
		return 0;
	}
	buf_free(&out);
	return r;
}

/* --- PUT, for reports ------------------------------------------------------------ */

struct source {
	const char *data;
	size_t len, off;
};

static size_t on_read(char *dest, size_t size, size_t nmemb, void *userdata)
{
	struct source *src = userdata;
	size_t n = size * nmemb;

	if (n > src->len - src->off)
		n = src->len - src->off;
	memcpy(dest, src->data + src->off, n);
	src->off += n;
	return n;
}

static size_t discard(char *data, size_t size, size_t nmemb, void *userdata)
{
	(void)data;
	(void)userdata;
	return size * nmemb;
}

static int put_once(const char *url, const char *shown, struct source *src,
		    struct curl_slist *headers, const struct fetch_options *o, const char *ca,
		    struct buf *err, bool *retry)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	long http_code = 0;
	CURLcode c;
	CURL *h;

	*retry = false;
	src->off = 0;
	h = curl_easy_init();
	if (!h) {
		buf_printf(err, "cannot PUT to '%s': libcurl initialisation failed", shown);
		return -ENOMEM;
	}
	/* Every option below is supported by the libcurl xsraid links; a failure means no memory.
	 */
	if (curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_READDATA, src) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)src->len) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)o->connect_timeout_sec) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)o->total_timeout_sec) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_USERAGENT, "xsraid") != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    (ca && curl_easy_setopt(h, CURLOPT_CAINFO, ca) != CURLE_OK)) {
		curl_easy_cleanup(h);
		buf_printf(err, "cannot PUT to '%s': libcurl refused an option", shown);
		return -ENOMEM;
	}
	c = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &http_code);
	curl_easy_cleanup(h);
	if (c == CURLE_OK)
		return 0;
	*retry = transient(c, http_code);
	if (c == CURLE_HTTP_RETURNED_ERROR) {
		buf_printf(err, "cannot PUT to '%s': server answered HTTP %ld", shown, http_code);
		return http_code == 404 || http_code == 410 ? -ENOENT : -EIO;
	}
	/* libcurl's own message may quote the URL: only the generic text is safe. */
	buf_printf(err, "cannot PUT to '%s': %s", shown, curl_easy_strerror(c));
	return c == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EIO;
}

int fetch_put(const char *url, const void *data, size_t len, const char *content_type,
	      const struct fetch_options *o, struct buf *err)
{
	struct source src = {.data = data, .len = len};
	struct buf shown = BUF_INIT, ctype = BUF_INIT;
	struct curl_slist *headers = NULL;
	const char *ca = NULL;
	char scheme[16];
	bool retry = true;
	int r = -EIO;

	buf_reset(err);
	char *display = location_display(url);
	buf_puts(&shown, display);
	free(display);
	if (!scheme_of(url, scheme, sizeof(scheme)) ||
	    (strcmp(scheme, "http") && strcmp(scheme, "https"))) {
		buf_printf(err, "cannot PUT to '%s': only http and https URLs take a PUT",
			   shown.data);
		buf_free(&shown);
		return -EPROTONOSUPPORT;
	}
	if (!strcmp(scheme, "https")) {
		ca = find_ca_bundle(o);
		if (!ca) {
			buf_printf(err, "cannot PUT to '%s': https needs CA certificates",
				   shown.data);
			buf_free(&shown);
			return -ENOENT;
		}
	}
	curl_init_once();
	buf_printf(&ctype, "Content-Type: %s", content_type);
	headers = curl_slist_append(headers, ctype.data);
	/* No "Expect: 100-continue" round trip for a few KiB. */
	headers = curl_slist_append(headers, "Expect:");
	for (unsigned attempt = 1; retry && attempt <= (o->attempts ? o->attempts : 1); attempt++) {
		unsigned wait = fetch_backoff_sec(attempt);
		if (wait) {
			log_warn("%s; retrying in %u s", err->data, wait);
			sleep(wait);
		}
		buf_reset(err);
		r = put_once(url, shown.data, &src, headers, o, ca, err, &retry);
		if (r == 0)
			break;
	}
	curl_slist_free_all(headers);
	buf_free(&shown);
	buf_free(&ctype);
	return r;
}
