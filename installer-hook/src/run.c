// SPDX-License-Identifier: GPL-2.0-only
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

const char *const run_environment[] = {
	"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
	"LC_ALL=C",
	"HOME=/",
	NULL,
};

/* Descriptors above this are not closed in the child: nothing here opens so many. */
#define CHILD_FD_LIMIT 1024

/* Child side: only async-signal-safe calls from here on. */
static void __attribute__((noreturn))
child_exec(const struct run_cmd *cmd, int in_fd, int out_fd, int err_pipe)
{
	sigset_t none;
	int err;

	/* Its own process group, so a timeout kills whatever it started too. */
	setpgid(0, 0);
	if (cmd->root && (chroot(cmd->root) < 0 || chdir("/") < 0))
		goto fail;
	if (dup2(in_fd, STDIN_FILENO) < 0)
		goto fail;
	if (dup2(out_fd, STDOUT_FILENO) < 0)
		goto fail;
	/* Nothing of the installer's is the command's business: no other open files... */
	for (int fd = STDERR_FILENO + 1; fd < CHILD_FD_LIMIT; fd++)
		if (fd != err_pipe)
			close(fd);
	/* ...and the default signal dispositions, none blocked. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(cmd->argv[0], (char *const *)cmd->argv, (char *const *)run_environment);
fail:
	err = errno;
	if (write(err_pipe, &err, sizeof(err)) < 0) {
		/* nothing more we can do */
	}
	_exit(127);
}

static int pipe_cloexec(int fds[2])
{
	if (pipe(fds) < 0)
		return -errno;
	for (int i = 0; i < 2; i++) {
		if (fcntl(fds[i], F_SETFD, FD_CLOEXEC) < 0) {
			int r = -errno;
			close(fds[0]);
			close(fds[1]);
			return r;
		}
	}
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Kills the command and everything it started, and reaps it. */
static void kill_group(pid_t pid, int *ret_status)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, ret_status, 0) < 0 && errno == EINTR)
		;
}

/*
 * Feeds stdin, collects stdout, enforces the timeout and reaps @pid into
 * @ret_status.  Returns 0, -ETIMEDOUT after killing (and reaping) @pid, or
 * -errno.
 */
