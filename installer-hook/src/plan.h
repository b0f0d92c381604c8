/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_PLAN_H
#define XSRAID_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "answerfile.h"
#include "discover.h"
#include "gpt.h"
#include "util.h"

/**
 * The plan: every step of the conversion with the exact commands it runs.
 *
 * Planning is pure and happens in two parts:
 *
 *   plan_inputs_from()  answerfile + inventory -> struct plan_inputs, or a
 *                       refusal that names the problem and the fix.  This is
 *                       where every safety rule lives (missing disks, data on
 *                       the second disk, sizes, disks in use).
 *   plan_build()        plan_inputs -> struct plan.  Nothing but arithmetic
 *                       and string building.
 *
 * The inputs are saved in the journal on the second disk, so a resumed run
 * rebuilds exactly the same plan even after the first disk has changed
 * under it.  `xsraid plan` prints the plan and writes nothing; `xsraid
 * apply` executes the same struct plan.
 */

/* Where xsraid works while the installer runs. */
#define XSRAID_WORKDIR	 "/tmp/xsraid"
#define XSRAID_NEWROOT	 "/tmp/xsraid/md0"
#define XSRAID_DISK1_MNT "/tmp/xsraid/disk1"
#define XSRAID_SOURCE	 "/tmp/xsraid/source"
#define XSRAID_LOG	 "/tmp/xsraid/xsraid-log"
#define XSRAID_HOOK_URL	 "file:///opt/xsraid/xsraid-hook"

#define N_ARRAYS 3

enum plan_stage {
	STAGE_FILESYSTEM_POPULATED,  /* the new system is mounted; disk 2 is built */
	STAGE_INSTALLATION_COMPLETE, /* nothing is mounted; disk 1 joins the arrays */
};

/* A tool and whether it runs from the installer or, chrooted, from the installed system. */
struct tool {
	char path[256];
	bool in_target;
};

struct plan_inputs {
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
	char target_dir[256];
	enum md_metadata metadata;
	enum md_bitmap bitmap;
	enum sr_type sr_type;
	bool guest_storage;
	uint32_t resync_speed_kib;
	uint32_t speed_max_before; /* to restore after the install */
	bool wipe_disk2;	   /* disk 2 holds something that must be erased first */
	char wipe_reason[256];
	struct strv stale_arrays; /* xsraid's own arrays from an earlier attempt, to stop */
	struct tool sgdisk, mkfs, tune2fs, mdadm;
	char extlinux[256];   /* inside the target */
	char gptmbr[256];     /* inside the target */
	char initrd_tool[16]; /* mkinitrd or dracut */
	char initrd_tool_path[256];
	struct strv kernels;
	/* Identifiers, derived from disk 1's GUID and the root filesystem's UUID. */
	uint8_t md_uuid[N_ARRAYS][16];
	struct gpt_guid disk2_guid;
	struct gpt_guid part_guid[2][4]; /* [disk][partition-1]; p1/p2 of disk 1 are kept */
};

void plan_inputs_free(struct plan_inputs *in);

/*
 * Decides whether and how the install can be mirrored.  @target_dir is
 * where the installer mounted the new system.  Returns 0 and fills @ret;
 * -ENODATA when the answerfile asks for no mirror (nothing to do); or
 * -EINVAL with one line in @err that names the problem and the fix.
 */
int plan_inputs_from(const struct answerfile *af, const struct inventory *inv,
		     const char *target_dir, struct plan_inputs *ret, struct buf *err);

/* Serialises the inputs as "key=value" lines, and back (-EINVAL on malformed text). */
void plan_inputs_serialize(const struct plan_inputs *in, struct buf *out);
int plan_inputs_parse(const char *text, struct plan_inputs *ret, struct buf *err);

enum action_kind {
	ACTION_RUN,	 /* an external command */
	ACTION_INTERNAL, /* work xsraid does itself */
};

