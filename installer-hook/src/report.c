// SPDX-License-Identifier: GPL-2.0-only
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "log.h"
#include "plan.h"

static const char *const STATE_NAMES[] = {
	[REPORT_WAITING] = "waiting",	  [REPORT_INSTALLING] = "installing",
	[REPORT_INSTALLED] = "installed", [REPORT_REFUSED] = "refused",
	[REPORT_FAILED] = "failed",
};

static const char *const STEP_STATE_NAMES[] = {
	[REPORT_STEP_PENDING] = "pending", [REPORT_STEP_RUNNING] = "running",
	[REPORT_STEP_DONE] = "done",	   [REPORT_STEP_SKIPPED] = "skipped",
	[REPORT_STEP_FAILED] = "failed",
};

static const char *const BOOT_NAMES[] = {
	[REPORT_BOOT_UNCHECKED] = "unchecked",
	[REPORT_BOOT_OK] = "ok",
	[REPORT_BOOT_FAILED] = "failed",
};

const char *report_state_name(enum report_state s)
{
	return STATE_NAMES[s];
}

/* The index of @name in @names, or -1. */
static int lookup(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return (int)i;
	return -1;
}

/* Messages are one line: a newline would end a line of the saved form. */
static void set_message(struct report *r, const char *text)
{
	str_copy(r->message, sizeof(r->message), text ? text : "");
	for (char *c = r->message; *c; c++)
		if (*c == '\n' || *c == '\r' || *c == '\t')
			*c = ' ';
}

/* --- the model --------------------------------------------------------------------- */

void report_init(struct report *r)
{
	*r = (struct report){0};
}

void report_free(struct report *r)
{
	free(r->steps);
	*r = (struct report){0};
}

static struct report_step *find_step(struct report *r, const char *id)
{
	for (size_t i = 0; i < r->n_steps; i++)
		if (!strcmp(r->steps[i].id, id))
			return &r->steps[i];
	return NULL;
}

void report_set_plan(struct report *r, const struct plan *p)
{
	struct report_step *steps = xcalloc(p->n_steps ? p->n_steps : 1, sizeof(*steps));

	for (size_t i = 0; i < p->n_steps; i++) {
		const struct plan_step *ps = &p->steps[i];
		const struct report_step *known = find_step(r, ps->id);
		str_copy(steps[i].stage, sizeof(steps[i].stage), plan_stage_name(ps->stage));
		str_copy(steps[i].id, sizeof(steps[i].id), ps->id);
		str_copy(steps[i].title, sizeof(steps[i].title), ps->title);
		if (known) {
			steps[i].state = known->state;
			steps[i].status = known->status;
		}
	}
	free(r->steps);
	r->steps = steps;
	r->n_steps = p->n_steps;
	if (r->current > r->n_steps)
		r->current = 0;
	for (int d = 0; d < 2; d++) {
		if (strcmp(r->disks[d].name, p->in.disk[d])) {
			str_copy(r->disks[d].name, sizeof(r->disks[d].name), p->in.disk[d]);
			r->disks[d].boot = REPORT_BOOT_UNCHECKED;
			r->disks[d].failures = 0;
		}
	}
	r->seq++;
}

void report_stage_begin(struct report *r, const char *stage)
{
	size_t first = r->n_steps;

	r->state = REPORT_INSTALLING;
	str_copy(r->stage, sizeof(r->stage), stage);
	for (size_t i = 0; i < r->n_steps && first == r->n_steps; i++)
		if (!strcmp(r->steps[i].stage, stage))
			first = i;
	/* A later stage only runs once the earlier ones finished, maybe in another run. */
	for (size_t i = 0; i < first; i++)
		if (r->steps[i].state == REPORT_STEP_PENDING)
			r->steps[i].state = REPORT_STEP_DONE;
	r->seq++;
}

