// SPDX-License-Identifier: GPL-2.0-only
/* Small building blocks: quoting, the kernel command line, SHA-256, atomic writes, run. */
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

#include "cmdline.h"
#include "run.h"
#include "sha256.h"
#include "testlib.h"
#include "util.h"

static void test_shell_quote(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"/sbin/mdadm", "/sbin/mdadm"},
		{"--uuid=4d83d44f:e2bfdd16", "--uuid=4d83d44f:e2bfdd16"},
		{"a b", "'a b'"},
		{"it's", "'it'\\''s'"},
		{"", "''"},
		{"$(reboot)", "'$(reboot)'"},
		{"x;y", "'x;y'"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b = BUF_INIT;
		shell_quote(&b, cases[i].in);
		assert_string_equal(b.data, cases[i].out);
		buf_free(&b);
	}
}

static void test_json_quote(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;

	json_quote(&b, "a\"b\\c\nd\te\x01");
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\nd\\te\\u0001\"");
	buf_free(&b);
}

static void test_cmdline(void **state)
{
	(void)state;
	struct strv args = STRV_INIT;

	cmdline_split("root=/dev/ram0 answerfile=\"http://h/a b.xml\" install  "
		      "xsraid_answerfile=file:///x.xml answerfile_sha256=AB answerfile=late\n",
		      &args);
	assert_int_equal(args.n, 6);
	assert_string_equal(args.v[1], "answerfile=http://h/a b.xml");
	assert_string_equal(cmdline_value(&args, "answerfile"), "late");
	assert_string_equal(cmdline_value(&args, "xsraid_answerfile"), "file:///x.xml");
	assert_string_equal(cmdline_value(&args, "answerfile_sha256"), "AB");
	assert_null(cmdline_value(&args, "install"));
	assert_null(cmdline_value(&args, "answer"));
	strv_free(&args);

	/* A pair of quotes with nothing in them, or one left open, crashed the split
	 * (fuzz_cmdline). */
	cmdline_split("install \"\" answerfile=\"", &args);
	assert_int_equal(args.n, 3);
	assert_string_equal(args.v[1], "");
	assert_string_equal(args.v[2], "answerfile=");
	strv_free(&args);
	cmdline_split("\"", &args);
	assert_int_equal(args.n, 1);
	assert_string_equal(args.v[0], "");
	strv_free(&args);
}

/* What messages show of a location: never a URL's user:password, never a line break. */
static void test_location_display(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"/tmp/answerfile", "/tmp/answerfile"},
		{"http://pxe/a.xml", "http://pxe/a.xml"},
		{"http://admin:s3cret@pxe:8080/a.xml", "http://***@pxe:8080/a.xml"},
		{"ftp://user@pxe/a.xml", "ftp://***@pxe/a.xml"},
		{"https://a:b@c@pxe?x=@y", "https://***@pxe?x=@y"},
		/* No byte of a password ends the authority early: no space, no control byte. */
		{"http://us\x19"
		 "er:p w'@pxe/a",
		 "http://***@pxe/a"},
		{"file:///x\ny", "file:///x\\x0ay"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = location_display(cases[i].in);
		assert_string_equal(got, cases[i].out);
		free(got);
	}
	/* In a message, a URL ends at white space or a quote. */
	struct buf b = BUF_INIT;
	buf_put_display(&b, "cannot fetch 'http://u:p@h/a': mail root@h", 100);
	assert_string_equal(b.data, "cannot fetch 'http://***@h/a': mail root@h");
	buf_reset(&b);
	buf_put_display(&b, "'ftp://h' from x@y", 100);
	assert_string_equal(b.data, "'ftp://h' from x@y");
	buf_reset(&b);
	buf_put_display(&b, "abcdef", 3);
	assert_string_equal(b.data, "abc...");
	buf_free(&b);
}

