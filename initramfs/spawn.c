// SPDX-License-Identifier: GPL-2.0-only
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

char *spawn_find(const char *name)
{
	const char *path = getenv("PATH");

	if (!path || !*path)
		path = "/usr/bin:/bin";
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		/* An empty or relative component would find programs in the working directory. */
		if (n > 0 && p[0] == '/') {
			char *dir = xstrndup(p, n);
			char *candidate = path_join(dir, name);
			free(dir);
			if (access(candidate, X_OK) == 0)
				return candidate;
			free(candidate);
		}
		p += n;
		if (*p == ':')
			p++;
	}
	return NULL;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Child side: only dup2, execve and _exit. */
static void __attribute__((noreturn)) child(const char *const *argv, const char *const *envp,
					    int null_fd, int out_fd, int err_fd, int notify_fd)
{
	int e;

	if (dup2(null_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
	    dup2(err_fd, STDERR_FILENO) < 0)
		goto fail;
	execve(argv[0], (char *const *)argv, (char *const *)envp);
fail:
	e = errno;
	if (write(notify_fd, &e, sizeof(e)) < 0) {
		/* nothing more to do */
	}
	_exit(127);
}

int spawn_capture(const char *const *argv, const char *const *envp, struct buf *out,
		  struct buf *errout)
{
	int out_pipe[2] = {-1, -1}, notify[2] = {-1, -1};
	int null_fd = -1, err_fd = -1, status = 0, child_errno = 0, r;
	char chunk[8192];
	pid_t pid;

	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	err_fd = memfd_create("stderr", MFD_CLOEXEC);
	if (null_fd < 0 || err_fd < 0 || pipe2(out_pipe, O_CLOEXEC) < 0 ||
	    pipe2(notify, O_CLOEXEC) < 0) {
		r = -errno;
		buf_printf(errout, "cannot set up a child process: %s", strerror(-r));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		buf_printf(errout, "cannot fork: %s", strerror(-r));
		goto out;
	}
	if (pid == 0)
		child(argv, envp, null_fd, out ? out_pipe[1] : null_fd, err_fd, notify[1]);
	close_fd(&out_pipe[1]);
	close_fd(&notify[1]);

	for (;;) {
		ssize_t n = read(out_pipe[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf_append(out, chunk, (size_t)n);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			r = -errno;
			buf_printf(errout, "waiting for %s failed: %s", argv[0], strerror(-r));
			goto out;
		}
	}
	if (read(notify[0], &child_errno, sizeof(child_errno)) == (ssize_t)sizeof(child_errno)) {
		r = -child_errno;
		buf_printf(errout, "cannot run %s: %s", argv[0], strerror(child_errno));
		goto out;
	}
	if (lseek(err_fd, 0, SEEK_SET) == 0) {
		ssize_t n;
		while ((n = read(err_fd, chunk, sizeof(chunk))) > 0)
			buf_append(errout, chunk, (size_t)n);
	}
	r = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	close_fd(&out_pipe[0]);
	close_fd(&out_pipe[1]);
	close_fd(&notify[0]);
	close_fd(&notify[1]);
	close_fd(&null_fd);
	close_fd(&err_fd);
	return r;
}

void spawn_last_line(const char *text, char *out, size_t outlen)
{
	const char *best = NULL;
	size_t best_len = 0;

	for (const char *p = text ? text : ""; *p;) {
		size_t n = strcspn(p, "\n");
		size_t k = n;
		while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\r'))
			k--;
		if (k > 0) {
			best = p;
			best_len = k;
		}
		p += n;
		if (*p)
			p++;
	}
	snprintf(out, outlen, "%.*s", (int)best_len, best ? best : "");
}
