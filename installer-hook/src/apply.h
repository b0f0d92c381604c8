/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_APPLY_H
#define XSRAID_APPLY_H

#include <stdbool.h>

#include "plan.h"

/**
 * Executing a plan, one stage at a time, journaled.
 *
 * For every step of the stage: if the journal on the second disk says it is
 * done, it is skipped (a destructive step is never repeated); otherwise
 * "begin" is recorded, its actions run in order, and "done" is recorded
 * once they all succeeded.  Actions carry their own idempotence checks
 * (an array that already has its member, a mount that already exists), so
 * a step that was interrupted half-way is simply run again.
 *
 * Until the journal exists (it is created inside the first destructive
 * step) records are kept in memory and written as soon as it does.
 *
 * On failure in the first stage everything xsraid mounted is released, so
 * the installer can finish the single-disk install it started; the first
 * disk has not been touched.
 */

struct apply_options {
	/* Record "done" for steps the journal does not know yet but whose results exist. */
	bool resume;
};

/*
 * Runs the steps of @p that belong to @stage.  Returns 0 when they all
 * completed, or a negative errno after logging what failed.
 */
int apply_stage(const struct plan *p, enum plan_stage stage, const struct apply_options *opts);

/*
 * True when the journal on the second disk records @step_id of @p as done:
 * the second stage only starts when the first one finished.
 */
bool apply_step_done(const struct plan *p, const char *step_id);

#endif
