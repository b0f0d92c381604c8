/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_TESTLIB_H
#define XSRAID_TESTLIB_H

/*
 * Shared helpers for the cmocka unit tests.  Include after <cmocka.h>'s
 * prerequisites (stdarg.h, stddef.h, stdint.h, setjmp.h).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A fresh directory under $TMPDIR (or /tmp), removed by test_cleanup_tmpdirs(); the caller frees
 * the name. */
char *test_mkdtemp(void);
/* Removes every directory test_mkdtemp() made: a cmocka group teardown. */
int test_cleanup_tmpdirs(void **state);
/* rm -rf, in C. */
void test_rm_rf(const char *path);

/* Absolute path of @rel inside the source tree ($XSRAID_SRCDIR, default "."). */
char *test_src_path(const char *rel);

/*
 * Runs a host tool (argv[0] an absolute path or a name looked up in PATH)
 * with fork/execvp, stdout and stderr discarded unless XSRAID_TEST_VERBOSE
 * is set.  Returns the exit status, or -1 if it could not run.  Only for
 * building fixtures (sgdisk, mkfs): never used by xsraid itself.
 */
int test_run(const char *const argv[]);

/* Like test_run, capturing stdout into a malloc'd string (*out, caller frees). */
int test_run_capture(const char *const argv[], char **out);

/*
 * What this process writes to @stream (stdout or stderr) between
 * test_capture_begin() and test_capture_end(), caught in a temporary file;
 * the end restores the stream and returns the text (malloc'd, never NULL).
 */
struct test_capture {
	FILE *stream, *file;
	int saved;
};
void test_capture_begin(struct test_capture *c, FILE *stream);
char *test_capture_end(struct test_capture *c);

/* The contents of file @rel of the source tree; aborts the test when it cannot be read. */
char *test_src_text(const char *rel);

/*
 * The names, without @suffix, of the files of directory @rel (in the source
 * tree) that end in @suffix, sorted.  Aborts the test when there is none.
 */
struct strv;
void test_list_files(const char *rel, const char *suffix, struct strv *ret);

/* Writes @text to @path, creating parent directories.  Aborts the test on failure. */
void test_write_file(const char *path, const char *text);

/* Reads a whole file into a malloc'd, NUL-terminated string; NULL if missing. */
char *test_read_file(const char *path);

/*
 * A system root made by make-sysroot.sh with the options @opts (a
 * NULL-terminated list, or NULL): two 500 GB sparse images laid out as
 * XenServer 6.0.2's installer leaves them.  The caller frees the path.
 */
char *test_make_sysroot(const char *const *opts);
#define SYSROOT_OPTS(...) ((const char *const[]){__VA_ARGS__, NULL})

/*
 * An HTTP server for PUTs on 127.0.0.1, in a child process (*ret_pid).
 * Each PUT's body is stored in @dir under the last component of its path,
 * and "METHOD PATH Content-Type: TYPE" is appended to @dir/requests; the
 * answer is 201.  A path starting /fail/NNN/ is answered with status NNN
 * and stores nothing.  Returns the port, or -1.
 */
int test_put_server_start(const char *dir, int *ret_pid);
void test_put_server_stop(int pid);

/*
 * Compares @got with installer-hook/tests/golden/@name; on a difference the
 * test fails and NAME.got holds what was produced.  XSRAID_UPDATE_GOLDEN=1
 * in the environment writes the golden file instead.
 */
void test_compare_golden(const char *name, const char *got);

/* True when running as root (some fixtures need mknod/chown). */
bool test_is_root(void);

#endif
