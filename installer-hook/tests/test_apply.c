// SPDX-License-Identifier: GPL-2.0-only
/*
 * The interpreter on real plans: a plan made for a XenServer 6.0.2 root of
 * image files runs against a recording executor, which writes down every
 * action instead of doing it, while the journal is really written into the
 * image that stands for disk 2.  What a power cut, a failed step or a rerun
 * leaves is then read back from that image, as the next attempt reads it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "answerfile.h"
#include "apply.h"
#include "decide.h"
#include "discover.h"
#include "journal.h"
#include "mirror.h"
#include "ops.h"
#include "plan.h"
#include "testlib.h"

#define TARGET "/tmp/root"

struct recorder {
	const char *root;    /* the sysroot whose dev/ holds the disk images */
	struct strv ran;     /* the description of every action run, in order */
	const char *fail_at; /* an action whose description starts so fails, once */
	bool failed;
	const char *running; /* an array the system already runs (COND_ARRAY_STOPPED) */
	bool tables;	     /* sgdisk really writes the images, as the plan says */
};

/* The plan's sgdisk run by the host's on the image that stands for its disk. */
static int write_table(const struct recorder *rec, const struct plan_action *a)
{
	const char *argv[64];
	char *image = path_join(rec->root, a->argv.v[a->argv.n - 1]);
	size_t n = 0;
	int r;

	argv[n++] = "sgdisk";
	for (size_t i = 1; i + 1 < a->argv.n && n < 62; i++)
		argv[n++] = a->argv.v[i];
	argv[n++] = image;
	argv[n] = NULL;
	r = test_run(argv) == 0 ? 0 : -EIO;
	free(image);
	return r;
}

static int record_run(const struct plan_action *a, struct op_context *ctx, void *data)
{
	struct recorder *rec = data;
	struct buf line = BUF_INIT;
	int r = 0;

	action_describe(a, &line);
	strv_push(&rec->ran, line.data);
	if (rec->fail_at && !rec->failed && str_starts_with(line.data, rec->fail_at)) {
		rec->failed = true;
		r = -EIO;
	} else if (a->op == OP_JOURNAL_CREATE) {
		char *image = path_join(rec->root, a->device);
		r = ctx->start_journal(ctx, image, a->numbers[0]);
		free(image);
	} else if (rec->tables && a->op == OP_RUN && str_ends_with(a->argv.v[0], "/sgdisk")) {
		r = write_table(rec, a);
	}
	buf_free(&line);
	return r;
}

static bool record_needed(const struct plan_action *a, void *data)
{
	const struct recorder *rec = data;

	return !(a->cond == COND_ARRAY_STOPPED && rec->running &&
		 !strcmp(a->cond_array, rec->running));
}

struct fixture {
	char *root;
	struct plan plan;
	struct recorder rec;
	struct executor exec;
	char *image; /* disk 2 */
};

static void load_plan(struct fixture *f)
{
	static const char *const xml = "<installation><primary-disk raid=\"sdb\">sda"
				       "</primary-disk></installation>";
	const char *asked[2] = {"sda", "sdb"};
	struct answerfile af;
	struct inventory inv = {0};
	struct mirror m = {0};
	struct plan_inputs in = {0};
	struct buf err = BUF_INIT;

	assert_int_equal(answerfile_parse(xml, strlen(xml), "a.xml", &af, &err), 0);
	assert_int_equal(discover(f->root, TARGET, &inv), 0);
	mirror_find(&inv, asked, &m);
	if (decide_inputs(&af, &inv, &m, TARGET, &in, &err) < 0)
		fail_msg("%s", err.data);
	plan_build(&in, &f->plan);
	/* The journal is opened where the plan says; here that is the image. */
	free(f->plan.journal.device);
	f->plan.journal.device = xstrdup(f->image);
	inputs_free(&in);
	mirror_free(&m);
	inventory_free(&inv);
	answerfile_free(&af);
	buf_free(&err);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	f->root = test_make_sysroot(NULL);
	f->image = path_join(f->root, "dev/sdb");
	load_plan(f);
	f->rec.root = f->root;
	f->exec = (struct executor){record_run, record_needed, &f->rec};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	plan_free(&f->plan);
	strv_free(&f->rec.ran);
	free(f->image);
	free(f->root);
	free(f);
	return 0;
}

