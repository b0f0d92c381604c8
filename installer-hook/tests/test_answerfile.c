// SPDX-License-Identifier: GPL-2.0-only
/* The answerfile parser: real answerfiles, the RAID extension, bad and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "answerfile.h"
#include "testlib.h"

static char *example(const char *name)
{
	char *rel = xasprintf("answerfile/examples/%s", name);
	char *path = test_src_path(rel);
	char *text = test_read_file(path);

	assert_non_null(text);
	free(rel);
	free(path);
	return text;
}

static int parse(const char *text, struct answerfile *af, struct buf *err)
{
	return answerfile_parse(text, strlen(text), "a.xml", af, err);
}

/* Parses @text, which must fail, and checks the one-line message. */
static void expect_error(const char *text, const char *expected_prefix, const char *needle)
{
	struct answerfile af;
	struct buf err = BUF_INIT;
	int r = parse(text, &af, &err);

	if (r == 0)
		fail_msg("accepted, expected '%s'", expected_prefix);
	assert_int_equal(r, -EINVAL);
	if (!str_starts_with(err.data, expected_prefix))
		fail_msg("error '%s' does not start with '%s'", err.data, expected_prefix);
	if (needle && !strstr(err.data, needle))
		fail_msg("error '%s' does not mention '%s'", err.data, needle);
	assert_null(strchr(err.data, '\n'));
	buf_free(&err);
}

static void test_attribute_form(void **state)
{
	(void)state;
	char *text = example("raid-attribute.xml");
	struct answerfile af;
	struct buf err = BUF_INIT;

	assert_int_equal(parse(text, &af, &err), 0);
	assert_string_equal(af.root, "installation");
	assert_string_equal(af.mode, "fresh");
	assert_string_equal(af.primary_disk, "sda");
	assert_true(af.guest_storage);
	assert_int_equal(af.srtype, SR_LVM);
	assert_int_equal(af.raid.syntax, RAID_SYNTAX_ATTRIBUTE);
	assert_string_equal(af.raid.disks[0], "sda");
	assert_string_equal(af.raid.disks[1], "sdb");
	assert_int_equal(af.raid.line, 8);
	assert_int_equal(af.raid.metadata, MD_METADATA_0_90);
	assert_int_equal(af.raid.bitmap, MD_BITMAP_INTERNAL);
	assert_int_equal(af.raid.wipe, WIPE_REFUSE);
	assert_int_equal(af.raid.sr_type, SR_LVM);
	assert_int_equal(af.raid.resync_speed_kib, 0);
	assert_int_equal(af.n_scripts, 2);
	assert_string_equal(af.scripts[0].stage, "filesystem-populated");
	assert_string_equal(af.scripts[0].url, "file:///opt/xsraid/xsraid-hook");
	assert_true(answerfile_has_script(&af, "installation-complete",
					  "file:///opt/xsraid/xsraid-hook"));
	answerfile_free(&af);
	buf_free(&err);
	free(text);
}

static void test_xcpng_form(void **state)
{
	(void)state;
	char *text = example("raid-xcpng.xml");
	struct answerfile af;
	struct buf err = BUF_INIT;

	assert_int_equal(parse(text, &af, &err), 0);
	assert_int_equal(af.raid.syntax, RAID_SYNTAX_ELEMENT);
	assert_string_equal(af.raid.device, "md127");
	assert_string_equal(af.primary_disk, "md127");
	assert_string_equal(af.raid.disks[0], "sda");
	assert_string_equal(af.raid.disks[1], "sdb");
	assert_int_equal(af.n_scripts, 0);
	answerfile_free(&af);
	buf_free(&err);
	free(text);
}

static void test_all_options(void **state)
{
	(void)state;
	char *text = example("raid-options.xml");
	struct answerfile af;
	struct buf err = BUF_INIT;

	assert_int_equal(parse(text, &af, &err), 0);
	assert_string_equal(af.raid.disks[0], "disk/by-id/ata-ST2000DM001_Z1E0BBBB");
	assert_string_equal(af.raid.disks[1], "disk/by-id/ata-ST2000DM001_Z1E0AAAA");
	assert_int_equal(af.raid.wipe, WIPE_FORCE);
	assert_int_equal(af.raid.sr_type, SR_EXT);
	assert_int_equal(af.srtype, SR_EXT);
	assert_int_equal(af.raid.resync_speed_kib, 200 * 1024);
	assert_string_equal(af.raid.mailaddr, "storage-alerts@example.com");
	assert_string_equal(af.raid.program, "/usr/local/sbin/raid-alert");
	assert_int_equal(af.raid.check, MD_CHECK_WEEKLY);
	assert_int_equal(af.raid.copy, ROOT_COPY_FILES);
	answerfile_free(&af);
	buf_free(&err);
	free(text);
}

static void test_no_raid(void **state)
{
	(void)state;
	char *text = example("no-raid.xml");
	struct answerfile af;
	struct buf err = BUF_INIT;

	assert_int_equal(parse(text, &af, &err), 0);
	assert_int_equal(af.raid.syntax, RAID_SYNTAX_NONE);
	assert_string_equal(af.primary_disk, "sda");
	answerfile_free(&af);
	buf_free(&err);
	free(text);
}