static int pump(pid_t pid, const struct run_cmd *cmd, int *in_w, int *out_r, int *ret_status)
{
	size_t fed = 0;
	int64_t deadline = cmd->timeout_sec ? now_ms() + (int64_t)cmd->timeout_sec * 1000 : 0;

	while (*in_w >= 0 || *out_r >= 0) {
		struct pollfd p[2];
		nfds_t n = 0;
		int timeout = -1;

		if (*in_w >= 0)
			p[n++] = (struct pollfd){.fd = *in_w, .events = POLLOUT};
		if (*out_r >= 0)
			p[n++] = (struct pollfd){.fd = *out_r, .events = POLLIN};
		if (deadline) {
			int64_t left = deadline - now_ms();
			if (left <= 0)
				goto timeout;
			timeout = left > 1000 ? 1000 : (int)left;
		}
		int r = poll(p, n, timeout);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			kill_group(pid, ret_status);
			return r;
		}
		for (nfds_t i = 0; i < n; i++) {
			if (!p[i].revents)
				continue;
			if (p[i].fd == *in_w) {
				ssize_t w =
					write(*in_w, cmd->stdin_data + fed, cmd->stdin_len - fed);
				if (w < 0 && errno != EINTR && errno != EAGAIN)
					close_fd(in_w);
				else if (w > 0 && (fed += (size_t)w) == cmd->stdin_len)
					close_fd(in_w);
			} else {
				char chunk[4096];
				ssize_t got = read(*out_r, chunk, sizeof(chunk));
				if (got > 0)
					buf_append(cmd->capture_out, chunk, (size_t)got);
				else if (got == 0 || (errno != EINTR && errno != EAGAIN))
					close_fd(out_r);
			}
		}
	}
	/* Output is done; wait for the exit, still honouring the deadline. */
	for (;;) {
		pid_t w = waitpid(pid, ret_status, deadline ? WNOHANG : 0);
		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR) {
			int r = -errno;
			kill_group(pid, ret_status);
			return r;
		}
		if (deadline && now_ms() >= deadline)
			goto timeout;
		if (deadline) {
			struct timespec ts = {0, 50 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
timeout:
	kill_group(pid, ret_status);
	return -ETIMEDOUT;
}

int run_command(const struct run_cmd *cmd)
{
	int err_pipe[2] = {-1, -1}, in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1};
	int null_fd = -1, r, status = 0, child_errno = 0;
	struct buf line = BUF_INIT;
	pid_t pid;

	if (!cmd->argv || !cmd->argv[0] || cmd->argv[0][0] != '/')
		return log_error(-EINVAL, "internal: command without an absolute path");

	if (cmd->root)
		buf_printf(&line, "(chroot %s) ", cmd->root);
	shell_quote_argv(&line, cmd->argv);
	if (cmd->quiet)
		log_debug("run: %s", line.data);
	else
		log_info("run: %s", line.data);

	r = pipe_cloexec(err_pipe);
	if (r < 0)
		goto out;
	if (cmd->stdin_data) {
		r = pipe_cloexec(in_pipe);
		if (r < 0)
			goto out;
	} else {
		null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null_fd < 0) {
			r = -errno;
			goto out;
		}
	}
	if (cmd->capture_out) {
		r = pipe_cloexec(out_pipe);
		if (r < 0)
			goto out;
	}

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto out;
	}
	if (pid == 0)
		child_exec(cmd, cmd->stdin_data ? in_pipe[0] : null_fd,
			   cmd->capture_out ? out_pipe[1] : STDERR_FILENO, err_pipe[1]);
	/* Also from this side: a timeout may come before the child ran setpgid(). */
	setpgid(pid, pid);

	close_fd(&err_pipe[1]);
	close_fd(&in_pipe[0]);
	close_fd(&out_pipe[1]);
	if (cmd->stdin_data && cmd->stdin_len == 0)
		close_fd(&in_pipe[1]);

	/* The child's SIGPIPE is its own; ours must not kill xsraid if it exits early. */
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigaction(SIGPIPE, &ign, &old);
	r = pump(pid, cmd, &in_pipe[1], &out_pipe[0], &status);
	sigaction(SIGPIPE, &old, NULL);

	if (read(err_pipe[0], &child_errno, sizeof(child_errno)) == (ssize_t)sizeof(child_errno)) {
		r = log_errno(-child_errno, "cannot run '%s'", cmd->argv[0]);
		goto out;
	}
	if (r == -ETIMEDOUT) {
		log_error(r, "'%s' did not finish within %u s and was killed", cmd->argv[0],
			  cmd->timeout_sec);
		goto out;
	}
	if (r < 0) {
		log_errno(r, "waiting for '%s' failed", cmd->argv[0]);
		goto out;
	}
	if (WIFEXITED(status))
		r = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r = 128 + WTERMSIG(status);
	else
		r = -EIO;
out:
	close_fd(&err_pipe[0]);
	close_fd(&err_pipe[1]);
	close_fd(&in_pipe[0]);
	close_fd(&in_pipe[1]);
	close_fd(&out_pipe[0]);
	close_fd(&out_pipe[1]);
	close_fd(&null_fd);
	buf_free(&line);
	return r;
}

int run_argv_checked(const char *const *argv, const char *root)
{
	struct run_cmd cmd = RUN_CMD_INIT;
	int r;

	cmd.argv = argv;
	cmd.root = root;
	r = run_command(&cmd);
	if (r < 0)
		return r;
	if (r != 0)
		return log_error(-EIO, "'%s' failed with exit status %d", argv[0], r);
	return 0;
}
