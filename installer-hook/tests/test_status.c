// SPDX-License-Identifier: GPL-2.0-only
/*
 * xsraid status over the captures of tests/data/mdstat: the health and
 * exit status of every one, what sysfs adds (slots, rebuilding members,
 * the disks' identity) and the report as an operator reads it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "mdreport.h"
#include "mdstat.h"
#include "status.h"
#include "testlib.h"
#include "util.h"

#define CORPUS "installer-hook/tests/data/mdstat"

/* A capture: its /proc/mdstat parsed, and a system root holding its sysfs files. */
struct capture {
	struct mdstat m;
	const char *root;
	struct md_facts facts;
};

static char *corpus_file(const char *name, const char *ext)
{
	char *rel = xasprintf("%s/%s.%s", CORPUS, name, ext);
	char *text = test_src_text(rel);

	free(rel);
	return text;
}

/*
 * The .sysfs file's "PATH VALUE" lines as files below a fresh directory,
 * made once per capture: the tests read each many times.
 */
static const char *sysroot_from(const char *name)
{
	static struct strv names = STRV_INIT, roots = STRV_INIT;

	for (size_t i = 0; i < names.n; i++)
		if (!strcmp(names.v[i], name))
			return roots.v[i];
	char *text = corpus_file(name, "sysfs");
	char *root = test_mkdtemp();
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		assert_non_null(sp);
		*sp = '\0';
		char *path = path_join(root, line);
		char *value = xasprintf("%s\n", sp + 1);
		test_write_file(path, value);
		free(path);
		free(value);
	}
	free(text);
	strv_push(&names, name);
	strv_push(&roots, root);
	free(root);
	return roots.v[roots.n - 1];
}

static void load(const char *name, struct capture *c)
{
	char *text = corpus_file(name, "mdstat");

	mdstat_parse(text, strlen(text), &c->m);
	free(text);
	c->root = sysroot_from(name);
	status_read_facts(c->root, &c->m, &c->facts);
}

static void unload(struct capture *c)
{
	md_facts_free(&c->facts);
	mdstat_free(&c->m);
}

static char *report(const struct capture *c, bool facts, bool json)
{
	struct buf out = BUF_INIT;

	if (json)
		md_report_json(&c->m, facts ? &c->facts : NULL, &out);
	else
		md_report_text(&c->m, facts ? &c->facts : NULL, &out);
	return buf_detach(&out);
}

static void assert_contains(const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("missing \"%s\" in:\n%s", want, text);
}

static void assert_lacks(const char *text, const char *unwanted)
{
	if (strstr(text, unwanted))
		fail_msg("unexpected \"%s\" in:\n%s", unwanted, text);
}

static char *first_line(const char *text)
{
	const char *nl = strchr(text, '\n');

	return xstrndup(text, nl ? (size_t)(nl - text) : strlen(text));
}

/*
 * The exit status of every capture, from /proc/mdstat alone and with sysfs.
 * Every capture is listed: a new one needs its expectation written here.
 */