static void test_settings(void **state)
{
	(void)state;
	struct answerfile af;
	struct buf err = BUF_INIT;
	const char *doc = "<installation srtype=\"ext\">\n"
			  "<raid device=\"/dev/md127\" metadata=\"1.0\" bitmap=\"none\" "
			  "wipe=\"force\" sr-type=\"lvm\" resync-speed=\"50000\">\n"
			  "<disk>/dev/sdc</disk><disk>sdd</disk></raid>\n"
			  "<primary-disk guest-storage=\"no\">/dev/md127</primary-disk>\n"
			  "</installation>\n";

	assert_int_equal(parse(doc, &af, &err), 0);
	assert_int_equal(af.raid.metadata, MD_METADATA_1_0);
	assert_int_equal(af.raid.bitmap, MD_BITMAP_NONE);
	assert_int_equal(af.raid.wipe, WIPE_FORCE);
	assert_int_equal(af.raid.sr_type, SR_LVM);
	assert_int_equal(af.srtype, SR_EXT);
	assert_int_equal(af.raid.resync_speed_kib, 50000);
	assert_false(af.guest_storage);
	assert_string_equal(af.raid.disks[0], "sdc");
	assert_string_equal(af.raid.device, "md127");
	answerfile_free(&af);
	buf_free(&err);
}

/* Where a PXE server wants its reports: both forms, http and https only. */
static void test_report_urls(void **state)
{
	(void)state;
	struct answerfile af;
	struct buf err = BUF_INIT, json = BUF_INIT;

	assert_int_equal(parse("<installation><primary-disk raid=\"sdb\" "
			       "raid-report=\"http://192.0.2.1/state/reports/01-aa.json\" "
			       "raid-report-final=\"https://pxe/state/final/01-aa.json\">sda"
			       "</primary-disk></installation>",
			       &af, &err),
			 0);
	assert_string_equal(af.raid.report_url, "http://192.0.2.1/state/reports/01-aa.json");
	assert_string_equal(af.raid.report_final_url, "https://pxe/state/final/01-aa.json");
	answerfile_to_json(&af, &json);
	assert_non_null(
		strstr(json.data, "\"report\": \"http://192.0.2.1/state/reports/01-aa.json\""));
	assert_non_null(
		strstr(json.data, "\"report_final\": \"https://pxe/state/final/01-aa.json\""));
	answerfile_free(&af);
	buf_reset(&json);

	assert_int_equal(parse("<installation><raid device=\"md127\" report=\"http://h/r.json\">"
			       "<disk>sda</disk><disk>sdb</disk></raid>"
			       "<primary-disk>md127</primary-disk></installation>",
			       &af, &err),
			 0);
	assert_string_equal(af.raid.report_url, "http://h/r.json");
	assert_null(af.raid.report_final_url);
	answerfile_to_json(&af, &json);
	assert_non_null(strstr(json.data, "\"report_final\": null"));
	answerfile_free(&af);

	expect_error("<installation><primary-disk raid=\"sdb\" raid-report=\"ftp://h/r\">sda"
		     "</primary-disk></installation>",
		     "a.xml:1: raid-report=\"ftp://h/r\" must be an http:// or https:// URL", NULL);
	expect_error("<installation><primary-disk raid=\"sdb\" raid-report-final=\"http://h/a b\">"
		     "sda</primary-disk></installation>",
		     "a.xml:1: raid-report-final=", "without spaces");
	expect_error("<installation><primary-disk raid-report=\"http://h/r\">sda"
		     "</primary-disk></installation>",
		     "a.xml:1: raid-report= needs raid=\"DISK\"", NULL);
	buf_free(&err);
	buf_free(&json);
}

/* The sr type of the mirror follows the installation's srtype unless it is given. */
static void test_sr_type_follows_srtype(void **state)
{
	(void)state;
	struct answerfile af;
	struct buf err = BUF_INIT;

	assert_int_equal(parse("<installation sr-type=\"ext\"><primary-disk raid=\"sdb\">sda"
			       "</primary-disk></installation>",
			       &af, &err),
			 0);
	assert_int_equal(af.raid.sr_type, SR_EXT);
	answerfile_free(&af);
	buf_free(&err);
}

static void test_json(void **state)
{
	(void)state;
	char *text = example("raid-xcpng.xml");
	struct answerfile af;
	struct buf err = BUF_INIT, json = BUF_INIT;

	assert_int_equal(parse(text, &af, &err), 0);
	answerfile_to_json(&af, &json);
	assert_non_null(strstr(json.data, "\"syntax\": \"raid-element\""));
	assert_non_null(strstr(json.data, "\"disks\": [\"sda\", \"sdb\"]"));
	assert_non_null(strstr(json.data, "\"metadata\": \"0.90\""));
	assert_non_null(strstr(json.data, "\"wipe\": \"refuse\""));
	assert_non_null(strstr(json.data, "\"primary_disk\": \"md127\""));
	answerfile_free(&af);
	buf_free(&err);
	buf_free(&json);
	free(text);
}

static void test_rejects_other_roots(void **state)
{
	(void)state;
	expect_error("<?xml version=\"1.0\"?>\n<conversion><primary-disk>sda</primary-disk>"
		     "</conversion>\n",
		     "a.xml:2: root element <conversion> is not an installation answerfile", NULL);
	expect_error("<restore/>", "a.xml:1: root element <restore>", NULL);
}

static void test_malformed_xml_has_line(void **state)
{
	(void)state;
	expect_error("<installation>\n<primary-disk>sda</primary-disk>\n<keymap>us\n"
		     "</installation>\n",
		     "a.xml:4: malformed XML", NULL);
	expect_error("", "a.xml:1: malformed XML", NULL);
	expect_error("just text", "a.xml:1: malformed XML", NULL);
}

