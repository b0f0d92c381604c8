/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_REMASTER_IMAGE_H
#define XSRAID_REMASTER_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/**
 * The cpio archive inside an installer image (install.img, decompressed):
 * what is in it, whether xsraid can go into it, and the same archive with
 * xsraid's files added.  Pure: buffers in, buffers out.
 *
 * image_rebuild() keeps every stock entry byte for byte and in its order
 * (names, modes, owners, times, hard links, device nodes, data), except:
 *   - entries in /opt/xsraid and entries named like an added file are left
 *     out: xsraid owns that directory, and a remastered image remastered
 *     again gets this build's files, not two copies;
 *   - a hard-link group that lost a member that way has its data moved to
 *     its new last member and its nlink lowered;
 *   - when the image holds several archives one after the other, they
 *     become one, and a hard-link group whose inode number an earlier
 *     archive already used gets a fresh one (links are per archive).
 * The added entries follow, sorted by name, with their parent directories,
 * owned by root, with one fixed time and inode numbers no stock entry uses;
 * then one trailer.  Same input, same output bytes.
 *
 * Errors: -EINVAL with one line in @err (the cpio reader's message, or a
 * refusal), without the file name, which the caller adds.
 */

/* The directory of the image that belongs to xsraid. */
#define IMAGE_XSRAID_DIR "opt/xsraid"

struct image_file {
	const char *path; /* inside the image, without a leading slash */
	const void *data;
	size_t len;
	uint32_t mode; /* permission bits of a regular file */
};

struct image_kernel {
	char *version;
	/* Where the module is ("lib/modules/.../md-mod.ko"), "built in", or NULL. */
	char *md;
	char *raid1;
};

struct image_report {
	size_t entries;
	unsigned archives;
	uint32_t newest_mtime;
	/* opt/xensource/installer/, where XenServer's installer lives */
	bool installer;
	/* What /init is, in words: "hard link of bin/busybox", "init -> sbin/init -> ..." */
	char *init;
	/* The link chain that ends at systemd, when the image boots systemd; else NULL. */
	char *systemd;
	struct image_kernel *kernels;
	size_t n_kernels;
	/* Paths of the tools in the image, or NULL. */
	char *mdadm;
	char *sgdisk;
};

int image_inspect(const void *cpio, size_t len, struct image_report *ret, struct buf *err);
void image_report_free(struct image_report *rep);

/*
 * Refuses what xsraid cannot go into: an image whose init is systemd
 * (XenServer 7 and later, XCP-ng 8, which xsraid refuses to convert) and an
 * image that is not a XenServer installer.  Returns 0 or -EINVAL.
 */
int image_check(const struct image_report *rep, struct buf *err);

/*
 * The archive @cpio with @files added (see above), written to @out.  @mtime
 * is the time of every added entry.  Returns 0 or -EINVAL.
 */
int image_rebuild(const void *cpio, size_t len, const struct image_file *files, size_t n_files,
		  uint32_t mtime, struct buf *out, struct buf *err);

#endif
