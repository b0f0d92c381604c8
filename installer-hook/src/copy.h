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
};

/*
 * Copies the tree at @src into the existing, empty directory @dst (a freshly
 * made filesystem may hold lost+found, which is kept).  Returns 0 or -errno,
 * having logged what failed and on which path.
 */
int copy_tree(const char *src, const char *dst, const struct copy_options *opts,
	      struct copy_stats *ret_stats);

/*
 * Compares @src and @dst.  Returns 0 when they hold the same names with the
 * same type, owner, group, mode, size, contents, symlink target, device
 * numbers, xattrs, modification time and hard-link structure; -EUCLEAN after
 * logging the first few differences (with their paths) otherwise; -errno on
 * I/O errors.  The same @exclude list applies.
 */
int copy_verify(const char *src, const char *dst, const struct copy_options *opts,
		struct copy_stats *ret_stats);

/*
 * Brings @dst up to date with @src for the subtree @relpath only: new and
 * changed files are copied, files gone from @src are removed from @dst.
 * Used at the end of the install to carry over the logs the installer wrote
 * to the first disk after the main copy.  Returns 0 or -errno.
 */
int copy_update_subtree(const char *src, const char *dst, const char *relpath);

#endif
