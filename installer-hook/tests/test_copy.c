// SPDX-License-Identifier: GPL-2.0-only
#ifndef _GNU_SOURCE /* the Makefile defines it; this file needs it anyway */
#define _GNU_SOURCE
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first. */
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "copy.h"
#include "testlib.h"
#include "util.h"

/*
 * One source tree, built once by the group setup, holds every kind of entry
 * a root filesystem can; each test copies it into a fresh directory.  The
 * expected counts below are written out by hand from build_tree(), so that a
 * walk that misses or doubles something fails.
 */

#define BIG_SIZE      (3u << 20)
#define SPARSE_SIZE   (32u << 20)
#define SPARSE_MIDDLE ((16u << 20) + 12345)
#define TRAILING_SIZE (8u << 20)
#define TRAILING_DATA 8192u
#define ZEROS_SIZE    (1u << 20)

#define EXP_DIRS      16 /* including the root */
#define EXP_FILES     16
#define EXP_SYMLINKS  4
#define EXP_HARDLINKS 3 /* links/h2, other/h3, other/pair2 */
/*
 * Sizes of deep.txt zero one page big sparse trailing_hole zeros twin1 twin2
 * <long name> h1 pair1 suid sgid owned/file.
 */
#define EXP_BYTES                                                                                  \
	(5ull + 0 + 1 + 4096 + BIG_SIZE + SPARSE_SIZE + TRAILING_SIZE + ZEROS_SIZE + 5 + 5 + 5 +   \
	 5 + 5 + 5 + 5 + 6)
/* root user.root; one user.a user.bin user.empty; a user.dir; h1 user.linked */
#define USER_XATTRS 6
/*
 * one trusted.t; page security.selinux; sym/rel trusted.sym; fifo trusted.f;
 * owned/file security.capability
 */
#define ROOT_XATTRS 5
/* page system.posix_acl_access; a system.posix_acl_default */
#define ACL_XATTRS 2

#define BASE_SEC 1300000000

static struct {
	const char *src;
	bool user_xattrs, acls, holes, root;
} fx;

static char long_name[256];
static struct strv tmpdirs = STRV_INIT;

/* A fresh directory, removed and freed by the group teardown. */
static const char *tmpdir(void)
{
	char *d = test_mkdtemp();

	strv_push(&tmpdirs, d);
	free(d);
	return tmpdirs.v[tmpdirs.n - 1];
}

/* --- helpers ---------------------------------------------------------------------------------- */

/* "@root/@rel" in one of a ring of buffers: enough for the few paths a statement needs. */
static const char *at(const char *root, const char *rel)
{
	static char ring[16][PATH_MAX];
	static unsigned next;
	char *p = ring[next++ % ARRAY_SIZE(ring)];
	int n = *rel ? snprintf(p, PATH_MAX, "%s/%s", root, rel)
		     : snprintf(p, PATH_MAX, "%s", root);

	assert_true(n > 0 && n < PATH_MAX);
	return p;
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static void fill_random(char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		rng_state ^= rng_state << 13;
		rng_state ^= rng_state >> 7;
		rng_state ^= rng_state << 17;
		p[i] = (char)(rng_state >> 24);
	}
}

static void pwrite_at(const char *path, uint64_t off, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, data, len, (off_t)off), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void write_bytes(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	write_bytes(path, text, strlen(text), mode);
}

static void write_random(const char *path, size_t len)
{
	char *data = xmalloc(len);

	fill_random(data, len);
	write_bytes(path, data, len, 0644);
	free(data);
}

static void set_size(const char *path, uint64_t size)
{
	assert_int_equal(truncate(path, (off_t)size), 0);
}

