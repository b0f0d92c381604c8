/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_REPORT_H
#define XSRAID_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "answerfile.h"
#include "observer.h"
#include "util.h"

/**
 * Reports to a PXE server: one JSON document per install, PUT over HTTP to
 * the URL the answerfile names (report= on <raid>, raid-report= on
 * <primary-disk>) whenever something changes: the plan, each step, the
 * resync's progress, each disk's boot check, the outcome.  When the install
 * attempt has ended, whatever the outcome, the same document also goes to
 * report-final=; a PXE server that finds it there boots the host from its
 * disk from then on (pxe/README.md).
 *
 * The model (struct report and the report_*() functions that change and
 * render it) is pure.  The sender, report_start() and report_finish(),
 * listens to the apply engine through observer.h and does the PUTs.  A
 * report that cannot be delivered never stops an install: it is logged,
 * and the next one is tried a minute later.
 *
 * The two installer stages run as two processes; the model is saved to a
 * file in xsraid's working directory after every change, and the second
 * stage carries on from it.
 */

enum report_state {
	REPORT_WAITING,	   /* nothing has run yet */
	REPORT_INSTALLING, /* a stage is running, or the next one is to come */
	REPORT_INSTALLED,  /* both stages done: the host is mirrored */
	REPORT_REFUSED,	   /* no mirror was made; the install stays on one disk */
	REPORT_FAILED,	   /* a step or the installer itself failed */
};

enum report_step_state {
	REPORT_STEP_PENDING,
	REPORT_STEP_RUNNING,
	REPORT_STEP_DONE,
	REPORT_STEP_SKIPPED, /* done in an earlier run */
	REPORT_STEP_FAILED,
};

enum report_boot {
	REPORT_BOOT_UNCHECKED,
	REPORT_BOOT_OK,
	REPORT_BOOT_FAILED,
};

struct report_step {
	char stage[32];
	char id[32];
	char title[160];
	enum report_step_state state;
	int status; /* negative errno when failed */
};

struct report_disk {
	char name[64];
	enum report_boot boot;
	int failures;
};

struct report {
	enum report_state state;
	char stage[32]; /* the stage running or last run */
	size_t current; /* 1-based index of the step running or last run; 0: none */
	size_t n_steps;
	struct report_step *steps;
	struct report_disk disks[2]; /* the installed disk, then the mirror */
	char resync_array[16];	     /* "" until a resync is reported */
	uint64_t resync_done, resync_total;
	char message[512]; /* why it was refused or failed */
	unsigned seq;	   /* bumped at every change */
};

void report_init(struct report *r);
void report_free(struct report *r);

/* The steps of @p, in order; states already known for the same step ids are kept. */
void report_set_plan(struct report *r, const struct plan *p);
void report_stage_begin(struct report *r, const char *stage);
void report_step(struct report *r, const char *id, enum observe_step event, int status,
		 const char *message);
void report_stage_end(struct report *r, const char *stage, int status, const char *message);
/* Returns true when the percentage shown changed. */
bool report_progress(struct report *r, const char *what, uint64_t done, uint64_t total);
void report_boot_check(struct report *r, const char *disk, int failures);
void report_outcome(struct report *r, enum report_state state, const char *message);

/* The document, with @now as its time stamp. */
void report_render(const struct report *r, time_t now, struct buf *out);

const char *report_state_name(enum report_state s);

/* A line-based form of @r, for the second stage (report_parse() reads it back). */
void report_serialize(const struct report *r, struct buf *out);
int report_parse(const char *text, struct report *ret);

/*
 * Starts reporting for the answerfile's RAID settings: does nothing unless
 * they name a report URL.  Carries on from @state_file when it holds an
 * earlier stage's report for the same URL.
 */
void report_start(const struct raid_settings *rs, const char *state_file);

/* The attempt was refused before any step ran: records why and sends it. */
void report_refused(const char *why);

/*
 * The install attempt has ended: @status is the installation-complete
 * stage's result (0 when both disks are mirrored), @installer_status the
 * installer's own ("0" on success, NULL when unknown).  Sends the final
 * report to report= and report-final=, with retries.
 */
void report_finish(int status, const char *installer_status);

#endif
