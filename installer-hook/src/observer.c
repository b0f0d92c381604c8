// SPDX-License-Identifier: GPL-2.0-only
#include "observer.h"

#include <stdbool.h>

static struct observer listener;
static bool listening;

void observer_set(const struct observer *o)
{
	listening = o != NULL;
	listener = o ? *o : (struct observer){0};
}

void observe_plan(const struct plan *p)
{
	if (listening && listener.plan)
		listener.plan(listener.ctx, p);
}

void observe_stage_begin(const char *stage, size_t n_steps)
{
	if (listening && listener.stage_begin)
		listener.stage_begin(listener.ctx, stage, n_steps);
}

void observe_step(const char *id, enum observe_step event, int status)
{
	if (listening && listener.step)
		listener.step(listener.ctx, id, event, status);
}

void observe_stage_end(const char *stage, int status)
{
	if (listening && listener.stage_end)
		listener.stage_end(listener.ctx, stage, status);
}

void observe_progress(const char *what, uint64_t done, uint64_t total)
{
	if (listening && listener.progress)
		listener.progress(listener.ctx, what, done, total);
}

void observe_boot_check(const char *disk, int failures)
{
	if (listening && listener.disk_checked)
		listener.disk_checked(listener.ctx, disk, failures);
}
