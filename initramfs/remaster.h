/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_REMASTER_REMASTER_H
#define XSRAID_REMASTER_REMASTER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "compress.h"
#include "image.h"
#include "util.h"

/**
 * The remaster of an install.img, from file to bytes: what goes into the
 * image (the payload), the checks, the report, the new image.  Shared by
 * `xsraid-remaster image` and `xsraid-remaster iso`.
 *
 * Every failure is logged once as one line naming the file and what is
 * wrong (log.h), and returned as a negative errno; nothing is written.
 */

#define HOOK_URL      "file:///opt/xsraid/xsraid-hook"
#define GENERATOR_URL "file:///opt/xsraid/answerfile-generator"
#define EMBEDDED_PATH "answerfile.xml"
#define EMBEDDED_URL  "file:///answerfile.xml"

struct remaster_opts {
	const char *helper;	/* the static xsraid, or NULL to leave it out */
	const char *hooks_dir;	/* its regular files go to /opt/xsraid, mode 0755 */
	const char *answerfile; /* embedded as /answerfile.xml, or NULL */
	const char *answerfile_url;
	bool via_generator; /* @answerfile_url goes through xsraid's generator */
};

/* What the remaster adds, read and checked. */
struct payload {
	struct image_file *files;
	size_t n_files;
	struct buf *data; /* the files' contents, owned */
	/* What the new isolinux entry passes to the installer ("answerfile=... install"). */
	char *boot_args;
};

/*
 * Reads the helper, the hook files and the answerfile, validates the
 * answerfile with xsraid's own parser, checks that every file:///opt/xsraid
 * script it names is in the payload, and works out the installer arguments
 * for a boot entry.
 */
int payload_load(const struct remaster_opts *o, struct payload *ret);
void payload_free(struct payload *p);

/* The time of the added entries: $SOURCE_DATE_EPOCH, else the stock image's newest entry. */
int remaster_epoch(uint32_t newest_mtime, uint32_t *ret);

/* Reads and reports on the install.img at @path; 0 when remaster_image() would take it. */
int remaster_inspect(const char *path, FILE *report);

/*
 * Reads the install.img at @path, reports what it holds to @report,
 * refuses what xsraid cannot go into, and returns the remastered image in
 * @ret (same compression) and the time used for the added entries.  @name
 * is the image's name in messages (@path, or where it came from).
 */
int remaster_image(const char *path, const char *name, const struct payload *p, FILE *report,
		   struct buf *ret, uint32_t *ret_epoch);

#endif
