// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the /proc/mdstat parser and both reports built from
 * what it returns.  Any input must parse without reading out of bounds or
 * leaking, and its reports must be printable text.
 *
 *   clang -std=gnu11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -Iinstaller-hook/src installer-hook/tests/fuzz/fuzz_mdstat.c \
 *       installer-hook/src/mdstat.c installer-hook/src/mdreport.c \
 *       installer-hook/src/util.c -o fuzz_mdstat
 *   ./fuzz_mdstat -dict=installer-hook/tests/fuzz/mdstat.dict CORPUS_DIR \
 *       installer-hook/tests/data/mdstat
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "mdreport.h"
#include "mdstat.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mdstat m;
	struct buf text = BUF_INIT, json = BUF_INIT;

	mdstat_parse((const char *)data, size, &m);
	md_report_text(&m, NULL, &text);
	md_report_json(&m, NULL, &json);
	/* Reports are for terminals and JSON readers: no control characters but newlines. */
	for (size_t i = 0; i < text.len; i++)
		if ((unsigned char)text.data[i] < 0x20 && text.data[i] != '\n')
			abort();
	for (size_t i = 0; i < json.len; i++)
		if ((unsigned char)json.data[i] < 0x20 && json.data[i] != '\n')
			abort();
	buf_free(&text);
	buf_free(&json);
	mdstat_free(&m);
	return 0;
}
