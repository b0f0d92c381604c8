// SPDX-License-Identifier: GPL-2.0-only
/* The newc cpio reader and writer: round trips of every entry type, the exact bytes, hostile input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpio.h"
#include "testlib.h"
#include "util.h"

static struct cpio_entry entry(const char *name, uint32_t mode, const void *data, uint32_t size)
{
	return (struct cpio_entry){
		.ino = 100,
		.mode = mode,
		.nlink = 1,
		.mtime = 1325376000,
		.filesize = size,
		.name = name,
		.name_len = strlen(name),
		.data = data,
	};
}

static void write_ok(struct buf *out, const struct cpio_entry *e)
{
	assert_int_equal(cpio_write_entry(out, e), 0);
	assert_int_equal(out->len % 4, 0);
}

/* Reads every entry of @out into @ret (at most @max); returns the count. */
static size_t read_back(const struct buf *out, struct cpio_entry *ret, size_t max)
{
	struct cpio_reader r;
	size_t n = 0;
	int k;

	cpio_reader_init(&r, out->data, out->len);
	while ((k = cpio_next(&r, &ret[n])) == 1) {
		n++;
		assert_true(n <= max);
	}
	if (k != 0)
		fail_msg("reader failed: %s", r.error);
	return n;
}

static void assert_same(const struct cpio_entry *a, const struct cpio_entry *b)
{
	assert_int_equal(a->ino, b->ino);
	assert_int_equal(a->mode, b->mode);
	assert_int_equal(a->uid, b->uid);
	assert_int_equal(a->gid, b->gid);
	assert_int_equal(a->nlink, b->nlink);
	assert_int_equal(a->mtime, b->mtime);
	assert_int_equal(a->filesize, b->filesize);
	assert_int_equal(a->devmajor, b->devmajor);
	assert_int_equal(a->devminor, b->devminor);
	assert_int_equal(a->rdevmajor, b->rdevmajor);
	assert_int_equal(a->rdevminor, b->rdevminor);
	assert_int_equal(a->has_check, b->has_check);
	assert_int_equal(a->name_len, b->name_len);
	assert_memory_equal(a->name, b->name, a->name_len);
	if (a->filesize)
		assert_memory_equal(a->data, b->data, a->filesize);
}

/* Every file type, owners, modes, times, device numbers, hard links, sizes around the padding. */
static void test_round_trip(void **state)
{
	(void)state;
	static const char target[] = "../lib/busybox";
	char *big = xmalloc((1 << 20) + 3);
	struct cpio_entry in[16], out[16];
	struct buf b = BUF_INIT;
	size_t n = 0;

	for (size_t i = 0; i < (1 << 20) + 3; i++)
		big[i] = (char)(i * 7 + 3);
	in[n++] = entry(".", S_IFDIR | 0755, NULL, 0);
	in[n] = entry("etc/shadow", S_IFREG | 0600, "root::0:0:::::\n", 15);
	in[n].uid = 0;
	in[n++].gid = 42;
	in[n++] = entry("usr/bin/sudo", S_IFREG | 04755,
			"\x7f"
			"ELF",
			4);
	in[n++] = entry("tmp", S_IFDIR | 01777, NULL, 0);
	in[n++] = entry("empty", S_IFREG | 0644, NULL, 0);
	in[n++] = entry("big", S_IFREG | 0644, big, (1 << 20) + 3);
	in[n++] = entry("bin/sh", S_IFLNK | 0777, target, sizeof(target) - 1);
	in[n] = entry("dev/console", S_IFCHR | 0600, NULL, 0);
	in[n].rdevmajor = 5;
	in[n++].rdevminor = 1;
	in[n] = entry("dev/sda1", S_IFBLK | 0660, NULL, 0);
	in[n].rdevmajor = 8;
	in[n].rdevminor = 1;
	in[n++].gid = 6;
	in[n++] = entry("run/initctl", S_IFIFO | 0600, NULL, 0);
	in[n++] = entry("run/socket", S_IFSOCK | 0755, NULL, 0);
	/* A hard-link group of three: same inode, data on the last. */
	for (int i = 0; i < 3; i++) {
		static const char *const names[] = {"init", "bin/busybox", "sbin/init"};
		in[n] = entry(names[i], S_IFREG | 0755, i == 2 ? "busybox" : NULL, i == 2 ? 7 : 0);
		in[n].ino = 7;
		in[n].devmajor = 8;
		in[n].devminor = 3;
		in[n++].nlink = 3;
	}
	in[n] = entry("sum", S_IFREG | 0644, "abc", 3);
	in[n++].has_check = true;

	for (size_t i = 0; i < n; i++)
		write_ok(&b, &in[i]);
	cpio_write_trailer(&b, 0);
	assert_int_equal(b.len % 512, 0);
	assert_int_equal(read_back(&b, out, ARRAY_SIZE(out)), n);
	for (size_t i = 0; i < n; i++)
		assert_same(&in[i], &out[i]);
	/* The reader checked the sum; it is the byte sum of the data. */
	assert_int_equal(out[n - 1].check, 'a' + 'b' + 'c');
	assert_int_equal(out[0].offset, 0);
	assert_int_equal(out[1].offset, out[0].size);
	free(big);
	buf_free(&b);
}

