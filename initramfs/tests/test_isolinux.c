// SPDX-License-Identifier: GPL-2.0-only
/* isolinux.cfg: the new default entry, every stock line kept, the files it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "isolinux.h"
#include "testlib.h"
#include "util.h"

#define ARGS "answerfile=file:///answerfile.xml install"

/* The shape of XenServer's own CD configuration (host-installer's bootloader/isolinux.cfg). */
static const char XS_CFG[] =
	"DEFAULT install\n"
	"PROMPT 1\n"
	"TIMEOUT 50\n"
	"DISPLAY pg_main\n"
	"F1 pg_main\n"
	"F2 pg_help\n"
	"\n"
	"LABEL install\n"
	"\tKERNEL mboot.c32\n"
	"\tAPPEND /boot/xen.gz dom0_max_vcpus=2 dom0_mem=752M com1=115200,8n1 console=com1,vga --- "
	"/boot/vmlinuz xencons=hvc console=hvc0 console=tty0 --- /install.img\n"
	"LABEL no-serial\n"
	"\tKERNEL mboot.c32\n"
	"\tAPPEND /boot/xen.gz dom0_max_vcpus=2 dom0_mem=752M console=vga --- /boot/vmlinuz "
	"console=tty0 --- /install.img\n"
	"LABEL shell\n"
	"\tKERNEL mboot.c32\n"
	"\tAPPEND /boot/xen.gz dom0_max_vcpus=2 dom0_mem=752M com1=115200,8n1 console=com1,vga --- "
	"/boot/vmlinuz xencons=hvc console=hvc0 console=tty0 bash-shell --- /install.img\n"
	"\n"
	"LABEL memtest\n"
	"\tKERNEL memtest\n";

static const char XS_EXPECT[] =
	"DEFAULT xsraid\n"
	"PROMPT 1\n"
	"TIMEOUT 50\n"
	"DISPLAY pg_main\n"
	"F1 pg_main\n"
	"F2 pg_help\n"
	"\n"
	"# xsraid: unattended install with software RAID1 (made by xsraid-remaster)\n"
	"LABEL xsraid\n"
	"\tKERNEL mboot.c32\n"
	"\tAPPEND /boot/xen.gz dom0_max_vcpus=2 dom0_mem=752M com1=115200,8n1 console=com1,vga --- "
	"/boot/vmlinuz xencons=hvc console=hvc0 console=tty0 " ARGS " --- /install.img\n"
	"LABEL install\n";

static int edit(const char *cfg, const char *args, struct buf *out, struct buf *notes,
		struct buf *err)
{
	buf_reset(out);
	buf_reset(notes);
	buf_reset(err);
	return isolinux_add_entry(cfg, strlen(cfg), "xsraid", args, out, notes, err);
}

static void edit_ok(const char *cfg, const char *args, struct buf *out, struct buf *notes)
{
	struct buf err = BUF_INIT;

	if (edit(cfg, args, out, notes, &err) != 0)
		fail_msg("edit: %s", err.data);
	buf_free(&err);
}

/* The output is the stock file with DEFAULT changed and the new entry before the first LABEL. */
static void test_xenserver_cfg(void **state)
{
	(void)state;
	struct buf out = BUF_INIT, notes = BUF_INIT;

	edit_ok(XS_CFG, ARGS, &out, &notes);
	size_t head = strlen(XS_EXPECT);
	assert_memory_equal(out.data, XS_EXPECT, head);
	/* Everything from the first stock LABEL on, byte for byte. */
	const char *rest = strstr(XS_CFG, "LABEL install\n") + strlen("LABEL install\n");
	assert_string_equal(out.data + head, rest);
	assert_string_equal(notes.data, "new default entry xsraid: entry install with \"" ARGS
					"\" for the installer\n");
	buf_free(&out);
	buf_free(&notes);
}

