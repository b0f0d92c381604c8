// SPDX-License-Identifier: GPL-2.0-only
#include "fsclone.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

/* The superblock: 1024 bytes at byte 1024, whatever the block size. */
#define SB_OFFSET FSCLONE_SUPERBLOCK_OFFSET
#define SB_SIZE	  FSCLONE_SUPERBLOCK_BYTES

enum {
	SB_BLOCKS_COUNT = 0x04,
	SB_FREE_BLOCKS = 0x0c,
	SB_FIRST_DATA_BLOCK = 0x14,
	SB_LOG_BLOCK_SIZE = 0x18,
	SB_BLOCKS_PER_GROUP = 0x20,
	SB_MAGIC = 0x38,
	SB_STATE = 0x3a,
	SB_FEATURE_COMPAT = 0x5c,
	SB_FEATURE_INCOMPAT = 0x60,
	SB_FEATURE_RO_COMPAT = 0x64,
	SB_UUID = 0x68,
	SB_JOURNAL_INUM = 0xe0,
	SB_DESC_SIZE = 0xfe,
	SB_BLOCKS_COUNT_HI = 0x150,
	SB_FREE_BLOCKS_HI = 0x158,
};

#define EXT_MAGIC    0xef53
#define STATE_VALID  0x1
#define STATE_ERRORS 0x2

/* Group descriptor fields. */
#define GD_BLOCK_BITMAP	   0x00
#define GD_BLOCK_BITMAP_HI 0x20
#define GD_SIZE		   32u
#define GD_SIZE_64BIT_MIN  64u

#define COMPAT_HAS_JOURNAL 0x4
#define INCOMPAT_RECOVER   0x4
#define INCOMPAT_64BIT	   0x80

/* The unit of copying and of reading back: small enough for an installer running from RAM. */
#define RUN_MAX (1u << 20)

enum feature_field { COMPAT, INCOMPAT, RO_COMPAT, FEATURE_FIELDS };

static const char *const feature_field_names[FEATURE_FIELDS] = {
	"s_feature_compat",
	"s_feature_incompat",
	"s_feature_ro_compat",
};

/*
 * Features under which the block bitmaps, all read from where the group
 * descriptors say, name every block in use.  Recovery is accepted only
 * while mounted (see fsclone_probe()).
 */
static const uint32_t features_cloneable[FEATURE_FIELDS] = {
	/* dir_prealloc, has_journal, ext_attr, resize_inode, dir_index */
	[COMPAT] = 0x1 | 0x4 | 0x8 | 0x10 | 0x20,
	/* filetype, recover, extents, 64bit, flex_bg */
	[INCOMPAT] = 0x2 | 0x4 | 0x40 | 0x80 | 0x200,
	/* sparse_super, large_file, btree_dir, huge_file, dir_nlink, extra_isize */
	[RO_COMPAT] = 0x1 | 0x2 | 0x4 | 0x8 | 0x20 | 0x40,
};

#define UNINIT_BITMAPS "block bitmaps of uninitialised groups are not on disk"
#define UNCHECKED      "xsraid does not know that the block bitmaps describe every used block with it"

