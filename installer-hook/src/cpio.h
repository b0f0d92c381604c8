/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_CPIO_H
#define XSRAID_CPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/**
 * The "newc" cpio format of Linux initramfs images and of XenServer's
 * install.img, read and written in memory.  No I/O: the reader walks a
 * buffer, the writer appends to a struct buf.
 *
 * An entry is a 110-byte header (magic "070701", or "070702" when a
 * checksum of the data is given, then 13 fields of 8 hexadecimal digits),
 * the name with its NUL, zero padding to a multiple of 4 bytes counted
 * from the start of the header, the data, and zero padding to a multiple
 * of 4.  An archive ends with an entry named TRAILER!!!.  More archives may
 * follow, after zero padding: the kernel reads them in turn.
 *
 * Hard links are entries of one archive that share devmajor, devminor and
 * ino, with nlink >= 2; the data travels on the last of them and the
 * others have filesize 0.  Symbolic links carry their target as data;
 * device nodes carry rdevmajor/rdevminor and no data.
 *
 * The reader trusts nothing: every size is checked against what is left of
 * the buffer before it is used, names must end with their NUL, and errors
 * say what is wrong and at which offset.
 */

#define CPIO_HEADER_SIZE  110
#define CPIO_TRAILER_NAME "TRAILER!!!"
/* The kernel's limit (PATH_MAX, with the NUL): longer names are refused. */
#define CPIO_NAME_MAX 4095

struct cpio_entry {
	uint32_t ino;
	uint32_t mode; /* file type and permission bits, as st_mode */
	uint32_t uid;
	uint32_t gid;
	uint32_t nlink;
	uint32_t mtime;
	uint32_t filesize;
	uint32_t devmajor;
	uint32_t devminor;
	uint32_t rdevmajor;
	uint32_t rdevminor;
	uint32_t check; /* sum of the data bytes, for magic 070702 */
	bool has_check; /* magic 070702 */
	const char *name;
	size_t name_len;	   /* strlen(name), 1..CPIO_NAME_MAX */
	const unsigned char *data; /* filesize bytes */
	/* Set by the reader: where the entry is in the buffer, from its header
	 * through the padding after its data, and which archive it is in (0
	 * for the first). */
	size_t offset;
	size_t size;
	unsigned archive;
};

struct cpio_reader {
	const unsigned char *buf;
	size_t len;
	size_t pos;
	unsigned archive;
	bool after_trailer;
	/* "offset N: what is wrong", after cpio_next() returned -EINVAL */
	char error[192];
};

void cpio_reader_init(struct cpio_reader *r, const void *buf, size_t len);

/*
 * The next entry.  Returns 1 and fills @ret (pointing into the buffer), 0
 * at the end of the last archive, or -EINVAL with r->error set: not a newc
 * archive, a truncated header, name or data, a field that is not
 * hexadecimal, a name without its NUL, a checksum that does not match, data
 * after a trailer that is not another archive, or no trailer at all.
 * Trailers themselves are not returned.
 */
int cpio_next(struct cpio_reader *r, struct cpio_entry *ret);

/*
 * Appends @e as one entry: the header from its fields (magic 070702 when
 * @e->has_check, with the checksum computed from the data), the name, the
 * data and the padding.  Returns 0, or -EINVAL when the name is empty,
 * longer than CPIO_NAME_MAX, holds a NUL, or the data is missing.
 */
int cpio_write_entry(struct buf *out, const struct cpio_entry *e);

/*
 * Ends the archive that starts at @archive_start in @out: the TRAILER!!!
 * entry, then zero padding to a multiple of 512 bytes, as GNU cpio writes.
 */
void cpio_write_trailer(struct buf *out, size_t archive_start);

#endif
