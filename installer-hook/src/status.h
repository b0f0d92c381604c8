/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_STATUS_H
#define XSRAID_STATUS_H

#include <stdbool.h>

#include "mdreport.h"
#include "mdstat.h"
#include "util.h"

/**
 * `xsraid status`: the md arrays from /proc/mdstat, what sysfs says about
 * their members (slot, state, the disk's model and serial), and on request
 * the step journal of every disk that carries one.  Its exit status is for
 * monitoring systems; the values below are documented in --help and the
 * README.
 */

enum status_exit {
	STATUS_HEALTHY = 0,    /* every array in sync (a check may be running) */
	STATUS_FAILED = 1,     /* /proc/mdstat (or the --mdstat file) could not be read */
	STATUS_USAGE = 2,      /* options that do not go together */
	STATUS_NO_ARRAYS = 3,  /* md knows no array (or md is not loaded) */
	STATUS_REBUILDING = 4, /* a resync, recovery or reshape runs or waits its turn */
	STATUS_DEGRADED = 5,   /* an array lacks members with no rebuild under way, is not
				* running, or still lists a failed member */
};

struct status_options {
	const char *root;	 /* read /proc and /sys below it; "/" normally */
	const char *mdstat_file; /* a saved /proc/mdstat; sysfs is then read only with --sysroot */
	bool sysroot_given;	 /* --sysroot: its sysfs belongs with --mdstat FILE */
	bool json;
	bool journal; /* also print the step journals (text only) */
};

/* Prints the report on stdout (errors on stderr) and returns its exit status. */
int status_run(const struct status_options *o);

/*
 * Reads what sysfs below @root says about the arrays of @m: each array's
 * sync_action, each member's slot and state, and the model and serial of
 * the disk holding it.  What cannot be read stays unknown.
 */
void status_read_facts(const char *root, const struct mdstat *m, struct md_facts *ret);

/* The exit status for a report of @m with @f (NULL: no sysfs facts). */
int status_exit_code(const struct mdstat *m, const struct md_facts *f);

#endif
