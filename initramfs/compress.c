// SPDX-License-Identifier: GPL-2.0-only
#include "compress.h"

#include <bzlib.h>
#include <errno.h>
#include <limits.h>
#include <lzma.h>
#include <string.h>
#include <zlib.h>

static const unsigned char gzip_magic[] = {0x1f, 0x8b};
static const unsigned char bzip2_magic[] = {'B', 'Z', 'h'};
static const unsigned char xz_magic[] = {0xfd, '7', 'z', 'X', 'Z', 0x00};

/* Output is produced in chunks of this size. */
enum { CHUNK = 256 * 1024 };

static bool starts_with(const unsigned char *p, size_t len, const unsigned char *magic, size_t mlen)
{
	return len >= mlen && memcmp(p, magic, mlen) == 0;
}

const char *compression_name(enum compression_kind kind)
{
	switch (kind) {
	case COMPRESSION_NONE:
		return "uncompressed";
	case COMPRESSION_GZIP:
		return "gzip";
	case COMPRESSION_BZIP2:
		return "bzip2";
	case COMPRESSION_XZ:
		return "xz";
	}
	return "unknown";
}

int compression_detect(const void *data, size_t len, struct compression *ret, struct buf *err)
{
	static const struct {
		unsigned char magic[4];
		size_t len;
		const char *name;
	} others[] = {
		{{0x5d, 0x00, 0x00}, 3, "lzma"},      {{0x02, 0x21, 0x4c, 0x18}, 4, "lz4"},
		{{0x04, 0x22, 0x4d, 0x18}, 4, "lz4"}, {{0x28, 0xb5, 0x2f, 0xfd}, 4, "zstd"},
		{{0x89, 'L', 'Z', 'O'}, 4, "lzo"},
	};
	const unsigned char *p = data;
	struct compression c = {.kind = COMPRESSION_NONE};

	if (len == 0) {
		buf_puts(err, "empty file");
		return -EINVAL;
	}
	if (starts_with(p, len, gzip_magic, sizeof(gzip_magic))) {
		c.kind = COMPRESSION_GZIP;
	} else if (starts_with(p, len, bzip2_magic, sizeof(bzip2_magic)) && len > 3 &&
		   p[3] >= '1' && p[3] <= '9') {
		c.kind = COMPRESSION_BZIP2;
		c.bzip2_level = (unsigned)(p[3] - '0');
	} else if (starts_with(p, len, xz_magic, sizeof(xz_magic)) && len >= 8) {
		c.kind = COMPRESSION_XZ;
		c.xz_check = p[7] & 0x0f;
	} else if (starts_with(p, len, (const unsigned char *)"07070", 5)) {
		c.kind = COMPRESSION_NONE;
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(others); i++) {
			if (starts_with(p, len, others[i].magic, others[i].len)) {
				buf_printf(err,
					   "%s compressed: only gzip, bzip2 and xz images are read",
					   others[i].name);
				return -EINVAL;
			}
		}
		buf_puts(err, "unknown compression (first bytes");
		for (size_t i = 0; i < len && i < 4; i++)
			buf_printf(err, " %02x", p[i]);
		buf_puts(err, "): not a gzip, bzip2 or xz compressed cpio archive");
		return -EINVAL;
	}
	*ret = c;
	return 0;
}

/*
 * Where the next stream starts after one ended at @pos: zero padding is
 * skipped; returns len when nothing but padding is left, the position of
 * another stream with the same magic, or -EINVAL for anything else.
 */
static int next_stream(const unsigned char *p, size_t len, size_t *pos, const unsigned char *magic,
		       size_t mlen, const char *kind, struct buf *err)
{
	size_t at = *pos;

	while (at < len && p[at] == 0)
		at++;
	*pos = at;
	if (at == len || starts_with(p + at, len - at, magic, mlen))
		return 0;
	buf_printf(err, "data after the %s stream at offset %zu that is not another %s stream",
		   kind, at, kind);
	return -EINVAL;
}

static int too_big(size_t max, struct buf *err)
{
	buf_printf(err, "decompresses to more than %zu MiB: not an installer image", max >> 20);
	return -EFBIG;
}

/* Where decompressed bytes go: @out, at most @max of them in all. */
struct sink {
	struct buf *out;
	size_t max;
	size_t produced;
	struct buf *err;
};

static int sink_put(struct sink *k, const void *chunk, size_t len)
{
	if (len > k->max - k->produced)
		return too_big(k->max, k->err);
	buf_append(k->out, chunk, len);
	k->produced += len;
	return 0;
}

static unsigned feed(size_t left)
{
	return left > UINT_MAX ? UINT_MAX : (unsigned)left;
}

