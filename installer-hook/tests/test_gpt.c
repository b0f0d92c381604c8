// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tests of the GPT reader on sparse image files, written both by
 * gpt_write_image() and by the host's sgdisk (which works on plain files, so
 * no loop devices or kernel GPT support are needed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gpt.h"
#include "testlib.h"
#include "util.h"

/* A typical "500 GB" disk: 500107862016 bytes. */
#define XS_DISK_SECTORS UINT64_C(976773168)
/* Small fixtures: 64 MiB. */
#define FIX_BYTES (UINT64_C(64) << 20)

#define DISK_GUID_TEXT "4F6B3B2E-9A61-4C5D-8E0F-1A2B3C4D5E6F"

/* Header and entry field offsets, as the UEFI spec defines them. */
enum {
	HDR_REVISION = 8,
	HDR_HEADER_SIZE = 12,
	HDR_HEADER_CRC = 16,
	HDR_MY_LBA = 24,
	HDR_ALTERNATE_LBA = 32,
	HDR_FIRST_USABLE = 40,
	HDR_LAST_USABLE = 48,
	HDR_DISK_GUID = 56,
	HDR_ENTRY_LBA = 72,
	HDR_ENTRY_COUNT = 80,
	HDR_ENTRY_SIZE = 84,
	HDR_ENTRY_CRC = 88,
	ENT_FIRST_LBA = 32,
	ENT_LAST_LBA = 40,
	ENT_NAME = 56,
};

/* --- helpers ----------------------------------------------------------------- */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void put_le(uint8_t *p, uint64_t v, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static bool have_tool(const char *name)
{
	const char *argv[] = {name, "--version", NULL};

	return test_run(argv) == 0;
}

static void run_ok(const char *const argv[])
{
	int status = test_run(argv);

	if (status != 0)
		fail_msg("'%s' exited with %d", argv[0], status);
}

/* Creates a sparse file of @bytes in a fresh directory; the caller frees the path. */
static char *make_image(const char *name, uint64_t bytes)
{
	char *dir = test_mkdtemp();
	char *path = path_join(dir, name);
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)bytes), 0);
	close(fd);
	free(dir);
	return path;
}

static void resize_image(const char *path, uint64_t bytes)
{
	assert_int_equal(truncate(path, (off_t)bytes), 0);
}

static void read_at(const char *path, uint64_t off, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static void write_at(const char *path, uint64_t off, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static void flip_byte(const char *path, uint64_t off)
{
	uint8_t b;

	read_at(path, off, &b, 1);
	b ^= 0xFF;
	write_at(path, off, &b, 1);
}

static int read_image_sized(const char *path, uint64_t size, uint32_t sector_size,
			    struct gpt_table *t)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	assert_true(fd >= 0);
	r = gpt_read(fd, size, sector_size, t);
	close(fd);
	return r;
}

static int read_image(const char *path, uint32_t sector_size, struct gpt_table *t)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return read_image_sized(path, (uint64_t)st.st_size, sector_size, t);
}

static struct gpt_table *new_table(void)
{
	return xcalloc(1, sizeof(struct gpt_table));
}

/* Recomputes the header CRC of the header at @lba, as a tool would after editing it. */
static void fix_header_crc(const char *path, uint32_t ss, uint64_t lba)
{
	uint8_t *s = xmalloc(ss);
	uint32_t size;

	read_at(path, lba * ss, s, ss);
	size = le32(s + HDR_HEADER_SIZE);
	if (size < 92 || size > ss)
		size = 92; /* the reader rejects it before looking at the CRC */
	put_le(s + HDR_HEADER_CRC, 0, 4);
	put_le(s + HDR_HEADER_CRC, gpt_crc32(s, size), 4);
	write_at(path, lba * ss, s, ss);
	free(s);
}

/* Sets a field of the header at @lba and makes its CRC right again. */
static void set_header_field(const char *path, uint32_t ss, uint64_t lba, size_t off,
			     unsigned width, uint64_t value)
{
	uint8_t buf[8];

	put_le(buf, value, width);
	write_at(path, lba * ss + off, buf, width);
	fix_header_crc(path, ss, lba);
}

/* Recomputes the entry array CRC in the header at @lba, then the header CRC. */
static void fix_entries_crc(const char *path, uint32_t ss, uint64_t lba)
{
	uint8_t *s = xmalloc(ss), *entries;
	size_t len;

	read_at(path, lba * ss, s, ss);
	len = (size_t)le32(s + HDR_ENTRY_COUNT) * le32(s + HDR_ENTRY_SIZE);
	entries = xmalloc(len);
	read_at(path, le64(s + HDR_ENTRY_LBA) * ss, entries, len);
	set_header_field(path, ss, lba, HDR_ENTRY_CRC, 4, gpt_crc32(entries, len));
	free(entries);
	free(s);
}

/* Writes @len bytes at @off inside entry @number of both arrays, then fixes all CRCs. */
static void patch_entry(const char *path, uint32_t ss, uint64_t last_lba, unsigned number,
			size_t off, const void *data, size_t len)
{
	const uint64_t headers[2] = {1, last_lba};

	for (size_t i = 0; i < 2; i++) {
		uint8_t s[96];

		read_at(path, headers[i] * ss, s, sizeof(s));
		write_at(path, le64(s + HDR_ENTRY_LBA) * ss + (number - 1) * 128 + off, data, len);
		fix_entries_crc(path, ss, headers[i]);
	}
}

static void guid(const char *text, struct gpt_guid *g)
{
	assert_int_equal(gpt_guid_parse(text, g), 0);
}

static void assert_guid(const struct gpt_guid *g, const char *expected)
{
	char s[37];

	gpt_guid_format(g, s);
	assert_string_equal(s, expected);
}

/* The GUID after @label in the output of @argv (sgdisk -p / -i). */
static void tool_guid(const char *const argv[], const char *label, char out[37])
{
	char *text = NULL;
	const char *p;

	assert_int_equal(test_run_capture(argv, &text), 0);
	p = strstr(text, label);
	if (!p)
		fail_msg("no '%s' in the output of %s", label, argv[0]);
	p += strlen(label);
	memcpy(out, p, 36);
	out[36] = '\0';
	free(text);
}

/*
 * The fixture gpt_write_image writes: XenServer 6.0's three partitions at a
 * small scale, with names, the legacy-BIOS-bootable bit on p1, and entry 3
 * left empty so that entry numbers are not simply positions.
 */
