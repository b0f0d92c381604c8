// SPDX-License-Identifier: GPL-2.0-only
#include "cpio.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum {
	F_INO,
	F_MODE,
	F_UID,
	F_GID,
	F_NLINK,
	F_MTIME,
	F_FILESIZE,
	F_DEVMAJOR,
	F_DEVMINOR,
	F_RDEVMAJOR,
	F_RDEVMINOR,
	F_NAMESIZE,
	F_CHECK,
	N_FIELDS,
};

static const char *const field_names[N_FIELDS] = {
	"ino",	    "mode",	"uid",	     "gid",	  "nlink",    "mtime", "filesize",
	"devmajor", "devminor", "rdevmajor", "rdevminor", "namesize", "check",
};

#define MAGIC_NEWC "070701"
#define MAGIC_CRC  "070702"
#define MAGIC_LEN  6

/* Bytes of zero padding after @n bytes to reach a multiple of 4. */
static size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

static int fail(struct cpio_reader *r, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct cpio_reader *r, size_t at, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->error, sizeof(r->error), "offset %zu: ", at);

	if (n < 0 || (size_t)n >= sizeof(r->error))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(r->error + n, sizeof(r->error) - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A name from the archive, made safe to print: at most 64 bytes, control bytes as '?'. */
static const char *printable(const char *name, size_t len, char out[68])
{
	size_t n = 0;

	for (; n < len && n < 64; n++) {
		unsigned char c = (unsigned char)name[n];
		out[n] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (len > 64) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

static bool parse_hex8(const unsigned char *p, uint32_t *ret)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		unsigned char c = p[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v << 4 | d;
	}
	*ret = v;
	return true;
}

static bool has_magic(const unsigned char *p, size_t left)
{
	return left >= MAGIC_LEN &&
	       (memcmp(p, MAGIC_NEWC, MAGIC_LEN) == 0 || memcmp(p, MAGIC_CRC, MAGIC_LEN) == 0);
}

static uint32_t data_sum(const unsigned char *data, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += data[i];
	return sum;
}

void cpio_reader_init(struct cpio_reader *r, const void *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
}

/* What the first bytes of a buffer are, when they are not a newc header. */
static int not_newc(struct cpio_reader *r)
{
	const unsigned char *p = r->buf;

	if (r->len >= MAGIC_LEN && memcmp(p, "070707", MAGIC_LEN) == 0)
		return fail(
			r, 0,
			"an old portable (odc, 070707) cpio archive: only newc (070701) is read");
	if (r->len >= 2 && ((p[0] == 0xc7 && p[1] == 0x71) || (p[0] == 0x71 && p[1] == 0xc7)))
		return fail(r, 0, "an old binary cpio archive: only newc (070701) is read");
	return fail(r, 0, "not a newc cpio archive (no 070701 magic)");
}

/*
 * After a trailer: zero padding, then the end of the buffer (0) or another
 * archive (1), which must start at a multiple of 4 bytes as the kernel
 * requires.
 */
static int next_archive(struct cpio_reader *r)
{
	while (r->pos < r->len && r->buf[r->pos] == 0)
		r->pos++;
	if (r->pos == r->len)
		return 0;
	if (!has_magic(r->buf + r->pos, r->len - r->pos))
		return fail(r, r->pos, "data after TRAILER!!! that is not another cpio archive");
	if (r->pos & 3)
		return fail(
			r, r->pos,
			"an archive after TRAILER!!! that does not start at a multiple of 4 bytes");
	r->archive++;
	r->after_trailer = false;
	return 1;
}

int cpio_next(struct cpio_reader *r, struct cpio_entry *ret)
{
	for (;;) {
		if (r->after_trailer) {
			int more = next_archive(r);
			if (more <= 0)
				return more;
		}

		const unsigned char *p = r->buf + r->pos;
		size_t at = r->pos, left = r->len - r->pos;
		uint32_t f[N_FIELDS];
		char shown[68];

		if (left == 0) {
			if (at == 0)
				return fail(r, 0, "empty: not a cpio archive");
			return fail(
				r, at,
				"the archive ends without its TRAILER!!! entry: it is truncated");
		}
		if (!has_magic(p, left)) {
			if (at == 0)
				return not_newc(r);
			if (left < MAGIC_LEN && memcmp(p, MAGIC_NEWC, left) == 0)
				return fail(r, at, "truncated header (%zu of %d bytes)", left,
					    CPIO_HEADER_SIZE);
			return fail(r, at,
				    "no newc header (bad magic) where the next entry starts");
		}
		if (left < CPIO_HEADER_SIZE)
			return fail(r, at, "truncated header (%zu of %d bytes)", left,
				    CPIO_HEADER_SIZE);
		for (int i = 0; i < N_FIELDS; i++) {
			if (!parse_hex8(p + MAGIC_LEN + 8 * i, &f[i]))
				return fail(r, at, "header field %s is not 8 hexadecimal digits",
					    field_names[i]);
		}

		/* The name: namesize counts its NUL. */
		uint32_t namesize = f[F_NAMESIZE];
		if (namesize < 2)
			return fail(r, at, "entry without a name (namesize %u)", namesize);
		if (namesize > CPIO_NAME_MAX + 1)
			return fail(r, at, "name of %u bytes, longer than the kernel's limit of %d",
				    namesize - 1, CPIO_NAME_MAX);
		size_t name_end = CPIO_HEADER_SIZE + namesize;
		name_end += pad4(name_end);
		if (left < name_end)
			return fail(r, at,
				    "truncated name (%u bytes with padding announced, %zu left)",
				    namesize, left - CPIO_HEADER_SIZE);
		const char *name = (const char *)p + CPIO_HEADER_SIZE;
		size_t name_len = strnlen(name, namesize);
		if (name_len == namesize)
			return fail(r, at, "name \"%s\" does not end with its NUL (namesize %u)",
				    printable(name, name_len, shown), namesize);
		if (name_len != namesize - 1u)
			return fail(r, at, "name \"%s\" has a NUL before its end (namesize %u)",
				    printable(name, name_len, shown), namesize);

		/* The data, compared with what is left before any addition. */
		uint32_t filesize = f[F_FILESIZE];
		if (filesize > left - name_end)
			return fail(r, at,
				    "data of \"%s\" truncated (%u bytes announced, %zu left)",
				    printable(name, name_len, shown), filesize, left - name_end);
		size_t data_end = name_end + filesize;
		if (pad4(filesize) > left - data_end)
			return fail(r, at, "padding after the data of \"%s\" truncated",
				    printable(name, name_len, shown));
		size_t size = data_end + pad4(filesize);
		bool has_check = p[5] == '2';
		if (has_check && data_sum(p + name_end, filesize) != f[F_CHECK])
			return fail(r, at, "checksum of \"%s\" does not match its data",
				    printable(name, name_len, shown));

		r->pos = at + size;
		if (strcmp(name, CPIO_TRAILER_NAME) == 0) {
			r->after_trailer = true;
			continue;
		}
		*ret = (struct cpio_entry){
			.ino = f[F_INO],
			.mode = f[F_MODE],
			.uid = f[F_UID],
			.gid = f[F_GID],
			.nlink = f[F_NLINK],
			.mtime = f[F_MTIME],
			.filesize = filesize,
			.devmajor = f[F_DEVMAJOR],
			.devminor = f[F_DEVMINOR],
			.rdevmajor = f[F_RDEVMAJOR],
			.rdevminor = f[F_RDEVMINOR],
			.check = f[F_CHECK],
			.has_check = has_check,
			.name = name,
			.name_len = name_len,
			.data = p + name_end,
			.offset = at,
			.size = size,
			.archive = r->archive,
		};
		return 1;
	}
}

static void put_zeros(struct buf *out, size_t n)
{
	static const char zeros[512];

	while (n > 0) {
		size_t k = n < sizeof(zeros) ? n : sizeof(zeros);
		buf_append(out, zeros, k);
		n -= k;
	}
}

int cpio_write_entry(struct buf *out, const struct cpio_entry *e)
{
	char header[CPIO_HEADER_SIZE + 1];

	if (!e->name || e->name_len == 0 || e->name_len > CPIO_NAME_MAX ||
	    strnlen(e->name, e->name_len) != e->name_len || (e->filesize && !e->data))
		return -EINVAL;

	uint32_t check = e->has_check ? data_sum(e->data, e->filesize) : 0;
	/* Lower-case digits, as GNU cpio writes them. */
	snprintf(header, sizeof(header), "%s%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		 e->has_check ? MAGIC_CRC : MAGIC_NEWC, e->ino, e->mode, e->uid, e->gid, e->nlink,
		 e->mtime, e->filesize, e->devmajor, e->devminor, e->rdevmajor, e->rdevminor,
		 (uint32_t)e->name_len + 1, check);
	buf_append(out, header, CPIO_HEADER_SIZE);
	buf_append(out, e->name, e->name_len);
	put_zeros(out, 1 + pad4(CPIO_HEADER_SIZE + e->name_len + 1));
	if (e->filesize)
		buf_append(out, e->data, e->filesize);
	put_zeros(out, pad4(e->filesize));
	return 0;
}

void cpio_write_trailer(struct buf *out, size_t archive_start)
{
	const struct cpio_entry trailer = {
		.nlink = 1,
		.name = CPIO_TRAILER_NAME,
		.name_len = sizeof(CPIO_TRAILER_NAME) - 1,
	};

	cpio_write_entry(out, &trailer);
	size_t used = out->len - archive_start;
	put_zeros(out, (512 - used % 512) % 512);
}