/* The journal as the next attempt finds it. */
static void read_journal(const struct fixture *f, struct journal_state *ret)
{
	int fd = open(f->image, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(journal_read(fd, f->plan.journal.offset, 512, ret), 0);
	close(fd);
}

static size_t count_events(const struct journal_state *s, const char *id, enum journal_event e)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n_records; i++)
		n += s->records[i].event == e && !strcmp(s->records[i].step_id, id);
	return n;
}

static size_t actions_of_stage(const struct plan *p, enum plan_stage stage, bool only_always)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_steps; i++)
		if (p->steps[i].stage == stage && (!only_always || p->steps[i].always))
			n += p->steps[i].n_actions;
	return n;
}

static void reset(struct fixture *f)
{
	strv_free(&f->rec.ran);
	f->rec.fail_at = NULL;
	f->rec.failed = false;
}

static int run(struct fixture *f, enum plan_stage stage, const struct journal_state *earlier)
{
	struct apply_options o = {.exec = &f->exec, .earlier = earlier};

	return apply_stage(&f->plan, stage, &o);
}

/* A first attempt runs every action of the stage in plan order and records each step. */
static void test_fresh_stage_records_every_step(void **state)
{
	struct fixture *f = *state;
	const struct plan *p = &f->plan;
	struct journal_state s = {0};
	size_t k = 0;

	assert_int_equal(run(f, STAGE_FILESYSTEM_POPULATED, NULL), 0);
	assert_int_equal(f->rec.ran.n, actions_of_stage(p, STAGE_FILESYSTEM_POPULATED, false));
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct plan_step *st = &p->steps[i];
		if (st->stage != STAGE_FILESYSTEM_POPULATED)
			continue;
		for (size_t j = 0; j < st->n_actions; j++, k++) {
			struct buf line = BUF_INIT;
			action_describe(&st->actions[j], &line);
			assert_string_equal(f->rec.ran.v[k], line.data);
			buf_free(&line);
		}
	}
	read_journal(f, &s);
	for (size_t i = 0; i < p->n_steps; i++) {
		const char *id = p->steps[i].id;
		bool in_a = p->steps[i].stage == STAGE_FILESYSTEM_POPULATED;
		assert_int_equal(count_events(&s, id, JOURNAL_BEGIN), in_a ? 1 : 0);
		assert_int_equal(journal_last_event(&s, id), in_a ? JOURNAL_DONE : 0);
	}
	assert_true(journal_stage_done(&s, "filesystem-populated"));
	assert_false(journal_stage_done(&s, "installation-complete"));
	/* The journal's payload is the plan's inputs: the plan can be rebuilt from it alone. */
	struct plan_inputs again = {0};
	struct buf err = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
	assert_int_equal(inputs_parse(s.payload, &again, &err), 0);
	inputs_serialize(&again, &a);
	inputs_serialize(&p->in, &b);
	assert_string_equal(a.data, b.data);
	inputs_free(&again);
	buf_free(&err);
	buf_free(&a);
	buf_free(&b);
	journal_state_free(&s);
}

/* A rerun skips every step done earlier and runs the ones that set up the others again. */
static void test_rerun_skips_done_steps(void **state)
{
	struct fixture *f = *state;
	const struct plan *p = &f->plan;
	struct journal_state before = {0}, after = {0};

	assert_int_equal(run(f, STAGE_FILESYSTEM_POPULATED, NULL), 0);
	read_journal(f, &before);
	reset(f);
	assert_int_equal(run(f, STAGE_FILESYSTEM_POPULATED, &before), 0);
	assert_int_equal(f->rec.ran.n, actions_of_stage(p, STAGE_FILESYSTEM_POPULATED, true));
	read_journal(f, &after);
	assert_int_equal(after.generation, before.generation);
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct plan_step *st = &p->steps[i];
		if (st->stage != STAGE_FILESYSTEM_POPULATED)
			continue;
		assert_int_equal(count_events(&after, st->id, JOURNAL_BEGIN), st->always ? 2 : 1);
	}
	journal_state_free(&before);
	journal_state_free(&after);
}

