/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_MDSTAT_H
#define XSRAID_MDSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/**
 * /proc/mdstat as data: what md_seq_show() in the kernel's drivers/md/md.c
 * prints, checked against the Linux 6.1 captures in
 * installer-hook/tests/data/mdstat/.
 *
 * The parser is pure and total: it reads any bytes, never beyond @len,
 * allocates in proportion to its input, and keeps every line it does not
 * fully understand (made printable, cut to MDSTAT_LINE_MAX) for display.
 * Numbers are -1 when md did not print them; sizes are in the 1 KiB blocks
 * md counts in.
 */

#define MDSTAT_NAME_MAX 32  /* the kernel's BDEVNAME_SIZE */
#define MDSTAT_LINE_MAX 200 /* longer unknown lines are cut, with "..." */

enum mdstat_member_flag {
	MDSTAT_FAULTY = 1 << 0,	      /* (F) */
	MDSTAT_SPARE = 1 << 1,	      /* (S): not in a slot */
	MDSTAT_WRITE_MOSTLY = 1 << 2, /* (W) */
	MDSTAT_REPLACEMENT = 1 << 3,  /* (R): being rebuilt to take over another member's slot */
	MDSTAT_JOURNAL = 1 << 4,      /* (J): the write journal of a raid4/5/6 */
};

/* Each flag: the letter md prints in brackets, the name reports use. */
struct mdstat_flag_info {
	unsigned flag;
	char letter;
	const char *name;
};
extern const struct mdstat_flag_info MDSTAT_FLAGS[5];

struct mdstat_member {
	char name[MDSTAT_NAME_MAX]; /* "sda1", "nvme0n1p2", "cciss/c0d0p1" */
	/*
	 * The number in brackets, md's descriptor number.  It is the member's
	 * slot (its place in the [UU_] map) only for members present when the
	 * array was created: one added later gets the first free number, and
	 * only sysfs (md/dev-NAME/slot) knows its slot.
	 */
	int64_t number;
	unsigned flags;
};

enum mdstat_access {
	MDSTAT_READ_WRITE,
	MDSTAT_READ_ONLY,      /* (read-only) */
	MDSTAT_AUTO_READ_ONLY, /* (auto-read-only): becomes read-write on the first write */
};

enum mdstat_sync_action {
	MDSTAT_SYNC_NONE, /* no progress line */
	MDSTAT_SYNC_RESYNC,
	MDSTAT_SYNC_RECOVERY,
	MDSTAT_SYNC_RESHAPE,
	MDSTAT_SYNC_CHECK,
	/* Never printed by Linux 6.1, which shows a repair as "resync"; accepted all the same. */
	MDSTAT_SYNC_REPAIR,
};

enum mdstat_sync_state {
	MDSTAT_SYNC_RUNNING, /* a progress bar */
	MDSTAT_SYNC_DELAYED, /* resync=DELAYED: waits for another array on the same disks */
	MDSTAT_SYNC_PENDING, /* resync=PENDING: waits for the array to become writable */
	MDSTAT_SYNC_REMOTE,  /* resync=REMOTE: run by another node of a clustered array */
};

struct mdstat_sync {
	enum mdstat_sync_action action;
	enum mdstat_sync_state state;
	int64_t permille;      /* 126 for "12.6%" */
	int64_t done, total;   /* blocks, "(done/total)" */
	int64_t finish_tenths; /* md's estimate in tenths of a minute: 158 for "finish=15.8min" */
	int64_t speed;	       /* KiB/s, "speed=1010K/sec" */
};

struct mdstat_bitmap {
	bool present;
	int64_t pages, pages_total; /* "1/1 pages": in memory, in all */
	int64_t kib;		    /* "[4KB]": memory they take */
	int64_t chunk_bytes;	    /* "65536KB chunk" */
	char *file;		    /* "file: PATH" with md's \ooo escapes undone; NULL: internal */
};

struct mdstat_array {
	char name[MDSTAT_NAME_MAX]; /* "md0", "md127" */
	bool active;		    /* "active"; false for "inactive" */
	enum mdstat_access access;
	char personality[16]; /* "raid1", "raid5", "linear"; "" when inactive */
	size_t n_members;
	struct mdstat_member *members;
	int64_t blocks; /* the array's size (the members' total when inactive) */
	/*
	 * What follows "super": "1.2", "1.0", "external:imsm" (a container),
	 * "external:/md127/0" (an array in one), "non-persistent"; "" when md
	 * prints nothing, which means 0.90 (see mdstat_metadata()).
	 */
	char super[48];
	int64_t level;		 /* "level 5," (raid4/5/6) */
	int64_t chunk_kib;	 /* "512k chunk", "64k chunks" */
	int64_t algorithm;	 /* "algorithm 2" (raid5/6 layout) */
	int64_t near_copies;	 /* raid10 "2 near-copies" */
	int64_t far_copies;	 /* raid10 "2 far-copies" */
	int64_t offset_copies;	 /* raid10 "2 offset-copies" */
	int64_t far_set_size;	 /* raid10 "N devices per set" */
	int64_t rounding_kib;	 /* linear "64k rounding" */
	int64_t nfaults;	 /* faulty "nfaults=0" */
	struct strv fault_modes; /* faulty "WriteTransient=3(3)", "WriteAll" */
	int64_t raid_disks;	 /* "[2/1]": slots */
	int64_t working;	 /* "[2/1]": slots with an in-sync member */
	char *map;		 /* "[U_]": "U_", one letter per slot; NULL when not printed */
	struct mdstat_sync sync;
	struct mdstat_bitmap bitmap;
	struct strv unknown; /* this array's lines not fully understood, for display */
};

struct mdstat {
	bool has_personalities; /* a "Personalities :" line was there */
	struct strv personalities;
	bool has_unused; /* an "unused devices:" line was there */
	struct strv unused;
	size_t n_arrays;
	struct mdstat_array *arrays;
	struct strv unknown; /* lines outside any array not understood */
};

/* Parses @len bytes of @text (no NUL needed).  Always succeeds; free with mdstat_free(). */
void mdstat_parse(const char *text, size_t len, struct mdstat *ret);
void mdstat_free(struct mdstat *m);

const struct mdstat_array *mdstat_find(const struct mdstat *m, const char *name);

/* The metadata version: the "super" field, or "0.90" when md printed none. */
const char *mdstat_metadata(const struct mdstat_array *a);

/* A container of external metadata (external:imsm, external:ddf): holds disks, not data. */
bool mdstat_is_container(const struct mdstat_array *a);

/* Members with @flag set. */
size_t mdstat_count(const struct mdstat_array *a, unsigned flag);

/* Slots without an in-sync member ("[3/1]": 2), 0 when md printed no [n/m]. */
int64_t mdstat_missing(const struct mdstat_array *a);

/* "resync", "recovery", "reshape", "check", "repair"; "" for none. */
const char *mdstat_sync_action_name(enum mdstat_sync_action action);

#endif
