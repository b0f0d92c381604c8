// SPDX-License-Identifier: GPL-2.0-only
/*
 * Monitoring from the first boot: what the install plan puts on the new
 * system for it (mdadm.conf's MAILADDR and PROGRAM, xsraid itself, the
 * event program, the cron job, the mdmonitor service), as the answerfile
 * asks and the installed system allows; and what then runs without an
 * operator: `xsraid scrub` from cron and `xsraid EVENT` from mdadm's
 * monitor, against a host's system root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "answerfile.h"
#include "decide.h"
#include "discover.h"
#include "mirror.h"
#include "monitor.h"
#include "ops.h"
#include "plan.h"
#include "planprint.h"
#include "testlib.h"

#define TARGET "/tmp/root"

/* The plan's text for @xml on a 6.0.2 root made with @opts. */
static char *plan_text(const char *const *opts, const char *xml)
{
	char *root = test_make_sysroot(opts);
	struct answerfile af;
	struct inventory inv = {0};
	struct mirror m = {0};
	struct plan_inputs in = {0};
	struct plan p = {0};
	struct buf err = BUF_INIT, text = BUF_INIT;
	const char *asked[2];

	if (answerfile_parse(xml, strlen(xml), "a.xml", &af, &err) < 0)
		fail_msg("%s", err.data);
	asked[0] = af.raid.disks[0];
	asked[1] = af.raid.disks[1];
	assert_int_equal(discover(root, TARGET, &inv), 0);
	mirror_find(&inv, asked, &m);
	if (decide_inputs(&af, &inv, &m, TARGET, &in, &err) < 0)
		fail_msg("%s", err.data);
	plan_build(&in, &p);
	plan_print_text(&p, &text);
	plan_free(&p);
	inputs_free(&in);
	mirror_free(&m);
	inventory_free(&inv);
	answerfile_free(&af);
	buf_free(&err);
	free(root);
	return buf_detach(&text);
}

static void contains(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("the plan lacks '%s'", needle);
}

static void lacks(const char *text, const char *needle)
{
	if (strstr(text, needle))
		fail_msg("the plan has '%s'", needle);
}

static void test_plan_sets_up_monitoring(void **state)
{
	(void)state;
	char *t = plan_text(NULL,
			    "<installation><primary-disk raid=\"sdb\" "
			    "raid-mailaddr=\"ops@example.com,root\" "
			    "raid-program=\"/usr/local/sbin/raid-alert\" raid-check=\"monthly\">"
			    "sda</primary-disk></installation>");

	contains(t, "| MAILADDR ops@example.com,root | PROGRAM /usr/sbin/xsraid");
	contains(t, "copy /opt/xsraid/xsraid to /tmp/xsraid/md0/usr/sbin/xsraid (mode 0755)");
	contains(t, "write /tmp/xsraid/md0/etc/sysconfig/xsraid (mode 0644): ");
	contains(t, "PROGRAM='/usr/local/sbin/raid-alert'");
	contains(t, "write /tmp/xsraid/md0/etc/cron.d/xsraid-check (mode 0644): # A check (scrub) "
		    "of the md arrays, monthly");
	contains(t, "0 1 * * Sun root /usr/sbin/xsraid scrub --first-week");
	contains(t, "$ chroot /tmp/xsraid/md0 /sbin/chkconfig mdmonitor on");
	/* The catch-up before disk 1 joins leaves these files alone, and writes them again. */
	contains(t, "leaving etc/mdadm.conf, usr/sbin/xsraid, etc/sysconfig/xsraid, "
		    "etc/cron.d/xsraid-check,");
	lacks(t, "note: the installed system");
	free(t);
}

