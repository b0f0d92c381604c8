// SPDX-License-Identifier: GPL-2.0-only
/*
 * The /proc/mdstat parser, over the captures of tests/data/mdstat (Linux
 * 6.1, see the README there) and over what no kernel prints: nothing,
 * cut lines, garbage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mdstat.h"
#include "testlib.h"
#include "util.h"

#define CORPUS "installer-hook/tests/data/mdstat"

static char *corpus_text(const char *name)
{
	char *rel = xasprintf("%s/%s.mdstat", CORPUS, name);
	char *text = test_src_text(rel);

	free(rel);
	return text;
}

static void load(const char *name, struct mdstat *m)
{
	char *text = corpus_text(name);

	mdstat_parse(text, strlen(text), m);
	free(text);
}

static const struct mdstat_array *array(const struct mdstat *m, const char *name)
{
	const struct mdstat_array *a = mdstat_find(m, name);

	if (!a)
		fail_msg("no array %s", name);
	return a;
}

static const struct mdstat_member *member(const struct mdstat_array *a, const char *name)
{
	for (size_t i = 0; i < a->n_members; i++)
		if (!strcmp(a->members[i].name, name))
			return &a->members[i];
	fail_msg("%s has no member %s", a->name, name);
	return NULL;
}

/* Every line of every capture is understood: nothing left for "(unrecognised)". */
static void test_corpus_fully_understood(void **state)
{
	(void)state;
	struct strv names = STRV_INIT;

	test_list_files(CORPUS, ".mdstat", &names);
	assert_true(names.n >= 40);
	strv_foreach(name, &names) {
		struct mdstat m;
		load(*name, &m);
		if (m.unknown.n)
			fail_msg("%s: not understood: %s", *name, m.unknown.v[0]);
		assert_true(m.has_personalities);
		assert_true(m.has_unused);
		assert_int_equal(m.unused.n, 0);
		for (size_t i = 0; i < m.n_arrays; i++)
			if (m.arrays[i].unknown.n)
				fail_msg("%s: %s: not understood: %s", *name, m.arrays[i].name,
					 m.arrays[i].unknown.v[0]);
		mdstat_free(&m);
	}
	strv_free(&names);
}

static void test_no_arrays(void **state)
{
	(void)state;
	struct mdstat m;

	load("md-no-personality", &m);
	assert_true(m.has_personalities);
	assert_int_equal(m.personalities.n, 0);
	assert_int_equal(m.n_arrays, 0);
	mdstat_free(&m);

	load("no-arrays", &m);
	assert_int_equal(m.personalities.n, 9);
	assert_string_equal(m.personalities.v[0], "linear");
	assert_string_equal(m.personalities.v[4], "raid6");
	assert_string_equal(m.personalities.v[8], "faulty");
	assert_int_equal(m.n_arrays, 0);
	mdstat_free(&m);
}

/* md0 : active raid1 vdb1[1] vda1[0] / 23552 blocks super 1.2 [2/2] [UU] / the bar / bitmap. */
static void test_raid1_resync(void **state)
{
	(void)state;
	struct mdstat m;

	load("raid1-resync", &m);
	assert_int_equal(m.n_arrays, 1);
	const struct mdstat_array *a = array(&m, "md0");
	assert_true(a->active);
	assert_int_equal(a->access, MDSTAT_READ_WRITE);
	assert_string_equal(a->personality, "raid1");
	assert_int_equal(a->n_members, 2);
	assert_string_equal(a->members[0].name, "vdb1");
	assert_int_equal(a->members[0].number, 1);
	assert_string_equal(a->members[1].name, "vda1");
	assert_int_equal(a->members[1].number, 0);
	assert_int_equal(a->members[0].flags | a->members[1].flags, 0);
	assert_int_equal(a->blocks, 23552);
	assert_string_equal(mdstat_metadata(a), "1.2");
	assert_int_equal(a->raid_disks, 2);
	assert_int_equal(a->working, 2);
	assert_string_equal(a->map, "UU");
	assert_int_equal(a->sync.action, MDSTAT_SYNC_RESYNC);
	assert_int_equal(a->sync.state, MDSTAT_SYNC_RUNNING);
	assert_int_equal(a->sync.permille, 127);
	assert_int_equal(a->sync.done, 3200);
	assert_int_equal(a->sync.total, 23552);
	assert_int_equal(a->sync.finish_tenths, 5);
	assert_int_equal(a->sync.speed, 640);
	assert_true(a->bitmap.present);
	assert_int_equal(a->bitmap.pages, 1);
	assert_int_equal(a->bitmap.pages_total, 1);
	assert_int_equal(a->bitmap.kib, 4);
	assert_int_equal(a->bitmap.chunk_bytes, 65536 * 1024);
	assert_null(a->bitmap.file);
	assert_int_equal(a->level, -1);
	assert_int_equal(a->chunk_kib, -1);
	assert_int_equal(mdstat_missing(a), 0);
	mdstat_free(&m);
}