static int gunzip(const unsigned char *p, size_t len, size_t max, struct buf *out, struct buf *err)
{
	static unsigned char chunk[CHUNK];
	struct sink k = {out, max, 0, err};
	z_stream s;
	size_t pos = 0;
	int r = 0;

	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK) {
		buf_puts(err, "cannot start zlib");
		return -ENOMEM;
	}
	while (pos < len) {
		int z;

		s.next_in = (unsigned char *)p + pos;
		s.avail_in = feed(len - pos);
		do {
			s.next_out = chunk;
			s.avail_out = sizeof(chunk);
			z = inflate(&s, Z_NO_FLUSH);
			r = sink_put(&k, chunk, sizeof(chunk) - s.avail_out);
			if (r < 0)
				goto out;
		} while (z == Z_OK && (s.avail_out == 0 || s.avail_in > 0));
		pos = (size_t)(s.next_in - p);
		if (z == Z_STREAM_END) {
			r = next_stream(p, len, &pos, gzip_magic, sizeof(gzip_magic), "gzip", err);
			if (r < 0)
				goto out;
			inflateReset(&s);
			continue;
		}
		if (z == Z_OK || z == Z_BUF_ERROR) {
			if (pos < len)
				continue;
			buf_printf(err, "the gzip stream is truncated (ends at offset %zu)", len);
		} else {
			buf_printf(err, "corrupt gzip data near offset %zu: %s", pos,
				   s.msg ? s.msg : "zlib error");
		}
		r = -EINVAL;
		goto out;
	}
out:
	inflateEnd(&s);
	return r;
}

static const char *bzip2_error(int z)
{
	switch (z) {
	case BZ_DATA_ERROR:
		return "data integrity error";
	case BZ_DATA_ERROR_MAGIC:
		return "bad stream header";
	case BZ_MEM_ERROR:
		return "out of memory";
	default:
		return "libbz2 error";
	}
}

static int bunzip2(const unsigned char *p, size_t len, size_t max, struct buf *out, struct buf *err)
{
	static char chunk[CHUNK];
	struct sink k = {out, max, 0, err};
	size_t pos = 0;
	int r = 0;

	while (pos < len) {
		bz_stream s;
		int z;

		memset(&s, 0, sizeof(s));
		if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK) {
			buf_puts(err, "cannot start libbz2");
			return -ENOMEM;
		}
		s.next_in = (char *)p + pos;
		s.avail_in = feed(len - pos);
		do {
			s.next_out = chunk;
			s.avail_out = sizeof(chunk);
			z = BZ2_bzDecompress(&s);
			r = sink_put(&k, chunk, sizeof(chunk) - s.avail_out);
			if (r < 0) {
				BZ2_bzDecompressEnd(&s);
				return r;
			}
		} while (z == BZ_OK && (s.avail_out == 0 || s.avail_in > 0));
		size_t used = (size_t)(s.next_in - (const char *)p) - pos;
		BZ2_bzDecompressEnd(&s);
		if (z != BZ_OK && z != BZ_STREAM_END) {
			buf_printf(err, "corrupt bzip2 data near offset %zu: %s", pos + used,
				   bzip2_error(z));
			return -EINVAL;
		}
		pos += used;
		if (z == BZ_OK) {
			if (pos < len)
				continue;
			buf_printf(err, "the bzip2 stream is truncated (ends at offset %zu)", len);
			return -EINVAL;
		}
		r = next_stream(p, len, &pos, bzip2_magic, sizeof(bzip2_magic), "bzip2", err);
		if (r < 0)
			return r;
	}
	return r;
}

static const char *lzma_error(lzma_ret z)
{
	switch (z) {
	case LZMA_FORMAT_ERROR:
		return "not an xz stream";
	case LZMA_OPTIONS_ERROR:
		return "unsupported options";
	case LZMA_DATA_ERROR:
		return "data integrity error";
	case LZMA_BUF_ERROR:
		return "truncated";
	case LZMA_MEM_ERROR:
		return "out of memory";
	default:
		return "liblzma error";
	}
}

static int unxz(const unsigned char *p, size_t len, size_t max, struct buf *out, struct buf *err)
{
	static unsigned char chunk[CHUNK];
	struct sink k = {out, max, 0, err};
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret z;
	int r = 0;

	/* LZMA_CONCATENATED: several streams and the padding between them, as xz -dc reads them. */
	if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
		buf_puts(err, "cannot start liblzma");
		return -ENOMEM;
	}
	s.next_in = p;
	s.avail_in = len;
	do {
		s.next_out = chunk;
		s.avail_out = sizeof(chunk);
		z = lzma_code(&s, LZMA_FINISH);
		r = sink_put(&k, chunk, sizeof(chunk) - s.avail_out);
		if (r < 0)
			goto out;
	} while (z == LZMA_OK);
	if (z == LZMA_BUF_ERROR) {
		buf_printf(err, "the xz stream is truncated (ends at offset %zu)", len);
		r = -EINVAL;
	} else if (z != LZMA_STREAM_END) {
		buf_printf(err, "corrupt xz data near offset %zu: %s", (size_t)(s.next_in - p),
			   lzma_error(z));
		r = -EINVAL;
	}
