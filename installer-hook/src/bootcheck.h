/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_BOOTCHECK_H
#define XSRAID_BOOTCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

/**
 * Can a disk boot the installed system on its own?  Everything BIOS,
 * gptmbr.bin, extlinux and the initrd need, read back from the disk and from
 * the system mounted at the expectation's root: the boot code in the MBR, a
 * valid GPT (both copies) whose partition 1 is legacy-BIOS-bootable (where
 * expected, when the expectation says where) and the only one that is,
 * extlinux's boot sector at the start of partition 1, ldlinux.sys, every
 * extlinux entry's files and root=, fstab's root, mdadm.conf's arrays and
 * the initrds.
 *
 * Every check is a finding: what must hold, whether it does, and for one
 * that does not, the action that mends it (as a plan carries it, run through
 * ops.c) or, where mending it is not a program's decision, what to do.
 */

struct boot_check {
	bool ok;
	char *disk; /* the disk it is about, or NULL: the system on md0, so every disk */
	char *what; /* what must hold: "/dev/sdb starts with ...'s boot code" */
	char *why;  /* what fails at boot when it does not hold, or NULL */
	struct plan_action *fix; /* a failure's mending action, or NULL */
	char *advice;		 /* a failure without an action: what to do by hand */
};

struct boot_report {
	size_t n;
	struct boot_check *checks;
};

/* What to check: the disk itself, the system on md0 it boots, or both. */
enum {
	BOOTCHECK_DISK = 1,
	BOOTCHECK_SYSTEM = 2,
};

/*
 * Appends the findings of the checks in @what (BOOTCHECK_*) for what @e
 * describes to @report.  Fix actions need @e->sgdisk and @e->extlinux for
 * those that run them; without them those failures get advice instead.
 * Returns the number of failures it added.
 */
unsigned bootcheck_collect(const struct boot_expect *e, unsigned what, struct boot_report *report);

/*
 * Appends to @p a step of stage STAGE_FIX_BOOT, @id and @title, made of the
 * fixes of @r's failures, which it takes over; no step when @r has none.
 * Returns the number of fixes.
 */
size_t bootcheck_add_fix_step(struct plan *p, const char *id, const char *title,
			      struct boot_report *r);

/* Appends one finding without a fix (@why and @advice only count for a failure). */
void boot_report_add(struct boot_report *r, bool ok, const char *disk, const char *why,
		     const char *advice, const char *what);

void boot_report_free(struct boot_report *r);

/*
 * The install's check: every finding is logged ("ok: ..." or "check
 * failed: ..."); the result is 0 when all passed, else -EUCLEAN after one
 * summary line.
 */
int bootcheck_disk(const struct boot_expect *e);

#endif