enum internal_op {
	OP_PREPARE_WORKDIR,
	OP_BIND_SYSTEM,	  /* arg0: directory to bind /dev, /proc, /sys into */
	OP_UNBIND_SYSTEM, /* arg0: directory */
	OP_SET_SPEED,	  /* arg0: KiB/s for speed_limit_max */
	OP_MKNOD_ARRAYS,
	OP_JOURNAL_CREATE,  /* arg0: disk device */
	OP_PMBR_BOOT_FLAG,  /* arg0: disk device */
	OP_WAIT_PARTITIONS, /* arg0: disk name, arg1: count */
	OP_WIPE_SIGNATURES, /* arg0: device, arg1: "all" or "raid" */
	OP_MOUNT,	    /* arg0: device, arg1: directory, arg2: fs type; ro if flag */
	OP_BIND_SOURCE,	 /* arg0: directory, arg1: where to show it without what is mounted below */
	OP_UMOUNT,	 /* arg0: directory */
	OP_COPY_TREE,	 /* arg0: source, arg1: destination */
	OP_VERIFY_TREE,	 /* arg0: source, arg1: destination */
	OP_CHECK_SOURCE, /* arg0: device that must still hold the copied root filesystem */
	OP_COPY_SUBTREE, /* arg0: source root, arg1: destination root, arg2: relative path */
	OP_EDIT_FSTAB,	 /* arg0: new root directory */
	OP_EDIT_EXTLINUX,
	OP_WRITE_MDADM_CONF,
	OP_EDIT_INVENTORY,
	OP_EDIT_STORAGE_CONF,
	OP_WRITE_MBR,	/* arg0: disk device, arg1: gptmbr.bin path */
	OP_VERIFY_BOOT, /* arg0: disk name */
	OP_WAIT_RESYNC, /* arg0: array name */
	OP_SAVE_LOG,	/* arg0: new root directory */
	OP_ASSEMBLE,	/* arg0: array, arg1: first member, arg2: second member or NULL */
};

enum action_condition {
	COND_ALWAYS,
	COND_ARRAY_STOPPED, /* arg: the array; run only when it is not running */
	COND_NOT_MEMBER,    /* arg: array, arg2: member; skip when it is already in the array */
};

struct plan_action {
	enum action_kind kind;
	struct strv argv; /* ACTION_RUN */
	char *chroot;	  /* ACTION_RUN inside this directory, or NULL */
	enum internal_op op;
	char *arg[3];
	bool read_only; /* OP_MOUNT */
	enum action_condition cond;
	char *cond_arg;
	char *cond_arg2;
	char *describe; /* one line, for ACTION_INTERNAL and for conditions */
};

struct plan_step {
	const char *id;
	enum plan_stage stage;
	char *title;
	char *destroys; /* what a destructive step overwrites, or NULL */
	/* Sets up what later steps rely on (mounts, a running md0): run again on every attempt. */
	bool always;
	size_t n_actions;
	struct plan_action *actions;
};

struct plan {
	struct plan_inputs in;
	size_t n_steps;
	struct plan_step *steps;
	struct strv notes;
};

/* Builds the plan.  Copies @in.  Cannot fail except by running out of memory. */
void plan_build(const struct plan_inputs *in, struct plan *ret);
void plan_free(struct plan *p);

const struct plan_step *plan_find_step(const struct plan *p, const char *id);

/* The human form: a summary of disks and arrays, then every step and its commands. */
void plan_print_text(const struct plan *p, struct buf *out);
/* The same as JSON. */
void plan_print_json(const struct plan *p, struct buf *out);

/* The command an action runs, as an operator would type it (chroot included). */
void plan_action_command(const struct plan_action *a, struct buf *out);

const char *plan_stage_name(enum plan_stage s);

/* mdadm's UUID form: "xxxxxxxx:xxxxxxxx:xxxxxxxx:xxxxxxxx". */
void md_uuid_format(const uint8_t uuid[16], char out[36]);

/* Partition @n's device path of @disk: "/dev/sda1". */
void plan_part_dev(char *out, size_t outlen, const char *disk, unsigned n);

#endif
