/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_COMMANDS_H
#define XSRAID_COMMANDS_H

#include "inputs.h"
#include "util.h"

/**
 * The exact argv of every external command xsraid runs, built from the plan
 * inputs alone, so the unit tests can check each option and the plan can
 * print precisely what apply will execute.  Long option names are used
 * throughout: a plan is read by people.
 *
 * Every builder appends to @argv, starting with the tool's path.
 */

/* sgdisk --zap-all DEV: removes both GPTs and the MBR of the second disk. */
void cmd_sgdisk_zap(const struct plan_inputs *in, const char *dev, struct strv *argv);

/*
 * The second disk's new table: partitions 1 and 2 exactly where disk 1 has
 * them, 3 from the next MiB boundary, 4 the journal; all Linux RAID (fd00)
 * but the journal, legacy-BIOS-bootable on 1, names xsraid-md0..2 and
 * xsraid-journal, GUIDs from the plan.
 */
void cmd_sgdisk_disk2(const struct plan_inputs *in, const char *dev, struct strv *argv);

/*
 * The first disk's table changed in place: 1 and 2 retyped and named,
 * 3 recreated at the aligned start with the same end as on disk 2.
 */
void cmd_sgdisk_disk1(const struct plan_inputs *in, const char *dev, struct strv *argv);

/* mdadm --create /dev/mdN ... missing MEMBER: a degraded mirror on the second disk. */
void cmd_mdadm_create(const struct plan_inputs *in, unsigned array, const char *member,
		      struct strv *argv);
/*
 * mdadm --create /dev/mdN ... --assume-clean M1 M2: a mirror of two members
 * that hold no data yet, in sync from the start.
 */
void cmd_mdadm_create_clean(const struct plan_inputs *in, unsigned array, const char *member1,
			    const char *member2, struct strv *argv);
void cmd_mdadm_add(const struct plan_inputs *in, unsigned array, const char *member,
		   struct strv *argv);
void cmd_mdadm_stop(const struct plan_inputs *in, const char *array, struct strv *argv);

void cmd_mkfs_root(const struct plan_inputs *in, const char *dev, struct strv *argv);
/*
 * A block copy of the root carries the original's UUID and label: it gets a
 * new UUID and the temporary label, so no two filesystems answer to either.
 */
void cmd_tune2fs_clone_identity(const struct plan_inputs *in, const char *dev, struct strv *argv);
void cmd_tune2fs_label(const struct plan_inputs *in, const char *dev, struct strv *argv);
void cmd_extlinux_install(const struct plan_inputs *in, struct strv *argv);
void cmd_initrd(const struct plan_inputs *in, const char *kver, struct strv *argv);

/* chkconfig NAME on: the service of init script @script starts at boot (its default levels). */
void cmd_chkconfig_on(const struct plan_inputs *in, const char *script, struct strv *argv);

/* sgdisk --attributes=N:set:2 (or clear): the legacy-BIOS-bootable bit gptmbr.bin looks for. */
void cmd_sgdisk_bootable(const char *sgdisk, const char *dev, unsigned part, bool set,
			 struct strv *argv);

/* extlinux --install /boot with a given extlinux: check-boot's fix. */
void cmd_extlinux(const char *extlinux, struct strv *argv);

/* The label the new root filesystem carries until disk 1 joins: never the original one. */
void root_temp_label(const struct plan_inputs *in, char *out, size_t outlen);

#endif
