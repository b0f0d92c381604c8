// SPDX-License-Identifier: GPL-2.0-only
/* The on-disk step journal: placement, records, torn writes, generations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "testlib.h"
#include "util.h"

#define DISK_BYTES ((uint64_t)500107862016)

static char *image(uint64_t bytes)
{
	char *dir = test_mkdtemp();
	char *path = path_join(dir, "disk");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)bytes), 0);
	close(fd);
	free(dir);
	return path;
}

static const struct gpt_guid GUID = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};

static void read_state(const char *path, uint64_t off, uint32_t ss, struct journal_state *s,
		       int expect)
{
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(journal_read(fd, off, ss, s), expect);
	close(fd);
}

/* The area ends where sgdisk's backup GPT begins: 33 sectors before the end on 512-byte disks. */
static void test_placement(void **state)
{
	(void)state;
	uint64_t off = journal_area_offset(DISK_BYTES, 512);

	assert_int_equal(off, (DISK_BYTES / 512 - 33 - 2048) * 512);
	assert_int_equal(off + JOURNAL_AREA_BYTES, DISK_BYTES - 33 * 512);
	/* 4K sectors: 4 entry sectors and the header. */
	uint64_t off4 = journal_area_offset(DISK_BYTES, 4096);
	assert_int_equal(off4 + JOURNAL_AREA_BYTES, (DISK_BYTES / 4096 - 5) * 4096);
	assert_int_equal(journal_area_offset(1024 * 1024, 512), 0);
}

static void test_records(void **state)
{
	(void)state;
	char *path = image(DISK_BYTES);
	uint64_t off = journal_area_offset(DISK_BYTES, 512);
	struct journal j;
	struct journal_state s = {0};

	read_state(path, off, 512, &s, -ENOENT);
	assert_int_equal(journal_create(path, off, 512, &GUID, "disk1=sda\ndisk2=sdb\n", &j), 0);
	assert_int_equal(j.generation, 1);
	assert_int_equal(journal_append(&j, 2, "partition-disk2", JOURNAL_BEGIN, 0, "go"), 0);
	assert_int_equal(journal_append(&j, 2, "partition-disk2", JOURNAL_DONE, 0, NULL), 0);
	assert_int_equal(journal_append(&j, 3, "wipe-disk2-partitions", JOURNAL_BEGIN, 0, NULL), 0);
	journal_close(&j);

	read_state(path, off, 512, &s, 0);
	assert_string_equal(s.payload, "disk1=sda\ndisk2=sdb\n");
	assert_memory_equal(s.disk_guid.b, GUID.b, 16);
	assert_int_equal(s.n_records, 3);
	assert_string_equal(s.records[0].detail, "go");
	assert_int_equal(s.records[2].step, 3);
	assert_int_equal(journal_last_event(&s, "partition-disk2"), JOURNAL_DONE);
	assert_int_equal(journal_last_event(&s, "wipe-disk2-partitions"), JOURNAL_BEGIN);
	assert_int_equal(journal_last_event(&s, "create-arrays"), 0);
	journal_state_free(&s);

	/* Reopened, it appends after the last record. */
	assert_int_equal(journal_open(path, off, 512, &j), 0);
	assert_int_equal(j.next, 3);
	assert_int_equal(journal_append(&j, 3, "wipe-disk2-partitions", JOURNAL_DONE, 0, NULL), 0);
	journal_close(&j);
	read_state(path, off, 512, &s, 0);
	assert_int_equal(s.n_records, 4);
	assert_int_equal(journal_last_event(&s, "wipe-disk2-partitions"), JOURNAL_DONE);
	journal_state_free(&s);
	free(path);
}

/* A record torn by a power cut fails its CRC and ends the journal there. */
static void test_torn_record(void **state)
{
	(void)state;
	char *path = image(DISK_BYTES);
	uint64_t off = journal_area_offset(DISK_BYTES, 512);
	struct journal j;
	struct journal_state s = {0};

	assert_int_equal(journal_create(path, off, 512, &GUID, "x=1\n", &j), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(journal_append(&j, (unsigned)i, "step", JOURNAL_BEGIN, 0, NULL),
				 0);
	journal_close(&j);
	int fd = open(path, O_RDWR);
	char junk = 0x5a;
	assert_int_equal(pwrite(fd, &junk, 1, (off_t)(off + JOURNAL_HEADER_BYTES + 512 + 100)), 1);
	close(fd);
	read_state(path, off, 512, &s, 0);
	assert_int_equal(s.n_records, 1);
	journal_state_free(&s);

	/* A damaged header means no journal at all. */
	fd = open(path, O_RDWR);
	assert_int_equal(pwrite(fd, &junk, 1, (off_t)(off + 70)), 1);
	close(fd);
	read_state(path, off, 512, &s, -ENOENT);
	free(path);
}

/* A new attempt starts a new generation; the old records no longer count. */
static void test_generations(void **state)
{
	(void)state;
	char *path = image(DISK_BYTES);
	uint64_t off = journal_area_offset(DISK_BYTES, 512);
	struct journal j;
	struct journal_state s = {0};

	assert_int_equal(journal_create(path, off, 512, &GUID, "first\n", &j), 0);
	assert_int_equal(journal_append(&j, 1, "a", JOURNAL_DONE, 0, NULL), 0);
	journal_close(&j);
	assert_int_equal(journal_create(path, off, 512, &GUID, "second\n", &j), 0);
	assert_int_equal(j.generation, 2);
	journal_close(&j);
	read_state(path, off, 512, &s, 0);
	assert_string_equal(s.payload, "second\n");
	assert_int_equal(s.generation, 2);
	assert_int_equal(s.n_records, 0);
	journal_state_free(&s);
	free(path);
}

static void test_full_and_4k(void **state)
{
	(void)state;
	char *path = image(DISK_BYTES);
	uint64_t off = journal_area_offset(DISK_BYTES, 4096);
	struct journal j;
	struct journal_state s = {0};
	unsigned n = 0;

	assert_int_equal(journal_create(path, off, 4096, &GUID, "big\n", &j), 0);
	while (journal_append(&j, n, "s", JOURNAL_NOTE, 0, NULL) == 0)
		n++;
	assert_int_equal(n, (JOURNAL_AREA_BYTES - JOURNAL_HEADER_BYTES) / 4096);
	assert_int_equal(journal_append(&j, n, "s", JOURNAL_NOTE, 0, NULL), -ENOSPC);
	journal_close(&j);
	read_state(path, off, 4096, &s, 0);
	assert_int_equal(s.n_records, n);
	journal_state_free(&s);

	char *big = xmalloc(JOURNAL_PAYLOAD_MAX + 2);
	memset(big, 'x', JOURNAL_PAYLOAD_MAX + 1);
	big[JOURNAL_PAYLOAD_MAX + 1] = '\0';
	assert_int_equal(journal_create(path, off, 4096, &GUID, big, &j), -E2BIG);
	free(big);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placement),   cmocka_unit_test(test_records),
		cmocka_unit_test(test_torn_record), cmocka_unit_test(test_generations),
		cmocka_unit_test(test_full_and_4k),
	};
	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