static const struct {
	const char *name;
	int exit_mdstat_only;
	int exit_with_sysfs;
} EXPECTED[] = {
	{"md-no-personality", STATUS_NO_ARRAYS, STATUS_NO_ARRAYS},
	{"no-arrays", STATUS_NO_ARRAYS, STATUS_NO_ARRAYS},
	{"raid1-resync", STATUS_REBUILDING, STATUS_REBUILDING},
	{"raid1-clean", STATUS_HEALTHY, STATUS_HEALTHY},
	{"raid1-check", STATUS_HEALTHY, STATUS_HEALTHY},
	/* /proc/mdstat shows a repair as a resync; sysfs says it is a repair. */
	{"raid1-repair", STATUS_REBUILDING, STATUS_HEALTHY},
	{"raid1-failed", STATUS_DEGRADED, STATUS_DEGRADED},
	{"raid1-degraded", STATUS_DEGRADED, STATUS_DEGRADED},
	{"raid1-recovery", STATUS_REBUILDING, STATUS_REBUILDING},
	{"raid1-spare", STATUS_HEALTHY, STATUS_HEALTHY},
	{"raid1-replace", STATUS_REBUILDING, STATUS_REBUILDING},
	/* In sync again, but the replaced member is still listed as failed. */
	{"raid1-replaced", STATUS_DEGRADED, STATUS_DEGRADED},
	{"raid1-read-only", STATUS_HEALTHY, STATUS_HEALTHY},
	{"raid1-write-mostly", STATUS_HEALTHY, STATUS_HEALTHY},
	{"raid1-auto-read-only", STATUS_REBUILDING, STATUS_REBUILDING},
	{"raid1-resync-resumed", STATUS_REBUILDING, STATUS_REBUILDING},
	{"raid1-inactive", STATUS_DEGRADED, STATUS_DEGRADED},
	{"raid1-bitmap-file", STATUS_HEALTHY, STATUS_HEALTHY},
	{"xsraid-md0-half", STATUS_DEGRADED, STATUS_DEGRADED},
	{"xsraid-layout-recovery", STATUS_REBUILDING, STATUS_REBUILDING},
	{"xsraid-layout-clean", STATUS_HEALTHY, STATUS_HEALTHY},
	{"xsraid-layout-disk1-failed", STATUS_DEGRADED, STATUS_DEGRADED},
	{"xsraid-layout-degraded", STATUS_DEGRADED, STATUS_DEGRADED},
	{"xsraid-layout-rebuild", STATUS_REBUILDING, STATUS_REBUILDING},
	{"every-level-building", STATUS_REBUILDING, STATUS_REBUILDING},
	{"every-level-clean", STATUS_HEALTHY, STATUS_HEALTHY},
	{"raid5-initial-recovery", STATUS_REBUILDING, STATUS_REBUILDING},
	{"raid5-reshape", STATUS_REBUILDING, STATUS_REBUILDING},
	{"raid5-grown", STATUS_HEALTHY, STATUS_HEALTHY},
	{"raid5-failed", STATUS_DEGRADED, STATUS_DEGRADED},
	{"raid6-two-failed", STATUS_DEGRADED, STATUS_DEGRADED},
	{"raid6-recovery", STATUS_REBUILDING, STATUS_REBUILDING},
	{"raid10-recovery", STATUS_REBUILDING, STATUS_REBUILDING},
	{"raid5-journal", STATUS_HEALTHY, STATUS_HEALTHY},
	{"multipath-faulty", STATUS_HEALTHY, STATUS_HEALTHY},
	{"multipath-failed-faulty-mode", STATUS_DEGRADED, STATUS_DEGRADED},
	{"build-non-persistent", STATUS_HEALTHY, STATUS_HEALTHY},
	/* The containers hold disks, not data: only the volumes count. */
	{"imsm-resync", STATUS_REBUILDING, STATUS_REBUILDING},
	{"imsm-clean", STATUS_HEALTHY, STATUS_HEALTHY},
	{"ddf", STATUS_HEALTHY, STATUS_HEALTHY},
};

static void test_exit_status_of_every_capture(void **state)
{
	(void)state;
	static const char *const words[] = {[STATUS_HEALTHY] = "healthy:",
					    [STATUS_NO_ARRAYS] = "no md arrays",
					    [STATUS_REBUILDING] = "rebuilding:",
					    [STATUS_DEGRADED] = "degraded:"};
	struct strv names = STRV_INIT;

	test_list_files(CORPUS, ".mdstat", &names);
	assert_int_equal(names.n, ARRAY_SIZE(EXPECTED));
	strv_foreach(name, &names) {
		int want_plain = -1, want_full = -1;
		for (size_t i = 0; i < ARRAY_SIZE(EXPECTED); i++) {
			if (!strcmp(EXPECTED[i].name, *name)) {
				want_plain = EXPECTED[i].exit_mdstat_only;
				want_full = EXPECTED[i].exit_with_sysfs;
			}
		}
		if (want_plain < 0)
			fail_msg("capture %s has no expected exit status", *name);
		struct capture c;
		load(*name, &c);
		int plain = status_exit_code(&c.m, NULL), full = status_exit_code(&c.m, &c.facts);
		if (plain != want_plain || full != want_full)
			fail_msg("%s: exit %d from mdstat, %d with sysfs; expected %d, %d", *name,
				 plain, full, want_plain, want_full);
		/* The summary line names the same health. */
		char *text = report(&c, true, false);
		char *line = first_line(text);
		if (!str_starts_with(line, words[full]))
			fail_msg("%s: summary \"%s\" for exit %d", *name, line, full);
		free(line);
		free(text);
		unload(&c);
	}
	strv_free(&names);
}

