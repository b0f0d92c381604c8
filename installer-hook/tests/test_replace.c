// SPDX-License-Identifier: GPL-2.0-only
/*
 * xsraid replace-disk against system roots that look like a host xsraid
 * installed, running from md0 (make-hostroot.sh): what it decides from the
 * disks and arrays, every refusal and the golden plan.  The plan run by the
 * journaled interpreter is in test_apply.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "discover.h"
#include "gpt.h"
#include "mirror.h"
#include "ops.h"
#include "plan.h"
#include "planprint.h"
#include "testlib.h"

/* Decides and plans the replacement of @new_disk on @root; the status, and @p or @err. */
static int replace_plan(const char *root, const struct replace_request *req, struct plan *p,
			struct buf *err, enum journal_verdict *ret_verdict)
{
	struct inventory inv = {0};
	struct mirror m = {0};
	struct plan_inputs in = {0};
	int r;

	assert_int_equal(discover(root, "/", &inv), 0);
	mirror_find_replacement(&inv, req->new_disk, &m);
	if (ret_verdict)
		*ret_verdict = m.verdict;
	r = decide_replace(req, &inv, &m, &in, err);
	if (r == 0)
		plan_build(&in, p);
	inputs_free(&in);
	mirror_free(&m);
	inventory_free(&inv);
	return r;
}

static void expect_refusal(const char *root, const char *new_disk, const char *from, bool force,
			   const char *needle1, const char *needle2)
{
	const struct replace_request req = {new_disk, from, force};
	struct plan p = {0};
	struct buf err = BUF_INIT;
	int r = replace_plan(root, &req, &p, &err, NULL);

	if (r == 0)
		fail_msg("planned, expected a refusal mentioning '%s'", needle1);
	assert_int_equal(r, -EINVAL);
	if (!str_starts_with(err.data, "raid: ") || !strstr(err.data, needle1) ||
	    (needle2 && !strstr(err.data, needle2)))
		fail_msg("refusal '%s' lacks '%s' / '%s'", err.data, needle1,
			 needle2 ? needle2 : "");
	assert_null(strchr(err.data, '\n'));
	buf_free(&err);
}

/*
 * The failed disk still attached: its members leave the arrays first, the
 * new disk gets the good disk's partitions, the arrays their new members,
 * and only the new disk is ever written.
 */
static void test_golden_replace(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--host", "failed"));
	const struct replace_request req = {"/dev/sdc", NULL, false};
	struct plan p = {0};
	struct buf err = BUF_INIT, text = BUF_INIT, json = BUF_INIT;

	if (replace_plan(root, &req, &p, &err, NULL) < 0)
		fail_msg("%s", err.data);
	plan_print_text(&p, &text);
	plan_print_json(&p, &json);
	test_compare_golden("replace-disk.txt", text.data);
	test_compare_golden("replace-disk.json", json.data);
	assert_int_equal(p.in.purpose, PURPOSE_REPLACE_DISK);
	assert_string_equal(p.in.disk[0], "sda");
	assert_string_equal(p.in.disk[1], "sdc");
	assert_int_equal(p.in.remove_members.n, 3);
	/* The arrays' own UUIDs, read from the good disk's superblocks. */
	char u[36];
	md_uuid_format(p.in.md_uuid[0], u);
	assert_string_equal(u, "4d83d44f:e2bfdd16:0a9edc86:30a00264");
	/* Nothing but the new disk and the arrays is written: no action works on sda. */
	for (size_t i = 0; i < p.n_steps; i++) {
		const struct plan_step *s = &p.steps[i];
		for (size_t j = 0; j < s->n_actions; j++) {
			const struct plan_action *a = &s->actions[j];
			if (a->op == OP_CHECK_DISK)
				continue;
			bool touches = (a->device && str_starts_with(a->device, "/dev/sda")) ||
				       (a->boot && str_starts_with(a->boot->disk, "/dev/sda"));
			strv_foreach(arg, &a->argv)
				touches = touches || str_starts_with(*arg, "/dev/sda");
			if (touches)
				fail_msg("step %s works on the good disk", s->id);
		}
	}
	plan_free(&p);
	buf_free(&err);
	buf_free(&text);
	buf_free(&json);
	free(root);
}