static void test_raid1_life(void **state)
{
	(void)state;
	struct mdstat m;
	const struct mdstat_array *a;

	load("raid1-clean", &m);
	a = array(&m, "md0");
	assert_int_equal(a->sync.action, MDSTAT_SYNC_NONE);
	assert_true(a->bitmap.present);
	mdstat_free(&m);

	load("raid1-check", &m);
	a = array(&m, "md0");
	assert_int_equal(a->sync.action, MDSTAT_SYNC_CHECK);
	assert_int_equal(a->sync.permille, 127);
	assert_int_equal(a->sync.speed, 640);
	mdstat_free(&m);

	/* Linux 6.1 prints a repair as a resync. */
	load("raid1-repair", &m);
	assert_int_equal(array(&m, "md0")->sync.action, MDSTAT_SYNC_RESYNC);
	assert_int_equal(array(&m, "md0")->sync.permille, 319);
	mdstat_free(&m);

	load("raid1-failed", &m);
	a = array(&m, "md0");
	assert_int_equal(member(a, "vdb1")->flags, MDSTAT_FAULTY);
	assert_int_equal(member(a, "vda1")->flags, 0);
	assert_int_equal(a->working, 1);
	assert_string_equal(a->map, "U_");
	assert_int_equal(mdstat_missing(a), 1);
	assert_int_equal(mdstat_count(a, MDSTAT_FAULTY), 1);
	assert_int_equal(a->bitmap.pages, 0);
	assert_int_equal(a->bitmap.kib, 0);
	mdstat_free(&m);

	load("raid1-degraded", &m);
	a = array(&m, "md0");
	assert_int_equal(a->n_members, 1);
	assert_string_equal(a->map, "U_");
	assert_int_equal(a->sync.action, MDSTAT_SYNC_NONE);
	mdstat_free(&m);

	/* The member added back took number 2, in slot 1: md's number is no slot. */
	load("raid1-recovery", &m);
	a = array(&m, "md0");
	assert_int_equal(member(a, "vdb1")->number, 2);
	assert_int_equal(a->sync.action, MDSTAT_SYNC_RECOVERY);
	assert_int_equal(a->sync.permille, 127);
	mdstat_free(&m);

	load("raid1-spare", &m);
	a = array(&m, "md0");
	assert_int_equal(member(a, "vdc1")->flags, MDSTAT_SPARE);
	assert_int_equal(member(a, "vdc1")->number, 3);
	assert_string_equal(a->map, "UU");
	mdstat_free(&m);

	load("raid1-replace", &m);
	a = array(&m, "md0");
	assert_int_equal(member(a, "vdc1")->flags, MDSTAT_REPLACEMENT);
	assert_int_equal(a->sync.action, MDSTAT_SYNC_RECOVERY);
	assert_string_equal(a->map, "UU");
	mdstat_free(&m);

	load("raid1-replaced", &m);
	a = array(&m, "md0");
	assert_int_equal(member(a, "vda1")->flags, MDSTAT_FAULTY);
	assert_int_equal(member(a, "vdc1")->flags, 0);
	assert_int_equal(a->working, 2);
	mdstat_free(&m);

	load("raid1-read-only", &m);
	assert_int_equal(array(&m, "md0")->access, MDSTAT_READ_ONLY);
	assert_string_equal(array(&m, "md0")->personality, "raid1");
	mdstat_free(&m);
}

