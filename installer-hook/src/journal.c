// SPDX-License-Identifier: GPL-2.0-only
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define HEADER_MAGIC "XSRAIDJ1"
#define RECORD_MAGIC "XSRAIDR1"
#define VERSION	     1

/* Header field offsets. */
#define H_MAGIC	     0
#define H_VERSION    8
#define H_PAYLOADLEN 12
#define H_GENERATION 16
#define H_CREATED    24
#define H_GUID	     32
#define H_CRC	     48
#define H_PAYLOAD    64

/* Record field offsets (a record fits in 512 bytes). */
#define R_MAGIC	     0
#define R_GENERATION 8
#define R_SEQ	     16
#define R_STEP	     20
#define R_EVENT	     24
#define R_STATUS     28
#define R_TIME	     32
#define R_STEP_ID    40
#define R_DETAIL     (R_STEP_ID + JOURNAL_STEP_ID_MAX)
#define R_CRC	     (R_DETAIL + JOURNAL_DETAIL_MAX)
#define R_SIZE	     (R_CRC + 4)

_Static_assert(R_SIZE <= 512, "a journal record must fit in one 512-byte sector");

static uint32_t block_size(uint32_t sector_size)
{
	return sector_size > 512 ? sector_size : 512;
}

uint64_t journal_area_offset(uint64_t disk_bytes, uint32_t sector_size)
{
	uint64_t sectors = disk_bytes / sector_size;
	/* sgdisk's backup GPT: 128 entries x 128 bytes, then the header in the last sector. */
	uint64_t tail = 16384 / sector_size + 1;
	uint64_t area = JOURNAL_AREA_BYTES / sector_size;

	if (sectors < tail + area + 2 * (tail + 1))
		return 0;
	return (sectors - tail - area) * sector_size;
}

/*
 * Block devices are read and written with O_DIRECT when possible: the
 * journal lives inside a partition the kernel also exposes as its own
 * device, and the two page caches are not coherent.
 */
static int open_dev(const char *path, int flags)
{
	int fd = open(path, flags | O_DIRECT | O_CLOEXEC);

	if (fd < 0 && errno == EINVAL)
		fd = open(path, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static void *aligned_buf(size_t len)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, len) != 0)
		abort();
	memset(p, 0, len);
	return p;
}

/* CRC32 of the whole header area, computed with the CRC field itself as zeros. */
static uint32_t header_crc(const uint8_t *h)
{
	static const uint8_t zero[4];
	uint8_t *copy = xmalloc(JOURNAL_HEADER_BYTES);
	uint32_t crc;

	memcpy(copy, h, JOURNAL_HEADER_BYTES);
	memcpy(copy + H_CRC, zero, 4);
	crc = gpt_crc32(copy, JOURNAL_HEADER_BYTES);
	free(copy);
	return crc;
}

static bool parse_header(const uint8_t *h, struct journal_state *s)
{
	uint32_t len = get_le32(h + H_PAYLOADLEN);

	if (memcmp(h + H_MAGIC, HEADER_MAGIC, 8) || get_le32(h + H_VERSION) != VERSION ||
	    len > JOURNAL_PAYLOAD_MAX || header_crc(h) != get_le32(h + H_CRC))
		return false;
	s->generation = get_le64(h + H_GENERATION);
	s->created = get_le64(h + H_CREATED);
	memcpy(s->disk_guid.b, h + H_GUID, 16);
	s->payload = xstrndup((const char *)h + H_PAYLOAD, len);
	return true;
}

static bool parse_record(const uint8_t *r, uint64_t generation, struct journal_record *rec)
{
	if (memcmp(r + R_MAGIC, RECORD_MAGIC, 8) || get_le64(r + R_GENERATION) != generation)
		return false;
	if (gpt_crc32(r, R_CRC) != get_le32(r + R_CRC))
		return false;
	rec->seq = get_le32(r + R_SEQ);
	rec->step = get_le32(r + R_STEP);
	rec->event = (enum journal_event)get_le32(r + R_EVENT);
	rec->status = (int32_t)get_le32(r + R_STATUS);
	rec->time = get_le64(r + R_TIME);
	memcpy(rec->step_id, r + R_STEP_ID, JOURNAL_STEP_ID_MAX);
	rec->step_id[JOURNAL_STEP_ID_MAX - 1] = '\0';
	memcpy(rec->detail, r + R_DETAIL, JOURNAL_DETAIL_MAX);
	rec->detail[JOURNAL_DETAIL_MAX - 1] = '\0';
	return true;
}

/* Reads the header and the valid records; *ret_next is the first free record block. */
static int read_area(int fd, uint64_t offset, uint32_t sector_size, struct journal_state *ret,
		     uint32_t *ret_next)
{
	uint32_t bs = block_size(sector_size);
	uint32_t capacity = (JOURNAL_AREA_BYTES - JOURNAL_HEADER_BYTES) / bs;
	uint8_t *area = aligned_buf(JOURNAL_AREA_BYTES);
	struct journal_state s = {0};
	uint32_t i;
	int r;

	r = pread_exact(fd, area, JOURNAL_AREA_BYTES, offset);
	if (r < 0)
		goto out;
	if (!parse_header(area, &s)) {
		r = -ENOENT;
		goto out;
	}
	s.records = xcalloc(capacity, sizeof(*s.records));
	for (i = 0; i < capacity; i++) {
		const uint8_t *b = area + JOURNAL_HEADER_BYTES + (size_t)i * bs;
		/* Records are appended in order: the first gap ends the journal. */
		if (!parse_record(b, s.generation, &s.records[s.n_records]) ||
		    s.records[s.n_records].seq != i)
			break;
		s.n_records++;
	}
	*ret = s;
	s = (struct journal_state){0};
	if (ret_next)
		*ret_next = i;
out:
	journal_state_free(&s);
	free(area);
	return r;
}