/* What sysfs adds: slots, which member is being rebuilt, the disk and its identity. */
static void test_facts(void **state)
{
	(void)state;
	struct capture c;

	load("raid1-recovery", &c);
	const struct mdstat_array *a = mdstat_find(&c.m, "md0");
	assert_non_null(a);
	for (size_t i = 0; i < a->n_members; i++) {
		const struct md_member_facts *mf = &c.facts.arrays[0].members[i];
		assert_true(mf->known);
		if (!strcmp(a->members[i].name, "vdb1")) {
			/* md's number 2, slot 1. */
			assert_int_equal(a->members[i].number, 2);
			assert_int_equal(mf->slot, 1);
			assert_string_equal(mf->state, "spare");
			assert_string_equal(mf->disk, "vdb");
		} else {
			assert_int_equal(mf->slot, 0);
			assert_string_equal(mf->state, "in_sync");
			assert_string_equal(mf->disk, "vda");
		}
	}
	assert_string_equal(c.facts.arrays[0].sync_action, "recover");
	unload(&c);

	load("raid1-spare", &c);
	for (size_t i = 0; i < c.m.arrays[0].n_members; i++)
		if (!strcmp(c.m.arrays[0].members[i].name, "vdc1"))
			assert_int_equal(c.facts.arrays[0].members[i].slot, -1);
	unload(&c);

	/* Whole-disk members on AHCI: the model and the wwid, padding squeezed. */
	load("imsm-clean", &c);
	const struct md_member_facts *mf = NULL;
	for (size_t i = 0; i < c.m.n_arrays; i++)
		for (size_t j = 0; j < c.m.arrays[i].n_members; j++)
			if (!strcmp(c.m.arrays[i].members[j].name, "sda"))
				mf = &c.facts.arrays[i].members[j];
	assert_non_null(mf);
	assert_string_equal(mf->disk, "sda");
	assert_string_equal(mf->model, "QEMU HARDDISK");
	assert_string_equal(mf->serial, "t10.ATA QEMU HARDDISK LAB-DISK-0");
	unload(&c);
}

