// SPDX-License-Identifier: GPL-2.0-only
/*
 * Throughput of copy_tree() and copy_verify() on a generated tree: many small
 * files (metadata-bound) and a few large ones (bandwidth-bound), about 300 MB
 * in all, the shape of a XenServer dom0 root.  Not a test: it prints figures.
 *
 *	bench_copy [DIR]	work in DIR (default $TMPDIR or /tmp)
 *
 * With BENCH_DROP_CACHES=1 (root only) the page cache is dropped before each
 * phase, so the source is read from the disk as in the installer; otherwise
 * the figures are for a warm cache.  Each tree is also copied with `cp -a`,
 * as a sanity check of the figures.  BENCH_TREE=DIR adds DIR as a third
 * tree (make bench passes the benchmark's dom0).
 */
#ifndef _GNU_SOURCE /* the Makefile defines it; this file needs it anyway */
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "copy.h"
#include "log.h"
#include "util.h"

#define SMALL_FILES 2000u
#define SMALL_DIRS  40u
#define LARGE_FILES 4u
#define LARGE_SIZE  (60u << 20)

static void die(const char *what, const char *path)
{
	fprintf(stderr, "bench_copy: %s '%s': %s\n", what, path, strerror(errno));
	exit(1);
}

static void write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0)
		die("cannot create", path);
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0)
			die("cannot write", path);
		data += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0)
		die("cannot close", path);
}

/* Many small files: bound by metadata operations.  Returns the bytes written. */
static uint64_t make_small_files(const char *root, const char *data)
{
	uint64_t bytes = 0;
	unsigned seed = 12345;

	for (unsigned d = 0; d < SMALL_DIRS; d++) {
		char *dir = xasprintf("%s/dir%02u", root, d);
		if (mkdir(dir, 0755) < 0)
			die("cannot create", dir);
		for (unsigned f = 0; f < SMALL_FILES / SMALL_DIRS; f++) {
			char *path = xasprintf("%s/file%03u", dir, f);
			/* 1 to 64 KiB, like the configuration files and libraries of a root
			 * filesystem */
			size_t len = 1024 + (size_t)(rand_r(&seed) % (63 * 1024));
			write_file(path, data + f * 97, len);
			bytes += len;
			free(path);
		}
		free(dir);
	}
	return bytes;
}

/* A few large files: bound by bandwidth. */
static uint64_t make_large_files(const char *root, const char *data)
{
	for (unsigned i = 0; i < LARGE_FILES; i++) {
		char *path = xasprintf("%s/large%u", root, i);
		write_file(path, data, LARGE_SIZE);
		free(path);
	}
	return (uint64_t)LARGE_FILES * LARGE_SIZE;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool cold(void)
{
	const char *v = getenv("BENCH_DROP_CACHES");

	return v && strcmp(v, "1") == 0;
}

static void drop_caches(void)
{
	int fd;

	sync();
	if (!cold())
		return;
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "3\n", 2) != 2)
		die("cannot drop caches via", "/proc/sys/vm/drop_caches");
	close(fd);
}

static void report(const char *tree, const char *what, double seconds, const struct copy_stats *s)
{
	printf("%-6s %-12s %7.2f s %8.1f MB/s %8.0f files/s\n", tree, what, seconds,
	       (double)s->bytes / 1e6 / seconds, (double)(s->files + s->dirs) / seconds);
}

/* `cp -a SRC/. DST`, synced as copy_tree()'s copy is; returns the seconds, or -1. */
static double cp_a(const char *src, const char *dst)
{
	char *from = xasprintf("%s/.", src);
	char *to = xasprintf("%s", dst);
	int status;
	double t0 = now();
	pid_t pid = fork();

	if (pid < 0)
		die("cannot start cp for", src);
	if (pid == 0) {
		char cp[] = "cp", flag[] = "-a";
		char *argv[] = {cp, flag, from, to, NULL};
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("cannot wait for cp of", src);
	sync();
	free(from);
	free(to);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return now() - t0;
}

/* Copies @src to @work/dst/@name and verifies it, timing both; then to
 * @work/dst/@name-cp with cp -a. */
static int bench(const char *work, const char *src, const char *name)
{
	char *dst = xasprintf("%s/dst/%s", work, name);
	char *dst_cp = xasprintf("%s/dst/%s-cp", work, name);
	struct copy_stats cs, vs;
	double t0, t1, t2;
	int r;

	if (mkdir(dst, 0755) < 0)
		die("cannot create", dst);
	drop_caches();
	t0 = now();
	r = copy_tree(src, dst, NULL, &cs);
	/* As the installer does: the copy is on the disk before it is verified. */
	drop_caches();
	t1 = now();
	if (r == 0)
		r = copy_verify(src, dst, NULL, &vs);
	t2 = now();
	if (r == 0) {
		report(name, "copy_tree", t1 - t0, &cs);
		report(name, "copy_verify", t2 - t1, &vs);
		if (mkdir(dst_cp, 0755) < 0)
			die("cannot create", dst_cp);
		drop_caches();
		double tcp = cp_a(src, dst_cp);
		if (tcp < 0)
			die("cp -a failed for", src);
		report(name, "cp -a", tcp, &cs);
	}
	free(dst_cp);
	free(dst);
	return r;
}

int main(int argc, char **argv)
{
	const char *base = argc > 1 ? argv[1] : getenv("TMPDIR");
	char *work, *data;
	uint64_t bytes;
	int r;

	if (!base || !*base)
		base = "/tmp";
	work = xasprintf("%s/bench-copy-XXXXXX", base);
	if (!mkdtemp(work))
		die("cannot create", work);
	char *dirs[] = {xasprintf("%s/src", work), xasprintf("%s/dst", work),
			xasprintf("%s/src/small", work), xasprintf("%s/src/large", work)};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (mkdir(dirs[i], 0755) < 0)
			die("cannot create", dirs[i]);
	}

	data = xmalloc(LARGE_SIZE);
	for (size_t i = 0; i < LARGE_SIZE; i++)
		data[i] = (char)((i * 2654435761u) >> 13);
	bytes = make_small_files(dirs[2], data);
	bytes += make_large_files(dirs[3], data);
	free(data);
	printf("trees: small (%u files in %u directories), large (%u x %u MiB); %.0f MB in %s; %s page cache\n",
	       SMALL_FILES, SMALL_DIRS, LARGE_FILES, LARGE_SIZE >> 20, (double)bytes / 1e6, work,
	       cold() ? "cold" : "warm");

	log_set_level(LOG_WARN);
	r = bench(work, dirs[2], "small");
	if (r == 0)
		r = bench(work, dirs[3], "large");
	const char *tree = getenv("BENCH_TREE");
	if (r == 0 && tree && *tree) {
		printf("tree dom0: %s\n", tree);
		r = bench(work, tree, "dom0");
	}
	printf("(copy_tree and cp -a include syncing the copy; files/s counts files and "
	       "directories; MB/s the files' apparent size)\n");

	nftw(work, rm_one, 32, FTW_DEPTH | FTW_PHYS);
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		free(dirs[i]);
	free(work);
	return r < 0;
}