static void test_raid1_variants(void **state)
{
	(void)state;
	struct mdstat m;
	const struct mdstat_array *a;

	load("raid1-write-mostly", &m);
	a = array(&m, "md1");
	assert_string_equal(a->super, "1.0");
	assert_int_equal(member(a, "vdb2")->flags, MDSTAT_WRITE_MOSTLY);
	assert_int_equal(a->blocks, 24512);
	mdstat_free(&m);

	load("raid1-auto-read-only", &m);
	a = array(&m, "md0");
	assert_int_equal(a->access, MDSTAT_AUTO_READ_ONLY);
	assert_string_equal(a->personality, "raid1");
	assert_int_equal(a->sync.action, MDSTAT_SYNC_RESYNC);
	assert_int_equal(a->sync.state, MDSTAT_SYNC_PENDING);
	assert_int_equal(a->sync.permille, -1);
	assert_false(a->bitmap.present);
	mdstat_free(&m);

	load("raid1-resync-resumed", &m);
	a = array(&m, "md0");
	assert_int_equal(a->access, MDSTAT_READ_WRITE);
	assert_int_equal(a->sync.state, MDSTAT_SYNC_RUNNING);
	assert_int_equal(a->sync.done, 6400);
	mdstat_free(&m);

	load("raid1-inactive", &m);
	a = array(&m, "md0");
	assert_false(a->active);
	assert_string_equal(a->personality, "");
	assert_int_equal(member(a, "vda8")->flags, MDSTAT_SPARE);
	assert_int_equal(a->blocks, 23552);
	assert_string_equal(a->super, "1.2");
	assert_int_equal(a->raid_disks, -1);
	assert_null(a->map);
	mdstat_free(&m);

	load("raid1-bitmap-file", &m);
	a = array(&m, "md0");
	assert_true(a->bitmap.present);
	assert_int_equal(a->bitmap.pages, 3);
	assert_int_equal(a->bitmap.pages_total, 3);
	assert_int_equal(a->bitmap.kib, 12);
	assert_int_equal(a->bitmap.chunk_bytes, 4096);
	assert_non_null(a->bitmap.file);
	/* md prints the space as \040. */
	assert_string_equal(a->bitmap.file, "/bm/md bitmaps/md0");
	mdstat_free(&m);
}

/* The layout xsraid makes: metadata 0.90, which md shows by printing no "super". */
static void test_xsraid_layout(void **state)
{
	(void)state;
	struct mdstat m;
	const struct mdstat_array *a;

	load("xsraid-md0-half", &m);
	a = array(&m, "md0");
	assert_string_equal(a->super, "");
	assert_string_equal(mdstat_metadata(a), "0.90");
	assert_string_equal(a->map, "_U");
	assert_int_equal(member(a, "sdb1")->number, 1);
	mdstat_free(&m);

	load("xsraid-layout-rebuild", &m);
	assert_int_equal(m.n_arrays, 3);
	/* md lists the newest array first. */
	assert_string_equal(m.arrays[0].name, "md2");
	assert_string_equal(m.arrays[2].name, "md0");
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(m.arrays[i].sync.action, MDSTAT_SYNC_RESYNC);
		assert_int_equal(m.arrays[i].sync.state, MDSTAT_SYNC_DELAYED);
		assert_true(m.arrays[i].bitmap.present);
	}
	a = array(&m, "md0");
	assert_int_equal(a->sync.action, MDSTAT_SYNC_RECOVERY);
	assert_int_equal(a->sync.permille, 104);
	assert_int_equal(a->sync.done, 2688);
	assert_int_equal(a->sync.total, 24512);
	assert_int_equal(a->sync.speed, 672);
	assert_int_equal(member(a, "sda1")->number, 2);
	/* A bitmap of a member being rebuilt: no page in memory. */
	assert_int_equal(a->bitmap.pages, 0);
	mdstat_free(&m);

	load("xsraid-layout-disk1-failed", &m);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(mdstat_count(&m.arrays[i], MDSTAT_FAULTY), 1);
		assert_string_equal(m.arrays[i].map, "_U");
	}
	mdstat_free(&m);
}

