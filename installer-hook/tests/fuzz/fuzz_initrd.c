// SPDX-License-Identifier: GPL-2.0-only
/*
 * An initrd as the installed system's mkinitrd wrote it: gzip members or
 * plain cpio, read for what it does about md0, and judged for every kind of
 * kernel.  Errors stay one line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "initrd.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct kernel_md kernels[] = {{false, false}, {true, false}, {true, true}};
	struct buf err = BUF_INIT, how = BUF_INIT;
	struct initrd_facts f = {0};

	if (initrd_read(data, size, &f, &err) < 0) {
		if (strchr(err.data, '\n'))
			abort();
		goto out;
	}
	for (size_t i = 0; i < sizeof(kernels) / sizeof(kernels[0]); i++) {
		buf_reset(&how);
		initrd_assembles_root(&f, &kernels[i], "4d83d44f:e2bfdd16:0a9edc86:30a00264",
				      i ? MD_METADATA_0_90 : MD_METADATA_1_0, &how);
		if (!how.len || strchr(how.data, '\n'))
			abort();
	}
	initrd_facts_free(&f);
out:
	buf_free(&err);
	buf_free(&how);
	return 0;
}
