// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reports to a PXE server: the document a host PUTs (checked through a real
 * JSON parser, as the server-side tools read it), its life through both
 * installer stages, which run as two processes, and the PUTs themselves
 * against a small HTTP server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plan.h"
#include "report.h"
#include "testlib.h"
#include "util.h"

#define A STAGE_FILESYSTEM_POPULATED
#define B STAGE_INSTALLATION_COMPLETE

static struct plan_step STEPS[] = {
	{.id = "prepare", .stage = A, .title = (char *)"Prepare xsraid's working directories"},
	{.id = "copy-root", .stage = A, .title = (char *)"Copy the root filesystem to md0"},
	{.id = "verify-disk2", .stage = A, .title = (char *)"Check that the second disk boots"},
	{.id = "add-disk1", .stage = B, .title = (char *)"Add the first disk's root partition"},
	{.id = "wait-root-resync", .stage = B, .title = (char *)"Wait until md0 is in sync"},
	{.id = "verify-disks", .stage = B, .title = (char *)"Check that each disk boots"},
};

static void fake_plan(struct plan *p)
{
	*p = (struct plan){.n_steps = ARRAY_SIZE(STEPS), .steps = STEPS};
	str_copy(p->in.disk[0], sizeof(p->in.disk[0]), "sda");
	str_copy(p->in.disk[1], sizeof(p->in.disk[1]), "sdb");
}

/*
 * Runs a Python expression over the JSON document in @json (bound to d) and
 * returns what it prints: the document is read by a real JSON parser, as
 * the PXE server's tools read it.
 */
static char *json_query(const char *json, const char *expr)
{
	char *dir = test_mkdtemp(), *path = path_join(dir, "report.json"), *out = NULL;
	char *prog =
		xasprintf("import json, sys\nd = json.load(open(sys.argv[1]))\nprint(%s)\n", expr);
	const char *argv[] = {"python3", "-c", prog, path, NULL};

	test_write_file(path, json);
	assert_int_equal(test_run_capture(argv, &out), 0);
	str_strip(out);
	free(prog);
	free(path);
	free(dir);
	return out;
}

static void expect_json(const char *json, const char *expr, const char *want)
{
	char *got = json_query(json, expr);
	if (strcmp(got, want))
		fail_msg("%s: got '%s', expected '%s' in\n%s", expr, got, want, json);
	free(got);
}

/* A report of the fake plan whose stage @stage has begun. */
static void begun(struct report *r, const char *stage)
{
	struct plan p;

	fake_plan(&p);
	report_init(r);
	report_set_plan(r, &p);
	report_stage_begin(r, stage);
}

static void test_render_empty(void **state)
{
	(void)state;
	struct report r;
	struct buf out = BUF_INIT;

	report_init(&r);
	report_render(&r, 0, &out);
	expect_json(out.data,
		    "d['format'], d['state'], d['step'], d['steps'], d['resync'], d['disks']",
		    "xsraid-report-1 waiting None [] None []");
	expect_json(out.data, "d['time']", "1970-01-01T00:00:00Z");
	buf_free(&out);
	report_free(&r);
}

/* What a PXE server sees while the first stage runs and when it has finished. */
static void test_first_stage(void **state)
{
	(void)state;
	struct report r;
	struct buf out = BUF_INIT;

	begun(&r, "filesystem-populated");
	report_step(&r, "prepare", OBSERVE_STEP_BEGIN, 0, NULL);
	report_step(&r, "prepare", OBSERVE_STEP_DONE, 0, NULL);
	report_step(&r, "copy-root", OBSERVE_STEP_BEGIN, 0, NULL);
	report_render(&r, 1700000000, &out);
	expect_json(
		out.data, "d['state'], d['stage'], d['step']",
		"installing filesystem-populated "
		"{'number': 2, 'total': 6, 'id': 'copy-root', 'title': 'Copy the root filesystem "
		"to md0', 'state': 'running'}");
	expect_json(out.data, "[s['state'] for s in d['steps']]",
		    "['done', 'running', 'pending', 'pending', 'pending', 'pending']");
	expect_json(out.data, "[(x['name'], x['role'], x['boot']) for x in d['disks']]",
		    "[('sda', 'installed', 'unchecked'), ('sdb', 'mirror', 'unchecked')]");
	expect_json(out.data, "d['time']", "2023-11-14T22:13:20Z");

	report_step(&r, "copy-root", OBSERVE_STEP_DONE, 0, NULL);
	report_step(&r, "verify-disk2", OBSERVE_STEP_BEGIN, 0, NULL);
	report_boot_check(&r, "sdb", 0);
	report_step(&r, "verify-disk2", OBSERVE_STEP_DONE, 0, NULL);
	report_stage_end(&r, "filesystem-populated", 0, NULL);
	buf_reset(&out);
	report_render(&r, 1700000000, &out);
	expect_json(out.data, "d['state'], d['step']['id'], d['disks'][1]['boot']",
		    "installing verify-disk2 ok");
	buf_free(&out);
	report_free(&r);
}

