// SPDX-License-Identifier: GPL-2.0-only
/*
 * The journal reader over a journal area of any bytes (the input, then
 * zeros to 1 MiB), as the disk's first stage left it or a power cut tore
 * it, with 512- and 4096-byte sectors; and what is read from it the way
 * resume reads it: the payload as plan inputs, the records by step.  Each
 * area is read as it is, then again with the header's and every record's
 * CRC made right, to reach what the CRCs guard.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "inputs.h"
#include "journal.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Offsets as journal.c lays them out. */
#define H_CRC 48
#define R_CRC (40 + JOURNAL_STEP_ID_MAX + JOURNAL_DETAIL_MAX)

static void fix_crcs(uint8_t *area, uint32_t block)
{
	if (!memcmp(area, "XSRAIDJ1", 8)) {
		put_le32(area + H_CRC, 0);
		put_le32(area + H_CRC, gpt_crc32(area, JOURNAL_HEADER_BYTES));
	}
	for (size_t off = JOURNAL_HEADER_BYTES; off + block <= JOURNAL_AREA_BYTES; off += block)
		if (!memcmp(area + off, "XSRAIDR1", 8))
			put_le32(area + off + R_CRC, gpt_crc32(area + off, R_CRC));
}

/* Reads the first @len bytes of @area, with zeros after them, as a journal area. */
static void read_area(int fd, const uint8_t *area, size_t len, uint32_t sector_size)
{
	static size_t written;
	struct journal_state s = {0};
	struct plan_inputs in = {0};
	struct buf err = BUF_INIT;

	/* Zeros where the previous area had more, then this one: not all 1 MiB each time. */
	if (written > len && pwrite_all(fd, area + len, written - len, len) < 0)
		abort();
	if (pwrite_all(fd, area, len, 0) < 0)
		abort();
	written = len;
	if (journal_read(fd, 0, sector_size, &s) < 0)
		return;
	if (strlen(s.payload) > JOURNAL_PAYLOAD_MAX ||
	    s.n_records > (JOURNAL_AREA_BYTES - JOURNAL_HEADER_BYTES) / 512)
		abort();
	for (size_t i = 0; i < s.n_records; i++) {
		journal_event_name(s.records[i].event);
		journal_last_event(&s, s.records[i].step_id);
	}
	if (inputs_parse(s.payload, &in, &err) == 0)
		inputs_free(&in);
	buf_free(&err);
	journal_state_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t sector_sizes[] = {512, 4096};
	static uint8_t *area;
	static size_t used;
	static int fd = -1;
	/* The input, and the rest of the record block it ends in, whose CRC may be fixed. */
	size_t len = size < JOURNAL_AREA_BYTES ? size : JOURNAL_AREA_BYTES;
	size_t span = (len + 4095) / 4096 * 4096;

	if (fd < 0) {
		fd = memfd_create("journal", 0);
		area = xcalloc(1, JOURNAL_AREA_BYTES);
		if (fd < 0 || ftruncate(fd, JOURNAL_AREA_BYTES) < 0)
			abort();
	}
	memset(area, 0, used);
	memcpy(area, data, len);
	used = span;
	for (size_t i = 0; i < ARRAY_SIZE(sector_sizes); i++) {
		read_area(fd, area, span, sector_sizes[i]);
		fix_crcs(area, sector_sizes[i]);
		read_area(fd, area, span, sector_sizes[i]);
	}
	return 0;
}
