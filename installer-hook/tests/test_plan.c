// SPDX-License-Identifier: GPL-2.0-only
/*
 * Planning against system roots that look like XenServer 6.0.2's installer:
 * golden plans for the bundled examples, and every refusal a sysadmin can
 * run into.  The roots are built by make-sysroot.sh from sparse images.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "answerfile.h"
#include "commands.h"
#include "decide.h"
#include "discover.h"
#include "journal.h"
#include "mirror.h"
#include "ops.h"
#include "plan.h"
#include "planprint.h"
#include "testlib.h"

#define TARGET "/tmp/root"

static void load_af(const char *text, struct answerfile *af)
{
	struct buf err = BUF_INIT;

	if (answerfile_parse(text, strlen(text), "a.xml", af, &err) < 0)
		fail_msg("%s", err.data);
	buf_free(&err);
}

static void load_example(const char *name, struct answerfile *af)
{
	char *rel = xasprintf("answerfile/examples/%s", name);
	char *path = test_src_path(rel);
	char *text = test_read_file(path);

	assert_non_null(text);
	load_af(text, af);
	free(text);
	free(path);
	free(rel);
}

/* Plans @af against @root; returns the status and fills @p or @err. */
static int plan_for(const char *root, const struct answerfile *af, struct plan *p, struct buf *err)
{
	struct inventory inv = {0};
	struct mirror m = {0};
	struct plan_inputs in = {0};
	const char *asked[2] = {af->raid.disks[0], af->raid.disks[1]};
	int r;

	assert_int_equal(discover(root, TARGET, &inv), 0);
	mirror_find(&inv, asked, &m);
	r = decide_inputs(af, &inv, &m, TARGET, &in, err);
	if (r == 0)
		plan_build(&in, p);
	inputs_free(&in);
	mirror_free(&m);
	inventory_free(&inv);
	return r;
}

static void test_golden_plans(void **state)
{
	(void)state;
	static const char *const examples[] = {"raid-attribute.xml", "raid-xcpng.xml"};
	char *root = test_make_sysroot(NULL);

	for (size_t i = 0; i < 2; i++) {
		struct answerfile af;
		struct plan p = {0};
		struct buf err = BUF_INIT, text = BUF_INIT, json = BUF_INIT;
		load_example(examples[i], &af);
		if (plan_for(root, &af, &p, &err) < 0)
			fail_msg("%s", err.data);
		plan_print_text(&p, &text);
		plan_print_json(&p, &json);
		/* Both spellings of the extension make the very same plan. */
		test_compare_golden("plan-602.txt", text.data);
		test_compare_golden("plan-602.json", json.data);
		plan_free(&p);
		answerfile_free(&af);
		buf_free(&err);
		buf_free(&text);
		buf_free(&json);
	}
	free(root);
}

static const char *const BLOCKS = "<installation><primary-disk raid=\"sdb\" raid-copy=\"blocks\">"
				  "sda</primary-disk></installation>";

static size_t step_index(const struct plan *p, const char *id)
{
	const struct plan_step *s = plan_find_step(p, id);

	assert_non_null(s);
	return (size_t)(s - p->steps);
}

/*
 * copy="blocks": disk 2 is built at installation-complete from the blocks
 * the root uses, partition 1 grown past the filesystem on both disks, the
 * partitions' GUIDs on disk 1 kept.
 */
static void test_block_copy_plan(void **state)
{
	(void)state;
	char *root = test_make_sysroot(NULL);
	struct answerfile af;
	struct plan p = {0};
	struct buf err = BUF_INIT, text = BUF_INIT;

	load_af(BLOCKS, &af);
	if (plan_for(root, &af, &p, &err) < 0)
		fail_msg("%s", err.data);
	plan_print_text(&p, &text);
	test_compare_golden("plan-602-blocks.txt", text.data);
	assert_int_equal(p.in.root_copy, ROOT_COPY_BLOCKS);
	/* The stand-in's ext3 fills its 4 GiB partition; 1 MiB more holds md's superblock. */
	assert_int_equal(p.in.root_fs_bytes, UINT64_C(4) << 30);
	assert_int_equal(p.in.part_last[0], 34 + 8388608 + 2048 - 1);
	assert_int_equal(p.in.part_first[1], p.in.part_last[0] + 1);
	assert_int_equal(p.in.part_last[1], 16777249);
	assert_null(plan_find_step(&p, "copy-root"));
	assert_null(plan_find_step(&p, "verify-copy"));
	assert_null(plan_find_step(&p, "catch-up"));
	assert_int_equal(plan_find_step(&p, "clone-root")->stage, STAGE_INSTALLATION_COMPLETE);
	assert_true(step_index(&p, "reopen") < step_index(&p, "clone-root"));
	assert_true(step_index(&p, "clone-root") < step_index(&p, "configure-target"));
	assert_true(step_index(&p, "verify-disk2") < step_index(&p, "partition-disk1"));
	/* A resumed run that skips the clone's steps still has the new root's tools. */
	assert_true(plan_find_step(&p, "mount-new-root")->always);
	assert_int_equal(step_index(&p, "mount-new-root"), step_index(&p, "verify-disk2") + 1);
	assert_int_equal(step_index(&p, "partition-disk1"), step_index(&p, "mount-new-root") + 1);
	assert_int_equal(plan_find_step(&p, "rebuild-initrds")->stage, STAGE_INSTALLATION_COMPLETE);
	assert_non_null(strstr(text.data,
			       "--delete=1 --delete=2 --new=1:34:8390689 "
			       "--partition-guid=1:11111111-2222-4333-8444-555555555555"));
	assert_non_null(strstr(text.data,
			       "--new=2:8390690:16777249 "
			       "--partition-guid=2:21111111-2222-4333-8444-555555555555"));
	assert_non_null(strstr(text.data, "$ /sbin/tune2fs -U random -L xsraid-qwertyui /dev/md0"));
	plan_free(&p);
	answerfile_free(&af);
	buf_free(&text);

	/* A root whose bitmaps are not all on disk is copied file by file, and the plan says why.
	 */
	char *csum = test_make_sysroot(SYSROOT_OPTS("--root-features", "metadata_csum"));
	load_af(BLOCKS, &af);
	if (plan_for(csum, &af, &p, &err) < 0)
		fail_msg("%s", err.data);
	assert_int_equal(p.in.root_copy, ROOT_COPY_FILES);
	assert_int_equal(p.in.part_last[0], 8388641);
	assert_non_null(plan_find_step(&p, "copy-root"));
	assert_null(plan_find_step(&p, "clone-root"));
	plan_print_text(&p, &text);
	assert_non_null(strstr(text.data, "note: copy=\"blocks\" was asked for, but the root is "
					  "copied file by file: "));
	assert_non_null(strstr(text.data, "metadata_csum"));
	plan_free(&p);
	answerfile_free(&af);
	buf_free(&err);
	buf_free(&text);
	free(csum);
	free(root);
}