static void test_templates(void **state)
{
	(void)state;
	expect_error("<installation>\n<primary-disk>sda</primary-disk>\n#if $raid\n"
		     "<x/>\n#end if\n</installation>\n",
		     "a.xml:3: unrendered template: Cheetah directive '#if'", NULL);
	expect_error("<installation>\n\n<hostname>$hostname</hostname>\n</installation>",
		     "a.xml:3: unrendered template: placeholder '$hostname'", NULL);
	expect_error("<installation>\n<hostname>${host.name}</hostname>\n</installation>",
		     "a.xml:2: unrendered template: placeholder", NULL);
	expect_error("<installation>\n<primary-disk raid=\"{{ second }}\">sda</primary-disk>\n"
		     "</installation>",
		     "a.xml:2: unrendered template: Jinja tag '{{ second }}'", NULL);
	expect_error("<installation>\n{% if raid %}\n</installation>",
		     "a.xml:2: unrendered template: Jinja tag", NULL);
	expect_error("<installation>\n<primary-disk>##PRIMARY_DISK##</primary-disk>\n"
		     "</installation>",
		     "a.xml:2: unrendered template: token '##PRIMARY_DISK##'", NULL);
	expect_error("<installation>\n<hostname><%= @host.name %></hostname>\n</installation>",
		     "a.xml:2: unrendered template: ERB tag", NULL);
}

/* A crypt(3) hash looks like "$6$salt$..." but is a value, not a placeholder. */
static void test_password_hash_is_not_a_template(void **state)
{
	(void)state;
	char *text = example("raid-xcpng.xml");
	struct answerfile af;
	struct buf err = BUF_INIT;

	assert_non_null(strstr(text, "$6$Vh3o5nX1$"));
	assert_int_equal(parse(text, &af, &err), 0);
	answerfile_free(&af);
	buf_free(&err);
	free(text);
}

/* Entity tricks and document types are refused while parsing, before any entity is read. */
static void test_hostile_declarations(void **state)
{
	(void)state;
	/* External entity (XXE). */
	expect_error("<?xml version=\"1.0\"?>\n<!DOCTYPE installation [\n"
		     "<!ENTITY x SYSTEM \"file:///etc/shadow\">]>\n"
		     "<installation><primary-disk>&x;</primary-disk></installation>",
		     "a.xml:2: a document type declaration (<!DOCTYPE>) is not allowed in an "
		     "answerfile; remove it",
		     NULL);
	/* Billion laughs. */
	expect_error("<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
		     "\"&lol;&lol;&lol;&lol;&lol;&lol;\">]><installation>&lol2;</installation>",
		     "a.xml:1: a document type declaration (<!DOCTYPE>) is not allowed", NULL);
	/* An external DTD, which would be fetched to validate or for default attributes. */
	expect_error("<!DOCTYPE installation SYSTEM \"http://127.0.0.1:1/a.dtd\">\n"
		     "<installation><primary-disk>sda</primary-disk></installation>",
		     "a.xml:1: a document type declaration (<!DOCTYPE>) is not allowed", NULL);
	/* An entity nobody declared. */
	expect_error("<installation>\n<primary-disk>&x;</primary-disk></installation>",
		     "a.xml:2: malformed XML: Entity 'x' not defined", NULL);
	/* XInclude, which would read another file into the answerfile. */
	expect_error("<installation xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n"
		     "<primary-disk>sda</primary-disk>\n"
		     "<hostname><xi:include href=\"/etc/hostname\" parse=\"text\"/></hostname>\n"
		     "</installation>",
		     "a.xml:3: XInclude (<xi:include>) is not allowed in an answerfile; write "
		     "the content in place",
		     NULL);
}

/* What is not UTF-8 text of a sane size and depth is refused with its line. */
static void test_hostile_bytes(void **state)
{
	(void)state;
	struct answerfile af;
	struct buf err = BUF_INIT;

	const char nul[] = "<installation>\n<primary-disk>sda\0</primary-disk></installation>";
	assert_int_equal(answerfile_parse(nul, sizeof(nul) - 1, "a.xml", &af, &err), -EINVAL);
	assert_string_equal(err.data,
			    "a.xml:2: contains a NUL byte: this is not a text answerfile");
	expect_error("<installation>\n<primary-disk>sda</primary-disk>\n"
		     "<hostname>h\xff</hostname></installation>",
		     "a.xml:3: byte 0xff is not valid UTF-8; save the answerfile as UTF-8", NULL);
	/* An overlong '/' and a UTF-16 surrogate: valid-looking, but not UTF-8. */
	expect_error("<installation>\n<primary-disk>sda\xc0\xaf</primary-disk></installation>",
		     "a.xml:2: byte 0xc0 is not valid UTF-8", NULL);
	expect_error("<installation><hostname>\xed\xa0\x80</hostname></installation>",
		     "a.xml:1: byte 0xed is not valid UTF-8", NULL);
	expect_error("\xff\xfe<\0i\0", "a.xml:1: the answerfile is UTF-16; save it as UTF-8", NULL);
	expect_error("<?xml version=\"1.0\" encoding=\"EBCDIC-US\"?>\n<installation/>",
		     "a.xml:1: encoding=\"ebcdic-us\" is not supported; save the answerfile as "
		     "UTF-8",
		     NULL);
	/* Declared Latin-1 is read as such; real UTF-8 passes. */
	assert_int_equal(parse("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<installation>"
			       "<primary-disk>sda</primary-disk><hostname>caf\xe9</hostname>"
			       "</installation>",
			       &af, &err),
			 0);
	answerfile_free(&af);
	assert_int_equal(parse("\xef\xbb\xbf<installation><primary-disk>sda</primary-disk>"
			       "<hostname>caf\xc3\xa9-\xf0\x9f\x96\xa5</hostname></installation>",
			       &af, &err),
			 0);
	answerfile_free(&af);
	/* A control character, as a character reference. */
	expect_error("<installation>\n<hostname>&#1;</hostname></installation>",
		     "a.xml:2: malformed XML: xmlParseCharRef: invalid xmlChar value 1", NULL);

	/* Deep nesting stops at xsraid's own limit, with the line of the element. */
	struct buf deep = BUF_INIT;
	buf_puts(&deep, "<installation>\n");
	for (int i = 0; i < 100000; i++)
		buf_puts(&deep, "<a>");
	buf_reset(&err);
	assert_int_equal(answerfile_parse(deep.data, deep.len, "a.xml", &af, &err), -EINVAL);
	assert_string_equal(err.data, "a.xml:2: <a> is nested 33 elements deep; an answerfile "
				      "needs a few, and more than 32 are refused");

	/* Too large: refused before parsing, one byte over the limit. */
	char *big = xmalloc(ANSWERFILE_MAX + 1);
	memset(big, ' ', ANSWERFILE_MAX + 1);
	buf_reset(&err);
	assert_int_equal(answerfile_parse(big, ANSWERFILE_MAX + 1, "a.xml", &af, &err), -EINVAL);
	assert_string_equal(err.data, "a.xml:1: 1048577 bytes is too large for an answerfile "
				      "(the limit is 1048576); is this the right file?");

	/* Line numbers past 65535 are right. */
	struct buf tall = BUF_INIT;
	buf_puts(&tall, "<installation>");
	for (int i = 0; i < 70000; i++)
		buf_putc(&tall, '\n');
	buf_puts(&tall, "<primary-disk raid=\"sd;b\">sda</primary-disk></installation>");
	assert_int_equal(answerfile_parse(tall.data, tall.len, "a.xml", &af, &err), -EINVAL);
	assert_true(str_starts_with(err.data, "a.xml:70001: raid=\"sd;b\""));

	/* Garbage of every byte value never crashes the parser. */
	srand(1);
	for (int round = 0; round < 200; round++) {
		char junk[512];
		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (char)(rand() % 255 + 1);
		memcpy(junk, "<installation>", 14);
		buf_reset(&err);
		if (answerfile_parse(junk, sizeof(junk), "a.xml", &af, &err) == 0)
			answerfile_free(&af);
	}
	free(big);
	buf_free(&deep);
	buf_free(&tall);
	buf_free(&err);
}

