// SPDX-License-Identifier: GPL-2.0-only
/*
 * 64-bit offsets for glibc on i386, so files over 2 GiB are copied (musl has
 * them always).  Safe here: nothing in copy.h uses off_t or struct stat.
 */
#define _FILE_OFFSET_BITS 64
#ifndef _GNU_SOURCE /* the Makefile defines it; this file needs it anyway */
#define _GNU_SOURCE
#endif
#include "copy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#ifndef SEEK_DATA
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif

/* Per-call costs vanish next to the disk's; small enough for the installer's RAM. */
#define COPY_BUFSIZE (1u << 20)
/* Unit of the all-zero test: ext3's block size, so a skipped block is one it need not allocate. */
#define ZERO_BLOCK 4096u
/* Beyond this many, differences are counted, not listed: the first few say what went wrong. */
#define MAX_LOGGED_DIFFERENCES 10

/* --- (dev, ino) map, for hard links ---------------------------------------------------------- */

struct inode_entry {
	uint64_t dev, ino;
	/* verify: the inode that this one corresponds to on the other side */
	uint64_t other_dev, other_ino;
	/* path of the first name seen, relative to the root */
	char *path;
	bool used;
};

/* Open addressing with linear probing; @cap is 0 or a power of two, at most half full. */
struct inode_map {
	struct inode_entry *slots;
	size_t used, cap;
};

static size_t inode_hash(uint64_t dev, uint64_t ino, size_t cap)
{
	uint64_t h = (ino ^ (dev << 32 | dev >> 32)) * UINT64_C(0x9e3779b97f4a7c15);

	return (size_t)(h >> 32) & (cap - 1);
}

static struct inode_entry *inode_map_slot(const struct inode_map *m, uint64_t dev, uint64_t ino)
{
	size_t i = inode_hash(dev, ino, m->cap);

	while (m->slots[i].used && (m->slots[i].dev != dev || m->slots[i].ino != ino))
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

static struct inode_entry *inode_map_find(const struct inode_map *m, uint64_t dev, uint64_t ino)
{
	struct inode_entry *e;

	if (!m->cap)
		return NULL;
	e = inode_map_slot(m, dev, ino);
	return e->used ? e : NULL;
}

static void inode_map_grow(struct inode_map *m)
{
	struct inode_map bigger = {NULL, m->used, m->cap ? m->cap * 2 : 256};

	bigger.slots = xcalloc(bigger.cap, sizeof(*bigger.slots));
	for (size_t i = 0; i < m->cap; i++) {
		const struct inode_entry *e = &m->slots[i];
		if (e->used)
			*inode_map_slot(&bigger, e->dev, e->ino) = *e;
	}
	free(m->slots);
	*m = bigger;
}

/* Adds (@dev, @ino), which must not be in @m yet.  The entry is valid until the next add. */
static struct inode_entry *inode_map_add(struct inode_map *m, uint64_t dev, uint64_t ino)
{
	struct inode_entry *e;

	if ((m->used + 1) * 2 > m->cap)
		inode_map_grow(m);
	e = inode_map_slot(m, dev, ino);
	e->used = true;
	e->dev = dev;
	e->ino = ino;
	m->used++;
	return e;
}

static void inode_map_free(struct inode_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].path);
	free(m->slots);
	m->slots = NULL;
	m->used = m->cap = 0;
}

/* --- the walk: one entry at a time, with its path on both sides ------------------------------ */

enum xattr_mode {
	XATTRS_NONE, /* leave them alone */
	XATTRS_ADD,  /* set the source's on a new entry */
	XATTRS_SYNC, /* ... and remove others from an entry that existed before */
};

struct walk {
	const struct copy_options *opts;
	/* "<root>/<relative path>" of the current entry on each side (roots without a final '/') */
	struct buf src, dst;
	size_t src_root_len, dst_root_len;
	/* the filesystems of the roots: the walk does not leave them */
	uint64_t src_dev, dst_dev;
	/* copy: the destination root's inode, which the source walk must not enter */
	uint64_t dst_root_ino;
	/* copy: where relative paths of first names (for link()) start */
	int dst_root_fd;
	char *buf, *buf2;
	/* copy: source inode -> path of its first copy; verify: source inode -> copy's inode */
	struct inode_map links;
	/* verify: copy's inode -> source inode */
	struct inode_map dst_links;
	struct copy_stats stats;
	uint64_t removed;
	uint64_t done, total;
	uint64_t differences;
	bool scan_for_holes;
	bool updating;
	/* count differences without logging them (the update's quick check) */
	bool quiet;
};

static const struct copy_options no_options;

static void walk_set_root(struct buf *b, size_t *ret_len, const char *root)
{
	size_t len = strlen(root);

	/* "/" becomes "", so that entries are "/etc", not "//etc". */
	while (len > 0 && root[len - 1] == '/')
		len--;
	buf_append(b, root, len);
	*ret_len = len;
}

static void walk_init(struct walk *w, const char *src, const char *dst,
		      const struct copy_options *opts)
{
	*w = (struct walk){.opts = opts ? opts : &no_options, .dst_root_fd = -1};
	walk_set_root(&w->src, &w->src_root_len, src);
	walk_set_root(&w->dst, &w->dst_root_len, dst);
	w->scan_for_holes = w->opts->scan_for_holes;
	w->buf = xmalloc(COPY_BUFSIZE);
}

static void walk_free(struct walk *w)
{
	buf_free(&w->src);
	buf_free(&w->dst);
	free(w->buf);
	free(w->buf2);
	inode_map_free(&w->links);
	inode_map_free(&w->dst_links);
}

/* @name may hold slashes (the update's subtree). */
static void walk_push(struct walk *w, const char *name)
{
	buf_putc(&w->src, '/');
	buf_puts(&w->src, name);
	buf_putc(&w->dst, '/');
	buf_puts(&w->dst, name);
}

static void walk_pop(struct walk *w, const char *name)
{
	size_t n = strlen(name) + 1;

	w->src.len -= n;
	w->src.data[w->src.len] = '\0';
	w->dst.len -= n;
	w->dst.data[w->dst.len] = '\0';
}

/* Path of the current entry relative to the root: "" for the root itself. */
static const char *walk_rel(const struct walk *w)
{
	return w->src.len > w->src_root_len ? w->src.data + w->src_root_len + 1 : "";
}

static const char *walk_src_path(const struct walk *w)
{
	return w->src.len ? w->src.data : "/";
}

static const char *walk_dst_path(const struct walk *w)
{
	return w->dst.len ? w->dst.data : "/";
}

