// SPDX-License-Identifier: GPL-2.0-only
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first. */
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fsclone.h"
#include "testlib.h"
#include "util.h"

/*
 * Real filesystems made by mke2fs -d from one tree of files, cloned into
 * files filled with FILL, then judged by e2fsprogs: e2fsck accepts the
 * clone, debugfs reads every file back out of it, and dumpe2fs's list of
 * free blocks says which blocks must still hold FILL.
 */

#define FILL	    0xa5
#define UUID	    "0b1c2d3e-4f50-4162-8374-95a6b7c8d9e0"
#define BIG_SIZE    (5u << 20) /* crosses the 8 MiB groups of a 1 KiB-block filesystem */
#define SPARSE_SIZE (16u << 20)
#define SYMLINK_LONG                                                                               \
	"sub/a-target-longer-than-the-sixty-bytes-an-inode-holds-so-it-takes-a-block-of-its-own"

static struct {
	char *dir;  /* for images */
	char *tree; /* what every image holds */
	bool xattr;
} fx;

/* The regular files of the tree, by path inside it. */
static const char *const files[] = {
	"empty", "small.txt", "page", "odd", "big", "sparse", "dir/sub/deep.txt", "dir/hard",
};

static char *at(const char *dir, const char *rel)
{
	return path_join(dir, rel);
}