static void make_dir(const char *path, mode_t mode)
{
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void make_symlink(const char *target, const char *path)
{
	assert_int_equal(symlink(target, path), 0);
}

static void set_xattr(const char *path, const char *name, const void *value, size_t len)
{
	if (lsetxattr(path, name, value, len, 0) < 0)
		fail_msg("cannot set %s on %s: %s", name, path, strerror(errno));
}

static void set_times(const char *path, long long sec, long nsec)
{
	const struct timespec ts[2] = {{(time_t)(sec - 500), 7}, {(time_t)sec, nsec}};

	assert_int_equal(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

static struct stat lstat_ok(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		fail_msg("cannot stat %s: %s", path, strerror(errno));
	return st;
}

/* Saves and puts back a mutated entry's times, so a test sees only the difference it made. */
struct times {
	struct timespec ts[2];
};

static struct times get_times(const char *path)
{
	struct stat st = lstat_ok(path);
	struct times t = {{st.st_atim, st.st_mtim}};

	return t;
}

static void put_times(const char *path, struct times t)
{
	assert_int_equal(utimensat(AT_FDCWD, path, t.ts, AT_SYMLINK_NOFOLLOW), 0);
}

/* Reads a whole file without touching its atime. */
static char *slurp(const char *path, size_t *ret_len)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME);
	ssize_t n;

	if (fd < 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&b, chunk, (size_t)n);
	assert_true(n == 0);
	close(fd);
	*ret_len = b.len;
	return buf_detach(&b);
}

static void assert_same_contents(const char *a, const char *b)
{
	size_t alen, blen;
	char *x = slurp(a, &alen), *y = slurp(b, &blen);

	assert_int_equal(alen, blen);
	if (memcmp(x, y, alen) != 0)
		fail_msg("%s and %s differ", a, b);
	free(x);
	free(y);
}

/* Runs copy_verify() with stderr captured, so a test can check what it reported. */
static int verify_captured(const char *src, const char *dst, const struct copy_options *opts,
			   char **ret_log)
{
	struct test_capture cap;
	int r;

	test_capture_begin(&cap, stderr);
	r = copy_verify(src, dst, opts, NULL);
	*ret_log = test_capture_end(&cap);
	return r;
}

static void assert_log_contains(const char *log, const char *what)
{
	if (!strstr(log, what))
		fail_msg("expected \"%s\" in the log:\n%s", what, log);
}

static const char *copy_fixture(const struct copy_options *opts, struct copy_stats *ret_stats)
{
	const char *dst = tmpdir();

	assert_int_equal(copy_tree(fx.src, dst, opts, ret_stats), 0);
	return dst;
}

/* --- the source tree -------------------------------------------------------------------------- */

/*
 * A POSIX ACL in the kernel's xattr format (little-endian, as on x86): a
 * version, then entries of u16 tag, u16 permissions, u32 id (as two u16).
 */
typedef uint16_t acl_entry[4];
#define ACL_ENTRY(tag, perm, id)                                                                   \
	{                                                                                          \
		(tag), (perm), (uint16_t)((id)&0xffff), (uint16_t)((id) >> 16)                     \
	}
#define ACL_MAX 8

/* Returns the length of the xattr value made in @value. */
static size_t acl_value(char value[4 + ACL_MAX * 8], const acl_entry *e, size_t n)
{
	const uint32_t version = 2;

	assert_true(n <= ACL_MAX);
	memcpy(value, &version, 4);
	memcpy(value + 4, e, n * sizeof(*e));
	return 4 + n * sizeof(*e);
}

static void set_acl(const char *path, const char *name, const acl_entry *e, size_t n)
{
	char value[4 + ACL_MAX * 8];

	set_xattr(path, name, value, acl_value(value, e, n));
}

static bool probe_xattr(const char *dir, const char *name, const void *value, size_t len)
{
	const char *p = at(dir, "probe");
	bool ok;

	write_text(p, "", 0644);
	ok = lsetxattr(p, name, value, len, 0) == 0;
	unlink(p);
	return ok;
}

static bool probe_holes(const char *dir)
{
	const char *p = at(dir, "probe");
	struct stat st;

	pwrite_at(p, (4u << 20) - 1, "x", 1);
	st = lstat_ok(p);
	unlink(p);
	return (uint64_t)st.st_blocks * 512 < (1u << 20);
}

static const acl_entry page_acl[] = {
	ACL_ENTRY(0x01, 6, 0xffffffff), /* user::rw- */
	ACL_ENTRY(0x02, 4, 1234),	/* user:1234:r-- */
	ACL_ENTRY(0x04, 4, 0xffffffff), /* group::r-- */
	ACL_ENTRY(0x10, 4, 0xffffffff), /* mask::r-- */
	ACL_ENTRY(0x20, 4, 0xffffffff), /* other::r-- */
};

static const acl_entry dir_default_acl[] = {
	ACL_ENTRY(0x01, 7, 0xffffffff), /* user::rwx */
	ACL_ENTRY(0x04, 5, 0xffffffff), /* group::r-x */
	ACL_ENTRY(0x20, 5, 0xffffffff), /* other::r-x */
};

static void build_files(const char *r)
{
	char page[4096];

	make_dir(at(r, "files"), 0755);
	write_text(at(r, "files/zero"), "", 0644);
	write_text(at(r, "files/one"), "x", 0644);
	for (size_t i = 0; i < sizeof(page); i++)
		page[i] = (char)(i * 7);
	write_bytes(at(r, "files/page"), page, sizeof(page), 0644);
	write_random(at(r, "files/big"), BIG_SIZE);

	/* Data at the start, in the middle (not block-aligned) and at the very end. */
	fill_random(page, sizeof(page));
	write_bytes(at(r, "files/sparse"), page, sizeof(page), 0644);
	set_size(at(r, "files/sparse"), SPARSE_SIZE);
	pwrite_at(at(r, "files/sparse"), SPARSE_MIDDLE, page, sizeof(page));
	pwrite_at(at(r, "files/sparse"), SPARSE_SIZE - 10, "0123456789", 10);

	write_random(at(r, "files/trailing_hole"), TRAILING_DATA);
	set_size(at(r, "files/trailing_hole"), TRAILING_SIZE);

	char *zeros = xcalloc(1, ZEROS_SIZE);
	write_bytes(at(r, "files/zeros"), zeros, ZEROS_SIZE, 0644);
	free(zeros);

	write_text(at(r, "files/twin1"), "twin\n", 0644);
	write_text(at(r, "files/twin2"), "twin\n", 0644);
	write_text(at(at(r, "files"), long_name), "long\n", 0644);
}

static void build_links(const char *r)
{
	make_dir(at(r, "links"), 0755);
	make_dir(at(r, "other"), 0755);
	write_text(at(r, "links/h1"), "hard\n", 0644);
	assert_int_equal(link(at(r, "links/h1"), at(r, "links/h2")), 0);
	assert_int_equal(link(at(r, "links/h1"), at(r, "other/h3")), 0);
	write_text(at(r, "links/pair1"), "pair\n", 0640);
	assert_int_equal(link(at(r, "links/pair1"), at(r, "other/pair2")), 0);

	make_dir(at(r, "sym"), 0755);
	make_symlink("../files/one", at(r, "sym/rel"));
	make_symlink("/etc/passwd", at(r, "sym/abs"));
	make_symlink("does/not/exist", at(r, "sym/dangling"));
}

static void build_specials(const char *r)
{
	make_dir(at(r, "special"), 0755);
	assert_int_equal(mkfifo(at(r, "special/fifo"), 0640), 0);
	assert_int_equal(chmod(at(r, "special/fifo"), 0640), 0);
	assert_int_equal(mknod(at(r, "special/sock"), S_IFSOCK | 0755, 0), 0);
	assert_int_equal(chmod(at(r, "special/sock"), 0755), 0);
	if (!fx.root)
		return;
	assert_int_equal(mknod(at(r, "special/chr"), S_IFCHR | 0620, makedev(240, 7)), 0);
	assert_int_equal(chmod(at(r, "special/chr"), 0620), 0);
	assert_int_equal(mknod(at(r, "special/blk"), S_IFBLK | 0660, makedev(7, 200)), 0);
	assert_int_equal(chmod(at(r, "special/blk"), 0660), 0);
}

static void build_modes(const char *r)
{
	make_dir(at(r, "modes"), 0755);
	write_text(at(r, "modes/suid"), "suid\n", 04755);
	write_text(at(r, "modes/sgid"), "sgid\n", 02755);
	make_dir(at(r, "modes/sticky"), 01777);
	make_dir(at(r, "modes/sgiddir"), 02775);
	/* Made inside a setgid directory, so it inherited the bit; the copy must not add it back.
	 */
	make_dir(at(r, "modes/sgiddir/plain"), 0755);

	make_dir(at(r, "owned"), 0755);
	write_text(at(r, "owned/file"), "owned\n", 0644);
	make_dir(at(r, "owned/dir"), 0755);
	make_symlink("file", at(r, "owned/link"));
	if (fx.root) {
		assert_int_equal(lchown(at(r, "owned/file"), 1234, 5678), 0);
		assert_int_equal(lchown(at(r, "owned/dir"), 1234, 5678), 0);
		assert_int_equal(lchown(at(r, "owned/link"), 1234, 5678), 0);
	}
	/* After chown, which would clear it. */
	assert_int_equal(chmod(at(r, "owned/file"), 04750), 0);
}

/* struct vfs_cap_data, revision 2, effective: cap_net_raw permitted */
static const uint32_t file_caps[5] = {0x02000001, 1u << 13, 0, 0, 0};

static void build_xattrs(const char *r)
{
	if (fx.user_xattrs) {
		set_xattr(r, "user.root", "r", 1);
		set_xattr(at(r, "files/one"), "user.a", "value", 5);
		set_xattr(at(r, "files/one"), "user.bin", "\0\1\0\2", 4);
		set_xattr(at(r, "files/one"), "user.empty", "", 0);
		set_xattr(at(r, "a"), "user.dir", "d", 1);
		set_xattr(at(r, "links/h1"), "user.linked", "l", 1);
	}
	if (fx.root) {
		static const char label[] = "system_u:object_r:etc_t:s0";
		set_xattr(at(r, "files/one"), "trusted.t", "t", 1);
		set_xattr(at(r, "files/page"), "security.selinux", label, sizeof(label));
		set_xattr(at(r, "sym/rel"), "trusted.sym", "s", 1);
		set_xattr(at(r, "special/fifo"), "trusted.f", "f", 1);
		/* chown drops file capabilities: the copy must set them after the owner. */
		set_xattr(at(r, "owned/file"), "security.capability", file_caps, sizeof(file_caps));
	}
	if (fx.acls) {
		set_acl(at(r, "files/page"), "system.posix_acl_access", page_acl,
			ARRAY_SIZE(page_acl));
		/* Set after a's contents exist: nothing in the source inherited it. */
		set_acl(at(r, "a"), "system.posix_acl_default", dir_default_acl,
			ARRAY_SIZE(dir_default_acl));
	}
}

/* Every entry, children before their directory, so directory times stay as set. */
static const char *const timed[] = {
	"a/b/c/deep.txt",
	"a/b/c",
	"a/b",
	"a",
	"empty",
	"files/zero",
	"files/one",
	"files/page",
	"files/big",
	"files/sparse",
	"files/trailing_hole",
	"files/zeros",
	"files/twin1",
	"files/twin2",
	"files/@long",
	"files",
	"links/h1",
	"links/pair1",
	"links",
	"other",
	"sym/rel",
	"sym/abs",
	"sym/dangling",
	"sym",
	"special/fifo",
	"special/sock",
	"special/chr",
	"special/blk",
	"special",
	"modes/suid",
	"modes/sgid",
	"modes/sticky",
	"modes/sgiddir/plain",
	"modes/sgiddir",
	"modes",
	"owned/file",
	"owned/dir",
	"owned/link",
	"owned",
	"",
};

static const char *timed_path(const char *root, const char *rel)
{
	if (strcmp(rel, "files/@long") == 0)
		return at(at(root, "files"), long_name);
	return at(root, rel);
}

static long long timed_sec(size_t i)
{
	/* The twins share all metadata, so that linking them is the only difference. */
	if (strcmp(timed[i], "files/twin2") == 0)
		i--;
	return BASE_SEC + 1000 * (long long)i;
}

static long timed_nsec(size_t i)
{
	if (strcmp(timed[i], "files/twin2") == 0)
		i--;
	return (long)((i * 111111111u + 1) % 1000000000u);
}

static void build_tree(const char *r)
{
	assert_int_equal(chmod(r, 0755), 0);
	make_dir(at(r, "empty"), 0700);
	make_dir(at(r, "a"), 0750);
	make_dir(at(r, "a/b"), 0755);
	make_dir(at(r, "a/b/c"), 0755);
	write_text(at(r, "a/b/c/deep.txt"), "deep\n", 0644);
	build_files(r);
	build_links(r);
	build_specials(r);
	build_modes(r);
	build_xattrs(r);
	for (size_t i = 0; i < ARRAY_SIZE(timed); i++) {
		const char *p = timed_path(r, timed[i]);
		struct stat st;
		if (lstat(p, &st) == 0)
			set_times(p, timed_sec(i), timed_nsec(i));
	}
}

static int group_setup(void **state)
{
	(void)state;
	memset(long_name, 'n', 255);
	fx.root = test_is_root();
	fx.src = tmpdir();
	fx.user_xattrs = probe_xattr(fx.src, "user.probe", "x", 1);
	char acl[4 + ACL_MAX * 8];
	fx.acls = probe_xattr(fx.src, "system.posix_acl_access", acl,
			      acl_value(acl, page_acl, ARRAY_SIZE(page_acl)));
	fx.holes = probe_holes(fx.src);
	if (!fx.user_xattrs)
		print_message("note: %s has no user xattrs: xattr assertions are skipped\n",
			      fx.src);
	if (!fx.acls)
		print_message("note: %s has no POSIX ACLs: ACL assertions are skipped\n", fx.src);
	if (!fx.holes)
		print_message("note: %s does not keep holes: sparseness assertions are skipped\n",
			      fx.src);
	if (!fx.root)
		print_message("note: not root: owners, devices and trusted.* are left out\n");
	build_tree(fx.src);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	test_cleanup_tmpdirs(state);
	strv_free(&tmpdirs);
	return 0;
}

static uint64_t expected_specials(void)
{
	return fx.root ? 4 : 2;
}

static uint64_t expected_xattrs(void)
{
	return (fx.user_xattrs ? USER_XATTRS : 0) + (fx.root ? ROOT_XATTRS : 0) +
	       (fx.acls ? ACL_XATTRS : 0);
}

/* --- the whole tree --------------------------------------------------------------------------- */

static void assert_stats(const struct copy_stats *s)
{
	assert_int_equal(s->dirs, EXP_DIRS);
	assert_int_equal(s->files, EXP_FILES);
	assert_int_equal(s->symlinks, EXP_SYMLINKS);
	assert_int_equal(s->hardlinks, EXP_HARDLINKS);
	assert_int_equal(s->specials, expected_specials());
	assert_int_equal(s->bytes, EXP_BYTES);
	assert_int_equal(s->xattrs, expected_xattrs());
}

/* Checks the copy with lstat, independently of copy_verify(). */
static void assert_same_metadata(const char *dst)
{
	for (size_t i = 0; i < ARRAY_SIZE(timed); i++) {
		const char *sp = timed_path(fx.src, timed[i]);
		const char *dp = timed_path(dst, timed[i]);
		struct stat s, d;

		if (lstat(sp, &s) < 0)
			continue; /* devices when not root */
		d = lstat_ok(dp);
		assert_int_equal(d.st_mode, s.st_mode);
		assert_int_equal(d.st_uid, s.st_uid);
		assert_int_equal(d.st_gid, s.st_gid);
		assert_int_equal(d.st_mtim.tv_sec, timed_sec(i));
		assert_int_equal(d.st_mtim.tv_nsec, timed_nsec(i));
		if (!S_ISDIR(s.st_mode))
			assert_int_equal(d.st_size, s.st_size);
		if (S_ISCHR(s.st_mode) || S_ISBLK(s.st_mode))
			assert_int_equal(d.st_rdev, s.st_rdev);
		/* Symlink and directory atimes move when they are read; files are read with
		 * O_NOATIME. */
		if (!S_ISDIR(s.st_mode) && !S_ISLNK(s.st_mode)) {
			assert_int_equal(d.st_atim.tv_sec, timed_sec(i) - 500);
			assert_int_equal(d.st_atim.tv_nsec, 7);
		}
	}
}

static void assert_modes_and_owners(const char *dst)
{
	assert_int_equal(lstat_ok(at(dst, "modes/suid")).st_mode, S_IFREG | 04755);
	assert_int_equal(lstat_ok(at(dst, "modes/sgid")).st_mode, S_IFREG | 02755);
	assert_int_equal(lstat_ok(at(dst, "modes/sticky")).st_mode, S_IFDIR | 01777);
	assert_int_equal(lstat_ok(at(dst, "modes/sgiddir")).st_mode, S_IFDIR | 02775);
	assert_int_equal(lstat_ok(at(dst, "modes/sgiddir/plain")).st_mode, S_IFDIR | 0755);
	assert_int_equal(lstat_ok(at(dst, "owned/file")).st_mode, S_IFREG | 04750);
	assert_int_equal(lstat_ok(at(dst, "special/fifo")).st_mode, S_IFIFO | 0640);
	assert_int_equal(lstat_ok(at(dst, "special/sock")).st_mode, S_IFSOCK | 0755);
	assert_int_equal(lstat_ok(dst).st_mode, S_IFDIR | 0755);
	if (!fx.root)
		return;
	assert_int_equal(lstat_ok(at(dst, "owned/file")).st_uid, 1234);
	assert_int_equal(lstat_ok(at(dst, "owned/file")).st_gid, 5678);
	assert_int_equal(lstat_ok(at(dst, "owned/dir")).st_uid, 1234);
	assert_int_equal(lstat_ok(at(dst, "owned/link")).st_gid, 5678);
	assert_int_equal(lstat_ok(at(dst, "special/chr")).st_rdev, makedev(240, 7));
	assert_int_equal(lstat_ok(at(dst, "special/blk")).st_mode, S_IFBLK | 0660);
	assert_int_equal(lstat_ok(at(dst, "special/blk")).st_rdev, makedev(7, 200));
}

static void assert_links(const char *dst)
{
	struct stat h1 = lstat_ok(at(dst, "links/h1"));
	struct stat p1 = lstat_ok(at(dst, "links/pair1"));

	assert_int_equal(h1.st_nlink, 3);
	assert_int_equal(lstat_ok(at(dst, "links/h2")).st_ino, h1.st_ino);
	assert_int_equal(lstat_ok(at(dst, "other/h3")).st_ino, h1.st_ino);
	assert_int_equal(p1.st_nlink, 2);
	assert_int_equal(lstat_ok(at(dst, "other/pair2")).st_ino, p1.st_ino);
	assert_int_not_equal(lstat_ok(at(dst, "files/twin1")).st_ino,
			     lstat_ok(at(dst, "files/twin2")).st_ino);
}

static void assert_symlink(const char *path, const char *target)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, target);
}