void report_step(struct report *r, const char *id, enum observe_step event, int status,
		 const char *message)
{
	struct report_step *s = find_step(r, id);

	if (!s)
		return;
	r->current = (size_t)(s - r->steps) + 1;
	switch (event) {
	case OBSERVE_STEP_BEGIN:
		s->state = REPORT_STEP_RUNNING;
		break;
	case OBSERVE_STEP_SKIPPED:
		s->state = REPORT_STEP_SKIPPED;
		break;
	case OBSERVE_STEP_DONE:
		s->state = REPORT_STEP_DONE;
		s->status = 0;
		break;
	case OBSERVE_STEP_FAILED:
		s->state = REPORT_STEP_FAILED;
		s->status = status;
		r->state = REPORT_FAILED;
		set_message(r, message && *message ? message : strerror(-status));
		break;
	}
	r->seq++;
}

void report_stage_end(struct report *r, const char *stage, int status, const char *message)
{
	str_copy(r->stage, sizeof(r->stage), stage);
	if (status < 0 && r->state != REPORT_FAILED) {
		r->state = REPORT_FAILED;
		set_message(r, message && *message ? message : strerror(-status));
	}
	r->seq++;
}

static unsigned percent(uint64_t done, uint64_t total)
{
	if (!total)
		return 0;
	return done >= total ? 100u : (unsigned)(done * 100 / total);
}

bool report_progress(struct report *r, const char *what, uint64_t done, uint64_t total)
{
	unsigned before = percent(r->resync_done, r->resync_total);
	bool same_array = !strcmp(r->resync_array, what);

	str_copy(r->resync_array, sizeof(r->resync_array), what);
	r->resync_done = done;
	r->resync_total = total;
	r->seq++;
	return !same_array || percent(done, total) != before;
}

void report_boot_check(struct report *r, const char *disk, int failures)
{
	for (int d = 0; d < 2; d++) {
		if (strcmp(r->disks[d].name, disk))
			continue;
		r->disks[d].boot = failures ? REPORT_BOOT_FAILED : REPORT_BOOT_OK;
		r->disks[d].failures = failures;
	}
	r->seq++;
}

void report_outcome(struct report *r, enum report_state state, const char *message)
{
	r->state = state;
	set_message(r, message);
	r->seq++;
}

/* --- rendering ------------------------------------------------------------------------ */

static void render_step(struct buf *b, const struct report_step *s)
{
	buf_puts(b, "{\"stage\": ");
	json_quote(b, s->stage);
	buf_puts(b, ", \"id\": ");
	json_quote(b, s->id);
	buf_puts(b, ", \"title\": ");
	json_quote(b, s->title);
	buf_printf(b, ", \"state\": \"%s\"", STEP_STATE_NAMES[s->state]);
	if (s->state == REPORT_STEP_FAILED)
		buf_printf(b, ", \"error\": %d", s->status);
	buf_puts(b, "}");
}

