/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_OBSERVER_H
#define XSRAID_OBSERVER_H

#include <stddef.h>
#include <stdint.h>

/**
 * What the apply engine tells a listener while it works: the plan, each
 * stage and step as it begins and ends, the progress of a resync, and the
 * result of each disk's boot check.  report.c listens, to tell a PXE server
 * how an install goes; nothing else depends on it.
 *
 * There is one listener per process, set with observer_set(); with none
 * every observe_*() call does nothing.  Calls are synchronous and cannot
 * fail: a listener deals with its own errors and must never stop an install.
 */

struct plan;

enum observe_step {
	OBSERVE_STEP_BEGIN,
	OBSERVE_STEP_SKIPPED, /* done in an earlier run, per the journal */
	OBSERVE_STEP_DONE,
	OBSERVE_STEP_FAILED,
};

struct observer {
	void (*plan)(void *ctx, const struct plan *p);
	void (*stage_begin)(void *ctx, const char *stage, size_t n_steps);
	/* @id is the step's id in the plan; @status a negative errno when it failed. */
	void (*step)(void *ctx, const char *id, enum observe_step event, int status);
	void (*stage_end)(void *ctx, const char *stage, int status);
	/* @what names the array ("md0"); bytes of @total done. */
	void (*progress)(void *ctx, const char *what, uint64_t done, uint64_t total);
	/* @disk ("sdb") failed @failures of the checks that it boots on its own. */
	void (*disk_checked)(void *ctx, const char *disk, int failures);
	void *ctx;
};

/* Sets the listener (copied); NULL removes it. */
void observer_set(const struct observer *o);

void observe_plan(const struct plan *p);
void observe_stage_begin(const char *stage, size_t n_steps);
void observe_step(const char *id, enum observe_step event, int status);
void observe_stage_end(const char *stage, int status);
void observe_progress(const char *what, uint64_t done, uint64_t total);
void observe_boot_check(const char *disk, int failures);

#endif