static void assert_xattr(const char *path, const char *name, const void *value, size_t len)
{
	char buf[256];
	ssize_t n = lgetxattr(path, name, buf, sizeof(buf));

	if (n < 0)
		fail_msg("%s has no %s: %s", path, name, strerror(errno));
	assert_int_equal(n, len);
	assert_memory_equal(buf, value, len);
}

static void assert_xattrs(const char *dst)
{
	if (fx.user_xattrs) {
		assert_xattr(dst, "user.root", "r", 1);
		assert_xattr(at(dst, "files/one"), "user.bin", "\0\1\0\2", 4);
		assert_xattr(at(dst, "files/one"), "user.empty", "", 0);
		assert_xattr(at(dst, "other/h3"), "user.linked", "l", 1);
	}
	if (fx.root) {
		assert_xattr(at(dst, "sym/rel"), "trusted.sym", "s", 1);
		assert_xattr(at(dst, "special/fifo"), "trusted.f", "f", 1);
		assert_xattr(at(dst, "owned/file"), "security.capability", file_caps,
			     sizeof(file_caps));
	}
	if (fx.acls) {
		char acl[4 + ACL_MAX * 8];
		assert_xattr(at(dst, "files/page"), "system.posix_acl_access", acl,
			     acl_value(acl, page_acl, ARRAY_SIZE(page_acl)));
		/* Set after a's contents were made: had it been set before, b would have inherited
		 * it. */
		assert_int_equal(lgetxattr(at(dst, "a/b"), "system.posix_acl_default", NULL, 0),
				 -1);
	}
}