/* Exclude entries match whole relative paths; a leading or trailing '/' is forgiven. */
static bool walk_excluded(const struct walk *w)
{
	const char *rel = walk_rel(w);
	size_t rel_len = strlen(rel);

	for (const char *const *p = w->opts->exclude; p && *p; p++) {
		const char *pat = *p;
		size_t n;

		while (*pat == '/')
			pat++;
		n = strlen(pat);
		while (n > 0 && pat[n - 1] == '/')
			n--;
		if (n > 0 && n == rel_len && memcmp(rel, pat, n) == 0)
			return true;
	}
	return false;
}

static void walk_progress(const struct walk *w)
{
	if (w->opts->progress)
		w->opts->progress(w->done, w->total, w->opts->userdata);
}

static void difference(struct walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void difference(struct walk *w, const char *fmt, ...)
{
	char what[1024];
	va_list ap;

	w->differences++;
	if (w->quiet || w->differences > MAX_LOGGED_DIFFERENCES)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_msg(LOG_ERR, "'/%s': %s", walk_rel(w), what);
}

/* --- small I/O helpers ------------------------------------------------------------------------ */

/* O_NOATIME keeps reading from changing atimes; only the owner (or root) may use it. */
static int open_nofollow(int dirfd, const char *name, int flags)
{
	int fd = openat(dirfd, name, flags | O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);

	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, name, flags | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static void close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in directory @fd but "." and "..", sorted: both sides of a verify line up. */
static int list_dir(int fd, struct strv *ret)
{
	struct strv names = STRV_INIT;
	int dfd, r = 0;
	DIR *d;

	/* A fresh open, not dup(): the stream must start at the beginning. */
	dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		r = -errno;
		close(dfd);
		return r;
	}
	for (;;) {
		errno = 0;
		const struct dirent *de = readdir(d);
		if (!de) {
			r = -errno;
			break;
		}
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			strv_push(&names, de->d_name);
	}
	closedir(d);
	if (r < 0) {
		strv_free(&names);
		return r;
	}
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), compare_names);
	*ret = names;
	return 0;
}

static bool strv_sorted_contains(const struct strv *sv, const char *s)
{
	return sv->n && bsearch(&s, sv->v, sv->n, sizeof(*sv->v), compare_names);
}

static bool is_empty_dir(int dirfd, const char *name)
{
	struct strv names = STRV_INIT;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	bool empty = fd >= 0 && list_dir(fd, &names) == 0 && names.n == 0;

	strv_free(&names);
	close_fd(fd);
	return empty;
}

static int read_link(int dirfd, const char *name, const struct stat *st, char **ret)
{
	size_t size = st->st_size > 0 ? (size_t)st->st_size + 1 : 256;

	for (;;) {
		char *target = xmalloc(size);
		ssize_t n = readlinkat(dirfd, name, target, size);
		if (n < 0) {
			int r = -errno;
			free(target);
			return r;
		}
		if ((size_t)n < size) {
			target[n] = '\0';
			*ret = target;
			return 0;
		}
		free(target);
		size *= 2;
	}
}

static bool same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static const char *type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "regular file";
	case S_IFDIR:
		return "directory";
	case S_IFLNK:
		return "symlink";
	case S_IFCHR:
		return "character device";
	case S_IFBLK:
		return "block device";
	case S_IFIFO:
		return "FIFO";
	case S_IFSOCK:
		return "socket";
	default:
		return "file of unknown type";
	}
}

/* --- extended attributes ---------------------------------------------------------------------- */

/*
 * Path-based (l*xattr) for every type, because symlinks and device nodes
 * cannot be opened safely; the full path of an entry fits in PATH_MAX on
 * any root filesystem.
 */

/* Names of @path's extended attributes, sorted.  None when the filesystem has no xattr support. */
static int xattr_list(const char *path, struct strv *ret)
{
	struct strv names = STRV_INIT;
	char *list = NULL;
	ssize_t n;

	for (;;) {
		n = llistxattr(path, NULL, 0);
		if (n <= 0)
			break;
		list = xrealloc(list, (size_t)n);
		n = llistxattr(path, list, (size_t)n);
		/* ERANGE: the list grew between the two calls */
		if (n >= 0 || errno != ERANGE)
			break;
	}
	if (n < 0 && errno != ENOTSUP) {
		int r = -errno;
		free(list);
		return r;
	}
	for (ssize_t i = 0; i < n;) {
		size_t len = strnlen(list + i, (size_t)(n - i));
		if (len > 0) {
			char *name = xstrndup(list + i, len);
			strv_push(&names, name);
			free(name);
		}
		i += (ssize_t)len + 1;
	}
	free(list);
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), compare_names);
	*ret = names;
	return 0;
}

/* Value of xattr @name of @path in *ret (malloc'd) and *ret_len; -ENODATA if it has none. */
static int xattr_get(const char *path, const char *name, char **ret, size_t *ret_len)
{
	for (;;) {
		ssize_t n = lgetxattr(path, name, NULL, 0);
		if (n < 0)
			return -errno;
		char *value = xmalloc((size_t)n);
		ssize_t m = lgetxattr(path, name, value, (size_t)n);
		if (m >= 0) {
			*ret = value;
			*ret_len = (size_t)m;
			return 0;
		}
		int r = -errno;
		free(value);
		if (r != -ERANGE)
			return r;
	}
}

static int xattr_set_failed(int r, const char *name, const char *path)
{
	if (r == -ENOTSUP)
		return log_errno(
			r,
			"cannot copy extended attribute '%s' to '%s': the target filesystem cannot store it (mounted without user_xattr or acl?)",
			name, path);
	return log_errno(r, "cannot set extended attribute '%s' of '%s'", name, path);
}

/* Removes from @path the xattrs not named in the sorted @keep. */
static int remove_other_xattrs(const char *path, const struct strv *keep)
{
	struct strv names = STRV_INIT;
	int r = xattr_list(path, &names);

	if (r < 0)
		return log_errno(r, "cannot list extended attributes of '%s'", path);
	strv_foreach(n, &names) {
		if (strv_sorted_contains(keep, *n))
			continue;
		if (lremovexattr(path, *n) < 0 && errno != ENODATA) {
			r = log_errno(-errno, "cannot remove extended attribute '%s' of '%s'", *n,
				      path);
			break;
		}
	}
	strv_free(&names);
	return r;
}