int journal_read(int fd, uint64_t offset, uint32_t sector_size, struct journal_state *ret)
{
	return read_area(fd, offset, sector_size, ret, NULL);
}

void journal_state_free(struct journal_state *s)
{
	free(s->payload);
	free(s->records);
	memset(s, 0, sizeof(*s));
}

enum journal_event journal_last_event(const struct journal_state *s, const char *step_id)
{
	enum journal_event e = 0;

	for (size_t i = 0; i < s->n_records; i++)
		if (s->records[i].event != JOURNAL_NOTE &&
		    s->records[i].event != JOURNAL_STAGE_DONE &&
		    !strcmp(s->records[i].step_id, step_id))
			e = s->records[i].event;
	return e;
}

bool journal_stage_done(const struct journal_state *s, const char *stage)
{
	for (size_t i = 0; i < s->n_records; i++)
		if (s->records[i].event == JOURNAL_STAGE_DONE &&
		    !strcmp(s->records[i].step_id, stage))
			return true;
	return false;
}

static void journal_init(struct journal *j, int fd, const char *path, uint64_t offset,
			 uint32_t sector_size, uint64_t generation, uint32_t next)
{
	*j = (struct journal){
		.fd = fd,
		.offset = offset,
		.block = block_size(sector_size),
		.capacity = (JOURNAL_AREA_BYTES - JOURNAL_HEADER_BYTES) / block_size(sector_size),
		.next = next,
		.generation = generation,
		.path = xstrdup(path),
	};
}

int journal_create(const char *path, uint64_t offset, uint32_t sector_size,
		   const struct gpt_guid *disk_guid, const char *payload, struct journal *ret)
{
	size_t plen = strlen(payload);
	uint64_t generation = 1;
	struct journal_state old = {0};
	uint8_t *area;
	int fd, r;

	if (plen > JOURNAL_PAYLOAD_MAX)
		return -E2BIG;
	fd = open_dev(path, O_RDWR);
	if (fd < 0)
		return fd;
	if (read_area(fd, offset, sector_size, &old, NULL) == 0)
		generation = old.generation + 1;
	journal_state_free(&old);

	/* One write of the whole area: the new header and a zeroed record space. */
	area = aligned_buf(JOURNAL_AREA_BYTES);
	memcpy(area + H_MAGIC, HEADER_MAGIC, 8);
	put_le32(area + H_VERSION, VERSION);
	put_le32(area + H_PAYLOADLEN, (uint32_t)plen);
	put_le64(area + H_GENERATION, generation);
	put_le64(area + H_CREATED, (uint64_t)time(NULL));
	memcpy(area + H_GUID, disk_guid->b, 16);
	memcpy(area + H_PAYLOAD, payload, plen);
	put_le32(area + H_CRC, header_crc(area));
	r = pwrite_all(fd, area, JOURNAL_AREA_BYTES, offset);
	if (r == 0 && fdatasync(fd) < 0)
		r = -errno;
	free(area);
	if (r < 0) {
		close(fd);
		return r;
	}
	journal_init(ret, fd, path, offset, sector_size, generation, 0);
	return 0;
}

int journal_open(const char *path, uint64_t offset, uint32_t sector_size, struct journal *ret)
{
	struct journal_state s = {0};
	uint32_t next = 0;
	int fd, r;

	fd = open_dev(path, O_RDWR);
	if (fd < 0)
		return fd;
	r = read_area(fd, offset, sector_size, &s, &next);
	if (r < 0) {
		close(fd);
		return r;
	}
	journal_init(ret, fd, path, offset, sector_size, s.generation, next);
	journal_state_free(&s);
	return 0;
}

int journal_append(struct journal *j, unsigned step, const char *step_id, enum journal_event event,
		   int status, const char *detail)
{
	uint8_t *b;
	int r;

	if (j->next >= j->capacity)
		return -ENOSPC;
	b = aligned_buf(j->block);
	memcpy(b + R_MAGIC, RECORD_MAGIC, 8);
	put_le64(b + R_GENERATION, j->generation);
	put_le32(b + R_SEQ, j->next);
	put_le32(b + R_STEP, step);
	put_le32(b + R_EVENT, (uint32_t)event);
	put_le32(b + R_STATUS, (uint32_t)status);
	put_le64(b + R_TIME, (uint64_t)time(NULL));
	strncpy((char *)b + R_STEP_ID, step_id, JOURNAL_STEP_ID_MAX - 1);
	if (detail)
		strncpy((char *)b + R_DETAIL, detail, JOURNAL_DETAIL_MAX - 1);
	put_le32(b + R_CRC, gpt_crc32(b, R_CRC));
	r = pwrite_all(j->fd, b, j->block,
		       j->offset + JOURNAL_HEADER_BYTES + (uint64_t)j->next * j->block);
	if (r == 0 && fdatasync(j->fd) < 0)
		r = -errno;
	free(b);
	if (r == 0)
		j->next++;
	return r;
}

void journal_close(struct journal *j)
{
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	j->fd = -1;
	j->path = NULL;
}

const char *journal_event_name(enum journal_event e)
{
	switch (e) {
	case JOURNAL_BEGIN:
		return "begin";
	case JOURNAL_DONE:
		return "done";
	case JOURNAL_FAILED:
		return "failed";
	case JOURNAL_NOTE:
		return "note";
	case JOURNAL_STAGE_DONE:
		return "stage-done";
	}
	return "none";
}