static void assert_sparse(const char *dst, const char *rel, uint64_t size)
{
	struct stat d = lstat_ok(at(dst, rel));

	assert_int_equal(d.st_size, size);
	if (!fx.holes) {
		print_message("skipped: is '%s' sparse? (no holes on this filesystem)\n", rel);
		return;
	}
	/* Its data is a few blocks; 256 KiB leaves room for the filesystem's own blocks. */
	if ((uint64_t)d.st_blocks * 512 > 256 * 1024)
		fail_msg("%s is not sparse: %llu bytes allocated", rel,
			 (unsigned long long)d.st_blocks * 512);
}

static void assert_contents(const char *dst)
{
	for (size_t i = 0; i < ARRAY_SIZE(timed); i++) {
		const char *sp = timed_path(fx.src, timed[i]);
		struct stat s;

		if (lstat(sp, &s) == 0 && S_ISREG(s.st_mode))
			assert_same_contents(sp, timed_path(dst, timed[i]));
	}
}

static void test_copy_whole_tree(void **state)
{
	struct copy_stats cs, vs;
	const char *dst;

	(void)state;
	dst = copy_fixture(NULL, &cs);
	assert_stats(&cs);
	assert_same_metadata(dst);
	assert_modes_and_owners(dst);
	assert_links(dst);
	assert_symlink(at(dst, "sym/rel"), "../files/one");
	assert_symlink(at(dst, "sym/abs"), "/etc/passwd");
	assert_symlink(at(dst, "sym/dangling"), "does/not/exist");
	assert_true(S_ISREG(lstat_ok(at(at(dst, "files"), long_name)).st_mode));
	assert_xattrs(dst);
	assert_sparse(dst, "files/sparse", SPARSE_SIZE);
	assert_sparse(dst, "files/trailing_hole", TRAILING_SIZE);
	/* Zeros that are allocated in the source stay allocated (a swap file must have no holes).
	 */
	assert_true((uint64_t)lstat_ok(at(dst, "files/zeros")).st_blocks * 512 >= ZEROS_SIZE);

	assert_int_equal(copy_verify(fx.src, dst, NULL, &vs), 0);
	assert_memory_equal(&vs, &cs, sizeof(cs));
	assert_contents(dst);
}

/* The path the XenServer 6.0 installer's 2.6.32 kernel takes: no SEEK_DATA. */
static void test_copy_scanning_for_holes(void **state)
{
	const struct copy_options opts = {.scan_for_holes = true};
	struct copy_stats cs;
	const char *dst;

	(void)state;
	dst = copy_fixture(&opts, &cs);
	assert_stats(&cs);
	assert_sparse(dst, "files/sparse", SPARSE_SIZE);
	assert_sparse(dst, "files/trailing_hole", TRAILING_SIZE);
	assert_true((uint64_t)lstat_ok(at(dst, "files/zeros")).st_blocks * 512 >= ZEROS_SIZE);
	assert_same_contents(at(fx.src, "files/sparse"), at(dst, "files/sparse"));
	assert_same_contents(at(fx.src, "files/trailing_hole"), at(dst, "files/trailing_hole"));
	assert_same_contents(at(fx.src, "files/big"), at(dst, "files/big"));
	assert_int_equal(copy_verify(fx.src, dst, NULL, NULL), 0);
}