static size_t fixture_parts(struct gpt_partition p[3], uint64_t first_usable, uint64_t last_usable)
{
	memset(p, 0, 3 * sizeof(*p));
	p[0].number = 1;
	p[0].type = GPT_TYPE_BASIC_DATA;
	guid("11111111-2222-4333-8444-555555555555", &p[0].unique);
	p[0].first_lba = first_usable;
	p[0].last_lba = first_usable + 4095;
	p[0].attributes = GPT_ATTR_LEGACY_BIOS_BOOTABLE;
	strcpy(p[0].name, "root");
	p[1].number = 2;
	p[1].type = GPT_TYPE_BASIC_DATA;
	guid("A1B2C3D4-E5F6-4708-9A0B-0C0D0E0F1011", &p[1].unique);
	p[1].first_lba = first_usable + 4096;
	p[1].last_lba = first_usable + 8191;
	strcpy(p[1].name, "backup \xc3\xbc"); /* "backup ü" */
	p[2].number = 4;
	p[2].type = GPT_TYPE_LINUX_LVM;
	guid("DEADBEEF-0000-4000-8000-00000000CAFE", &p[2].unique);
	p[2].first_lba = first_usable + 8192;
	p[2].last_lba = last_usable;
	p[2].attributes = UINT64_C(1) << 60;
	return 3;
}

static void write_fixture(const char *path, uint32_t ss)
{
	struct gpt_partition parts[3];
	struct gpt_guid disk;
	uint64_t sectors = FIX_BYTES / ss, table = 16384 / ss;
	size_t n = fixture_parts(parts, 2 + table, sectors - 2 - table);
	int fd = open(path, O_RDWR | O_CLOEXEC);

	assert_true(fd >= 0);
	guid(DISK_GUID_TEXT, &disk);
	assert_int_equal(gpt_write_image(fd, ss, sectors, &disk, parts, n), 0);
	close(fd);
}

static char *fixture_image(uint32_t ss)
{
	char *path = make_image("fixture.img", FIX_BYTES);

	write_fixture(path, ss);
	return path;
}

/* Checks that @t is exactly the fixture for sector size @ss. */
static void assert_fixture(const struct gpt_table *t, uint32_t ss)
{
	uint64_t sectors = FIX_BYTES / ss, table = 16384 / ss;
	struct gpt_partition want[3];
	size_t n = fixture_parts(want, 2 + table, sectors - 2 - table);

	assert_int_equal(t->sector_size, ss);
	assert_int_equal(t->disk_sectors, sectors);
	assert_guid(&t->disk_guid, DISK_GUID_TEXT);
	assert_int_equal(t->first_usable_lba, 2 + table);
	assert_int_equal(t->last_usable_lba, sectors - 2 - table);
	assert_int_equal(t->entry_count, 128);
	assert_int_equal(t->entry_size, 128);
	assert_true(t->protective_mbr);
	assert_false(t->pmbr_boot_flag);
	assert_int_equal(t->n_partitions, n);
	for (size_t i = 0; i < n; i++) {
		const struct gpt_partition *p = &t->partitions[i];

		assert_int_equal(p->number, want[i].number);
		assert_true(gpt_guid_equal(&p->type, &want[i].type));
		assert_true(gpt_guid_equal(&p->unique, &want[i].unique));
		assert_int_equal(p->first_lba, want[i].first_lba);
		assert_int_equal(p->last_lba, want[i].last_lba);
		assert_int_equal(p->attributes, want[i].attributes);
		assert_string_equal(p->name, want[i].name);
	}
}

/* --- CRC32, GUIDs, type codes ---------------------------------------------------- */

static void test_crc32_vectors(void **state)
{
	static const char fox[] = "The quick brown fox jumps over the lazy dog";
	uint8_t zeros[32] = {0};

	(void)state;
	assert_int_equal(gpt_crc32("123456789", 9), 0xCBF43926);
	assert_int_equal(gpt_crc32("", 0), 0x00000000);
	assert_int_equal(gpt_crc32("a", 1), 0xE8B7BE43);
	assert_int_equal(gpt_crc32(fox, strlen(fox)), 0x414FA339);
	assert_int_equal(gpt_crc32(zeros, sizeof(zeros)), 0x190A55AD);
}

static void test_guid_round_trip(void **state)
{
	struct gpt_guid g;
	char s[37];

	(void)state;
	/* Mixed-endian: the first three fields are stored little-endian. */
	assert_int_equal(gpt_guid_parse("0fc63daf-8483-4772-8e79-3d69d8477de4", &g), 0);
	static const uint8_t disk[16] = {0xAF, 0x3D, 0xC6, 0x0F, 0x83, 0x84, 0x72, 0x47,
					 0x8E, 0x79, 0x3D, 0x69, 0xD8, 0x47, 0x7D, 0xE4};
	assert_memory_equal(g.b, disk, 16);
	assert_true(gpt_guid_equal(&g, &GPT_TYPE_LINUX_FS));
	gpt_guid_format(&g, s);
	assert_string_equal(s, "0FC63DAF-8483-4772-8E79-3D69D8477DE4");
	assert_false(gpt_guid_is_zero(&g));

	assert_int_equal(gpt_guid_parse("00000000-0000-0000-0000-000000000000", &g), 0);
	assert_true(gpt_guid_is_zero(&g));

	assert_guid(&GPT_TYPE_BASIC_DATA, "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7");
	assert_guid(&GPT_TYPE_LINUX_LVM, "E6D6D379-F507-44C2-A23C-238F2A3DF928");
	assert_guid(&GPT_TYPE_LINUX_RAID, "A19D880F-05FC-4D3B-A006-743F0F84911E");
	assert_guid(&GPT_TYPE_LINUX_FS, "0FC63DAF-8483-4772-8E79-3D69D8477DE4");
	assert_guid(&GPT_TYPE_LINUX_RESERVED, "8DA63339-0007-60C0-C436-083AC8230908");
	assert_int_equal(GPT_TYPE_BASIC_DATA.b[0], 0xA2);
	assert_int_equal(GPT_TYPE_BASIC_DATA.b[15], 0xC7);
}

static void test_guid_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"0FC63DAF-8483-4772-8E79-3D69D8477DE",	 /* short */
		"0FC63DAF-8483-4772-8E79-3D69D8477DE4 ", /* trailing */
		"0FC63DAF-8483-4772-8E79-3D69D8477DE44",
		"{0FC63DAF-8483-4772-8E79-3D69D8477DE4}",
		"0FC63DAF84834772-8E79-3D69D8477DE4-",
		"0FC63DAF_8483-4772-8E79-3D69D8477DE4",
		"0FC63DAG-8483-4772-8E79-3D69D8477DE4",
		"0FC63DA-F8483-4772-8E79-3D69D8477DE4",
		"0FC63DAF-8483-4772-8E79-3D69D8477D\xc3\xa4",
		" 0FC63DAF-8483-4772-8E79-3D69D8477DE4",
		"0FC63DAF-8483-4772-8E79+3D69D8477DE4",
	};
	struct gpt_guid g, orig;

	(void)state;
	memset(&orig, 0x5A, sizeof(orig));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		g = orig;
		if (gpt_guid_parse(bad[i], &g) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
		assert_memory_equal(&g, &orig, sizeof(g)); /* untouched on failure */
	}
	assert_int_equal(gpt_guid_parse(NULL, &g), -EINVAL);
}