static void test_progress_and_failure(void **state)
{
	(void)state;
	struct report r;
	struct buf out = BUF_INIT;

	begun(&r, "installation-complete");
	/* The second stage only runs once the first finished. */
	report_step(&r, "wait-root-resync", OBSERVE_STEP_BEGIN, 0, NULL);
	assert_true(report_progress(&r, "md0", 0, 268435456));
	assert_true(report_progress(&r, "md0", 113246208, 268435456));
	/* Same percentage: nothing new to tell. */
	assert_false(report_progress(&r, "md0", 113246300, 268435456));
	report_render(&r, 0, &out);
	expect_json(out.data, "d['resync']",
		    "{'array': 'md0', 'done_bytes': 113246300, 'total_bytes': 268435456, "
		    "'percent': 42}");
	expect_json(out.data, "[s['state'] for s in d['steps']]",
		    "['done', 'done', 'done', 'pending', 'running', 'pending']");

	report_step(&r, "wait-root-resync", OBSERVE_STEP_FAILED, -EIO,
		    "'md0' is degraded and not recovering");
	report_stage_end(&r, "installation-complete", -EIO, "step wait-root-resync failed");
	buf_reset(&out);
	report_render(&r, 0, &out);
	expect_json(out.data, "d['state'], d['message'], d['steps'][4]['error']",
		    "failed 'md0' is degraded and not recovering -5");
	buf_free(&out);
	report_free(&r);
}

/* Quotes, backslashes and control characters in titles and messages stay valid JSON. */
static void test_escaping(void **state)
{
	(void)state;
	struct report r;
	struct buf out = BUF_INIT;

	report_init(&r);
	report_outcome(&r, REPORT_REFUSED, "disk 'sdb' holds \"data\"\\\n(ext4\tx)");
	report_render(&r, 0, &out);
	expect_json(out.data, "repr(d['message'])", "'disk \\'sdb\\' holds \"data\"\\\\ (ext4 x)'");
	buf_free(&out);
	report_free(&r);
}

static void test_saved_form(void **state)
{
	(void)state;
	struct report r, back;
	struct buf a = BUF_INIT, b = BUF_INIT, text = BUF_INIT;

	begun(&r, "filesystem-populated");
	report_step(&r, "prepare", OBSERVE_STEP_DONE, 0, NULL);
	report_step(&r, "copy-root", OBSERVE_STEP_FAILED, -ENOSPC, "no space left on md0");
	report_progress(&r, "md0", 1, 2);
	report_boot_check(&r, "sda", 3);
	report_serialize(&r, &text);
	assert_int_equal(report_parse(text.data, &back), 0);
	report_render(&r, 0, &a);
	report_render(&back, 0, &b);
	assert_string_equal(a.data, b.data);
	report_free(&back);

	assert_int_equal(report_parse("not a report\n", &back), -EINVAL);
	assert_int_equal(report_parse("xsraid-report 1\nstate sideways\n", &back), -EINVAL);
	assert_int_equal(report_parse("xsraid-report 1\ncurrent 9\n", &back), -EINVAL);
	buf_free(&a);
	buf_free(&b);
	buf_free(&text);
	report_free(&r);
}

/* --- the sender, against an HTTP server -------------------------------------------- */

struct server {
	char *dir;
	int pid, port;
	struct raid_settings rs;
	char *state_file;
};

static void server_up(struct server *s)
{
	s->dir = test_mkdtemp();
	s->port = test_put_server_start(s->dir, &s->pid);
	assert_true(s->port > 0);
	s->rs = (struct raid_settings){0};
	s->rs.report_url = xasprintf("http://127.0.0.1:%d/state/reports/01-aa.json", s->port);
	s->rs.report_final_url = xasprintf("http://127.0.0.1:%d/state/final/final.json", s->port);
	s->state_file = path_join(s->dir, "report.state");
}

static void server_down(struct server *s)
{
	test_put_server_stop(s->pid);
	free(s->rs.report_url);
	free(s->rs.report_final_url);
	free(s->state_file);
	free(s->dir);
}

static char *stored(const struct server *s, const char *name)
{
	char *p = path_join(s->dir, name), *text = test_read_file(p);

	free(p);
	return text;
}