struct progress_log {
	uint64_t calls, last_done, total;
	bool went_back, total_changed;
};

static void record_progress(uint64_t done, uint64_t total, void *userdata)
{
	struct progress_log *p = userdata;

	if (p->calls && done < p->last_done)
		p->went_back = true;
	if (p->calls && total != p->total)
		p->total_changed = true;
	p->calls++;
	p->last_done = done;
	p->total = total;
}

static void test_progress(void **state)
{
	struct progress_log copy = {0}, verify = {0};
	struct copy_options opts = {.progress = record_progress, .userdata = &copy};
	const char *dst;

	(void)state;
	dst = copy_fixture(&opts, NULL);
	assert_true(copy.calls > 3); /* the 3 MiB file alone reports each MiB */
	assert_false(copy.went_back);
	assert_false(copy.total_changed);
	assert_int_equal(copy.total, EXP_BYTES);
	assert_int_equal(copy.last_done, EXP_BYTES);

	opts.userdata = &verify;
	assert_int_equal(copy_verify(fx.src, dst, &opts, NULL), 0);
	assert_false(verify.went_back);
	assert_int_equal(verify.total, EXP_BYTES);
	assert_int_equal(verify.last_done, EXP_BYTES);
}

/* --- copy_verify must notice every kind of difference ----------------------------------------- */

struct mutation {
	void (*mutate)(const char *dst);
	const char *expect;
	bool needs_root, needs_user_xattrs;
};

static void flip_byte(const char *path, uint64_t off)
{
	struct times t = get_times(path);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	char c;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &c, 1, (off_t)off), 1);
	c ^= 0x20;
	assert_int_equal(pwrite(fd, &c, 1, (off_t)off), 1);
	close(fd);
	put_times(path, t);
}

static void mutate_big_content(const char *dst)
{
	flip_byte(at(dst, "files/big"), BIG_SIZE / 2 + 7);
}

static void mutate_hole_content(const char *dst)
{
	flip_byte(at(dst, "files/sparse"), 20u << 20);
}

static void mutate_last_byte(const char *dst)
{
	flip_byte(at(dst, "files/sparse"), SPARSE_SIZE - 1);
}

/* Not files/page: with an ACL, chmod would change its mask too. */
static void mutate_mode(const char *dst)
{
	assert_int_equal(chmod(at(dst, "files/zero"), 0600), 0);
}

static void mutate_setuid(const char *dst)
{
	assert_int_equal(chmod(at(dst, "modes/suid"), 0755), 0);
}

static void mutate_owner(const char *dst)
{
	assert_int_equal(lchown(at(dst, "files/twin1"), 4321, (gid_t)-1), 0);
}

static void mutate_group(const char *dst)
{
	assert_int_equal(lchown(at(dst, "sym/abs"), (uid_t)-1, 99), 0);
}

static void mutate_xattr_removed(const char *dst)
{
	assert_int_equal(lremovexattr(at(dst, "files/one"), "user.bin"), 0);
}

static void mutate_xattr_changed(const char *dst)
{
	set_xattr(at(dst, "files/one"), "user.a", "valuE", 5);
}

static void mutate_xattr_added(const char *dst)
{
	set_xattr(at(dst, "files/zero"), "user.extra", "", 0);
}

/* Replaces @rel with a separate file holding the same contents, metadata and xattrs. */
static void mutate_link_broken(const char *dst)
{
	const char *p = at(dst, "other/h3");
	struct stat st = lstat_ok(p);
	struct times t = get_times(p), dt = get_times(at(dst, "other"));

	assert_int_equal(unlink(p), 0);
	write_text(p, "hard\n", st.st_mode & 07777);
	assert_int_equal(lchown(p, st.st_uid, st.st_gid), 0);
	if (fx.user_xattrs)
		set_xattr(p, "user.linked", "l", 1);
	put_times(p, t);
	put_times(at(dst, "other"), dt);
	assert_int_equal(lstat_ok(at(dst, "links/h1")).st_nlink, 2);
}

static void mutate_link_added(const char *dst)
{
	struct times dt = get_times(at(dst, "files"));

	assert_int_equal(unlink(at(dst, "files/twin2")), 0);
	assert_int_equal(link(at(dst, "files/twin1"), at(dst, "files/twin2")), 0);
	put_times(at(dst, "files"), dt);
}

static void mutate_extra_file(const char *dst)
{
	struct times dt = get_times(at(dst, "a/b/c"));

	write_text(at(dst, "a/b/c/extra"), "", 0644);
	put_times(at(dst, "a/b/c"), dt);
}

static void mutate_missing_file(const char *dst)
{
	struct times dt = get_times(at(dst, "a/b/c"));

	assert_int_equal(unlink(at(dst, "a/b/c/deep.txt")), 0);
	put_times(at(dst, "a/b/c"), dt);
}

static void mutate_missing_dir(const char *dst)
{
	struct times dt = get_times(dst);

	assert_int_equal(rmdir(at(dst, "empty")), 0);
	put_times(dst, dt);
}

static void mutate_symlink_target(const char *dst)
{
	const char *p = at(dst, "sym/rel");
	struct times t = get_times(p), dt = get_times(at(dst, "sym"));

	assert_int_equal(unlink(p), 0);
	make_symlink("../files/onE", p);
	if (fx.root)
		set_xattr(p, "trusted.sym", "s", 1);
	put_times(p, t);
	put_times(at(dst, "sym"), dt);
}

static void mutate_mtime_ns(const char *dst)
{
	struct times t = get_times(at(dst, "files/page"));

	t.ts[1].tv_nsec++;
	put_times(at(dst, "files/page"), t);
}

static void mutate_dir_mtime(const char *dst)
{
	struct times t = get_times(at(dst, "a/b"));

	t.ts[1].tv_sec++;
	put_times(at(dst, "a/b"), t);
}

static void mutate_type(const char *dst)
{
	const char *p = at(dst, "special/fifo");
	struct times t = get_times(p), dt = get_times(at(dst, "special"));

	assert_int_equal(unlink(p), 0);
	write_text(p, "", 0640);
	put_times(p, t);
	put_times(at(dst, "special"), dt);
}

static void mutate_rdev(const char *dst)
{
	const char *p = at(dst, "special/chr");
	struct times t = get_times(p), dt = get_times(at(dst, "special"));

	assert_int_equal(unlink(p), 0);
	assert_int_equal(mknod(p, S_IFCHR | 0620, makedev(240, 8)), 0);
	assert_int_equal(chmod(p, 0620), 0);
	put_times(p, t);
	put_times(at(dst, "special"), dt);
}