/* Values shown in messages are cut, kept on one line, and a URL's password is never shown. */
static void test_messages_stay_one_line(void **state)
{
	(void)state;
	struct answerfile af;
	struct buf err = BUF_INIT, doc = BUF_INIT;

	expect_error("<installation>\n<primary-disk raid=\"sdb\" raid-wipe=\"yes&#10;xsraid: "
		     "done\">sda</primary-disk></installation>",
		     "a.xml:2: raid-wipe=\"yes\\x0axsraid: done\" must be refuse", NULL);
	buf_puts(&doc, "<installation mode=\"");
	for (int i = 0; i < 5000; i++)
		buf_putc(&doc, 'x');
	buf_puts(&doc, "\"><primary-disk>sda</primary-disk></installation>");
	assert_int_equal(answerfile_parse(doc.data, doc.len, "a.xml", &af, &err), -EINVAL);
	assert_non_null(strstr(err.data, "xxx...\" on <installation> must be fresh, reinstall or "
					 "upgrade"));
	assert_true(err.len < 200);
	assert_int_equal(answerfile_parse("<installation/>", 15,
					  "http://admin:s3cret@pxe.example.com/a.xml", &af, &err),
			 -EINVAL);
	assert_string_equal(err.data, "http://***@pxe.example.com/a.xml:1: <installation "
				      "mode=\"fresh\"> has no <primary-disk>; add "
				      "<primary-disk>sda</primary-disk>");
	const char *ok = "<installation><primary-disk>sda</primary-disk></installation>";
	assert_int_equal(answerfile_parse(ok, strlen(ok), "ftp://u:p@h/a.xml", &af, &err), 0);
	assert_string_equal(af.name, "ftp://***@h/a.xml");
	answerfile_free(&af);
	buf_free(&doc);
	buf_free(&err);
}

/*
 * Who hears of a failed disk: mail addresses and a program path that go into
 * mdadm.conf as one word each, and how often the arrays are checked.
 */
static void test_monitoring_settings(void **state)
{
	(void)state;
	struct answerfile af;
	struct buf err = BUF_INIT;

	assert_int_equal(parse("<installation><primary-disk raid=\"sdb\">sda</primary-disk>"
			       "</installation>",
			       &af, &err),
			 0);
	assert_null(af.raid.mailaddr);
	assert_null(af.raid.program);
	assert_int_equal(af.raid.check, MD_CHECK_WEEKLY);
	answerfile_free(&af);
	assert_int_equal(
		parse("<installation><raid device=\"md127\" mailaddr=\"root,ops@ex-1.org\" "
		      "program=\"/opt/site/bin/md_alert.sh\" check=\"monthly\"><disk>sda"
		      "</disk><disk>sdb</disk></raid><primary-disk>md127</primary-disk>"
		      "</installation>",
		      &af, &err),
		0);
	assert_string_equal(af.raid.mailaddr, "root,ops@ex-1.org");
	assert_string_equal(af.raid.program, "/opt/site/bin/md_alert.sh");
	assert_int_equal(af.raid.check, MD_CHECK_MONTHLY);
	struct buf json = BUF_INIT;
	answerfile_to_json(&af, &json);
	assert_non_null(strstr(json.data, "\"mailaddr\": \"root,ops@ex-1.org\""));
	assert_non_null(strstr(json.data, "\"program\": \"/opt/site/bin/md_alert.sh\""));
	assert_non_null(strstr(json.data, "\"check\": \"monthly\""));
	buf_free(&json);
	answerfile_free(&af);
	buf_free(&err);

	static const char *const bad_mail[] = {"a@b;reboot", "ops@example.com&#10;MAILADDR x",
					       "a b",	     "",
					       "a@@b",	     "@example.com",
					       "a,,b",	     "a,"};
	for (size_t i = 0; i < ARRAY_SIZE(bad_mail); i++) {
		char *doc =
			xasprintf("<installation><primary-disk raid=\"sdb\" raid-mailaddr=\"%s\">"
				  "sda</primary-disk></installation>",
				  bad_mail[i]);
		expect_error(doc, "a.xml:1: raid-mailaddr=", "is not a mail address");
		free(doc);
	}
	static const char *const bad_program[] = {"raid-alert", "/usr/../bin/sh", "/usr/bin/",
						  "/a b",	"/bin/sh;reboot", "/x$(id)",
						  "//x"};
	for (size_t i = 0; i < ARRAY_SIZE(bad_program); i++) {
		char *doc =
			xasprintf("<installation><primary-disk raid=\"sdb\" raid-program=\"%s\">"
				  "sda</primary-disk></installation>",
				  bad_program[i]);
		expect_error(doc, "a.xml:1: raid-program=", "is not a program path");
		free(doc);
	}
	expect_error("<installation><primary-disk raid=\"sdb\" raid-check=\"daily\">sda"
		     "</primary-disk></installation>",
		     "a.xml:1: raid-check=\"daily\" must be weekly (the default), monthly or none",
		     NULL);
	expect_error("<installation><raid device=\"md127\" raid-check=\"none\"><disk>sda</disk>"
		     "<disk>sdb</disk></raid><primary-disk>md127</primary-disk></installation>",
		     "a.xml:1: unknown attribute raid-check= on <raid>",
		     "mailaddr, program, check");
}

