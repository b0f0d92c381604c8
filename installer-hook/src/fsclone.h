/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_FSCLONE_H
#define XSRAID_FSCLONE_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

/**
 * Cloning an ext2/3/4 filesystem block by block: the fast way to put the
 * installed root onto the new array.
 *
 * Only the blocks the filesystem uses, as its own block bitmaps say, are
 * copied, each to the same byte offset of the destination; the bytes before
 * the first block group (the 1 KiB boot block of a filesystem with 1 KiB
 * blocks) are copied too, so the clone is the same filesystem, UUID and
 * all.  Nothing else of the destination is written: what lay in the free
 * blocks stays there, which no reader of the filesystem ever sees.
 *
 * Only layouts whose block bitmaps are all on disk and cover every block
 * are cloned: ext2, ext3, and ext4 without uninit_bg or metadata_csum (the
 * features that leave the bitmaps of untouched groups unwritten).  What
 * the XenServer installers make (ext3) is among them; anything else is
 * refused with a reason, and the caller copies file by file (copy.h).
 * The superblock is parsed here, without libblkid or e2fsprogs.
 */

struct fsclone_info {
	uint32_t block_size;
	uint64_t blocks;      /* s_blocks_count */
	uint64_t fs_bytes;    /* blocks * block_size: the size the destination must have */
	uint64_t free_blocks; /* from the superblock */
	char fstype[8];	      /* "ext2", "ext3" or "ext4", as blkid would name it */
	char uuid[37];	      /* lower case, with dashes */
};

/* Where the superblock lies in the filesystem, and its size. */
#define FSCLONE_SUPERBLOCK_OFFSET 1024u
#define FSCLONE_SUPERBLOCK_BYTES  1024u

/*
 * What fsclone_probe() decides, from the superblock's bytes alone (read by
 * the caller, e.g. from inside a whole disk): the same refusals but the
 * ones about the device's size.
 */
int fsclone_parse_superblock(const uint8_t sb[FSCLONE_SUPERBLOCK_BYTES], bool mounted_ok,
			     struct fsclone_info *ret, struct buf *why);

/*
 * Reads the ext2/3/4 superblock of @fd (a partition or an image file, read
 * from offset 0; O_DIRECT or not).  Returns 0 when the filesystem can be
 * cloned from its bitmaps, with @ret filled in; -EINVAL when there is no
 * ext2/3/4 superblock or its geometry is impossible, -ENOTSUP when a
 * feature or the state stands in the way, each with one line in @why
 * naming the field or feature and why; -errno when @fd cannot be read.
 *
 * @mounted_ok: the filesystem is mounted right now (planning while the
 * installer still has it mounted), so needs_recovery and a state that is
 * not clean (a read-write mount clears the clean flag on disk) are
 * accepted.  fsclone_copy() never accepts them.
 */
int fsclone_probe(int fd, bool mounted_ok, struct fsclone_info *ret, struct buf *why);

/* What fsclone_copy() did; @bytes_verified equals @bytes_copied when it returns 0. */
struct fsclone_stats {
	uint64_t runs; /* contiguous pieces copied, each at most 1 MiB */
	uint64_t bytes_copied;
	uint64_t bytes_verified;
};

/*
 * Progress callback: @done grows from 0 to @total, which counts every used
 * byte twice, once for the copy and once for the read-back.
 */
typedef void (*fsclone_progress_fn)(uint64_t done, uint64_t total, void *userdata);

/*
 * Copies every block the filesystem on @src uses to the same offsets of
 * @dst (both existing partitions or files; @dst is never created or
 * truncated), in runs of up to 1 MiB, fsyncs @dst, then reads every run
 * back from both sides, bypassing the page cache, and compares them.
 *
 * Both are opened exclusively, so a mounted block device is refused
 * (-EBUSY).  Before writing anything it probes @src with mounted_ok=false
 * (-ENOTSUP or -EINVAL as fsclone_probe() refuses), reads every group
 * descriptor and checks that each block bitmap lies inside the
 * filesystem (-EINVAL), and refuses with -ENOSPC when @dst is smaller
 * than fs_bytes, or -EINVAL when @src is.  Returns 0, or -errno with one
 * line in @err naming the device, the byte offset and what failed (-EIO
 * when what was read back differs); after a failure mid-way @dst holds a
 * partial clone.  @progress may be NULL.  @stats is written only on
 * success.
 *
 * Memory: two buffers of 1 MiB (one per side) and one of 64 KiB for the
 * bitmaps and descriptors, whatever the size of the filesystem.
 */
int fsclone_copy(const char *src, const char *dst, fsclone_progress_fn progress, void *userdata,
		 struct fsclone_stats *stats, struct buf *err);

#endif