void report_render(const struct report *r, time_t now, struct buf *b)
{
	char stamp[32];
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);

	buf_printf(b, "{\n  \"format\": \"xsraid-report-1\",\n  \"state\": \"%s\",\n",
		   STATE_NAMES[r->state]);
	buf_puts(b, "  \"stage\": ");
	json_quote(b, r->stage);
	buf_puts(b, ",\n  \"step\": ");
	if (r->current) {
		const struct report_step *s = &r->steps[r->current - 1];
		buf_printf(b, "{\"number\": %zu, \"total\": %zu, ", r->current, r->n_steps);
		buf_puts(b, "\"id\": ");
		json_quote(b, s->id);
		buf_puts(b, ", \"title\": ");
		json_quote(b, s->title);
		buf_printf(b, ", \"state\": \"%s\"}", STEP_STATE_NAMES[s->state]);
	} else {
		buf_puts(b, "null");
	}
	buf_puts(b, ",\n  \"steps\": [");
	for (size_t i = 0; i < r->n_steps; i++) {
		buf_puts(b, i ? ",\n    " : "\n    ");
		render_step(b, &r->steps[i]);
	}
	buf_puts(b, r->n_steps ? "\n  ],\n  \"resync\": " : "],\n  \"resync\": ");
	if (r->resync_array[0]) {
		buf_puts(b, "{\"array\": ");
		json_quote(b, r->resync_array);
		buf_printf(b,
			   ", \"done_bytes\": %" PRIu64 ", \"total_bytes\": %" PRIu64
			   ", \"percent\": %u}",
			   r->resync_done, r->resync_total,
			   percent(r->resync_done, r->resync_total));
	} else {
		buf_puts(b, "null");
	}
	buf_puts(b, ",\n  \"disks\": [");
	for (int d = 0, shown = 0; d < 2; d++) {
		if (!r->disks[d].name[0])
			continue;
		buf_puts(b, shown++ ? ",\n    " : "\n    ");
		buf_puts(b, "{\"name\": ");
		json_quote(b, r->disks[d].name);
		buf_printf(b, ", \"role\": \"%s\", \"boot\": \"%s\", \"failed_checks\": %d}",
			   d == 0 ? "installed" : "mirror", BOOT_NAMES[r->disks[d].boot],
			   r->disks[d].failures);
	}
	buf_puts(b, r->disks[0].name[0] || r->disks[1].name[0] ? "\n  ],\n" : "],\n");
	buf_puts(b, "  \"message\": ");
	json_quote(b, r->message);
	buf_printf(b, ",\n  \"seq\": %u,\n  \"time\": \"%s\"\n}\n", r->seq, stamp);
}

/* --- the saved form -------------------------------------------------------------------- */

void report_serialize(const struct report *r, struct buf *b)
{
	buf_puts(b, "xsraid-report 1\n");
	buf_printf(b, "state %s\n", STATE_NAMES[r->state]);
	buf_printf(b, "stage %s\n", r->stage[0] ? r->stage : "-");
	buf_printf(b, "current %zu\nseq %u\n", r->current, r->seq);
	for (int d = 0; d < 2; d++)
		buf_printf(b, "disk %d %s %s %d\n", d, r->disks[d].name[0] ? r->disks[d].name : "-",
			   BOOT_NAMES[r->disks[d].boot], r->disks[d].failures);
	if (r->resync_array[0])
		buf_printf(b, "resync %s %" PRIu64 " %" PRIu64 "\n", r->resync_array,
			   r->resync_done, r->resync_total);
	for (size_t i = 0; i < r->n_steps; i++) {
		const struct report_step *s = &r->steps[i];
		buf_printf(b, "step %s %s %s %d %s\n", s->stage, s->id, STEP_STATE_NAMES[s->state],
			   s->status, s->title);
	}
	buf_printf(b, "message %s\n", r->message);
}

/* "-" stands for an empty word. */
static void copy_word(char *dst, size_t size, const char *w)
{
	str_copy(dst, size, strcmp(w, "-") ? w : "");
}

