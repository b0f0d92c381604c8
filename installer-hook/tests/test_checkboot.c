// SPDX-License-Identifier: GPL-2.0-only
/*
 * xsraid check-boot's verdicts on system roots that look like a host xsraid
 * installed (make-hostroot.sh): what it prints first, the exit status a
 * monitoring system reads, and which disk a failure names with what to do.
 * The findings themselves are in test_bootcheck.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "checkboot.h"
#include "testlib.h"
#include "util.h"

/* Runs check-boot on @root with stdout captured into *@ret_out; its exit status. */
static int check_boot(const char *root, bool fix, char **ret_out)
{
	const struct checkboot_options o = {.root = root, .system = "/", .fix = fix};
	struct test_capture cap;
	int status;

	test_capture_begin(&cap, stdout);
	status = checkboot_run(&o);
	*ret_out = test_capture_end(&cap);
	return status;
}

/* The first line of @out (its verdict), copied. */
static char *verdict(const char *out)
{
	return xstrndup(out, strcspn(out, "\n"));
}

static void expect_contains(const char *out, const char *needle)
{
	if (!strstr(out, needle))
		fail_msg("check-boot's report lacks '%s':\n%s", needle, out);
}

static void expect_verdict(const char *root, int status, const char *first_line, char **ret_out)
{
	char *out, *v;

	assert_int_equal(check_boot(root, false, &out), status);
	v = verdict(out);
	assert_string_equal(v, first_line);
	free(v);
	*ret_out = out;
}

static void test_healthy_pair_boots(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--host", "healthy"));
	char *out;

	expect_verdict(root, CHECKBOOT_OK, "every disk of md0 can boot the system alone (2 disks)",
		       &out);
	expect_contains(out, "md0 member sda1: boots alone\n");
	expect_contains(out, "md0 member sdb1: boots alone\n");
	expect_contains(out, "the system on md0, which every disk boots: in order\n");
	free(out);
	free(root);
}

/*
 * "The second disk says Missing OS": sdb alone is named, with both its
 * failures and their fixes; --fix mends them and the verdict turns.
 */
static void test_missing_os_named_and_fixed(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--host", "healthy", "--no-boot-code"));
	char *out;

	expect_verdict(root, CHECKBOOT_FAILED,
		       "cannot boot alone: sdb; 2 problems, 2 of them mended by xsraid check-boot "
		       "--fix",
		       &out);
	expect_contains(out, "md0 member sda1: boots alone\n");
	expect_contains(out, "md0 member sdb1: cannot boot alone\n");
	expect_contains(out, "          why: gptmbr.bin stops with \"Missing OS\"\n");
	expect_contains(out, "--attributes=1:set:2");
	free(out);

	assert_int_equal(check_boot(root, true, &out), CHECKBOOT_OK);
	expect_contains(out, "at fix-boot (on the running system):\n");
	expect_contains(out, " 1. mend-sdb: Mend what keeps /dev/sdb from booting alone\n");
	expect_contains(out, "every disk of md0 can boot the system alone (2 disks)\n");
	free(out);
	expect_verdict(root, CHECKBOOT_OK, "every disk of md0 can boot the system alone (2 disks)",
		       &out);
	free(out);
	free(root);
}

/* A member md stopped using: its disk is to be replaced, which no fix does. */
static void test_failed_member(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--host", "failed"));
	char *out;

	expect_verdict(root, CHECKBOOT_FAILED,
		       "cannot boot alone: sdb; 1 problem, 0 of them mended by xsraid check-boot "
		       "--fix",
		       &out);
	expect_contains(out,
			"    FAIL  sdb1, md0's member on /dev/sdb, is in sync\n"
			"          why: md has stopped using it\n"
			"          to do: the disk has failed: replace it (xsraid replace-disk "
			"NEW)\n");
	free(out);
	free(root);
}

/* A member still being rebuilt cannot boot yet: wait, says check-boot. */
static void test_rebuilding_member(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--host", "healthy", "--recovering"));
	char *out;

	expect_verdict(root, CHECKBOOT_FAILED,
		       "cannot boot alone: sdb; 1 problem, 0 of them mended by xsraid check-boot "
		       "--fix",
		       &out);
	expect_contains(out, "why: its copy of md0 is not complete yet\n"
			     "          to do: wait until md has rebuilt it (xsraid status shows "
			     "how far it is)\n");
	free(out);
	free(root);
}

/*
 * An initrd that cannot start md0 stops every disk: the system is named,
 * with the command that rebuilds it; nothing a program should decide.
 */
static void test_initrd_without_md0(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--host", "healthy"));
	char *img = path_join(root, "boot/initrd-2.6.32.12-0.7.1.xs6.0.2.553.170674xen.img");
	char *out;

	test_write_file(img, "not an initrd");
	expect_verdict(root, CHECKBOOT_FAILED,
		       "cannot boot alone: sda, sdb; 1 problem, 0 of them mended by xsraid "
		       "check-boot --fix",
		       &out);
	expect_contains(out, "the system on md0, which every disk boots: cannot boot\n");
	expect_contains(out, "to do: rebuild it with the system's mkinitrd once etc/mdadm.conf "
			     "names md0: mkinitrd -f "
			     "/boot/initrd-2.6.32.12-0.7.1.xs6.0.2.553.170674xen.img "
			     "2.6.32.12-0.7.1.xs6.0.2.553.170674xen\n");
	free(out);
	free(img);
	free(root);
}

/* Not booted from md0: nothing to judge, and a status of its own. */
static void test_no_md0(void **state)
{
	(void)state;
	/* An installer's view before any install: two disks, no md0. */
	char *root = test_make_sysroot(SYSROOT_OPTS("--disk2-size", "500107862016"));
	char *out;

	assert_int_equal(check_boot(root, false, &out), CHECKBOOT_NO_ARRAY);
	assert_string_equal(out, "");
	free(out);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_pair_boots),
		cmocka_unit_test(test_missing_os_named_and_fixed),
		cmocka_unit_test(test_failed_member),
		cmocka_unit_test(test_rebuilding_member),
		cmocka_unit_test(test_initrd_without_md0),
		cmocka_unit_test(test_no_md0),
	};

	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
