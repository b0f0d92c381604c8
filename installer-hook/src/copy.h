/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_COPY_H
#define XSRAID_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * Copying the installed root filesystem onto the new array, and proving the
 * copy is complete before anything on the first disk is touched.
 *
 * copy_tree() reproduces everything a root filesystem can hold: regular
 * files (sparse files stay sparse), directories, symlinks, hard links (the
 * link structure, not duplicated data), device nodes, FIFOs and sockets;
 * owner, group, mode including setuid/setgid/sticky, extended attributes
 * (including security.* and POSIX ACLs stored as xattrs), and access and
 * modification times (directory times are set after their contents).  It
 * does not cross into other filesystems (like cp -x): mount points found
 * below @src are created as empty directories.  Special files on which
 * the target filesystem cannot store something (e.g. an xattr namespace it
 * does not support) make the copy fail: a silently incomplete root is worse
 * than no RAID.
 *
 * copy_verify() walks both trees and compares them the same way, reading
 * every file's contents.  It is what "the copy is verified" means.
 *
 * Mount points: what a mount hides on the source filesystem is not copied
 * (it cannot be seen).  To copy everything on the source filesystem, pass a
 * non-recursive bind mount of it as @src.
 */

/*
 * What a tree holds, counted once per inode: the extra names of hard-linked
 * inodes count only in @hardlinks, and their bytes and xattrs are not counted
 * again.  @dirs includes the root.  @xattrs counts the root's too, but not
 * those of mount points (see copy_tree()).
 */
struct copy_stats {
	uint64_t files; /* regular files */
	uint64_t dirs;
	uint64_t symlinks;
	uint64_t hardlinks; /* extra names of already-seen inodes */
	uint64_t specials;  /* devices, FIFOs, sockets */
	uint64_t bytes;	    /* apparent size of regular files */
	uint64_t xattrs;
};

/*
 * Progress callback, called now and then with bytes done and the total
 * (0 when unknown).
 */
typedef void (*copy_progress_fn)(uint64_t done, uint64_t total, void *userdata);

struct copy_options {
	/* Paths relative to the tree root (no leading slash) to leave out, e.g. "lost+found". */
	const char *const *exclude;
	copy_progress_fn progress;
	void *userdata;
	/*
	 * Find holes by looking for all-zero blocks, which copy_tree() does
	 * anyway when the kernel lacks SEEK_DATA/SEEK_HOLE (before Linux 3.1,
	 * so in the XenServer 6.0 installer).  Lets tests run that path on
	 * newer kernels.
	 */
	bool scan_for_holes;
};

/*
 * Copies the tree at @src into the existing, empty directory @dst (a freshly
 * made filesystem may hold lost+found, which is kept).  Returns 0 or -errno,
 * having logged what failed and on which path; -EEXIST when @dst holds
 * anything else.  @opts may be NULL.  Data is not fsynced: the caller syncs
 * the target filesystem (syncfs or umount) once.
 *
 * Holes are kept only in files that have some (fewer blocks than their size
 * needs): a fully allocated file, such as a swap file, stays fully allocated
 * even where it holds zeros.  A mount point is created with the mounted
 * root's owner, mode and times but without its xattrs, which belong to the
 * other filesystem.
 */
int copy_tree(const char *src, const char *dst, const struct copy_options *opts,
	      struct copy_stats *ret_stats);

/*
 * Compares @src and @dst.  Returns 0 when they hold the same names with the
 * same type, owner, group, mode, size, contents, symlink target, device
 * numbers, xattrs, modification time and hard-link structure; -EUCLEAN after
 * logging the first few differences (with their paths) otherwise; -errno on
 * I/O errors.  The same @exclude list applies.  Not compared: atime, ctime,
 * st_blocks (sparseness), directory sizes; for mount points only type, owner
 * and mode (a devtmpfs root's mtime changes on its own).  A lost+found
 * directory at the root of @dst only is accepted: mkfs made it.
 *
 * Call it after syncing @dst: the copy's pages are then clean, and verify
 * drops them from the page cache before reading, so what is compared is what
 * the disk returns, not what is still in memory.  @ret_stats counts the
 * source and is written only on success.
 */
int copy_verify(const char *src, const char *dst, const struct copy_options *opts,
		struct copy_stats *ret_stats);

/*
 * Brings @dst up to date with @src: new and changed entries are copied,
 * entries gone from @src are removed from @dst.  Entries @opts->exclude
 * names are left alone on both sides: neither copied nor removed.  Used at
 * the end of the install to carry over what was written to the first disk
 * after the main copy.  Returns 0 or -errno.
 *
 * A file counts as changed when its type, owner, mode, size, mtime (with
 * nanoseconds), symlink target, device numbers or xattrs differ (the quick
 * check rsync makes); contents are not compared.
 */
int copy_update_tree(const char *src, const char *dst, const struct copy_options *opts);

#endif