/* copy= says how the root reaches md0: files unless blocks are asked for. */
static void test_copy_setting(void **state)
{
	(void)state;
	struct answerfile af;
	struct buf err = BUF_INIT, json = BUF_INIT;
	static const char *const doc[] = {
		"<installation><primary-disk raid=\"sdb\">sda</primary-disk></installation>",
		"<installation><primary-disk raid=\"sdb\" raid-copy=\"blocks\">sda</primary-disk>"
		"</installation>",
		"<installation><raid device=\"md127\" copy=\"files\"><disk>sda</disk>"
		"<disk>sdb</disk></raid><primary-disk>md127</primary-disk></installation>",
	};
	static const enum root_copy want[] = {ROOT_COPY_FILES, ROOT_COPY_BLOCKS, ROOT_COPY_FILES};

	for (size_t i = 0; i < ARRAY_SIZE(doc); i++) {
		if (answerfile_parse(doc[i], strlen(doc[i]), "a.xml", &af, &err) < 0)
			fail_msg("%s", err.data);
		assert_int_equal(af.raid.copy, want[i]);
		buf_reset(&json);
		answerfile_to_json(&af, &json);
		assert_non_null(strstr(json.data, want[i] == ROOT_COPY_BLOCKS
							  ? "\"copy\": \"blocks\""
							  : "\"copy\": \"files\""));
		answerfile_free(&af);
	}
	expect_error("<installation><primary-disk raid=\"sdb\" raid-copy=\"dd\">sda"
		     "</primary-disk></installation>",
		     "a.xml:1: raid-copy=\"dd\" must be files (the default) or blocks", NULL);
	buf_free(&json);
	buf_free(&err);
}

/* resync-speed is bounded by what the kernel takes, with and without a suffix, and never wraps. */
static void test_resync_speed_range(void **state)
{
	(void)state;
	static const struct {
		const char *value;
		uint32_t kib; /* 0: refused as too fast */
	} cases[] = {
		{"1", 1},
		{"200M", 200 * 1024},
		{"2047G", 2047u * 1024 * 1024},
		{"2147483647", 2147483647u},
		{"2147483648", 0},
		{"2048G", 0},
		{"4294967296", 0},
		/* 2^54 G wrapped to 0 and was then taken for "the kernel default". */
		{"18014398509481984G", 0},
		{"99999999999999999999999", 0},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *doc = xasprintf("<installation><primary-disk raid=\"sdb\" "
				      "raid-resync-speed=\"%s\">sda</primary-disk></installation>",
				      cases[i].value);
		struct answerfile af;
		struct buf err = BUF_INIT;
		int r = parse(doc, &af, &err);
		if (cases[i].kib) {
			assert_int_equal(r, 0);
			assert_int_equal(af.raid.resync_speed_kib, cases[i].kib);
			answerfile_free(&af);
		} else {
			char *want =
				xasprintf("a.xml:1: raid-resync-speed=\"%s\" is too fast: the "
					  "kernel takes at most 2147483647 KiB/s (2047G); write "
					  "a speed such as 200M",
					  cases[i].value);
			assert_int_equal(r, -EINVAL);
			assert_string_equal(err.data, want);
			free(want);
		}
		buf_free(&err);
		free(doc);
	}
	expect_error("<installation><primary-disk raid=\"sdb\" raid-resync-speed=\"0\">sda"
		     "</primary-disk></installation>",
		     "a.xml:1: raid-resync-speed=\"0\" must be a speed in KiB/s", NULL);
	expect_error("<installation><primary-disk raid=\"sdb\" raid-resync-speed=\"-5M\">sda"
		     "</primary-disk></installation>",
		     "a.xml:1: raid-resync-speed=\"-5M\" must be a speed in KiB/s", NULL);
	expect_error("<installation><raid device=\"md127\" resync-speed=\"G\"><disk>sda</disk>"
		     "<disk>sdb</disk></raid><primary-disk>md127</primary-disk></installation>",
		     "a.xml:1: resync-speed=\"G\" must be a speed in KiB/s", NULL);
}