static int copy_xattrs(struct walk *w, enum xattr_mode mode)
{
	const char *src = walk_src_path(w), *dst = walk_dst_path(w);
	struct strv names = STRV_INIT;
	char *value = NULL;
	size_t len;
	int r;

	if (mode == XATTRS_NONE)
		return 0;
	r = xattr_list(src, &names);
	if (r < 0)
		return log_errno(r, "cannot list extended attributes of '%s'", src);
	strv_foreach(n, &names) {
		r = xattr_get(src, *n, &value, &len);
		if (r == -ENODATA) { /* removed since it was listed */
			r = 0;
			continue;
		}
		if (r < 0) {
			log_errno(r, "cannot read extended attribute '%s' of '%s'", *n, src);
			break;
		}
		if (lsetxattr(dst, *n, value, len, 0) < 0) {
			r = xattr_set_failed(-errno, *n, dst);
			break;
		}
		free(value);
		value = NULL;
		w->stats.xattrs++;
	}
	if (r == 0 && mode == XATTRS_SYNC)
		r = remove_other_xattrs(dst, &names);
	free(value);
	strv_free(&names);
	return r;
}

/* --- metadata --------------------------------------------------------------------------------- */

/*
 * Gives the destination entry the source's metadata.  @fd is the open
 * destination, or -1 to act on @name in @dirfd (symlinks, special files).
 * Order matters: chown clears setuid/setgid and security.capability, so the
 * xattrs and the mode come after the owner; the times come last, after
 * everything that could change them.
 */
static int apply_metadata(struct walk *w, int fd, int dirfd, const char *name,
			  const struct stat *st, enum xattr_mode xattrs)
{
	const struct timespec times[2] = {st->st_atim, st->st_mtim};
	mode_t mode = st->st_mode & 07777;
	const char *path = walk_dst_path(w);
	int r;

	r = fd >= 0 ? fchown(fd, st->st_uid, st->st_gid)
		    : fchownat(dirfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW);
	if (r < 0)
		return log_errno(-errno, "cannot set owner of '%s' to %u:%u", path,
				 (unsigned)st->st_uid, (unsigned)st->st_gid);
	r = copy_xattrs(w, xattrs);
	if (r < 0)
		return r;
	/* A symlink has no mode of its own: chmod would follow it. */
	if (!S_ISLNK(st->st_mode)) {
		r = fd >= 0 ? fchmod(fd, mode) : fchmodat(dirfd, name, mode, 0);
		if (r < 0)
			return log_errno(-errno, "cannot set mode of '%s' to %04o", path,
					 (unsigned)mode);
	}
	r = fd >= 0 ? futimens(fd, times) : utimensat(dirfd, name, times, AT_SYMLINK_NOFOLLOW);
	if (r < 0)
		return log_errno(-errno, "cannot set times of '%s'", path);
	return 0;
}

/* --- copying file contents -------------------------------------------------------------------- */

static bool is_zero(const char *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/* Writes @data to @fd at @off, leaving out whole all-zero blocks (which then stay holes). */
static int write_nonzero_blocks(int fd, const char *data, size_t len, uint64_t off)
{
	size_t i = 0;

	while (i < len) {
		size_t n = len - i < ZERO_BLOCK ? len - i : ZERO_BLOCK;
		if (is_zero(data + i, n)) {
			i += n;
			continue;
		}
		size_t start = i;
		do {
			i += n;
			n = len - i < ZERO_BLOCK ? len - i : ZERO_BLOCK;
		} while (i < len && !is_zero(data + i, n));
		int r = pwrite_all(fd, data + start, i - start, off + start);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Copies bytes [@off, @end) of @in to the same offsets in @out. */
static int copy_range(struct walk *w, int in, int out, uint64_t off, uint64_t end, bool skip_zeroes)
{
	while (off < end) {
		size_t want = end - off < COPY_BUFSIZE ? (size_t)(end - off) : COPY_BUFSIZE;
		ssize_t got = pread_full(in, w->buf, want, off);
		int r;

		if (got < 0)
			return log_errno((int)got, "cannot read '%s'", w->src.data);
		if ((size_t)got < want)
			return log_error(-EIO, "cannot copy '%s': it shrank while being copied",
					 w->src.data);
		if (skip_zeroes)
			r = write_nonzero_blocks(out, w->buf, want, off);
		else
			r = pwrite_all(out, w->buf, want, off);
		if (r < 0)
			return log_errno(r, "cannot write '%s'", w->dst.data);
		off += want;
		w->done += want;
		walk_progress(w);
	}
	return 0;
}

/*
 * Copies the data extents the filesystem reports and skips its holes.
 * Returns 1 when the kernel cannot tell: before Linux 3.1, lseek() rejects
 * SEEK_DATA with EINVAL.
 */
static int copy_data_extents(struct walk *w, int in, int out, uint64_t size)
{
	uint64_t off = 0;

	while (off < size) {
		off_t data = lseek(in, (off_t)off, SEEK_DATA);
		if (data < 0 && errno == ENXIO)
			break; /* a hole up to the end */
		if (data < 0 && off == 0 && (errno == EINVAL || errno == ENOTSUP))
			return 1;
		if (data < 0)
			return log_errno(-errno, "cannot find data in '%s'", w->src.data);
		if ((uint64_t)data >= size)
			break;
		off_t hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0)
			return log_errno(-errno, "cannot find holes in '%s'", w->src.data);
		uint64_t end = (uint64_t)hole < size ? (uint64_t)hole : size;
		w->done += (uint64_t)data - off;
		int r = copy_range(w, in, out, (uint64_t)data, end, /* skip_zeroes= */ false);
		if (r < 0)
			return r;
		off = end;
	}
	return 0;
}

/*
 * Only files with holes are copied sparsely: a file whose blocks cover its
 * size (a swap file, say) must stay allocated even where it holds zeros.
 */
static int copy_file_data(struct walk *w, int in, int out, const struct stat *st)
{
	uint64_t size = (uint64_t)st->st_size, start = w->done;
	bool has_holes = (uint64_t)st->st_blocks * 512 < size;
	int r = 1; /* not copied yet */

	if (has_holes && !w->scan_for_holes) {
		r = copy_data_extents(w, in, out, size);
		if (r == 1) {
			log_debug("lseek() has no SEEK_DATA here: finding holes by their zeroes");
			w->scan_for_holes = true;
			w->done = start;
		}
	}
	if (r == 1)
		r = copy_range(w, in, out, 0, size, /* skip_zeroes= */ has_holes);
	/* Sets the size when the file ends in a hole. */
	if (r == 0 && ftruncate(out, st->st_size) < 0)
		r = log_errno(-errno, "cannot set size of '%s'", w->dst.data);
	w->done = start + size;
	walk_progress(w);
	return r;
}

/* --- copying entries -------------------------------------------------------------------------- */

static int copy_dir_contents(struct walk *w, int sfd, int dfd);
static int sync_dir_contents(struct walk *w, int sfd, int dfd);

static int copy_regular(struct walk *w, int sdir, int ddir, const char *name, const struct stat *st)
{
	int in = -1, out = -1, r;
	struct stat st_in;

	in = open_nofollow(sdir, name, 0);
	if (in < 0)
		return log_errno(in, "cannot open '%s'", w->src.data);
	if (fstat(in, &st_in) < 0) {
		r = log_errno(-errno, "cannot stat '%s'", w->src.data);
		goto out;
	}
	if (!same_inode(st, &st_in)) {
		r = log_error(-EAGAIN, "cannot copy '%s': it changed while being copied",
			      w->src.data);
		goto out;
	}
	/* 0600 until complete: the real mode (maybe setuid) only after chown. */
	out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		r = log_errno(-errno, "cannot create '%s'", w->dst.data);
		goto out;
	}
	r = copy_file_data(w, in, out, st);
	if (r == 0)
		r = apply_metadata(w, out, -1, NULL, st, XATTRS_ADD);
out:
	close_fd(out);
	close_fd(in);
	return r;
}

static int copy_symlink(struct walk *w, int sdir, int ddir, const char *name, const struct stat *st)
{
	char *target = NULL;
	int r = read_link(sdir, name, st, &target);

	if (r < 0)
		return log_errno(r, "cannot read symlink '%s'", w->src.data);
	if (symlinkat(target, ddir, name) < 0)
		r = log_errno(-errno, "cannot create symlink '%s'", w->dst.data);
	else
		r = apply_metadata(w, -1, ddir, name, st, XATTRS_ADD);
	free(target);
	return r;
}

/* Devices, FIFOs and sockets: mknod makes them all. */
static int copy_special(struct walk *w, int ddir, const char *name, const struct stat *st)
{
	if (mknodat(ddir, name, (st->st_mode & S_IFMT) | 0600, st->st_rdev) < 0)
		return log_errno(-errno, "cannot create %s '%s'", type_name(st->st_mode),
				 w->dst.data);
	return apply_metadata(w, -1, ddir, name, st, XATTRS_ADD);
}

static int copy_hard_link(struct walk *w, int ddir, const char *name, const char *first)
{
	if (linkat(w->dst_root_fd, first, ddir, name, 0) < 0)
		return log_errno(-errno, "cannot link '%s' to '%.*s/%s'", w->dst.data,
				 (int)w->dst_root_len, w->dst.data, first);
	w->stats.hardlinks++;
	return 0;
}

static int copy_nondir(struct walk *w, int sdir, int ddir, const char *name, const struct stat *st)
{
	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		w->stats.files++;
		w->stats.bytes += (uint64_t)st->st_size;
		return copy_regular(w, sdir, ddir, name, st);
	case S_IFLNK:
		w->stats.symlinks++;
		return copy_symlink(w, sdir, ddir, name, st);
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		w->stats.specials++;
		return copy_special(w, ddir, name, st);
	default:
		return log_error(-EINVAL, "cannot copy '%s': unknown file type %07o", w->src.data,
				 (unsigned)st->st_mode);
	}
}

