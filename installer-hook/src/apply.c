// SPDX-License-Identifier: GPL-2.0-only
#include "apply.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "observer.h"

struct pending_record {
	unsigned step;
	char id[JOURNAL_STEP_ID_MAX];
	enum journal_event event;
	int status;
	char detail[JOURNAL_DETAIL_MAX];
};

struct engine {
	const struct plan *plan;
	const struct executor *exec;
	struct op_context ctx;
	struct journal journal;
	bool journal_open;
	size_t n_pending;
	struct pending_record *pending;
};

static int real_run(const struct plan_action *a, struct op_context *ctx, void *data)
{
	(void)data;
	return OPS[a->op].run(a, ctx);
}

static bool real_needed(const struct plan_action *a, void *data)
{
	(void)data;
	return action_condition_holds(a);
}

const struct executor apply_real_executor = {real_run, real_needed, NULL};

/* --- the journal ------------------------------------------------------------------ */

static int record(struct engine *e, unsigned step, const char *id, enum journal_event ev,
		  int status, const char *detail)
{
	if (e->journal_open) {
		int r = journal_append(&e->journal, step, id, ev, status, detail);
		if (r < 0)
			return log_errno(r,
					 "cannot write to the journal on '%s'; stopping before "
					 "anything else runs",
					 e->plan->journal.device);
		return 0;
	}
	e->pending = xrealloc(e->pending, (e->n_pending + 1) * sizeof(*e->pending));
	struct pending_record *pr = &e->pending[e->n_pending++];
	pr->step = step;
	str_copy(pr->id, sizeof(pr->id), id);
	pr->event = ev;
	pr->status = status;
	str_copy(pr->detail, sizeof(pr->detail), detail ? detail : "");
	return 0;
}

static int start_journal(struct op_context *ctx, const char *device, uint64_t offset)
{
	struct engine *e = ctx->engine;
	const struct plan_inputs *in = &e->plan->in;
	struct buf payload = BUF_INIT;
	int r;

	/* A begun partition step that runs again starts a new generation. */
	if (e->journal_open) {
		journal_close(&e->journal);
		e->journal_open = false;
	}
	inputs_serialize(in, &payload);
	r = journal_create(device, offset, in->sector_size, &in->disk2_guid, payload.data,
			   &e->journal);
	buf_free(&payload);
	if (r < 0)
		return log_errno(r, "cannot create the journal on '%s'", device);
	e->journal_open = true;
	log_info("journal started on %s at byte %" PRIu64 " (generation %" PRIu64 ")", device,
		 offset, e->journal.generation);
	for (size_t i = 0; i < e->n_pending && r == 0; i++) {
		const struct pending_record *pr = &e->pending[i];
		r = record(e, pr->step, pr->id, pr->event, pr->status, pr->detail);
	}
	e->n_pending = 0;
	return r;
}

/* --- steps ---------------------------------------------------------------------- */

