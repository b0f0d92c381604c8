/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_GPT_H
#define XSRAID_GPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * GUID Partition Table reader (UEFI 2.x, chapter 5), pure C over a file
 * descriptor: works on block devices and on plain image files alike, so the
 * unit tests need neither root nor a kernel with GPT support.
 *
 * Both headers are read and checked: signature, revision, header size, header
 * CRC32, the partition entry array CRC32, MyLBA/AlternateLBA consistency, and
 * that every partition lies within FirstUsableLBA..LastUsableLBA.  A table is
 * usable when at least one header with its entry array is valid; problems with
 * the other copy are reported in gpt_table.warnings so the plan can show them
 * ("backup GPT header is corrupt") instead of silently trusting a half-broken
 * disk.
 */

#define GPT_MAX_PARTITIONS 128
#define GPT_NAME_MAX	   36 /* UTF-16 code units in an entry's name */

/* GPT attribute bit 2: legacy BIOS bootable, which gptmbr.bin looks for. */
#define GPT_ATTR_LEGACY_BIOS_BOOTABLE (UINT64_C(1) << 2)

struct gpt_guid {
	uint8_t b[16]; /* on-disk (mixed-endian) byte order */
};

struct gpt_partition {
	unsigned number; /* 1-based index in the entry array */
	struct gpt_guid type;
	struct gpt_guid unique;
	uint64_t first_lba;
	uint64_t last_lba; /* inclusive */
	uint64_t attributes;
	char name[GPT_NAME_MAX * 3 + 1]; /* UTF-8 */
};

struct gpt_table {
	uint32_t sector_size;
	uint64_t disk_sectors; /* size of the device in sectors of sector_size */
	struct gpt_guid disk_guid;
	uint64_t first_usable_lba;
	uint64_t last_usable_lba;
	uint32_t entry_count; /* NumberOfPartitionEntries from the header */
	uint32_t entry_size;
	bool primary_valid;
	bool backup_valid;
	bool protective_mbr; /* sector 0 has a 0xEE entry */
	bool pmbr_boot_flag; /* that entry is marked active (0x80) */
	size_t n_partitions; /* non-empty entries, in entry order */
	struct gpt_partition partitions[GPT_MAX_PARTITIONS];
	size_t n_warnings;
	char warnings[4][128];
};

/*
 * Reads the GPT of the device or image open on @fd, whose size is
 * @size_bytes, with logical sector size @sector_size (512 or 4096; any power
 * of two in between is accepted too).
 *
 * The primary header is read at LBA 1, the backup where the valid primary's
 * AlternateLBA says (the last LBA unless the disk was grown), else at the
 * last LBA.  A copy is valid when its header (signature, revision 1.0, size,
 * CRC32, MyLBA, AlternateLBA, usable range, entry array placement), its entry
 * array CRC32 and its partitions (inside the usable range, first <= last, no
 * overlaps) all check out.  The primary is used when valid, else the backup.
 *
 * Warnings (at most ARRAY_SIZE(warnings), in this order) begin with:
 *   "no protective MBR", "sector 0 holds an MBR without a protective",
 *   "sector 0 holds a hybrid MBR",
 *   "primary GPT header is corrupt or missing: <why>",
 *   "backup GPT header is corrupt or missing: <why>",
 *   "backup GPT header is at LBA <n>, not at the end of the disk",
 *   "primary and backup GPT differ in <what>; using the primary".
 *
 * Returns 0 and fills @ret when a valid GPT was found; -ENOENT when the device
 * holds no GPT at all (neither header has the signature: a blank or MBR disk);
 * -EBADMSG when headers exist but no copy is valid, which includes a lone
 * backup header with neither primary header nor protective MBR (what wiping
 * the start of a disk leaves); -EINVAL for an unsupported @sector_size;
 * -EIO when the device ends before @size_bytes; another -errno on I/O errors.
 * Nothing is logged.  @ret is written only on success.
 */
int gpt_read(int fd, uint64_t size_bytes, uint32_t sector_size, struct gpt_table *ret);

/* Finds the partition with entry number @number, or NULL. */
const struct gpt_partition *gpt_find(const struct gpt_table *t, unsigned number);

/* CRC32 as used by GPT (IEEE 802.3, reflected, init and final xor 0xffffffff). */
uint32_t gpt_crc32(const void *data, size_t len);

/* Formats as "0FC63DAF-8483-4772-8E79-3D69D8477DE4" (37 bytes with NUL). */
void gpt_guid_format(const struct gpt_guid *g, char out[37]);
/* Parses the textual form (case-insensitive).  Returns 0 or -EINVAL. */
int gpt_guid_parse(const char *s, struct gpt_guid *ret);
bool gpt_guid_equal(const struct gpt_guid *a, const struct gpt_guid *b);
bool gpt_guid_is_zero(const struct gpt_guid *g);

/* Well-known partition types, and sgdisk's short codes for them. */
extern const struct gpt_guid GPT_TYPE_BASIC_DATA;     /* 0700, XenServer 6.0 root/backup */
extern const struct gpt_guid GPT_TYPE_LINUX_LVM;      /* 8e00, XenServer 6.0 SR */
extern const struct gpt_guid GPT_TYPE_LINUX_RAID;     /* fd00 */
extern const struct gpt_guid GPT_TYPE_LINUX_FS;	      /* 8300 */
extern const struct gpt_guid GPT_TYPE_LINUX_RESERVED; /* 8301 */

/* sgdisk type code ("fd00") for a known type, or NULL. */
const char *gpt_type_code(const struct gpt_guid *type);

/*
 * Writes a complete GPT (protective MBR, both headers, both entry arrays) for
 * a disk of @disk_sectors sectors with the given partitions, the way sgdisk
 * lays it out (128 entries of 128 bytes from LBA 2, the backup array just
 * before the backup header at the last LBA, a protective MBR whose 0xEE entry
 * is not marked active).  Used by the unit tests to build fixtures and by
 * nothing on a real disk: xsraid changes real partition tables with the
 * system's sgdisk so the plan shows a command an operator knows.
 *
 * Each partition goes into entry parts[i].number (1..128) with its type,
 * unique GUID, LBAs, attributes and UTF-8 name.  The layout is deliberately
 * not checked (tests build overlapping tables with it).  Returns 0, -EINVAL
 * for a bad sector size, a disk too small for two tables, a duplicate or out
 * of range number, a zero type, or a name that is not valid UTF-8 or longer
 * than GPT_NAME_MAX UTF-16 code units; or -errno from pwrite().
 */
int gpt_write_image(int fd, uint32_t sector_size, uint64_t disk_sectors,
		    const struct gpt_guid *disk_guid, const struct gpt_partition *parts,
		    size_t n_parts);

#endif
