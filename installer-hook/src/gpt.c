// SPDX-License-Identifier: GPL-2.0-only
/*
 * GUID Partition Table reader and fixture writer (UEFI 2.x, chapter 5).
 *
 * Every on-disk field is decoded with explicit little-endian byte shifts
 * rather than packed structs, so the code behaves the same on i386 and
 * x86_64 and never depends on the compiler's layout or alignment rules.
 */

/* musl always has a 64-bit off_t; glibc on i386 needs this for disks > 2 GiB. */
#define _FILE_OFFSET_BITS 64

#include "gpt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "util.h"

_Static_assert(sizeof(off_t) == 8, "gpt.c needs a 64-bit off_t");

#define GPT_SIGNATURE	   "EFI PART"
#define GPT_REVISION_1_0   UINT32_C(0x00010000)
#define GPT_HEADER_SIZE	   92 /* the fields UEFI 2.x defines */
#define GPT_ENTRY_SIZE	   128
#define GPT_ENTRY_SIZE_MAX 4096
/*
 * Bound on the entry array.  sgdisk writes 16 KiB (128 × 128); 1 MiB allows
 * tables resized with "sgdisk --resize-table" and still refuses the absurd
 * sizes a corrupt header can claim before anything is allocated.
 */
#define GPT_ENTRY_ARRAY_MAX (UINT32_C(1) << 20)
/* What gpt_write_image writes, like sgdisk: 128 entries of 128 bytes. */
#define GPT_WRITE_ENTRIES 128

/* Header field offsets (UEFI 2.x table 5-5). */
enum {
	HDR_SIGNATURE = 0,
	HDR_REVISION = 8,
	HDR_HEADER_SIZE = 12,
	HDR_HEADER_CRC = 16,
	HDR_RESERVED = 20,
	HDR_MY_LBA = 24,
	HDR_ALTERNATE_LBA = 32,
	HDR_FIRST_USABLE = 40,
	HDR_LAST_USABLE = 48,
	HDR_DISK_GUID = 56,
	HDR_ENTRY_LBA = 72,
	HDR_ENTRY_COUNT = 80,
	HDR_ENTRY_SIZE = 84,
	HDR_ENTRY_CRC = 88,
};

/* Partition entry field offsets (UEFI 2.x table 5-6). */
enum {
	ENT_TYPE = 0,
	ENT_UNIQUE = 16,
	ENT_FIRST_LBA = 32,
	ENT_LAST_LBA = 40,
	ENT_ATTRIBUTES = 48,
	ENT_NAME = 56,
};

/* Master boot record layout. */
enum {
	MBR_PART_TABLE = 446,
	MBR_PART_SIZE = 16,
	MBR_PART_BOOT = 0,
	MBR_PART_CHS_FIRST = 1,
	MBR_PART_TYPE = 4,
	MBR_PART_CHS_LAST = 5,
	MBR_PART_LBA = 8,
	MBR_PART_SECTORS = 12,
	MBR_SIGNATURE = 510,
	MBR_TYPE_PROTECTIVE = 0xEE,
	MBR_BOOT_ACTIVE = 0x80,
};

/* A GUID constant from its textual fields, in the on-disk mixed-endian order. */
#define GUID_LE16(v) (uint8_t)(v), (uint8_t)((v) >> 8)
#define GUID_LE32(v) GUID_LE16(v), GUID_LE16((v) >> 16)
#define GUID_BE16(v) (uint8_t)((v) >> 8), (uint8_t)(v)
#define GUID_BE48(v) GUID_BE16((v) >> 32), GUID_BE16((v) >> 16), GUID_BE16(v)
#define GUID_INIT(a, b, c, d, e)                                                                   \
	{                                                                                          \
		{                                                                                  \
			GUID_LE32(a), GUID_LE16(b), GUID_LE16(c), GUID_BE16(d), GUID_BE48(e)       \
		}                                                                                  \
	}

const struct gpt_guid GPT_TYPE_BASIC_DATA =
	GUID_INIT(0xEBD0A0A2, 0xB9E5, 0x4433, 0x87C0, UINT64_C(0x68B6B72699C7));
const struct gpt_guid GPT_TYPE_LINUX_LVM =
	GUID_INIT(0xE6D6D379, 0xF507, 0x44C2, 0xA23C, UINT64_C(0x238F2A3DF928));
const struct gpt_guid GPT_TYPE_LINUX_RAID =
	GUID_INIT(0xA19D880F, 0x05FC, 0x4D3B, 0xA006, UINT64_C(0x743F0F84911E));
const struct gpt_guid GPT_TYPE_LINUX_FS =
	GUID_INIT(0x0FC63DAF, 0x8483, 0x4772, 0x8E79, UINT64_C(0x3D69D8477DE4));
const struct gpt_guid GPT_TYPE_LINUX_RESERVED =
	GUID_INIT(0x8DA63339, 0x0007, 0x60C0, 0xC436, UINT64_C(0x083AC8230908));