/* Names of 1 to 4095 bytes, with every padding length; 4096 is refused on both sides. */
static void test_name_limits(void **state)
{
	(void)state;
	char name[CPIO_NAME_MAX + 2];
	struct cpio_entry e, got;
	struct buf b = BUF_INIT;

	for (size_t len = 1; len <= CPIO_NAME_MAX + 1; len++) {
		if (len > 8 && len < CPIO_NAME_MAX - 8)
			continue;
		memset(name, 'n', len);
		name[len] = '\0';
		e = entry(name, S_IFREG | 0644, "x", 1);
		buf_reset(&b);
		if (len > CPIO_NAME_MAX) {
			assert_int_equal(cpio_write_entry(&b, &e), -EINVAL);
			continue;
		}
		write_ok(&b, &e);
		cpio_write_trailer(&b, 0);
		assert_int_equal(read_back(&b, &got, 1), 1);
		assert_same(&e, &got);
	}
	/* A hand-made header announcing 4096 bytes of name (4097 with its NUL). */
	struct buf h = BUF_INIT;
	struct cpio_reader r;
	buf_printf(&h, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x", 1, 0100644, 0,
		   0, 1, 0, 0, 0, 0, 0, 0, CPIO_NAME_MAX + 2, 0);
	for (int i = 0; i < CPIO_NAME_MAX + 1; i++)
		buf_putc(&h, 'n');
	buf_append(&h, "\0\0\0\0", 4);
	cpio_reader_init(&r, h.data, h.len);
	assert_int_equal(cpio_next(&r, &got), -EINVAL);
	assert_non_null(strstr(r.error, "longer than the kernel's limit"));
	/* Empty names and names holding a NUL are refused by the writer. */
	e = entry("", S_IFREG, NULL, 0);
	assert_int_equal(cpio_write_entry(&b, &e), -EINVAL);
	e = entry("a", S_IFREG, NULL, 0);
	e.name = "a\0b";
	e.name_len = 3;
	assert_int_equal(cpio_write_entry(&b, &e), -EINVAL);
	e = entry("a", S_IFREG, NULL, 5);
	assert_int_equal(cpio_write_entry(&b, &e), -EINVAL);
	buf_free(&h);
	buf_free(&b);
}

/* The bytes GNU cpio writes: lower-case hex, the name's NUL counted, padding to 4 and to 512. */
static void test_exact_bytes(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	struct cpio_entry e = entry("init", S_IFREG | 0755, "#!/bin/sh\n", 10);

	e.ino = 0x1234abcd;
	e.uid = 1000;
	e.gid = 100;
	e.devmajor = 8;
	e.devminor = 1;
	write_ok(&b, &e);
	static const char expect[] = "070701"
				     "1234abcd"
				     "000081ed"
				     "000003e8"
				     "00000064"
				     "00000001"
				     "4effa200"
				     "0000000a"
				     "00000008"
				     "00000001"
				     "00000000"
				     "00000000"
				     "00000005"
				     "00000000"
				     "init\0"
				     "\0"
				     "#!/bin/sh\n"
				     "\0\0";
	assert_int_equal(b.len, sizeof(expect) - 1);
	assert_memory_equal(b.data, expect, sizeof(expect) - 1);

	size_t before = b.len;
	cpio_write_trailer(&b, 0);
	assert_memory_equal(b.data + before,
			    "07070100000000000000000000000000000000000000010000000000000000"
			    "000000000000000000000000000000000000000b00000000TRAILER!!!\0\0\0\0",
			    CPIO_HEADER_SIZE + 11 + 3);
	assert_int_equal(b.len, 512);
	for (size_t i = before + CPIO_HEADER_SIZE + 14; i < b.len; i++)
		assert_int_equal(b.data[i], 0);
	buf_free(&b);
}

