// SPDX-License-Identifier: GPL-2.0-only
/* Compression: told by magic bytes, round trips, streams that end early or hold junk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compress.h"
#include "testlib.h"
#include "util.h"

static void expect_detect_error(const void *data, size_t len, const char *what)
{
	struct compression c;
	struct buf err = BUF_INIT;

	assert_int_equal(compression_detect(data, len, &c, &err), -EINVAL);
	if (!strstr(err.data, what))
		fail_msg("\"%s\" does not say \"%s\"", err.data, what);
	buf_free(&err);
}

static struct compression detect_ok(const void *data, size_t len)
{
	struct compression c;
	struct buf err = BUF_INIT;

	if (compression_detect(data, len, &c, &err) != 0)
		fail_msg("detect: %s", err.data);
	buf_free(&err);
	return c;
}

static void test_detect(void **state)
{
	(void)state;
	struct compression c;

	c = detect_ok("\x1f\x8b\x08\x00", 4);
	assert_int_equal(c.kind, COMPRESSION_GZIP);
	c = detect_ok("BZh91AY&SY", 10);
	assert_int_equal(c.kind, COMPRESSION_BZIP2);
	assert_int_equal(c.bzip2_level, 9);
	c = detect_ok("\xfd"
		      "7zXZ\x00\x00\x01",
		      8);
	assert_int_equal(c.kind, COMPRESSION_XZ);
	assert_int_equal(c.xz_check, 1);
	c = detect_ok("070701", 6);
	assert_int_equal(c.kind, COMPRESSION_NONE);
	assert_string_equal(compression_name(COMPRESSION_BZIP2), "bzip2");

	expect_detect_error("", 0, "empty file");
	expect_detect_error("\x28\xb5\x2f\xfd\x00", 5, "zstd compressed: only gzip, bzip2 and xz");
	expect_detect_error("\x5d\x00\x00\x80\x00", 5, "lzma compressed");
	expect_detect_error("\x02\x21\x4c\x18", 4, "lz4 compressed");
	expect_detect_error("\x89LZO\x00", 5, "lzo compressed");
	expect_detect_error("BZh0", 4, "unknown compression (first bytes 42 5a 68 30)");
	expect_detect_error(
		"<!DOCTYPE html>", 15,
		"unknown compression (first bytes 3c 21 44 4f): not a gzip, bzip2 or xz");
}

/* Something compressible but not trivial: text with a counter. */
static struct buf payload(size_t len)
{
	struct buf b = BUF_INIT;

	for (unsigned i = 0; b.len < len; i++)
		buf_printf(&b, "070701 entry %u of an installer image\n", i * 2654435761u);
	b.len = len;
	return b;
}

static struct buf pack(const struct compression *c, const struct buf *in)
{
	struct buf out = BUF_INIT, err = BUF_INIT;

	if (compression_pack(c, in->data, in->len, &out, &err) != 0)
		fail_msg("pack: %s", err.data);
	buf_free(&err);
	return out;
}

static int unpack(const struct buf *in, size_t max, struct buf *out, struct buf *err)
{
	struct compression c;

	buf_reset(out);
	buf_reset(err);
	if (compression_detect(in->data, in->len, &c, err) < 0)
		return -EINVAL;
	return compression_unpack(&c, in->data, in->len, max, out, err);
}