static const struct {
	const struct gpt_guid *type;
	const char *code;
} type_codes[] = {
	{&GPT_TYPE_BASIC_DATA, "0700"},	    /* Microsoft basic data */
	{&GPT_TYPE_LINUX_LVM, "8e00"},	    /* Linux LVM */
	{&GPT_TYPE_LINUX_RAID, "fd00"},	    /* Linux RAID */
	{&GPT_TYPE_LINUX_FS, "8300"},	    /* Linux filesystem */
	{&GPT_TYPE_LINUX_RESERVED, "8301"}, /* Linux reserved */
};

/* --- CRC32 ----------------------------------------------------------------- */

/* Reflected IEEE 802.3 polynomial 0xEDB88320, as in zlib and the UEFI spec. */
static const uint32_t crc32_table[256] = {
	0x00000000, 0x77073096, 0xee0e612c, 0x990951ba, 0x076dc419, 0x706af48f, 0xe963a535,
	0x9e6495a3, 0x0edb8832, 0x79dcb8a4, 0xe0d5e91e, 0x97d2d988, 0x09b64c2b, 0x7eb17cbd,
	0xe7b82d07, 0x90bf1d91, 0x1db71064, 0x6ab020f2, 0xf3b97148, 0x84be41de, 0x1adad47d,
	0x6ddde4eb, 0xf4d4b551, 0x83d385c7, 0x136c9856, 0x646ba8c0, 0xfd62f97a, 0x8a65c9ec,
	0x14015c4f, 0x63066cd9, 0xfa0f3d63, 0x8d080df5, 0x3b6e20c8, 0x4c69105e, 0xd56041e4,
	0xa2677172, 0x3c03e4d1, 0x4b04d447, 0xd20d85fd, 0xa50ab56b, 0x35b5a8fa, 0x42b2986c,
	0xdbbbc9d6, 0xacbcf940, 0x32d86ce3, 0x45df5c75, 0xdcd60dcf, 0xabd13d59, 0x26d930ac,
	0x51de003a, 0xc8d75180, 0xbfd06116, 0x21b4f4b5, 0x56b3c423, 0xcfba9599, 0xb8bda50f,
	0x2802b89e, 0x5f058808, 0xc60cd9b2, 0xb10be924, 0x2f6f7c87, 0x58684c11, 0xc1611dab,
	0xb6662d3d, 0x76dc4190, 0x01db7106, 0x98d220bc, 0xefd5102a, 0x71b18589, 0x06b6b51f,
	0x9fbfe4a5, 0xe8b8d433, 0x7807c9a2, 0x0f00f934, 0x9609a88e, 0xe10e9818, 0x7f6a0dbb,
	0x086d3d2d, 0x91646c97, 0xe6635c01, 0x6b6b51f4, 0x1c6c6162, 0x856530d8, 0xf262004e,
	0x6c0695ed, 0x1b01a57b, 0x8208f4c1, 0xf50fc457, 0x65b0d9c6, 0x12b7e950, 0x8bbeb8ea,
	0xfcb9887c, 0x62dd1ddf, 0x15da2d49, 0x8cd37cf3, 0xfbd44c65, 0x4db26158, 0x3ab551ce,
	0xa3bc0074, 0xd4bb30e2, 0x4adfa541, 0x3dd895d7, 0xa4d1c46d, 0xd3d6f4fb, 0x4369e96a,
	0x346ed9fc, 0xad678846, 0xda60b8d0, 0x44042d73, 0x33031de5, 0xaa0a4c5f, 0xdd0d7cc9,
	0x5005713c, 0x270241aa, 0xbe0b1010, 0xc90c2086, 0x5768b525, 0x206f85b3, 0xb966d409,
	0xce61e49f, 0x5edef90e, 0x29d9c998, 0xb0d09822, 0xc7d7a8b4, 0x59b33d17, 0x2eb40d81,
	0xb7bd5c3b, 0xc0ba6cad, 0xedb88320, 0x9abfb3b6, 0x03b6e20c, 0x74b1d29a, 0xead54739,
	0x9dd277af, 0x04db2615, 0x73dc1683, 0xe3630b12, 0x94643b84, 0x0d6d6a3e, 0x7a6a5aa8,
	0xe40ecf0b, 0x9309ff9d, 0x0a00ae27, 0x7d079eb1, 0xf00f9344, 0x8708a3d2, 0x1e01f268,
	0x6906c2fe, 0xf762575d, 0x806567cb, 0x196c3671, 0x6e6b06e7, 0xfed41b76, 0x89d32be0,
	0x10da7a5a, 0x67dd4acc, 0xf9b9df6f, 0x8ebeeff9, 0x17b7be43, 0x60b08ed5, 0xd6d6a3e8,
	0xa1d1937e, 0x38d8c2c4, 0x4fdff252, 0xd1bb67f1, 0xa6bc5767, 0x3fb506dd, 0x48b2364b,
	0xd80d2bda, 0xaf0a1b4c, 0x36034af6, 0x41047a60, 0xdf60efc3, 0xa867df55, 0x316e8eef,
	0x4669be79, 0xcb61b38c, 0xbc66831a, 0x256fd2a0, 0x5268e236, 0xcc0c7795, 0xbb0b4703,
	0x220216b9, 0x5505262f, 0xc5ba3bbe, 0xb2bd0b28, 0x2bb45a92, 0x5cb36a04, 0xc2d7ffa7,
	0xb5d0cf31, 0x2cd99e8b, 0x5bdeae1d, 0x9b64c2b0, 0xec63f226, 0x756aa39c, 0x026d930a,
	0x9c0906a9, 0xeb0e363f, 0x72076785, 0x05005713, 0x95bf4a82, 0xe2b87a14, 0x7bb12bae,
	0x0cb61b38, 0x92d28e9b, 0xe5d5be0d, 0x7cdcefb7, 0x0bdbdf21, 0x86d3d2d4, 0xf1d4e242,
	0x68ddb3f8, 0x1fda836e, 0x81be16cd, 0xf6b9265b, 0x6fb077e1, 0x18b74777, 0x88085ae6,
	0xff0f6a70, 0x66063bca, 0x11010b5c, 0x8f659eff, 0xf862ae69, 0x616bffd3, 0x166ccf45,
	0xa00ae278, 0xd70dd2ee, 0x4e048354, 0x3903b3c2, 0xa7672661, 0xd06016f7, 0x4969474d,
	0x3e6e77db, 0xaed16a4a, 0xd9d65adc, 0x40df0b66, 0x37d83bf0, 0xa9bcae53, 0xdebb9ec5,
	0x47b2cf7f, 0x30b5ffe9, 0xbdbdf21c, 0xcabac28a, 0x53b39330, 0x24b4a3a6, 0xbad03605,
	0xcdd70693, 0x54de5729, 0x23d967bf, 0xb3667a2e, 0xc4614ab8, 0x5d681b02, 0x2a6f2b94,
	0xb40bbe37, 0xc30c8ea1, 0x5a05df1b, 0x2d02ef8d,
};