/* Every step of the manual procedure is in the plan, in order, at the right stage. */
static void test_procedure_steps(void **state)
{
	(void)state;
	static const struct {
		const char *id;
		enum plan_stage stage;
		const char *must_contain;
	} want[] = {
		{"partition-disk2", STAGE_FILESYSTEM_POPULATED, "--typecode=1:fd00"},
		{"create-root-array", STAGE_FILESYSTEM_POPULATED,
		 "--bitmap=internal missing /dev/sdb1"},
		{"copy-root", STAGE_FILESYSTEM_POPULATED, "mkfs.ext3"},
		{"verify-copy", STAGE_FILESYSTEM_POPULATED, NULL},
		{"configure-target", STAGE_FILESYSTEM_POPULATED, NULL},
		{"rebuild-initrds", STAGE_FILESYSTEM_POPULATED, "mkinitrd -f -v"},
		{"bootloader-disk2", STAGE_FILESYSTEM_POPULATED, "extlinux --install /boot"},
		{"verify-disk2", STAGE_FILESYSTEM_POPULATED, NULL},
		{"catch-up", STAGE_INSTALLATION_COMPLETE, "bring /tmp/xsraid/md0 up to date with"},
		{"partition-disk1", STAGE_INSTALLATION_COMPLETE, "--delete=3"},
		{"add-disk1", STAGE_INSTALLATION_COMPLETE, "/sbin/mdadm /dev/md0 --add /dev/sda1"},
		/* Never two filesystems labelled root-*: only once disk 1's root is a member. */
		{"label-root", STAGE_INSTALLATION_COMPLETE, "tune2fs -L root-qwertyui /dev/md0"},
		{"create-data-arrays", STAGE_INSTALLATION_COMPLETE,
		 "--assume-clean /dev/sda3 /dev/sdb3"},
		{"bootloader-disk1", STAGE_INSTALLATION_COMPLETE, NULL},
		{"wait-root-resync", STAGE_INSTALLATION_COMPLETE, NULL},
	};
	char *root = test_make_sysroot(NULL);
	struct answerfile af;
	struct plan p = {0};
	struct buf err = BUF_INIT;
	size_t last = 0;

	load_example("raid-attribute.xml", &af);
	assert_int_equal(plan_for(root, &af, &p, &err), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct plan_step *s = plan_find_step(&p, want[i].id);
		if (!s)
			fail_msg("no step '%s'", want[i].id);
		size_t index = (size_t)(s - p.steps);
		if (index < last)
			fail_msg("step '%s' comes too early", want[i].id);
		last = index;
		assert_int_equal(s->stage, want[i].stage);
		if (!want[i].must_contain)
			continue;
		bool found = false;
		for (size_t j = 0; j < s->n_actions; j++) {
			struct buf cmd = BUF_INIT;
			action_describe(&s->actions[j], &cmd);
			found = found || strstr(cmd.data, want[i].must_contain);
			buf_free(&cmd);
		}
		if (!found)
			fail_msg("step '%s' does not run '%s'", want[i].id, want[i].must_contain);
	}
	/* Disk 1 is only touched after the copy is verified and disk 2 checked. */
	assert_true(plan_find_step(&p, "verify-disk2") < plan_find_step(&p, "partition-disk1"));
	plan_free(&p);
	answerfile_free(&af);
	buf_free(&err);
	free(root);
}

static void expect_refusal(const char *root, const char *af_text, const char *needle1,
			   const char *needle2)
{
	struct answerfile af;
	struct plan p = {0};
	struct buf err = BUF_INIT;

	load_af(af_text, &af);
	int r = plan_for(root, &af, &p, &err);
	if (r == 0)
		fail_msg("planned, expected a refusal mentioning '%s'", needle1);
	assert_int_equal(r, -EINVAL);
	if (!str_starts_with(err.data, "raid: ") || !strstr(err.data, needle1) ||
	    (needle2 && !strstr(err.data, needle2)))
		fail_msg("refusal '%s' lacks '%s' / '%s'", err.data, needle1,
			 needle2 ? needle2 : "");
	assert_null(strchr(err.data, '\n'));
	answerfile_free(&af);
	buf_free(&err);
}

static const char *const SIMPLE = "<installation><primary-disk raid=\"sdb\">sda</primary-disk>"
				  "</installation>";