static struct buf sample(void)
{
	struct buf b = BUF_INIT;
	struct cpio_entry e = entry("opt", S_IFDIR | 0755, NULL, 0);

	write_ok(&b, &e);
	e = entry("opt/file", S_IFREG | 0644, "hello", 5);
	write_ok(&b, &e);
	cpio_write_trailer(&b, 0);
	return b;
}

static int read_all_status(const void *data, size_t len, char *error, size_t errlen)
{
	struct cpio_reader r;
	struct cpio_entry e;
	int k;

	cpio_reader_init(&r, data, len);
	while ((k = cpio_next(&r, &e)) == 1) {
		/* Whatever it accepts lies inside the buffer. */
		assert_true(e.offset + e.size <= len);
		assert_true((const unsigned char *)e.name >= (const unsigned char *)data);
		assert_true(e.data + e.filesize <= (const unsigned char *)data + len);
		assert_int_equal(e.name[e.name_len], '\0');
	}
	snprintf(error, errlen, "%s", r.error);
	return k;
}

static void expect_error(const void *data, size_t len, const char *what)
{
	char error[256];

	assert_int_equal(read_all_status(data, len, error, sizeof(error)), -EINVAL);
	if (!strstr(error, what))
		fail_msg("error \"%s\" does not say \"%s\"", error, what);
}

/* Every prefix of an archive short of its trailer is refused, and says why. */
static void test_truncated(void **state)
{
	(void)state;
	struct buf b = sample();
	size_t trailer_end = b.len;
	char error[256];

	/* The trailer entry ends after its name's NUL and the padding to 4; zeros follow. */
	while (trailer_end > 0 && b.data[trailer_end - 1] == 0)
		trailer_end--;
	size_t complete = (trailer_end + 1 + 3) & ~(size_t)3;
	for (size_t len = 0; len <= b.len; len++) {
		int k = read_all_status(b.data, len, error, sizeof(error));
		if (k != (len < complete ? -EINVAL : 0))
			fail_msg("a prefix of %zu bytes: %d (%s)", len, k, error);
	}
	expect_error(b.data, 0, "empty");
	expect_error(b.data, 50, "truncated header");
	expect_error(b.data, CPIO_HEADER_SIZE + 2, "truncated name");
	size_t second = 0;
	struct cpio_reader r;
	struct cpio_entry e;
	cpio_reader_init(&r, b.data, b.len);
	assert_int_equal(cpio_next(&r, &e), 1);
	second = r.pos;
	expect_error(b.data, second, "without its TRAILER!!!");
	expect_error(b.data, second + CPIO_HEADER_SIZE + 12 + 2, "data of \"opt/file\" truncated");
	buf_free(&b);
}

static void put_field(struct buf *b, int field, uint32_t value)
{
	char hex[9];

	snprintf(hex, sizeof(hex), "%08x", value);
	memcpy(b->data + 6 + 8 * field, hex, 8);
}

