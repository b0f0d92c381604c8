/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_REMASTER_SPAWN_H
#define XSRAID_REMASTER_SPAWN_H

#include "util.h"

/**
 * Runs the host tools the remaster needs (xorriso) with fork + execve:
 * an argv array, never a shell, a fixed environment, stdin from /dev/null.
 * stdout is captured for parsing and stderr is kept to quote in a one-line
 * error, instead of reaching the terminal.
 */

/*
 * The absolute path of @name found in $PATH (or /usr/bin:/bin), or NULL;
 * the caller frees it.
 */
char *spawn_find(const char *name);

/*
 * Runs @argv (argv[0] an absolute path) with @envp, stdout appended to @out
 * (NULL: discarded) and stderr to @errout.  Returns the exit status (0..255),
 * 128 + the signal that killed it, or a negative errno when it could not be
 * started (with the reason in @errout).
 */
int spawn_capture(const char *const *argv, const char *const *envp, struct buf *out,
		  struct buf *errout);

/* The last non-empty line of @text (a tool's stderr), for a one-line error. */
void spawn_last_line(const char *text, char *out, size_t outlen);

#endif