static const struct feature {
	enum feature_field field;
	uint32_t mask;
	const char *name;
	const char *why;
} features_refused[] = {
	{COMPAT, 0x2, "imagic_inodes", UNCHECKED},
	{COMPAT, 0x40, "lazy_bg", UNINIT_BITMAPS},
	{COMPAT, 0x80, "exclude_inode", UNCHECKED},
	{COMPAT, 0x100, "exclude_bitmap", UNCHECKED},
	{COMPAT, 0x200, "sparse_super2", "backup superblocks are not where sparse_super puts them"},
	{COMPAT, 0x400, "fast_commit", UNCHECKED},
	{COMPAT, 0x800, "stable_inodes", UNCHECKED},
	{COMPAT, 0x1000, "orphan_file", UNCHECKED},
	{INCOMPAT, 0x1, "compression", UNCHECKED},
	{INCOMPAT, 0x8, "journal_dev", "it is an external journal, not a filesystem"},
	{INCOMPAT, 0x10, "meta_bg", "group descriptors are not all after the superblock"},
	{INCOMPAT, 0x100, "mmp", UNCHECKED},
	{INCOMPAT, 0x400, "ea_inode", UNCHECKED},
	{INCOMPAT, 0x1000, "dirdata", UNCHECKED},
	{INCOMPAT, 0x2000, "metadata_csum_seed", UNCHECKED},
	{INCOMPAT, 0x4000, "large_dir", UNCHECKED},
	{INCOMPAT, 0x8000, "inline_data", UNCHECKED},
	{INCOMPAT, 0x10000, "encrypt", UNCHECKED},
	{INCOMPAT, 0x20000, "casefold", UNCHECKED},
	{RO_COMPAT, 0x10, "uninit_bg", UNINIT_BITMAPS},
	{RO_COMPAT, 0x80, "snapshot", UNCHECKED},
	{RO_COMPAT, 0x100, "quota", UNCHECKED},
	{RO_COMPAT, 0x200, "bigalloc", "a bitmap bit stands for a cluster of blocks, not a block"},
	{RO_COMPAT, 0x400, "metadata_csum", UNINIT_BITMAPS},
	{RO_COMPAT, 0x800, "replica", UNCHECKED},
	{RO_COMPAT, 0x1000, "read-only", UNCHECKED},
	{RO_COMPAT, 0x2000, "project", UNCHECKED},
	{RO_COMPAT, 0x4000, "shared_blocks", UNCHECKED},
	{RO_COMPAT, 0x8000, "verity", UNCHECKED},
	{RO_COMPAT, 0x10000, "orphan_present", UNCHECKED},
};

/* What the walk over the bitmaps needs beyond struct fsclone_info. */
struct geometry {
	struct fsclone_info info;
	uint32_t first_data_block;
	uint32_t blocks_per_group;
	uint32_t desc_size;
	uint32_t groups;
	bool has_64bit;
};

/*
 * Reads at byte offsets and lengths of any alignment from a file that may be
 * open with O_DIRECT: each read is widened to whole logical blocks of the
 * device into an aligned buffer of @cap bytes.
 */
struct reader {
	const char *path;
	int fd;
	uint32_t align;
	uint8_t *buf;
	size_t cap;
};

/* The logical block size (what O_DIRECT needs) and the size in bytes of what @fd opens. */
static int dev_geometry(int fd, uint32_t *ret_align, uint64_t *ret_size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode)) {
		int ssz = 0;
		uint64_t size = 0;

		if (ioctl(fd, BLKSSZGET, &ssz) < 0 || ioctl(fd, BLKGETSIZE64, &size) < 0)
			return -errno;
		if (ssz < 512 || (ssz & (ssz - 1)))
			return -EINVAL;
		*ret_align = (uint32_t)ssz;
		*ret_size = size;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return -ENOTBLK;
	/* An image file: 4096 suits O_DIRECT on disks with sectors of up to 4 KiB. */
	*ret_align = 4096;
	*ret_size = (uint64_t)st.st_size;
	return 0;
}

static void reader_init(struct reader *r, const char *path, int fd, uint32_t align, size_t max_len)
{
	void *p = NULL;

	r->path = path;
	r->fd = fd;
	r->align = align;
	r->cap = max_len + 2 * (size_t)align;
	if (posix_memalign(&p, align < 4096 ? 4096 : align, r->cap) != 0)
		abort();
	r->buf = p;
}