/* Each kind packs to one stream of itself that unpacks to the same bytes, the same every time. */
static void test_round_trips(void **state)
{
	(void)state;
	const struct compression kinds[] = {
		{.kind = COMPRESSION_GZIP},
		{.kind = COMPRESSION_BZIP2, .bzip2_level = 9},
		{.kind = COMPRESSION_BZIP2, .bzip2_level = 1},
		{.kind = COMPRESSION_XZ, .xz_check = 1},
		{.kind = COMPRESSION_XZ, .xz_check = 4},
		{.kind = COMPRESSION_NONE},
	};
	struct buf in = payload((1 << 20) + 12345), out = BUF_INIT, err = BUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		struct buf packed = pack(&kinds[i], &in), again = pack(&kinds[i], &in);
		struct compression c = detect_ok(packed.data, packed.len);
		assert_int_equal(c.kind, kinds[i].kind);
		assert_int_equal(c.bzip2_level, kinds[i].bzip2_level);
		assert_int_equal(c.xz_check, kinds[i].xz_check);
		assert_int_equal(packed.len, again.len);
		assert_memory_equal(packed.data, again.data, packed.len);
		assert_int_equal(unpack(&packed, DECOMPRESS_MAX, &out, &err), 0);
		assert_int_equal(out.len, in.len);
		assert_memory_equal(out.data, in.data, in.len);
		buf_free(&packed);
		buf_free(&again);
	}
	/* gzip -n's header: deflate, no name, no time, maximum compression, Unix. */
	struct buf gz = pack(&kinds[0], &in);
	assert_memory_equal(gz.data, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03", 10);
	buf_free(&gz);
	struct buf empty = BUF_INIT;
	gz = pack(&kinds[0], &empty);
	assert_int_equal(unpack(&gz, DECOMPRESS_MAX, &out, &err), 0);
	assert_int_equal(out.len, 0);
	buf_free(&gz);
	buf_free(&in);
	buf_free(&out);
	buf_free(&err);
}

/* Streams one after the other are read in turn, as gzip -dc does; zero padding is ignored. */
static void test_concatenated(void **state)
{
	(void)state;
	const struct compression kinds[] = {
		{.kind = COMPRESSION_GZIP},
		{.kind = COMPRESSION_BZIP2, .bzip2_level = 9},
		{.kind = COMPRESSION_XZ, .xz_check = 1},
	};
	struct buf a = payload(100000), b = payload(777), out = BUF_INIT, err = BUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		struct buf both = pack(&kinds[i], &a), second = pack(&kinds[i], &b);
		buf_append(&both, second.data, second.len);
		buf_append(&both, "\0\0\0\0\0\0\0\0", 8);
		assert_int_equal(unpack(&both, DECOMPRESS_MAX, &out, &err), 0);
		assert_int_equal(out.len, a.len + b.len);
		assert_memory_equal(out.data + a.len, b.data, b.len);

		buf_puts(&both, "junk");
		assert_int_equal(unpack(&both, DECOMPRESS_MAX, &out, &err), -EINVAL);
		if (kinds[i].kind != COMPRESSION_XZ)
			assert_non_null(strstr(err.data, "that is not another"));
		buf_free(&both);
		buf_free(&second);
	}
	buf_free(&a);
	buf_free(&b);
	buf_free(&out);
	buf_free(&err);
}

/* Cut short anywhere, or with a byte changed, a stream is an error, never a short image. */
static void test_damaged(void **state)
{
	(void)state;
	const struct compression kinds[] = {
		{.kind = COMPRESSION_GZIP},
		{.kind = COMPRESSION_BZIP2, .bzip2_level = 9},
		{.kind = COMPRESSION_XZ, .xz_check = 1},
	};
	static const char *const names[] = {"gzip", "bzip2", "xz"};
	struct buf in = payload(200000), out = BUF_INIT, err = BUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		struct buf packed = pack(&kinds[i], &in);
		size_t full = packed.len;
		for (size_t cut = 8; cut < full; cut += full / 37 + 1) {
			packed.len = cut;
			assert_int_equal(unpack(&packed, DECOMPRESS_MAX, &out, &err), -EINVAL);
			assert_non_null(strstr(err.data, names[i]));
		}
		packed.len = full - 1;
		assert_int_equal(unpack(&packed, DECOMPRESS_MAX, &out, &err), -EINVAL);
		char want[64];
		snprintf(want, sizeof(want), "the %s stream is truncated", names[i]);
		if (!strstr(err.data, want))
			fail_msg("\"%s\" does not say \"%s\"", err.data, want);

		packed.len = full;
		packed.data[full / 2] ^= 0x55;
		assert_int_equal(unpack(&packed, DECOMPRESS_MAX, &out, &err), -EINVAL);
		assert_non_null(strstr(err.data, names[i]));

		packed.data[full / 2] ^= 0x55;
		assert_int_equal(unpack(&packed, in.len - 1, &out, &err), -EFBIG);
		assert_non_null(strstr(err.data, "not an installer image"));
		buf_free(&packed);
	}
	buf_free(&in);
	buf_free(&out);
	buf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_concatenated),
		cmocka_unit_test(test_damaged),
	};
	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