static void test_refuse_data_on_disk2(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--disk2-data"));

	expect_refusal(
		root, SIMPLE, "disk 'sdb' holds data (a GPT with 1 partition, ext4 'data' on sdb1)",
		"raid-wipe=\"force\" on <primary-disk> (<primary-disk raid=...> at a.xml:1)");
	expect_refusal(root,
		       "<installation>\n<raid device=\"md127\"><disk>sda</disk><disk>sdb</disk>"
		       "</raid><primary-disk>md127</primary-disk></installation>",
		       "holds data", "wipe=\"force\" on <raid> (<raid> at a.xml:2)");

	/* With wipe="force" the plan erases it first, and says so. */
	struct answerfile af;
	struct plan p = {0};
	struct buf err = BUF_INIT, text = BUF_INIT;
	load_af("<installation><primary-disk raid=\"sdb\" raid-wipe=\"force\">sda</primary-disk>"
		"</installation>",
		&af);
	assert_int_equal(plan_for(root, &af, &p, &err), 0);
	assert_true(p.in.wipe_disk2);
	plan_print_text(&p, &text);
	assert_non_null(strstr(text.data, "$ /sbin/sgdisk --zap-all /dev/sdb"));
	assert_non_null(
		strstr(text.data, "note: /dev/sdb will be erased: the answerfile allows it"));
	plan_free(&p);
	answerfile_free(&af);
	buf_free(&err);
	buf_free(&text);
	free(root);
}

/* An empty partition table holds nothing: no wipe needed, nothing refused. */
static void test_empty_table_is_blank(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--disk2-gpt"));
	struct answerfile af;
	struct plan p = {0};
	struct buf err = BUF_INIT;

	load_af(SIMPLE, &af);
	if (plan_for(root, &af, &p, &err) < 0)
		fail_msg("%s", err.data);
	assert_false(p.in.wipe_disk2);
	plan_free(&p);
	answerfile_free(&af);
	buf_free(&err);
	free(root);
}

static void test_refuse_small_disk2(void **state)
{
	(void)state;
	/* 6 GiB: less than sda's 8 GiB of root and backup. */
	char *root = test_make_sysroot(SYSROOT_OPTS("--disk2-size", "6442450944"));

	expect_refusal(root, SIMPLE, "disk 'sdb' (6.0 GiB) is too small",
		       "'sda' uses 8.0 GiB for its root and backup partitions");
	free(root);
}

/* A second disk smaller than the first but large enough: md2 shrinks, and the plan says so. */
static void test_smaller_disk2_limits_md2(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--disk2-size", "250059350016"));
	struct answerfile af;
	struct plan p = {0};
	struct buf err = BUF_INIT, text = BUF_INIT;

	load_af(SIMPLE, &af);
	assert_int_equal(plan_for(root, &af, &p, &err), 0);
	assert_int_equal(p.in.part_last[2], 250059350016 / 512 - 34 - 2048);
	plan_print_text(&p, &text);
	assert_non_null(strstr(text.data, "note: md2 is 224 GiB, not the 457 GiB /dev/sda could "
					  "hold: /dev/sdb is smaller"));
	plan_free(&p);
	answerfile_free(&af);
	buf_free(&err);
	buf_free(&text);
	free(root);
}

static void test_refuse_missing_and_same_disk(void **state)
{
	(void)state;
	char *root = test_make_sysroot(NULL);

	expect_refusal(
		root,
		"<installation>\n\n<primary-disk raid=\"sdc\">sda</primary-disk></installation>",
		"disk 'sdc' (<primary-disk raid=...> at a.xml:3) does not exist",
		"disks here: sda, sdb");
	/* Two names for one disk. */
	char *link = path_join(root, "dev/disk/by-id");
	assert_int_equal(mkdir_p(link, 0755), 0);
	char *l = path_join(link, "ata-ST500DM002-1BD142_Z3TBBBBB");
	assert_int_equal(symlink("../../sdb", l), 0);
	expect_refusal(
		root,
		"<installation><primary-disk raid=\"disk/by-id/ata-ST500DM002-1BD142_Z3TBBBBB\">"
		"sdb</primary-disk></installation>",
		"are the same disk (sdb)", NULL);
	free(l);
	free(link);
	free(root);
}

static void test_refuse_disk_in_use(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--disk2-mounted"));
	expect_refusal(root, SIMPLE, "disk 'sdb' is in use: sdb1 is mounted on '/mnt'", NULL);
	free(root);

	root = test_make_sysroot(SYSROOT_OPTS("--disk2-in-array", "md5"));
	expect_refusal(root, SIMPLE, "disk 'sdb' is part of running array 'md5' (sdb1)",
		       "mdadm --stop /dev/md5");
	free(root);
}

/* The first disk must be the one the installer used, laid out as 6.0 does. */
static void test_refuse_wrong_first_disk(void **state)
{
	(void)state;
	char *root = test_make_sysroot(NULL);

	expect_refusal(root,
		       "<installation><primary-disk raid=\"sda\">sdb</primary-disk></installation>",
		       "the installed system is on 'sda1', not on 'sdb1'", NULL);
	free(root);
}

static void test_no_raid_is_nothing(void **state)
{
	(void)state;
	char *root = test_make_sysroot(NULL);
	struct answerfile af;
	struct plan p = {0};
	struct buf err = BUF_INIT;

	load_example("no-raid.xml", &af);
	assert_int_equal(plan_for(root, &af, &p, &err), -ENODATA);
	answerfile_free(&af);
	buf_free(&err);
	free(root);
}

/* Without an mdadm in the installer, the installed system's is run in a chroot. */
static void test_target_tools(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--no-mdadm"));
	struct answerfile af;
	struct plan p = {0};
	struct buf err = BUF_INIT, text = BUF_INIT;

	load_af(SIMPLE, &af);
	assert_int_equal(plan_for(root, &af, &p, &err), 0);
	assert_true(p.in.mdadm.in_target);
	plan_print_text(&p, &text);
	assert_non_null(strstr(text.data, "- bind-mount /dev, /proc and /sys into /tmp/root"));
	assert_non_null(strstr(text.data, "$ chroot /tmp/root /sbin/mdadm --create /dev/md0"));
	assert_non_null(strstr(text.data, "$ chroot /tmp/xsraid/md0 /sbin/mdadm /dev/md0 --add "
					  "/dev/sda1"));
	plan_free(&p);
	answerfile_free(&af);
	buf_free(&err);
	buf_free(&text);
	free(root);
}