static void test_every_level(void **state)
{
	(void)state;
	struct mdstat m;
	const struct mdstat_array *a;

	load("every-level-building", &m);
	assert_int_equal(m.n_arrays, 9);
	a = array(&m, "md0");
	assert_string_equal(a->personality, "raid0");
	assert_int_equal(a->chunk_kib, 64);
	assert_int_equal(a->raid_disks, -1);
	a = array(&m, "md1");
	assert_string_equal(a->personality, "linear");
	assert_int_equal(a->rounding_kib, 0);
	a = array(&m, "md2");
	assert_string_equal(a->personality, "raid4");
	assert_int_equal(a->level, 4);
	assert_int_equal(a->chunk_kib, 512);
	assert_int_equal(a->algorithm, 0);
	assert_int_equal(a->sync.action, MDSTAT_SYNC_RECOVERY);
	assert_int_equal(a->sync.permille, 155);
	a = array(&m, "md3");
	assert_string_equal(a->personality, "raid5");
	assert_int_equal(a->level, 5);
	assert_int_equal(a->algorithm, 2);
	assert_string_equal(a->map, "UU_");
	assert_int_equal(a->sync.state, MDSTAT_SYNC_DELAYED);
	a = array(&m, "md4");
	assert_string_equal(a->personality, "raid6");
	assert_int_equal(a->level, 6);
	a = array(&m, "md5");
	assert_string_equal(a->personality, "raid10");
	assert_int_equal(a->near_copies, 2);
	assert_int_equal(a->chunk_kib, 512);
	assert_int_equal(a->far_copies, -1);
	assert_int_equal(array(&m, "md6")->far_copies, 2);
	assert_int_equal(array(&m, "md7")->offset_copies, 2);
	a = array(&m, "md8");
	assert_int_equal(a->near_copies, 2);
	assert_int_equal(a->raid_disks, 3);
	assert_int_equal(a->blocks, 33792);
	mdstat_free(&m);
}

static void test_raid456_and_raid10(void **state)
{
	(void)state;
	struct mdstat m;
	const struct mdstat_array *a;

	load("raid5-initial-recovery", &m);
	a = array(&m, "md0");
	assert_int_equal(a->sync.action, MDSTAT_SYNC_RECOVERY);
	assert_string_equal(a->map, "UU_");
	mdstat_free(&m);

	load("raid5-reshape", &m);
	a = array(&m, "md0");
	assert_int_equal(a->sync.action, MDSTAT_SYNC_RESHAPE);
	assert_int_equal(a->sync.permille, 133);
	assert_int_equal(a->raid_disks, 4);
	mdstat_free(&m);

	load("raid5-grown", &m);
	assert_int_equal(array(&m, "md0")->blocks, 67584);
	mdstat_free(&m);

	load("raid6-two-failed", &m);
	a = array(&m, "md0");
	assert_string_equal(a->map, "U__U");
	assert_int_equal(mdstat_missing(a), 2);
	assert_int_equal(mdstat_count(a, MDSTAT_FAULTY), 2);
	mdstat_free(&m);

	load("raid10-recovery", &m);
	a = array(&m, "md0");
	assert_string_equal(a->map, "UU_U");
	assert_int_equal(a->sync.action, MDSTAT_SYNC_RECOVERY);
	mdstat_free(&m);

	load("raid5-journal", &m);
	a = array(&m, "md0");
	assert_int_equal(member(a, "vdd4")->flags, MDSTAT_JOURNAL);
	assert_int_equal(a->n_members, 4);
	mdstat_free(&m);
}

