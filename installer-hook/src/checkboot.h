/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_CHECKBOOT_H
#define XSRAID_CHECKBOOT_H

#include <stdbool.h>

/**
 * `xsraid check-boot`: can each disk of md0 boot the running system on its
 * own?  For every disk that holds a member of md0, the checks of
 * bootcheck.c on that disk (its MBR boot code, GPT, the legacy-BIOS-bootable
 * partition, extlinux's boot sector), then once the checks of the system on
 * md0 they all boot (ldlinux.sys, extlinux.conf, fstab, mdadm.conf, the
 * initrds).  Each failure names its disk and its fix; --fix prints the
 * fixes as a plan (stage fix-boot: a step per disk, one for the system),
 * runs it through apply.c as every plan is run, then checks again.  The
 * fixes rewrite boot code, attributes and configuration, never data, and
 * can all be done again: the plan keeps no journal on the disks.
 */

enum checkboot_exit {
	CHECKBOOT_OK = 0,     /* every disk of md0 can boot alone */
	CHECKBOOT_FAILED = 1, /* one cannot (the report says why), or the check failed */
	CHECKBOOT_USAGE = 2,
	CHECKBOOT_NO_ARRAY = 3, /* md0 is not running: nothing to check */
};

struct checkboot_options {
	const char *root;   /* read /sys, /proc and /dev below it: "/" normally */
	const char *system; /* where the system on md0 is mounted, below root: "/" */
	bool json;
	bool fix;
};

/* Prints the report (after fixing, with --fix) and returns its exit status. */
int checkboot_run(const struct checkboot_options *o);

#endif