/* The inputs survive the journal: the resumed plan is the same plan. */
/* Plan inputs @text with @key's line saying @value instead. */
static char *with_line(const char *text, const char *key, const char *value)
{
	struct buf b = BUF_INIT;
	size_t klen = strlen(key);

	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) + 1 : strlen(l);
		if (!strncmp(l, key, klen) && l[klen] == '=')
			buf_printf(&b, "%s=%s\n", key, value);
		else
			buf_append(&b, l, len);
		l += len;
	}
	return buf_detach(&b);
}

static void test_inputs_round_trip(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--disk2-data"));
	struct answerfile af;
	struct plan p = {0}, q = {0};
	struct plan_inputs again = {0};
	struct buf err = BUF_INIT, s1 = BUF_INIT, s2 = BUF_INIT, t1 = BUF_INIT, t2 = BUF_INIT;

	load_af("<installation><primary-disk raid=\"sdb\" raid-wipe=\"force\" raid-metadata=\"1.0\" "
		"raid-resync-speed=\"100M\">sda</primary-disk></installation>",
		&af);
	assert_int_equal(plan_for(root, &af, &p, &err), 0);
	inputs_serialize(&p.in, &s1);
	assert_true(s1.len < JOURNAL_PAYLOAD_MAX);
	assert_int_equal(inputs_parse(s1.data, &again, &err), 0);
	inputs_serialize(&again, &s2);
	assert_string_equal(s1.data, s2.data);
	plan_build(&again, &q);
	plan_print_text(&p, &t1);
	plan_print_text(&q, &t2);
	assert_string_equal(t1.data, t2.data);
	assert_int_equal(inputs_parse("version=1\ndisk1=sda\nbogus=1\n", &again, &err), -EINVAL);
	inputs_free(&again);

	/* A journal's disk names become /dev paths: only a kernel disk name is taken. */
	static const char *const bad_names[] = {"../../etc/passwd", "sdb/../sda", "SDB", "sdb 1",
						"cciss/../x",	    "dm/x",	  ""};
	for (size_t i = 0; i < ARRAY_SIZE(bad_names); i++) {
		char *tampered = with_line(s1.data, "disk2", bad_names[i]);
		assert_int_equal(inputs_parse(tampered, &again, &err), -EINVAL);
		assert_non_null(strstr(err.data, bad_names[i][0] ? "which is not a kernel disk name"
								 : "lack the disks"));
		free(tampered);
	}
	char *cciss = with_line(s1.data, "disk2", "cciss/c0d1");
	assert_int_equal(inputs_parse(cciss, &again, &err), 0);
	assert_string_equal(again.disk[1], "cciss/c0d1");
	inputs_free(&again);
	free(cciss);
	plan_free(&p);
	plan_free(&q);
	answerfile_free(&af);
	buf_free(&err);
	buf_free(&s1);
	buf_free(&s2);
	buf_free(&t1);
	buf_free(&t2);
	free(root);
}

/* Writes the journal @p would start on @root's disk 2, with the disk 2 table it makes. */
static void write_journal(const char *root, const struct plan *p, bool finished)
{
	char *sdb = path_join(root, "dev/sdb");
	struct buf payload = BUF_INIT;
	struct strv argv = STRV_INIT;
	struct journal j;

	inputs_serialize(&p->in, &payload);
	assert_int_equal(journal_create(sdb, p->in.journal_first * 512, 512, &p->in.disk2_guid,
					payload.data, &j),
			 0);
	assert_int_equal(journal_append(&j, 0, "filesystem-populated", JOURNAL_STAGE_DONE, 0, NULL),
			 0);
	if (finished)
		assert_int_equal(
			journal_append(&j, 0, "installation-complete", JOURNAL_STAGE_DONE, 0, NULL),
			0);
	journal_close(&j);
	cmd_sgdisk_disk2(&p->in, sdb, &argv);
	free(argv.v[0]);
	argv.v[0] = xstrdup("sgdisk");
	assert_int_equal(test_run((const char *const *)argv.v), 0);
	strv_free(&argv);
	buf_free(&payload);
	free(sdb);
}

/* A disk carrying xsraid's own journal for these disks is ours to redo, without wipe=force. */
static void test_own_unfinished_work(void **state)
{
	(void)state;
	char *root = test_make_sysroot(NULL);
	struct answerfile af;
	struct plan p = {0}, p2 = {0};
	struct buf err = BUF_INIT;

	load_af(SIMPLE, &af);
	assert_int_equal(plan_for(root, &af, &p, &err), 0);
	/*
	 * What the first attempt did before the power cut: the journal and the
	 * new table.  That attempt was an earlier install, whose root filesystem
	 * the stock installer has since made anew.
	 */
	str_copy(p.in.root_uuid, sizeof(p.in.root_uuid), "00000000-1111-2222-3333-444444444444");
	write_journal(root, &p, false);
	/* A reinstall: same disks, a new root filesystem. */
	assert_int_equal(plan_for(root, &af, &p2, &err), 0);
	assert_true(p2.in.wipe_disk2);
	assert_non_null(strstr(p2.in.wipe_reason, "xsraid's own unfinished work"));

	/* Another machine's journal (other disk identities) is data like any other. */
	char *serial = path_join(root, "sys/block/sda/device/wwid");
	test_write_file(serial, "t10.ATA     OTHER DISK\n");
	expect_refusal(root, SIMPLE, "disk 'sdb' holds data", NULL);
	free(serial);
	plan_free(&p);
	plan_free(&p2);
	answerfile_free(&af);
	buf_free(&err);
	free(root);
}

