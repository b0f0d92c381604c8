// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fetching answerfiles: paths, file:// and http(s):// against the servers of
 * fetch-server.py on the loopback, which fail, stall, trickle, loop, lie and
 * present bad certificates, as real PXE servers sometimes do.  Every case is
 * bounded in time and checks the one line a user would read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fetch.h"
#include "log.h"
#include "sha256.h"
#include "testlib.h"
#include "util.h"

static pid_t server_pid;
static char *cert_dir, *ca_file;
static int port_http, port_https, port_self_signed, port_wrong_host, port_expired, port_silent;

static int start_server(void **state)
{
	(void)state;
	char *script = test_src_path("installer-hook/tests/fetch-server.py");
	char line[512] = "";
	int fds[2];
	FILE *f;

	cert_dir = test_mkdtemp();
	ca_file = path_join(cert_dir, "ca.pem");
	if (pipe(fds) < 0)
		return -1;
	server_pid = fork();
	if (server_pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		execlp("python3", "python3", script, cert_dir, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	free(script);
	f = fdopen(fds[0], "r");
	if (!f || !fgets(line, sizeof(line), f) ||
	    sscanf(line, "http=%d https=%d self-signed=%d wrong-host=%d expired=%d silent=%d",
		   &port_http, &port_https, &port_self_signed, &port_wrong_host, &port_expired,
		   &port_silent) != 6) {
		fprintf(stderr, "fetch-server.py did not start: '%s'\n", line);
		return -1;
	}
	fclose(f);
	return 0;
}

static int stop_server(void **state)
{
	kill(server_pid, SIGKILL);
	waitpid(server_pid, NULL, 0);
	free(ca_file);
	free(cert_dir);
	return test_cleanup_tmpdirs(state);
}

/* Options that keep every failure within a few seconds. */
static struct fetch_options quick(void)
{
	struct fetch_options o = FETCH_OPTIONS_DEFAULT;

	o.connect_timeout_sec = 1;
	o.total_timeout_sec = 3;
	o.low_speed_bytes = 1000;
	o.low_speed_sec = 1;
	o.attempts = 1;
	o.ca_file = ca_file;
	return o;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * Fetches "SCHEME://127.0.0.1:PORT/PATH" and checks the result: 0 and the
 * answerfile, or @want_r and exactly the message @want_fmt (in which the
 * first %d is the port, as later ones are), within @max_seconds.
 */
static void check_fetch(const char *scheme, int port, const char *path,
			const struct fetch_options *o, int want_r, double max_seconds,
			const char *want_fmt, ...)
{
	char *url = xasprintf("%s://127.0.0.1:%d%s", scheme, port, path);
	struct buf out = BUF_INIT, err = BUF_INIT;
	struct timespec t0;
	double took;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = fetch_location(url, o, &out, &err);
	took = seconds_since(&t0);
	if (r != want_r)
		fail_msg("%s: %d (%s), not %d", url, r, err.data ? err.data : "", want_r);
	if (r == 0) {
		assert_string_equal(out.data, "<installation/>\n");
	} else {
		struct buf want = BUF_INIT;
		va_list ap;
		va_start(ap, want_fmt);
		buf_vprintf(&want, want_fmt, ap);
		va_end(ap);
		if (strcmp(err.data, want.data))
			fail_msg("%s:\n  got  '%s'\n  want '%s'", url, err.data, want.data);
		buf_free(&want);
	}
	if (took > max_seconds)
		fail_msg("%s took %.1f s, more than %.1f s", url, took, max_seconds);
	free(url);
	buf_free(&out);
	buf_free(&err);
}

static void test_http(void **state)
{
	(void)state;
	struct fetch_options o = quick();

	check_fetch("http", port_http, "/ok", &o, 0, 2, NULL);
	check_fetch("http", port_http, "/moved", &o, 0, 2, NULL);
	check_fetch(
		"http", port_http, "/missing", &o, -ENOENT, 2,
		"cannot fetch 'http://127.0.0.1:%d/missing': the server answered HTTP 404; check "
		"the path in the URL",
		port_http);
	/* A redirect to file:// must not read local files. */
	check_fetch("http", port_http, "/to-file", &o, -EPROTONOSUPPORT, 2,
		    "cannot fetch 'http://127.0.0.1:%d/to-file': the server redirects to "
		    "'file:///etc/passwd', which is not http, https or ftp; fix the redirect on "
		    "the server or give the final URL",
		    port_http);
}

static void test_http_retries(void **state)
{
	(void)state;
	struct fetch_options o = quick();

	/* Two 503s, then the file: the third attempt succeeds after 1 + 2 s of backoff. */
	o.attempts = 4;
	check_fetch("http", port_http, "/flaky", &o, 0, 6, NULL);
	assert_int_equal(fetch_backoff_sec(1), 0);
	assert_int_equal(fetch_backoff_sec(2), 1);
	assert_int_equal(fetch_backoff_sec(4), 4);
	assert_int_equal(fetch_backoff_sec(20), 16);
}

static void test_unreachable(void **state)
{
	(void)state;
	struct fetch_options o = quick();

	/* Nothing listens on port 1: refused, retried once after 1 s, then reported. */
	o.attempts = 2;
	check_fetch("http", 1, "/x.xml", &o, -EIO, 3,
		    "cannot fetch 'http://127.0.0.1:%d/x.xml': cannot connect to 127.0.0.1 port "
		    "%d; check that the server is up and reachable from the installer",
		    1, 1);
	/* A port that never answers a SYN: bounded by the connect timeout. */
	o.attempts = 1;
	check_fetch("http", port_silent, "/ok", &o, -ETIMEDOUT, 3,
		    "cannot fetch 'http://127.0.0.1:%d/ok': no connection to 127.0.0.1 port %d "
		    "within 1 s; check the address and the network",
		    port_silent, port_silent);
}

/* Servers that stall or trickle are bounded by the low-speed limit, endless ones by the total. */
static void test_slow_servers(void **state)
{
	(void)state;
	struct fetch_options o = quick();

	check_fetch("http", port_http, "/stall", &o, -ETIMEDOUT, 3,
		    "cannot fetch 'http://127.0.0.1:%d/stall': 127.0.0.1 port %d sent less than "
		    "1000 bytes/s for 1 s; check the server",
		    port_http, port_http);
	check_fetch("http", port_http, "/trickle", &o, -ETIMEDOUT, 3,
		    "cannot fetch 'http://127.0.0.1:%d/trickle': 127.0.0.1 port %d sent less than "
		    "1000 bytes/s for 1 s; check the server",
		    port_http, port_http);
	o.total_timeout_sec = 2;
	check_fetch("http", port_http, "/endless", &o, -ETIMEDOUT, 4,
		    "cannot fetch 'http://127.0.0.1:%d/endless': not complete after 2 s; check "
		    "the server",
		    port_http);
}

static void test_redirects(void **state)
{
	(void)state;
	struct fetch_options o = quick();

	check_fetch("http", port_http, "/loop", &o, -ELOOP, 2,
		    "cannot fetch 'http://127.0.0.1:%d/loop': redirect loop: the server sends "
		    "'http://127.0.0.1:%d/loop' back to 'http://127.0.0.1:%d/loop'; fix the "
		    "redirects on the server",
		    port_http, port_http, port_http);
	check_fetch("http", port_http, "/loop-a", &o, -ELOOP, 2,
		    "cannot fetch 'http://127.0.0.1:%d/loop-a': redirect loop: the server sends "
		    "'http://127.0.0.1:%d/loop-b' back to 'http://127.0.0.1:%d/loop-a'; fix the "
		    "redirects on the server",
		    port_http, port_http, port_http);
	/* Five redirects are followed, a sixth is not. */
	check_fetch("http", port_http, "/hop/5", &o, 0, 2, NULL);
	check_fetch("http", port_http, "/hop/4", &o, -ELOOP, 2,
		    "cannot fetch 'http://127.0.0.1:%d/hop/4': more than 5 redirects (the last to "
		    "'http://127.0.0.1:%d/ok'); give the final URL",
		    port_http, port_http);
}

static void test_size_cap(void **state)
{
	(void)state;
	struct fetch_options o = quick();

	check_fetch("http", port_http, "/big", &o, -EFBIG, 2,
		    "cannot fetch 'http://127.0.0.1:%d/big': larger than 1048576 bytes, which is "
		    "not an answerfile",
		    port_http);
	/* No Content-Length: stopped while it arrives. */
	check_fetch("http", port_http, "/big-unannounced", &o, -EFBIG, 2,
		    "cannot fetch 'http://127.0.0.1:%d/big-unannounced': larger than 1048576 "
		    "bytes, which is not an answerfile",
		    port_http);
}

static void test_certificates(void **state)
{
	(void)state;
	struct fetch_options o = quick();

	check_fetch("https", port_https, "/ok", &o, 0, 2, NULL);
	check_fetch("https", port_self_signed, "/ok", &o, -EACCES, 2,
		    "cannot fetch 'https://127.0.0.1:%d/ok': the certificate of 127.0.0.1 port %d "
		    "is not signed by a CA the installer trusts; add the CA to its bundle, or "
		    "serve the answerfile over http with answerfile_sha256=",
		    port_self_signed, port_self_signed);
	check_fetch("https", port_wrong_host, "/ok", &o, -EACCES, 2,
		    "cannot fetch 'https://127.0.0.1:%d/ok': the certificate of 127.0.0.1 port %d "
		    "is for another host name; use the name the certificate was made for",
		    port_wrong_host, port_wrong_host);
	check_fetch("https", port_expired, "/ok", &o, -EACCES, 2,
		    "cannot fetch 'https://127.0.0.1:%d/ok': the certificate of 127.0.0.1 port %d "
		    "has expired; renew it on the server, or check the installer's clock (BIOS "
		    "time)",
		    port_expired, port_expired);
	/* The system's CA bundle does not know the test CA either. */
	o.ca_file = NULL;
	check_fetch("https", port_https, "/ok", &o, -EACCES, 2,
		    "cannot fetch 'https://127.0.0.1:%d/ok': the certificate of 127.0.0.1 port %d "
		    "is not signed by a CA the installer trusts; add the CA to its bundle, or "
		    "serve the answerfile over http with answerfile_sha256=",
		    port_https, port_https);
}

/* Once on https, a redirect to anything else is refused: no downgrade to plain text. */
static void test_https_redirects(void **state)
{
	(void)state;
	struct fetch_options o = quick();

	check_fetch("https", port_https, "/moved", &o, 0, 2, NULL);
	check_fetch("https", port_https, "/to-http", &o, -EPROTONOSUPPORT, 2,
		    "cannot fetch 'https://127.0.0.1:%d/to-http': the server redirects to "
		    "'http://127.0.0.1:%d/ok', which is not https (after https, only https is "
		    "followed); fix the redirect on the server or give the final URL",
		    port_https, port_http);
	check_fetch("https", port_https, "/to-ftp", &o, -EPROTONOSUPPORT, 2,
		    "cannot fetch 'https://127.0.0.1:%d/to-ftp': the server redirects to "
		    "'ftp://127.0.0.1:%d/ok', which is not https (after https, only https is "
		    "followed); fix the redirect on the server or give the final URL",
		    port_https, port_http);
	/* Up from http to https is fine; back down again is not. */
	check_fetch("http", port_http, "/to-https", &o, 0, 2, NULL);
	check_fetch("http", port_http, "/to-https-to-http", &o, -EPROTONOSUPPORT, 2,
		    "cannot fetch 'http://127.0.0.1:%d/to-https-to-http': the server redirects to "
		    "'http://127.0.0.1:%d/ok', which is not https (after https, only https is "
		    "followed); fix the redirect on the server or give the final URL",
		    port_http, port_http);
}

/* A URL's user:password is sent to the server and appears in no message and no log line. */
static void test_credentials(void **state)
{
	(void)state;
	struct fetch_options o = quick();
	char *dir = test_mkdtemp(), *log = path_join(dir, "log");
	struct buf out = BUF_INIT, err = BUF_INIT;

	assert_int_equal(fetch_location("ftp://admin:s3cret@127.0.0.1:1/", &o, &out, &err), -EIO);
	assert_string_equal(err.data, "cannot fetch 'ftp://***@127.0.0.1:1/': cannot connect to "
				      "127.0.0.1 port 1; check that the server is up and reachable "
				      "from the installer");
	char *good = xasprintf("http://admin:s3cret@127.0.0.1:%d/auth", port_http);
	char *bad = xasprintf("https://admin:0ops@127.0.0.1:%d/auth", port_https);
	assert_int_equal(fetch_location(good, &o, &out, &err), 0);
	assert_string_equal(out.data, "<installation/>\n");
	assert_int_equal(fetch_location(bad, &o, &out, &err), -EIO);
	char *want = xasprintf("cannot fetch 'https://***@127.0.0.1:%d/auth': the server "
			       "answered HTTP 401; check the user and password in the URL",
			       port_https);
	assert_string_equal(err.data, want);
	o.sha256 = "0000000000000000000000000000000000000000000000000000000000000000";
	assert_int_equal(fetch_location(good, &o, &out, &err), -EBADMSG);
	assert_true(str_starts_with(err.data, "'http://***@127.0.0.1:"));
	/* Retries are logged: the warning names the location without its password too. */
	o.sha256 = NULL;
	o.attempts = 2;
	assert_int_equal(log_open_file(log), 0);
	assert_int_equal(fetch_location("http://admin:s3cret@127.0.0.1:1/a.xml", &o, &out, &err),
			 -EIO);
	log_close_file();
	char *logged = test_read_file(log);
	assert_non_null(strstr(logged, "cannot fetch 'http://***@127.0.0.1:1/a.xml'"));
	assert_null(strstr(logged, "s3cret"));
	free(logged);
	free(want);
	free(good);
	free(bad);
	free(log);
	free(dir);
	buf_free(&out);
	buf_free(&err);
}

/* Every curl_easy_setopt() is checked: one libcurl refuses stops the fetch with its name. */
static void test_options_checked(void **state)
{
	(void)state;
	struct fetch_options o = quick();
	struct buf url = BUF_INIT, out = BUF_INIT, err = BUF_INIT;

	/* libcurl takes URLs of at most 8 MB. */
	buf_puts(&url, "http://127.0.0.1:1/");
	while (url.len < 9000000)
		buf_puts(&url, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_int_equal(fetch_location(url.data, &o, &out, &err), -EINVAL);
	assert_true(str_starts_with(err.data, "cannot fetch 'http://127.0.0.1:1/aaaa"));
	assert_true(str_ends_with(err.data, "aaa...': libcurl refused CURLOPT_URL: A libcurl "
					    "function was given a bad argument"));
	assert_true(err.len < 400);
	buf_free(&url);
	buf_free(&out);
	buf_free(&err);
}

static void test_files_and_pins(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char *path = path_join(dir, "a.xml");
	char *url = xasprintf("file://%s", path);
	struct fetch_options o = quick();
	struct buf out = BUF_INIT, err = BUF_INIT;
	char hex[65];

	test_write_file(path, "<installation/>\n");
	assert_int_equal(fetch_location(path, &o, &out, &err), 0);
	assert_string_equal(out.data, "<installation/>\n");
	assert_int_equal(fetch_location(url, &o, &out, &err), 0);
	assert_string_equal(out.data, "<installation/>\n");

	sha256_hex("<installation/>\n", 16, hex);
	o.sha256 = hex;
	assert_int_equal(fetch_location(url, &o, &out, &err), 0);
	check_fetch("http", port_http, "/ok", &o, 0, 2, NULL);
	o.sha256 = "0000000000000000000000000000000000000000000000000000000000000000";
	check_fetch("http", port_http, "/ok", &o, -EBADMSG, 2,
		    "'http://127.0.0.1:%d/ok' does not match answerfile_sha256=%s (its SHA-256 "
		    "is %s); fix the pin or the file",
		    port_http, o.sha256, hex);
	assert_int_equal(fetch_location(url, &o, &out, &err), -EBADMSG);
	assert_non_null(strstr(err.data, "does not match answerfile_sha256="));
	o.sha256 = "abc\n";
	assert_int_equal(fetch_location(url, &o, &out, &err), -EINVAL);
	assert_string_equal(err.data, "answerfile_sha256=abc\\x0a is not 64 hex digits; give the "
				      "SHA-256 of the answerfile (sha256sum prints it)");
	o.sha256 = NULL;

	char *missing = path_join(dir, "nope.xml");
	assert_int_equal(fetch_location(missing, &o, &out, &err), -ENOENT);
	assert_int_equal(fetch_location("nfs://server:/a.xml", &o, &out, &err), -EPROTONOSUPPORT);
	assert_string_equal(err.data, "cannot fetch 'nfs://server:/a.xml': nfs:// is not "
				      "supported; use http, https, ftp, tftp or file");
	assert_int_equal(fetch_location("gopher://x/", &o, &out, &err), -EPROTONOSUPPORT);
	o.ca_file = "/nonexistent/ca.pem";
	assert_int_equal(fetch_location("https://127.0.0.1:1/a.xml", &o, &out, &err) < 0, 1);
	free(missing);
	free(url);
	free(path);
	free(dir);
	buf_free(&out);
	buf_free(&err);
}

/* Reports go out as PUTs: the body arrives whole, as JSON, and failures name the URL safely. */
static void test_put(void **state)
{
	(void)state;
	char *dir = test_mkdtemp(), *url, *stored, *requests;
	char *stored_path = path_join(dir, "01-52-54-00-12-34-56.json");
	char *requests_path = path_join(dir, "requests");
	struct fetch_options o = FETCH_OPTIONS_DEFAULT;
	struct buf err = BUF_INIT;
	int pid, port = test_put_server_start(dir, &pid);
	static const char body[] = "{\"state\": \"installing\"}\n";

	assert_true(port > 0);
	url = xasprintf("http://127.0.0.1:%d/state/reports/01-52-54-00-12-34-56.json", port);
	assert_int_equal(fetch_put(url, body, strlen(body), "application/json", &o, &err), 0);
	stored = test_read_file(stored_path);
	assert_non_null(stored);
	assert_string_equal(stored, body);
	requests = test_read_file(requests_path);
	assert_non_null(strstr(requests, "PUT /state/reports/01-52-54-00-12-34-56.json "
					 "Content-Type: application/json"));
	free(requests);
	free(url);

	/* A 404 is final; the password in the URL never reaches a message. */
	url = xasprintf("http://pxe:s3cret@127.0.0.1:%d/fail/404/r.json", port);
	assert_int_equal(fetch_put(url, body, strlen(body), "application/json", &o, &err), -ENOENT);
	assert_non_null(strstr(err.data, "server answered HTTP 404"));
	assert_non_null(strstr(err.data, "http://***@127.0.0.1:"));
	assert_null(strstr(err.data, "s3cret"));
	free(url);

	/* A 503 is tried again, attempts times. */
	url = xasprintf("http://127.0.0.1:%d/fail/503/r.json", port);
	o.attempts = 2;
	assert_int_equal(fetch_put(url, body, strlen(body), "application/json", &o, &err), -EIO);
	requests = test_read_file(requests_path);
	size_t tries = 0;
	for (const char *c = requests; (c = strstr(c, "/fail/503/")); c++)
		tries++;
	assert_int_equal(tries, 2);
	free(requests);
	free(url);

	assert_int_equal(fetch_put("ftp://127.0.0.1/r.json", body, 1, "text/plain", &o, &err),
			 -EPROTONOSUPPORT);
	test_put_server_stop(pid);
	free(stored);
	free(stored_path);
	free(requests_path);
	free(dir);
	buf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http),	       cmocka_unit_test(test_http_retries),
		cmocka_unit_test(test_unreachable),    cmocka_unit_test(test_slow_servers),
		cmocka_unit_test(test_redirects),      cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_certificates),   cmocka_unit_test(test_https_redirects),
		cmocka_unit_test(test_credentials),    cmocka_unit_test(test_options_checked),
		cmocka_unit_test(test_files_and_pins), cmocka_unit_test(test_put),
	};
	return cmocka_run_group_tests(tests, start_server, stop_server);
}