static void mutate_size(const char *dst)
{
	struct times t = get_times(at(dst, "files/trailing_hole"));

	set_size(at(dst, "files/trailing_hole"), TRAILING_SIZE + 4096);
	put_times(at(dst, "files/trailing_hole"), t);
}

static void mutate_root_mode(const char *dst)
{
	assert_int_equal(chmod(dst, 0700), 0);
}

static void check_mutation(const struct mutation *m)
{
	const char *dst;
	char *log;

	if (m->needs_root && !fx.root)
		skip();
	if (m->needs_user_xattrs && !fx.user_xattrs) {
		print_message("skipped: the test filesystem has no user xattrs\n");
		skip();
	}
	dst = copy_fixture(NULL, NULL);
	/* The unmutated copy passes: whatever fails below is the mutation's doing. */
	assert_int_equal(verify_captured(fx.src, dst, NULL, &log), 0);
	free(log);
	m->mutate(dst);
	assert_int_equal(verify_captured(fx.src, dst, NULL, &log), -EUCLEAN);
	assert_log_contains(log, m->expect);
	/* ...and nothing else: a mutation that also changed, say, an mtime would hide a miss. */
	assert_log_contains(log, ": 1 difference\n");
	free(log);
}

#define MUTATION_TEST(name, expect, root, xattrs)                                                  \
	static void test_verify_detects_##name(void **state)                                       \
	{                                                                                          \
		static const struct mutation m = {mutate_##name, expect, root, xattrs};            \
		(void)state;                                                                       \
		check_mutation(&m);                                                                \
	}

MUTATION_TEST(big_content, "'/files/big': contents differ from byte 1572871 on", false, false)
MUTATION_TEST(hole_content, "'/files/sparse': contents differ from byte 20971520 on", false, false)
MUTATION_TEST(last_byte, "'/files/sparse': contents differ from byte 33554431 on", false, false)
MUTATION_TEST(mode, "'/files/zero': mode 0644 in the source, 0600 in the copy", false, false)
MUTATION_TEST(setuid, "'/modes/suid': mode 4755 in the source, 0755 in the copy", false, false)
MUTATION_TEST(owner, "'/files/twin1': owner 0:0 in the source, 4321:0 in the copy", true, false)
MUTATION_TEST(group, "'/sym/abs': owner 0:0 in the source, 0:99 in the copy", true, false)
MUTATION_TEST(xattr_removed, "'/files/one': extended attribute 'user.bin' is missing from the copy",
	      false, true)
MUTATION_TEST(xattr_changed, "'/files/one': extended attribute 'user.a' differs", false, true)
MUTATION_TEST(xattr_added, "'/files/zero': extended attribute 'user.extra' is not in the source",
	      false, true)
MUTATION_TEST(link_broken,
	      "'/other/h3': is a hard link of '/links/h1' in the source, but not in the copy",
	      false, false)
MUTATION_TEST(link_added,
	      "'/files/twin2': is a hard link of '/files/twin1' in the copy, but not in the source",
	      false, false)
MUTATION_TEST(extra_file, "'/a/b/c/extra': not in the source", false, false)
MUTATION_TEST(missing_file, "'/a/b/c/deep.txt': missing from the copy", false, false)
MUTATION_TEST(missing_dir, "'/empty': missing from the copy", false, false)
MUTATION_TEST(symlink_target,
	      "'/sym/rel': symlink to '../files/one' in the source, to '../files/onE' in the copy",
	      false, false)
MUTATION_TEST(
	mtime_ns,
	"'/files/page': modification time 1300007000.777777778 in the source, 1300007000.777777779 in the copy",
	false, false)
MUTATION_TEST(
	dir_mtime,
	"'/a/b': modification time 1300002000.222222223 in the source, 1300002001.222222223 in the copy",
	false, false)
MUTATION_TEST(type, "'/special/fifo': FIFO in the source, regular file in the copy", false, false)
MUTATION_TEST(rdev, "'/special/chr': device 0xf007 in the source, 0xf008 in the copy", true, false)
MUTATION_TEST(size, "'/files/trailing_hole': size 8388608 in the source, 8392704 in the copy",
	      false, false)
MUTATION_TEST(root_mode, "'/': mode 0755 in the source, 0700 in the copy", false, false)

/* Many differences: the first ten are listed, all are counted. */
static void test_verify_lists_first_differences(void **state)
{
	const char *dst;
	char *log;
	size_t listed = 0;

	(void)state;
	dst = copy_fixture(NULL, NULL);
	struct times t = get_times(at(dst, "empty"));
	for (int i = 0; i < 12; i++) {
		char name[32];
		snprintf(name, sizeof(name), "empty/extra%02d", i);
		write_text(at(dst, name), "", 0644);
	}
	put_times(at(dst, "empty"), t);
	assert_int_equal(verify_captured(fx.src, dst, NULL, &log), -EUCLEAN);
	for (const char *p = log; (p = strstr(p, "not in the source")); p++)
		listed++;
	assert_int_equal(listed, 10);
	assert_log_contains(log, ": 12 differences\n");
	free(log);
}

/* --- exclusions, the destination, mounts ------------------------------------------------------ */

static void test_exclude(void **state)
{
	static const char *const exclude[] = {"files/big", "a/b", "/special/sock/", NULL};
	const struct copy_options opts = {.exclude = exclude};
	struct copy_stats cs, vs;
	const char *dst;
	char *log;
	struct stat st;

	(void)state;
	dst = copy_fixture(&opts, &cs);
	assert_int_equal(lstat(at(dst, "files/big"), &st), -1);
	assert_int_equal(lstat(at(dst, "a/b"), &st), -1);
	assert_int_equal(lstat(at(dst, "special/sock"), &st), -1);
	assert_true(S_ISREG(lstat_ok(at(dst, "files/one")).st_mode));
	assert_true(S_ISDIR(lstat_ok(at(dst, "a")).st_mode));
	assert_int_equal(cs.files, EXP_FILES - 2); /* big, a/b/c/deep.txt */
	assert_int_equal(cs.dirs, EXP_DIRS - 2);   /* a/b, a/b/c */
	assert_int_equal(cs.specials, expected_specials() - 1);
	assert_int_equal(cs.bytes, EXP_BYTES - BIG_SIZE - 5);

	assert_int_equal(copy_verify(fx.src, dst, &opts, &vs), 0);
	assert_memory_equal(&vs, &cs, sizeof(cs));
	assert_int_equal(verify_captured(fx.src, dst, NULL, &log), -EUCLEAN);
	assert_log_contains(log, "'/files/big': missing from the copy");
	assert_log_contains(log, "'/a/b': missing from the copy");
	free(log);
}

static void test_refuses_nonempty_destination(void **state)
{
	const char *dst = tmpdir();

	(void)state;
	write_text(at(dst, "junk"), "", 0644);
	assert_int_equal(copy_tree(fx.src, dst, NULL, NULL), -EEXIST);
	/* Nothing was written. */
	assert_int_equal(access(at(dst, "files"), F_OK), -1);

	dst = tmpdir();
	make_dir(at(dst, "lost+found"), 0700);
	write_text(at(dst, "lost+found/#12"), "", 0644);
	assert_int_equal(copy_tree(fx.src, dst, NULL, NULL), -EEXIST);
	assert_int_equal(access(at(dst, "files"), F_OK), -1);
}

/* mkfs's lost+found is kept; verify accepts it though the source has none. */
static void test_keeps_lost_found(void **state)
{
	const char *dst = tmpdir();
	struct stat st;

	(void)state;
	make_dir(at(dst, "lost+found"), 0700);
	assert_int_equal(copy_tree(fx.src, dst, NULL, NULL), 0);
	st = lstat_ok(at(dst, "lost+found"));
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(copy_verify(fx.src, dst, NULL, NULL), 0);
}

/* A source with its own lost+found is copied into the target's. */
static void test_copies_into_lost_found(void **state)
{
	const char *src = tmpdir(), *dst = tmpdir();
	char *log;

	(void)state;
	make_dir(at(src, "lost+found"), 0700);
	write_text(at(src, "lost+found/#4242"), "recovered\n", 0600);
	set_times(at(src, "lost+found"), BASE_SEC, 5);
	make_dir(at(dst, "lost+found"), 0755);
	assert_int_equal(copy_tree(src, dst, NULL, NULL), 0);
	assert_int_equal(lstat_ok(at(dst, "lost+found")).st_mode, S_IFDIR | 0700);
	assert_int_equal(lstat_ok(at(dst, "lost+found")).st_mtim.tv_nsec, 5);
	assert_same_contents(at(src, "lost+found/#4242"), at(dst, "lost+found/#4242"));
	assert_int_equal(copy_verify(src, dst, NULL, NULL), 0);

	/* At the root only: elsewhere a lost+found the source lacks is a difference. */
	make_dir(at(dst, "lost+found/lost+found"), 0700);
	put_times(at(dst, "lost+found"), get_times(at(src, "lost+found")));
	assert_int_equal(verify_captured(src, dst, NULL, &log), -EUCLEAN);
	assert_log_contains(log, "'/lost+found/lost+found': not in the source");
	free(log);
}

static void test_refuses_copy_into_itself(void **state)
{
	const char *src = tmpdir();

	(void)state;
	write_text(at(src, "file"), "x", 0644);
	make_dir(at(src, "target"), 0755);
	assert_int_equal(copy_tree(src, at(src, "target"), NULL, NULL), -ELOOP);
}

/* Mounts in a private mount namespace: they vanish with the test process. */
static bool private_mounts(void)
{
	if (!fx.root)
		return false;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		print_message("skipped: no private mount namespace: %s\n", strerror(errno));
		return false;
	}
	return true;
}