static void reader_free(struct reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* Points *@ret at @len bytes read from byte @off. */
static int reader_read(struct reader *r, uint64_t off, size_t len, const uint8_t **ret,
		       struct buf *err)
{
	uint64_t start = off - off % r->align;
	uint64_t end = (off + len + r->align - 1) / r->align * r->align;
	ssize_t n;

	if (end - start > r->cap)
		abort(); /* callers read at most what the buffer was made for */
	/* At the end of a file of a size no block divides, the read comes up short. */
	n = pread_full(r->fd, r->buf, (size_t)(end - start), start);
	if (n < 0) {
		buf_printf(err, "cannot read %s at byte %" PRIu64 " (%zu bytes): %s", r->path, off,
			   len, strerror((int)-n));
		return (int)n;
	}
	if ((uint64_t)n < off + len - start) {
		buf_printf(err,
			   "cannot read %s at byte %" PRIu64
			   " (%zu bytes): it ends at byte %" PRIu64,
			   r->path, off, len, start + (uint64_t)n);
		return -EIO;
	}
	*ret = r->buf + (off - start);
	return 0;
}

static int refuse(struct buf *why, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct buf *why, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(why, fmt, ap);
	va_end(ap);
	return r;
}

/* blkid's rule: ext2 and ext3 differ by the journal; any later feature makes it ext4. */
static const char *blkid_type(const uint32_t f[FEATURE_FIELDS])
{
	/* filetype, recover, meta_bg; sparse_super, large_file, btree_dir */
	if ((f[INCOMPAT] & ~(uint32_t)(0x2 | 0x4 | 0x10)) || (f[RO_COMPAT] & ~(uint32_t)0x7))
		return "ext4";
	return f[COMPAT] & COMPAT_HAS_JOURNAL ? "ext3" : "ext2";
}

static int check_features(const uint32_t f[FEATURE_FIELDS], struct buf *why)
{
	for (int field = 0; field < FEATURE_FIELDS; field++) {
		uint32_t extra = f[field] & ~features_cloneable[field];

		if (!extra)
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(features_refused); i++) {
			const struct feature *ft = &features_refused[i];

			if ((int)ft->field == field && (extra & ft->mask))
				return refuse(why, -ENOTSUP, "the ext4 feature %s: %s", ft->name,
					      ft->why);
		}
		return refuse(why, -ENOTSUP, "the ext4 feature bit 0x%x of %s: unknown to xsraid",
			      extra & -extra, feature_field_names[field]);
	}
	return 0;
}

static int check_state(const uint8_t *sb, const uint32_t f[FEATURE_FIELDS], struct buf *why)
{
	uint32_t state = get_le16(sb + SB_STATE);

	if (f[INCOMPAT] & INCOMPAT_RECOVER)
		return refuse(
			why, -ENOTSUP,
			"it was not cleanly unmounted (needs_recovery): its journal must be replayed first (mount and unmount it, or run e2fsck)");
	if (state & STATE_ERRORS)
		return refuse(
			why, -ENOTSUP,
			"it has errors recorded (s_state 0x%x has ERROR_FS): run e2fsck -f on it first",
			state);
	if (!(state & STATE_VALID))
		return refuse(
			why, -ENOTSUP,
			"it was not cleanly unmounted (s_state 0x%x lacks VALID_FS): run e2fsck on it first",
			state);
	return 0;
}

