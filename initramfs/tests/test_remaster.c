// SPDX-License-Identifier: GPL-2.0-only
/* The payload: answerfiles checked as xsraid reads them, the boot arguments each form needs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "remaster.h"
#include "testlib.h"
#include "util.h"

static char *hooks_dir;

static int setup(void **state)
{
	(void)state;
	hooks_dir = test_src_path("installer-hook/hook");
	return 0;
}

static int teardown(void **state)
{
	free(hooks_dir);
	return test_cleanup_tmpdirs(state);
}

/* The boot arguments for @answerfile (a path in the source tree, or NULL) and @url. */
static char *boot_args(const char *answerfile, const char *url, bool generator)
{
	char *path = answerfile ? test_src_path(answerfile) : NULL;
	struct remaster_opts o = {
		.hooks_dir = hooks_dir,
		.answerfile = path,
		.answerfile_url = url,
		.via_generator = generator,
	};
	struct payload p;
	char *args = NULL;

	if (payload_load(&o, &p) == 0) {
		args = xstrdup(p.boot_args ? p.boot_args : "(none)");
		payload_free(&p);
	}
	free(path);
	return args;
}

static void expect_args(const char *answerfile, const char *url, bool generator, const char *want)
{
	char *got = boot_args(answerfile, url, generator);

	if (!want) {
		if (got)
			fail_msg("accepted, with \"%s\"", got);
		return;
	}
	if (!got)
		fail_msg("refused; expected \"%s\"", want);
	assert_string_equal(got, want);
	free(got);
}

#define GEN "answerfile_generator=file:///opt/xsraid/answerfile-generator "

static void test_embedded_forms(void **state)
{
	(void)state;
	/* The compact form with both hooks: the stock installer reads it as it is. */
	expect_args("answerfile/examples/raid-attribute.xml", NULL, false,
		    "answerfile=file:///answerfile.xml install");
	/* XCP-ng's <raid>: through the generator. */
	expect_args("answerfile/examples/raid-xcpng.xml", NULL, false,
		    GEN "xsraid_answerfile=file:///answerfile.xml install");
	/* No mirror asked for: a stock install (with a warning). */
	expect_args("answerfile/examples/no-raid.xml", NULL, false,
		    "answerfile=file:///answerfile.xml install");
	/* What xsraid refuses is refused now. */
	expect_args("installer-hook/tests/data/answerfiles/xenserver-conversion.xml", NULL, false,
		    NULL);
	expect_args("answerfile/missing.xml", NULL, false, NULL);
}

static char *temp_answerfile(const char *text)
{
	char *dir = test_mkdtemp(), *path = path_join(dir, "a.xml");

	test_write_file(path, text);
	free(dir);
	return path;
}

#define HEAD                                                                                       \
	"<?xml version=\"1.0\"?>\n<installation mode=\"fresh\">\n"                                 \
	"<root-password>x</root-password><source type=\"local\"/>"                                 \
	"<admin-interface name=\"eth0\" proto=\"dhcp\"/>\n"

static void test_embedded_hooks(void **state)
{
	(void)state;
	struct payload p;
	struct remaster_opts o = {.hooks_dir = hooks_dir};

	/* A mirror without the hook lines: the generator adds them. */
	o.answerfile = temp_answerfile(HEAD "<primary-disk raid=\"sdb\">sda</primary-disk>\n"
					    "</installation>\n");
	assert_int_equal(payload_load(&o, &p), 0);
	assert_string_equal(p.boot_args, GEN "xsraid_answerfile=file:///answerfile.xml install");
	assert_int_equal(p.n_files, 3);
	assert_string_equal(p.files[2].path, "answerfile.xml");
	assert_int_equal(p.files[2].mode, 0644);
	payload_free(&p);
	free((char *)o.answerfile);

	/* A script the image will not have. */
	o.answerfile = temp_answerfile(
		HEAD "<primary-disk raid=\"sdb\">sda</primary-disk>\n"
		     "<script stage=\"filesystem-populated\" type=\"url\">file:///opt/xsraid/hook2"
		     "</script>\n</installation>\n");
	assert_int_equal(payload_load(&o, &p), -EINVAL);
	free((char *)o.answerfile);
}

