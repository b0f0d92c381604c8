/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_PLANPRINT_H
#define XSRAID_PLANPRINT_H

#include "plan.h"
#include "util.h"

/**
 * The plan as people and programs read it.  Every action is rendered by
 * action_describe() (ops.h); the JSON form adds the action's data itself.
 */

/* A summary of disks and arrays, then every step and what it does. */
void plan_print_text(const struct plan *p, struct buf *out);

/* The steps alone, by stage, each with what it does: all a plan made of findings has. */
void plan_print_steps(const struct plan *p, struct buf *out);

/* The same as JSON, with every action's data. */
void plan_print_json(const struct plan *p, struct buf *out);

/* One action as JSON: its description and all its data (what plan_print_json() shows). */
void plan_action_json(const struct plan_action *a, struct buf *out);

#endif