static int parse_superblock(const uint8_t *sb, bool mounted_ok, struct geometry *g, struct buf *why)
{
	uint32_t f[FEATURE_FIELDS];
	uint32_t log_bs = get_le32(sb + SB_LOG_BLOCK_SIZE), bs, gdt_blocks;
	const uint8_t *u = sb + SB_UUID;
	int r;

	memset(g, 0, sizeof(*g));
	if (get_le16(sb + SB_MAGIC) != EXT_MAGIC)
		return refuse(why, -EINVAL,
			      "no ext2/3/4 superblock: the magic at byte %u is 0x%04x, not 0x%04x",
			      SB_OFFSET + SB_MAGIC, get_le16(sb + SB_MAGIC), EXT_MAGIC);
	f[COMPAT] = get_le32(sb + SB_FEATURE_COMPAT);
	f[INCOMPAT] = get_le32(sb + SB_FEATURE_INCOMPAT);
	f[RO_COMPAT] = get_le32(sb + SB_FEATURE_RO_COMPAT);

	if (log_bs > 6)
		return refuse(why, -EINVAL,
			      "s_log_block_size %" PRIu32
			      " is impossible: block sizes go from 1 KiB (0) to 64 KiB (6)",
			      log_bs);
	bs = 1024u << log_bs;
	g->info.block_size = bs;
	g->blocks_per_group = get_le32(sb + SB_BLOCKS_PER_GROUP);
	if (g->blocks_per_group != 8 * bs)
		return refuse(why, -EINVAL,
			      "s_blocks_per_group %" PRIu32 " is not %" PRIu32
			      ", the bits of one %" PRIu32 "-byte bitmap block",
			      g->blocks_per_group, 8 * bs, bs);
	g->first_data_block = get_le32(sb + SB_FIRST_DATA_BLOCK);
	if (g->first_data_block != (bs == 1024 ? 1u : 0u))
		return refuse(why, -EINVAL,
			      "s_first_data_block %" PRIu32
			      " is not %u, where the superblock is with %" PRIu32 "-byte blocks",
			      g->first_data_block, bs == 1024 ? 1u : 0u, bs);

	r = check_features(f, why);
	if (r < 0)
		return r;
	g->has_64bit = f[INCOMPAT] & INCOMPAT_64BIT;
	g->info.blocks = get_le32(sb + SB_BLOCKS_COUNT);
	g->info.free_blocks = get_le32(sb + SB_FREE_BLOCKS);
	g->desc_size = GD_SIZE;
	if (g->has_64bit) {
		g->info.blocks |= (uint64_t)get_le32(sb + SB_BLOCKS_COUNT_HI) << 32;
		g->info.free_blocks |= (uint64_t)get_le32(sb + SB_FREE_BLOCKS_HI) << 32;
		g->desc_size = get_le16(sb + SB_DESC_SIZE);
		if (g->desc_size < GD_SIZE_64BIT_MIN || g->desc_size > 1024 ||
		    (g->desc_size & (g->desc_size - 1)))
			return refuse(why, -EINVAL,
				      "s_desc_size %" PRIu32
				      " is impossible with 64bit: a power of two from 64 to 1024",
				      g->desc_size);
	}
	if (g->info.blocks > UINT64_MAX / bs / 2)
		return refuse(why, -EINVAL, "s_blocks_count %" PRIu64 " is impossible",
			      g->info.blocks);
	if (g->info.free_blocks > g->info.blocks)
		return refuse(why, -EINVAL,
			      "s_free_blocks_count %" PRIu64
			      " is more than s_blocks_count %" PRIu64,
			      g->info.free_blocks, g->info.blocks);
	if (g->info.blocks <= g->first_data_block ||
	    (g->info.blocks - g->first_data_block - 1) / g->blocks_per_group >= UINT32_MAX)
		return refuse(why, -EINVAL, "s_blocks_count %" PRIu64 " is impossible",
			      g->info.blocks);
	g->groups =
		(uint32_t)((g->info.blocks - g->first_data_block - 1) / g->blocks_per_group + 1);
	gdt_blocks = (uint32_t)(((uint64_t)g->groups * g->desc_size + bs - 1) / bs);
	if ((uint64_t)g->first_data_block + 1 + gdt_blocks > g->info.blocks)
		return refuse(why, -EINVAL,
			      "s_blocks_count %" PRIu64
			      " leaves no room for the descriptors of its %" PRIu32 " groups",
			      g->info.blocks, g->groups);
	if ((f[COMPAT] & COMPAT_HAS_JOURNAL) && get_le32(sb + SB_JOURNAL_INUM) == 0)
		return refuse(
			why, -ENOTSUP,
			"s_journal_inum is 0: its journal is on another device, which a clone would not carry");
	if (!mounted_ok) {
		r = check_state(sb, f, why);
		if (r < 0)
			return r;
	}

	g->info.fs_bytes = g->info.blocks * bs;
	str_copy(g->info.fstype, sizeof(g->info.fstype), blkid_type(f));
	snprintf(g->info.uuid, sizeof(g->info.uuid),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
		 u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
		 u[15]);
	return 0;
}

/* Reads and checks the superblock through @rd, of a device of @size bytes. */
static int probe_reader(struct reader *rd, uint64_t size, bool mounted_ok, struct geometry *g,
			struct buf *why)
{
	const uint8_t *sb;
	int r;