/* Deterministic bytes that no two offsets of a block share by chance. */
static void pattern(uint8_t *p, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

static void write_bytes(const char *dir, const char *rel, size_t len, uint32_t seed)
{
	char *path = at(dir, rel);
	uint8_t *data = xmalloc(len ? len : 1);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	pattern(data, len, seed);
	assert_int_equal(pwrite_all(fd, data, len, 0), 0);
	assert_int_equal(close(fd), 0);
	free(data);
	free(path);
}

static int setup(void **state)
{
	char *p;
	int fd;

	(void)state;
	fx.dir = test_mkdtemp();
	fx.tree = at(fx.dir, "tree");
	p = at(fx.tree, "dir/sub");
	assert_int_equal(mkdir_p(p, 0755), 0);
	free(p);
	write_bytes(fx.tree, "empty", 0, 1);
	write_bytes(fx.tree, "small.txt", 6, 2);
	write_bytes(fx.tree, "page", 4096, 3);
	write_bytes(fx.tree, "odd", 123457, 4);
	write_bytes(fx.tree, "big", BIG_SIZE, 5);
	write_bytes(fx.tree, "dir/sub/deep.txt", 1000, 6);

	/* Data at the start and in the middle, a hole between and after. */
	p = at(fx.tree, "sparse");
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(pwrite_all(fd, "start", 5, 0), 0);
	assert_int_equal(pwrite_all(fd, "middle", 6, 10u << 20), 0);
	assert_int_equal(ftruncate(fd, SPARSE_SIZE), 0);
	assert_int_equal(close(fd), 0);
	free(p);

	char *odd = at(fx.tree, "odd"), *hard = at(fx.tree, "dir/hard");
	assert_int_equal(link(odd, hard), 0);
	free(odd);
	free(hard);
	char *fast = at(fx.tree, "link"), *slow = at(fx.tree, "dir/longlink");
	assert_int_equal(symlink("dir/sub/deep.txt", fast), 0);
	assert_int_equal(symlink(SYMLINK_LONG, slow), 0);
	free(fast);
	free(slow);

	/* Not every filesystem under $TMPDIR takes user xattrs; when it does, mke2fs copies them.
	 */
	p = at(fx.tree, "small.txt");
	fx.xattr = setxattr(p, "user.xsraid", "kept", 4, 0) == 0;
	free(p);
	return 0;
}

static int teardown(void **state)
{
	free(fx.tree);
	free(fx.dir);
	return test_cleanup_tmpdirs(state);
}

/* mke2fs @type with @extra options (NULL-terminated) on a new @size_mib image @name in @dir. */
static char *make_fs(const char *dir, const char *name, const char *type, unsigned block_size,
		     unsigned size_mib, const char *const *extra)
{
	char *img = at(dir, name);
	struct strv argv = STRV_INIT;

	strv_pushf(&argv, "mkfs.%s", type);
	strv_push(&argv, "-F");
	strv_push(&argv, "-q");
	strv_pushf(&argv, "-b%u", block_size);
	strv_push(&argv, "-U" UUID);
	strv_push(&argv, "-d");
	strv_push(&argv, fx.tree);
	for (size_t i = 0; extra && extra[i]; i++)
		strv_push(&argv, extra[i]);
	strv_push(&argv, img);
	strv_pushf(&argv, "%uM", size_mib);
	assert_int_equal(test_run((const char *const *)argv.v), 0);
	strv_free(&argv);
	return img;
}

#define OPTS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* A file of @size bytes of FILL. */
static char *make_filled(const char *dir, const char *name, uint64_t size)
{
	char *path = at(dir, name);
	uint8_t *chunk = xmalloc(1u << 20);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	memset(chunk, FILL, 1u << 20);
	for (uint64_t off = 0; off < size; off += 1u << 20) {
		size_t n = size - off < (1u << 20) ? (size_t)(size - off) : 1u << 20;
		assert_int_equal(pwrite_all(fd, chunk, n, off), 0);
	}
	assert_int_equal(close(fd), 0);
	free(chunk);
	return path;
}

/* Asserts @path is @size bytes of FILL: nothing was written to it. */
static void assert_untouched(const char *path, uint64_t size)
{
	struct stat st;
	uint8_t *chunk = xmalloc(1u << 20);
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal((uint64_t)st.st_size, size);
	for (uint64_t off = 0; off < size; off += 1u << 20) {
		size_t n = size - off < (1u << 20) ? (size_t)(size - off) : 1u << 20;
		assert_int_equal(pread_exact(fd, chunk, n, off), 0);
		for (size_t i = 0; i < n; i++)
			if (chunk[i] != FILL)
				fail_msg("%s was written at byte %llu", path,
					 (unsigned long long)(off + i));
	}
	close(fd);
	free(chunk);
}

/* What dumpe2fs says of an image: its geometry and, per block, whether it is free. */
struct layout {
	uint32_t block_size;
	uint64_t blocks, free_blocks;
	uint8_t *is_free; /* one byte per block */
	uint64_t nfree;	  /* blocks listed free in the groups */
	char uuid[37];
};

static uint64_t header_value(const char *text, const char *field)
{
	const char *p = strstr(text, field);
	uint64_t v = 0;

	if (!p)
		fail_msg("dumpe2fs printed no '%s'", field);
	p += strlen(field);
	while (*p == ' ')
		p++;
	for (; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	return v;
}

static void read_layout(const char *img, struct layout *l)
{
	char *out = NULL;
	const char *p, *u;

	assert_int_equal(test_run_capture(OPTS("dumpe2fs", img), &out), 0);
	l->block_size = (uint32_t)header_value(out, "\nBlock size:");
	l->blocks = header_value(out, "\nBlock count:");
	l->free_blocks = header_value(out, "\nFree blocks:");
	u = strstr(out, "Filesystem UUID:");
	assert_non_null(u);
	u += strlen("Filesystem UUID:");
	while (*u == ' ')
		u++;
	str_copy(l->uuid, sizeof(l->uuid), u);
	l->is_free = xcalloc(l->blocks, 1);
	l->nfree = 0;
	/* Each group's "  Free blocks: 1658-8192, 8300" (the header's has no indent). */
	for (p = strstr(out, "  Free blocks: "); p; p = strstr(p, "  Free blocks: ")) {
		p += strlen("  Free blocks: ");
		while (*p >= '0' && *p <= '9') {
			char *end;
			uint64_t a = strtoull(p, &end, 10), b = a;

			if (*end == '-')
				b = strtoull(end + 1, &end, 10);
			assert_true(a <= b && b < l->blocks);
			for (uint64_t blk = a; blk <= b; blk++) {
				assert_false(l->is_free[blk]);
				l->is_free[blk] = 1;
				l->nfree++;
			}
			p = end;
			if (*p == ',')
				p += 2;
		}
	}
	free(out);
}

/*
 * The clone @dst of @src: every block dumpe2fs lists as used is the
 * source's, every free block and everything past the filesystem still
 * FILL, so exactly the used blocks were written.
 */
static void assert_exact_clone(const char *src, const char *dst, const struct layout *l,
			       uint64_t dst_size)
{
	uint32_t bs = l->block_size;
	uint8_t *a = xmalloc(bs), *b = xmalloc(bs);
	int sfd = open(src, O_RDONLY), dfd = open(dst, O_RDONLY);
	struct stat st;

	assert_true(sfd >= 0 && dfd >= 0);
	assert_int_equal(fstat(dfd, &st), 0);
	assert_int_equal((uint64_t)st.st_size, dst_size);
	for (uint64_t blk = 0; blk < l->blocks; blk++) {
		assert_int_equal(pread_exact(dfd, b, bs, blk * bs), 0);
		if (l->is_free[blk]) {
			for (uint32_t i = 0; i < bs; i++)
				if (b[i] != FILL)
					fail_msg("free block %llu of %s was written",
						 (unsigned long long)blk, dst);
			continue;
		}
		assert_int_equal(pread_exact(sfd, a, bs, blk * bs), 0);
		if (memcmp(a, b, bs) != 0)
			fail_msg("used block %llu of %s differs from %s", (unsigned long long)blk,
				 dst, src);
	}
	close(sfd);
	close(dfd);
	free(a);
	free(b);
	uint64_t fs_bytes = l->blocks * bs;
	int fd = open(dst, O_RDONLY);
	uint8_t *tail = xmalloc((size_t)(dst_size - fs_bytes));
	assert_int_equal(pread_exact(fd, tail, (size_t)(dst_size - fs_bytes), fs_bytes), 0);
	for (size_t i = 0; i < dst_size - fs_bytes; i++)
		if (tail[i] != FILL)
			fail_msg("%s was written past its filesystem, at byte %llu", dst,
				 (unsigned long long)(fs_bytes + i));
	close(fd);
	free(tail);
}

/* What debugfs, run on @img, prints for @request. */
static char *debugfs(const char *img, const char *request)
{
	char *out = NULL;

	assert_int_equal(test_run_capture(OPTS("debugfs", "-R", request, img), &out), 0);
	return out;
}

/* The file system as a user sees it: e2fsck is content, and every file reads back. */
static void assert_fs_holds_tree(const char *img)
{
	char *out, *dumped = at(fx.dir, "dumped");

	assert_int_equal(test_run(OPTS("e2fsck", "-fn", img)), 0);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		struct buf want = BUF_INIT, got = BUF_INIT;
		char *orig = at(fx.tree, files[i]);
		char *req = xasprintf("dump /%s %s", files[i], dumped);
		unlink(dumped);
		free(debugfs(img, req));
		assert_int_equal(read_file(orig, 64u << 20, &want), 0);
		if (read_file(dumped, 64u << 20, &got) < 0)
			fail_msg("debugfs could not read /%s out of %s", files[i], img);
		if (want.len != got.len || memcmp(want.data, got.data, want.len) != 0)
			fail_msg("/%s in %s is not the original", files[i], img);
		buf_free(&want);
		buf_free(&got);
		free(orig);
		free(req);
	}
	out = debugfs(img, "stat /link");
	assert_non_null(strstr(out, "Fast link dest: \"dir/sub/deep.txt\""));
	free(out);
	out = debugfs(img, "cat /dir/longlink");
	assert_string_equal(out, SYMLINK_LONG);
	free(out);
	out = debugfs(img, "stat /odd");
	assert_non_null(strstr(out, "Links: 2"));
	free(out);
	if (fx.xattr) {
		out = debugfs(img, "ea_get /small.txt user.xsraid");
		assert_non_null(strstr(out, "kept"));
		free(out);
	}
	free(dumped);
}

/* Changes @img the way debugfs -w -R @request does. */
static void debugfs_write(const char *img, const char *request)
{
	assert_int_equal(test_run(OPTS("debugfs", "-w", "-R", request, img)), 0);
}

struct progress_seen {
	uint64_t calls, last_done, last_total;
};

static void on_progress(uint64_t done, uint64_t total, void *userdata)
{
	struct progress_seen *p = userdata;

	assert_true(done >= p->last_done);
	assert_true(done <= total);
	if (p->calls)
		assert_int_equal(total, p->last_total);
	p->calls++;
	p->last_done = done;
	p->last_total = total;
}

/* Makes a filesystem, checks what fsclone_probe() says of it, clones it and judges the clone. */
static void clone_and_check(const char *dir, const char *type, unsigned block_size,
			    unsigned size_mib, const char *const *extra, const char *fstype)
{
	char *src = make_fs(dir, "src.img", type, block_size, size_mib, extra);
	struct layout l;
	struct fsclone_info info;
	struct fsclone_stats stats = {0};
	struct progress_seen seen = {0};
	struct buf why = BUF_INIT, err = BUF_INIT;
	uint64_t dst_size;
	char *dst;
	int fd = open(src, O_RDONLY);

	read_layout(src, &l);
	assert_true(fd >= 0);
	assert_int_equal(fsclone_probe(fd, false, &info, &why), 0);
	close(fd);
	assert_int_equal(info.block_size, block_size);
	assert_int_equal(l.block_size, block_size);
	assert_int_equal(info.blocks, l.blocks);
	assert_int_equal(info.fs_bytes, l.blocks * block_size);
	assert_int_equal(info.free_blocks, l.free_blocks);
	assert_string_equal(info.fstype, fstype);
	assert_string_equal(info.uuid, UUID);
	assert_string_equal(l.uuid, UUID);

	/* A larger destination, of a size no block divides. */
	dst_size = info.fs_bytes + (1u << 20) + 512;
	dst = make_filled(dir, "dst.img", dst_size);
	if (fsclone_copy(src, dst, on_progress, &seen, &stats, &err) != 0)
		fail_msg("%s", err.data);
	assert_int_equal(err.len, 0);

	assert_int_equal(stats.bytes_copied, (l.blocks - l.nfree) * block_size);
	assert_int_equal(stats.bytes_verified, stats.bytes_copied);
	assert_true(stats.runs >= 1 && stats.runs * (1u << 20) >= stats.bytes_copied);
	assert_true(seen.calls >= 1);
	assert_int_equal(seen.last_total, 2 * stats.bytes_copied);
	assert_int_equal(seen.last_done, seen.last_total);

	assert_exact_clone(src, dst, &l, dst_size);
	assert_fs_holds_tree(dst);
	free(l.is_free);
	unlink(src);
	unlink(dst);
	free(src);
	free(dst);
}

static void test_ext2_1k(void **state)
{
	(void)state;
	clone_and_check(fx.dir, "ext2", 1024, 24, NULL, "ext2");
}

static void test_ext3_1k(void **state)
{
	(void)state;
	clone_and_check(fx.dir, "ext3", 1024, 24, NULL, "ext3");
}

/* Two groups of 128 MiB, the second one short. */
static void test_ext3_4k(void **state)
{
	(void)state;
	clone_and_check(fx.dir, "ext3", 4096, 160, NULL, "ext3");
}

static void test_ext4_4k_flex_bg_64bit(void **state)
{
	(void)state;
	clone_and_check(fx.dir, "ext4", 4096, 160,
			OPTS("-O", "^metadata_csum,^uninit_bg,flex_bg,64bit"), "ext4");
}

static void test_ext4_1k_flex_bg_64bit(void **state)
{
	(void)state;
	clone_and_check(fx.dir, "ext4", 1024, 24,
			OPTS("-O", "^metadata_csum,^uninit_bg,flex_bg,64bit"), "ext4");
}

/*
 * Where O_DIRECT is refused (tmpfs before Linux 6.6), the page cache is
 * dropped and read through instead; the clone must be just as exact.
 * Skipped where /dev/shm takes O_DIRECT too.
 */
static bool direct_io_refused(const char *dir)
{
	char *path = at(dir, "direct");
	int fd = open(path, O_RDWR | O_CREAT | O_DIRECT, 0644);
	bool refused = fd < 0 && errno == EINVAL;

	if (fd >= 0)
		close(fd);
	unlink(path);
	free(path);
	return refused;
}

static void test_without_direct_io(void **state)
{
	char *dir = xstrdup("/dev/shm/xsraid-test-XXXXXX");
	bool refused = mkdtemp(dir) && direct_io_refused(dir);

	(void)state;
	if (refused)
		clone_and_check(dir, "ext3", 1024, 24, NULL, "ext3");
	test_rm_rf(dir);
	free(dir);
	if (!refused)
		skip();
}

/* fsclone_probe() on @img: the result, with its reason in @why. */
static int probe(const char *img, bool mounted_ok, struct buf *why)
{
	struct fsclone_info info;
	int fd = open(img, O_RDONLY);
	int r;

	assert_true(fd >= 0);
	buf_reset(why);
	r = fsclone_probe(fd, mounted_ok, &info, why);
	close(fd);
	return r;
}

/* fsclone_copy() from @src refuses with @want and @words in its message, writing nothing. */
static void assert_copy_refused(const char *src, uint64_t dst_size, int want, const char *words)
{
	char *dst = make_filled(fx.dir, "dst.img", dst_size);
	struct fsclone_stats stats = {7, 7, 7};
	struct buf err = BUF_INIT;
	int r = fsclone_copy(src, dst, NULL, NULL, &stats, &err);

	if (r != want || !strstr(err.data ? err.data : "", words))
		fail_msg("got %d '%s', wanted %d and '%s'", r, err.data ? err.data : "", want,
			 words);
	assert_null(strchr(err.data, '\n'));
	assert_int_equal(stats.runs, 7);
	assert_untouched(dst, dst_size);
	unlink(dst);
	free(dst);
	buf_free(&err);
}

static void assert_probe_refused(const char *img, bool mounted_ok, int want, const char *words)
{
	struct buf why = BUF_INIT;
	int r = probe(img, mounted_ok, &why);

	if (r != want || !strstr(why.data ? why.data : "", words))
		fail_msg("got %d '%s', wanted %d and '%s'", r, why.data ? why.data : "", want,
			 words);
	assert_null(strchr(why.data, '\n'));
	buf_free(&why);
}

static void test_refuses_metadata_csum(void **state)
{
	char *img = make_fs(fx.dir, "csum.img", "ext4", 4096, 16, NULL);

	(void)state;
	assert_probe_refused(
		img, true, -ENOTSUP,
		"the ext4 feature metadata_csum: block bitmaps of uninitialised groups are not on disk");
	assert_copy_refused(img, 32u << 20, -ENOTSUP, "metadata_csum");
	unlink(img);
	free(img);
}

static void test_refuses_uninit_bg(void **state)
{
	char *img = make_fs(fx.dir, "uninit.img", "ext4", 4096, 16,
			    OPTS("-O", "^metadata_csum,uninit_bg"));

	(void)state;
	assert_probe_refused(
		img, false, -ENOTSUP,
		"the ext4 feature uninit_bg: block bitmaps of uninitialised groups are not on disk");
	unlink(img);
	free(img);
}

static void test_needs_recovery_only_while_mounted(void **state)
{
	char *img = make_fs(fx.dir, "recover.img", "ext3", 4096, 16, NULL);
	struct buf why = BUF_INIT;

	(void)state;
	debugfs_write(img, "feature needs_recovery");
	assert_probe_refused(img, false, -ENOTSUP, "it was not cleanly unmounted (needs_recovery)");
	assert_int_equal(probe(img, true, &why), 0);
	assert_copy_refused(img, 32u << 20, -ENOTSUP, "needs_recovery");
	buf_free(&why);
	unlink(img);
	free(img);
}

static void test_state_only_while_mounted(void **state)
{
	char *img = make_fs(fx.dir, "state.img", "ext3", 1024, 8, NULL);
	struct buf why = BUF_INIT;

	(void)state;
	/* What a read-write mount leaves on disk: the clean flag cleared. */
	debugfs_write(img, "ssv state 0");
	assert_probe_refused(img, false, -ENOTSUP,
			     "not cleanly unmounted (s_state 0x0 lacks VALID_FS)");
	assert_int_equal(probe(img, true, &why), 0);
	assert_copy_refused(img, 16u << 20, -ENOTSUP, "VALID_FS");
	debugfs_write(img, "ssv state 3");
	assert_probe_refused(img, false, -ENOTSUP, "errors recorded (s_state 0x3 has ERROR_FS)");
	assert_int_equal(probe(img, true, &why), 0);
	buf_free(&why);
	unlink(img);
	free(img);
}

static void test_destination_one_block_short(void **state)
{
	char *img = make_fs(fx.dir, "short.img", "ext3", 4096, 16, NULL);
	char *words = xasprintf("dst.img is %u bytes, too small", (16u << 20) - 4096);

	(void)state;
	assert_copy_refused(img, (16u << 20) - 4096, -ENOSPC, words);
	free(words);
	unlink(img);
	free(img);
}

static void test_source_cut_short(void **state)
{
	char *img = make_fs(fx.dir, "cut.img", "ext2", 1024, 8, NULL);

	(void)state;
	assert_int_equal(truncate(img, (8u << 20) - 1024), 0);
	assert_copy_refused(img, 16u << 20, -EINVAL, "smaller than the filesystem on it");
	unlink(img);
	free(img);
}

static void test_not_ext(void **state)
{
	char *img = make_filled(fx.dir, "zeros.img", 4u << 20);
	char *tiny = make_filled(fx.dir, "tiny.img", 1500);

	(void)state;
	assert_probe_refused(
		img, true, -EINVAL,
		"no ext2/3/4 superblock: the magic at byte 1080 is 0xa5a5, not 0xef53");
	assert_copy_refused(img, 8u << 20, -EINVAL, "no ext2/3/4 superblock");
	assert_probe_refused(tiny, true, -EINVAL, "no ext2/3/4 superblock: 1500 bytes are too few");
	unlink(img);
	unlink(tiny);
	free(img);
	free(tiny);
}

static void test_impossible_geometry(void **state)
{
	char *img = make_fs(fx.dir, "geo.img", "ext2", 1024, 8, NULL);

	(void)state;
	debugfs_write(img, "ssv log_block_size 7");
	assert_probe_refused(img, true, -EINVAL, "s_log_block_size 7 is impossible");
	unlink(img);
	free(img);
}

/* A block bitmap outside the filesystem is found before the first write. */
static void test_bitmap_outside(void **state)
{
	char *img = make_fs(fx.dir, "bitmap.img", "ext3", 1024, 24, NULL);

	(void)state;
	debugfs_write(img, "set_bg 2 block_bitmap 99999");
	assert_copy_refused(
		img, 32u << 20, -EINVAL,
		"bg_block_bitmap of group 2 (descriptor at byte 2112) is block 99999, outside the filesystem of 24576 blocks");
	unlink(img);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ext2_1k),
		cmocka_unit_test(test_ext3_1k),
		cmocka_unit_test(test_ext3_4k),
		cmocka_unit_test(test_ext4_4k_flex_bg_64bit),
		cmocka_unit_test(test_ext4_1k_flex_bg_64bit),
		cmocka_unit_test(test_without_direct_io),
		cmocka_unit_test(test_refuses_metadata_csum),
		cmocka_unit_test(test_refuses_uninit_bg),
		cmocka_unit_test(test_needs_recovery_only_while_mounted),
		cmocka_unit_test(test_state_only_while_mounted),
		cmocka_unit_test(test_destination_one_block_short),
		cmocka_unit_test(test_source_cut_short),
		cmocka_unit_test(test_not_ext),
		cmocka_unit_test(test_impossible_geometry),
		cmocka_unit_test(test_bitmap_outside),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