static void test_type_codes(void **state)
{
	struct gpt_guid g;

	(void)state;
	assert_string_equal(gpt_type_code(&GPT_TYPE_BASIC_DATA), "0700");
	assert_string_equal(gpt_type_code(&GPT_TYPE_LINUX_LVM), "8e00");
	assert_string_equal(gpt_type_code(&GPT_TYPE_LINUX_RAID), "fd00");
	assert_string_equal(gpt_type_code(&GPT_TYPE_LINUX_FS), "8300");
	assert_string_equal(gpt_type_code(&GPT_TYPE_LINUX_RESERVED), "8301");
	guid("C12A7328-F81F-11D2-BA4B-00A0C93EC93B", &g); /* EFI system, not mapped */
	assert_null(gpt_type_code(&g));
	memset(&g, 0, sizeof(g));
	assert_null(gpt_type_code(&g));
}

/* --- sgdisk-made tables --------------------------------------------------------- */

static void test_xenserver_602_layout(void **state)
{
	struct gpt_table *t = new_table();
	char *img, disk_guid[37], uniq[3][37];
	static const char *const nums[3] = {"1", "2", "3"};
	uint8_t boot = 0x80;

	(void)state;
	if (!have_tool("sgdisk"))
		skip();
	img = make_image("xs602.img", XS_DISK_SECTORS * 512);
	{
		const char *argv[] = {"sgdisk",
				      "-a",
				      "1",
				      "--new=1:34:8388641",
				      "--typecode=1:0700",
				      "--attributes=1:set:2",
				      "--new=2:8388642:16777249",
				      "--typecode=2:0700",
				      "--new=3:16777250:0",
				      "--typecode=3:8e00",
				      img,
				      NULL};
		run_ok(argv);
	}
	{
		const char *argv[] = {"sgdisk", "-p", img, NULL};
		tool_guid(argv, "Disk identifier (GUID): ", disk_guid);
	}
	for (size_t i = 0; i < 3; i++) {
		const char *argv[] = {"sgdisk", "-i", nums[i], img, NULL};
		tool_guid(argv, "Partition unique GUID: ", uniq[i]);
	}

	assert_int_equal(read_image(img, 512, t), 0);
	assert_false(t->pmbr_boot_flag); /* sgdisk leaves the 0xEE entry inactive */

	/* The installer then marks the protective entry active (CA-54144). */
	if (have_tool("sfdisk")) {
		const char *argv[] = {"sfdisk", "--activate", img, "1", NULL};
		run_ok(argv);
	} else {
		write_at(img, 446, &boot, 1);
	}
	memset(t, 0, sizeof(*t));
	assert_int_equal(read_image(img, 512, t), 0);

	assert_int_equal(t->sector_size, 512);
	assert_int_equal(t->disk_sectors, XS_DISK_SECTORS);
	assert_guid(&t->disk_guid, disk_guid);
	assert_int_equal(t->first_usable_lba, 34);
	assert_int_equal(t->last_usable_lba, XS_DISK_SECTORS - 34);
	assert_int_equal(t->entry_count, 128);
	assert_int_equal(t->entry_size, 128);
	assert_true(t->primary_valid);
	assert_true(t->backup_valid);
	assert_true(t->protective_mbr);
	assert_true(t->pmbr_boot_flag);
	assert_int_equal(t->n_warnings, 0);
	assert_int_equal(t->n_partitions, 3);

	assert_int_equal(t->partitions[0].number, 1);
	assert_int_equal(t->partitions[0].first_lba, 34);
	assert_int_equal(t->partitions[0].last_lba, 8388641);
	assert_true(gpt_guid_equal(&t->partitions[0].type, &GPT_TYPE_BASIC_DATA));
	assert_int_equal(t->partitions[0].attributes, GPT_ATTR_LEGACY_BIOS_BOOTABLE);
	assert_string_equal(t->partitions[0].name, "");

	assert_int_equal(t->partitions[1].number, 2);
	assert_int_equal(t->partitions[1].first_lba, 8388642);
	assert_int_equal(t->partitions[1].last_lba, 16777249);
	assert_true(gpt_guid_equal(&t->partitions[1].type, &GPT_TYPE_BASIC_DATA));
	assert_int_equal(t->partitions[1].attributes, 0);
	assert_string_equal(t->partitions[1].name, "");

	assert_int_equal(t->partitions[2].number, 3);
	assert_int_equal(t->partitions[2].first_lba, 16777250);
	assert_int_equal(t->partitions[2].last_lba, XS_DISK_SECTORS - 34);
	assert_true(gpt_guid_equal(&t->partitions[2].type, &GPT_TYPE_LINUX_LVM));
	assert_int_equal(t->partitions[2].attributes, 0);
	assert_string_equal(t->partitions[2].name, "");

	for (size_t i = 0; i < 3; i++)
		assert_guid(&t->partitions[i].unique, uniq[i]);
	assert_string_equal(gpt_type_code(&t->partitions[0].type), "0700");
	assert_string_equal(gpt_type_code(&t->partitions[2].type), "8e00");
	/* 4 GiB each, like constants.root_size. */
	assert_int_equal((t->partitions[0].last_lba - t->partitions[0].first_lba + 1) * 512,
			 UINT64_C(4096) << 20);
	assert_ptr_equal(gpt_find(t, 2), &t->partitions[1]);
	assert_null(gpt_find(t, 4));
	assert_null(gpt_find(t, 0));
	free(img);
	free(t);
}

static void test_sgdisk_names(void **state)
{
	struct gpt_table *t = new_table();
	char *img;
	char long_root[41 * 3 + 1] = "", want_root[36 * 3 + 1] = "";

	(void)state;
	if (!have_tool("sgdisk"))
		skip();
	for (int i = 0; i < 40; i++)
		strcat(long_root, "\xe2\x88\x9a"); /* √ */
	for (int i = 0; i < 36; i++)
		strcat(want_root, "\xe2\x88\x9a");
	img = make_image("names.img", UINT64_C(256) << 20);
	{
		char *c3 = xasprintf("3:%s", long_root);
		const char *argv[] = {"sgdisk",
				      "-n",
				      "1:0:+16M",
				      "-c",
				      "1:\xc3\x9cmlaut-\xe2\x88\x9a",
				      "-n",
				      "2:0:+16M",
				      "-c",
				      "2:a\xf0\x9f\x98\x80"
				      "b",
				      "-n",
				      "3:0:+16M",
				      "-c",
				      c3,
				      "-n",
				      "4:0:+16M",
				      "-c",
				      "4:xsraid root (mirror)",
				      img,
				      NULL};
		run_ok(argv);
		free(c3);
	}
	assert_int_equal(read_image(img, 512, t), 0);
	assert_int_equal(t->n_partitions, 4);
	assert_string_equal(t->partitions[0].name, "\xc3\x9cmlaut-\xe2\x88\x9a"); /* Ümlaut-√ */
	/* An astral character is a surrogate pair on disk. */
	assert_string_equal(t->partitions[1].name, "a\xf0\x9f\x98\x80"
						   "b");
	/* sgdisk keeps 36 UTF-16 units of a longer name and writes no terminator. */
	assert_string_equal(t->partitions[2].name, want_root);
	assert_int_equal(strlen(t->partitions[2].name), GPT_NAME_MAX * 3);
	assert_string_equal(t->partitions[3].name, "xsraid root (mirror)");
	/* sgdisk's default alignment and type without -a and -t. */
	assert_int_equal(t->partitions[0].first_lba, 2048);
	assert_true(gpt_guid_equal(&t->partitions[0].type, &GPT_TYPE_LINUX_FS));
	free(img);
	free(t);
}

