/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_PLAN_H
#define XSRAID_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inputs.h"
#include "util.h"

/**
 * The plan: every step of the conversion, and every action of every step as
 * complete data: the argv of each command, each file edit's keys and values
 * or its whole text, each device waited for, each mount.  `xsraid plan`
 * prints it and writes nothing; `xsraid apply` interprets exactly this data
 * (apply.c, ops.c), holding no device name, path or policy of its own.
 *
 * plan_build() is pure: plan inputs in, plan out, nothing read or written.
 * The stages are tables of steps (plan.c), each step a list of builders
 * that add its actions.
 */

/* Where xsraid works while the installer runs. */
#define XSRAID_WORKDIR	 "/tmp/xsraid"
#define XSRAID_NEWROOT	 "/tmp/xsraid/md0"
#define XSRAID_DISK1_MNT "/tmp/xsraid/disk1"
#define XSRAID_SOURCE	 "/tmp/xsraid/source"
#define XSRAID_LOG	 "/tmp/xsraid/xsraid-log"
#define XSRAID_HOOK_URL	 "file:///opt/xsraid/xsraid-hook"

/* What xsraid leaves on the installed system for day two. */
#define XSRAID_INSTALLED   "/usr/sbin/xsraid"
#define XSRAID_SYSCONFIG   "/etc/sysconfig/xsraid"
#define XSRAID_CRON_CHECK  "/etc/cron.d/xsraid-check"
#define XSRAID_DAY_TWO_LOG "/var/log/xsraid.log"

enum plan_stage {
	STAGE_FILESYSTEM_POPULATED,  /* the new system is mounted; disk 2 is built */
	STAGE_INSTALLATION_COMPLETE, /* nothing is mounted; disk 1 joins the arrays */
	STAGE_REPLACE_DISK,	     /* on the running host: a new disk joins the arrays */
	STAGE_FIX_BOOT,		     /* on the running host: check-boot --fix mends what it found */
	N_STAGES,
};

/* What an action does; ops.c holds the table that runs and describes each. */
enum op_id {
	OP_RUN,		    /* argv, chroot, timeout_sec */
	OP_MAKE_DIRS,	    /* paths: directories to create */
	OP_BIND_SYSTEM,	    /* path: a root; paths: the system directories bound into it */
	OP_UNBIND_SYSTEM,   /* path: a root; paths: the system directories to unmount in it */
	OP_WRITE_SYSFS,	    /* path: a /proc or /sys file; value: what to write */
	OP_MAKE_NODES,	    /* paths: block device nodes; numbers: their dev_t */
	OP_JOURNAL_CREATE,  /* device, numbers[0]: byte offset; the plan's inputs as payload */
	OP_PMBR_ACTIVE,	    /* device: whose protective MBR entry gets the boot flag */
	OP_WAIT_PARTITIONS, /* device: the disk; paths: its partitions; numbers: their starts
			       in bytes */
	OP_WIPE_SIGNATURES, /* device; value: "all" or "raid" */
	OP_MOUNT,	    /* device on path, fstype; read_only */
	OP_BIND_MOUNT,	    /* source on path, without what is mounted below source */
	OP_UMOUNT,	    /* path */
	OP_COPY_TREE,	    /* source to path */
	OP_VERIFY_TREE,	    /* source against path, but for the relative paths in paths */
	OP_CHECK_FS_UUID,   /* device must hold the filesystem with UUID value */
	OP_UPDATE_TREE,	    /* path up to date with source, but for the relative paths in paths */
	OP_CHECK_DISK,	    /* device is the disk recorded: identity in value, GPT GUID in guid */
	OP_CHECK_ARRAY,	    /* device runs as value (raid1) from members in paths, no others */
	OP_EDIT_FILE,	    /* path; edit: what changes in it */
	OP_WRITE_BOOT_CODE, /* source (gptmbr.bin) into the first 440 bytes of device */
	OP_VERIFY_BOOT,	    /* boot: what must hold for the disk to boot alone */
	OP_WAIT_SYNC,	    /* device: an array; value: the member being recovered */
	OP_COPY_FILE,	    /* source to path, with mode (0: 0600) */
	OP_START_ARRAY,	    /* device: the array node; value: metadata; paths: members */
	OP_ERASE_OLD_SIGS,  /* device; sigs: where each lies and its bytes, erased while there */
	OP_CLONE_FS,	    /* source: a filesystem's partition; device: where its used blocks go;
			       numbers[0]: the filesystem's size in bytes, as planned */
	N_OPS,
};