static int parse_line(struct report *r, char *line)
{
	char a[64], b[64], c[64];
	unsigned long long x, y;
	int n, d, off = 0;

	if (!strncmp(line, "message ", 8)) {
		set_message(r, line + 8);
		return 0;
	}
	if (sscanf(line, "state %63s", a) == 1) {
		n = lookup(STATE_NAMES, ARRAY_SIZE(STATE_NAMES), a);
		r->state = n < 0 ? REPORT_WAITING : (enum report_state)n;
		return n < 0 ? -EINVAL : 0;
	}
	if (sscanf(line, "stage %63s", a) == 1) {
		copy_word(r->stage, sizeof(r->stage), a);
		return 0;
	}
	if (sscanf(line, "current %zu", &r->current) == 1 || sscanf(line, "seq %u", &r->seq) == 1)
		return 0;
	if (sscanf(line, "disk %d %63s %63s %d", &d, a, b, &n) == 4 && (d == 0 || d == 1)) {
		int boot = lookup(BOOT_NAMES, ARRAY_SIZE(BOOT_NAMES), b);
		if (boot < 0)
			return -EINVAL;
		copy_word(r->disks[d].name, sizeof(r->disks[d].name), a);
		r->disks[d].boot = (enum report_boot)boot;
		r->disks[d].failures = n;
		return 0;
	}
	if (sscanf(line, "resync %15s %llu %llu", a, &x, &y) == 3) {
		str_copy(r->resync_array, sizeof(r->resync_array), a);
		r->resync_done = x;
		r->resync_total = y;
		return 0;
	}
	if (sscanf(line, "step %63s %63s %63s %d %n", a, b, c, &n, &off) == 4 && off > 0) {
		int st = lookup(STEP_STATE_NAMES, ARRAY_SIZE(STEP_STATE_NAMES), c);
		if (st < 0)
			return -EINVAL;
		r->steps = xrealloc(r->steps, (r->n_steps + 1) * sizeof(*r->steps));
		struct report_step *s = &r->steps[r->n_steps++];
		*s = (struct report_step){.state = (enum report_step_state)st, .status = n};
		str_copy(s->stage, sizeof(s->stage), a);
		str_copy(s->id, sizeof(s->id), b);
		str_copy(s->title, sizeof(s->title), line + off);
		return 0;
	}
	return -EINVAL;
}

int report_parse(const char *text, struct report *ret)
{
	struct report r;
	char *copy = xstrdup(text), *save = NULL;
	int rc = 0;

	report_init(&r);
	char *line = strtok_r(copy, "\n", &save);
	if (!line || strcmp(line, "xsraid-report 1"))
		rc = -EINVAL;
	while (rc == 0 && (line = strtok_r(NULL, "\n", &save)))
		rc = parse_line(&r, line);
	if (rc == 0 && r.current > r.n_steps)
		rc = -EINVAL;
	free(copy);
	if (rc < 0) {
		report_free(&r);
		return rc;
	}
	*ret = r;
	return 0;
}

/* --- the sender ---------------------------------------------------------------------- */

/* A failed report is not retried for this long, so a dead server costs an install little. */
#define REPORT_BACKOFF_SEC  60
#define REPORT_PROGRESS_SEC 5

static struct sender {
	bool on;
	char *url, *final_url, *state_file;
	struct report r;
	time_t quiet_until, last_sent;
	bool warned;
} S;

static void save_state(void)
{
	struct buf text = BUF_INIT;

	buf_printf(&text, "url %s\n", S.url ? S.url : S.final_url);
	report_serialize(&S.r, &text);
	if (write_file_atomic(S.state_file, text.data, text.len, 0600) < 0)
		log_debug("cannot save the report state in '%s'", S.state_file);
	buf_free(&text);
}

static int put(const char *url, const struct buf *doc, const struct fetch_options *o)
{
	struct buf err = BUF_INIT;
	int r = fetch_put(url, doc->data, doc->len, "application/json", o, &err);

	if (r < 0) {
		/* Once on the console; the log gets every failure. */
		if (!S.warned)
			log_warn("%s; the install goes on, reports are tried again later",
				 err.data);
		else
			log_info("%s", err.data);
		S.warned = true;
	}
	buf_free(&err);
	return r;
}

/* Progress goes out in a few seconds, a step in a few more: never minutes. */
static const struct fetch_options QUICK = {
	.connect_timeout_sec = 3, .total_timeout_sec = 10, .attempts = 1};

static void send_report(bool urgent)
{
	struct buf doc = BUF_INIT;
	time_t now = time(NULL);

	save_state();
	if (!S.url || (!urgent && now < S.quiet_until))
		return;
	report_render(&S.r, now, &doc);
	S.last_sent = now;
	if (put(S.url, &doc, &QUICK) < 0)
		S.quiet_until = now + REPORT_BACKOFF_SEC;
	else
		S.quiet_until = 0;
	buf_free(&doc);
}

