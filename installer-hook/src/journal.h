/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_JOURNAL_H
#define XSRAID_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpt.h"

/**
 * The step journal: where xsraid records what it began and finished, on the
 * second disk itself, so that it survives a power cut and even a fresh boot
 * of the installer.
 *
 * Place: the last 1 MiB of the second disk's usable area, just before the
 * backup GPT, which the plan gives its own partition, "xsraid-journal".
 * Because the place follows from the disk's size alone, a rerun finds the
 * journal without trusting anything else on the disk.
 *
 * Layout (B = max(512, logical sector size)):
 *   bytes 0 .. 16 KiB   header: magic "XSRAIDJ1", version, generation,
 *                       creation time, the GUID of the disk it lives on,
 *                       a text payload (the plan's inputs), and a CRC32
 *                       over all 16 KiB
 *   then one B-sized block per record: magic "XSRAIDR1", the generation,
 *                       sequence number, step number and id, event, exit
 *                       status, time, a short detail text, CRC32
 *
 * A record is written with a single pwrite() of one block followed by
 * fdatasync(), so a power cut tears at most the record being written, and
 * its CRC shows it.  Records of an older generation (a previous attempt)
 * are ignored.  Nothing in a record is trusted without its CRC.
 */

#define JOURNAL_AREA_BYTES   (1024 * 1024)
#define JOURNAL_HEADER_BYTES (16 * 1024)
#define JOURNAL_PAYLOAD_MAX  (JOURNAL_HEADER_BYTES - 64)
#define JOURNAL_STEP_ID_MAX  48
#define JOURNAL_DETAIL_MAX   300

enum journal_event {
	JOURNAL_BEGIN = 1,
	JOURNAL_DONE = 2,
	JOURNAL_FAILED = 3,
	JOURNAL_NOTE = 4,
	JOURNAL_STAGE_DONE = 5, /* step_id: the stage whose every step is done */
};

struct journal_record {
	uint32_t seq;
	uint32_t step;
	enum journal_event event;
	int32_t status;
	uint64_t time;
	char step_id[JOURNAL_STEP_ID_MAX];
	char detail[JOURNAL_DETAIL_MAX];
};

struct journal_state {
	uint64_t generation;
	uint64_t created;
	struct gpt_guid disk_guid;
	char *payload; /* NUL-terminated text */
	size_t n_records;
	struct journal_record *records;
};

/*
 * Byte offset of the journal area on a disk of @disk_bytes with logical
 * sectors of @sector_size, laid out as sgdisk does (128 entries of 128
 * bytes), or 0 if the disk is too small to hold one.
 */
uint64_t journal_area_offset(uint64_t disk_bytes, uint32_t sector_size);

/*
 * Reads the journal in the area at @offset of the device or image open on
 * @fd.  Returns 0 and fills @ret (free with journal_state_free), -ENOENT
 * when there is no valid header, or -errno on I/O errors.
 */
int journal_read(int fd, uint64_t offset, uint32_t sector_size, struct journal_state *ret);
void journal_state_free(struct journal_state *s);

/* Last event recorded for @step_id in @s, or 0 if it never began. */
enum journal_event journal_last_event(const struct journal_state *s, const char *step_id);

/* Whether @s records that every step of the stage named @stage is done. */
bool journal_stage_done(const struct journal_state *s, const char *stage);

/* An open journal, for appending. */
struct journal {
	int fd;
	uint64_t offset;
	uint32_t block;
	uint32_t capacity; /* number of record blocks */
	uint32_t next;	   /* index of the next free record block */
	uint64_t generation;
	char *path;
};

/*
 * Starts a new journal generation at @offset of @path: writes the header
 * with @payload and invalidates every old record.  The generation is one
 * more than that of any journal already there.  Returns 0 or -errno.
 */
int journal_create(const char *path, uint64_t offset, uint32_t sector_size,
		   const struct gpt_guid *disk_guid, const char *payload, struct journal *ret);

/* Opens the existing journal at @offset of @path for appending.  -ENOENT if there is none. */
int journal_open(const char *path, uint64_t offset, uint32_t sector_size, struct journal *ret);

/* Appends one record and waits until it is on the disk.  Returns 0 or -errno (-ENOSPC when full).
 */
int journal_append(struct journal *j, unsigned step, const char *step_id, enum journal_event event,
		   int status, const char *detail);

void journal_close(struct journal *j);

const char *journal_event_name(enum journal_event e);

#endif
