/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_SHA256_H
#define XSRAID_SHA256_H

#include <stddef.h>
#include <stdint.h>

/*
 * SHA-256 (FIPS 180-4).  Used to check an answerfile against the
 * answerfile_sha256= pin and to derive stable identifiers; small enough to
 * carry rather than depend on a TLS library's internals.
 */
struct sha256_ctx {
	uint32_t state[8];
	uint64_t bytes;
	uint8_t block[64];
	size_t fill;
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
void sha256_final(struct sha256_ctx *c, uint8_t out[32]);

void sha256(const void *data, size_t len, uint8_t out[32]);
/* Lower-case hex digest, 64 characters plus NUL. */
void sha256_hex(const void *data, size_t len, char out[65]);

#endif