	if (size < SB_OFFSET + SB_SIZE)
		return refuse(why, -EINVAL,
			      "no ext2/3/4 superblock: %" PRIu64 " bytes are too few to hold one",
			      size);
	r = reader_read(rd, SB_OFFSET, SB_SIZE, &sb, why);
	return r < 0 ? r : parse_superblock(sb, mounted_ok, g, why);
}

int fsclone_parse_superblock(const uint8_t sb[FSCLONE_SUPERBLOCK_BYTES], bool mounted_ok,
			     struct fsclone_info *ret, struct buf *why)
{
	struct geometry g;
	int r = parse_superblock(sb, mounted_ok, &g, why);

	if (r == 0)
		*ret = g.info;
	return r;
}

int fsclone_probe(int fd, bool mounted_ok, struct fsclone_info *ret, struct buf *why)
{
	struct reader rd;
	struct geometry g;
	uint32_t align;
	uint64_t size;
	int r = dev_geometry(fd, &align, &size);

	if (r < 0)
		return refuse(why, r, "cannot tell its size: %s", strerror(-r));
	reader_init(&rd, "the device", fd, align, SB_SIZE);
	r = probe_reader(&rd, size, mounted_ok, &g, why);
	reader_free(&rd);
	if (r == 0)
		*ret = g.info;
	return r;
}

/*
 * A walk over the used blocks in order, merged into runs of at most RUN_MAX
 * bytes, each handed to @fn.  Every walk over the same unchanged source
 * yields the same runs, so the read-back sees exactly what the copy wrote.
 */
struct walk {
	const struct geometry *g;
	struct reader *meta; /* the source, one block at a time */
	int (*fn)(struct walk *w, uint64_t off, uint32_t len);
	void *ctx;
	uint64_t run_off;
	uint32_t run_len;
	struct buf *err;
};

static int walk_flush(struct walk *w)
{
	int r = 0;

	if (w->run_len)
		r = w->fn(w, w->run_off, w->run_len);
	w->run_len = 0;
	return r;
}

static int walk_add(struct walk *w, uint64_t off, uint32_t len)
{
	int r = 0;

	if (w->run_len && w->run_off + w->run_len == off && w->run_len + len <= RUN_MAX) {
		w->run_len += len;
		return 0;
	}
	r = walk_flush(w);
	w->run_off = off;
	w->run_len = len;
	return r;
}

/* The block number of group @group's block bitmap, checked to lie inside the filesystem. */
static int bitmap_block(struct walk *w, uint32_t group, uint64_t *ret)
{
	const struct geometry *g = w->g;
	uint32_t bs = g->info.block_size;
	uint64_t pos = (uint64_t)(g->first_data_block + 1) * bs + (uint64_t)group * g->desc_size;
	const uint8_t *d;
	uint64_t blk;
	int r = reader_read(w->meta, pos, g->desc_size, &d, w->err);

	if (r < 0)
		return r;
	blk = get_le32(d + GD_BLOCK_BITMAP);
	if (g->has_64bit)
		blk |= (uint64_t)get_le32(d + GD_BLOCK_BITMAP_HI) << 32;
	if (blk <= g->first_data_block || blk >= g->info.blocks) {
		buf_printf(w->err,
			   "%s: bg_block_bitmap of group %" PRIu32 " (descriptor at byte %" PRIu64
			   ") is block %" PRIu64 ", outside the filesystem of %" PRIu64
			   " blocks: run e2fsck -f on it",
			   w->meta->path, group, pos, blk, g->info.blocks);
		return -EINVAL;
	}
	*ret = blk;
	return 0;
}

static int walk_group(struct walk *w, uint32_t group)
{
	const struct geometry *g = w->g;
	uint32_t bs = g->info.block_size;
	uint64_t first = g->first_data_block + (uint64_t)group * g->blocks_per_group;
	uint64_t left = g->info.blocks - first;
	/* The last group may be short: bits past s_blocks_count are padding, set by mke2fs. */
	uint32_t nbits = left < g->blocks_per_group ? (uint32_t)left : g->blocks_per_group;
	const uint8_t *bits;
	uint64_t blk;
	int r = bitmap_block(w, group, &blk);

	if (r < 0)
		return r;
	r = reader_read(w->meta, blk * bs, bs, &bits, w->err);
	for (uint32_t i = 0; r == 0 && i < nbits; i++) {
		if (bits[i / 8] == 0 && i % 8 == 0) {
			i += 7;
			continue;
		}
		if (bits[i / 8] & (1u << (i % 8)))
			r = walk_add(w, (first + i) * bs, bs);
	}
	return r;
}

