// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GPT reader over a disk image of any bytes, with 512- and 4096-byte
 * sectors.  Each image is read as it is, then again with the CRCs of both
 * headers and entry arrays made right, as a disk written by anyone but a
 * random bit flip would have them: that takes the fuzzer past the CRC
 * checks to everything behind them.  A table gpt_read() accepts must keep
 * its promises: partitions inside the usable area, first <= last, no two
 * overlapping.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gpt.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Makes the CRCs of the header at @lba, and of the entry array it points at, right. */
static void fix_crcs(uint8_t *img, size_t size, uint32_t ss, uint64_t lba)
{
	if (lba >= size / ss)
		return;
	uint8_t *h = img + lba * ss;
	if (memcmp(h, "EFI PART", 8))
		return;
	uint64_t entry_lba = get_le64(h + 72);
	uint64_t array = (uint64_t)get_le32(h + 80) * get_le32(h + 84);
	if (entry_lba < size / ss && array <= size - entry_lba * ss)
		put_le32(h + 88, gpt_crc32(img + entry_lba * ss, (size_t)array));
	uint32_t hsize = get_le32(h + 12);
	if (hsize >= 92 && hsize <= ss) {
		put_le32(h + 16, 0);
		put_le32(h + 16, gpt_crc32(h, hsize));
	}
}

static void check(const struct gpt_table *t)
{
	if (t->n_partitions > GPT_MAX_PARTITIONS || t->first_usable_lba > t->last_usable_lba ||
	    t->last_usable_lba >= t->disk_sectors)
		abort();
	for (size_t i = 0; i < t->n_partitions; i++) {
		const struct gpt_partition *p = &t->partitions[i];
		char guid[37];
		if (p->first_lba > p->last_lba || p->first_lba < t->first_usable_lba ||
		    p->last_lba > t->last_usable_lba || gpt_find(t, p->number) != p)
			abort();
		for (size_t j = 0; j < i; j++)
			if (p->first_lba <= t->partitions[j].last_lba &&
			    t->partitions[j].first_lba <= p->last_lba)
				abort();
		gpt_guid_format(&p->type, guid);
		gpt_type_code(&p->type);
	}
}

static void read_image(int fd, const uint8_t *img, size_t size, uint32_t ss)
{
	struct gpt_table *t = xmalloc(sizeof(*t));

	if (ftruncate(fd, 0) < 0 || pwrite_all(fd, img, size, 0) < 0)
		abort();
	if (gpt_read(fd, size, ss, t) == 0)
		check(t);
	free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static const uint32_t sector_sizes[] = {512, 4096};

	if (fd < 0 && (fd = memfd_create("gpt", 0)) < 0)
		abort();
	for (size_t i = 0; i < ARRAY_SIZE(sector_sizes); i++) {
		uint32_t ss = sector_sizes[i];
		uint8_t *img;

		if (size < 3 * ss)
			continue;
		read_image(fd, data, size, ss);
		img = xmalloc(size);
		memcpy(img, data, size);
		fix_crcs(img, size, ss, 1);
		fix_crcs(img, size, ss,
			 get_le64(img + ss + 32)); /* where the primary puts its backup */
		fix_crcs(img, size, ss, size / ss - 1);
		read_image(fd, img, size, ss);
		free(img);
	}
	return 0;
}