/* Run again on its own output: one entry, the stock default's arguments, the new ones. */
static void test_again(void **state)
{
	(void)state;
	struct buf out = BUF_INIT, notes = BUF_INIT, twice = BUF_INIT;

	edit_ok(XS_CFG, ARGS, &out, &notes);
	edit_ok(out.data, ARGS, &twice, &notes);
	assert_string_equal(twice.data, out.data);
	edit_ok(out.data, "answerfile=http://10.0.0.1/a.xml install", &twice, &notes);
	assert_non_null(
		strstr(twice.data, "console=tty0 answerfile=http://10.0.0.1/a.xml install ---"));
	assert_null(strstr(twice.data, "file:///answerfile.xml"));
	assert_non_null(strstr(notes.data, "entry xsraid with"));
	const char *first = strstr(twice.data, "LABEL xsraid");
	assert_non_null(first);
	assert_null(strstr(first + 1, "LABEL xsraid"));
	assert_null(strstr(strstr(twice.data, "# xsraid") + 1, "# xsraid"));
	buf_free(&out);
	buf_free(&twice);
	buf_free(&notes);
}

/* Edits @cfg with ARGS: the result must be @want, and the notes must mention @note. */
static void expect_edit(const char *cfg, const char *want, const char *note)
{
	struct buf out = BUF_INIT, notes = BUF_INIT;

	edit_ok(cfg, ARGS, &out, &notes);
	assert_string_equal(out.data, want);
	if (!strstr(notes.data, note))
		fail_msg("notes \"%s\" do not say \"%s\"", notes.data, note);
	buf_free(&out);
	buf_free(&notes);
}

#define COMMENT_LINE "# xsraid: unattended install with software RAID1 (made by xsraid-remaster)"

/* CRLF files, keywords in any case, indentation with spaces, arguments that would contradict. */
static void test_dos_lines_and_case(void **state)
{
	(void)state;
	expect_edit(
		"serial 0 115200\r\n"
		"default xe\r\n"
		"label xe\r\n"
		"  kernel /boot/isolinux/mboot.c32\r\n"
		"  append xen.gz --- vmlinuz answerfile=http://old/a.xml install quiet --- install.img\r\n"
		"label other\r\n"
		"  kernel mboot.c32\r\n"
		"  append xen.gz --- vmlinuz --- install.img\r\n",
		"serial 0 115200\r\n"
		"default xsraid\r\n" COMMENT_LINE "\r\n"
		"label xsraid\r\n"
		"  kernel /boot/isolinux/mboot.c32\r\n"
		"  append xen.gz --- vmlinuz quiet " ARGS " --- install.img\r\n"
		"label xe\r\n"
		"  kernel /boot/isolinux/mboot.c32\r\n"
		"  append xen.gz --- vmlinuz answerfile=http://old/a.xml install quiet --- install.img\r\n"
		"label other\r\n"
		"  kernel mboot.c32\r\n"
		"  append xen.gz --- vmlinuz --- install.img\r\n",
		"entry xe with");
}