/* The first name of an inode is copied, later ones are linked to it. */
static int copy_linked_nondir(struct walk *w, int sdir, int ddir, const char *name,
			      const struct stat *st)
{
	const struct inode_entry *e = NULL;
	int r;

	if (st->st_nlink > 1)
		e = inode_map_find(&w->links, st->st_dev, st->st_ino);
	if (e)
		return copy_hard_link(w, ddir, name, e->path);
	r = copy_nondir(w, sdir, ddir, name, st);
	if (r == 0 && st->st_nlink > 1)
		inode_map_add(&w->links, st->st_dev, st->st_ino)->path = xstrdup(walk_rel(w));
	return r;
}

/*
 * mkfs's lost+found is kept (copy_tree() checked that it is empty); an
 * update works on directories that exist already.
 */
static bool may_reuse_dir(const struct walk *w)
{
	return w->updating || strcmp(walk_rel(w), "lost+found") == 0;
}

static int copy_directory(struct walk *w, int sdir, int ddir, const char *name,
			  const struct stat *st)
{
	enum xattr_mode xattrs = XATTRS_ADD;
	int sfd = -1, dfd = -1, r;

	if ((uint64_t)st->st_dev == w->dst_dev && (uint64_t)st->st_ino == w->dst_root_ino)
		return log_error(-ELOOP, "cannot copy '%s' into itself", w->src.data);
	w->stats.dirs++;
	if (mkdirat(ddir, name, 0700) < 0) {
		if (errno != EEXIST || !may_reuse_dir(w))
			return log_errno(-errno, "cannot create directory '%s'", w->dst.data);
		xattrs = XATTRS_SYNC;
	}
	dfd = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return log_errno(-errno, "cannot open '%s'", w->dst.data);
	if ((uint64_t)st->st_dev != w->src_dev) {
		log_info("not copying the contents of '%s': another filesystem is mounted there",
			 w->src.data);
		r = apply_metadata(w, dfd, -1, NULL, st, XATTRS_NONE);
		goto out;
	}
	sfd = open_nofollow(sdir, name, O_DIRECTORY);
	if (sfd < 0) {
		r = log_errno(sfd, "cannot open '%s'", w->src.data);
		goto out;
	}
	r = w->updating ? sync_dir_contents(w, sfd, dfd) : copy_dir_contents(w, sfd, dfd);
	/* After the contents: creating them changed the directory's mtime. */
	if (r == 0)
		r = apply_metadata(w, dfd, -1, NULL, st, xattrs);
out:
	close_fd(sfd);
	close_fd(dfd);
	return r;
}

static int copy_entry(struct walk *w, int sdir, int ddir, const char *name)
{
	struct stat st;

	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return log_errno(-errno, "cannot stat '%s'", w->src.data);
	if (S_ISDIR(st.st_mode))
		return copy_directory(w, sdir, ddir, name, &st);
	return copy_linked_nondir(w, sdir, ddir, name, &st);
}

static int copy_dir_contents(struct walk *w, int sfd, int dfd)
{
	struct strv names = STRV_INIT;
	int r = list_dir(sfd, &names);

	if (r < 0)
		return log_errno(r, "cannot read directory '%s'", walk_src_path(w));
	strv_foreach(n, &names) {
		walk_push(w, *n);
		if (!walk_excluded(w))
			r = copy_entry(w, sfd, dfd, *n);
		walk_pop(w, *n);
		if (r < 0)
			break;
	}
	strv_free(&names);
	return r;
}