/* The disk was removed and the host rebooted: nothing to take out, the same steps after. */
static void test_degraded_after_reboot(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--host", "degraded"));
	const struct replace_request req = {"sdb", "sda", false};
	struct plan p = {0};
	struct buf err = BUF_INIT;

	if (replace_plan(root, &req, &p, &err, NULL) < 0)
		fail_msg("%s", err.data);
	assert_null(plan_find_step(&p, "remove-failed"));
	assert_false(p.in.wipe_disk2);
	const struct plan_step *s = plan_find_step(&p, "add-to-arrays");
	assert_non_null(s);
	struct buf line = BUF_INIT;
	action_describe(&s->actions[s->n_actions - 1], &line);
	assert_string_equal(line.data, "/sbin/mdadm /dev/md2 --add /dev/sdb3  (unless sdb3 is "
				       "already in md2)");
	buf_free(&line);
	plan_free(&p);
	buf_free(&err);
	free(root);
}

/* The action of @s that runs @tool (its argv[0] ends so), or a failure. */
static const struct plan_action *find_run(const struct plan_step *s, const char *tool, size_t nth)
{
	for (size_t j = 0; j < s->n_actions; j++) {
		const struct plan_action *a = &s->actions[j];
		if (a->op == OP_RUN && a->argv.n && str_ends_with(a->argv.v[0], tool) && !nth--)
			return a;
	}
	fail_msg("step %s runs no %s", s->id, tool);
	return NULL;
}

static bool has_arg(const struct plan_action *a, const char *arg)
{
	strv_foreach(v, &a->argv)
		if (!strcmp(*v, arg))
			return true;
	return false;
}

static const struct plan_step *step(const struct plan *p, const char *id)
{
	const struct plan_step *s = plan_find_step(p, id);

	if (!s)
		fail_msg("the plan has no step %s", id);
	return s;
}

/*
 * The plan for a blank disk: it gets the good disk's partitions where they
 * are (new GUIDs, Linux RAID, partition 1 bootable), each partition joins
 * its array, gptmbr.bin goes to its MBR, and it is checked to boot alone;
 * in that order.
 */
static void test_plan_copies_the_good_disk(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--host", "degraded"));
	const struct replace_request req = {"sdb", NULL, false};
	struct inventory inv = {0};
	struct plan p = {0};
	struct buf err = BUF_INIT;

	if (replace_plan(root, &req, &p, &err, NULL) < 0)
		fail_msg("%s", err.data);
	assert_int_equal(discover(root, "/", &inv), 0);
	const struct disk_info *good = inventory_disk(&inv, "sda");
	assert_non_null(good);
	assert_true(good->n_parts >= N_ARRAYS);

	const struct plan_step *part = step(&p, "partition-new-disk");
	/* A blank disk: nothing to zap first, the one sgdisk writes the table. */
	const struct plan_action *sgdisk = find_run(part, "sgdisk", 0);
	assert_true(has_arg(sgdisk, "--clear"));
	assert_string_equal(sgdisk->argv.v[sgdisk->argv.n - 1], "/dev/sdb");
	assert_true(has_arg(sgdisk, "--attributes=1:set:2"));
	for (unsigned n = 1; n <= N_ARRAYS; n++) {
		const struct part_info *gp = &good->parts[n - 1];
		char arg[96], guid[37];
		assert_int_equal(gp->number, n);
		snprintf(arg, sizeof(arg), "--new=%u:%" PRIu64 ":%" PRIu64, n, gp->first_lba,
			 gp->last_lba);
		if (!has_arg(sgdisk, arg))
			fail_msg("the new disk's partition %u is not where the good disk's is (%s)",
				 n, arg);
		snprintf(arg, sizeof(arg), "--typecode=%u:fd00", n);
		assert_true(has_arg(sgdisk, arg));
		gpt_guid_format(&gp->unique, guid);
		snprintf(arg, sizeof(arg), "--partition-guid=%u:%s", n, guid);
		assert_false(has_arg(sgdisk, arg));
	}

	const struct plan_step *add = step(&p, "add-to-arrays");
	for (unsigned i = 0; i < N_ARRAYS; i++) {
		const struct plan_action *a = find_run(add, "mdadm", i);
		char md[16], member[16];
		snprintf(md, sizeof(md), "/dev/md%u", i);
		snprintf(member, sizeof(member), "/dev/sdb%u", i + 1);
		assert_string_equal(a->argv.v[1], md);
		assert_string_equal(a->argv.v[2], "--add");
		assert_string_equal(a->argv.v[3], member);
		assert_int_equal(a->cond, COND_NOT_MEMBER);
	}

	const struct plan_step *code = step(&p, "boot-code");
	const struct plan_action *w = &code->actions[code->n_actions - 1];
	assert_int_equal(w->op, OP_WRITE_BOOT_CODE);
	assert_string_equal(w->device, "/dev/sdb");
	assert_true(str_ends_with(w->source, "/gptmbr.bin"));

	const struct plan_step *verify = step(&p, "verify-new-disk");
	assert_int_equal(verify->actions[0].op, OP_VERIFY_BOOT);
	assert_string_equal(verify->actions[0].boot->disk, "/dev/sdb");

	assert_true(part < add && add < code && code < verify);
	/* The destructive step says what it overwrites: the new disk, nothing else. */
	assert_non_null(part->destroys);
	assert_non_null(strstr(part->destroys, "/dev/sdb"));
	assert_null(strstr(part->destroys, "sda"));
	inventory_free(&inv);
	plan_free(&p);
	buf_free(&err);
	free(root);
}