out:
	lzma_end(&s);
	return r;
}

int compression_unpack(const struct compression *c, const void *data, size_t len, size_t max,
		       struct buf *out, struct buf *err)
{
	switch (c->kind) {
	case COMPRESSION_NONE:
		if (len > max)
			return too_big(max, err);
		buf_append(out, data, len);
		return 0;
	case COMPRESSION_GZIP:
		return gunzip(data, len, max, out, err);
	case COMPRESSION_BZIP2:
		return bunzip2(data, len, max, out, err);
	case COMPRESSION_XZ:
		return unxz(data, len, max, out, err);
	}
	return -EINVAL;
}

static int gzip_stream(const unsigned char *p, size_t len, struct buf *out, struct buf *err)
{
	static unsigned char chunk[CHUNK];
	z_stream s;
	size_t pos = 0;
	int z;

	memset(&s, 0, sizeof(s));
	/* zlib's gzip header has no name and a zero time, as gzip -n writes it. */
	if (deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		buf_puts(err, "cannot start zlib");
		return -ENOMEM;
	}
	do {
		s.next_in = (unsigned char *)p + pos;
		s.avail_in = feed(len - pos);
		bool last = s.avail_in == len - pos;
		do {
			s.next_out = chunk;
			s.avail_out = sizeof(chunk);
			z = deflate(&s, last ? Z_FINISH : Z_NO_FLUSH);
			buf_append(out, chunk, sizeof(chunk) - s.avail_out);
		} while (s.avail_out == 0 && z != Z_STREAM_ERROR);
		pos = (size_t)(s.next_in - p);
	} while (pos < len && z != Z_STREAM_ERROR);
	deflateEnd(&s);
	if (z != Z_STREAM_END) {
		buf_puts(err, "zlib failed to compress");
		return -EIO;
	}
	return 0;
}

static int bzip2_stream(const unsigned char *p, size_t len, unsigned level, struct buf *out,
			struct buf *err)
{
	static char chunk[CHUNK];
	bz_stream s;
	size_t pos = 0;
	int z;

	memset(&s, 0, sizeof(s));
	if (BZ2_bzCompressInit(&s, (int)level, 0, 0) != BZ_OK) {
		buf_puts(err, "cannot start libbz2");
		return -ENOMEM;
	}
	do {
		s.next_in = (char *)p + pos;
		s.avail_in = feed(len - pos);
		bool last = s.avail_in == len - pos;
		do {
			s.next_out = chunk;
			s.avail_out = sizeof(chunk);
			z = BZ2_bzCompress(&s, last ? BZ_FINISH : BZ_RUN);
			buf_append(out, chunk, sizeof(chunk) - s.avail_out);
		} while (z == BZ_FINISH_OK || (z == BZ_RUN_OK && s.avail_in > 0));
		pos = (size_t)(s.next_in - (const char *)p);
	} while (pos < len && z == BZ_RUN_OK);
	BZ2_bzCompressEnd(&s);
	if (z != BZ_STREAM_END) {
		buf_puts(err, "libbz2 failed to compress");
		return -EIO;
	}
	return 0;
}

static int xz_stream(const unsigned char *p, size_t len, unsigned check, struct buf *out,
		     struct buf *err)
{
	static unsigned char chunk[CHUNK];
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret z;

	if (!lzma_check_is_supported((lzma_check)check)) {
		buf_printf(err, "the stock image's xz check type %u is not supported", check);
		return -EINVAL;
	}
	if (lzma_easy_encoder(&s, LZMA_PRESET_DEFAULT, (lzma_check)check) != LZMA_OK) {
		buf_puts(err, "cannot start liblzma");
		return -ENOMEM;
	}
	s.next_in = p;
	s.avail_in = len;
	do {
		s.next_out = chunk;
		s.avail_out = sizeof(chunk);
		z = lzma_code(&s, LZMA_FINISH);
		buf_append(out, chunk, sizeof(chunk) - s.avail_out);
	} while (z == LZMA_OK);
	lzma_end(&s);
	if (z != LZMA_STREAM_END) {
		buf_printf(err, "liblzma failed to compress: %s", lzma_error(z));
		return -EIO;
	}
	return 0;
}

int compression_pack(const struct compression *c, const void *data, size_t len, struct buf *out,
		     struct buf *err)
{
	switch (c->kind) {
	case COMPRESSION_NONE:
		buf_append(out, data, len);
		return 0;
	case COMPRESSION_GZIP:
		return gzip_stream(data, len, out, err);
	case COMPRESSION_BZIP2:
		return bzip2_stream(data, len, c->bzip2_level, out, err);
	case COMPRESSION_XZ:
		return xz_stream(data, len, c->xz_check, out, err);
	}
	return -EINVAL;
}