/*
 * On 2.6.32 the disks' identities still tell xsraid's own unfinished work
 * (journal written for these very disks) from another machine's: the
 * journal records both serials, read here from the by-id names.
 */
static void test_own_work_on_2_6_32(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--kernel-2.6.32"));
	struct answerfile af;
	struct plan p = {0}, p2 = {0};
	struct buf err = BUF_INIT;

	load_af(SIMPLE, &af);
	assert_int_equal(plan_for(root, &af, &p, &err), 0);
	assert_non_null(strstr(p.in.identity[0], "serial=Z3TAAAAA "));
	assert_non_null(strstr(p.in.identity[1], "serial=Z3TBBBBB "));

	/*
	 * What a first attempt left before a power cut: the journal and the new
	 * table, for an earlier install whose root filesystem has since been made anew.
	 */
	str_copy(p.in.root_uuid, sizeof(p.in.root_uuid), "00000000-1111-2222-3333-444444444444");
	write_journal(root, &p, false);
	assert_int_equal(plan_for(root, &af, &p2, &err), 0);
	assert_true(p2.in.wipe_disk2);
	assert_non_null(strstr(p2.in.wipe_reason, "xsraid's own unfinished work"));

	/* The same journal beside another first disk (another serial) is someone's data. */
	char *from = path_join(root, "dev/disk/by-id/scsi-SATA_ST500DM002-1BD142_Z3TAAAAA");
	char *to = path_join(root, "dev/disk/by-id/scsi-SATA_ST500DM002-1BD142_Z3TCCCCC");
	assert_int_equal(rename(from, to), 0);
	expect_refusal(root, SIMPLE, "disk 'sdb' holds data", NULL);

	free(from);
	free(to);
	plan_free(&p);
	plan_free(&p2);
	answerfile_free(&af);
	buf_free(&err);
	free(root);
}

/* The resync speed is set where md runs, on every attempt, and restored at the end. */
static void test_resync_speed(void **state)
{
	(void)state;
	char *root = test_make_sysroot(NULL);
	struct answerfile af;
	struct plan p = {0};
	struct buf err = BUF_INIT;
	static const char *const want[] = {"start-root-array", "reopen"};

	load_af("<installation><primary-disk raid=\"sdb\" raid-resync-speed=\"50M\">sda"
		"</primary-disk></installation>",
		&af);
	assert_int_equal(plan_for(root, &af, &p, &err), 0);
	for (size_t i = 0; i < p.n_steps; i++) {
		const struct plan_step *s = &p.steps[i];
		bool sets = false;
		for (size_t j = 0; j < s->n_actions; j++)
			sets = sets ||
			       (s->actions[j].op == OP_WRITE_SYSFS &&
				!strcmp(s->actions[j].path, "/proc/sys/dev/raid/speed_limit_max"));
		bool expected = !strcmp(s->id, want[0]) || !strcmp(s->id, want[1]) ||
				!strcmp(s->id, "finish");
		if (sets != expected)
			fail_msg("step %s %s the resync speed", s->id,
				 sets ? "sets" : "does not set");
		if (sets && strcmp(s->id, "finish"))
			assert_true(s->always);
	}
	const struct plan_step *fin = plan_find_step(&p, "finish");
	assert_string_equal(fin->actions[0].value, "200000");
	plan_free(&p);
	answerfile_free(&af);
	buf_free(&err);
	free(root);
}

/* A disk that cannot be read may hold anything: it is left alone. */
static void test_refuse_unreadable_disk(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--disk2-unreadable"));

	expect_refusal(root, SIMPLE, "disk 'sdb' cannot be read (No such file or directory)",
		       "left alone");
	free(root);
}

/* md0 running from another disk is someone else's array, not a name xsraid may take. */
static void test_refuse_foreign_array_name(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--other-array", "md0"));

	expect_refusal(root, SIMPLE, "md0 already runs from sdc1", "mdadm --stop /dev/md0");
	free(root);
}

/* md2 of 2 TiB and more gets metadata 1.0, which 2.6.32 reads; md0 stays as asked. */
static void test_large_sr_array_uses_metadata_1_0(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--disk-size", "3000592982016"));
	struct answerfile af;
	struct plan p = {0};
	struct buf err = BUF_INIT, text = BUF_INIT;

	load_af(SIMPLE, &af);
	assert_int_equal(plan_for(root, &af, &p, &err), 0);
	assert_int_equal(p.in.metadata[0], MD_METADATA_0_90);
	assert_int_equal(p.in.metadata[1], MD_METADATA_0_90);
	assert_int_equal(p.in.metadata[2], MD_METADATA_1_0);
	plan_print_text(&p, &text);
	assert_non_null(strstr(text.data, "/sbin/mdadm --create /dev/md2 --run --metadata=1.0 "));
	assert_non_null(strstr(text.data, "/sbin/mdadm --create /dev/md0 --run --metadata=0.90 "));
	assert_non_null(
		strstr(text.data, "ARRAY /dev/md2 level=raid1 num-devices=2 metadata=1.0 "));
	assert_non_null(strstr(text.data, "note: md2 uses metadata 1.0"));
	plan_free(&p);
	answerfile_free(&af);
	buf_free(&err);
	buf_free(&text);
	free(root);
}

/*
 * A finished mirror of an earlier install is a bootable copy of that system
 * and holds its SR: data, refused unless the answerfile allows erasing it.
 */