static void test_does_not_cross_mounts(void **state)
{
	const char *src = tmpdir(), *dst = tmpdir();
	struct copy_stats cs;
	struct stat st;

	(void)state;
	if (!private_mounts())
		skip();
	write_text(at(src, "file"), "x", 0644);
	make_dir(at(src, "mnt"), 0755);
	write_text(at(src, "mnt/hidden"), "under the mount\n", 0644);
	assert_int_equal(mount("none", at(src, "mnt"), "tmpfs", 0, "mode=0711,uid=12,gid=34"), 0);
	write_text(at(src, "mnt/on-tmpfs"), "x", 0644);
	make_dir(at(src, "mnt/dir"), 0755);

	int r = copy_tree(src, dst, NULL, &cs);
	int v = copy_verify(src, dst, NULL, NULL);
	assert_int_equal(umount2(at(src, "mnt"), MNT_DETACH), 0);
	assert_int_equal(r, 0);
	assert_int_equal(v, 0);
	st = lstat_ok(at(dst, "mnt"));
	assert_int_equal(st.st_mode, S_IFDIR | 0711);
	assert_int_equal(st.st_uid, 12);
	assert_int_equal(st.st_gid, 34);
	assert_int_equal(lstat(at(dst, "mnt/on-tmpfs"), &st), -1);
	assert_int_equal(lstat(at(dst, "mnt/dir"), &st), -1);
	assert_int_equal(cs.files, 1);
	assert_int_equal(cs.dirs, 2);
}

/* A target that cannot store an xattr the source has fails the copy, loudly. */
static void test_fails_when_target_lacks_xattrs(void **state)
{
	const char *src = tmpdir(), *dst = tmpdir();

	(void)state;
	if (!fx.user_xattrs) {
		print_message("skipped: the test filesystem has no user xattrs\n");
		skip();
	}
	if (!private_mounts())
		skip();
	write_text(at(src, "file"), "x", 0644);
	set_xattr(at(src, "file"), "user.a", "1", 1);
	/* ramfs stores no xattrs at all. */
	assert_int_equal(mount("none", dst, "ramfs", 0, NULL), 0);
	int r = copy_tree(src, dst, NULL, NULL);
	assert_int_equal(umount2(dst, MNT_DETACH), 0);
	assert_int_equal(r, -EOPNOTSUPP);
}

/* --- copy_update_tree ---------------------------------------------------------------------- */

static void build_small_tree(const char *r)
{
	make_dir(at(r, "etc"), 0755);
	write_text(at(r, "etc/hostname"), "old\n", 0644);
	set_times(at(r, "etc/hostname"), BASE_SEC, 0);
	make_dir(at(r, "var"), 0755);
	make_dir(at(r, "var/log"), 0755);
	write_text(at(r, "var/log/grows"), "line 1\n", 0644);
	write_text(at(r, "var/log/mode"), "m\n", 0644);
	write_text(at(r, "var/log/same"), "s\n", 0644);
	write_text(at(r, "var/log/old"), "o\n", 0644);
	make_dir(at(r, "var/log/sub"), 0755);
	write_text(at(r, "var/log/sub/x"), "x\n", 0644);
	make_dir(at(r, "var/log/gone"), 0755);
	write_text(at(r, "var/log/gone/y"), "y\n", 0644);
	make_symlink("same", at(r, "var/log/link"));
}

static void change_small_tree(const char *r)
{
	pwrite_at(at(r, "var/log/grows"), 7, "line 2\n", 7);
	assert_int_equal(chmod(at(r, "var/log/mode"), 0600), 0);
	assert_int_equal(unlink(at(r, "var/log/old")), 0);
	assert_int_equal(unlink(at(r, "var/log/gone/y")), 0);
	assert_int_equal(rmdir(at(r, "var/log/gone")), 0);
	write_text(at(r, "var/log/new"), "new\n", 0644);
	make_dir(at(r, "var/log/newdir"), 0750);
	write_text(at(r, "var/log/newdir/n"), "n\n", 0644);
	assert_int_equal(link(at(r, "var/log/newdir/n"), at(r, "var/log/newdir/n2")), 0);
	/* A file turned into a directory and a directory into a symlink. */
	assert_int_equal(unlink(at(r, "var/log/sub/x")), 0);
	make_dir(at(r, "var/log/sub/x"), 0755);
	assert_int_equal(unlink(at(r, "var/log/link")), 0);
	make_symlink("grows", at(r, "var/log/link"));
	if (fx.user_xattrs)
		set_xattr(at(r, "var/log/same"), "user.tag", "1", 1);
	write_text(at(r, "etc/hostname"), "new\n", 0644);
	set_times(at(r, "etc/hostname"), BASE_SEC + 1, 0);
}