static void test_raid_rules(void **state)
{
	(void)state;
	expect_error("<installation mode=\"upgrade\">\n<existing-installation>sda"
		     "</existing-installation>\n<primary-disk raid=\"sdb\">sda</primary-disk>\n"
		     "</installation>",
		     "a.xml:3: mode=\"upgrade\" cannot be mirrored", "mode=\"fresh\"");
	expect_error(
		"<installation mode=\"reinstall\"><primary-disk raid=\"sdb\">sda</primary-disk>"
		"</installation>",
		"a.xml:1: mode=\"reinstall\" cannot be mirrored", NULL);
	expect_error("<installation>\n<primary-disk raid=\"/dev/sda\">sda</primary-disk>\n"
		     "</installation>",
		     "a.xml:2: the mirror names disk 'sda' twice", NULL);
	expect_error("<installation>\n<raid device=\"md127\"><disk>sda</disk><disk>sdb</disk>"
		     "<disk>sdc</disk></raid>\n<primary-disk>md127</primary-disk></installation>",
		     "a.xml:2: <raid> lists 3 <disk> elements; xsraid mirrors exactly two disks",
		     NULL);
	expect_error("<installation>\n<raid device=\"md127\"><disk>sda</disk><disk>sdb</disk>"
		     "</raid>\n<primary-disk>md126</primary-disk></installation>",
		     "a.xml:3: <primary-disk> is 'md126' but <raid device=\"md127\">",
		     "<primary-disk>md127</primary-disk>");
	expect_error("<installation>\n<raid><disk>sda</disk><disk>sdb</disk></raid>"
		     "<primary-disk>md127</primary-disk></installation>",
		     "a.xml:2: <raid> has no device=", NULL);
	expect_error("<installation>\n<raid device=\"sdc\"><disk>sda</disk><disk>sdb</disk></raid>"
		     "<primary-disk>sdc</primary-disk></installation>",
		     "a.xml:2: <raid device=\"sdc\"> is not an md device name; write "
		     "device=\"md127\"",
		     NULL);
	expect_error("<installation>\n<primary-disk raid=\"sdb\" raid-wipes=\"force\">sda"
		     "</primary-disk></installation>",
		     "a.xml:2: unknown attribute raid-wipes= on <primary-disk>", "raid-wipe");
	expect_error("<installation>\n<primary-disk raid=\"sdb\" raid-wipe=\"yes\">sda"
		     "</primary-disk></installation>",
		     "a.xml:2: raid-wipe=\"yes\" must be refuse", "force");
	expect_error("<installation>\n<primary-disk raid=\"sdb\" raid-metadata=\"1.2\">sda"
		     "</primary-disk></installation>",
		     "a.xml:2: raid-metadata=\"1.2\" is not supported", "0.90");
	expect_error("<installation>\n<primary-disk raid=\"sdb\" raid-resync-speed=\"fast\">sda"
		     "</primary-disk></installation>",
		     "a.xml:2: raid-resync-speed=\"fast\" must be a speed", NULL);
	expect_error("<installation>\n<primary-disk raid-wipe=\"force\">sda</primary-disk>"
		     "</installation>",
		     "a.xml:2: raid-wipe= needs raid=\"DISK\"", NULL);
	expect_error("<installation>\n<raid device=\"md127\"><disk>sda</disk><disk>sdb</disk>"
		     "</raid>\n<primary-disk raid=\"sdc\">md127</primary-disk></installation>",
		     "a.xml:3: raid= on <primary-disk> and a <raid> element both", NULL);
	expect_error("<installation>\n<primary-disk raid=\"sdb\">sda</primary-disk>\n"
		     "<guest-disk>sdb</guest-disk></installation>",
		     "a.xml:2: disk 'sdb' is both a mirror member and a <guest-disk>", NULL);
	expect_error(
		"<installation>\n<primary-disk raid=\"sd b\">sda</primary-disk></installation>",
		"a.xml:2: raid=\"sd b\" on <primary-disk> is not a disk name", NULL);
	expect_error("<installation>\n<primary-disk raid=\"../etc/passwd\">sda</primary-disk>"
		     "</installation>",
		     "a.xml:2: raid=\"../etc/passwd\" on <primary-disk> is not a disk name", NULL);
}

static void test_installation_rules(void **state)
{
	(void)state;
	expect_error("<installation>\n<keymap>us</keymap>\n</installation>",
		     "a.xml:1: <installation mode=\"fresh\"> has no <primary-disk>",
		     "<primary-disk>sda</primary-disk>");
	expect_error("<installation mode=\"new\"><primary-disk>sda</primary-disk></installation>",
		     "a.xml:1: mode=\"new\" on <installation> must be fresh, reinstall or upgrade",
		     NULL);
	expect_error("<installation srtype=\"nfs\"><primary-disk>sda</primary-disk></installation>",
		     "a.xml:1: srtype=\"nfs\" must be lvm or ext", NULL);
	expect_error("<installation>\n<primary-disk>sda</primary-disk>\n<primary-disk>sdb"
		     "</primary-disk></installation>",
		     "a.xml:3: <primary-disk> appears more than once", NULL);
	expect_error("<installation><primary-disk gueststorage=\"maybe\">sda</primary-disk>"
		     "</installation>",
		     "a.xml:1: gueststorage=\"maybe\" on <primary-disk> must be yes or no", NULL);
	expect_error("<installation><primary-disk>sda</primary-disk>\n<script stage=\"late\">"
		     "http://x/y</script></installation>",
		     "a.xml:2: <script stage=\"late\"> is not a stage", NULL);
	expect_error("<installation><primary-disk>sda</primary-disk>\n"
		     "<script stage=\"installation-start\" type=\"ftp\">x</script></installation>",
		     "a.xml:2: <script type=\"ftp\"> must be url or nfs", NULL);
}