static void test_sha256(void **state)
{
	(void)state;
	char hex[65];
	struct buf big = BUF_INIT;

	sha256_hex("", 0, hex);
	assert_string_equal(hex,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* Crosses a block boundary: the two-block test vector from FIPS 180-2. */
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256_hex(two, strlen(two), hex);
	assert_string_equal(hex,
			    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	for (int i = 0; i < 1000000; i++)
		buf_putc(&big, 'a');
	sha256_hex(big.data, big.len, hex);
	assert_string_equal(hex,
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	buf_free(&big);
}

static void test_write_file_atomic(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char *path = path_join(dir, "fstab");
	struct stat st;
	struct buf b = BUF_INIT;

	assert_int_equal(write_file_atomic(path, "one\n", 4, 0640), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(write_file_atomic(path, "two\n", 4, 0644), 0);
	assert_int_equal(read_file(path, 100, &b), 0);
	assert_string_equal(b.data, "two\n");
	/* No temporary file is left behind. */
	char *tmp = xasprintf("%s.xsraid-tmp", path);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_int_equal(read_file(path, 2, &b), -EFBIG);
	char *missing = path_join(dir, "no/such/dir/file");
	assert_int_equal(write_file_atomic(missing, "x", 1, 0644), -ENOENT);
	free(missing);
	free(tmp);
	buf_free(&b);
	free(path);
	free(dir);
}

static void test_paths_and_numbers(void **state)
{
	(void)state;
	char *p = path_join("/tmp/root/", "/etc/fstab");
	char s[32];
	uint64_t v;

	assert_string_equal(p, "/tmp/root/etc/fstab");
	free(p);
	p = path_join("/", "boot");
	assert_string_equal(p, "/boot");
	free(p);
	assert_int_equal(parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse_u64("12a", &v), -EINVAL);
	assert_int_equal(parse_u64("", &v), -EINVAL);
	format_size(s, sizeof(s), 4294967296ULL);
	assert_string_equal(s, "4.0 GiB");
	format_size(s, sizeof(s), 500107862016ULL);
	assert_string_equal(s, "465 GiB");
	format_size(s, sizeof(s), 1536);
	assert_string_equal(s, "1.5 KiB");
	format_size(s, sizeof(s), 100);
	assert_string_equal(s, "100 B");
}

static void test_run_command(void **state)
{
	(void)state;
	struct run_cmd c = RUN_CMD_INIT;
	struct buf out = BUF_INIT;
	const char *const cat[] = {"/bin/cat", NULL};
	const char *const fail[] = {"/bin/sh", "-c", "exit 7", NULL};
	const char *const missing[] = {"/no/such/tool", NULL};
	const char *const relative[] = {"mdadm", NULL};
	const char *const slow[] = {"/bin/sleep", "5", NULL};
	const char *const env[] = {"/usr/bin/env", NULL};

	c.argv = cat;
	c.stdin_data = "hello\n";
	c.stdin_len = 6;
	c.capture_out = &out;
	assert_int_equal(run_command(&c), 0);
	assert_string_equal(out.data, "hello\n");

	c = (struct run_cmd)RUN_CMD_INIT;
	c.argv = fail;
	assert_int_equal(run_command(&c), 7);
	c.argv = missing;
	assert_int_equal(run_command(&c), -ENOENT);
	c.argv = relative;
	assert_int_equal(run_command(&c), -EINVAL);
	c.argv = slow;
	c.timeout_sec = 1;
	assert_int_equal(run_command(&c), -ETIMEDOUT);

	/* Commands get a fixed environment, whatever the caller's. */
	setenv("XSRAID_LEAK", "1", 1);
	c = (struct run_cmd)RUN_CMD_INIT;
	buf_reset(&out);
	c.argv = env;
	c.capture_out = &out;
	assert_int_equal(run_command(&c), 0);
	assert_null(strstr(out.data, "XSRAID_LEAK"));
	assert_non_null(strstr(out.data, "LC_ALL=C"));
	assert_int_equal(run_argv_checked(fail, NULL), -EIO);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shell_quote),
		cmocka_unit_test(test_json_quote),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_location_display),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_write_file_atomic),
		cmocka_unit_test(test_paths_and_numbers),
		cmocka_unit_test(test_run_command),
	};
	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