static void test_finished_mirror_is_data(void **state)
{
	(void)state;
	char *root = test_make_sysroot(NULL);
	struct answerfile af;
	struct plan p = {0}, p2 = {0};
	struct buf err = BUF_INIT;

	load_af(SIMPLE, &af);
	assert_int_equal(plan_for(root, &af, &p, &err), 0);
	str_copy(p.in.root_uuid, sizeof(p.in.root_uuid), "00000000-1111-2222-3333-444444444444");
	write_journal(root, &p, true);
	expect_refusal(root, SIMPLE,
		       "disk 'sdb' holds data (a finished xsraid mirror of an earlier",
		       "raid-wipe=\"force\"");
	answerfile_free(&af);
	load_af("<installation><primary-disk raid=\"sdb\" raid-wipe=\"force\">sda</primary-disk>"
		"</installation>",
		&af);
	assert_int_equal(plan_for(root, &af, &p2, &err), 0);
	assert_true(p2.in.wipe_disk2);
	assert_non_null(strstr(p2.in.wipe_reason, "the answerfile allows it: a finished xsraid"));
	plan_free(&p);
	plan_free(&p2);
	answerfile_free(&af);
	buf_free(&err);
	free(root);
}

/* The second stage and resume find their disks by the journal, and check they are the same. */
static void test_recorded_disks_are_checked(void **state)
{
	(void)state;
	char *root = test_make_sysroot(NULL);
	struct answerfile af;
	struct plan p = {0};
	struct buf err = BUF_INIT;
	struct inventory inv = {0};
	struct mirror m = {0};

	load_af(SIMPLE, &af);
	assert_int_equal(plan_for(root, &af, &p, &err), 0);
	write_journal(root, &p, false);
	assert_int_equal(discover(root, NULL, &inv), 0);
	assert_int_equal(mirror_from_journal(&inv, "sdb", &m), 0);
	assert_int_equal(m.verdict, JOURNAL_THIS_INSTALL);
	assert_string_equal(m.disk[0]->name, "sda");
	mirror_free(&m);
	inventory_free(&inv);

	/* Disk 1 replaced by another of the same model: same name, other serial. */
	char *wwid = path_join(root, "sys/block/sda/device/wwid");
	test_write_file(wwid, "t10.ATA     ST500DM002-1BD142 Z3TNEWNEW\n");
	assert_int_equal(discover(root, NULL, &inv), 0);
	assert_int_equal(mirror_from_journal(&inv, "sdb", &m), -ESTALE);
	assert_non_null(strstr(m.why, "'sda' is not the first disk the journal recorded"));
	assert_non_null(strstr(m.why, "renamed or replaced"));
	mirror_free(&m);
	inventory_free(&inv);
	free(wwid);
	plan_free(&p);
	answerfile_free(&af);
	buf_free(&err);
	free(root);
}

static const char *const FORCE = "<installation><primary-disk raid=\"sdb\" raid-wipe=\"force\">sda"
				 "</primary-disk></installation>";

/* The erase action of a plan's partition-disk2 step, which must come before the table is zapped. */
static const struct plan_action *erase_action(const struct plan *p)
{
	const struct plan_step *s = plan_find_step(p, "partition-disk2");

	assert_non_null(s);
	assert_true(s->n_actions > 1);
	assert_int_equal(s->actions[0].op, OP_ERASE_OLD_SIGS);
	assert_string_equal(s->actions[0].device, "/dev/sdb");
	assert_non_null(s->actions[0].sigs);
	assert_int_equal(s->actions[1].op, OP_RUN);
	assert_string_equal(s->actions[1].argv.v[1], "--zap-all");
	return &s->actions[0];
}

/* Whether the image @path holds @s's bytes at its offset. */
static bool bytes_there(const char *path, const struct old_signature *s)
{
	uint8_t now[OLD_SIG_MAGIC_MAX];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pread_exact(fd, now, s->magic_len, s->offset), 0);
	close(fd);
	return !memcmp(now, s->magic, s->magic_len);
}

/* Runs the erase action @a on the image @path that stands for its disk. */
static int erase_on(const char *path, const struct plan_action *a)
{
	struct plan_action on_image = *a;
	struct op_context ctx = {0};

	on_image.device = (char *)path;
	return OPS[OP_ERASE_OLD_SIGS].run(&on_image, &ctx);
}

/*
 * Every kind of old metadata a second disk may carry: with the default
 * policy, one line that names the disk and what is on it; with
 * wipe="force", an erase of each signature where it lies on the disk, made
 * from what discovery found (md bitmaps and LVM metadata areas through the
 * superblock or label that points at them), before the old table is
 * zapped.  Carried out on the image, it leaves nothing discovery would
 * see: the disk is blank.
 */