static void test_name_decoding_edge_cases(void **state)
{
	struct gpt_table *t = new_table();
	char *img = fixture_image(512);
	uint64_t last = FIX_BYTES / 512 - 1;
	uint8_t name[72] = {0};
	char want[GPT_NAME_MAX * 3 + 1];

	(void)state;
	/* Lone low surrogate, high surrogate followed by a letter, then a valid pair. */
	static const uint16_t units[] = {'x', 0xDC00, 'y', 0xD83D, 'z', 0xD83D, 0xDE00, 0};
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		put_le(name + 2 * i, units[i], 2);
	patch_entry(img, 512, last, 1, ENT_NAME, name, sizeof(name));

	/* 35 letters and a high surrogate in the last unit: its pair is cut off. */
	for (size_t i = 0; i < 35; i++)
		put_le(name + 2 * i, 'a' + (i % 26), 2);
	put_le(name + 70, 0xD800, 2);
	patch_entry(img, 512, last, 2, ENT_NAME, name, sizeof(name));

	assert_int_equal(read_image(img, 512, t), 0);
	assert_true(t->primary_valid);
	assert_true(t->backup_valid);
	assert_string_equal(t->partitions[0].name,
			    "x\xef\xbf\xbdy\xef\xbf\xbdz\xf0\x9f\x98\x80"); /* x�y�z😀 */
	for (size_t i = 0; i < 35; i++)
		want[i] = (char)('a' + (i % 26));
	strcpy(want + 35, "\xef\xbf\xbd");
	assert_string_equal(t->partitions[1].name, want);

	/* The same in entry 128, the last of the array: nothing may be read past it. */
	{
		struct gpt_partition p = {.number = 128, .first_lba = 100, .last_lba = 199};
		struct gpt_guid disk;
		int fd = open(img, O_RDWR | O_CLOEXEC);

		assert_true(fd >= 0);
		p.type = GPT_TYPE_LINUX_RAID;
		guid(DISK_GUID_TEXT, &disk);
		assert_int_equal(gpt_write_image(fd, 512, FIX_BYTES / 512, &disk, &p, 1), 0);
		close(fd);
	}
	patch_entry(img, 512, last, 128, ENT_NAME, name, sizeof(name));
	memset(t, 0, sizeof(*t));
	assert_int_equal(read_image(img, 512, t), 0);
	assert_int_equal(t->n_partitions, 1);
	assert_int_equal(t->partitions[0].number, 128);
	assert_string_equal(t->partitions[0].name, want);
	free(img);
	free(t);
}

/* --- damaged tables --------------------------------------------------------------- */

static void test_primary_corrupt_uses_backup(void **state)
{
	struct gpt_table *t = new_table();
	char *img;
	char disk_guid[37];

	(void)state;
	if (!have_tool("sgdisk"))
		skip();
	img = make_image("p.img", UINT64_C(1) << 30);
	{
		const char *argv[] = {"sgdisk", "-a",	   "1",	 "-n",	       "1:34:100000",
				      "-A",	"1:set:2", "-n", "2:100001:0", "-t",
				      "2:fd00", img,	   NULL};
		run_ok(argv);
	}
	{
		const char *argv[] = {"sgdisk", "-p", img, NULL};
		tool_guid(argv, "Disk identifier (GUID): ", disk_guid);
	}
	flip_byte(img, 512 + HDR_DISK_GUID + 3);
	assert_int_equal(read_image(img, 512, t), 0);
	assert_false(t->primary_valid);
	assert_true(t->backup_valid);
	assert_guid(&t->disk_guid, disk_guid); /* the backup's, not the flipped one */
	assert_int_equal(t->n_warnings, 1);
	assert_string_equal(t->warnings[0],
			    "primary GPT header is corrupt or missing: header CRC mismatch");
	assert_int_equal(t->n_partitions, 2);
	assert_int_equal(t->partitions[0].first_lba, 34);
	assert_int_equal(t->partitions[0].last_lba, 100000);
	assert_int_equal(t->partitions[0].attributes, 4);
	assert_int_equal(t->partitions[1].first_lba, 100001);
	assert_int_equal(t->partitions[1].last_lba, (UINT64_C(1) << 21) - 34);
	assert_true(gpt_guid_equal(&t->partitions[1].type, &GPT_TYPE_LINUX_RAID));

	/* Without the signature the primary is "missing", and still the backup serves. */
	flip_byte(img, 512 + HDR_DISK_GUID + 3);
	flip_byte(img, 512);
	memset(t, 0, sizeof(*t));
	assert_int_equal(read_image(img, 512, t), 0);
	assert_false(t->primary_valid);
	assert_true(t->backup_valid);
	assert_string_equal(t->warnings[0],
			    "primary GPT header is corrupt or missing: no GPT signature at LBA 1");
	free(img);
	free(t);
}

static void test_backup_corrupt_uses_primary(void **state)
{
	struct gpt_table *t = new_table();
	char *img = fixture_image(512);
	uint64_t last = FIX_BYTES / 512 - 1;

	(void)state;
	flip_byte(img, last * 512 + HDR_FIRST_USABLE);
	assert_int_equal(read_image(img, 512, t), 0);
	assert_true(t->primary_valid);
	assert_false(t->backup_valid);
	assert_int_equal(t->n_warnings, 1);
	assert_string_equal(t->warnings[0],
			    "backup GPT header is corrupt or missing: header CRC mismatch");
	assert_fixture(t, 512);

	/* Entirely gone (zeroed), e.g. by a tool that only knows MBR. */
	{
		uint8_t zero[512] = {0};
		write_at(img, last * 512, zero, sizeof(zero));
	}
	memset(t, 0, sizeof(*t));
	assert_int_equal(read_image(img, 512, t), 0);
	assert_false(t->backup_valid);
	assert_string_equal(
		t->warnings[0],
		"backup GPT header is corrupt or missing: no GPT signature at LBA 131071");
	assert_fixture(t, 512);
	free(img);
	free(t);
}

static void test_both_corrupt(void **state)
{
	struct gpt_table *t = new_table(), *orig = new_table();
	char *img = fixture_image(512);
	uint64_t last = FIX_BYTES / 512 - 1;

	(void)state;
	flip_byte(img, 512 + HDR_LAST_USABLE);
	flip_byte(img, last * 512 + HDR_MY_LBA);
	memset(t, 0xA5, sizeof(*t));
	memset(orig, 0xA5, sizeof(*orig));
	assert_int_equal(read_image(img, 512, t), -EBADMSG);
	assert_memory_equal(t, orig, sizeof(*t)); /* @ret untouched on failure */
	free(img);
	free(orig);
	free(t);
}