static void test_other_personalities(void **state)
{
	(void)state;
	struct mdstat m;
	const struct mdstat_array *a;

	load("multipath-faulty", &m);
	a = array(&m, "md0");
	assert_string_equal(a->personality, "multipath");
	assert_string_equal(a->map, "UU");
	a = array(&m, "md1");
	assert_string_equal(a->personality, "faulty");
	assert_int_equal(a->nfaults, 0);
	assert_int_equal(a->fault_modes.n, 0);
	mdstat_free(&m);

	load("multipath-failed-faulty-mode", &m);
	a = array(&m, "md1");
	assert_int_equal(a->fault_modes.n, 1);
	assert_string_equal(a->fault_modes.v[0], "WriteTransient=3(3)");
	assert_int_equal(mdstat_count(array(&m, "md0"), MDSTAT_FAULTY), 1);
	mdstat_free(&m);

	load("build-non-persistent", &m);
	a = array(&m, "md2");
	assert_string_equal(a->super, "non-persistent");
	assert_string_equal(a->map, "UU");
	a = array(&m, "md3");
	assert_string_equal(a->personality, "linear");
	assert_int_equal(a->rounding_kib, 64);
	mdstat_free(&m);
}

static void test_external_metadata(void **state)
{
	(void)state;
	struct mdstat m;
	const struct mdstat_array *a;

	load("imsm-resync", &m);
	a = array(&m, "md127");
	assert_false(a->active);
	assert_string_equal(a->super, "external:imsm");
	assert_true(mdstat_is_container(a));
	assert_int_equal(mdstat_count(a, MDSTAT_SPARE), 2);
	a = array(&m, "md126");
	assert_string_equal(a->super, "external:/md127/0");
	assert_false(mdstat_is_container(a));
	assert_int_equal(a->sync.action, MDSTAT_SYNC_RESYNC);
	assert_int_equal(a->sync.permille, 76);
	assert_string_equal(member(a, "sda")->name, "sda");
	mdstat_free(&m);

	load("ddf", &m);
	assert_string_equal(array(&m, "md125")->super, "external:ddf");
	assert_true(mdstat_is_container(array(&m, "md125")));
	assert_string_equal(array(&m, "md124")->super, "external:/md125/0");
	mdstat_free(&m);
}

/* --- what no kernel prints ------------------------------------------------------------ */

static void test_empty(void **state)
{
	(void)state;
	struct mdstat m;

	mdstat_parse("", 0, &m);
	assert_false(m.has_personalities);
	assert_false(m.has_unused);
	assert_int_equal(m.n_arrays, 0);
	assert_int_equal(m.unknown.n, 0);
	mdstat_free(&m);
	mdstat_parse(NULL, 0, &m);
	assert_int_equal(m.n_arrays, 0);
	mdstat_free(&m);
	mdstat_parse("\n\n   \n", 6, &m);
	assert_int_equal(m.unknown.n, 0);
	mdstat_free(&m);
}

/* Without its last newline, or with CRLF endings, a capture reads the same. */
static void test_line_endings(void **state)
{
	(void)state;
	char *text = corpus_text("xsraid-layout-rebuild");
	size_t len = strlen(text);
	struct buf crlf = BUF_INIT;
	struct mdstat a, b, c;

	assert_true(text[len - 1] == '\n');
	mdstat_parse(text, len, &a);
	mdstat_parse(text, len - 1, &b);
	for (size_t i = 0; i < len; i++)
		buf_puts(&crlf, text[i] == '\n' ? "\r\n" : (char[]){text[i], 0});
	mdstat_parse(crlf.data, crlf.len, &c);
	for (const struct mdstat *x = &b; x; x = x == &b ? &c : NULL) {
		assert_int_equal(x->n_arrays, a.n_arrays);
		assert_true(x->has_unused);
		assert_int_equal(x->unknown.n, 0);
		for (size_t i = 0; i < a.n_arrays; i++) {
			assert_string_equal(x->arrays[i].name, a.arrays[i].name);
			assert_string_equal(x->arrays[i].map, a.arrays[i].map);
			assert_int_equal(x->arrays[i].sync.permille, a.arrays[i].sync.permille);
			assert_int_equal(x->arrays[i].bitmap.chunk_bytes,
					 a.arrays[i].bitmap.chunk_bytes);
			assert_int_equal(x->arrays[i].unknown.n, 0);
		}
	}
	mdstat_free(&a);
	mdstat_free(&b);
	mdstat_free(&c);
	buf_free(&crlf);
	free(text);
}

