/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_ANSWERFILE_H
#define XSRAID_ANSWERFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/**
 * The XenServer installer's answerfile, and xsraid's RAID extension to it.
 *
 * Pure: answerfile_parse() takes bytes and returns a struct; fetching is
 * fetch.c's job.  The input is bounded before libxml2 sees it (1 MiB, UTF-8
 * or ISO-8859-1, no NUL byte) and while it parses (no network, no entity
 * substitution, elements nested at most ANSWERFILE_MAX_DEPTH deep).  A
 * document type declaration (where entities are declared) and XInclude are
 * refused outright, in any encoding: no installer answerfile has one, and
 * they are the doors to entity expansion and to reading other files.
 *
 * Two spellings of the extension are accepted:
 *
 *   XCP-ng's, unchanged:
 *     <raid device="md127"><disk>sda</disk><disk>sdb</disk></raid>
 *     <primary-disk>md127</primary-disk>
 *
 *   the compact raid= attribute:
 *     <primary-disk raid="sdb">sda</primary-disk>
 *
 * Settings are attributes of the element that declares the mirror: on
 * <raid>, metadata= bitmap= wipe= sr-type= resync-speed= report=
 * report-final= mailaddr= program= check= copy=; on <primary-disk>, the same names
 * with a "raid-" prefix.
 * answerfile/README.md documents them.
 *
 * Errors: answerfile_parse() returns -EINVAL and writes one line,
 * "NAME:LINE: message", naming the element or attribute and the fix.
 */

enum md_metadata {
	MD_METADATA_0_90, /* superblock at the end, kernel autodetect: 6.0's initrd */
	MD_METADATA_1_0,  /* superblock at the end, assembled by mdadm only */
};

enum md_bitmap {
	MD_BITMAP_INTERNAL,
	MD_BITMAP_NONE,
};

enum wipe_policy {
	WIPE_REFUSE, /* a second disk holding anything is refused */
	WIPE_FORCE,  /* the answerfile says the second disk may be erased */
};

enum sr_type {
	SR_LVM,
	SR_EXT,
};

/* The periodic check (scrub) of the arrays, from cron. */
enum md_check {
	MD_CHECK_WEEKLY,  /* Sunday 01:00, as the raid-check job of RHEL's mdadm */
	MD_CHECK_MONTHLY, /* the first Sunday of the month, as Debian's checkarray */
	MD_CHECK_NONE,
};

/* How the installed root reaches md0. */
enum root_copy {
	ROOT_COPY_FILES,  /* file by file into a new filesystem, before the installer ends */
	ROOT_COPY_BLOCKS, /* the filesystem's used blocks, once the installer has ended */
};

enum raid_syntax {
	RAID_SYNTAX_NONE,
	RAID_SYNTAX_ATTRIBUTE, /* <primary-disk raid="sdb"> */
	RAID_SYNTAX_ELEMENT,   /* XCP-ng's <raid device=...> */
};

struct raid_settings {
	enum raid_syntax syntax;
	unsigned line;	/* where the extension is declared */
	char *device;	/* XCP-ng's device= as written ("md127"), else NULL */
	char *disks[2]; /* member disks, "/dev/" stripped: "sda", "disk/by-id/..." */
	enum md_metadata metadata;
	enum md_bitmap bitmap;
	enum wipe_policy wipe;
	enum sr_type sr_type;
	uint32_t resync_speed_kib; /* speed_limit_max during the install; 0: kernel default */
	/* http(s) URLs xsraid PUTs its JSON report to (report.h), or NULL. */
	char *report_url;	/* at every step and during the resync */
	char *report_final_url; /* once, when the install attempt has ended */
	char *mailaddr;		/* where mdadm's monitor mails events; NULL: root */
	char *program;		/* run on every md event after it is logged; NULL: none */
	enum md_check check;
	enum root_copy copy;
};

struct answerfile_script {
	char *stage; /* installation-start, filesystem-populated, installation-complete */
	char *type;  /* url, nfs */
	char *url;
	unsigned line;
};

struct answerfile {
	char *name; /* for messages: a path or URL, without the user:password of a URL */
	char *root; /* "installation" or "upgrade" */
	char *mode; /* fresh, reinstall, upgrade */
	enum sr_type srtype;
	bool srtype_given;
	char *primary_disk; /* as written, "/dev/" stripped; NULL in upgrade mode */
	unsigned primary_disk_line;
	bool guest_storage;
	struct strv guest_disks;
	size_t n_scripts;
	struct answerfile_script *scripts;
	struct raid_settings raid;
};

/*
 * Parses @len bytes at @data.  @name is used in messages.  On success fills
 * @ret (free with answerfile_free) and returns 0; on failure returns -EINVAL
 * with "NAME:LINE: message" in @err.
 */
int answerfile_parse(const char *data, size_t len, const char *name, struct answerfile *ret,
		     struct buf *err);
void answerfile_free(struct answerfile *a);

/* Larger answerfiles, or deeper ones, are refused: real ones are a few KiB, a few levels deep. */
#define ANSWERFILE_MAX	     (1024 * 1024)
#define ANSWERFILE_MAX_DEPTH 32

/* The parsed answerfile as JSON (what `xsraid validate` prints). */
void answerfile_to_json(const struct answerfile *a, struct buf *out);

/*
 * Rewrites the answerfile for a stock 6.0 installer, which knows no RAID:
 * with XCP-ng's syntax the text of <primary-disk> becomes the first member;
 * <script> elements that run @hook_url at filesystem-populated and
 * installation-complete are added before the closing tag of the root unless
 * present.  Every other byte stays as it was, including the <raid> element,
 * which the stock parser ignores.  Returns 0 or -EINVAL (+ @err).
 */
int answerfile_for_stock_installer(const char *data, size_t len, const char *name,
				   const char *hook_url, struct buf *ret, struct buf *err);

/* True when @a names @hook_url for @stage. */
bool answerfile_has_script(const struct answerfile *a, const char *stage, const char *hook_url);

const char *md_metadata_name(enum md_metadata m);
const char *md_bitmap_name(enum md_bitmap b);
const char *wipe_policy_name(enum wipe_policy w);
const char *sr_type_name(enum sr_type t);
const char *md_check_name(enum md_check c);
const char *root_copy_name(enum root_copy c);

/*
 * Checks a disk name from an answerfile.  A disk is named the way the kernel
 * names it (sda, xvda, nvme0n1, cciss/c0d0) or by a udev link below
 * disk/by-id/ or disk/by-path/, with or without "/dev/" in front; nothing
 * else.  Returns the name without "/dev/" (malloc'd), or NULL with the
 * reason in @why ("it contains ';'").
 */
char *answerfile_normalize_disk(const char *text, char *why, size_t whylen);

/*
 * Scans for an unrendered template (Cheetah $var/#if, Jinja {{ }}/{% %},
 * ##TOKEN##) outside the root password.  Returns the 1-based line and writes
 * the reason into @why, or 0 when none is found.
 */
unsigned answerfile_find_template(const char *data, size_t len, struct buf *why);

#endif
