/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_APPLY_H
#define XSRAID_APPLY_H

#include <stdbool.h>

#include "journal.h"
#include "ops.h"
#include "plan.h"

/**
 * Interpreting a plan, one stage at a time, journaled.
 *
 * For every step of the stage: if the journal of earlier attempts says it
 * is done, it is skipped (a destructive step is never repeated); otherwise
 * "begin" is recorded, its actions run in order, and "done" is recorded once
 * they all succeeded.  Actions carry their own idempotence checks (an array
 * that already has its member, a mount that already exists), so a step that
 * was begun and never finished is simply run again.  When every step of the
 * stage is done, "stage-done" is recorded.
 *
 * Until the journal exists (it is created inside the first destructive
 * step) records are kept in memory and written as soon as it does.  A
 * record that cannot be written stops the stage before the next action:
 * the journal must be trustworthy, or nothing runs.
 *
 * A plan without a journal device (check-boot --fix's: nothing in it
 * overwrites data, and all of it can simply be done again) keeps its
 * records in memory; a step of it that overwrites something is refused.
 *
 * On failure in the first stage, the plan's cleanup releases what the stage
 * mounted, so the installer can finish the single-disk install it started;
 * the first disk has not been touched.
 */

/* How actions are carried out: the real operations, or a stand-in that records them. */
struct executor {
	int (*run)(const struct plan_action *a, struct op_context *ctx, void *data);
	bool (*needed)(const struct plan_action *a, void *data);
	void *data;
};

/* The operations of ops.c, on the real system. */
extern const struct executor apply_real_executor;

struct apply_options {
	const struct executor *exec; /* NULL: apply_real_executor */
	/* The journal of earlier attempts at this very plan, or NULL for a fresh start. */
	const struct journal_state *earlier;
};

/*
 * Runs the steps of @p that belong to @stage.  Returns 0 when they all
 * completed, or a negative errno after logging what failed.
 */
int apply_stage(const struct plan *p, enum plan_stage stage, const struct apply_options *opts);

#endif