/*
 * A capture cut at every byte, as a reader racing a changing file might
 * get it: never more than the whole, values either whole or absent, and a
 * cut field kept for display.
 */
static void test_truncated(void **state)
{
	(void)state;
	char *text = corpus_text("raid1-resync");
	size_t len = strlen(text);

	for (size_t cut = 0; cut <= len; cut++) {
		/* A copy of exactly @cut bytes, so ASan sees any read past the end. */
		char *part = xmalloc(cut ? cut : 1);
		memcpy(part, text, cut);
		struct mdstat m;
		mdstat_parse(part, cut, &m);
		assert_true(m.n_arrays <= 1);
		if (m.n_arrays) {
			const struct mdstat_array *a = &m.arrays[0];
			assert_true(a->n_members <= 2);
			assert_true(a->blocks == -1 || a->blocks == 23552);
			assert_true(a->sync.total == -1 || a->sync.total == 23552);
			assert_true(a->sync.permille == -1 || a->sync.permille == 127);
			assert_true(a->bitmap.chunk_bytes == -1 ||
				    a->bitmap.chunk_bytes == 65536 * 1024);
		}
		mdstat_free(&m);
		free(part);
	}

	/* Cut in a member's name and in the progress line. */
	static const char head[] = "Personalities : [raid1] \n"
				   "md0 : active raid1 vdb1[1] vd";
	struct mdstat m;
	mdstat_parse(head, strlen(head), &m);
	assert_int_equal(m.arrays[0].n_members, 1);
	assert_int_equal(m.arrays[0].unknown.n, 1);
	assert_string_equal(m.arrays[0].unknown.v[0], "md0 : active raid1 vdb1[1] vd");
	mdstat_free(&m);
	static const char bar[] = "md0 : active raid1 vdb1[1] vda1[0]\n"
				  "      [==>..................]  resync = 12.7% (3200/23";
	mdstat_parse(bar, strlen(bar), &m);
	assert_int_equal(m.arrays[0].sync.action, MDSTAT_SYNC_RESYNC);
	assert_int_equal(m.arrays[0].sync.permille, 127);
	assert_int_equal(m.arrays[0].sync.done, -1);
	assert_int_equal(m.arrays[0].unknown.n, 1);
	mdstat_free(&m);
	free(text);
}

/*
 * Forms the kernel's md.c prints (status_resync, md_bitmap_status) that no
 * capture here shows: a finished bar in one token, a clustered array's
 * REMOTE states, a bitmap chunk under 1 KiB, an unused device.
 */