/* The report of a host whose first disk was replaced, with sysfs: every line. */
static void test_report_text(void **state)
{
	(void)state;
	struct capture c;
	static const char expected[] =
		"rebuilding: md0 recovery 10.4%, about 30 s left; md1, md2 wait their turn "
		"(DELAYED)\n"
		"\n"
		"md0: raid1, rebuilding\n"
		"    size      23.9 MiB (24512 blocks), metadata 0.90\n"
		"    slots     [_U] 1 of 2 in sync\n"
		"    sync      recovery 10.4% (2.6 MiB of 23.9 MiB), 672 KiB/s, about 30 s left\n"
		"    bitmap    0 of 1 pages in memory (0 KiB), 64.0 MiB chunks, internal\n"
		"    sda1         slot 0   rebuilding     disk sda, QEMU HARDDISK, serial t10.ATA "
		"QEMU HARDDISK LAB-DISK-0\n"
		"    sdb1         slot 1   in sync        disk sdb, QEMU HARDDISK, serial t10.ATA "
		"QEMU HARDDISK LAB-DISK-1\n"
		"\n"
		"md1: raid1, rebuilding\n"
		"    size      23.9 MiB (24512 blocks), metadata 0.90\n"
		"    slots     [_U] 1 of 2 in sync\n"
		"    sync      recovery waits for another array on the same disks (DELAYED)\n"
		"    bitmap    1 of 1 pages in memory (4 KiB), 64.0 MiB chunks, internal\n"
		"    sda2         slot 0   waiting        disk sda, QEMU HARDDISK, serial t10.ATA "
		"QEMU HARDDISK LAB-DISK-0\n"
		"    sdb2         slot 1   in sync        disk sdb, QEMU HARDDISK, serial t10.ATA "
		"QEMU HARDDISK LAB-DISK-1\n"
		"\n"
		"md2: raid1, rebuilding\n"
		"    size      23.9 MiB (24512 blocks), metadata 0.90\n"
		"    slots     [_U] 1 of 2 in sync\n"
		"    sync      recovery waits for another array on the same disks (DELAYED)\n"
		"    bitmap    1 of 1 pages in memory (4 KiB), 64.0 MiB chunks, internal\n"
		"    sda3         slot 0   waiting        disk sda, QEMU HARDDISK, serial t10.ATA "
		"QEMU HARDDISK LAB-DISK-0\n"
		"    sdb3         slot 1   in sync        disk sdb, QEMU HARDDISK, serial t10.ATA "
		"QEMU HARDDISK LAB-DISK-1\n";

	load("xsraid-layout-rebuild", &c);
	char *text = report(&c, true, false);
	assert_string_equal(text, expected);
	free(text);
	/* From a saved copy alone: md's numbers in brackets, no slot, no disk. */
	text = report(&c, false, false);
	assert_contains(text, "\n    sda1[2]               active\n");
	assert_contains(text, "\n    sdb1[1]               active\n");
	assert_lacks(text, " disk ");
	assert_lacks(text, "slot 0");
	free(text);
	unload(&c);
}