static void test_old_metadata_kinds(void **state)
{
	(void)state;
	static const struct {
		const char *kind;
		const char *found;
		const char *erased[8]; /* "what at byte N", in the plan's order */
	} kinds[] = {
		{"md0.90",
		 "a GPT with 2 partitions, linux_raid_member (md 0.90.0) on sdb1, linux_raid_member "
		 "(md 0.90.0) on sdb2",
		 {"gpt on the whole disk at byte 512", "gpt on the whole disk at byte 500107861504",
		  "PMBR on the whole disk at byte 510",
		  "linux_raid_member (md 0.90.0) on sdb1 at byte 68091904",
		  "md bitmap on sdb1 at byte 68096000",
		  "linux_raid_member (md 0.90.0) on sdb2 at byte 135200768",
		  "md bitmap on sdb2 at byte 135204864"}},
		{"md1.0",
		 "a GPT with 2 partitions, linux_raid_member 'oldhost:0' (md 1.0) on sdb1, "
		 "linux_raid_member 'oldhost:0' (md 1.0) on sdb2",
		 {"gpt on the whole disk at byte 512", "gpt on the whole disk at byte 500107861504",
		  "PMBR on the whole disk at byte 510",
		  "linux_raid_member 'oldhost:0' (md 1.0) on sdb1 at byte 68149248",
		  "md bitmap on sdb1 at byte 68145152",
		  "linux_raid_member 'oldhost:0' (md 1.0) on sdb2 at byte 135258112",
		  "md bitmap on sdb2 at byte 135254016"}},
		{"md1.2",
		 "a GPT with 2 partitions, linux_raid_member 'oldhost:0' (md 1.2) on sdb1, "
		 "linux_raid_member 'oldhost:0' (md 1.2) on sdb2",
		 {"gpt on the whole disk at byte 512", "gpt on the whole disk at byte 500107861504",
		  "PMBR on the whole disk at byte 510",
		  "linux_raid_member 'oldhost:0' (md 1.2) on sdb1 at byte 1052672",
		  "md bitmap on sdb1 at byte 1056768",
		  "linux_raid_member 'oldhost:0' (md 1.2) on sdb2 at byte 68161536",
		  "md bitmap on sdb2 at byte 68165632"}},
		{"md-mbr",
		 "an MBR with 2 partitions, linux_raid_member (md 0.90.0) on sdb1, "
		 "linux_raid_member (md 0.90.0) on sdb2",
		 {"dos on the whole disk at byte 510",
		  "linux_raid_member (md 0.90.0) on sdb1 at byte 68091904",
		  "linux_raid_member (md 0.90.0) on sdb2 at byte 135200768"}},
		{"md-whole",
		 "linux_raid_member (md 0.90.0) on the whole disk",
		 {"linux_raid_member (md 0.90.0) on the whole disk at byte 500107771904"}},
		{"backup-gpt",
		 "the backup header of a GPT whose start was wiped",
		 {"gpt on the whole disk at byte 500107861504"}},
		{"mbr", "an MBR with 2 partitions", {"dos on the whole disk at byte 510"}},
		{"lvm",
		 "LVM2_member on the whole disk",
		 {"LVM2_member on the whole disk at byte 536",
		  "LVM2 metadata area on the whole disk at byte 4100"}},
		{"luks",
		 "crypto_LUKS on the whole disk",
		 {"crypto_LUKS on the whole disk at byte 0",
		  "crypto_LUKS on the whole disk at byte 16384"}},
		{"fs",
		 "ext4 'old-data' on the whole disk",
		 {"ext4 'old-data' on the whole disk at byte 1080"}},
	};

	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		char *root = test_make_sysroot(SYSROOT_OPTS("--disk2-old", kinds[k].kind));
		char *sdb = path_join(root, "dev/sdb");
		char *want =
			xasprintf("disk 'sdb' holds data (%s) and is left alone", kinds[k].found);
		struct answerfile af;
		struct plan p = {0};
		struct buf err = BUF_INIT;

		expect_refusal(root, SIMPLE, want,
			       "to erase it, set raid-wipe=\"force\" on <primary-disk> "
			       "(<primary-disk raid=...> at a.xml:1)");
		load_af(FORCE, &af);
		if (plan_for(root, &af, &p, &err) < 0)
			fail_msg("%s: %s", kinds[k].kind, err.data);
		const struct plan_action *a = erase_action(&p);
		size_t n = 0;
		while (n < ARRAY_SIZE(kinds[k].erased) && kinds[k].erased[n])
			n++;
		if (a->sigs->n != n)
			fail_msg("%s: %zu signatures to erase, not %zu", kinds[k].kind, a->sigs->n,
				 n);
		for (size_t i = 0; i < n; i++) {
			const struct old_signature *sig = &a->sigs->sig[i];
			char *got = xasprintf("%s at byte %" PRIu64, sig->what, sig->offset);
			if (strcmp(got, kinds[k].erased[i]))
				fail_msg("%s: erases '%s', not '%s'", kinds[k].kind, got,
					 kinds[k].erased[i]);
			if (!bytes_there(sdb, sig))
				fail_msg("%s: '%s' is not on the disk", kinds[k].kind, got);
			free(got);
		}

		/* Carried out on the image: discovery finds a blank disk, and a rerun is a no-op.
		 */
		assert_int_equal(erase_on(sdb, a), 0);
		for (size_t i = 0; i < n; i++)
			assert_false(bytes_there(sdb, &a->sigs->sig[i]));
		struct inventory inv = {0};
		assert_int_equal(discover(root, TARGET, &inv), 0);
		const struct disk_info *d2 = inventory_disk(&inv, "sdb");
		if (d2->n_sigs || d2->n_parts || d2->gpt_status != -ENOENT)
			fail_msg(
				"%s: after the erase discovery finds %zu signatures, %zu partitions",
				kinds[k].kind, d2->n_sigs, d2->n_parts);
		inventory_free(&inv);
		assert_int_equal(erase_on(sdb, a), 0);

		plan_free(&p);
		answerfile_free(&af);
		buf_free(&err);
		free(want);
		free(sdb);
		free(root);
	}
}

/* An erase touches only the bytes it names, and only while they are still what was found. */
static void test_erase_leaves_other_bytes(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--disk2-old", "md1.2"));
	char *sdb = path_join(root, "dev/sdb");
	struct answerfile af;
	struct plan p = {0};
	struct buf err = BUF_INIT;

	load_af(FORCE, &af);
	assert_int_equal(plan_for(root, &af, &p, &err), 0);
	const struct plan_action *a = erase_action(&p);
	/* Something new where the first md superblock was: a rerun finds this plan's own bytes. */
	const struct old_signature *md = &a->sigs->sig[3];
	int fd = open(sdb, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pwrite_all(fd, "XSRAIDR1", 8, md->offset), 0);
	uint8_t before[8192], after[8192];
	assert_int_equal(pread_exact(fd, before, sizeof(before), md->offset - 4096), 0);
	assert_int_equal(erase_on(sdb, a), 0);
	assert_int_equal(pread_exact(fd, after, sizeof(after), md->offset - 4096), 0);
	assert_memory_equal(before, after, sizeof(before));
	/* The other md superblock, 4 magic bytes gone and the rest of it kept. */
	const struct old_signature *md2 = &a->sigs->sig[5];
	uint8_t sb[256];
	assert_int_equal(pread_exact(fd, sb, sizeof(sb), md2->offset), 0);
	assert_memory_equal(sb, "\0\0\0\0\1\0\0\0", 8);
	close(fd);
	plan_free(&p);
	answerfile_free(&af);
	buf_free(&err);
	free(sdb);
	free(root);
}