/* Unknown elements and attributes are the installer's business: kept, not refused. */
static void test_unknown_elements_kept(void **state)
{
	(void)state;
	struct answerfile af;
	struct buf err = BUF_INIT;

	assert_int_equal(parse("<installation future=\"1\"><primary-disk sr-at-end=\"yes\" "
			       "raid=\"sdb\">sda</primary-disk><network-backend>bridge"
			       "</network-backend><something-new a=\"b\"/>"
			       "<post-install-script>http://h/p.sh</post-install-script>"
			       "</installation>",
			       &af, &err),
			 0);
	assert_int_equal(af.n_scripts, 1);
	assert_string_equal(af.scripts[0].stage, "filesystem-populated");
	answerfile_free(&af);
	buf_free(&err);
}

static void test_upgrade_without_raid(void **state)
{
	(void)state;
	struct answerfile af;
	struct buf err = BUF_INIT;

	assert_int_equal(parse("<installation mode=\"upgrade\"><existing-installation>sda"
			       "</existing-installation></installation>",
			       &af, &err),
			 0);
	assert_null(af.primary_disk);
	answerfile_free(&af);
	buf_free(&err);
}

/* What a disk may be called: the kernel's names and the by-id and by-path links. */
static void test_normalize_disk(void **state)
{
	(void)state;
	static const char slash[] =
		"only cciss/, ida/, rd/, disk/by-id/ and disk/by-path/ names have a '/'";
	static const struct {
		const char *in, *out_or_why;
		bool ok;
	} cases[] = {
		{"sda", "sda", true},
		{"/dev/sda", "sda", true},
		{"xvda", "xvda", true},
		{"nvme0n1", "nvme0n1", true},
		{"md127", "md127", true},
		{"cciss/c0d0", "cciss/c0d0", true},
		{"/dev/ida/c0d1", "ida/c0d1", true},
		{"rd/c0d0", "rd/c0d0", true},
		{"disk/by-id/ata-ST2000_Z1E0", "disk/by-id/ata-ST2000_Z1E0", true},
		{"disk/by-id/wwn-0x5000c500a1b2c3d4", "disk/by-id/wwn-0x5000c500a1b2c3d4", true},
		{"/dev/disk/by-path/pci-0000:00:1f.2-ata-1", "disk/by-path/pci-0000:00:1f.2-ata-1",
		 true},
		{"", "it is empty", false},
		{"/dev/", "it is empty", false},
		{"sd a", "it contains the byte 0x20", false},
		{"sda\n", "it contains the byte 0x0a", false},
		{"sd\xc3\xa4", "it contains the byte 0xc3", false},
		{"../sda", "it contains '..'", false},
		{"disk/by-id/../../etc/passwd", "it contains '..'", false},
		{"disk/by-id/a..b", "it contains '..'", false},
		{"disk//x", slash, false},
		{"disk/by-id/", "disk/by-id/ must be followed by one link name", false},
		{"disk/by-id/ata-X/sda", "disk/by-id/ must be followed by one link name", false},
		{"disk/by-path/-x", "disk/by-path/ must be followed by one link name", false},
		{"disk/by-uuid/0f1e", slash, false},
		{"/etc/passwd", slash, false},
		{"mapper/vg-root", slash, false},
		{"cciss/c0d0/x", slash, false},
		{"sda;rm -rf /", "it contains ';'", false},
		{"sda;reboot", "it contains ';'", false},
		{"$(reboot)", "it contains '$'", false},
		{"`reboot`", "it contains '`'", false},
		{"sda\"", "it contains '\"'", false},
		{"sda'", "it contains '''", false},
		{"sda|x", "it contains '|'", false},
		{"sda&x", "it contains '&'", false},
		{"sd*", "it contains '*'", false},
		{"SDA", "kernel names are lower-case letters and digits", false},
		{"-sda", "kernel names are lower-case letters and digits", false},
		{"sda:1", "kernel names are lower-case letters and digits", false},
	};
	char why[96];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		why[0] = '\0';
		char *got = answerfile_normalize_disk(cases[i].in, why, sizeof(why));
		if (!cases[i].ok) {
			if (got)
				fail_msg("'%s' accepted as '%s'", cases[i].in, got);
			if (strcmp(why, cases[i].out_or_why))
				fail_msg("'%s': '%s', not '%s'", cases[i].in, why,
					 cases[i].out_or_why);
		} else {
			if (!got)
				fail_msg("'%s' refused: %s", cases[i].in, why);
			assert_string_equal(got, cases[i].out_or_why);
		}
		free(got);
	}
	char *longname = xmalloc(300);
	memset(longname, 'a', 299);
	longname[299] = '\0';
	assert_null(answerfile_normalize_disk(longname, why, sizeof(why)));
	assert_string_equal(why, "it is longer than 200 characters");
	free(longname);
}