static void test_entry_array_crc(void **state)
{
	struct gpt_table *t = new_table();
	char *img = fixture_image(512);
	uint64_t last = FIX_BYTES / 512 - 1;

	(void)state;
	/* A flipped byte in the primary array (partition 1's name). */
	flip_byte(img, 2 * 512 + ENT_NAME);
	assert_int_equal(read_image(img, 512, t), 0);
	assert_false(t->primary_valid);
	assert_true(t->backup_valid);
	assert_string_equal(
		t->warnings[0],
		"primary GPT header is corrupt or missing: partition entry array CRC mismatch");
	assert_string_equal(t->partitions[0].name, "root");
	flip_byte(img, 2 * 512 + ENT_NAME);

	/* The backup array's CRC field is wrong but its header CRC is right. */
	set_header_field(img, 512, last, HDR_ENTRY_CRC, 4, 0x12345678);
	memset(t, 0, sizeof(*t));
	assert_int_equal(read_image(img, 512, t), 0);
	assert_true(t->primary_valid);
	assert_false(t->backup_valid);
	assert_string_equal(
		t->warnings[0],
		"backup GPT header is corrupt or missing: partition entry array CRC mismatch");
	assert_fixture(t, 512);

	/* And both arrays damaged: nothing to trust. */
	flip_byte(img, 2 * 512 + ENT_FIRST_LBA);
	assert_int_equal(read_image(img, 512, t), -EBADMSG);
	free(img);
	free(t);
}

/* Each header rule on its own: one field of the primary made wrong, with a valid CRC. */
static void test_header_checks(void **state)
{
	static const struct {
		size_t off;
		unsigned width;
		uint64_t value;
		const char *why;
	} cases[] = {
		{0, 8, UINT64_C(0x5852415020494645), "no GPT signature at LBA 1"}, /* "EFI PARX" */
		{HDR_REVISION, 4, 0x00010001, "unsupported revision 0x00010001"},
		{HDR_REVISION, 4, 0x00020000, "unsupported revision 0x00020000"},
		{HDR_HEADER_SIZE, 4, 91, "header size 91 out of range"},
		{HDR_HEADER_SIZE, 4, 513, "header size 513 out of range"},
		{HDR_MY_LBA, 8, 2, "header at LBA 1 says it is at LBA 2"},
		{HDR_ALTERNATE_LBA, 8, 131072, "alternate header LBA 131072 is wrong"},
		{HDR_ALTERNATE_LBA, 8, 1, "alternate header LBA 1 is wrong"},
		{HDR_FIRST_USABLE, 8, 131039,
		 "usable LBAs 131039..131038 do not fit between the headers"},
		{HDR_FIRST_USABLE, 8, 1, "usable LBAs 1..131038 do not fit between the headers"},
		{HDR_LAST_USABLE, 8, 131071,
		 "usable LBAs 34..131071 do not fit between the headers"},
		{HDR_ENTRY_SIZE, 4, 96, "partition entry size 96 is invalid"},
		{HDR_ENTRY_SIZE, 4, 384, "partition entry size 384 is invalid"},
		{HDR_ENTRY_SIZE, 4, 8192, "partition entry size 8192 is invalid"},
		{HDR_ENTRY_COUNT, 4, 0, "0 partition entries is not a sane number"},
		{HDR_ENTRY_COUNT, 4, 8193, "8193 partition entries is not a sane number"},
		{HDR_ENTRY_COUNT, 4, 0xFFFFFFFF,
		 "4294967295 partition entries is not a sane number"},
		{HDR_ENTRY_LBA, 8, 0, "partition entries at LBA 0 do not fit on the disk"},
		{HDR_ENTRY_LBA, 8, 131050,
		 "partition entries at LBA 131050 do not fit on the disk"},
		{HDR_ENTRY_LBA, 8, 1,
		 "partition entries at LBA 1..32 overlap a header or usable space"},
		{HDR_ENTRY_LBA, 8, 3,
		 "partition entries at LBA 3..34 overlap a header or usable space"},
		{HDR_ENTRY_LBA, 8, 131040,
		 "partition entries at LBA 131040..131071 overlap a header or usable space"},
		{HDR_ENTRY_LBA, 8, 131038,
		 "partition entries at LBA 131038..131069 overlap a header or usable space"},
	};
	struct gpt_table *t = new_table();
	char *img = fixture_image(512);

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *want =
			xasprintf("primary GPT header is corrupt or missing: %s", cases[i].why);

		write_fixture(img, 512);
		set_header_field(img, 512, 1, cases[i].off, cases[i].width, cases[i].value);
		memset(t, 0, sizeof(*t));
		assert_int_equal(read_image(img, 512, t), 0);
		assert_false(t->primary_valid);
		assert_true(t->backup_valid);
		assert_int_equal(t->n_warnings, 1);
		if (strcmp(t->warnings[0], want) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, t->warnings[0], want);
		assert_fixture(t, 512);
		free(want);
	}

	/* The backup must point back at LBA 1. */
	write_fixture(img, 512);
	set_header_field(img, 512, FIX_BYTES / 512 - 1, HDR_ALTERNATE_LBA, 8, 2);
	memset(t, 0, sizeof(*t));
	assert_int_equal(read_image(img, 512, t), 0);
	assert_false(t->backup_valid);
	assert_string_equal(
		t->warnings[0],
		"backup GPT header is corrupt or missing: alternate header LBA 2 is wrong");

	/* A longer header (HeaderSize up to a sector) is fine when its CRC covers it. */
	write_fixture(img, 512);
	set_header_field(img, 512, 1, HDR_HEADER_SIZE, 4, 512);
	memset(t, 0, sizeof(*t));
	assert_int_equal(read_image(img, 512, t), 0);
	assert_true(t->primary_valid);
	assert_int_equal(t->n_warnings, 0);
	free(img);
	free(t);
}

static void test_copies_differ(void **state)
{
	struct gpt_table *t = new_table();
	char *img = fixture_image(512);
	uint64_t last = FIX_BYTES / 512 - 1;
	uint8_t byte = 0x77;

	(void)state;
	write_at(img, last * 512 + HDR_DISK_GUID, &byte, 1);
	fix_header_crc(img, 512, last);
	assert_int_equal(read_image(img, 512, t), 0);
	assert_true(t->primary_valid);
	assert_true(t->backup_valid);
	assert_int_equal(t->n_warnings, 1);
	assert_string_equal(t->warnings[0],
			    "primary and backup GPT differ in disk GUID; using the primary");
	assert_fixture(t, 512);

	/* Different partitions in the backup array (both CRCs right). */
	write_fixture(img, 512);
	{
		uint8_t lba[8];
		put_le(lba, 34 + 8000, 8); /* partition 2 shrunk */
		write_at(img, (last - 32) * 512 + 128 + ENT_LAST_LBA, lba, 8);
	}
	fix_entries_crc(img, 512, last);
	memset(t, 0, sizeof(*t));
	assert_int_equal(read_image(img, 512, t), 0);
	assert_string_equal(
		t->warnings[0],
		"primary and backup GPT differ in partition entries; using the primary");
	assert_int_equal(t->partitions[1].last_lba, 34 + 8191);
	free(img);
	free(t);
}