/* A step that fails is recorded begun and failed, the cleanup runs, and a rerun redoes it. */
static void test_failed_step_is_redone(void **state)
{
	struct fixture *f = *state;
	struct journal_state cut = {0}, after = {0};

	f->rec.fail_at = "read /tmp/xsraid/source and /tmp/xsraid/md0 back";
	assert_int_equal(run(f, STAGE_FILESYSTEM_POPULATED, NULL), -EIO);
	/* What the first stage mounted is released, ending with the target's bind mounts. */
	assert_true(str_starts_with(f->rec.ran.v[f->rec.ran.n - 1],
				    "undo the bind mounts of /dev, /proc and /sys in /tmp/root"));
	read_journal(f, &cut);
	assert_int_equal(journal_last_event(&cut, "copy-root"), JOURNAL_DONE);
	assert_int_equal(journal_last_event(&cut, "verify-copy"), JOURNAL_FAILED);
	assert_int_equal(journal_last_event(&cut, "configure-target"), 0);
	assert_false(journal_stage_done(&cut, "filesystem-populated"));

	reset(f);
	assert_int_equal(run(f, STAGE_FILESYSTEM_POPULATED, &cut), 0);
	read_journal(f, &after);
	assert_int_equal(count_events(&after, "verify-copy", JOURNAL_BEGIN), 2);
	assert_int_equal(journal_last_event(&after, "verify-copy"), JOURNAL_DONE);
	/* The destructive steps ran once, before the failure, and never again. */
	assert_int_equal(count_events(&after, "partition-disk2", JOURNAL_BEGIN), 1);
	assert_int_equal(count_events(&after, "copy-root", JOURNAL_BEGIN), 1);
	assert_true(journal_stage_done(&after, "filesystem-populated"));
	for (size_t i = 0; i < f->rec.ran.n; i++)
		assert_null(strstr(f->rec.ran.v[i], "--create /dev/md0"));
	journal_state_free(&cut);
	journal_state_free(&after);
}

static void append(const struct fixture *f, const char *id, enum journal_event e)
{
	struct journal j;

	assert_int_equal(journal_open(f->image, f->plan.journal.offset, 512, &j), 0);
	assert_int_equal(journal_append(&j, 0, id, e, 0, NULL), 0);
	journal_close(&j);
}

/* A cut inside a step (begun, never done nor failed) reruns that step whole. */
static void test_begun_step_is_redone(void **state)
{
	struct fixture *f = *state;
	static const char *const done[] = {"reopen", "catch-up", "partition-disk1",
					   "wipe-disk1-partitions"};
	struct journal_state s = {0}, after = {0};

	assert_int_equal(run(f, STAGE_FILESYSTEM_POPULATED, NULL), 0);
	/* The second stage got as far as beginning add-disk1 when the power went. */
	for (size_t i = 0; i < ARRAY_SIZE(done); i++) {
		append(f, done[i], JOURNAL_BEGIN);
		append(f, done[i], JOURNAL_DONE);
	}
	append(f, "add-disk1", JOURNAL_BEGIN);
	read_journal(f, &s);
	reset(f);
	f->rec.running = "md0";
	assert_int_equal(run(f, STAGE_INSTALLATION_COMPLETE, &s), 0);
	read_journal(f, &after);
	assert_int_equal(count_events(&after, "add-disk1", JOURNAL_BEGIN), 2);
	assert_int_equal(journal_last_event(&after, "add-disk1"), JOURNAL_DONE);
	assert_int_equal(count_events(&after, "partition-disk1", JOURNAL_BEGIN), 1);
	assert_true(journal_stage_done(&after, "installation-complete"));
	/* md0 already runs, so reopen does not start it; disk 1's table is not written again. */
	for (size_t i = 0; i < f->rec.ran.n; i++) {
		assert_false(str_starts_with(f->rec.ran.v[i], "start /dev/md0"));
		assert_null(strstr(f->rec.ran.v[i], "sgdisk --typecode"));
	}
	journal_state_free(&s);
	journal_state_free(&after);
}

/* The second stage reads a journal that says the first one finished. */
static void test_second_stage_after_first(void **state)
{
	struct fixture *f = *state;
	struct journal_state s = {0}, after = {0};

	assert_int_equal(run(f, STAGE_FILESYSTEM_POPULATED, NULL), 0);
	read_journal(f, &s);
	reset(f);
	assert_int_equal(run(f, STAGE_INSTALLATION_COMPLETE, &s), 0);
	assert_int_equal(f->rec.ran.n,
			 actions_of_stage(&f->plan, STAGE_INSTALLATION_COMPLETE, false));
	read_journal(f, &after);
	assert_true(journal_stage_done(&after, "filesystem-populated"));
	assert_true(journal_stage_done(&after, "installation-complete"));
	journal_state_free(&s);
	journal_state_free(&after);
}