/* The summary line of each state, as a monitoring system shows it. */
static void test_summaries(void **state)
{
	(void)state;
	static const struct {
		const char *capture, *line;
	} cases[] = {
		{"raid1-clean", "healthy: 1 array in sync"},
		{"raid1-check", "healthy: 1 array in sync; md0 check 12.7%, about 30 s left"},
		{"raid1-repair", "healthy: 1 array in sync; md0 repair 31.9%, about 18 s left"},
		{"raid1-failed", "degraded: md0 has a failed member (vdb1)"},
		{"raid1-degraded", "degraded: md0 lacks 1 of 2 members"},
		{"raid1-inactive", "degraded: md0 is not running"},
		{"raid1-auto-read-only",
		 "rebuilding: md0 resync waits for the first write to the array (PENDING)"},
		{"raid5-reshape", "rebuilding: md0 reshape 13.3%, about 36 s left"},
		{"raid6-two-failed", "degraded: md0 has failed members (vdc2, vdb2)"},
		{"imsm-clean", "healthy: 1 array in sync"},
		{"every-level-building",
		 "rebuilding: md2 recovery 15.5%, about 18 s left; md3, md4, "
		 "md5, md6, md7, md8 wait their turn (DELAYED)"},
		{"no-arrays", "no md arrays"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct capture c;
		load(cases[i].capture, &c);
		char *text = report(&c, true, false);
		char *line = first_line(text);
		if (strcmp(line, cases[i].line))
			fail_msg("%s: \"%s\", not \"%s\"", cases[i].capture, line, cases[i].line);
		free(line);
		free(text);
		unload(&c);
	}
}

static void test_report_details(void **state)
{
	(void)state;
	struct capture c;
	char *text;

	load("raid1-replace", &c);
	text = report(&c, true, false);
	assert_contains(text, "\n    vda1         slot 0   being replaced disk vda");
	assert_contains(text, "\n    vdc1         slot 0   replacing      disk vdc");
	free(text);
	/* Without sysfs, (R) still says which member is the replacement. */
	text = report(&c, false, false);
	assert_contains(text, "\n    vdc1[3]               replacing\n");
	free(text);
	unload(&c);

	load("raid1-write-mostly", &c);
	text = report(&c, true, false);
	assert_contains(text, "metadata 1.0\n");
	assert_contains(text, "slot 1   in sync        write-mostly disk vdb");
	free(text);
	unload(&c);

	load("raid1-bitmap-file", &c);
	text = report(&c, false, false);
	assert_contains(text, "bitmap    3 of 3 pages in memory (12 KiB), 4.0 KiB chunks, in file "
			      "/bm/md bitmaps/md0\n");
	free(text);
	unload(&c);

	load("imsm-resync", &c);
	text = report(&c, true, false);
	assert_contains(text, "\nmd127: container of imsm metadata, 2 disks\n");
	assert_contains(text, "metadata external:/md127/0\n");
	assert_contains(text, "in container   disk sda, QEMU HARDDISK");
	free(text);
	unload(&c);

	load("every-level-clean", &c);
	text = report(&c, false, false);
	assert_contains(text,
			"\nmd0: raid0, healthy\n    size      46.0 MiB (47104 blocks), metadata "
			"1.2\n    layout    chunk 64 KiB\n");
	assert_contains(text, "\nmd1: linear, healthy\n");
	assert_contains(text, "layout    rounding 0 KiB\n");
	assert_contains(text, "layout    chunk 512 KiB, algorithm 2\n");
	assert_contains(text, "layout    2 far-copies, chunk 512 KiB\n");
	assert_contains(text, "layout    2 offset-copies, chunk 512 KiB\n");
	free(text);
	unload(&c);

	/* Arrays and members in order: md2 before md10, slots before spares. */
	static const char many[] = "md10 : active raid1 sdb1[1] sda1[0]\n"
				   "      100 blocks super 1.2 [2/2] [UU]\n"
				   "md2 : active raid1 sdd1[2](S) sdc1[0] sde1[1]\n"
				   "      100 blocks super 1.2 [2/2] [UU]\n";
	struct mdstat m;
	struct buf out = BUF_INIT;
	mdstat_parse(many, strlen(many), &m);
	md_report_text(&m, NULL, &out);
	assert_true(strstr(out.data, "\nmd2:") < strstr(out.data, "\nmd10:"));
	assert_true(strstr(out.data, "sdc1[0]") < strstr(out.data, "sde1[1]"));
	assert_true(strstr(out.data, "sde1[1]") < strstr(out.data, "sdd1[2]"));
	buf_free(&out);
	mdstat_free(&m);
}

/* md's estimate in tenths of a minute, as a person says it (the format of md.c's status_resync). */
static void test_time_left(void **state)
{
	(void)state;
	static const struct {
		const char *finish, *said;
	} cases[] = {
		{"0.0", "almost done"},
		{"0.5", "about 30 s left"},
		{"15.8", "about 16 min left"},
		{"158.3", "about 2 h 38 min left"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *text = xasprintf("md0 : active raid1 sdb1[1] sda1[0]\n"
				       "      1046528 blocks super 1.2 [2/2] [UU]\n"
				       "      [=>...]  resync =  5.0%% (52736/1046528) "
				       "finish=%smin speed=1010K/sec\n",
				       cases[i].finish);
		struct mdstat m;
		struct buf out = BUF_INIT;
		mdstat_parse(text, strlen(text), &m);
		md_report_text(&m, NULL, &out);
		assert_contains(out.data, cases[i].said);
		assert_contains(out.data, "(51.5 MiB of 1022 MiB), 1010 KiB/s");
		buf_free(&out);
		mdstat_free(&m);
		free(text);
	}
}

static void test_report_json(void **state)
{
	(void)state;
	struct capture c;
	char *json;

	load("xsraid-layout-rebuild", &c);
	json = report(&c, true, true);
	assert_contains(json,
			"\"health\": \"rebuilding\",\n  \"summary\": \"rebuilding: md0 "
			"recovery 10.4%, about 30 s left; md1, md2 wait their turn (DELAYED)\"");
	assert_contains(json, "\"sysfs\": true");
	assert_contains(json,
			"{\"name\": \"md0\", \"health\": \"rebuilding\", \"active\": true, "
			"\"access\": \"read-write\", \"personality\": \"raid1\", \"metadata\": "
			"\"0.90\", \"container\": false, \"size_kib\": 24512, \"raid_disks\": 2, "
			"\"working_disks\": 1, \"map\": \"_U\"");
	assert_contains(json, "\"sync\": {\"action\": \"recovery\", \"state\": \"running\", "
			      "\"percent\": 10.4, \"done_kib\": 2688, \"total_kib\": 24512, "
			      "\"speed_kib_per_s\": 672, \"seconds_left\": 30}");
	assert_contains(json, "\"sync\": {\"action\": \"recovery\", \"state\": \"delayed\", "
			      "\"percent\": null");
	assert_contains(json, "{\"device\": \"sda1\", \"number\": 2, \"flags\": [], \"state\": "
			      "\"rebuilding\", \"slot\": 0, \"sysfs_state\": \"spare\", \"disk\": "
			      "\"sda\", \"model\": \"QEMU HARDDISK\", \"serial\": \"t10.ATA QEMU "
			      "HARDDISK LAB-DISK-0\"}");
	free(json);
	json = report(&c, false, true);
	assert_contains(json, "\"sysfs\": false");
	assert_contains(json, "{\"device\": \"sda1\", \"number\": 2, \"flags\": [], \"state\": "
			      "\"active\", \"slot\": null, \"sysfs_state\": null, \"disk\": null, "
			      "\"model\": null, \"serial\": null}");
	free(json);
	unload(&c);

	load("raid1-replaced", &c);
	json = report(&c, false, true);
	assert_contains(json, "{\"device\": \"vda1\", \"number\": 0, \"flags\": [\"faulty\"]");
	free(json);
	unload(&c);

	load("no-arrays", &c);
	json = report(&c, false, true);
	assert_contains(json, "\"health\": \"no arrays\"");
	assert_contains(json, "\"arrays\": []");
	free(json);
	unload(&c);
}

/* What status_run() prints, run with @o. */
static char *status_output(const struct status_options *o, int *ret_status)
{
	char *dir = test_mkdtemp();
	char *path = path_join(dir, "out");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), saved = dup(STDOUT_FILENO);

	assert_true(fd >= 0 && saved >= 0);
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	*ret_status = status_run(o);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(fd);
	char *text = test_read_file(path);
	free(path);
	free(dir);
	return text;
}

/*
 * What --journal shows was read from a disk: an escape sequence or a line
 * break in a step's id, its detail or the payload reaches the terminal as
 * \xNN, and a record stays one line.
 */
static void test_journal_is_shown_safely(void **state)
{
	(void)state;
	char *root = test_make_sysroot(NULL);
	char *disk = path_join(root, "dev/sdb");
	static const struct gpt_guid guid = {{1, 2, 3}};
	struct journal j;
	int status;

	assert_int_equal(journal_create(disk, journal_area_offset(UINT64_C(500107862016), 512), 512,
					&guid, "version=1\nwipe_reason=\x1b[2Jgone\n", &j),
			 0);
	assert_int_equal(journal_append(&j, 7, "copy\x1b]0;owned\x07", JOURNAL_DONE, 0,
					"done\n  8 finish done 0 forged"),
			 0);
	journal_close(&j);
	char *out = status_output(&(struct status_options){.root = root, .journal = true}, &status);
	assert_int_equal(status, STATUS_NO_ARRAYS);
	assert_null(strchr(out, '\x1b'));
	assert_null(strchr(out, '\x07'));
	assert_non_null(strstr(out, "wipe_reason=\\x1b[2Jgone\n"));
	assert_non_null(strstr(out, "    7 copy\\x1b]0;owned\\x07"));
	assert_non_null(strstr(out, "done\\x0a  8 finish done 0 forged\n"));
	free(out);
	free(disk);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status_of_every_capture),
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_report_text),
		cmocka_unit_test(test_summaries),
		cmocka_unit_test(test_report_details),
		cmocka_unit_test(test_time_left),
		cmocka_unit_test(test_report_json),
		cmocka_unit_test(test_journal_is_shown_safely),
	};

	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
