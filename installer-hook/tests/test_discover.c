// SPDX-License-Identifier: GPL-2.0-only
/*
 * Disk identity on the kernels xsraid meets: the serial numbers that tell
 * two disks of the same model and size apart, from sysfs on current kernels
 * and, on XenServer 6.0's Linux 2.6.32 (no device/wwid, no vpd_pg80), from
 * udev's /dev/disk/by-id names.  Roots are built by make-sysroot.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "discover.h"
#include "testlib.h"

static char *make_root(const char *opt1, const char *opt2)
{
	char *script = test_src_path("installer-hook/tests/make-sysroot.sh");
	char *tmp = test_mkdtemp();
	char *dir = path_join(tmp, "root");
	const char *argv[] = {script, dir, opt1, opt2, NULL};

	assert_int_equal(test_run(argv), 0);
	free(script);
	free(tmp);
	return dir;
}

static void serials(const char *root, char *sda, char *sdb, size_t len)
{
	struct inventory inv = {0};

	assert_int_equal(discover(root, NULL, &inv), 0);
	const struct disk_info *a = inventory_disk(&inv, "sda");
	const struct disk_info *b = inventory_disk(&inv, "sdb");
	assert_non_null(a);
	assert_non_null(b);
	str_copy(sda, len, a->serial);
	str_copy(sdb, len, b->serial);
	assert_string_equal(a->model, "ST500DM002-1BD142");
	inventory_free(&inv);
}

static void test_serial_from_sysfs(void **state)
{
	(void)state;
	char *root = make_root(NULL, NULL);
	char a[128], b[128];

	serials(root, a, b, sizeof(a));
	assert_string_equal(a, "t10.ATA     ST500DM002-1BD142 Z3TAAAAA");
	assert_string_equal(b, "t10.ATA     ST500DM002-1BD142 Z3TBBBBB");
	free(root);
}

/* 2.6.32: no serial in sysfs; the by-id name has it after the model. */
static void test_serial_on_2_6_32(void **state)
{
	(void)state;
	char *root = make_root("--kernel-2.6.32", NULL);
	char a[128], b[128];

	serials(root, a, b, sizeof(a));
	assert_string_equal(a, "Z3TAAAAA");
	assert_string_equal(b, "Z3TBBBBB");

	/* Newer udev's ata-<model>_<serial> is preferred, and a name whose model is
	 * not the disk's identifies it whole. */
	char *link = path_join(root, "dev/disk/by-id/ata-OTHER_MODEL_X1");
	assert_int_equal(symlink("../../sdb", link), 0);
	serials(root, a, b, sizeof(a));
	assert_string_equal(a, "Z3TAAAAA");
	assert_string_equal(b, "OTHER_MODEL_X1");
	free(link);
	free(root);
}

/* Nothing to go by (and the image files answer no INQUIRY): no serial, no guess. */
static void test_serial_unknown(void **state)
{
	(void)state;
	char *root = make_root("--kernel-2.6.32", "--no-by-id");
	char a[128], b[128];

	serials(root, a, b, sizeof(a));
	assert_string_equal(a, "");
	assert_string_equal(b, "");
	free(root);
}

static void test_vpd_unit_serial(void **state)
{
	(void)state;
	char out[32];
	/* What libata answers for a SATA disk: 20 bytes of ATA serial, blank-padded. */
	static const unsigned char ata[] = {0x00, 0x80, 0x00, 0x14, ' ', ' ', ' ', ' ',
					    ' ',  ' ',	' ',  ' ',  'X', 'S', 'R', 'A',
					    'I',  'D',	'-',  'D',  'I', 'S', 'K', '1'};
	static const unsigned char other_page[] = {0x00, 0x83, 0x00, 0x02, 'a', 'b'};
	static const unsigned char too_long[] = {0x00, 0x80, 0x00, 0x09, 'a', 'b'};
	static const unsigned char blank[] = {0x00, 0x80, 0x00, 0x03, ' ', 0x00, ' '};
	static const unsigned char control[] = {0x00, 0x80, 0x00, 0x04, 'a', '\n', 0x01, 'b'};

	assert_int_equal(vpd_unit_serial(ata, sizeof(ata), out, sizeof(out)), 0);
	assert_string_equal(out, "XSRAID-DISK1");
	assert_int_equal(vpd_unit_serial(other_page, sizeof(other_page), out, sizeof(out)),
			 -EBADMSG);
	assert_int_equal(vpd_unit_serial(too_long, sizeof(too_long), out, sizeof(out)), -EBADMSG);
	assert_int_equal(vpd_unit_serial(ata, 3, out, sizeof(out)), -EBADMSG);
	assert_int_equal(vpd_unit_serial(blank, sizeof(blank), out, sizeof(out)), -ENODATA);
	assert_int_equal(vpd_unit_serial(control, sizeof(control), out, sizeof(out)), 0);
	assert_string_equal(out, "ab");
	/* A short buffer keeps what fits. */
	assert_int_equal(vpd_unit_serial(ata, sizeof(ata), out, 7), 0);
	assert_string_equal(out, "XSRAID");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serial_from_sysfs),
		cmocka_unit_test(test_serial_on_2_6_32),
		cmocka_unit_test(test_serial_unknown),
		cmocka_unit_test(test_vpd_unit_serial),
	};
	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
