// SPDX-License-Identifier: GPL-2.0-only
/* What the start of an ISO image says: ISO 9660, El Torito, Joliet, an isohybrid MBR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iso.h"
#include "testlib.h"
#include "util.h"

#define SECTOR 2048

static void descriptor(unsigned char *iso, int sector, unsigned char type)
{
	unsigned char *d = iso + sector * SECTOR;

	d[0] = type;
	memcpy(d + 1, "CD001", 5);
	d[6] = 1;
}

/* A system area, then a primary descriptor, a boot record, a Joliet descriptor, the end. */
static unsigned char *image(size_t *len, bool hybrid)
{
	unsigned char *iso = xcalloc(24, SECTOR);

	descriptor(iso, 16, 1);
	memcpy(iso + 16 * SECTOR + 40, "XenServer-6.0.2                 ", 32);
	descriptor(iso, 17, 0);
	memcpy(iso + 17 * SECTOR + 7, "EL TORITO SPECIFICATION", 23);
	descriptor(iso, 18, 2);
	memcpy(iso + 18 * SECTOR + 88, "%/E", 3);
	descriptor(iso, 19, 255);
	if (hybrid) {
		iso[446] = 0x80;
		iso[446 + 4] = 0x17;
		iso[510] = 0x55;
		iso[511] = 0xaa;
	}
	*len = 24 * SECTOR;
	return iso;
}

static void test_probe(void **state)
{
	(void)state;
	struct iso_probe p;
	struct buf err = BUF_INIT;
	size_t len;
	unsigned char *iso = image(&len, true);

	assert_int_equal(iso_probe(iso, len, &p, &err), 0);
	assert_true(p.el_torito);
	assert_true(p.joliet);
	assert_true(p.hybrid_mbr);
	assert_string_equal(p.volume_id, "XenServer-6.0.2");
	free(iso);

	iso = image(&len, false);
	iso[17 * SECTOR] = 3; /* no longer a boot record */
	iso[18 * SECTOR + 90] = 'X';
	assert_int_equal(iso_probe(iso, len, &p, &err), 0);
	assert_false(p.el_torito);
	assert_false(p.joliet);
	assert_false(p.hybrid_mbr);
	/* A boot signature without a partition is not isohybrid. */
	iso[510] = 0x55;
	iso[511] = 0xaa;
	assert_int_equal(iso_probe(iso, len, &p, &err), 0);
	assert_false(p.hybrid_mbr);
	free(iso);
	buf_free(&err);
}

static void test_not_iso(void **state)
{
	(void)state;
	struct iso_probe p;
	struct buf err = BUF_INIT;
	size_t len;
	unsigned char *iso = image(&len, false);

	assert_int_equal(iso_probe(iso, 16 * SECTOR + 100, &p, &err), -EINVAL);
	assert_string_equal(err.data,
			    "not an ISO 9660 image (no primary volume descriptor at sector 16)");
	buf_reset(&err);
	/* The descriptors never end within what was read. */
	iso[19 * SECTOR] = 2;
	assert_int_equal(iso_probe(iso, 20 * SECTOR, &p, &err), -EINVAL);
	assert_non_null(strstr(err.data, "do not end"));
	buf_reset(&err);
	memset(iso, 0, len);
	assert_int_equal(iso_probe(iso, len, &p, &err), -EINVAL);
	assert_int_equal(iso_probe("", 0, &p, &err), -EINVAL);
	free(iso);
	buf_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_not_iso),
	};
	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