enum edit_kind {
	EDIT_FSTAB_ROOT,    /* values[0]: the device that mounts / */
	EDIT_EXTLINUX_ROOT, /* values[0]: root= of every entry */
	EDIT_SHELL_VARS,    /* keys = values; keys from n_required on only where present */
	EDIT_WRITE,	    /* text: the whole file, mode */
};

struct file_edit {
	enum edit_kind kind;
	struct strv keys, values;
	size_t n_required; /* EDIT_SHELL_VARS: the first n keys are set whether present or not */
	char *text;
	unsigned mode;
};

/* What verify-boot checks on one disk and the system mounted from it. */
struct boot_expect {
	char *disk; /* /dev/sdb */
	uint64_t disk_bytes;
	uint32_t sector_size;
	char *part1;			  /* /dev/sdb1: holds extlinux's boot sector */
	uint64_t part1_first, part1_last; /* where partition 1 must be; 0, 0: anywhere */
	char *boot_code;		  /* the gptmbr.bin the MBR must start with */
	char *root_dir;			  /* where the system is mounted */
	char *root_device;		  /* every extlinux entry and fstab mount / from it */
	struct strv uuids; /* etc/mdadm.conf must name these arrays; the first is the root's */
	enum md_metadata root_metadata;
	struct strv kernels; /* boot/initrd-K.img must assemble the root on K (boot/config-K) */
	/* check-boot: what mends what fails; NULL in plans, which fail instead. */
	char *sgdisk;
	char *extlinux; /* inside root_dir */
};

enum action_condition {
	COND_ALWAYS,
	COND_ARRAY_STOPPED, /* run only when cond_array is not running */
	COND_NOT_MEMBER,    /* skip when cond_member is already in cond_array */
	COND_MEMBER,	    /* run only while cond_member is still in cond_array */
};

struct plan_action {
	enum op_id op;
	struct strv argv;     /* OP_RUN */
	char *chroot;	      /* OP_RUN: run inside this directory, or NULL */
	unsigned timeout_sec; /* OP_RUN: killed after this long */
	char *device;	      /* the block device worked on */
	char *path;	      /* the file or directory worked on */
	char *source;	      /* what is copied, bound or written from */
	char *fstype;
	char *value; /* a value written or expected */
	char *guid;  /* OP_CHECK_DISK: the GPT disk GUID it must carry */
	struct strv paths;
	uint64_t *numbers;
	size_t n_numbers;
	unsigned mode; /* OP_COPY_FILE */
	bool read_only;
	struct file_edit edit;
	struct boot_expect *boot;
	struct old_signatures *sigs; /* OP_ERASE_OLD_SIGS */
	enum action_condition cond;
	char *cond_array, *cond_member;
	char *note; /* why, for people; appended to the description */
};

struct plan_step {
	const char *id;
	enum plan_stage stage;
	const char *title;
	char *destroys; /* what a destructive step overwrites, or NULL */
	/* Sets up what later steps rely on (mounts, a running md0): run again on every attempt. */
	bool always;
	size_t n_actions;
	struct plan_action *actions;
	/* The id and title of a step made outside the step tables (plan_add_step), or NULL. */
	char *own_id, *own_title;
};

/* Where the journal lives: partition 4 of the second disk. */
struct plan_journal {
	char *device;
	uint64_t offset;
	uint32_t sector_size;
};

struct plan {
	struct plan_inputs in;
	struct plan_journal journal;
	size_t n_steps;
	struct plan_step *steps;
	/* What releases the first stage's mounts when it fails, so the installer can go on. */
	struct plan_step cleanup;
	struct strv notes;
};

/*
 * Builds the plan for @in's purpose: the two stages of an install, or the
 * one stage of a disk replacement.  Copies @in.  Cannot fail except by
 * running out of memory.
 */
void plan_build(const struct plan_inputs *in, struct plan *ret);
void plan_free(struct plan *p);

/*
 * Appends to @p an empty step of @stage, for a plan made of what was found
 * on the system rather than from plan inputs (check-boot --fix's: its
 * journal device is NULL, see apply.h).  @id and @title are copied.
 */
struct plan_step *plan_add_step(struct plan *p, enum plan_stage stage, const char *id,
				const char *title);
/* Moves the action @a into @s, leaving @a empty. */
void plan_step_take_action(struct plan_step *s, struct plan_action *a);

/* Frees what an action owns (for actions built outside a plan: check-boot's fixes). */
void plan_action_free(struct plan_action *a);
void boot_expect_free(struct boot_expect *e);

const struct plan_step *plan_find_step(const struct plan *p, const char *id);

const char *plan_stage_name(enum plan_stage s);

/* Partition @n's device path of @disk: "/dev/sda1". */
void plan_part_dev(char *out, size_t outlen, const char *disk, unsigned n);

#endif