uint32_t gpt_crc32(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t crc = UINT32_C(0xFFFFFFFF);

	while (len--)
		crc = crc32_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
	return crc ^ UINT32_C(0xFFFFFFFF);
}

/* --- GUIDs ----------------------------------------------------------------- */

void gpt_guid_format(const struct gpt_guid *g, char out[37])
{
	const uint8_t *b = g->b;

	/* The first three fields are little-endian on disk, the rest big-endian. */
	snprintf(out, 37, "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
		 b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int gpt_guid_parse(const char *s, struct gpt_guid *ret)
{
	/* Byte i of the text form goes to on-disk byte disk_pos[i]. */
	static const uint8_t disk_pos[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
	struct gpt_guid g;
	size_t n = 0;

	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < 36; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -EINVAL;
			continue;
		}
		/* Groups have even lengths, so a byte's two digits never straddle a '-'. */
		hi = hex_digit(s[i]);
		if (hi < 0)
			return -EINVAL;
		lo = hex_digit(s[++i]);
		if (lo < 0)
			return -EINVAL;
		g.b[disk_pos[n++]] = (uint8_t)(hi << 4 | lo);
	}
	if (s[36] != '\0')
		return -EINVAL;
	*ret = g;
	return 0;
}

bool gpt_guid_equal(const struct gpt_guid *a, const struct gpt_guid *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

bool gpt_guid_is_zero(const struct gpt_guid *g)
{
	for (size_t i = 0; i < sizeof(g->b); i++)
		if (g->b[i])
			return false;
	return true;
}

const char *gpt_type_code(const struct gpt_guid *type)
{
	for (size_t i = 0; i < ARRAY_SIZE(type_codes); i++)
		if (gpt_guid_equal(type, type_codes[i].type))
			return type_codes[i].code;
	return NULL;
}

const struct gpt_partition *gpt_find(const struct gpt_table *t, unsigned number)
{
	for (size_t i = 0; i < t->n_partitions; i++)
		if (t->partitions[i].number == number)
			return &t->partitions[i];
	return NULL;
}

/* --- UTF-16LE names -------------------------------------------------------- */

/* Encodes @c as UTF-8 at @out (room for 4 bytes); returns the length. */
static size_t utf8_put(char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3F));
	out[2] = (char)(0x80 | (c >> 6 & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/*
 * Decodes the name field: up to GPT_NAME_MAX UTF-16LE code units, ended by
 * U+0000 or by the end of the field (sgdisk fills all 36 units of a long name
 * and writes no terminator).  Unpaired surrogates become U+FFFD.  Every unit
 * yields at most 3 bytes (a surrogate pair 4 bytes for 2 units), so @out
 * needs GPT_NAME_MAX * 3 + 1 bytes.
 */
static void name_decode(const uint8_t *in, char out[GPT_NAME_MAX * 3 + 1])
{
	size_t o = 0;

	for (size_t i = 0; i < GPT_NAME_MAX; i++) {
		uint32_t c = get_le16(in + 2 * i);

		if (c == 0)
			break;
		if (c >= 0xD800 && c <= 0xDBFF) {
			uint32_t low = i + 1 < GPT_NAME_MAX ? get_le16(in + 2 * (i + 1)) : 0;

			if (low >= 0xDC00 && low <= 0xDFFF) {
				c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
				i++;
			} else {
				c = 0xFFFD;
			}
		} else if (c >= 0xDC00 && c <= 0xDFFF) {
			c = 0xFFFD;
		}
		o += utf8_put(out + o, c);
	}
	out[o] = '\0';
}

/*
 * Decodes one code point of strict UTF-8 at @s (no overlong forms, no
 * surrogates, nothing above U+10FFFF).  Returns its length or -EINVAL.
 */
static int utf8_get(const unsigned char *s, uint32_t *ret)
{
	static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
	uint32_t c;
	int len;

	if (s[0] < 0x80) {
		*ret = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2;
		c = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3;
		c = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return -EINVAL;
	}
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) /* also stops at the terminating NUL */
			return -EINVAL;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < min[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return -EINVAL;
	*ret = c;
	return len;
}

/* Encodes the UTF-8 @name into the 72-byte name field.  -EINVAL if invalid or too long. */
static int name_encode(const char *name, uint8_t *out)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t units = 0;

	while (*s) {
		uint32_t c;
		int len = utf8_get(s, &c);

		if (len < 0)
			return len;
		s += len;
		if (c >= 0x10000) {
			if (units + 2 > GPT_NAME_MAX)
				return -EINVAL;
			c -= 0x10000;
			put_le16(out + 2 * units++, (uint16_t)(0xD800 + (c >> 10)));
			put_le16(out + 2 * units++, (uint16_t)(0xDC00 + (c & 0x3FF)));
		} else {
			if (units + 1 > GPT_NAME_MAX)
				return -EINVAL;
			put_le16(out + 2 * units++, (uint16_t)c);
		}
	}
	return 0;
}

/* --- I/O --------------------------------------------------------------------- */

static bool sector_size_ok(uint32_t sector_size)
{
	return sector_size >= 512 && sector_size <= 4096 && (sector_size & (sector_size - 1)) == 0;
}

/* Sectors needed for @bytes, rounded up. */
static uint64_t sectors_for(uint64_t bytes, uint32_t sector_size)
{
	return (bytes + sector_size - 1) / sector_size;
}

/* --- reading ----------------------------------------------------------------- */

struct gpt_header {
	uint32_t revision;
	uint32_t header_size;
	uint32_t header_crc;
	uint64_t my_lba;
	uint64_t alternate_lba;
	uint64_t first_usable_lba;
	uint64_t last_usable_lba;
	struct gpt_guid disk_guid;
	uint64_t entry_lba;
	uint32_t entry_count;
	uint32_t entry_size;
	uint32_t entry_crc;
};

/* One copy of the table: a header and its entry array. */
struct gpt_copy {
	uint64_t lba; /* where the header was read */
	bool found;   /* the signature is there */
	bool valid;   /* header, entry array and partitions all check out */
	char why[96]; /* when !valid: what is wrong, for the warning */
	struct gpt_header h;
	size_t n_partitions;
	struct gpt_partition *partitions; /* GPT_MAX_PARTITIONS */
};

static void set_why(struct gpt_copy *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_why(struct gpt_copy *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

static void add_warning(struct gpt_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_warning(struct gpt_table *t, const char *fmt, ...)
{
	va_list ap;

	/* At most three can happen (MBR, one per copy or their disagreement). */
	if (t->n_warnings >= ARRAY_SIZE(t->warnings))
		return;
	va_start(ap, fmt);
	vsnprintf(t->warnings[t->n_warnings++], sizeof(t->warnings[0]), fmt, ap);
	va_end(ap);
}

static void parse_mbr(const uint8_t *sector, struct gpt_table *t)
{
	unsigned others = 0;

	if (sector[MBR_SIGNATURE] != 0x55 || sector[MBR_SIGNATURE + 1] != 0xAA) {
		add_warning(t, "no protective MBR in sector 0");
		return;
	}
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *e = sector + MBR_PART_TABLE + i * MBR_PART_SIZE;

		if (e[MBR_PART_TYPE] == MBR_TYPE_PROTECTIVE && !t->protective_mbr) {
			t->protective_mbr = true;
			t->pmbr_boot_flag = e[MBR_PART_BOOT] == MBR_BOOT_ACTIVE;
		} else if (e[MBR_PART_TYPE] != 0) {
			others++;
		}
	}
	if (!t->protective_mbr)
		add_warning(t, "sector 0 holds an MBR without a protective (0xEE) partition");
	else if (others)
		add_warning(t, "sector 0 holds a hybrid MBR: %u partitions besides the 0xEE one",
			    others);
}

static void decode_header(const uint8_t *s, struct gpt_header *h)
{
	h->revision = get_le32(s + HDR_REVISION);
	h->header_size = get_le32(s + HDR_HEADER_SIZE);
	h->header_crc = get_le32(s + HDR_HEADER_CRC);
	h->my_lba = get_le64(s + HDR_MY_LBA);
	h->alternate_lba = get_le64(s + HDR_ALTERNATE_LBA);
	h->first_usable_lba = get_le64(s + HDR_FIRST_USABLE);
	h->last_usable_lba = get_le64(s + HDR_LAST_USABLE);
	memcpy(h->disk_guid.b, s + HDR_DISK_GUID, sizeof(h->disk_guid.b));
	h->entry_lba = get_le64(s + HDR_ENTRY_LBA);
	h->entry_count = get_le32(s + HDR_ENTRY_COUNT);
	h->entry_size = get_le32(s + HDR_ENTRY_SIZE);
	h->entry_crc = get_le32(s + HDR_ENTRY_CRC);
}

static bool lba_in(uint64_t lba, uint64_t first, uint64_t last)
{
	return lba >= first && lba <= last;
}

/*
 * Checks the header in @sector (already known to carry the signature) read
 * from @c->lba, against a disk of @disk_sectors.  The primary's alternate
 * LBA may point anywhere after its usable area (the backup of a grown disk
 * is not at the end); the backup's must point at LBA 1.
 */
static bool check_header(struct gpt_copy *c, uint8_t *sector, uint32_t sector_size,
			 uint64_t disk_sectors, bool primary)
{
	const struct gpt_header *h = &c->h;
	uint64_t lo, hi, array_bytes, array_sectors, array_last;
	uint32_t crc;

	if (h->revision != GPT_REVISION_1_0) {
		set_why(c, "unsupported revision 0x%08x", (unsigned)h->revision);
		return false;
	}
	if (h->header_size < GPT_HEADER_SIZE || h->header_size > sector_size) {
		set_why(c, "header size %u out of range", (unsigned)h->header_size);
		return false;
	}
	/* The CRC covers HeaderSize bytes with the CRC field itself zeroed. */
	put_le32(sector + HDR_HEADER_CRC, 0);
	crc = gpt_crc32(sector, h->header_size);
	put_le32(sector + HDR_HEADER_CRC, h->header_crc);
	if (crc != h->header_crc) {
		set_why(c, "header CRC mismatch");
		return false;
	}
	if (h->my_lba != c->lba) {
		set_why(c, "header at LBA %llu says it is at LBA %llu", (unsigned long long)c->lba,
			(unsigned long long)h->my_lba);
		return false;
	}
	if (primary ? h->alternate_lba <= h->my_lba || h->alternate_lba >= disk_sectors
		    : h->alternate_lba != 1) {
		set_why(c, "alternate header LBA %llu is wrong",
			(unsigned long long)h->alternate_lba);
		return false;
	}
	lo = primary ? h->my_lba : h->alternate_lba;
	hi = primary ? h->alternate_lba : h->my_lba;
	if (h->first_usable_lba > h->last_usable_lba || h->first_usable_lba <= lo ||
	    h->last_usable_lba >= hi) {
		set_why(c, "usable LBAs %llu..%llu do not fit between the headers",
			(unsigned long long)h->first_usable_lba,
			(unsigned long long)h->last_usable_lba);
		return false;
	}
	/* UEFI: SizeOfPartitionEntry is 128 × 2^n. */
	if (h->entry_size < GPT_ENTRY_SIZE || h->entry_size > GPT_ENTRY_SIZE_MAX ||
	    (h->entry_size & (h->entry_size - 1)) != 0) {
		set_why(c, "partition entry size %u is invalid", (unsigned)h->entry_size);
		return false;
	}
	array_bytes = (uint64_t)h->entry_count * h->entry_size;
	if (h->entry_count == 0 || array_bytes > GPT_ENTRY_ARRAY_MAX) {
		set_why(c, "%u partition entries is not a sane number", (unsigned)h->entry_count);
		return false;
	}
	array_sectors = sectors_for(array_bytes, sector_size);
	if (h->entry_lba == 0 || h->entry_lba >= disk_sectors ||
	    array_sectors > disk_sectors - h->entry_lba) {
		set_why(c, "partition entries at LBA %llu do not fit on the disk",
			(unsigned long long)h->entry_lba);
		return false;
	}
	array_last = h->entry_lba + array_sectors - 1;
	if (lba_in(h->my_lba, h->entry_lba, array_last) ||
	    lba_in(h->alternate_lba, h->entry_lba, array_last) ||
	    (h->entry_lba <= h->last_usable_lba && array_last >= h->first_usable_lba)) {
		set_why(c, "partition entries at LBA %llu..%llu overlap a header or usable space",
			(unsigned long long)h->entry_lba, (unsigned long long)array_last);
		return false;
	}
	return true;
}

/*
 * Collects the used entries of @entries (whose CRC matched) into
 * @c->partitions and checks them: each inside the usable area, first <= last,
 * no two overlapping.  A table that breaks these rules is not a table to plan
 * from, whatever its CRCs say.
 */
static bool check_partitions(struct gpt_copy *c, const uint8_t *entries)
{
	const struct gpt_header *h = &c->h;

	c->n_partitions = 0;
	for (uint32_t i = 0; i < h->entry_count; i++) {
		const uint8_t *e = entries + (size_t)i * h->entry_size;
		struct gpt_partition *p;
		struct gpt_guid type;

		/* An all-zero type marks an unused entry; its other fields mean nothing. */
		memcpy(type.b, e + ENT_TYPE, 16);
		if (gpt_guid_is_zero(&type))
			continue;
		if (c->n_partitions == GPT_MAX_PARTITIONS) {
			set_why(c, "more than %d partitions in use", GPT_MAX_PARTITIONS);
			return false;
		}
		p = &c->partitions[c->n_partitions];
		p->number = (unsigned)i + 1;
		p->type = type;
		memcpy(p->unique.b, e + ENT_UNIQUE, 16);
		p->first_lba = get_le64(e + ENT_FIRST_LBA);
		p->last_lba = get_le64(e + ENT_LAST_LBA);
		p->attributes = get_le64(e + ENT_ATTRIBUTES);
		name_decode(e + ENT_NAME, p->name);
		if (p->first_lba > p->last_lba) {
			set_why(c, "partition %u ends before it starts", p->number);
			return false;
		}
		if (p->first_lba < h->first_usable_lba || p->last_lba > h->last_usable_lba) {
			set_why(c, "partition %u (LBA %llu..%llu) is outside the usable LBAs",
				p->number, (unsigned long long)p->first_lba,
				(unsigned long long)p->last_lba);
			return false;
		}
		for (size_t j = 0; j < c->n_partitions; j++) {
			const struct gpt_partition *q = &c->partitions[j];

			if (p->first_lba <= q->last_lba && q->first_lba <= p->last_lba) {
				set_why(c, "partitions %u and %u overlap", q->number, p->number);
				return false;
			}
		}
		c->n_partitions++;
	}
	return true;
}

/*
 * Reads and checks the copy whose header is at @lba.  Returns 0 with
 * @c->found/@c->valid/@c->why filled in, or -errno if the disk cannot be read.
 */
static int load_copy(int fd, uint32_t sector_size, uint64_t disk_sectors, uint64_t lba,
		     bool primary, struct gpt_copy *c)
{
	uint8_t *sector = NULL, *entries = NULL;
	uint64_t array_bytes;
	int r;

	c->lba = lba;
	sector = xmalloc(sector_size);
	r = pread_exact(fd, sector, sector_size, lba * sector_size);
	if (r < 0)
		goto out;
	if (memcmp(sector + HDR_SIGNATURE, GPT_SIGNATURE, 8) != 0) {
		set_why(c, "no GPT signature at LBA %llu", (unsigned long long)lba);
		goto out;
	}
	c->found = true;
	decode_header(sector, &c->h);
	if (!check_header(c, sector, sector_size, disk_sectors, primary))
		goto out;

	/* check_header() bounded the array to GPT_ENTRY_ARRAY_MAX bytes on the disk. */
	array_bytes = (uint64_t)c->h.entry_count * c->h.entry_size;
	entries = xmalloc((size_t)(sectors_for(array_bytes, sector_size) * sector_size));
	r = pread_exact(fd, entries, (size_t)(sectors_for(array_bytes, sector_size) * sector_size),
			c->h.entry_lba * sector_size);
	if (r < 0)
		goto out;
	if (gpt_crc32(entries, (size_t)array_bytes) != c->h.entry_crc) {
		set_why(c, "partition entry array CRC mismatch");
		goto out;
	}
	if (!check_partitions(c, entries))
		goto out;
	c->valid = true;
out:
	free(entries);
	free(sector);
	return r;
}

/* Where two valid copies disagree, or NULL. */
static const char *copies_differ(const struct gpt_header *a, const struct gpt_header *b)
{
	if (!gpt_guid_equal(&a->disk_guid, &b->disk_guid))
		return "disk GUID";
	if (a->first_usable_lba != b->first_usable_lba || a->last_usable_lba != b->last_usable_lba)
		return "usable LBAs";
	if (a->entry_count != b->entry_count || a->entry_size != b->entry_size ||
	    a->entry_crc != b->entry_crc)
		return "partition entries";
	return NULL;
}

int gpt_read(int fd, uint64_t size_bytes, uint32_t sector_size, struct gpt_table *ret)
{
	struct gpt_copy primary = {0}, backup = {0};
	const struct gpt_copy *use;
	struct gpt_table *t = NULL;
	uint8_t *sector = NULL;
	uint64_t disk_sectors, last_lba;
	const char *diff;
	int r;

	if (!sector_size_ok(sector_size))
		return -EINVAL;
	disk_sectors = size_bytes / sector_size;
	/* Too small for a protective MBR, a header and anything else. */
	if (disk_sectors < 3)
		return -ENOENT;
	last_lba = disk_sectors - 1;

	t = xcalloc(1, sizeof(*t));
	primary.partitions = xcalloc(GPT_MAX_PARTITIONS, sizeof(*primary.partitions));
	backup.partitions = xcalloc(GPT_MAX_PARTITIONS, sizeof(*backup.partitions));
	sector = xmalloc(sector_size);

	r = pread_exact(fd, sector, sector_size, 0);
	if (r < 0)
		goto out;
	parse_mbr(sector, t);

	r = load_copy(fd, sector_size, disk_sectors, 1, /* primary= */ true, &primary);
	if (r < 0)
		goto out;
	/*
	 * A valid primary says where its backup is; that is the last LBA unless
	 * the disk was grown after partitioning.  Otherwise look at the end.
	 */
	r = load_copy(fd, sector_size, disk_sectors,
		      primary.valid ? primary.h.alternate_lba : last_lba,
		      /* primary= */ false, &backup);
	if (r < 0)
		goto out;

	r = -ENOENT;
	if (!primary.found && !backup.found)
		goto out;
	r = -EBADMSG;
	/*
	 * A backup header alone, with neither primary header nor protective MBR,
	 * is what a wipe of the start of the disk leaves behind (Linux ignores
	 * it too): report a broken GPT rather than plan from a stale table.
	 */
	if (!primary.found && !t->protective_mbr)
		goto out;
	if (!primary.valid && !backup.valid)
		goto out;

	use = primary.valid ? &primary : &backup;
	t->sector_size = sector_size;
	t->disk_sectors = disk_sectors;
	t->disk_guid = use->h.disk_guid;
	t->first_usable_lba = use->h.first_usable_lba;
	t->last_usable_lba = use->h.last_usable_lba;
	t->entry_count = use->h.entry_count;
	t->entry_size = use->h.entry_size;
	t->primary_valid = primary.valid;
	t->backup_valid = backup.valid;
	t->n_partitions = use->n_partitions;
	memcpy(t->partitions, use->partitions, use->n_partitions * sizeof(t->partitions[0]));

	if (!primary.valid)
		add_warning(t, "primary GPT header is corrupt or missing: %s", primary.why);
	if (!backup.valid)
		add_warning(t, "backup GPT header is corrupt or missing: %s", backup.why);
	if (primary.valid && primary.h.alternate_lba != last_lba)
		add_warning(
			t,
			"backup GPT header is at LBA %llu, not at the end of the disk (LBA %llu)",
			(unsigned long long)primary.h.alternate_lba, (unsigned long long)last_lba);
	if (primary.valid && backup.valid) {
		diff = copies_differ(&primary.h, &backup.h);
		if (diff)
			add_warning(t, "primary and backup GPT differ in %s; using the primary",
				    diff);
	}
	*ret = *t;
	r = 0;
out:
	free(sector);
	free(backup.partitions);
	free(primary.partitions);
	free(t);
	return r;
}

/* --- writing fixtures ------------------------------------------------------ */

static void encode_header(uint8_t *s, uint64_t my_lba, uint64_t alternate_lba,
			  uint64_t first_usable, uint64_t last_usable,
			  const struct gpt_guid *disk_guid, uint64_t entry_lba, uint32_t entry_crc)
{
	memcpy(s + HDR_SIGNATURE, GPT_SIGNATURE, 8);
	put_le32(s + HDR_REVISION, GPT_REVISION_1_0);
	put_le32(s + HDR_HEADER_SIZE, GPT_HEADER_SIZE);
	put_le32(s + HDR_HEADER_CRC, 0);
	put_le32(s + HDR_RESERVED, 0);
	put_le64(s + HDR_MY_LBA, my_lba);
	put_le64(s + HDR_ALTERNATE_LBA, alternate_lba);
	put_le64(s + HDR_FIRST_USABLE, first_usable);
	put_le64(s + HDR_LAST_USABLE, last_usable);
	memcpy(s + HDR_DISK_GUID, disk_guid->b, 16);
	put_le64(s + HDR_ENTRY_LBA, entry_lba);
	put_le32(s + HDR_ENTRY_COUNT, GPT_WRITE_ENTRIES);
	put_le32(s + HDR_ENTRY_SIZE, GPT_ENTRY_SIZE);
	put_le32(s + HDR_ENTRY_CRC, entry_crc);
	put_le32(s + HDR_HEADER_CRC, gpt_crc32(s, GPT_HEADER_SIZE));
}

int gpt_write_image(int fd, uint32_t sector_size, uint64_t disk_sectors,
		    const struct gpt_guid *disk_guid, const struct gpt_partition *parts,
		    size_t n_parts)
{
	const size_t array_bytes = (size_t)GPT_WRITE_ENTRIES * GPT_ENTRY_SIZE;
	uint8_t *mbr = NULL, *header = NULL, *entries = NULL, *e;
	uint64_t array_sectors, last_lba, first_usable, last_usable;
	uint32_t entry_crc;
	int r = -EINVAL;

	if (!sector_size_ok(sector_size) || n_parts > GPT_WRITE_ENTRIES)
		return -EINVAL;
	array_sectors = sectors_for(array_bytes, sector_size);
	/* MBR, two headers, two entry arrays and at least one usable sector. */
	if (disk_sectors < 2 * (1 + array_sectors) + 2 ||
	    disk_sectors > (uint64_t)INT64_MAX / sector_size)
		return -EINVAL;
	last_lba = disk_sectors - 1;
	first_usable = 2 + array_sectors;
	last_usable = last_lba - array_sectors - 1;

	entries = xcalloc(1, (size_t)(array_sectors * sector_size));
	for (size_t i = 0; i < n_parts; i++) {
		const struct gpt_partition *p = &parts[i];
		struct gpt_guid used;

		if (p->number < 1 || p->number > GPT_WRITE_ENTRIES)
			goto out;
		e = entries + (size_t)(p->number - 1) * GPT_ENTRY_SIZE;
		/* Each number once; no layout checks, so tests can build broken tables. */
		memcpy(used.b, e + ENT_TYPE, 16);
		if (!gpt_guid_is_zero(&used))
			goto out;
		if (gpt_guid_is_zero(&p->type) || memchr(p->name, '\0', sizeof(p->name)) == NULL)
			goto out;
		memcpy(e + ENT_TYPE, p->type.b, 16);
		memcpy(e + ENT_UNIQUE, p->unique.b, 16);
		put_le64(e + ENT_FIRST_LBA, p->first_lba);
		put_le64(e + ENT_LAST_LBA, p->last_lba);
		put_le64(e + ENT_ATTRIBUTES, p->attributes);
		if (name_encode(p->name, e + ENT_NAME) < 0)
			goto out;
	}
	entry_crc = gpt_crc32(entries, array_bytes);

	/* Protective MBR as sgdisk writes it: one 0xEE entry from LBA 1, CHS "unknown". */
	mbr = xcalloc(1, sector_size);
	e = mbr + MBR_PART_TABLE;
	e[MBR_PART_BOOT] = 0;
	e[MBR_PART_CHS_FIRST] = 0x00;
	e[MBR_PART_CHS_FIRST + 1] = 0x02;
	e[MBR_PART_CHS_FIRST + 2] = 0x00;
	e[MBR_PART_TYPE] = MBR_TYPE_PROTECTIVE;
	e[MBR_PART_CHS_LAST] = 0xFF;
	e[MBR_PART_CHS_LAST + 1] = 0xFF;
	e[MBR_PART_CHS_LAST + 2] = 0xFF;
	put_le32(e + MBR_PART_LBA, 1);
	put_le32(e + MBR_PART_SECTORS, last_lba > UINT32_MAX ? UINT32_MAX : (uint32_t)last_lba);
	mbr[MBR_SIGNATURE] = 0x55;
	mbr[MBR_SIGNATURE + 1] = 0xAA;
	r = pwrite_all(fd, mbr, sector_size, 0);
	if (r < 0)
		goto out;

	header = xcalloc(1, sector_size);
	encode_header(header, 1, last_lba, first_usable, last_usable, disk_guid, 2, entry_crc);
	r = pwrite_all(fd, header, sector_size, sector_size);
	if (r < 0)
		goto out;
	r = pwrite_all(fd, entries, (size_t)(array_sectors * sector_size), 2ULL * sector_size);
	if (r < 0)
		goto out;
	r = pwrite_all(fd, entries, (size_t)(array_sectors * sector_size),
		       (last_lba - array_sectors) * sector_size);
	if (r < 0)
		goto out;
	memset(header, 0, sector_size);
	encode_header(header, last_lba, 1, first_usable, last_usable, disk_guid,
		      last_lba - array_sectors, entry_crc);
	r = pwrite_all(fd, header, sector_size, last_lba * sector_size);
out:
	free(header);
	free(mbr);
	free(entries);
	return r;
}