static void test_update_tree(void **state)
{
	static const char *const skip_hostname[] = {"etc/hostname", NULL};
	const struct copy_options opts = {.exclude = skip_hostname};
	const char *src = tmpdir(), *dst = tmpdir();
	char *log;
	struct stat same_before;

	(void)state;
	build_small_tree(src);
	assert_int_equal(copy_tree(src, dst, NULL, NULL), 0);
	same_before = lstat_ok(at(dst, "var/log/sub"));
	change_small_tree(src);
	assert_int_equal(verify_captured(src, dst, &opts, &log), -EUCLEAN);
	free(log);

	assert_int_equal(copy_update_tree(src, dst, &opts), 0);
	assert_int_equal(copy_verify(src, dst, &opts, NULL), 0);
	/* What is excluded stays as it was... */
	char *hostname = test_read_file(at(dst, "etc/hostname"));
	assert_string_equal(hostname, "old\n");
	free(hostname);
	assert_int_equal(verify_captured(src, dst, NULL, &log), -EUCLEAN);
	assert_log_contains(
		log,
		"'/etc/hostname': modification time 1300000001.000000000 in the source, 1300000000.000000000 in the copy");
	assert_log_contains(log, "'/etc/hostname': contents differ from byte 0 on");
	assert_log_contains(log, ": 2 differences\n");
	free(log);
	/* ...and an unchanged directory was kept, not made again. */
	assert_int_equal(lstat_ok(at(dst, "var/log/sub")).st_ino, same_before.st_ino);
	assert_int_equal(lstat_ok(at(dst, "var/log/newdir/n")).st_ino,
			 lstat_ok(at(dst, "var/log/newdir/n2")).st_ino);

	/* A second run has nothing to do: the unchanged file keeps its inode. */
	ino_t ino = lstat_ok(at(dst, "var/log/grows")).st_ino;
	assert_int_equal(copy_update_tree(src, dst, &opts), 0);
	assert_int_equal(lstat_ok(at(dst, "var/log/grows")).st_ino, ino);
	assert_int_equal(copy_verify(src, dst, &opts, NULL), 0);
}

/* Files made or removed after the copy, and a file only the copy has that is excluded. */
static void test_update_new_and_removed(void **state)
{
	static const char *const own[] = {"etc/mdadm.conf", NULL};
	const struct copy_options opts = {.exclude = own};
	const char *src = tmpdir(), *dst = tmpdir();

	(void)state;
	build_small_tree(src);
	assert_int_equal(copy_tree(src, dst, NULL, NULL), 0);
	write_text(at(dst, "etc/mdadm.conf"), "ARRAY /dev/md0\n", 0644);
	make_dir(at(src, "var/newlogs"), 0755);
	write_text(at(src, "var/newlogs/a"), "a\n", 0644);
	test_rm_rf(at(src, "var/log"));
	assert_int_equal(copy_update_tree(src, dst, &opts), 0);
	assert_int_equal(access(at(dst, "var/log"), F_OK), -1);
	assert_int_equal(access(at(dst, "var/newlogs/a"), F_OK), 0);
	/* Only the copy has it, and it is excluded: kept. */
	assert_int_equal(access(at(dst, "etc/mdadm.conf"), F_OK), 0);
	assert_int_equal(copy_verify(src, dst, &opts, NULL), 0);
}

static void assert_umount(const char *dir)
{
	assert_int_equal(umount(dir), 0);
}

/* What another filesystem mounted inside the copy holds (a bind-mounted /dev) is not touched. */
static void test_update_leaves_mounts_alone(void **state)
{
	const char *src = tmpdir(), *dst = tmpdir();

	(void)state;
	if (!test_is_root())
		skip();
	build_small_tree(src);
	make_dir(at(src, "dev"), 0755);
	assert_int_equal(copy_tree(src, dst, NULL, NULL), 0);
	assert_int_equal(mount("tmpfs", at(dst, "dev"), "tmpfs", 0, "mode=0755"), 0);
	write_text(at(dst, "dev/console"), "the installer's\n", 0600);
	assert_int_equal(copy_update_tree(src, dst, NULL), 0);
	char *text = test_read_file(at(dst, "dev/console"));
	assert_umount(at(dst, "dev"));
	assert_non_null(text);
	assert_string_equal(text, "the installer's\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_whole_tree),
		cmocka_unit_test(test_copy_scanning_for_holes),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_verify_detects_big_content),
		cmocka_unit_test(test_verify_detects_hole_content),
		cmocka_unit_test(test_verify_detects_last_byte),
		cmocka_unit_test(test_verify_detects_mode),
		cmocka_unit_test(test_verify_detects_setuid),
		cmocka_unit_test(test_verify_detects_owner),
		cmocka_unit_test(test_verify_detects_group),
		cmocka_unit_test(test_verify_detects_xattr_removed),
		cmocka_unit_test(test_verify_detects_xattr_changed),
		cmocka_unit_test(test_verify_detects_xattr_added),
		cmocka_unit_test(test_verify_detects_link_broken),
		cmocka_unit_test(test_verify_detects_link_added),
		cmocka_unit_test(test_verify_detects_extra_file),
		cmocka_unit_test(test_verify_detects_missing_file),
		cmocka_unit_test(test_verify_detects_missing_dir),
		cmocka_unit_test(test_verify_detects_symlink_target),
		cmocka_unit_test(test_verify_detects_mtime_ns),
		cmocka_unit_test(test_verify_detects_dir_mtime),
		cmocka_unit_test(test_verify_detects_type),
		cmocka_unit_test(test_verify_detects_rdev),
		cmocka_unit_test(test_verify_detects_size),
		cmocka_unit_test(test_verify_detects_root_mode),
		cmocka_unit_test(test_verify_lists_first_differences),
		cmocka_unit_test(test_exclude),
		cmocka_unit_test(test_refuses_nonempty_destination),
		cmocka_unit_test(test_keeps_lost_found),
		cmocka_unit_test(test_copies_into_lost_found),
		cmocka_unit_test(test_refuses_copy_into_itself),
		cmocka_unit_test(test_update_tree),
		cmocka_unit_test(test_update_new_and_removed),
		cmocka_unit_test(test_update_leaves_mounts_alone),
		cmocka_unit_test(test_does_not_cross_mounts),
		cmocka_unit_test(test_fails_when_target_lacks_xattrs),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