/*
 * Old arrays the kernel or the installer started from disk 2's members (as
 * md127, or md0 by its preferred minor): refused with the array and the
 * disk named; with wipe="force", stopped before anything is written.  One
 * that also runs from another disk is refused whatever the policy.
 */
static void test_running_old_array(void **state)
{
	(void)state;
	static const char *const names[] = {"md127", "md0"};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *root = test_make_sysroot(
			SYSROOT_OPTS("--disk2-old", "md-mbr", "--disk2-running", names[i]));
		char *want =
			xasprintf("disk 'sdb' is part of running array '%s' (raid1 of sdb1, "
				  "sdb2); to erase it, stop the array (mdadm --stop /dev/%s) or "
				  "set raid-wipe=\"force\" on <primary-disk>",
				  names[i], names[i]);
		struct answerfile af;
		struct plan p = {0};
		struct buf err = BUF_INIT, text = BUF_INIT;

		expect_refusal(root, SIMPLE, want, NULL);
		load_af(FORCE, &af);
		if (plan_for(root, &af, &p, &err) < 0)
			fail_msg("%s", err.data);
		const struct plan_step *stop = plan_find_step(&p, "stop-stale-arrays");
		assert_non_null(stop);
		assert_true(stop < plan_find_step(&p, "partition-disk2"));
		assert_int_equal(stop->n_actions, 1);
		struct buf cmd = BUF_INIT;
		action_describe(&stop->actions[0], &cmd);
		char *stop_cmd = xasprintf("/sbin/mdadm --stop /dev/%s", names[i]);
		assert_string_equal(cmd.data, stop_cmd);
		erase_action(&p);
		free(stop_cmd);
		buf_free(&cmd);
		plan_free(&p);
		answerfile_free(&af);
		buf_free(&err);
		buf_free(&text);
		free(want);
		free(root);
	}

	/* A whole-disk member. */
	char *root = test_make_sysroot(
		SYSROOT_OPTS("--disk2-old", "md-whole", "--disk2-running", "md127"));
	expect_refusal(root, SIMPLE, "disk 'sdb' is part of running array 'md127' (raid1 of sdb)",
		       "raid-wipe=\"force\"");
	free(root);

	/* md127 also runs from sdc1: stopping it would take another disk's array down. */
	root = test_make_sysroot(SYSROOT_OPTS("--disk2-old", "md-mbr", "--disk2-running", "md127",
					      "--other-array", "md126"));
	char *sdc1 = path_join(root, "sys/block/md127/slaves/sdc1");
	assert_int_equal(symlink("../../sdc/sdc1", sdc1), 0);
	expect_refusal(root, FORCE,
		       "disk 'sdb' is part of running array 'md127', which also runs "
		       "from sdc1; stop it (mdadm --stop /dev/md127) or name another disk",
		       NULL);
	free(sdc1);
	free(root);
}

/* Inputs the journal's header cannot carry are refused before anything is written. */
static void test_inputs_must_fit_the_journal(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--disk2-old", "md1.2"));
	char pad[151];

	memset(pad, 'k', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	/* A hundred kernels with long version names, each an initrd to rebuild. */
	for (unsigned i = 0; i < 100; i++) {
		char *mods = xasprintf("%s/tmp/root/lib/modules/%s%03u", root, pad, i);
		char *initrd = xasprintf("%s/tmp/root/boot/initrd-%s%03u.img", root, pad, i);
		assert_int_equal(mkdir_p(mods, 0755), 0);
		test_write_file(initrd, "initrd\n");
		free(mods);
		free(initrd);
	}
	expect_refusal(root, FORCE, "the plan's inputs take ",
		       "more than the 16320 the journal holds");
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_plans),
		cmocka_unit_test(test_procedure_steps),
		cmocka_unit_test(test_block_copy_plan),
		cmocka_unit_test(test_refuse_data_on_disk2),
		cmocka_unit_test(test_empty_table_is_blank),
		cmocka_unit_test(test_refuse_small_disk2),
		cmocka_unit_test(test_smaller_disk2_limits_md2),
		cmocka_unit_test(test_refuse_missing_and_same_disk),
		cmocka_unit_test(test_refuse_disk_in_use),
		cmocka_unit_test(test_refuse_wrong_first_disk),
		cmocka_unit_test(test_no_raid_is_nothing),
		cmocka_unit_test(test_target_tools),
		cmocka_unit_test(test_inputs_round_trip),
		cmocka_unit_test(test_own_unfinished_work),
		cmocka_unit_test(test_own_work_on_2_6_32),
		cmocka_unit_test(test_resync_speed),
		cmocka_unit_test(test_refuse_unreadable_disk),
		cmocka_unit_test(test_refuse_foreign_array_name),
		cmocka_unit_test(test_large_sr_array_uses_metadata_1_0),
		cmocka_unit_test(test_finished_mirror_is_data),
		cmocka_unit_test(test_recorded_disks_are_checked),
		cmocka_unit_test(test_old_metadata_kinds),
		cmocka_unit_test(test_erase_leaves_other_bytes),
		cmocka_unit_test(test_running_old_array),
		cmocka_unit_test(test_inputs_must_fit_the_journal),
	};
	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