/* Menus: MENU DEFAULT would win over DEFAULT; a menu without a timeout waits forever. */
static void test_menu(void **state)
{
	(void)state;
	expect_edit("UI menu.c32\n"
		    "DEFAULT install\n"
		    "ONTIMEOUT install\n"
		    "TEXT HELP\n"
		    "label the text is not a LABEL\n"
		    "ENDTEXT\n"
		    "LABEL install\n"
		    "  MENU LABEL Install XenServer\n"
		    "  MENU DEFAULT\n"
		    "  KERNEL mboot.c32\n"
		    "  TEXT HELP\n"
		    "  Installs.\n"
		    "  ENDTEXT\n"
		    "  APPEND xen.gz --- vmlinuz --- install.img",
		    "UI menu.c32\n"
		    "DEFAULT xsraid\n"
		    "TIMEOUT 50\n"
		    "ONTIMEOUT xsraid\n"
		    "TEXT HELP\n"
		    "label the text is not a LABEL\n"
		    "ENDTEXT\n" COMMENT_LINE "\n"
		    "LABEL xsraid\n"
		    "  MENU LABEL Install unattended, mirrored on two disks (xsraid)\n"
		    "  KERNEL mboot.c32\n"
		    "  APPEND xen.gz --- vmlinuz " ARGS " --- install.img\n"
		    "LABEL install\n"
		    "  MENU LABEL Install XenServer\n"
		    "  KERNEL mboot.c32\n"
		    "  TEXT HELP\n"
		    "  Installs.\n"
		    "  ENDTEXT\n"
		    "  APPEND xen.gz --- vmlinuz --- install.img",
		    "TIMEOUT 50 added");
	struct buf out = BUF_INIT, notes = BUF_INIT;
	edit_ok("DEFAULT install\nLABEL install\n  MENU DEFAULT\n  KERNEL mboot.c32\n"
		"  APPEND xen.gz --- vmlinuz --- install.img\n",
		ARGS, &out, &notes);
	assert_non_null(strstr(notes.data, "MENU DEFAULT removed from entry install"));
	assert_null(strstr(out.data, "MENU DEFAULT"));
	buf_free(&out);
	buf_free(&notes);
}

/* PROMPT 1 with TIMEOUT 0 waits for a key; a global APPEND serves an entry without one. */
static void test_timeout_and_global_append(void **state)
{
	(void)state;
	expect_edit("PROMPT 1\n"
		    "TIMEOUT 0\n"
		    "APPEND xen.gz --- vmlinuz console=hvc0 --- install.img\n"
		    "DEFAULT install\n"
		    "LABEL install\n"
		    "KERNEL mboot.c32\n",
		    "PROMPT 1\n"
		    "TIMEOUT 50\n"
		    "APPEND xen.gz --- vmlinuz console=hvc0 --- install.img\n"
		    "DEFAULT xsraid\n" COMMENT_LINE "\n"
		    "LABEL xsraid\n"
		    "KERNEL mboot.c32\n"
		    "APPEND xen.gz --- vmlinuz console=hvc0 " ARGS " --- install.img\n"
		    "LABEL install\n"
		    "KERNEL mboot.c32\n",
		    "TIMEOUT 0 changed to 50");
}

static void expect_refused(const char *cfg, const char *what)
{
	struct buf out = BUF_INIT, notes = BUF_INIT, err = BUF_INIT;

	assert_int_equal(edit(cfg, ARGS, &out, &notes, &err), -EINVAL);
	if (!strstr(err.data, what))
		fail_msg("\"%s\" does not say \"%s\"", err.data, what);
	buf_free(&out);
	buf_free(&notes);
	buf_free(&err);
}

static void test_refused(void **state)
{
	(void)state;
	expect_refused("LABEL install\nKERNEL mboot.c32\nAPPEND a --- b --- c\n",
		       "no DEFAULT line");
	expect_refused("DEFAULT xe\nLABEL install\nKERNEL mboot.c32\nAPPEND a --- b --- c\n",
		       "DEFAULT xe names no LABEL of the file (INCLUDEd files are not read)");
	expect_refused("DEFAULT linux\nLABEL linux\nKERNEL vmlinuz\nAPPEND initrd=initrd.img\n",
		       "the default entry linux does not boot Xen through mboot.c32");
	expect_refused("DEFAULT x\nLABEL x\nKERNEL mboot.c32\nAPPEND xen.gz --- vmlinuz\n",
		       "does not boot Xen through mboot.c32");
	expect_refused("DEFAULT x\nLABEL x\nKERNEL mboot.c32\n", "does not boot Xen");
	expect_refused("DEFAULT x\nLABEL x\nAPPEND a --- b --- c\n", "does not boot Xen");
	expect_refused("", "no DEFAULT line");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xenserver_cfg),
		cmocka_unit_test(test_again),
		cmocka_unit_test(test_dos_lines_and_case),
		cmocka_unit_test(test_menu),
		cmocka_unit_test(test_timeout_and_global_append),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
