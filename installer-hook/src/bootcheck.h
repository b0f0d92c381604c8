/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_BOOTCHECK_H
#define XSRAID_BOOTCHECK_H

#include "plan.h"

/**
 * Can a disk boot the installed system on its own?  Everything BIOS,
 * gptmbr.bin, extlinux and the initrd need, read back from the disk and from
 * the system mounted at the expectation's root: the boot code in the MBR, a
 * valid GPT (both copies) whose partition 1 is where expected and
 * legacy-BIOS-bootable, extlinux's boot sector at the start of partition 1,
 * ldlinux.sys, every extlinux entry's files and root=, fstab's root,
 * mdadm.conf's arrays and the initrds.
 *
 * Every check is logged ("ok: ..." or "check failed: ..."); the result is 0
 * when all passed, else -EUCLEAN after one summary line.
 */
int bootcheck_disk(const struct boot_expect *e);

#endif