static void on_plan(void *ctx, const struct plan *p)
{
	(void)ctx;
	report_set_plan(&S.r, p);
	send_report(false);
}

static void on_stage_begin(void *ctx, const char *stage, size_t n_steps)
{
	(void)ctx;
	(void)n_steps;
	report_stage_begin(&S.r, stage);
	send_report(false);
}

static void on_step(void *ctx, const char *id, enum observe_step event, int status)
{
	(void)ctx;
	report_step(&S.r, id, event, status, log_last_error());
	send_report(false);
}

static void on_stage_end(void *ctx, const char *stage, int status)
{
	(void)ctx;
	report_stage_end(&S.r, stage, status, log_last_error());
	send_report(false);
}

static void on_progress(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	(void)ctx;
	bool changed = report_progress(&S.r, what, done, total);
	time_t now = time(NULL);

	if (changed && (now - S.last_sent >= REPORT_PROGRESS_SEC || (total && done >= total)))
		send_report(false);
}

static void on_boot_check(void *ctx, const char *disk, int failures)
{
	(void)ctx;
	report_boot_check(&S.r, disk, failures);
	send_report(false);
}

void report_start(const struct raid_settings *rs, const char *state_file)
{
	static const struct observer listener = {
		.plan = on_plan,
		.stage_begin = on_stage_begin,
		.step = on_step,
		.stage_end = on_stage_end,
		.progress = on_progress,
		.disk_checked = on_boot_check,
	};
	struct buf text = BUF_INIT;

	if (!rs->report_url && !rs->report_final_url)
		return;
	report_init(&S.r);
	S.on = true;
	/* Either may be missing: then only the other is sent. */
	S.url = rs->report_url ? xstrdup(rs->report_url) : NULL;
	S.final_url = rs->report_final_url ? xstrdup(rs->report_final_url) : NULL;
	S.state_file = xstrdup(state_file);
	const char *key = S.url ? S.url : S.final_url;
	size_t n = strlen(key);
	if (read_file(state_file, 1 << 20, &text) == 0 && !strncmp(text.data, "url ", 4) &&
	    !strncmp(text.data + 4, key, n) && text.data[4 + n] == '\n' &&
	    report_parse(text.data + 5 + n, &S.r) < 0)
		report_init(&S.r);
	buf_free(&text);
	observer_set(&listener);
	char *shown = location_display(S.url ? S.url : S.final_url);
	log_info("reporting to %s", shown);
	free(shown);
}

void report_refused(const char *why)
{
	if (!S.on)
		return;
	report_outcome(&S.r, REPORT_REFUSED, why);
	send_report(true);
}

void report_finish(int status, const char *installer_status)
{
	struct buf doc = BUF_INIT;
	struct fetch_options patient = FETCH_OPTIONS_DEFAULT;

	if (!S.on)
		return;
	if (installer_status && strcmp(installer_status, "0")) {
		char why[128];
		snprintf(why, sizeof(why),
			 "the installer failed (status %s); the disks are left as they are",
			 installer_status);
		report_outcome(&S.r, REPORT_FAILED, why);
	} else if (status == 0) {
		report_outcome(&S.r, REPORT_INSTALLED, "");
	} else if (S.r.state != REPORT_REFUSED && S.r.state != REPORT_FAILED) {
		report_outcome(&S.r, REPORT_FAILED, log_last_error());
	}
	save_state();
	report_render(&S.r, time(NULL), &doc);
	/* The final report must arrive: a PXE server keys its next boot on it. */
	if (S.url)
		put(S.url, &doc, S.final_url ? &QUICK : &patient);
	if (S.final_url && put(S.final_url, &doc, &patient) == 0)
		log_notice("final report delivered: %s", report_state_name(S.r.state));
	buf_free(&doc);
	observer_set(NULL);
	report_free(&S.r);
	free(S.url);
	free(S.final_url);
	free(S.state_file);
	S = (struct sender){0};
}
