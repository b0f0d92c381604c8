// SPDX-License-Identifier: GPL-2.0-only
#include "fetch.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
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

static int curl_to_errno(CURLcode c, long http_code)
{
	switch (c) {
	case CURLE_OK:
		return 0;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_FILE_COULDNT_READ_FILE:
	case CURLE_REMOTE_FILE_NOT_FOUND:
	case CURLE_TFTP_NOTFOUND:
		return -ENOENT;
	case CURLE_HTTP_RETURNED_ERROR:
		return http_code == 404 || http_code == 410 ? -ENOENT : -EIO;
	case CURLE_UNSUPPORTED_PROTOCOL:
		return -EPROTONOSUPPORT;
	default:
		return -EIO;
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

static int curl_once(const char *url, const struct fetch_options *o, const char *ca,
		     struct buf *out, struct buf *err, bool *retry)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct sink sink = {.buf = out, .max = o->max_bytes};
	long http_code = 0;
	CURLcode c;
	CURL *h;
	int r;

	*retry = false;
	h = curl_easy_init();
	if (!h) {
		buf_printf(err, "cannot fetch '%s': libcurl initialisation failed", url);
		return -ENOMEM;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,ftp,tftp,file");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https,ftp");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)o->connect_timeout_sec);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)o->total_timeout_sec);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "xsraid");
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);

	c = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &http_code);
	curl_easy_cleanup(h);

	if (c == CURLE_OK)
		return 0;
	if (sink.too_big || c == CURLE_FILESIZE_EXCEEDED) {
		buf_printf(err,
			   "cannot fetch '%s': larger than %zu bytes, which is not an answerfile",
			   url, o->max_bytes);
		return -EFBIG;
	}
	*retry = transient(c, http_code);
	r = curl_to_errno(c, http_code);
	if (c == CURLE_HTTP_RETURNED_ERROR)
		buf_printf(err, "cannot fetch '%s': server answered HTTP %ld", url, http_code);
	else
		buf_printf(err, "cannot fetch '%s': %s", url,
			   errbuf[0] ? errbuf : curl_easy_strerror(c));
	return r;
}

static int check_pin(const char *location, const struct buf *data, const char *pin, struct buf *err)
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
		   location, pin, hex);
	return -EBADMSG;
}

int fetch_location(const char *location, const struct fetch_options *o, struct buf *ret,
		   struct buf *err)
{
	struct buf out = BUF_INIT;
	char scheme[16];
	int r = 0;

	buf_reset(err);
	if (o->sha256) {
		bool ok = strlen(o->sha256) == 64;
		for (const char *c = o->sha256; *c && ok; c++)
			ok = isxdigit((unsigned char)*c);
		if (!ok) {
			buf_printf(err, "answerfile_sha256=%s is not 64 hex digits", o->sha256);
			return -EINVAL;
		}
	}

	if (!scheme_of(location, scheme, sizeof(scheme))) {
		r = read_file(location, o->max_bytes, &out);
		if (r == -EFBIG)
			buf_printf(err,
				   "cannot read '%s': larger than %zu bytes, which is not an "
				   "answerfile",
				   location, o->max_bytes);
		else if (r < 0)
			buf_printf(err, "cannot read '%s': %s", location, strerror(-r));
	} else {
		bool known = false, retry = true;
		const char *ca = NULL;

		for (size_t i = 0; i < ARRAY_SIZE(SCHEMES); i++)
			known = known || !strcmp(scheme, SCHEMES[i]);
		if (!known) {
			buf_printf(
				err,
				"cannot fetch '%s': %s:// is not supported; use http, https, ftp, "
				"tftp or file",
				location, scheme);
			return -EPROTONOSUPPORT;
		}
		if (!strcmp(scheme, "https")) {
			ca = find_ca_bundle(o);
			if (!ca) {
				buf_printf(
					err,
					"cannot fetch '%s': https needs CA certificates and none of "
					"%s, %s, %s exists; give a CA bundle or use http with "
					"answerfile_sha256=",
					location, CA_BUNDLES[0], CA_BUNDLES[1], CA_BUNDLES[2]);
				return -ENOENT;
			}
		}
		curl_init_once();
		for (unsigned attempt = 1; retry && attempt <= (o->attempts ? o->attempts : 1);
		     attempt++) {
			unsigned wait = fetch_backoff_sec(attempt);
			if (wait) {
				log_warn("%s; retrying in %u s", err->data, wait);
				sleep(wait);
			}
			buf_reset(&out);
			buf_reset(err);
			r = curl_once(location, o, ca, &out, err, &retry);
			if (r == 0)
				break;
		}
	}
	if (r == 0)
		r = check_pin(location, &out, o->sha256, err);
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

void fetch_url_redacted(const char *url, struct buf *out)
{
	const char *start = strstr(url, "://");
	const char *host, *at, *end;

	if (!start) {
		buf_puts(out, url);
		return;
	}
	host = start + 3;
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	if (!at) {
		buf_puts(out, url);
		return;
	}
	buf_append(out, url, (size_t)(host - url));
	buf_puts(out, "***");
	buf_puts(out, at);
}

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
	if (c == CURLE_HTTP_RETURNED_ERROR)
		buf_printf(err, "cannot PUT to '%s': server answered HTTP %ld", shown, http_code);
	else
		/* libcurl's own message may quote the URL: only the generic text is safe. */
		buf_printf(err, "cannot PUT to '%s': %s", shown, curl_easy_strerror(c));
	return curl_to_errno(c, http_code);
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
	fetch_url_redacted(url, &shown);
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