static void test_urls(void **state)
{
	(void)state;
	expect_args(NULL, "http://10.0.0.1/xs/a.xml", false,
		    "answerfile=http://10.0.0.1/xs/a.xml install");
	expect_args(NULL, "nfs://server:/export/a.xml", false,
		    "answerfile=nfs://server:/export/a.xml install");
	/* 6.0's installer has no https; xsraid's generator does, and needs the network up. */
	expect_args(NULL, "https://pxe/a.xml", false, NULL);
	expect_args(NULL, "https://pxe/a.xml", true,
		    GEN "xsraid_answerfile=https://pxe/a.xml network_device=all install");
	expect_args(NULL, "file:///a.xml", true, GEN "xsraid_answerfile=file:///a.xml install");
	expect_args(NULL, "nfs://server:/a.xml", true, NULL);
	expect_args(NULL, "http://pxe/a b.xml", false, NULL);
	expect_args(NULL, "pxe/a.xml", false, NULL);
	expect_args(NULL, "http://", false, NULL);
}

/* The helper and the hooks go to /opt/xsraid, in name order, executable. */
static void test_files(void **state)
{
	(void)state;
	char *dir = test_mkdtemp(), *helper = path_join(dir, "xsraid"),
	     *hooks = path_join(dir, "h");
	char *b = path_join(hooks, "b"), *a = path_join(hooks, "a");
	struct remaster_opts o = {.helper = helper, .hooks_dir = hooks};
	struct payload p;

	test_write_file(helper, "ELF");
	test_write_file(b, "#!/bin/sh\n");
	test_write_file(a, "#!/bin/sh\necho a\n");
	assert_int_equal(payload_load(&o, &p), 0);
	assert_int_equal(p.n_files, 3);
	assert_string_equal(p.files[0].path, "opt/xsraid/xsraid");
	assert_string_equal(p.files[1].path, "opt/xsraid/a");
	assert_string_equal(p.files[2].path, "opt/xsraid/b");
	assert_int_equal(p.files[1].len, 17);
	assert_memory_equal(p.files[1].data, "#!/bin/sh\necho a\n", 17);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(p.files[i].mode, 0755);
	assert_null(p.boot_args);
	payload_free(&p);

	/* XCP-ng syntax needs the generator among the hooks. */
	o.answerfile = test_src_path("answerfile/examples/raid-xcpng.xml");
	assert_int_equal(payload_load(&o, &p), -EINVAL);
	free((char *)o.answerfile);
	o.answerfile = NULL;
	o.helper = "/nonexistent/xsraid";
	assert_int_equal(payload_load(&o, &p), -ENOENT);
	o.helper = NULL;
	o.hooks_dir = dir;
	test_rm_rf(hooks);
	test_rm_rf(helper);
	assert_int_equal(payload_load(&o, &p), -EINVAL);
	free(a);
	free(b);
	free(helper);
	free(hooks);
	free(dir);
}

static void test_epoch(void **state)
{
	(void)state;
	uint32_t t = 0;

	unsetenv("SOURCE_DATE_EPOCH");
	assert_int_equal(remaster_epoch(1327000000, &t), 0);
	assert_int_equal(t, 1327000000);
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	assert_int_equal(remaster_epoch(1327000000, &t), 0);
	assert_int_equal(t, 1700000000);
	setenv("SOURCE_DATE_EPOCH", "4294967296", 1);
	assert_int_equal(remaster_epoch(1, &t), -EINVAL);
	setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
	assert_int_equal(remaster_epoch(1, &t), -EINVAL);
	unsetenv("SOURCE_DATE_EPOCH");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_embedded_forms), cmocka_unit_test(test_embedded_hooks),
		cmocka_unit_test(test_urls),	       cmocka_unit_test(test_files),
		cmocka_unit_test(test_epoch),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