static int walk(struct walk *w)
{
	const struct geometry *g = w->g;
	int r = 0;

	w->run_len = 0;
	/* Block 0 of a filesystem with 1 KiB blocks is in no group: the boot block. */
	if (g->first_data_block)
		r = walk_add(w, 0, g->first_data_block * g->info.block_size);
	for (uint32_t group = 0; r == 0 && group < g->groups; group++)
		r = walk_group(w, group);
	return r < 0 ? r : walk_flush(w);
}

struct clone {
	const char *src, *dst;
	struct reader src_data, dst_data;
	int dst_fd; /* for writing */
	fsclone_progress_fn progress;
	void *userdata;
	uint64_t used, done, reported;
	struct fsclone_stats stats;
};

static void show_progress(struct clone *c)
{
	/* Often enough for a progress bar, not once per run of a fragmented filesystem. */
	if (c->progress && (c->done - c->reported >= (16u << 20) || c->done == 2 * c->used)) {
		c->progress(c->done, 2 * c->used, c->userdata);
		c->reported = c->done;
	}
}

static int count_run(struct walk *w, uint64_t off, uint32_t len)
{
	struct clone *c = w->ctx;

	(void)off;
	c->used += len;
	return 0;
}

static int copy_run(struct walk *w, uint64_t off, uint32_t len)
{
	struct clone *c = w->ctx;
	const uint8_t *data;
	int r = reader_read(&c->src_data, off, len, &data, w->err);

	if (r < 0)
		return r;
	r = pwrite_all(c->dst_fd, data, len, off);
	if (r < 0) {
		buf_printf(w->err, "cannot write %s at byte %" PRIu64 " (%" PRIu32 " bytes): %s",
			   c->dst, off, len, strerror(-r));
		return r;
	}
	c->stats.runs++;
	c->stats.bytes_copied += len;
	c->done += len;
	show_progress(c);
	return 0;
}

static int verify_run(struct walk *w, uint64_t off, uint32_t len)
{
	struct clone *c = w->ctx;
	const uint8_t *want, *got;
	int r = reader_read(&c->src_data, off, len, &want, w->err);

	if (r == 0)
		r = reader_read(&c->dst_data, off, len, &got, w->err);
	if (r < 0)
		return r;
	if (memcmp(want, got, len) != 0) {
		uint32_t i = 0;

		while (want[i] == got[i])
			i++;
		buf_printf(w->err,
			   "%s differs from %s at byte %" PRIu64
			   " after the copy: read back 0x%02x, copied 0x%02x",
			   c->dst, c->src, off + i, got[i], want[i]);
		return -EIO;
	}
	c->stats.bytes_verified += len;
	c->done += len;
	show_progress(c);
	return 0;
}

/*
 * Opens @path exclusively (a block device that is mounted or held is
 * refused) and, with @direct, with O_DIRECT where the filesystem allows it.
 * Without O_DIRECT, what the page cache holds of it is dropped, so reads go
 * to the disk.  Returns the fd or -errno.
 */