/* --- the size of the job, for progress -------------------------------------------------------- */

/* Adds to w->total the size of the regular files below @fd, each inode once. */
static int count_bytes(struct walk *w, int fd, struct inode_map *seen)
{
	struct strv names = STRV_INIT;
	int r = list_dir(fd, &names);

	if (r < 0)
		return log_errno(r, "cannot read directory '%s'", walk_src_path(w));
	strv_foreach(n, &names) {
		struct stat st;

		walk_push(w, *n);
		if (walk_excluded(w))
			goto next;
		if (fstatat(fd, *n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = log_errno(-errno, "cannot stat '%s'", w->src.data);
			goto next;
		}
		if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
			if (inode_map_find(seen, st.st_dev, st.st_ino))
				goto next;
			inode_map_add(seen, st.st_dev, st.st_ino);
		}
		if (S_ISREG(st.st_mode))
			w->total += (uint64_t)st.st_size;
		if (S_ISDIR(st.st_mode) && (uint64_t)st.st_dev == w->src_dev) {
			int sub = open_nofollow(fd, *n, O_DIRECTORY);
			if (sub < 0) {
				r = log_errno(sub, "cannot open '%s'", w->src.data);
				goto next;
			}
			r = count_bytes(w, sub, seen);
			close(sub);
		}
	next:
		walk_pop(w, *n);
		if (r < 0)
			break;
	}
	strv_free(&names);
	return r;
}

static int walk_count_total(struct walk *w, int fd)
{
	struct inode_map seen = {NULL, 0, 0};
	int r;

	w->total = 0;
	r = count_bytes(w, fd, &seen);
	inode_map_free(&seen);
	return r;
}

/* --- copy_tree -------------------------------------------------------------------------------- */

static int check_destination_empty(int fd, const char *path)
{
	struct strv names = STRV_INIT;
	int r = list_dir(fd, &names);

	if (r < 0)
		return log_errno(r, "cannot read directory '%s'", path);
	strv_foreach(n, &names) {
		if (strcmp(*n, "lost+found") == 0 && is_empty_dir(fd, *n))
			continue;
		r = log_error(-EEXIST, "cannot copy into '%s': it must be empty, but holds '%s'",
			      path, *n);
		break;
	}
	strv_free(&names);
	return r;
}

/*
 * Opens both roots and records in @w what every walk needs of them: their
 * devices (a walk stays on one filesystem) and the destination's root (hard
 * links are made relative to it; a copy into itself is refused by it).  The
 * roots' own metadata is returned in @ret_sst and @ret_dst.
 */
static int walk_open_roots(struct walk *w, const char *src, const char *dst, int *ret_sfd,
			   int *ret_dfd, struct stat *ret_sst, struct stat *ret_dst)
{
	int sfd, dfd, r;

	sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		return log_errno(-errno, "cannot open '%s'", src);
	dfd = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		r = log_errno(-errno, "cannot open '%s'", dst);
		close(sfd);
		return r;
	}
	if (fstat(sfd, ret_sst) < 0 || fstat(dfd, ret_dst) < 0) {
		r = log_errno(-errno, "cannot stat '%s' or '%s'", src, dst);
		close(dfd);
		close(sfd);
		return r;
	}
	w->src_dev = ret_sst->st_dev;
	w->dst_dev = ret_dst->st_dev;
	w->dst_root_ino = ret_dst->st_ino;
	w->dst_root_fd = dfd;
	*ret_sfd = sfd;
	*ret_dfd = dfd;
	return 0;
}

static void log_stats(const char *what, const struct copy_stats *s)
{
	char size[32];

	format_size(size, sizeof(size), s->bytes);
	log_info(
		"%s: %llu files (%s), %llu directories, %llu symlinks, %llu hard links, %llu special files, %llu xattrs",
		what, (unsigned long long)s->files, size, (unsigned long long)s->dirs,
		(unsigned long long)s->symlinks, (unsigned long long)s->hardlinks,
		(unsigned long long)s->specials, (unsigned long long)s->xattrs);
}

int copy_tree(const char *src, const char *dst, const struct copy_options *opts,
	      struct copy_stats *ret_stats)
{
	struct stat sst, dst_st;
	int sfd = -1, dfd = -1, r;
	struct walk w;

	walk_init(&w, src, dst, opts);
	r = walk_open_roots(&w, src, dst, &sfd, &dfd, &sst, &dst_st);
	if (r < 0)
		goto out;
	r = check_destination_empty(dfd, dst);
	if (r < 0)
		goto out;
	r = walk_count_total(&w, sfd);
	if (r < 0)
		goto out;
	log_info("copying '%s' to '%s'", src, dst);
	walk_progress(&w);
	r = copy_dir_contents(&w, sfd, dfd);
	if (r < 0)
		goto out;
	w.stats.dirs++;
	r = apply_metadata(&w, dfd, -1, NULL, &sst, XATTRS_SYNC);
	if (r < 0)
		goto out;
	log_stats("copied", &w.stats);
	if (ret_stats)
		*ret_stats = w.stats;
out:
	close_fd(dfd);
	close_fd(sfd);
	walk_free(&w);
	return r;
}

/* --- copy_verify ------------------------------------------------------------------------------ */

static int verify_dir(struct walk *w, int sfd, int dfd);

static void verify_inode(struct walk *w, const struct stat *s, const struct stat *d, bool mtime)
{
	if ((s->st_mode & 07777) != (d->st_mode & 07777))
		difference(w, "mode %04o in the source, %04o in the copy",
			   (unsigned)(s->st_mode & 07777), (unsigned)(d->st_mode & 07777));
	if (s->st_uid != d->st_uid || s->st_gid != d->st_gid)
		difference(w, "owner %u:%u in the source, %u:%u in the copy", (unsigned)s->st_uid,
			   (unsigned)s->st_gid, (unsigned)d->st_uid, (unsigned)d->st_gid);
	if (mtime &&
	    (s->st_mtim.tv_sec != d->st_mtim.tv_sec || s->st_mtim.tv_nsec != d->st_mtim.tv_nsec))
		difference(w, "modification time %lld.%09ld in the source, %lld.%09ld in the copy",
			   (long long)s->st_mtim.tv_sec, (long)s->st_mtim.tv_nsec,
			   (long long)d->st_mtim.tv_sec, (long)d->st_mtim.tv_nsec);
}

