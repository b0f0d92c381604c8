/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_MONITOR_H
#define XSRAID_MONITOR_H

#include <stdbool.h>

/**
 * What runs xsraid on the installed system when no operator does.
 *
 * mdadm's monitor (the mdmonitor service) runs PROGRAM from /etc/mdadm.conf,
 * which the install sets to xsraid itself, with an event name, the array
 * and for some events the member: `xsraid Fail /dev/md0 /dev/sda1`.  xsraid
 * logs the event to syslog with what to do about it, then runs the program
 * the answerfile named (PROGRAM in /etc/sysconfig/xsraid) with the same
 * arguments, as mdadm would have.
 *
 * cron runs `xsraid scrub`: a check of every redundant array that is idle
 * and whole, md reading both halves of each mirror (sync_action "check").
 * What it finds, md counts in mismatch_cnt; `xsraid status` shows the
 * check's progress, and the next scrub logs what the last one counted.
 */

/* Whether @name is one of the events mdadm's monitor reports ("Fail", "Rebuild20"...). */
bool monitor_is_event(const char *name);

/*
 * Handles event @argv[0] for array @argv[1] (and member @argv[2]), reading
 * etc/sysconfig/xsraid below @root.  Returns 0, or 1 when the program could
 * not be run or failed.
 */
int monitor_event(const char *root, int argc, char **argv);

/*
 * Starts a check of every idle, whole array listed in @root's /proc/mdstat,
 * through sysfs below @root; with @first_week, only in the first seven days
 * of the month (a monthly check from a weekly cron line).  Returns 0, or 1
 * when an array could not be checked.
 */
int monitor_scrub(const char *root, bool first_week);

#endif
