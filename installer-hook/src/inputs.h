/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_INPUTS_H
#define XSRAID_INPUTS_H

#include <stdbool.h>
#include <stdint.h>

#include "answerfile.h"
#include "gpt.h"
#include "util.h"

/**
 * The plan's inputs: every fact the plan is built from, and nothing else.
 *
 * decide.c fills them from the answerfile and what discovery found; plan.c
 * turns them into steps without looking anywhere else.  They are saved as
 * "key=value" lines in the header of the journal on the second disk, so a
 * resumed run rebuilds exactly the same plan even after the first disk has
 * changed under it.  One field table drives both directions of that codec.
 */

#define N_ARRAYS 3

/* The most old signatures a plan erases from the second disk. */
#define OLD_SIGS_MAX	  64
#define OLD_SIG_MAGIC_MAX 32

/* A signature found on the second disk before anything was written to it. */
struct old_signature {
	uint64_t offset;		  /* bytes from the start of the disk */
	uint8_t magic[OLD_SIG_MAGIC_MAX]; /* what lies there: erased only while it still does */
	uint32_t magic_len;
	char what[96]; /* "linux_raid_member (md 0.90.0) on sdb1" */
};

struct old_signatures {
	size_t n;
	struct old_signature sig[OLD_SIGS_MAX];
};

/* What a plan does: mirror a fresh install, or give a running mirror a new disk. */
enum plan_purpose {
	PURPOSE_INSTALL,
	PURPOSE_REPLACE_DISK, /* disk[0] holds the arrays' members, disk[1] is the new disk */
};

const char *plan_purpose_name(enum plan_purpose p);

/* A tool and whether it runs from the installer or, chrooted, from the installed system. */
struct tool {
	char path[256];
	bool in_target;
};

struct plan_inputs {
	enum plan_purpose purpose;
	char disk[2][64];      /* kernel names: "sda" (installed), "sdb" (second) */
	char identity[2][256]; /* model, serial and size, to recognise the disks later */
	uint32_t sector_size;
	uint64_t disk_sectors[2];
	struct gpt_guid disk1_guid;
	bool pmbr_boot_flag; /* disk 1's protective MBR entry is marked active */
	uint64_t part_first[N_ARRAYS], part_last[N_ARRAYS]; /* the mirrored partitions 1-3 */
	uint64_t journal_first, journal_last;		    /* partition 4 of disk 2 */
	char root_label[64];
	char root_uuid[64];
	char root_fstype[16];
	/* How the root reaches md0; with blocks, partition 1 is grown to hold root_fs_bytes. */
	enum root_copy root_copy;
	uint64_t root_fs_bytes;
	char root_copy_note[192]; /* why blocks were asked for and files are copied, or "" */
	char target_dir[256];	  /* the installed system: where the installer mounted it, or "/" */
	enum md_metadata metadata[N_ARRAYS]; /* per array: md2 may need 1.0 where 0.90 cannot */
	enum md_bitmap bitmap;
	enum sr_type sr_type;
	bool guest_storage;
	uint32_t resync_speed_kib;
	uint32_t speed_max_before; /* to restore after the install */
	bool wipe_disk2;	   /* disk 2 holds something that must be erased first */
	char wipe_reason[256];
	/* Arrays running from disk 2 to stop: xsraid's own from an earlier attempt, or old ones. */
	struct strv stale_arrays;
	struct old_signatures old_sigs; /* what disk 2 carried, erased before its new table */
	struct tool sgdisk, mkfs, tune2fs, mdadm;
	char extlinux[256];   /* inside the target */
	char gptmbr[256];     /* inside the target */
	char initrd_tool[16]; /* mkinitrd or dracut */
	char initrd_tool_path[256];
	struct strv kernels;
	/* Day two on the installed system: who hears of md events, the check, the helper. */
	char mailaddr[256]; /* "" : root */
	char program[256];  /* "" : none */
	enum md_check check;
	char helper[256];	/* this program, copied to the installed system */
	char chkconfig[256];	/* inside the target, "" when absent */
	char mdmonitor[256];	/* inside the target: the init script of mdadm's monitor */
	char distro_check[256]; /* inside the target: a check job its mdadm schedules itself */
	bool cron_d;		/* the target has /etc/cron.d */
	/* Replacing a disk: failed members on other disks, to remove first ("md0:sdc1"). */
	struct strv remove_members;
	/* Identifiers, derived from disk 1's GUID and the root filesystem's UUID. */
	uint8_t md_uuid[N_ARRAYS][16];
	struct gpt_guid disk2_guid;
	struct gpt_guid part_guid[2][4]; /* [disk][partition-1]; p1/p2 of disk 1 are kept */
};

void inputs_free(struct plan_inputs *in);

/* A deep copy: @dst owns its own lists. */
void inputs_copy(struct plan_inputs *dst, const struct plan_inputs *src);

/* "linux_raid_member (md 0.90.0) on sdb1 at byte 68091904 (fc4e2ba9)", for people. */
void old_signature_describe(const struct old_signature *s, struct buf *out);

/* Serialises the inputs as "key=value" lines. */
void inputs_serialize(const struct plan_inputs *in, struct buf *out);

/*
 * Parses what inputs_serialize() wrote.  Returns 0, or -EINVAL with one line
 * in @err naming the line and key that is wrong (unknown key, bad value,
 * missing disks).
 */
int inputs_parse(const char *text, struct plan_inputs *ret, struct buf *err);

/* The arrays' kernel names, md0 (root), md1 (backup partition), md2 (local SR). */
const char *md_array_name(unsigned i);
const char *md_array_role(unsigned i);

/* mdadm's UUID form: "xxxxxxxx:xxxxxxxx:xxxxxxxx:xxxxxxxx". */
void md_uuid_format(const uint8_t uuid[16], char out[36]);
int md_uuid_parse(const char *s, uint8_t out[16]);

#endif
