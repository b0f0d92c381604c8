/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_RUN_H
#define XSRAID_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/**
 * The only place in xsraid that starts other programs.
 *
 * Commands are argv arrays executed with fork + execve: never a shell, never
 * system() or popen().  The argv and environment are built before fork(), so
 * the child only calls chroot/chdir/dup2/execve/_exit.  If execve() fails the
 * child reports errno back through a close-on-exec pipe, so the caller can say
 * "cannot run '/sbin/mdadm': No such file or directory" instead of seeing a
 * mysterious exit status 127.
 *
 * Every command is logged, shell-quoted, before it runs.
 */
struct run_cmd {
	/* argv[0] must be an absolute path; there is no PATH search. */
	const char *const *argv;
	/* chroot(2) into this directory before exec (argv[0] is then inside it); or NULL. */
	const char *root;
	/* Bytes fed to the command's stdin (NULL: /dev/null). */
	const char *stdin_data;
	size_t stdin_len;
	/* When set, stdout is captured here instead of going to xsraid's stderr. */
	struct buf *capture_out;
	/* Kill the command (SIGKILL) after this many seconds; 0 = no limit. */
	unsigned timeout_sec;
	/* Do not log the command line at info level (for frequent probes). */
	bool quiet;
};

#define RUN_CMD_INIT                                                                               \
	{                                                                                          \
		NULL, NULL, NULL, 0, NULL, 0, false                                                \
	}

/*
 * Runs @cmd and waits for it.  Returns its exit status (0..255), 128 + signal
 * number if it was killed, or a negative errno when it could not be started
 * (-ETIMEDOUT when it was killed by the timeout).
 */
int run_command(const struct run_cmd *cmd);

/* Convenience: run @argv and return 0 on exit status 0, otherwise log and return -EIO. */
int run_argv_checked(const char *const *argv, const char *root);

/*
 * The environment every command gets: a fixed PATH and LC_ALL=C, so that
 * output xsraid parses is not translated and nothing is found through an
 * unexpected PATH.
 */
extern const char *const run_environment[];

#endif