/* --- not a GPT at all --------------------------------------------------------------- */

static void test_blank_image(void **state)
{
	struct gpt_table *t = new_table();
	char *img = make_image("blank.img", XS_DISK_SECTORS * 512);

	(void)state;
	assert_int_equal(read_image(img, 512, t), -ENOENT);
	assert_int_equal(read_image(img, 4096, t), -ENOENT);
	free(img);
	free(t);
}

static void test_mbr_only(void **state)
{
	struct gpt_table *t = new_table();
	char *img = make_image("mbr.img", UINT64_C(1) << 30);
	uint8_t s[512];

	(void)state;
	if (have_tool("sfdisk")) {
		char *script = xasprintf("%s.sfdisk", img);
		const char *argv[] = {"sh", "-c", "sfdisk \"$0\" < \"$1\"", img, script, NULL};

		test_write_file(script, "label: dos\nstart=2048, size=204800, type=83, bootable\n"
					"start=206848, type=8e\n");
		run_ok(argv);
		free(script);
	} else {
		memset(s, 0, sizeof(s));
		s[446] = 0x80;
		s[446 + 4] = 0x83;
		put_le(s + 446 + 8, 2048, 4);
		put_le(s + 446 + 12, 204800, 4);
		s[510] = 0x55;
		s[511] = 0xAA;
		write_at(img, 0, s, sizeof(s));
	}
	read_at(img, 0, s, sizeof(s));
	assert_int_equal(s[510], 0x55);
	assert_int_equal(s[511], 0xAA);
	assert_int_equal(s[446 + 4], 0x83);
	assert_int_equal(read_image(img, 512, t), -ENOENT);
	free(img);
	free(t);
}

static void test_lone_backup_is_not_a_table(void **state)
{
	struct gpt_table *t = new_table();
	char *img = fixture_image(512);
	uint8_t *zero = xcalloc(1, 1 << 20);

	(void)state;
	/* "dd if=/dev/zero bs=1M count=1" leaves the valid backup at the end. */
	write_at(img, 0, zero, 1 << 20);
	assert_int_equal(read_image(img, 512, t), -EBADMSG);
	free(zero);
	free(img);
	free(t);
}

static void test_mbr_warnings(void **state)
{
	struct gpt_table *t = new_table();
	char *img = fixture_image(512);
	uint8_t s[512], zero[512] = {0};

	(void)state;
	read_at(img, 0, s, sizeof(s));
	assert_int_equal(s[446 + 4], 0xEE);
	assert_int_equal(le32(s + 446 + 8), 1);
	assert_int_equal(le32(s + 446 + 12), FIX_BYTES / 512 - 1);

	/* A second MBR partition next to the 0xEE one: a hybrid MBR. */
	s[462 + 4] = 0x83;
	put_le(s + 462 + 8, 34, 4);
	put_le(s + 462 + 12, 4096, 4);
	write_at(img, 0, s, sizeof(s));
	assert_int_equal(read_image(img, 512, t), 0);
	assert_true(t->protective_mbr);
	assert_int_equal(t->n_warnings, 1);
	assert_string_equal(t->warnings[0],
			    "sector 0 holds a hybrid MBR: 1 partitions besides the 0xEE one");

	/* An MBR without a 0xEE entry in front of a valid GPT. */
	s[446 + 4] = 0x07;
	write_at(img, 0, s, sizeof(s));
	memset(t, 0, sizeof(*t));
	assert_int_equal(read_image(img, 512, t), 0);
	assert_false(t->protective_mbr);
	assert_false(t->pmbr_boot_flag);
	assert_string_equal(t->warnings[0],
			    "sector 0 holds an MBR without a protective (0xEE) partition");

	/* Sector 0 zeroed: the GPT is still read, with a warning. */
	write_at(img, 0, zero, sizeof(zero));
	memset(t, 0, sizeof(*t));
	assert_int_equal(read_image(img, 512, t), 0);
	assert_false(t->protective_mbr);
	assert_int_equal(t->n_warnings, 1);
	assert_string_equal(t->warnings[0], "no protective MBR in sector 0");
	assert_true(t->primary_valid);
	assert_true(t->backup_valid);
	free(img);
	free(t);
}

/* --- broken partition layouts ------------------------------------------------------- */

