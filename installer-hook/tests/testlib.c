// SPDX-License-Identifier: GPL-2.0-only
#include "testlib.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static struct strv tmpdirs = STRV_INIT;

char *test_mkdtemp(void)
{
	const char *base = getenv("TMPDIR");
	char *templ = xasprintf("%s/xsraid-test-XXXXXX", base && *base ? base : "/tmp");

	if (!mkdtemp(templ)) {
		perror("mkdtemp");
		abort();
	}
	strv_push(&tmpdirs, templ);
	return templ;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void test_rm_rf(const char *path)
{
	nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

int test_cleanup_tmpdirs(void **state)
{
	(void)state;
	if (getenv("XSRAID_TEST_KEEP"))
		return 0;
	strv_foreach(d, &tmpdirs)
		test_rm_rf(*d);
	strv_free(&tmpdirs);
	return 0;
}

char *test_src_path(const char *rel)
{
	const char *top = getenv("XSRAID_SRCDIR");

	return path_join(top && *top ? top : ".", rel);
}

char *test_src_text(const char *rel)
{
	char *path = test_src_path(rel);
	char *text = test_read_file(path);

	if (!text) {
		perror(path);
		abort();
	}
	free(path);
	return text;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void test_list_files(const char *rel, const char *suffix, struct strv *ret)
{
	char *dir = test_src_path(rel);
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t sl = strlen(suffix);

	if (!d) {
		perror(dir);
		abort();
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > sl && str_ends_with(e->d_name, suffix)) {
			char *name = xstrndup(e->d_name, l - sl);
			strv_push(ret, name);
			free(name);
		}
	}
	closedir(d);
	free(dir);
	if (!ret->n) {
		fprintf(stderr, "no *%s file in %s\n", suffix, rel);
		abort();
	}
	qsort(ret->v, ret->n, sizeof(*ret->v), cmp_names);
}

static int run(const char *const argv[], char **out)
{
	int pipefd[2] = {-1, -1};
	int status;
	pid_t pid;

	if (out && pipe(pipefd) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		dup2(devnull, STDIN_FILENO);
		if (out) {
			dup2(pipefd[1], STDOUT_FILENO);
			close(pipefd[0]);
		} else if (!getenv("XSRAID_TEST_VERBOSE")) {
			dup2(devnull, STDOUT_FILENO);
		}
		if (!getenv("XSRAID_TEST_VERBOSE"))
			dup2(devnull, STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (out) {
		struct buf b = BUF_INIT;
		char chunk[4096];
		ssize_t n;

		close(pipefd[1]);
		while ((n = read(pipefd[0], chunk, sizeof(chunk))) > 0)
			buf_append(&b, chunk, (size_t)n);
		close(pipefd[0]);
		*out = buf_detach(&b);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int test_run(const char *const argv[])
{
	return run(argv, NULL);
}

int test_run_capture(const char *const argv[], char **out)
{
	return run(argv, out);
}

void test_write_file(const char *path, const char *text)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	FILE *f;

	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir, 0755) < 0) {
			perror(dir);
			abort();
		}
	}
	free(dir);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

char *test_read_file(const char *path)
{
	struct buf b = BUF_INIT;

	if (read_file(path, 64 << 20, &b) < 0)
		return NULL;
	return buf_detach(&b);
}

bool test_is_root(void)
{
	return geteuid() == 0;
}

char *test_make_sysroot(const char *const *opts)
{
	char *script = test_src_path("installer-hook/tests/make-sysroot.sh");
	char *tmp = test_mkdtemp();
	char *dir = path_join(tmp, "root");
	const char *argv[16] = {script, dir};
	size_t n = 2;

	for (size_t i = 0; opts && opts[i] && n < 15; i++)
		argv[n++] = opts[i];
	argv[n] = NULL;
	if (test_run(argv) != 0) {
		fprintf(stderr, "make-sysroot.sh %s failed\n", dir);
		abort();
	}
	free(script);
	free(tmp);
	return dir;
}

/* --- a PUT server ------------------------------------------------------------ */

static void put_reply(int c, const char *status)
{
	char head[128];
	int n = snprintf(head, sizeof(head), "HTTP/1.0 %s\r\nContent-Length: 0\r\n\r\n", status);
	if (write(c, head, (size_t)n) < 0)
		return;
}

/* One request: headers, then Content-Length bytes of body. */
static void put_handle(int c, const char *dir)
{
	struct buf req = BUF_INIT;
	char chunk[4096], method[16] = "", path[512] = "", ctype[128] = "-";
	const char *end = NULL, *cl;
	size_t want = 0;
	ssize_t n;

	while (!end && (n = read(c, chunk, sizeof(chunk))) > 0) {
		buf_append(&req, chunk, (size_t)n);
		end = strstr(req.data, "\r\n\r\n");
	}
	if (!end || sscanf(req.data, "%15s %511s", method, path) != 2)
		goto out;
	cl = strcasestr(req.data, "\r\nContent-Length:");
	if (cl)
		want = strtoul(cl + 17, NULL, 10);
	const char *ct = strcasestr(req.data, "\r\nContent-Type:");
	if (ct && ct < end)
		sscanf(ct + 15, " %127[^\r]", ctype);
	size_t head = (size_t)(end - req.data) + 4;
	while (req.len - head < want && (n = read(c, chunk, sizeof(chunk))) > 0)
		buf_append(&req, chunk, (size_t)n);

	char *log = path_join(dir, "requests");
	FILE *f = fopen(log, "a");
	if (f) {
		fprintf(f, "%s %s Content-Type: %s\n", method, path, ctype);
		fclose(f);
	}
	free(log);
	if (!strncmp(path, "/fail/", 6)) {
		char status[32];
		snprintf(status, sizeof(status), "%.3s Failing", path + 6);
		put_reply(c, status);
	} else if (!strcmp(method, "PUT")) {
		const char *name = strrchr(path, '/') + 1;
		char *file = path_join(dir, *name ? name : "index");
		int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0 &&
		    write(fd, req.data + head, req.len - head) == (ssize_t)(req.len - head))
			put_reply(c, "201 Created");
		else
			put_reply(c, "500 Cannot Store");
		if (fd >= 0)
			close(fd);
		free(file);
	} else {
		put_reply(c, "405 Method Not Allowed");
	}
out:
	buf_free(&req);
}

int test_put_server_start(const char *dir, int *ret_pid)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	pid_t pid;

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 16) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &len) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		for (;;) {
			int c = accept(s, NULL, NULL);
			if (c < 0)
				continue;
			put_handle(c, dir);
			close(c);
		}
	}
	close(s);
	if (pid < 0)
		return -1;
	*ret_pid = pid;
	return ntohs(a.sin_port);
}