/* Each field that names a disk says which one is wrong; names that are not mirrored are free. */
static void test_disk_fields(void **state)
{
	(void)state;
	struct answerfile af;
	struct buf err = BUF_INIT;

	expect_error("<installation>\n<primary-disk raid=\"sdb;reboot\">sda</primary-disk>"
		     "</installation>",
		     "a.xml:2: raid=\"sdb;reboot\" on <primary-disk> is not a disk name (it "
		     "contains ';'); write a kernel name such as sdb or a link such as "
		     "disk/by-id/ata-MODEL_SERIAL",
		     NULL);
	expect_error("<installation>\n<primary-disk raid=\"sdb\">../sda</primary-disk>"
		     "</installation>",
		     "a.xml:2: <primary-disk>../sda</primary-disk> is not a disk name (it contains "
		     "'..')",
		     NULL);
	expect_error("<installation>\n<raid device=\"md127\">\n<disk>sda</disk>\n"
		     "<disk>disk/by-uuid/0f1e</disk></raid>\n<primary-disk>md127</primary-disk>"
		     "</installation>",
		     "a.xml:4: <disk>disk/by-uuid/0f1e</disk> is not a disk name (only cciss/, "
		     "ida/, rd/, disk/by-id/ and disk/by-path/ names have a '/')",
		     NULL);
	expect_error("<installation>\n<primary-disk raid=\"sdb\">sda</primary-disk>\n"
		     "<guest-disk>sdc`id`</guest-disk></installation>",
		     "a.xml:3: <guest-disk>sdc`id`</guest-disk> is not a disk name (it contains "
		     "'`')",
		     NULL);
	expect_error("<installation>\n<raid device=\"md/../x\"><disk>sda</disk><disk>sdb</disk>"
		     "</raid><primary-disk>md127</primary-disk></installation>",
		     "a.xml:2: <raid device=\"md/../x\"> is not an md device name; write "
		     "device=\"md127\"",
		     NULL);
	/* The same disk twice, also spelled differently. */
	expect_error("<installation>\n<raid device=\"md127\"><disk>/dev/sdb</disk><disk>sdb</disk>"
		     "</raid><primary-disk>md127</primary-disk></installation>",
		     "a.xml:2: the mirror names disk 'sdb' twice; name two different disks", NULL);
	/* Without a mirror, the installer's own names (iSCSI, say) are its business. */
	assert_int_equal(parse("<installation><primary-disk>iscsi:10.0.0.1::3260:1:iqn.x</"
			       "primary-disk><guest-disk>/dev/mapper/x y</guest-disk>"
			       "</installation>",
			       &af, &err),
			 0);
	assert_string_equal(af.primary_disk, "iscsi:10.0.0.1::3260:1:iqn.x");
	assert_string_equal(af.guest_disks.v[0], "mapper/x y");
	answerfile_free(&af);
	buf_free(&err);
}

static char *stock(const char *text, int expect_r)
{
	struct buf out = BUF_INIT, err = BUF_INIT;
	int r = answerfile_for_stock_installer(text, strlen(text), "a.xml",
					       "file:///opt/xsraid/xsraid-hook", &out, &err);
	assert_int_equal(r, expect_r);
	buf_free(&err);
	return r == 0 ? buf_detach(&out) : NULL;
}

static void test_stock_rewrite_xcpng(void **state)
{
	(void)state;
	const char *in = "<?xml version=\"1.0\"?>\n"
			 "<!-- <primary-disk>not this</primary-disk> -->\n"
			 "<installation mode=\"fresh\">\n"
			 "  <raid device=\"md127\"><disk>sda</disk><disk>sdb</disk></raid>\n"
			 "  <primary-disk gueststorage=\"yes\"> md127 </primary-disk>\n"
			 "  <hostname>h</hostname>\n"
			 "</installation>\n";
	const char *want = "<?xml version=\"1.0\"?>\n"
			   "<!-- <primary-disk>not this</primary-disk> -->\n"
			   "<installation mode=\"fresh\">\n"
			   "  <raid device=\"md127\"><disk>sda</disk><disk>sdb</disk></raid>\n"
			   "  <primary-disk gueststorage=\"yes\">sda</primary-disk>\n"
			   "  <hostname>h</hostname>\n"
			   "  <script stage=\"filesystem-populated\" type=\"url\">"
			   "file:///opt/xsraid/xsraid-hook</script>\n"
			   "  <script stage=\"installation-complete\" type=\"url\">"
			   "file:///opt/xsraid/xsraid-hook</script>\n"
			   "</installation>\n";
	char *got = stock(in, 0);

	assert_string_equal(got, want);
	/* xsraid itself reads the saved original; this form is only for the stock installer. */
	struct answerfile af;
	struct buf err = BUF_INIT;
	assert_int_equal(parse(got, &af, &err), -EINVAL); /* md127 declared but primary is sda */
	buf_free(&err);
	free(got);
}

static void test_stock_rewrite_attribute(void **state)
{
	(void)state;
	char *text = example("raid-attribute.xml");
	char *got = stock(text, 0);

	/* Hooks already present: the file goes through byte for byte. */
	assert_string_equal(got, text);
	free(got);
	free(text);

	const char *no_hooks = "<installation><primary-disk raid=\"sdb\">sda</primary-disk>"
			       "</installation>";
	got = stock(no_hooks, 0);
	assert_non_null(strstr(got, "<primary-disk raid=\"sdb\">sda</primary-disk>\n  <script "
				    "stage=\"filesystem-populated\""));
	assert_true(str_ends_with(got, "</script>\n</installation>"));
	free(got);
}

static void test_stock_rewrite_no_raid(void **state)
{
	(void)state;
	char *text = example("no-raid.xml");
	char *got = stock(text, 0);

	assert_string_equal(got, text);
	free(got);
	free(text);
	assert_null(stock("<conversion/>", -EINVAL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attribute_form),
		cmocka_unit_test(test_xcpng_form),
		cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_no_raid),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_sr_type_follows_srtype),
		cmocka_unit_test(test_report_urls),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_rejects_other_roots),
		cmocka_unit_test(test_malformed_xml_has_line),
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_password_hash_is_not_a_template),
		cmocka_unit_test(test_hostile_declarations),
		cmocka_unit_test(test_hostile_bytes),
		cmocka_unit_test(test_messages_stay_one_line),
		cmocka_unit_test(test_resync_speed_range),
		cmocka_unit_test(test_copy_setting),
		cmocka_unit_test(test_monitoring_settings),
		cmocka_unit_test(test_raid_rules),
		cmocka_unit_test(test_installation_rules),
		cmocka_unit_test(test_unknown_elements_kept),
		cmocka_unit_test(test_upgrade_without_raid),
		cmocka_unit_test(test_normalize_disk),
		cmocka_unit_test(test_disk_fields),
		cmocka_unit_test(test_stock_rewrite_xcpng),
		cmocka_unit_test(test_stock_rewrite_attribute),
		cmocka_unit_test(test_stock_rewrite_no_raid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