/* The first stage runs in a process of its own, as the installer runs the hook. */
static void first_stage_process(const struct server *s, bool refuse)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct plan p;
		fake_plan(&p);
		report_start(&s->rs, s->state_file);
		if (refuse) {
			report_refused("disk 'sdb' holds data (a GPT with 1 partition) and is left "
				       "alone; to erase it, set raid-wipe=\"force\"");
			_exit(0);
		}
		observe_plan(&p);
		observe_stage_begin("filesystem-populated", 3);
		for (size_t i = 0; i < 3; i++) {
			observe_step(STEPS[i].id, OBSERVE_STEP_BEGIN, 0);
			if (!strcmp(STEPS[i].id, "verify-disk2"))
				observe_boot_check("sdb", 0);
			observe_step(STEPS[i].id, OBSERVE_STEP_DONE, 0);
		}
		observe_stage_end("filesystem-populated", 0);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
}

static void test_both_stages_reported(void **state)
{
	(void)state;
	struct server s;
	struct plan p;
	char *doc, *final;

	server_up(&s);
	first_stage_process(&s, false);
	doc = stored(&s, "01-aa.json");
	assert_non_null(doc);
	expect_json(doc, "d['state'], d['step']['id'], d['disks'][1]['boot']",
		    "installing verify-disk2 ok");
	assert_null(stored(&s, "final.json"));
	free(doc);

	/* The second stage: a new process, carrying on from the saved report. */
	fake_plan(&p);
	report_start(&s.rs, s.state_file);
	observe_plan(&p);
	observe_stage_begin("installation-complete", 3);
	observe_step("add-disk1", OBSERVE_STEP_BEGIN, 0);
	observe_step("add-disk1", OBSERVE_STEP_DONE, 0);
	observe_step("wait-root-resync", OBSERVE_STEP_BEGIN, 0);
	observe_progress("md0", 268435456, 268435456);
	observe_step("wait-root-resync", OBSERVE_STEP_DONE, 0);
	observe_step("verify-disks", OBSERVE_STEP_BEGIN, 0);
	observe_boot_check("sda", 0);
	observe_boot_check("sdb", 0);
	observe_step("verify-disks", OBSERVE_STEP_DONE, 0);
	observe_stage_end("installation-complete", 0);
	report_finish(0, "0");

	final = stored(&s, "final.json");
	doc = stored(&s, "01-aa.json");
	assert_non_null(final);
	assert_string_equal(final, doc);
	expect_json(final, "d['state'], d['resync']['percent'], [s['state'] for s in d['steps']]",
		    "installed 100 ['done', 'done', 'done', 'done', 'done', 'done']");
	expect_json(final, "[(x['name'], x['boot']) for x in d['disks']]",
		    "[('sda', 'ok'), ('sdb', 'ok')]");
	char *requests = stored(&s, "requests");
	assert_non_null(strstr(requests, "PUT /state/final/final.json Content-Type: "
					 "application/json"));
	free(requests);
	free(final);
	free(doc);
	server_down(&s);
}

/* A refusal in the first stage is what the final report says, not the second stage's error. */
static void test_refusal_is_final(void **state)
{
	(void)state;
	struct server s;
	char *final;

	server_up(&s);
	first_stage_process(&s, true);
	report_start(&s.rs, s.state_file);
	report_finish(-ENOENT, "0");
	final = stored(&s, "final.json");
	assert_non_null(final);
	expect_json(final, "d['state'], d['message']",
		    "refused disk 'sdb' holds data (a GPT with 1 partition) and is left alone; to "
		    "erase it, set raid-wipe=\"force\"");
	free(final);

	/* The installer itself failed: nothing ran, and the report says so. */
	unlink(s.state_file);
	report_start(&s.rs, s.state_file);
	report_finish(0, "1");
	final = stored(&s, "final.json");
	expect_json(final, "d['state'], d['message']",
		    "failed the installer failed (status 1); the disks are left as they are");
	free(final);
	server_down(&s);
}

/* A server that is down costs the install a few seconds, not an error. */
static void test_server_down(void **state)
{
	(void)state;
	struct raid_settings rs = {.report_url = (char *)"http://127.0.0.1:1/r.json"};
	char *dir = test_mkdtemp(), *state_file = path_join(dir, "report.state");
	struct plan p;
	time_t t0 = time(NULL);

	fake_plan(&p);
	report_start(&rs, state_file);
	observe_plan(&p);
	/* After one failure, reports wait a minute: these cost nothing. */
	for (int i = 0; i < 20; i++)
		observe_step("prepare", OBSERVE_STEP_BEGIN, 0);
	assert_true(time(NULL) - t0 < 10);
	char *saved = test_read_file(state_file);
	assert_non_null(strstr(saved, "step filesystem-populated prepare running"));
	free(saved);
	report_finish(0, "0");
	free(state_file);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_empty),
		cmocka_unit_test(test_first_stage),
		cmocka_unit_test(test_progress_and_failure),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_saved_form),
		cmocka_unit_test(test_both_stages_reported),
		cmocka_unit_test(test_refusal_is_final),
		cmocka_unit_test(test_server_down),
	};
	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