void test_put_server_stop(int pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

void test_capture_begin(struct test_capture *c, FILE *stream)
{
	c->stream = stream;
	c->file = tmpfile();
	assert_non_null(c->file);
	fflush(stream);
	c->saved = dup(fileno(stream));
	assert_true(c->saved >= 0);
	assert_true(dup2(fileno(c->file), fileno(stream)) >= 0);
}

char *test_capture_end(struct test_capture *c)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t len;

	fflush(c->stream);
	assert_true(dup2(c->saved, fileno(c->stream)) >= 0);
	close(c->saved);
	rewind(c->file);
	while ((len = fread(chunk, 1, sizeof(chunk), c->file)) > 0)
		buf_append(&b, chunk, len);
	fclose(c->file);
	return b.data ? buf_detach(&b) : xstrdup("");
}

void test_compare_golden(const char *name, const char *got)
{
	char *rel = xasprintf("installer-hook/tests/golden/%s", name);
	char *path = test_src_path(rel);
	char *want = test_read_file(path);

	if (getenv("XSRAID_UPDATE_GOLDEN")) {
		test_write_file(path, got);
	} else {
		if (!want)
			fail_msg("missing golden file %s (XSRAID_UPDATE_GOLDEN=1 writes it)", path);
		if (strcmp(want, got)) {
			char *gotpath = xasprintf("%s.got", path);
			test_write_file(gotpath, got);
			fail_msg("%s differs from %s; see %s", name, path, gotpath);
		}
	}
	free(want);
	free(path);
	free(rel);
}