static int compare_xattr_values(struct walk *w, const char *name)
{
	char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	int r;

	r = xattr_get(walk_src_path(w), name, &a, &alen);
	if (r < 0) {
		log_errno(r, "cannot read extended attribute '%s' of '%s'", name, walk_src_path(w));
		goto out;
	}
	r = xattr_get(walk_dst_path(w), name, &b, &blen);
	if (r < 0) {
		log_errno(r, "cannot read extended attribute '%s' of '%s'", name, walk_dst_path(w));
		goto out;
	}
	if (alen != blen || memcmp(a, b, alen) != 0)
		difference(w, "extended attribute '%s' differs", name);
out:
	free(b);
	free(a);
	return r;
}

static int verify_xattrs(struct walk *w)
{
	struct strv s = STRV_INIT, d = STRV_INIT;
	size_t i = 0, j = 0;
	int r;

	r = xattr_list(walk_src_path(w), &s);
	if (r < 0)
		return log_errno(r, "cannot list extended attributes of '%s'", walk_src_path(w));
	r = xattr_list(walk_dst_path(w), &d);
	if (r < 0) {
		log_errno(r, "cannot list extended attributes of '%s'", walk_dst_path(w));
		goto out;
	}
	w->stats.xattrs += s.n;
	while (r == 0 && (i < s.n || j < d.n)) {
		int c = i >= s.n ? 1 : j >= d.n ? -1 : strcmp(s.v[i], d.v[j]);
		if (c < 0)
			difference(w, "extended attribute '%s' is missing from the copy", s.v[i]);
		else if (c > 0)
			difference(w, "extended attribute '%s' is not in the source", d.v[j]);
		else
			r = compare_xattr_values(w, s.v[i]);
		i += c <= 0;
		j += c >= 0;
	}
out:
	strv_free(&d);
	strv_free(&s);
	return r;
}

/*
 * Two names are links of one inode in the source if and only if they are in
 * the copy.  Returns true when this pair of inodes was checked before (this
 * is a further name of both), so the contents need not be read again.
 */
static bool verify_links(struct walk *w, const struct stat *s, const struct stat *d)
{
	struct inode_entry *es = inode_map_find(&w->links, s->st_dev, s->st_ino);
	struct inode_entry *ed = inode_map_find(&w->dst_links, d->st_dev, d->st_ino);

	if (!es && !ed) {
		es = inode_map_add(&w->links, s->st_dev, s->st_ino);
		es->other_dev = d->st_dev;
		es->other_ino = d->st_ino;
		es->path = xstrdup(walk_rel(w));
		ed = inode_map_add(&w->dst_links, d->st_dev, d->st_ino);
		ed->other_dev = s->st_dev;
		ed->other_ino = s->st_ino;
		ed->path = xstrdup(walk_rel(w));
		return false;
	}
	if (es && ed && es->other_dev == (uint64_t)d->st_dev &&
	    es->other_ino == (uint64_t)d->st_ino)
		return true;
	if (es && !ed)
		difference(w, "is a hard link of '/%s' in the source, but not in the copy",
			   es->path);
	else if (!es)
		difference(w, "is a hard link of '/%s' in the copy, but not in the source",
			   ed->path);
	else
		difference(w, "is a hard link of '/%s' in the source, but of '/%s' in the copy",
			   es->path, ed->path);
	return false;
}

static int verify_contents(struct walk *w, int sdir, int ddir, const char *name, uint64_t size)
{
	uint64_t off = 0, start = w->done;
	int a = -1, b = -1, r = 0;

	if (!w->buf2)
		w->buf2 = xmalloc(COPY_BUFSIZE);
	a = open_nofollow(sdir, name, 0);
	if (a < 0)
		return log_errno(a, "cannot open '%s'", w->src.data);
	b = open_nofollow(ddir, name, 0);
	if (b < 0) {
		r = log_errno(b, "cannot open '%s'", w->dst.data);
		goto out;
	}
	/* Clean pages (the caller synced) are dropped: the disk's data is compared, not memory. */
	(void)posix_fadvise(b, 0, 0, POSIX_FADV_DONTNEED);
	while (off < size) {
		size_t want = size - off < COPY_BUFSIZE ? (size_t)(size - off) : COPY_BUFSIZE;
		ssize_t na = pread_full(a, w->buf, want, off);
		ssize_t nb = pread_full(b, w->buf2, want, off);

		if (na < 0 || nb < 0) {
			r = na < 0 ? log_errno((int)na, "cannot read '%s'", w->src.data)
				   : log_errno((int)nb, "cannot read '%s'", w->dst.data);
			goto out;
		}
		if ((size_t)na != want || (size_t)nb != want) {
			difference(w, "shorter than its size in the %s",
				   (size_t)na != want ? "source" : "copy");
			break;
		}
		if (memcmp(w->buf, w->buf2, want) != 0) {
			size_t i = 0;
			while (w->buf[i] == w->buf2[i])
				i++;
			difference(w, "contents differ from byte %llu on",
				   (unsigned long long)(off + i));
			break;
		}
		off += want;
		w->done += want;
		walk_progress(w);
	}
out:
	w->done = start + size;
	close_fd(b);
	close_fd(a);
	return r;
}

static int verify_symlink(struct walk *w, int sdir, int ddir, const char *name,
			  const struct stat *s, const struct stat *d)
{
	char *a = NULL, *b = NULL;
	int r;

	r = read_link(sdir, name, s, &a);
	if (r < 0)
		return log_errno(r, "cannot read symlink '%s'", w->src.data);
	r = read_link(ddir, name, d, &b);
	if (r < 0)
		log_errno(r, "cannot read symlink '%s'", w->dst.data);
	else if (strcmp(a, b) != 0)
		difference(w, "symlink to '%s' in the source, to '%s' in the copy", a, b);
	free(b);
	free(a);
	return r;
}

static void count_source_entry(struct walk *w, const struct stat *s, bool further_name)
{
	if (further_name)
		w->stats.hardlinks++;
	else if (S_ISREG(s->st_mode)) {
		w->stats.files++;
		w->stats.bytes += (uint64_t)s->st_size;
	} else if (S_ISDIR(s->st_mode))
		w->stats.dirs++;
	else if (S_ISLNK(s->st_mode))
		w->stats.symlinks++;
	else
		w->stats.specials++;
}