static void test_overlapping_partitions(void **state)
{
	struct gpt_table *t = new_table();
	char *img = make_image("overlap.img", FIX_BYTES);
	struct gpt_partition parts[3];
	struct gpt_guid disk;
	uint64_t sectors = FIX_BYTES / 512;
	size_t n = fixture_parts(parts, 34, sectors - 34);
	int fd;

	(void)state;
	guid(DISK_GUID_TEXT, &disk);
	parts[1].first_lba = parts[0].last_lba; /* one shared sector */
	fd = open(img, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(gpt_write_image(fd, 512, sectors, &disk, parts, n), 0);
	close(fd);
	assert_int_equal(read_image(img, 512, t), -EBADMSG);

	/* Also when the overlap is edited into a good table and the CRCs are redone. */
	write_fixture(img, 512);
	assert_int_equal(read_image(img, 512, t), 0);
	{
		uint8_t lba[8];
		put_le(lba, 34 + 8192 + 100, 8); /* partition 2 ends inside entry 4's partition */
		patch_entry(img, 512, sectors - 1, 2, ENT_LAST_LBA, lba, 8);
	}
	memset(t, 0, sizeof(*t));
	assert_int_equal(read_image(img, 512, t), -EBADMSG);
	free(img);
	free(t);
}

static void test_partition_out_of_range(void **state)
{
	struct gpt_table *t = new_table();
	char *img = fixture_image(512);
	uint64_t last = FIX_BYTES / 512 - 1;
	uint8_t lba[8];

	(void)state;
	/* Into the primary entry array. */
	put_le(lba, 33, 8);
	patch_entry(img, 512, last, 1, ENT_FIRST_LBA, lba, 8);
	assert_int_equal(read_image(img, 512, t), -EBADMSG);

	/* Past the last usable LBA, into the backup array. */
	write_fixture(img, 512);
	put_le(lba, last - 32, 8);
	patch_entry(img, 512, last, 4, ENT_LAST_LBA, lba, 8);
	assert_int_equal(read_image(img, 512, t), -EBADMSG);

	/* Ends before it starts. */
	write_fixture(img, 512);
	put_le(lba, 34 + 4095, 8); /* partition 2 starts at 34 + 4096 */
	patch_entry(img, 512, last, 2, ENT_LAST_LBA, lba, 8);
	assert_int_equal(read_image(img, 512, t), -EBADMSG);

	/* The same edits in the primary alone leave the backup to read, with the reason. */
	write_fixture(img, 512);
	put_le(lba, 33, 8);
	write_at(img, 2 * 512 + ENT_FIRST_LBA, lba, 8);
	fix_entries_crc(img, 512, 1);
	memset(t, 0, sizeof(*t));
	assert_int_equal(read_image(img, 512, t), 0);
	assert_false(t->primary_valid);
	assert_string_equal(t->warnings[0], "primary GPT header is corrupt or missing: partition "
					    "1 (LBA 33..4129) is outside the usable LBAs");
	assert_fixture(t, 512);
	free(img);
	free(t);
}

/* --- sector sizes, sizes, round trips -------------------------------------------------- */

static void test_round_trip_512(void **state)
{
	struct gpt_table *t = new_table();
	char *img = fixture_image(512);
	char *out = NULL;

	(void)state;
	assert_int_equal(read_image(img, 512, t), 0);
	assert_true(t->primary_valid);
	assert_true(t->backup_valid);
	assert_int_equal(t->n_warnings, 0);
	assert_fixture(t, 512);
	assert_null(gpt_find(t, 3));
	assert_int_equal(gpt_find(t, 4)->first_lba, 34 + 8192);

	/* sgdisk agrees that what gpt_write_image writes is a clean GPT. */
	if (have_tool("sgdisk")) {
		const char *verify[] = {"sgdisk", "-v", img, NULL};
		const char *print[] = {"sgdisk", "-p", img, NULL};
		const char *info[] = {"sgdisk", "-i", "4", img, NULL};
		char disk_guid[37], uniq[37];

		assert_int_equal(test_run_capture(verify, &out), 0);
		if (!strstr(out, "No problems found"))
			fail_msg("sgdisk -v: %s", out);
		free(out);
		tool_guid(print, "Disk identifier (GUID): ", disk_guid);
		assert_string_equal(disk_guid, DISK_GUID_TEXT);
		tool_guid(info, "Partition unique GUID: ", uniq);
		assert_string_equal(uniq, "DEADBEEF-0000-4000-8000-00000000CAFE");
		assert_int_equal(test_run_capture(print, &out), 0);
		assert_non_null(strstr(out, "backup \xc3\xbc"));
		assert_non_null(
			strstr(out, "First usable sector is 34, last usable sector is 131038"));
		free(out);
	}
	free(img);
	free(t);
}

static void test_4k_sectors(void **state)
{
	struct gpt_table *t = new_table();
	char *img = fixture_image(4096);
	uint64_t sectors = FIX_BYTES / 4096;
	uint8_t s[4096];

	(void)state;
	assert_int_equal(read_image(img, 4096, t), 0);
	assert_true(t->primary_valid);
	assert_true(t->backup_valid);
	assert_int_equal(t->n_warnings, 0);
	assert_fixture(t, 4096);
	/* 128 × 128 bytes take 4 sectors of 4 KiB. */
	assert_int_equal(t->first_usable_lba, 6);
	assert_int_equal(t->last_usable_lba, sectors - 6);

	/* On disk: the header at byte 4096, the backup in the last 4 KiB. */
	read_at(img, 4096, s, sizeof(s));
	assert_memory_equal(s, "EFI PART", 8);
	assert_int_equal(le64(s + HDR_ALTERNATE_LBA), sectors - 1);
	assert_int_equal(le64(s + HDR_ENTRY_LBA), 2);
	read_at(img, (sectors - 1) * 4096, s, sizeof(s));
	assert_memory_equal(s, "EFI PART", 8);
	assert_int_equal(le64(s + HDR_MY_LBA), sectors - 1);
	assert_int_equal(le64(s + HDR_ENTRY_LBA), sectors - 5);
	read_at(img, 0, s, 512);
	assert_int_equal(le32(s + 446 + 12), sectors - 1);

	/* Read as 512-byte sectors it is no GPT: nothing at byte 512 or in the last 512. */
	assert_int_equal(read_image(img, 512, t), -ENOENT);

	/* A corrupt 4K primary falls back to the 4K backup. */
	flip_byte(img, 4096 + HDR_ENTRY_LBA);
	memset(t, 0, sizeof(*t));
	assert_int_equal(read_image(img, 4096, t), 0);
	assert_false(t->primary_valid);
	assert_true(t->backup_valid);
	assert_fixture(t, 4096);
	free(img);
	free(t);
}

static void test_disk_grown(void **state)
{
	struct gpt_table *t = new_table();
	char *img;
	uint64_t old_sectors = UINT64_C(1) << 21, new_sectors = UINT64_C(1) << 22;

	(void)state;
	if (!have_tool("sgdisk"))
		skip();
	img = make_image("grow.img", old_sectors * 512);
	{
		const char *argv[] = {"sgdisk", "-a",	      "1", "-n", "1:34:100000",
				      "-n",	"2:100001:0", img, NULL};
		run_ok(argv);
	}
	resize_image(img, new_sectors * 512);
	assert_int_equal(read_image(img, 512, t), 0);
	assert_true(t->primary_valid);
	assert_true(t->backup_valid); /* found where the primary says */
	assert_int_equal(t->disk_sectors, new_sectors);
	assert_int_equal(t->last_usable_lba, old_sectors - 34);
	assert_int_equal(t->n_warnings, 1);
	assert_string_equal(t->warnings[0], "backup GPT header is at LBA 2097151, not at the end "
					    "of the disk (LBA 4194303)");
	assert_int_equal(t->partitions[1].last_lba, old_sectors - 34);

	/* The old backup lost as well: the primary still serves, with both warnings. */
	{
		uint8_t zero[512] = {0};
		write_at(img, (old_sectors - 1) * 512, zero, sizeof(zero));
	}
	memset(t, 0, sizeof(*t));
	assert_int_equal(read_image(img, 512, t), 0);
	assert_true(t->primary_valid);
	assert_false(t->backup_valid);
	assert_int_equal(t->n_warnings, 2);
	assert_string_equal(
		t->warnings[0],
		"backup GPT header is corrupt or missing: no GPT signature at LBA 2097151");

	/* "sgdisk -e" moves the backup to the new end. */
	{
		const char *argv[] = {"sgdisk", "-e", img, NULL};
		run_ok(argv);
	}
	memset(t, 0, sizeof(*t));
	assert_int_equal(read_image(img, 512, t), 0);
	assert_true(t->backup_valid);
	assert_int_equal(t->n_warnings, 0);
	assert_int_equal(t->last_usable_lba, new_sectors - 34);
	assert_int_equal(t->partitions[1].last_lba, old_sectors - 34);
	free(img);
	free(t);
}

static void test_disk_shrunk(void **state)
{
	struct gpt_table *t = new_table();
	char *img = fixture_image(512);

	(void)state;
	/* The primary's backup pointer and usable range now reach past the end. */
	resize_image(img, FIX_BYTES / 2);
	assert_int_equal(read_image(img, 512, t), -EBADMSG);
	free(img);
	free(t);
}

static void test_device_shorter_than_claimed(void **state)
{
	struct gpt_table *t = new_table();
	char *img = fixture_image(512);
	char *tiny = make_image("tiny.img", 1024);

	(void)state;
	/* The last LBA lies beyond the end of the file. */
	assert_int_equal(read_image_sized(tiny, FIX_BYTES, 512, t), -EIO);
	assert_int_equal(read_image_sized(img, FIX_BYTES, 1000, t), -EINVAL);
	assert_int_equal(read_image_sized(img, FIX_BYTES, 8192, t), -EINVAL);
	assert_int_equal(read_image_sized(img, 1024, 512, t), -ENOENT);
	free(tiny);
	free(img);
	free(t);
}

static void test_large_disk_pmbr(void **state)
{
	struct gpt_table *t = new_table();
	uint64_t sectors = (UINT64_C(3) << 32) + 5; /* 6 TiB, beyond what MBR can count */
	char *img = make_image("big.img", sectors * 512);
	struct gpt_partition parts[3];
	struct gpt_guid disk;
	size_t n = fixture_parts(parts, 34, sectors - 34);
	uint8_t s[512];
	int fd;

	(void)state;
	guid(DISK_GUID_TEXT, &disk);
	fd = open(img, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(gpt_write_image(fd, 512, sectors, &disk, parts, n), 0);
	close(fd);
	read_at(img, 0, s, sizeof(s));
	assert_int_equal(le32(s + 446 + 12), 0xFFFFFFFF);
	assert_int_equal(read_image(img, 512, t), 0);
	assert_int_equal(t->n_warnings, 0);
	assert_int_equal(t->partitions[2].last_lba, sectors - 34);
	assert_int_equal(t->last_usable_lba, sectors - 34);
	free(img);
	free(t);
}

static void test_write_image_rejects(void **state)
{
	struct gpt_table *t = new_table();
	char *img = make_image("w.img", FIX_BYTES);
	struct gpt_partition parts[3];
	struct gpt_guid disk;
	uint64_t sectors = FIX_BYTES / 512;
	size_t n = fixture_parts(parts, 34, sectors - 34);
	int fd = open(img, O_RDWR | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	guid(DISK_GUID_TEXT, &disk);
	assert_int_equal(gpt_write_image(fd, 1000, sectors, &disk, parts, n), -EINVAL);
	assert_int_equal(gpt_write_image(fd, 512, 67, &disk, parts, 0), -EINVAL);
	assert_int_equal(gpt_write_image(fd, 512, 68, &disk, parts, 0), 0);

	parts[2].number = 1; /* duplicate */
	assert_int_equal(gpt_write_image(fd, 512, sectors, &disk, parts, n), -EINVAL);
	parts[2].number = 129;
	assert_int_equal(gpt_write_image(fd, 512, sectors, &disk, parts, n), -EINVAL);
	parts[2].number = 0;
	assert_int_equal(gpt_write_image(fd, 512, sectors, &disk, parts, n), -EINVAL);
	parts[2].number = 128;
	assert_int_equal(gpt_write_image(fd, 512, sectors, &disk, parts, n), 0);

	/*
	 * 36 UTF-16 units fit, 37 do not; an astral character takes two.  The
	 * name is in entry 3 so that an overrun would land in an unused entry.
	 */
	parts[0].number = 3;
	memset(parts[0].name, 'x', 36);
	parts[0].name[36] = '\0';
	assert_int_equal(gpt_write_image(fd, 512, sectors, &disk, parts, n), 0);
	assert_int_equal(gpt_read(fd, FIX_BYTES, 512, t), 0);
	assert_string_equal(gpt_find(t, 3)->name, parts[0].name);
	assert_int_equal(t->n_partitions, 3);
	parts[0].name[36] = 'x';
	parts[0].name[37] = '\0';
	assert_int_equal(gpt_write_image(fd, 512, sectors, &disk, parts, n), -EINVAL);
	memset(parts[0].name, 'x', 34);
	strcpy(parts[0].name + 34, "\xf0\x9f\x98\x80"); /* 34 + 2 units */
	assert_int_equal(gpt_write_image(fd, 512, sectors, &disk, parts, n), 0);
	assert_int_equal(gpt_read(fd, FIX_BYTES, 512, t), 0);
	assert_string_equal(gpt_find(t, 3)->name, parts[0].name);
	assert_int_equal(t->n_partitions, 3);
	memset(parts[0].name, 'x', 35);
	strcpy(parts[0].name + 35, "\xf0\x9f\x98\x80"); /* 35 + 2 units */
	assert_int_equal(gpt_write_image(fd, 512, sectors, &disk, parts, n), -EINVAL);

	static const char *const bad_utf8[] = {
		"\xc0\xaf",	    /* overlong '/' */
		"\xed\xa0\x80",	    /* encoded surrogate */
		"\xf4\x90\x80\x80", /* above U+10FFFF */
		"\xe2\x88",	    /* truncated */
		"\x80",		    /* stray continuation */
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad_utf8); i++) {
		strcpy(parts[0].name, bad_utf8[i]);
		assert_int_equal(gpt_write_image(fd, 512, sectors, &disk, parts, n), -EINVAL);
	}
	strcpy(parts[0].name, "root");
	memset(&parts[0].type, 0, sizeof(parts[0].type));
	assert_int_equal(gpt_write_image(fd, 512, sectors, &disk, parts, n), -EINVAL);
	close(fd);
	free(img);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32_vectors),
		cmocka_unit_test(test_guid_round_trip),
		cmocka_unit_test(test_guid_parse_rejects),
		cmocka_unit_test(test_type_codes),
		cmocka_unit_test(test_xenserver_602_layout),
		cmocka_unit_test(test_sgdisk_names),
		cmocka_unit_test(test_name_decoding_edge_cases),
		cmocka_unit_test(test_primary_corrupt_uses_backup),
		cmocka_unit_test(test_backup_corrupt_uses_primary),
		cmocka_unit_test(test_both_corrupt),
		cmocka_unit_test(test_entry_array_crc),
		cmocka_unit_test(test_header_checks),
		cmocka_unit_test(test_copies_differ),
		cmocka_unit_test(test_blank_image),
		cmocka_unit_test(test_mbr_only),
		cmocka_unit_test(test_lone_backup_is_not_a_table),
		cmocka_unit_test(test_mbr_warnings),
		cmocka_unit_test(test_overlapping_partitions),
		cmocka_unit_test(test_partition_out_of_range),
		cmocka_unit_test(test_round_trip_512),
		cmocka_unit_test(test_4k_sectors),
		cmocka_unit_test(test_disk_grown),
		cmocka_unit_test(test_disk_shrunk),
		cmocka_unit_test(test_device_shorter_than_claimed),
		cmocka_unit_test(test_large_disk_pmbr),
		cmocka_unit_test(test_write_image_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
