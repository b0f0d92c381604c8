/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_MDREPORT_H
#define XSRAID_MDREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mdstat.h"
#include "util.h"

/**
 * What `xsraid status` says about the md arrays: their health, and the
 * report in text and JSON.  Pure: it works from a parsed /proc/mdstat and,
 * when they could be read, facts from sysfs (status.c reads them), so a
 * saved copy of /proc/mdstat gives the same report minus those facts.
 */

/* Ordered by severity: the health of several arrays is the worst of theirs. */
enum md_health {
	MD_HEALTHY,    /* running, every slot in sync (a check may be running) */
	MD_REBUILDING, /* a resync, recovery or reshape runs or waits its turn */
	MD_DEGRADED,   /* slots without a member and nothing rebuilding them, not
			* running, or a failed member still listed */
};

/* What sysfs says about one member: /sys/block/<disk>/device and /sys/block/mdN/md/dev-<member>. */
struct md_member_facts {
	bool known;		    /* md/dev-<member> could be read */
	int64_t slot;		    /* md/dev-<member>/slot; -1 for "none" (a spare) */
	char state[128];	    /* md/dev-<member>/state: "in_sync,write_mostly" */
	char disk[MDSTAT_NAME_MAX]; /* the whole disk holding the member: "sda"; "" unknown */
	char model[64];		    /* as discover.c reads them; "" unknown */
	char serial[128];
};

struct md_array_facts {
	char sync_action[16];		 /* md/sync_action: "idle", "repair" ...; "" unknown */
	struct md_member_facts *members; /* one per mdstat member */
};

/* One per array of the mdstat they were read for; @arrays NULL when there are none. */
struct md_facts {
	size_t n_arrays;
	struct md_array_facts *arrays;
};

void md_facts_free(struct md_facts *f);

const char *md_health_name(enum md_health h);

/* @f may be NULL (no sysfs facts). */
enum md_health md_array_health(const struct mdstat_array *a, const struct md_array_facts *f);

/*
 * The worst health of all arrays (containers of external metadata hold
 * disks, not data, and do not count).  *@ret_arrays: how many did count.
 */
enum md_health md_health(const struct mdstat *m, const struct md_facts *f, size_t *ret_arrays);

/*
 * The report: a first line that says it all (for monitoring systems that
 * show one line), then every array and its members.  @f may be NULL.
 */
void md_report_text(const struct mdstat *m, const struct md_facts *f, struct buf *out);

/* The same as one JSON object; unknown values are null. */
void md_report_json(const struct mdstat *m, const struct md_facts *f, struct buf *out);

#endif