/* A mount point is copied as an empty directory with the mounted root's owner and mode. */
static int verify_directory(struct walk *w, int sdir, int ddir, const char *name,
			    const struct stat *s, const struct stat *d)
{
	int sfd = -1, dfd = -1, r;

	if ((uint64_t)s->st_dev != w->src_dev) {
		verify_inode(w, s, d, /* mtime= */ false);
		if (!is_empty_dir(ddir, name))
			difference(w, "is a mount point in the source, but not empty in the copy");
		return 0;
	}
	if ((uint64_t)d->st_dev != w->dst_dev) {
		difference(w, "is a mount point in the copy, but not in the source");
		return 0;
	}
	verify_inode(w, s, d, /* mtime= */ true);
	sfd = open_nofollow(sdir, name, O_DIRECTORY);
	if (sfd < 0)
		return log_errno(sfd, "cannot open '%s'", w->src.data);
	dfd = open_nofollow(ddir, name, O_DIRECTORY);
	if (dfd < 0) {
		r = log_errno(dfd, "cannot open '%s'", w->dst.data);
		goto out;
	}
	r = verify_dir(w, sfd, dfd);
	if (r == 0)
		r = verify_xattrs(w);
out:
	close_fd(dfd);
	close_fd(sfd);
	return r;
}

/* Compares what can be compared without reading contents; true if nothing differed. */
static int verify_nondir_metadata(struct walk *w, int sdir, int ddir, const char *name,
				  const struct stat *s, const struct stat *d)
{
	verify_inode(w, s, d, /* mtime= */ true);
	if (S_ISREG(s->st_mode) && s->st_size != d->st_size)
		difference(w, "size %lld in the source, %lld in the copy", (long long)s->st_size,
			   (long long)d->st_size);
	if ((S_ISCHR(s->st_mode) || S_ISBLK(s->st_mode)) && s->st_rdev != d->st_rdev)
		difference(w, "device %#llx in the source, %#llx in the copy",
			   (unsigned long long)s->st_rdev, (unsigned long long)d->st_rdev);
	if (S_ISLNK(s->st_mode))
		return verify_symlink(w, sdir, ddir, name, s, d);
	return 0;
}

static int verify_entry(struct walk *w, int sdir, int ddir, const char *name)
{
	bool further_name = false;
	struct stat s, d;
	int r;

	if (fstatat(sdir, name, &s, AT_SYMLINK_NOFOLLOW) < 0)
		return log_errno(-errno, "cannot stat '%s'", w->src.data);
	if (fstatat(ddir, name, &d, AT_SYMLINK_NOFOLLOW) < 0)
		return log_errno(-errno, "cannot stat '%s'", w->dst.data);
	if (!S_ISDIR(s.st_mode) && s.st_nlink > 1)
		further_name = inode_map_find(&w->links, s.st_dev, s.st_ino) != NULL;
	count_source_entry(w, &s, further_name);
	if ((s.st_mode & S_IFMT) != (d.st_mode & S_IFMT)) {
		difference(w, "%s in the source, %s in the copy", type_name(s.st_mode),
			   type_name(d.st_mode));
		return 0;
	}
	if (S_ISDIR(s.st_mode))
		return verify_directory(w, sdir, ddir, name, &s, &d);
	bool checked = (s.st_nlink > 1 || d.st_nlink > 1) && verify_links(w, &s, &d);
	r = verify_nondir_metadata(w, sdir, ddir, name, &s, &d);
	if (r < 0 || checked)
		return r;
	if (S_ISREG(s.st_mode) && s.st_size == d.st_size)
		r = verify_contents(w, sdir, ddir, name, (uint64_t)s.st_size);
	else if (S_ISREG(s.st_mode))
		w->done += (uint64_t)s.st_size;
	if (r == 0)
		r = verify_xattrs(w);
	return r;
}

