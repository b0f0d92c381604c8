/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_OPS_H
#define XSRAID_OPS_H

#include <stdbool.h>

#include "plan.h"
#include "util.h"

/**
 * The operations a plan's actions name: for each, how it runs and how it is
 * described.  Everything an operation needs is in its action; the only
 * thing it gets from the engine is the means to start the journal.
 *
 * action_describe() is the one formatter of an action: the plan printout,
 * the JSON, the log and the console all use it, so they cannot drift.
 */

struct op_context {
	/* OP_JOURNAL_CREATE: opens a new journal generation at @device, @offset. */
	int (*start_journal)(struct op_context *ctx, const char *device, uint64_t offset);
	void *engine;
	/* Where the engine is: the step, and the action's place in it (from 0). */
	const struct plan_step *step;
	size_t action;
};

struct op {
	const char *name;
	/* Returns 0, or a negative errno after logging what failed. */
	int (*run)(const struct plan_action *a, struct op_context *ctx);
	/* One line, without the condition and the note. */
	void (*describe)(const struct plan_action *a, struct buf *out);
};

extern const struct op OPS[N_OPS];

/* The line an operator reads for @a: what it does, when, and why. */
void action_describe(const struct plan_action *a, struct buf *out);

/* Whether @a's condition says it must run now (reads /sys). */
bool action_condition_holds(const struct plan_action *a);

#endif