static int open_dev(const char *path, int flags, bool direct)
{
	int fd = -1;

	if (direct)
		fd = open(path, flags | O_DIRECT | O_CLOEXEC);
	if (fd < 0 && (!direct || errno == EINVAL)) {
		fd = open(path, flags | O_CLOEXEC);
		if (fd >= 0)
			(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	}
	return fd < 0 ? -errno : fd;
}

static int open_failed(struct buf *err, const char *path, int r)
{
	buf_printf(err, "cannot open %s: %s", path,
		   r == -EBUSY ? "it is in use (mounted, or part of an array)" : strerror(-r));
	return r;
}

/* Everything before the first write: the source's superblock, sizes, and every bitmap's place. */
static int prepare(struct clone *c, int src_fd, struct geometry *g, struct reader *meta,
		   struct buf *err)
{
	struct buf why = BUF_INIT;
	uint32_t align, dst_align;
	uint64_t size, dst_size;
	struct walk w = {.g = g, .meta = meta, .fn = count_run, .ctx = c, .err = err};
	int r = dev_geometry(src_fd, &align, &size);

	if (r < 0) {
		buf_printf(err, "cannot tell the size of %s: %s", c->src, strerror(-r));
		return r;
	}
	reader_init(meta, c->src, src_fd, align, 1u << 16);
	r = probe_reader(meta, size, false, g, &why);
	if (r < 0) {
		buf_printf(err, "%s cannot be cloned block by block: %s", c->src, why.data);
		buf_free(&why);
		return r;
	}
	reader_init(&c->src_data, c->src, src_fd, align, RUN_MAX);
	if (size < g->info.fs_bytes) {
		buf_printf(err,
			   "%s is %" PRIu64 " bytes, smaller than the filesystem on it (%" PRIu64
			   " bytes): it was cut short",
			   c->src, size, g->info.fs_bytes);
		return -EINVAL;
	}
	r = dev_geometry(c->dst_fd, &dst_align, &dst_size);
	if (r < 0) {
		buf_printf(err, "cannot tell the size of %s: %s", c->dst, strerror(-r));
		return r;
	}
	if (dst_size < g->info.fs_bytes) {
		buf_printf(err,
			   "%s is %" PRIu64 " bytes, too small for the filesystem of %s (%" PRIu64
			   " bytes)",
			   c->dst, dst_size, c->src, g->info.fs_bytes);
		return -ENOSPC;
	}
	return walk(&w);
}

/* Reads back what was copied, from both sides, past the page cache. */
static int verify(struct clone *c, struct walk *w, struct buf *err)
{
	uint32_t align;
	uint64_t size;
	int r, fd;

	if (fsync(c->dst_fd) < 0) {
		r = -errno;
		buf_printf(err, "cannot flush %s: %s", c->dst, strerror(-r));
		return r;
	}
	fd = open_dev(c->dst, O_RDONLY, true);
	if (fd < 0)
		return open_failed(err, c->dst, fd);
	r = dev_geometry(fd, &align, &size);
	if (r < 0) {
		buf_printf(err, "cannot tell the size of %s: %s", c->dst, strerror(-r));
	} else {
		reader_init(&c->dst_data, c->dst, fd, align, RUN_MAX);
		w->fn = verify_run;
		r = walk(w);
		reader_free(&c->dst_data);
	}
	close(fd);
	return r;
}

int fsclone_copy(const char *src, const char *dst, fsclone_progress_fn progress, void *userdata,
		 struct fsclone_stats *stats, struct buf *err)
{
	struct clone c = {
		.src = src, .dst = dst, .dst_fd = -1, .progress = progress, .userdata = userdata};
	struct reader meta = {0};
	struct geometry g;
	struct walk w = {.g = &g, .meta = &meta, .fn = copy_run, .ctx = &c, .err = err};
	int src_fd = open_dev(src, O_RDONLY | O_EXCL, true);
	int r;

	if (src_fd < 0)
		return open_failed(err, src, src_fd);
	c.dst_fd = open(dst, O_WRONLY | O_EXCL | O_CLOEXEC);
	if (c.dst_fd < 0) {
		r = open_failed(err, dst, -errno);
		goto out;
	}
	r = prepare(&c, src_fd, &g, &meta, err);
	if (r < 0)
		goto out;
	r = walk(&w);
	if (r < 0)
		goto out;
	r = verify(&c, &w, err);
	if (r < 0)
		goto out;
	if (stats)
		*stats = c.stats;
out:
	reader_free(&c.src_data);
	reader_free(&meta);
	if (c.dst_fd >= 0)
		close(c.dst_fd);
	close(src_fd);
	return r;
}
