/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_REMASTER_COMPRESS_H
#define XSRAID_REMASTER_COMPRESS_H

#include <stddef.h>

#include "util.h"

/**
 * The compression of an installer image, told by its magic bytes, and the
 * streams themselves, in memory, through zlib, libbz2 and liblzma.
 *
 * XenServer 6.x packs install.img with gzip -9, XCP-ng 8 with bzip2; xz is
 * what other initramfs builders use.  An image is rewritten as one stream
 * of the kind it came in: syslinux's mboot.c32 inflates a gzip module
 * itself and only its first member, so a second member would be lost.
 * Output depends only on the input: gzip headers carry no name and no time
 * (as gzip -n writes them), bzip2 keeps the block size and xz the check
 * type of the stock image.
 *
 * Errors: -EINVAL (or -EFBIG for output over the limit) with one line in
 * @err saying what is wrong and where, without the file name, which the
 * caller adds.
 */

enum compression_kind {
	COMPRESSION_NONE, /* a bare cpio archive */
	COMPRESSION_GZIP,
	COMPRESSION_BZIP2,
	COMPRESSION_XZ,
};

struct compression {
	enum compression_kind kind;
	unsigned bzip2_level; /* 1..9: the block size in 100 kB, from "BZh9" */
	unsigned xz_check;    /* lzma_check id of the first stream (1 = CRC32) */
};

/* Decompressed images larger than this are refused (a decompression bomb is not an installer). */
#define DECOMPRESS_MAX ((size_t)4 << 30)

/*
 * Tells the compression from the first bytes of @data.  Returns 0, or
 * -EINVAL with @err naming what was found instead (lzma, lz4, zstd, lzo,
 * or unknown bytes).
 */
int compression_detect(const void *data, size_t len, struct compression *ret, struct buf *err);

/* "gzip", "bzip2", "xz", "uncompressed". */
const char *compression_name(enum compression_kind kind);

/*
 * Decompresses all of @data: every stream of the kind @c names, one after
 * the other (as gzip -dc does), zero padding after them ignored; anything
 * else after them is an error, as is a truncated or corrupt stream.
 * Appends at most @max bytes to @out; -EFBIG beyond that.
 */
int compression_unpack(const struct compression *c, const void *data, size_t len, size_t max,
		       struct buf *out, struct buf *err);

/* Compresses @data as one stream of kind @c (gzip at level 9) onto @out. */
int compression_pack(const struct compression *c, const void *data, size_t len, struct buf *out,
		     struct buf *err);

#endif