/* What the installed system lacks is said in the plan, not refused. */
static void test_plan_notes_what_is_missing(void **state)
{
	(void)state;
	static const char *const simple = "<installation><primary-disk raid=\"sdb\">sda"
					  "</primary-disk></installation>";
	char *t = plan_text(SYSROOT_OPTS("--bare-target"), simple);

	contains(t, "note: the installed system has no mdmonitor init script: nothing starts "
		    "mdadm's monitor at boot");
	contains(t, "note: the installed system has no /etc/cron.d: no check of the arrays is "
		    "scheduled");
	lacks(t, "chkconfig");
	lacks(t, "cron.d/xsraid-check");
	contains(t, "| MAILADDR root | PROGRAM /usr/sbin/xsraid");
	free(t);

	t = plan_text(SYSROOT_OPTS("--target-raid-check"), simple);
	contains(t, "note: the installed system's mdadm checks the arrays itself "
		    "(/etc/cron.weekly/99-raid-check): xsraid schedules no check");
	lacks(t, "cron.d/xsraid-check");
	free(t);

	t = plan_text(NULL, "<installation><primary-disk raid=\"sdb\" raid-check=\"none\">sda"
			    "</primary-disk></installation>");
	lacks(t, "xsraid scrub");
	lacks(t, "note: the installed system");
	free(t);
}

/* --- what runs without an operator ----------------------------------------------------- */

static char *read_text(const char *root, const char *rel)
{
	char *p = path_join(root, rel);
	char *t = test_read_file(p);

	free(p);
	assert_non_null(t);
	return t;
}

/* A check starts on every idle, whole array; a degraded one is left alone. */
static void test_scrub(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--host", "healthy"));
	char *busy = path_join(root, "sys/block/md2/md/sync_action");

	test_write_file(busy, "resync\n");
	assert_int_equal(monitor_scrub(root, false), 0);
	for (int i = 0; i < 2; i++) {
		char *rel = xasprintf("sys/block/md%d/md/sync_action", i);
		char *t = read_text(root, rel);
		assert_true(str_starts_with(t, "check"));
		free(t);
		free(rel);
	}
	char *t = read_text(root, "sys/block/md2/md/sync_action");
	assert_string_equal(t, "resync\n");
	free(t);
	free(busy);
	free(root);

	root = test_make_sysroot(SYSROOT_OPTS("--host", "degraded"));
	assert_int_equal(monitor_scrub(root, false), 0);
	t = read_text(root, "sys/block/md0/md/sync_action");
	assert_string_equal(t, "idle\n");
	free(t);
	free(root);
}

/* An md event is logged and handed to the answerfile's program, arguments as mdadm gives them. */
static void test_event_runs_program(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--host", "healthy"));
	char *program = path_join(root, "raid-alert");
	char *out = path_join(root, "alert.out");
	char *conf = path_join(root, "etc/sysconfig/xsraid");
	char *script = xasprintf("#!/bin/sh\necho \"$#: $*\" >%s\n", out);
	char *line = xasprintf("PROGRAM='%s'\n", program);
	char *argv[] = {(char *)"Fail", (char *)"/dev/md0", (char *)"/dev/sdb1"};

	test_write_file(program, script);
	assert_int_equal(chmod(program, 0755), 0);
	test_write_file(conf, line);
	assert_true(monitor_is_event("Fail"));
	assert_true(monitor_is_event("Rebuild40"));
	assert_false(monitor_is_event("Rebuild4x"));
	assert_false(monitor_is_event("status"));
	assert_int_equal(monitor_event(root, 3, argv), 0);
	char *got = test_read_file(out);
	assert_non_null(got);
	assert_string_equal(got, "3: Fail /dev/md0 /dev/sdb1\n");
	free(got);

	/* A program that fails is reported; without one, the event is only logged. */
	test_write_file(program, "#!/bin/sh\nexit 3\n");
	assert_int_equal(monitor_event(root, 2, argv), 1);
	test_write_file(conf, "PROGRAM=''\n");
	assert_int_equal(monitor_event(root, 2, argv), 0);
	free(script);
	free(line);
	free(conf);
	free(out);
	free(program);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_sets_up_monitoring),
		cmocka_unit_test(test_plan_notes_what_is_missing),
		cmocka_unit_test(test_scrub),
		cmocka_unit_test(test_event_runs_program),
	};

	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