/* Headers that lie: magic, digits, sizes far beyond the buffer, names without their NUL. */
static void test_hostile_headers(void **state)
{
	(void)state;
	struct buf b = sample();

	memcpy(b.data, "070707", 6);
	expect_error(b.data, b.len, "odc");
	memcpy(b.data, "\xc7\x71", 2);
	expect_error(b.data, b.len, "binary cpio");
	memcpy(b.data, "PK\x03\x04", 4);
	expect_error(b.data, b.len, "not a newc cpio archive");
	buf_free(&b);

	b = sample();
	b.data[6 + 8 + 3] = 'g';
	expect_error(b.data, b.len, "field mode is not 8 hexadecimal digits");
	buf_free(&b);

	b = sample();
	put_field(&b, 11, 0);
	expect_error(b.data, b.len, "without a name");
	put_field(&b, 11, 0xffffffff);
	expect_error(b.data, b.len, "longer than the kernel's limit");
	buf_free(&b);

	b = sample();
	put_field(&b, 6, 0xffffffff);
	expect_error(b.data, b.len, "truncated (4294967295 bytes announced");
	put_field(&b, 6, 0xfffffffc);
	expect_error(b.data, b.len, "truncated");
	buf_free(&b);

	/* "opt" announced as 3 bytes with its NUL: the NUL is not where it should be. */
	b = sample();
	put_field(&b, 11, 3);
	expect_error(b.data, b.len, "does not end with its NUL");
	put_field(&b, 11, 5);
	expect_error(b.data, b.len, "has a NUL before its end");
	buf_free(&b);

	/* A checksummed entry whose data changed. */
	b = (struct buf)BUF_INIT;
	struct cpio_entry e = entry("x", S_IFREG | 0644, "data", 4);
	e.has_check = true;
	write_ok(&b, &e);
	cpio_write_trailer(&b, 0);
	b.data[CPIO_HEADER_SIZE + 4] = 'D';
	expect_error(b.data, b.len, "checksum of \"x\" does not match");
	buf_free(&b);

	/* Control characters in names are not printed as they are. */
	b = (struct buf)BUF_INIT;
	e = entry("a\033[2Jb", S_IFREG | 0644, "data", 4);
	write_ok(&b, &e);
	expect_error(b.data, b.len, "without its TRAILER!!!");
	put_field(&b, 6, 100);
	expect_error(b.data, b.len, "data of \"a?[2Jb\" truncated");
	buf_free(&b);
}

/* What may follow a trailer: zero padding, or another archive at a multiple of 4. */
static void test_after_trailer(void **state)
{
	(void)state;
	struct buf b = sample(), two = BUF_INIT;
	struct cpio_entry got[8];

	buf_append(&two, b.data, b.len);
	buf_append(&two, "\0\0\0\0", 4);
	struct cpio_entry e = entry("answerfile.xml", S_IFREG | 0644, "<x/>", 4);
	write_ok(&two, &e);
	cpio_write_trailer(&two, b.len + 4);
	assert_int_equal(read_back(&two, got, ARRAY_SIZE(got)), 3);
	assert_int_equal(got[1].archive, 0);
	assert_int_equal(got[2].archive, 1);
	assert_string_equal(got[2].name, "answerfile.xml");

	buf_reset(&two);
	buf_append(&two, b.data, b.len);
	buf_append(&two, "\0\0", 2);
	assert_int_equal(cpio_write_entry(&two, &e), 0);
	expect_error(two.data, two.len, "does not start at a multiple of 4");

	buf_reset(&two);
	buf_append(&two, b.data, b.len);
	buf_puts(&two, "junk");
	expect_error(two.data, two.len, "not another cpio archive");
	buf_free(&two);
	buf_free(&b);
}

/* Random damage to a valid archive: the reader answers, never reads outside the buffer. */
static void test_random_damage(void **state)
{
	(void)state;
	struct buf b = sample();
	unsigned char *copy = xmalloc(b.len);
	uint32_t seed = 12345;
	char error[256];

	for (int round = 0; round < 20000; round++) {
		memcpy(copy, b.data, b.len);
		int flips = 1 + round % 4;
		for (int i = 0; i < flips; i++) {
			seed = seed * 1103515245 + 12345;
			size_t at = (seed >> 8) % b.len;
			seed = seed * 1103515245 + 12345;
			static const char digits[] = "0123456789abcdef\0f";
			copy[at] = round % 3 == 0 ? (unsigned char)digits[(seed >> 8) % 18]
						  : (unsigned char)(seed >> 16);
		}
		seed = seed * 1103515245 + 12345;
		size_t len = round % 5 == 0 ? (seed >> 8) % (b.len + 1) : b.len;
		/* A fresh allocation of exactly len bytes, so ASan sees any read past it. */
		unsigned char *exact = xmalloc(len ? len : 1);
		memcpy(exact, copy, len);
		int k = read_all_status(exact, len, error, sizeof(error));
		assert_true(k == 0 || k == -EINVAL);
		free(exact);
	}
	free(copy);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),	cmocka_unit_test(test_name_limits),
		cmocka_unit_test(test_exact_bytes),	cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_hostile_headers), cmocka_unit_test(test_after_trailer),
		cmocka_unit_test(test_random_damage),
	};
	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