static void test_forms_from_the_kernel_source(void **state)
{
	(void)state;
	static const char text[] =
		"Personalities : [raid1] \n"
		"md0 : active raid1 sdb1[1] sda1[0]\n"
		"      1046528 blocks super 1.2 [2/2] [UU]\n"
		"      [====================>]  resync =100.0% (1046528/1046528) finish=0.0min "
		"speed=98765K/sec\n"
		"      bitmap: 0/1 pages [0KB], 512B chunk, file: /var/lib/a\\011b\\134c\n"
		"\n"
		"md1 : active raid1 sdb2[1] sda2[0]\n"
		"      1046528 blocks super 1.2 [2/1] [U_]\n"
		"      \trecover=REMOTE\n"
		"      \n"
		"md2 : inactive\n"
		"unused devices: sdc1 sdd1 \n";
	struct mdstat m;

	mdstat_parse(text, strlen(text), &m);
	assert_int_equal(m.unknown.n, 0);
	const struct mdstat_array *a = array(&m, "md0");
	assert_int_equal(a->unknown.n, 0);
	assert_int_equal(a->sync.permille, 1000);
	assert_int_equal(a->sync.finish_tenths, 0);
	assert_int_equal(a->sync.speed, 98765);
	assert_int_equal(a->bitmap.chunk_bytes, 512);
	/* A tab unescaped but shown as '?'; "\134" is the backslash. */
	assert_string_equal(a->bitmap.file, "/var/lib/a?b\\c");
	a = array(&m, "md1");
	assert_int_equal(a->sync.action, MDSTAT_SYNC_RECOVERY);
	assert_int_equal(a->sync.state, MDSTAT_SYNC_REMOTE);
	a = array(&m, "md2");
	assert_false(a->active);
	assert_int_equal(a->n_members, 0);
	assert_int_equal(m.unused.n, 2);
	assert_string_equal(m.unused.v[1], "sdd1");
	mdstat_free(&m);
}

static void test_garbage(void **state)
{
	(void)state;
	struct mdstat m;

	/* Out-of-range numbers and unknown words are kept as lines, never half-believed. */
	static const char odd[] = "Personalities : [raid1] junk\n"
				  "md0 : active raid1 sda1[99999999999999999999] sdb1[1](X)\n"
				  "      99999999999999999999 blocks super 1.2 [2/2] [UU]\n"
				  "      [=>...]  resync = 1000.1% (1/2)\n"
				  "kernel says hello\n";
	mdstat_parse(odd, strlen(odd), &m);
	assert_int_equal(m.personalities.n, 1);
	assert_int_equal(m.unknown.n, 2);
	assert_string_equal(m.unknown.v[1], "kernel says hello");
	assert_int_equal(m.arrays[0].n_members, 0);
	assert_int_equal(m.arrays[0].blocks, -1);
	assert_int_equal(m.arrays[0].sync.permille, -1);
	assert_int_equal(m.arrays[0].unknown.n, 3);
	mdstat_free(&m);

	/* Unprintable bytes and NULs come out as '?', a long line cut with "...". */
	char bin[600];
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (char)(i % 7 == 0 ? 0 : i % 5 == 0 ? 0x1b : 'a' + i % 26);
	bin[sizeof(bin) - 1] = '\n';
	mdstat_parse(bin, sizeof(bin), &m);
	assert_int_equal(m.unknown.n, 1);
	assert_int_equal(strlen(m.unknown.v[0]), MDSTAT_LINE_MAX + 3);
	assert_true(str_ends_with(m.unknown.v[0], "..."));
	for (const char *c = m.unknown.v[0]; *c; c++)
		assert_true(*c >= 0x20 && *c < 0x7f);
	mdstat_free(&m);

	/* Pseudo-random bytes, biased toward md's own characters, many times over. */
	static const char alphabet[] = "md0 :active[]()FSWRJ/=%.>_U\n\t1234567890sdakKB,\\\x01\xff";
	uint32_t seed = 12345;
	for (int round = 0; round < 2000; round++) {
		char junk[256];
		size_t n = (size_t)(round % 256);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			junk[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		mdstat_parse(junk, n, &m);
		for (size_t i = 0; i < m.n_arrays; i++)
			assert_true(strlen(m.arrays[i].name) < MDSTAT_NAME_MAX);
		mdstat_free(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_fully_understood),
		cmocka_unit_test(test_no_arrays),
		cmocka_unit_test(test_raid1_resync),
		cmocka_unit_test(test_raid1_life),
		cmocka_unit_test(test_raid1_variants),
		cmocka_unit_test(test_xsraid_layout),
		cmocka_unit_test(test_every_level),
		cmocka_unit_test(test_raid456_and_raid10),
		cmocka_unit_test(test_other_personalities),
		cmocka_unit_test(test_external_metadata),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_forms_from_the_kernel_source),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