/* A journal that cannot be opened is no record at all: nothing runs. */
static void test_no_journal_no_actions(void **state)
{
	struct fixture *f = *state;
	struct journal_state s = {0};

	assert_int_equal(run(f, STAGE_FILESYSTEM_POPULATED, NULL), 0);
	read_journal(f, &s);
	reset(f);
	free(f->plan.journal.device);
	f->plan.journal.device = path_join(f->root, "dev/gone");
	assert_true(run(f, STAGE_INSTALLATION_COMPLETE, &s) < 0);
	assert_int_equal(f->rec.ran.n, 0);
	journal_state_free(&s);
}

/* --- a disk replacement, resumed from the journal on the new disk ----------------------- */

static int run_replacement(const char *root, struct recorder *rec, enum journal_verdict *verdict)
{
	const struct replace_request req = {"sdb", NULL, false};
	struct inventory inv = {0};
	struct mirror m = {0};
	struct plan_inputs in = {0};
	struct plan p = {0};
	struct buf err = BUF_INIT;
	const struct executor exec = {record_run, record_needed, rec};
	struct apply_options o = {.exec = &exec};
	int r;

	assert_int_equal(discover(root, "/", &inv), 0);
	mirror_find_replacement(&inv, "sdb", &m);
	*verdict = m.verdict;
	r = decide_replace(&req, &inv, &m, &in, &err);
	if (r == 0) {
		plan_build(&in, &p);
		free(p.journal.device);
		p.journal.device = path_join(root, "dev/sdb");
		if (m.verdict == JOURNAL_THIS_INSTALL)
			o.earlier = m.journal;
		r = apply_stage(&p, STAGE_REPLACE_DISK, &o);
	}
	plan_free(&p);
	inputs_free(&in);
	mirror_free(&m);
	inventory_free(&inv);
	buf_free(&err);
	return r;
}

static size_t count_ran(const struct recorder *rec, const char *prefix)
{
	size_t n = 0;

	strv_foreach(l, &rec->ran)
		n += str_starts_with(*l, prefix);
	return n;
}

/*
 * A replacement that fails half way (md0's rebuild stalls) is resumed by
 * the same command: the journal on the new disk is recognised, the done
 * steps are skipped (the table is never written twice, no member added
 * twice), and once finished, a rerun has nothing to do.
 */
static void test_replacement_resumes(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--host", "degraded"));
	struct recorder rec = {
		.root = root, .fail_at = "wait for /dev/md0's recovery", .tables = true};
	enum journal_verdict verdict;
	struct journal_state s = {0};

	assert_int_equal(run_replacement(root, &rec, &verdict), -EIO);
	assert_int_equal(verdict, JOURNAL_NONE);
	assert_int_equal(count_ran(&rec, "/sbin/sgdisk --clear"), 1);
	assert_int_equal(count_ran(&rec, "/sbin/mdadm /dev/md"), 3);

	strv_free(&rec.ran);
	assert_int_equal(run_replacement(root, &rec, &verdict), 0);
	assert_int_equal(verdict, JOURNAL_THIS_INSTALL);
	assert_int_equal(count_ran(&rec, "/sbin/sgdisk"), 0);
	assert_int_equal(count_ran(&rec, "/sbin/mdadm"), 0);
	assert_int_equal(count_ran(&rec, "write /usr/share/syslinux/gptmbr.bin"), 0);
	assert_int_equal(count_ran(&rec, "wait for /dev/md0's recovery onto /dev/sdb1"), 1);
	assert_int_equal(count_ran(&rec, "/sbin/extlinux --install /boot"), 1);
	assert_int_equal(count_ran(&rec, "check that /dev/sdb boots alone"), 1);

	char *image = path_join(root, "dev/sdb");
	int fd = open(image, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(
		journal_read(fd, journal_area_offset(UINT64_C(500107862016), 512), 512, &s), 0);
	close(fd);
	assert_true(journal_stage_done(&s, "replace-disk"));
	assert_int_equal(count_events(&s, "wait-root-sync", JOURNAL_BEGIN), 2);
	assert_int_equal(count_events(&s, "partition-new-disk", JOURNAL_BEGIN), 1);
	journal_state_free(&s);
	free(image);

	strv_free(&rec.ran);
	assert_int_equal(run_replacement(root, &rec, &verdict), -EALREADY);
	assert_int_equal(verdict, JOURNAL_EARLIER_FINISHED);
	assert_int_equal(rec.ran.n, 0);
	strv_free(&rec.ran);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fresh_stage_records_every_step, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rerun_skips_done_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_step_is_redone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_begun_step_is_redone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_stage_after_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_journal_no_actions, setup, teardown),
		cmocka_unit_test(test_replacement_resumes),
	};

	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