static void test_refusals(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--host", "failed"));

	expect_refusal(root, "sdd", NULL, false, "disk 'sdd' does not exist",
		       "disks here: sda, sdb, sdc");
	expect_refusal(root, "sda", NULL, false,
		       "'sda' is the disk the arrays run from, the one to keep", NULL);
	expect_refusal(root, "sdb", NULL, false,
		       "disk 'sdb' is in use: sdb1 is a failed member of md0",
		       "mdadm /dev/md0 --remove /dev/sdb1");
	expect_refusal(root, "sdc", "sdb", false,
		       "--from 'sdb': the arrays run from 'sda', not from it", "--from sda");
	expect_refusal(root, "sdc", "sdx", false, "--from 'sdx': no such disk", NULL);
	free(root);

	root = test_make_sysroot(SYSROOT_OPTS("--host", "healthy"));
	expect_refusal(root, "sdb", NULL, false, "md0 is not degraded",
		       "mdadm /dev/md0 --fail /dev/sdb1 --remove /dev/sdb1");
	free(root);

	root = test_make_sysroot(SYSROOT_OPTS("--host", "healthy", "--recovering"));
	expect_refusal(root, "sdb", NULL, false, "md0 is already rebuilding onto sdb1", NULL);
	free(root);

	root = test_make_sysroot(SYSROOT_OPTS("--host", "degraded", "--new-size", "6442450944"));
	expect_refusal(root, "sdb", NULL, false, "disk 'sdb' (6.0 GiB) is too small",
		       "the arrays on 'sda' need at least 465 GiB; name a larger disk");
	free(root);

	/* An array that is not running: md1 gone from sysfs. */
	root = test_make_sysroot(SYSROOT_OPTS("--host", "degraded"));
	char *md1 = path_join(root, "sys/block/md1");
	test_rm_rf(md1);
	expect_refusal(root, "sdb", NULL, false, "md1 is not running", "mdadm --assemble --scan");
	free(md1);
	free(root);
}

/* A new disk that holds something is erased only with --force, and the plan says so. */
static void test_new_disk_with_data(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--host", "degraded", "--new-data"));
	const struct replace_request forced = {"sdb", NULL, true};
	struct plan p = {0};
	struct buf err = BUF_INIT, text = BUF_INIT;

	expect_refusal(root, "sdb", NULL, false,
		       "disk 'sdb' holds data (ext4 'data' on the whole disk)",
		       "run replace-disk again with --force");
	assert_int_equal(replace_plan(root, &forced, &p, &err, NULL), 0);
	plan_print_text(&p, &text);
	assert_non_null(strstr(text.data, "note: /dev/sdb will be erased: --force: ext4 'data'"));
	assert_non_null(strstr(text.data, "$ /sbin/sgdisk --zap-all /dev/sdb"));
	plan_free(&p);
	buf_free(&err);
	buf_free(&text);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_replace),
		cmocka_unit_test(test_degraded_after_reboot),
		cmocka_unit_test(test_plan_copies_the_good_disk),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_new_disk_with_data),
	};

	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