static int run_step(struct engine *e, size_t number, const struct plan_step *s)
{
	for (size_t j = 0; j < s->n_actions; j++) {
		const struct plan_action *a = &s->actions[j];
		int r;

		if (!e->exec->needed(a, e->exec->data))
			continue;
		if (a->op != OP_RUN) {
			struct buf line = BUF_INIT;
			action_describe(a, &line);
			log_info("step %zu: %s", number, line.data);
			buf_free(&line);
		}
		e->ctx.step = s;
		e->ctx.action = j;
		r = e->exec->run(a, &e->ctx, e->exec->data);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Releases what a failed first stage mounted; failures here are only logged. */
static void run_cleanup(struct engine *e)
{
	const struct plan_step *s = &e->plan->cleanup;

	for (size_t j = 0; j < s->n_actions; j++)
		if (e->exec->needed(&s->actions[j], e->exec->data))
			e->exec->run(&s->actions[j], &e->ctx, e->exec->data);
}

/* What an operator is told when a step of a stage fails. */
static const char *const AFTER_FAILURE[N_STAGES] = {
	[STAGE_FILESYSTEM_POPULATED] = "the first disk is untouched and boots as installed",
	[STAGE_INSTALLATION_COMPLETE] = "see the log; the second disk holds the complete system",
	[STAGE_REPLACE_DISK] = "the good disk is untouched; run the same command to carry on",
	[STAGE_FIX_BOOT] = "what was mended stays so; xsraid check-boot shows what is left",
};

static int run_stage(struct engine *e, enum plan_stage stage, const struct journal_state *earlier)
{
	const struct plan *p = e->plan;
	size_t total = 0, number = 0;
	int r = 0;

	for (size_t i = 0; i < p->n_steps; i++)
		total += p->steps[i].stage == stage;
	if (p->in.disk[0][0])
		log_notice("%s: %zu step%s for /dev/%s and /dev/%s", plan_stage_name(stage), total,
			   total == 1 ? "" : "s", p->in.disk[0], p->in.disk[1]);
	else
		log_notice("%s: %zu step%s", plan_stage_name(stage), total, total == 1 ? "" : "s");
	observe_stage_begin(plan_stage_name(stage), total);

	for (size_t i = 0; i < p->n_steps && r == 0; i++) {
		const struct plan_step *s = &p->steps[i];
		if (s->stage != stage)
			continue;
		number++;
		if (!s->always && earlier && journal_last_event(earlier, s->id) == JOURNAL_DONE) {
			log_notice("step %zu/%zu %s: done earlier, skipped", number, total, s->id);
			observe_step(s->id, OBSERVE_STEP_SKIPPED, 0);
			continue;
		}
		log_notice("step %zu/%zu %s: %s", number, total, s->id, s->title);
		r = record(e, (unsigned)i + 1, s->id, JOURNAL_BEGIN, 0, s->title);
		if (r < 0)
			break;
		observe_step(s->id, OBSERVE_STEP_BEGIN, 0);
		r = run_step(e, i + 1, s);
		if (r < 0) {
			log_error(r, "step %s failed; %s", s->id, AFTER_FAILURE[stage]);
			/* The failure is noted if the journal takes it; the step is redone anyway.
			 */
			record(e, (unsigned)i + 1, s->id, JOURNAL_FAILED, r, strerror(-r));
			observe_step(s->id, OBSERVE_STEP_FAILED, r);
			break;
		}
		/*
		 * A step the journal calls done is skipped by a resumed run, so
		 * what it wrote (files on md0, a chkconfig link) must be on the
		 * disks first, not in the page cache a power cut takes.
		 */
		sync();
		r = record(e, (unsigned)i + 1, s->id, JOURNAL_DONE, 0, NULL);
		if (r == 0)
			observe_step(s->id, OBSERVE_STEP_DONE, 0);
	}
	if (r == 0)
		r = record(e, 0, plan_stage_name(stage), JOURNAL_STAGE_DONE, 0, NULL);
	if (r == 0 && !e->journal_open && p->journal.device)
		r = log_error(-EIO, "%s: no journal was started; nothing is recorded",
			      plan_stage_name(stage));
	observe_stage_end(plan_stage_name(stage), r);
	return r;
}

int apply_stage(const struct plan *p, enum plan_stage stage, const struct apply_options *opts)
{
	struct engine e = {.plan = p,
			   .exec = opts && opts->exec ? opts->exec : &apply_real_executor};
	const struct journal_state *earlier = opts ? opts->earlier : NULL;
	int r = 0;

	e.ctx.start_journal = start_journal;
	e.ctx.engine = &e;
	for (size_t i = 0; i < p->n_steps && !p->journal.device; i++)
		if (p->steps[i].stage == stage && p->steps[i].destroys)
			return log_error(
				-EINVAL, "%s: step %s overwrites %s, and the plan has no journal",
				plan_stage_name(stage), p->steps[i].id, p->steps[i].destroys);
	if (earlier) {
		r = journal_open(p->journal.device, p->journal.offset, p->journal.sector_size,
				 &e.journal);
		if (r < 0)
			log_errno(r, "cannot open the journal on '%s'", p->journal.device);
		else
			e.journal_open = true;
	}
	if (r == 0)
		r = run_stage(&e, stage, earlier);
	if (r < 0 && stage == STAGE_FILESYSTEM_POPULATED)
		run_cleanup(&e);
	if (r == 0)
		log_notice("%s: all steps done", plan_stage_name(stage));
	if (e.journal_open)
		journal_close(&e.journal);
	free(e.pending);
	return r;
}
