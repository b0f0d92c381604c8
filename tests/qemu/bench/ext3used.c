// SPDX-License-Identifier: GPL-2.0-only
/*
 * ext3used: the used blocks of an ext2/ext3 filesystem, read from its block
 * bitmaps, for the benchmark's limit: the used blocks written once to the
 * second disk (tests/qemu/bench/guest/limit.sh).
 *
 *	ext3used copy SRC DST OFFSET	write every block in use in SRC's
 *					filesystem to DST at OFFSET bytes plus
 *					its place in SRC, in runs of up to
 *					1 MiB, and nothing else; then fsync
 *	ext3used count DEV		print the blocks in use and the block size
 *
 * Only the layouts XenServer 6's mkfs.ext3 makes: 32-bit block numbers, group
 * descriptors right after the superblock (no meta_bg), bitmaps that are
 * always initialised (no uninit_bg); anything else is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SB_OFFSET		1024
#define EXT2_MAGIC		0xEF53
#define INCOMPAT_META_BG	0x0010
#define INCOMPAT_64BIT		0x0080
#define RO_COMPAT_GDT_CSUM	0x0010
#define RO_COMPAT_METADATA_CSUM 0x0400
#define DESC_SIZE		32
#define RUN_MAX			(1u << 20)

struct fs {
	const char *dev;
	int fd;
	uint32_t block_size;
	uint32_t blocks;
	uint32_t first_data_block;
	uint32_t blocks_per_group;
	uint32_t groups;
	uint8_t *desc;
};

static void die(const char *what, const char *dev)
{
	fprintf(stderr, "ext3used: %s %s: %s\n", what, dev, errno ? strerror(errno) : "invalid");
	exit(2);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void read_at(const struct fs *fs, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fs->fd, (uint8_t *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			die("cannot read", fs->dev);
		}
		done += (size_t)n;
	}
}

static int open_dev(const char *dev, int flags)
{
	int fd = open(dev, flags | O_CLOEXEC);

	if (fd < 0)
		die("cannot open", dev);
	return fd;
}

static void fs_open(struct fs *fs, const char *dev)
{
	uint8_t sb[1024];

	fs->dev = dev;
	fs->fd = open_dev(dev, O_RDONLY);
	errno = 0;
	read_at(fs, sb, sizeof(sb), SB_OFFSET);
	if (le16(sb + 56) != EXT2_MAGIC)
		die("no ext2/ext3 filesystem on", dev);
	uint32_t incompat = le32(sb + 96), ro_compat = le32(sb + 100);
	if (incompat & (INCOMPAT_META_BG | INCOMPAT_64BIT) ||
	    ro_compat & (RO_COMPAT_GDT_CSUM | RO_COMPAT_METADATA_CSUM))
		die("a layout other than ext3's (meta_bg, 64bit, uninit_bg) on", dev);
	fs->blocks = le32(sb + 4);
	fs->first_data_block = le32(sb + 20);
	fs->block_size = 1024u << le32(sb + 24);
	fs->blocks_per_group = le32(sb + 32);
	if (fs->block_size > 65536 || fs->blocks_per_group == 0 ||
	    fs->blocks_per_group > fs->block_size * 8 || fs->blocks <= fs->first_data_block)
		die("an implausible superblock on", dev);
	fs->groups = (fs->blocks - fs->first_data_block + fs->blocks_per_group - 1) /
		     fs->blocks_per_group;
	size_t len = (size_t)fs->groups * DESC_SIZE;
	fs->desc = malloc(len);
	if (!fs->desc)
		die("out of memory for", dev);
	read_at(fs, fs->desc, len, (uint64_t)(fs->first_data_block + 1) * fs->block_size);
}

/* Calls FN for each run of used blocks [first, first + n). */
static void each_used_run(const struct fs *fs,
			  void (*fn)(const struct fs *, uint32_t, uint32_t, void *), void *arg)
{
	uint8_t *bitmap = malloc(fs->block_size);

	if (!bitmap)
		die("out of memory for", fs->dev);
	for (uint32_t g = 0; g < fs->groups; g++) {
		uint32_t at = le32(fs->desc + (size_t)g * DESC_SIZE);
		if (at >= fs->blocks) {
			errno = 0;
			die("a block bitmap outside the filesystem on", fs->dev);
		}
		read_at(fs, bitmap, fs->block_size, (uint64_t)at * fs->block_size);
		uint32_t base = fs->first_data_block + g * fs->blocks_per_group;
		uint32_t run = 0, n = 0;
		for (uint32_t i = 0; i < fs->blocks_per_group && base + i < fs->blocks; i++) {
			if (bitmap[i / 8] & (1u << (i % 8))) {
				if (n == 0)
					run = base + i;
				if (++n * fs->block_size >= RUN_MAX) {
					fn(fs, run, n, arg);
					n = 0;
				}
			} else if (n) {
				fn(fs, run, n, arg);
				n = 0;
			}
		}
		if (n)
			fn(fs, run, n, arg);
	}
	free(bitmap);
}

struct copy {
	const char *dst;
	int fd;
	uint64_t offset, blocks;
	uint8_t *buf;
};

static void copy_run(const struct fs *fs, uint32_t first, uint32_t n, void *arg)
{
	struct copy *c = arg;
	size_t len = (size_t)n * fs->block_size, done = 0;
	uint64_t off = (uint64_t)first * fs->block_size;

	read_at(fs, c->buf, len, off);
	while (done < len) {
		ssize_t w =
			pwrite(c->fd, c->buf + done, len - done, (off_t)(c->offset + off + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("cannot write", c->dst);
		done += (size_t)w;
	}
	c->blocks += n;
}

static void count_run(const struct fs *fs, uint32_t first, uint32_t n, void *arg)
{
	(void)fs;
	(void)first;
	*(uint64_t *)arg += n;
}

int main(int argc, char **argv)
{
	struct fs fs;

	if (argc == 5 && strcmp(argv[1], "copy") == 0) {
		struct copy c = {.dst = argv[3],
				 .offset = strtoull(argv[4], NULL, 10),
				 .buf = malloc(RUN_MAX)};
		if (!c.buf)
			die("out of memory for", argv[2]);
		fs_open(&fs, argv[2]);
		c.fd = open_dev(argv[3], O_WRONLY);
		each_used_run(&fs, copy_run, &c);
		if (fsync(c.fd) < 0)
			die("cannot flush", argv[3]);
		printf("ext3used: %llu blocks of %u bytes copied from %s to %s at byte %llu\n",
		       (unsigned long long)c.blocks, fs.block_size, argv[2], argv[3],
		       (unsigned long long)c.offset);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "count") == 0) {
		uint64_t n = 0;
		fs_open(&fs, argv[2]);
		each_used_run(&fs, count_run, &n);
		printf("%llu %u\n", (unsigned long long)n, fs.block_size);
		return 0;
	}
	fprintf(stderr, "usage: ext3used copy SRC DST OFFSET | count DEV\n");
	return 2;
}
