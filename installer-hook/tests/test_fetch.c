// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fetching answerfiles: paths, file:// and http:// against a small HTTP
 * server on loopback that can fail, stall and lie, as real PXE servers do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fetch.h"
#include "sha256.h"
#include "testlib.h"
#include "util.h"

static pid_t server_pid;
static int server_port;

static void reply(int c, const char *status, const char *body, size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.0 %s\r\nContent-Type: text/xml\r\nContent-Length: %zu\r\n\r\n",
			 status, len);
	if (write(c, head, (size_t)n) < 0 || (len && write(c, body, len) < 0))
		return;
}

static void serve(int s)
{
	int flaky = 0;

	for (;;) {
		int c = accept(s, NULL, NULL);
		char req[2048] = "";
		if (c < 0)
			continue;
		ssize_t n = read(c, req, sizeof(req) - 1);
		if (n <= 0) {
			close(c);
			continue;
		}
		req[n] = '\0';
		if (!strncmp(req, "GET /ok ", 8)) {
			reply(c, "200 OK", "<installation/>\n", 16);
		} else if (!strncmp(req, "GET /flaky ", 11)) {
			if (flaky++ < 2)
				reply(c, "503 Service Unavailable", "", 0);
			else
				reply(c, "200 OK", "<installation/>\n", 16);
		} else if (!strncmp(req, "GET /big ", 9)) {
			size_t len = 2 << 20;
			char *body = calloc(1, len);
			reply(c, "200 OK", body, len);
			free(body);
		} else if (!strncmp(req, "GET /slow ", 10)) {
			sleep(10);
		} else if (!strncmp(req, "GET /moved ", 11)) {
			const char *m =
				"HTTP/1.0 302 Found\r\nLocation: /ok\r\nContent-Length: 0\r\n\r\n";
			if (write(c, m, strlen(m)) < 0)
				break;
		} else if (!strncmp(req, "GET /to-file ", 13)) {
			const char *m = "HTTP/1.0 302 Found\r\nLocation: file:///etc/passwd\r\n"
					"Content-Length: 0\r\n\r\n";
			if (write(c, m, strlen(m)) < 0)
				break;
		} else {
			reply(c, "404 Not Found", "", 0);
		}
		close(c);
	}
}

static int start_server(void **state)
{
	(void)state;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 16) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) < 0)
		return -1;
	server_port = ntohs(a.sin_port);
	server_pid = fork();
	if (server_pid == 0) {
		serve(s);
		_exit(0);
	}
	close(s);
	return server_pid > 0 ? 0 : -1;
}

static int stop_server(void **state)
{
	(void)state;
	kill(server_pid, SIGKILL);
	waitpid(server_pid, NULL, 0);
	test_cleanup_tmpdirs(state);
	return 0;
}

static int get(const char *path, struct fetch_options *o, struct buf *out, struct buf *err)
{
	char url[128];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", server_port, path);
	return fetch_location(url, o, out, err);
}

static void test_http(void **state)
{
	(void)state;
	struct fetch_options o = FETCH_OPTIONS_DEFAULT;
	struct buf out = BUF_INIT, err = BUF_INIT;

	assert_int_equal(get("/ok", &o, &out, &err), 0);
	assert_string_equal(out.data, "<installation/>\n");
	assert_int_equal(get("/moved", &o, &out, &err), 0);
	assert_string_equal(out.data, "<installation/>\n");
	assert_int_equal(get("/missing", &o, &out, &err), -ENOENT);
	assert_non_null(strstr(err.data, "server answered HTTP 404"));
	/* A redirect to file:// must not read local files. */
	assert_int_equal(get("/to-file", &o, &out, &err), -EPROTONOSUPPORT);
	buf_free(&out);
	buf_free(&err);
}

static void test_http_retries(void **state)
{
	(void)state;
	struct fetch_options o = FETCH_OPTIONS_DEFAULT;
	struct buf out = BUF_INIT, err = BUF_INIT;

	/* Two 503s, then the file: the third attempt succeeds after 1 + 2 s of backoff. */
	assert_int_equal(get("/flaky", &o, &out, &err), 0);
	assert_string_equal(out.data, "<installation/>\n");
	assert_int_equal(fetch_backoff_sec(1), 0);
	assert_int_equal(fetch_backoff_sec(2), 1);
	assert_int_equal(fetch_backoff_sec(4), 4);
	assert_int_equal(fetch_backoff_sec(20), 16);
	buf_free(&out);
	buf_free(&err);
}

static void test_http_limits(void **state)
{
	(void)state;
	struct fetch_options o = FETCH_OPTIONS_DEFAULT;
	struct buf out = BUF_INIT, err = BUF_INIT;

	assert_int_equal(get("/big", &o, &out, &err), -EFBIG);
	assert_non_null(strstr(err.data, "larger than 1048576 bytes"));
	o.total_timeout_sec = 1;
	o.attempts = 1;
	assert_int_equal(get("/slow", &o, &out, &err), -ETIMEDOUT);
	/* Nothing listens on port 1: a connection failure, retried, then reported. */
	o = (struct fetch_options)FETCH_OPTIONS_DEFAULT;
	o.attempts = 2;
	assert_int_equal(fetch_location("http://127.0.0.1:1/x.xml", &o, &out, &err), -EIO);
	assert_non_null(strstr(err.data, "cannot fetch 'http://127.0.0.1:1/x.xml'"));
	buf_free(&out);
	buf_free(&err);
}

static void test_files_and_pins(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char *path = path_join(dir, "a.xml");
	char *url = xasprintf("file://%s", path);
	struct fetch_options o = FETCH_OPTIONS_DEFAULT;
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
	o.sha256 = "0000000000000000000000000000000000000000000000000000000000000000";
	assert_int_equal(fetch_location(url, &o, &out, &err), -EBADMSG);
	assert_non_null(strstr(err.data, "does not match answerfile_sha256="));
	assert_non_null(strstr(err.data, hex));
	o.sha256 = "abc";
	assert_int_equal(fetch_location(url, &o, &out, &err), -EINVAL);
	o.sha256 = NULL;

	char *missing = path_join(dir, "nope.xml");
	assert_int_equal(fetch_location(missing, &o, &out, &err), -ENOENT);
	assert_int_equal(fetch_location("nfs://server:/a.xml", &o, &out, &err), -EPROTONOSUPPORT);
	assert_non_null(strstr(err.data, "nfs:// is not supported"));
	assert_int_equal(fetch_location("gopher://x/", &o, &out, &err), -EPROTONOSUPPORT);
	o.ca_file = "/nonexistent/ca.pem";
	o.attempts = 1;
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

static void test_url_redacted(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{"http://h/x", "http://h/x"},
		{"http://u:p@h:80/x", "http://***@h:80/x"},
		{"https://u@h/a@b", "https://***@h/a@b"},
		{"/local/path", "/local/path"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct buf b = BUF_INIT;
		fetch_url_redacted(cases[i][0], &b);
		assert_string_equal(b.data, cases[i][1]);
		buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http),	    cmocka_unit_test(test_http_retries),
		cmocka_unit_test(test_http_limits), cmocka_unit_test(test_files_and_pins),
		cmocka_unit_test(test_put),	    cmocka_unit_test(test_url_redacted),
	};
	return cmocka_run_group_tests(tests, start_server, stop_server);
}