/* mkfs made it; copy_tree() keeps it even when the source has none. */
static bool is_mkfs_lost_found(const struct walk *w, int dfd, const char *name)
{
	struct stat st;

	return strcmp(walk_rel(w), "lost+found") == 0 &&
	       fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* Walks the sorted names of both sides in step. */
static int verify_dir(struct walk *w, int sfd, int dfd)
{
	struct strv s = STRV_INIT, d = STRV_INIT;
	size_t i = 0, j = 0;
	int r;

	r = list_dir(sfd, &s);
	if (r < 0)
		return log_errno(r, "cannot read directory '%s'", walk_src_path(w));
	r = list_dir(dfd, &d);
	if (r < 0) {
		log_errno(r, "cannot read directory '%s'", walk_dst_path(w));
		goto out;
	}
	while (r == 0 && (i < s.n || j < d.n)) {
		int c = i >= s.n ? 1 : j >= d.n ? -1 : strcmp(s.v[i], d.v[j]);
		const char *name = c <= 0 ? s.v[i] : d.v[j];

		walk_push(w, name);
		if (walk_excluded(w))
			;
		else if (c < 0)
			difference(w, "missing from the copy");
		else if (c > 0 && !is_mkfs_lost_found(w, dfd, name))
			difference(w, "not in the source");
		else if (c == 0)
			r = verify_entry(w, sfd, dfd, name);
		walk_pop(w, name);
		i += c <= 0;
		j += c >= 0;
	}
out:
	strv_free(&d);
	strv_free(&s);
	return r;
}

int copy_verify(const char *src, const char *dst, const struct copy_options *opts,
		struct copy_stats *ret_stats)
{
	struct stat s, d;
	int sfd = -1, dfd = -1, r;
	struct walk w;

	walk_init(&w, src, dst, opts);
	r = walk_open_roots(&w, src, dst, &sfd, &dfd, &s, &d);
	if (r < 0)
		goto out;
	r = walk_count_total(&w, sfd);
	if (r < 0)
		goto out;
	log_info("verifying '%s' against '%s'", dst, src);
	walk_progress(&w);
	w.stats.dirs++;
	verify_inode(&w, &s, &d, /* mtime= */ true);
	r = verify_xattrs(&w);
	if (r == 0)
		r = verify_dir(&w, sfd, dfd);
	if (r < 0)
		goto out;
	if (w.differences) {
		r = log_error(-EUCLEAN, "the copy in '%s' differs from '%s': %llu difference%s",
			      dst, src, (unsigned long long)w.differences,
			      w.differences == 1 ? "" : "s");
		goto out;
	}
	log_stats("verified", &w.stats);
	if (ret_stats)
		*ret_stats = w.stats;
out:
	close_fd(dfd);
	close_fd(sfd);
	walk_free(&w);
	return r;
}

/* --- copy_update_subtree ---------------------------------------------------------------------- */

static int remove_tree(struct walk *w, int dirfd, const char *name)
{
	struct strv names = STRV_INIT;
	struct stat st;
	int fd = -1, r = 0;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : log_errno(-errno, "cannot stat '%s'", w->dst.data);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0)
			return log_errno(-errno, "cannot remove '%s'", w->dst.data);
		w->removed++;
		return 0;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return log_errno(-errno, "cannot open '%s'", w->dst.data);
	r = list_dir(fd, &names);
	if (r < 0)
		log_errno(r, "cannot read directory '%s'", w->dst.data);
	strv_foreach(n, &names) {
		walk_push(w, *n);
		r = remove_tree(w, fd, *n);
		walk_pop(w, *n);
		if (r < 0)
			break;
	}
	close(fd);
	if (r == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
		r = log_errno(-errno, "cannot remove '%s'", w->dst.data);
	if (r == 0)
		w->removed++;
	strv_free(&names);
	return r;
}

/* The quick check: same metadata (see copy.h), contents not read. */
static int nondir_up_to_date(struct walk *w, int sdir, int ddir, const char *name,
			     const struct stat *s, const struct stat *d)
{
	uint64_t before = w->differences;
	int r = 0;

	if ((s->st_mode & S_IFMT) != (d->st_mode & S_IFMT))
		return 0;
	w->quiet = true;
	r = verify_nondir_metadata(w, sdir, ddir, name, s, d);
	if (r == 0 && w->differences == before)
		r = verify_xattrs(w);
	w->quiet = false;
	if (r < 0)
		return r;
	return w->differences == before;
}

/*
 * Hard links inside the subtree: a further name of a source inode must name
 * the inode that its first name has in @dst.
 */
static int linked_up_to_date(struct walk *w, int ddir, const char *name, const char *first)
{
	struct stat a, b;

	if (fstatat(w->dst_root_fd, first, &a, AT_SYMLINK_NOFOLLOW) < 0)
		return log_errno(-errno, "cannot stat '%s'", first);
	if (fstatat(ddir, name, &b, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : log_errno(-errno, "cannot stat '%s'", w->dst.data);
	return same_inode(&a, &b);
}

static int sync_nondir(struct walk *w, int sdir, int ddir, const char *name, const struct stat *s,
		       const struct stat *d)
{
	const struct inode_entry *e = NULL;
	int r = 0;

	if (s->st_nlink > 1)
		e = inode_map_find(&w->links, s->st_dev, s->st_ino);
	if (e)
		r = linked_up_to_date(w, ddir, name, e->path);
	else if (d)
		r = nondir_up_to_date(w, sdir, ddir, name, s, d);
	if (r < 0)
		return r;
	if (r == 1) {
		if (s->st_nlink > 1 && !e)
			inode_map_add(&w->links, s->st_dev, s->st_ino)->path = xstrdup(walk_rel(w));
		return 0;
	}
	if (d) {
		r = remove_tree(w, ddir, name);
		if (r < 0)
			return r;
	}
	return copy_linked_nondir(w, sdir, ddir, name, s);
}

static int sync_entry(struct walk *w, int sdir, int ddir, const char *name)
{
	struct stat s, d;
	bool have_dst;

	if (fstatat(sdir, name, &s, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return log_errno(-errno, "cannot stat '%s'", w->src.data);
		return remove_tree(w, ddir, name); /* gone from the source */
	}
	have_dst = fstatat(ddir, name, &d, AT_SYMLINK_NOFOLLOW) == 0;
	if (!have_dst && errno != ENOENT)
		return log_errno(-errno, "cannot stat '%s'", w->dst.data);
	if (!S_ISDIR(s.st_mode))
		return sync_nondir(w, sdir, ddir, name, &s, have_dst ? &d : NULL);
	if (have_dst && !S_ISDIR(d.st_mode)) {
		int r = remove_tree(w, ddir, name);
		if (r < 0)
			return r;
	}
	return copy_directory(w, sdir, ddir, name, &s);
}

/*
 * Whether @name in @dfd is another filesystem mounted inside the copy (a
 * bind-mounted /dev, say): an update never touches what is there.
 */
static bool other_fs(struct walk *w, int dfd, const char *name)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || (uint64_t)st.st_dev == w->dst_dev)
		return false;
	log_info("not updating '%s': another filesystem is mounted there", w->dst.data);
	return true;
}

static int sync_dir_contents(struct walk *w, int sfd, int dfd)
{
	struct strv s = STRV_INIT, d = STRV_INIT;
	int r;

	r = list_dir(sfd, &s);
	if (r < 0)
		return log_errno(r, "cannot read directory '%s'", walk_src_path(w));
	r = list_dir(dfd, &d);
	if (r < 0) {
		log_errno(r, "cannot read directory '%s'", walk_dst_path(w));
		goto out;
	}
	strv_foreach(n, &d) {
		if (strv_sorted_contains(&s, *n))
			continue;
		walk_push(w, *n);
		if (!walk_excluded(w) && !other_fs(w, dfd, *n)) {
			log_info("removing '%s': it is gone from the source", w->dst.data);
			r = remove_tree(w, dfd, *n);
		}
		walk_pop(w, *n);
		if (r < 0)
			goto out;
	}
	strv_foreach(n, &s) {
		walk_push(w, *n);
		r = walk_excluded(w) || other_fs(w, dfd, *n) ? 0 : sync_entry(w, sfd, dfd, *n);
		walk_pop(w, *n);
		if (r < 0)
			break;
	}
out:
	strv_free(&d);
	strv_free(&s);
	return r;
}

int copy_update_tree(const char *src, const char *dst, const struct copy_options *opts)
{
	int sfd = -1, dfd = -1, r;
	struct stat sst, dst_st;
	struct walk w;

	walk_init(&w, src, dst, opts);
	w.updating = true;
	r = walk_open_roots(&w, src, dst, &sfd, &dfd, &sst, &dst_st);
	if (r < 0)
		goto out;
	r = sync_dir_contents(&w, sfd, dfd);
	if (r == 0)
		r = apply_metadata(&w, dfd, -1, NULL, &sst, XATTRS_SYNC);
	if (r == 0)
		log_info("updated '%s' from '%s': %llu files, %llu symlinks, %llu special files, "
			 "%llu hard links copied, %llu removed",
			 dst, src, (unsigned long long)w.stats.files,
			 (unsigned long long)w.stats.symlinks, (unsigned long long)w.stats.specials,
			 (unsigned long long)w.stats.hardlinks, (unsigned long long)w.removed);
out:
	close_fd(dfd);
	close_fd(sfd);
	walk_free(&w);
	return r;
}
