// SPDX-License-Identifier: GPL-2.0-only
/* The exact argv of every command xsraid runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "commands.h"
#include "util.h"

static void inputs(struct plan_inputs *in)
{
	memset(in, 0, sizeof(*in));
	str_copy(in->disk[0], sizeof(in->disk[0]), "sda");
	str_copy(in->disk[1], sizeof(in->disk[1]), "sdb");
	in->sector_size = 512;
	in->part_first[0] = 34;
	in->part_last[0] = 8388641;
	in->part_first[1] = 8388642;
	in->part_last[1] = 16777249;
	in->part_first[2] = 16779264;
	in->part_last[2] = 976771086;
	in->journal_first = 976771087;
	in->journal_last = 976773134;
	str_copy(in->root_label, sizeof(in->root_label), "root-qwertyui");
	str_copy(in->sgdisk.path, sizeof(in->sgdisk.path), "/sbin/sgdisk");
	str_copy(in->mdadm.path, sizeof(in->mdadm.path), "/sbin/mdadm");
	str_copy(in->mkfs.path, sizeof(in->mkfs.path), "/sbin/mkfs.ext3");
	str_copy(in->tune2fs.path, sizeof(in->tune2fs.path), "/sbin/tune2fs");
	str_copy(in->extlinux, sizeof(in->extlinux), "/sbin/extlinux");
	str_copy(in->initrd_tool, sizeof(in->initrd_tool), "mkinitrd");
	str_copy(in->initrd_tool_path, sizeof(in->initrd_tool_path), "/sbin/mkinitrd");
	for (int i = 0; i < 3; i++)
		for (int b = 0; b < 16; b++)
			in->md_uuid[i][b] = (uint8_t)(16 * i + b);
	for (int b = 0; b < 16; b++)
		in->disk2_guid.b[b] = (uint8_t)(0xa0 + b);
	for (int d = 0; d < 2; d++)
		for (int n = 0; n < 4; n++)
			for (int b = 0; b < 16; b++)
				in->part_guid[d][n].b[b] = (uint8_t)(d * 64 + n * 16 + b);
}

static void expect(const struct strv *argv, const char *joined)
{
	struct buf b = BUF_INIT;

	shell_quote_argv(&b, (const char *const *)strv_argv(argv));
	assert_string_equal(b.data, joined);
	buf_free(&b);
}

static void test_sgdisk(void **state)
{
	(void)state;
	struct plan_inputs in;
	struct strv a = STRV_INIT;

	inputs(&in);
	cmd_sgdisk_disk2(&in, "/dev/sdb", &a);
	expect(&a,
	       "/sbin/sgdisk --clear --set-alignment=1 "
	       "--disk-guid=A3A2A1A0-A5A4-A7A6-A8A9-AAABACADAEAF "
	       "--new=1:34:8388641 --partition-guid=1:43424140-4544-4746-4849-4A4B4C4D4E4F "
	       "--typecode=1:fd00 --change-name=1:xsraid-md0 "
	       "--new=2:8388642:16777249 --partition-guid=2:53525150-5554-5756-5859-5A5B5C5D5E5F "
	       "--typecode=2:fd00 --change-name=2:xsraid-md1 "
	       "--new=3:16779264:976771086 --partition-guid=3:63626160-6564-6766-6869-6A6B6C6D6E6F "
	       "--typecode=3:fd00 --change-name=3:xsraid-md2 --attributes=1:set:2 "
	       "--new=4:976771087:976773134 --partition-guid=4:73727170-7574-7776-7879-7A7B7C7D7E7F "
	       "--typecode=4:8301 --change-name=4:xsraid-journal /dev/sdb");
	strv_free(&a);
	cmd_sgdisk_disk1(&in, "/dev/sda", &a);
	expect(&a,
	       "/sbin/sgdisk --typecode=1:fd00 --change-name=1:xsraid-md0 --typecode=2:fd00 "
	       "--change-name=2:xsraid-md1 --attributes=1:set:2 --delete=3 "
	       "--new=3:16779264:976771086 --partition-guid=3:23222120-2524-2726-2829-2A2B2C2D2E2F "
	       "--typecode=3:fd00 --change-name=3:xsraid-md2 /dev/sda");
	strv_free(&a);
	cmd_sgdisk_zap(&in, "/dev/sdb", &a);
	expect(&a, "/sbin/sgdisk --zap-all /dev/sdb");
	strv_free(&a);
}

static void test_mdadm(void **state)
{
	(void)state;
	struct plan_inputs in;
	struct strv a = STRV_INIT;

	inputs(&in);
	cmd_mdadm_create(&in, 1, "/dev/sdb2", &a);
	expect(&a,
	       "/sbin/mdadm --create /dev/md1 --run --metadata=0.90 --level=1 --raid-devices=2 "
	       "--uuid=10111213:14151617:18191a1b:1c1d1e1f --bitmap=internal missing /dev/sdb2");
	strv_free(&a);
	for (int i = 0; i < 3; i++)
		in.metadata[i] = MD_METADATA_1_0;
	in.bitmap = MD_BITMAP_NONE;
	cmd_mdadm_create(&in, 0, "/dev/sdb1", &a);
	expect(&a, "/sbin/mdadm --create /dev/md0 --run --metadata=1.0 --level=1 --raid-devices=2 "
		   "--uuid=00010203:04050607:08090a0b:0c0d0e0f missing /dev/sdb1");
	strv_free(&a);
	cmd_mdadm_create_clean(&in, 2, "/dev/sda3", "/dev/sdb3", &a);
	expect(&a, "/sbin/mdadm --create /dev/md2 --run --metadata=1.0 --level=1 --raid-devices=2 "
		   "--uuid=20212223:24252627:28292a2b:2c2d2e2f --assume-clean /dev/sda3 /dev/sdb3");
	strv_free(&a);
	cmd_mdadm_add(&in, 2, "/dev/sda3", &a);
	expect(&a, "/sbin/mdadm /dev/md2 --add /dev/sda3");
	strv_free(&a);
	cmd_mdadm_stop(&in, "md127", &a);
	expect(&a, "/sbin/mdadm --stop /dev/md127");
	strv_free(&a);
}

static void test_filesystem_and_boot(void **state)
{
	(void)state;
	struct plan_inputs in;
	struct strv a = STRV_INIT;
	char label[32];

	inputs(&in);
	cmd_mkfs_root(&in, "/dev/md0", &a);
	expect(&a, "/sbin/mkfs.ext3 -q -L xsraid-qwertyui /dev/md0");
	strv_free(&a);
	cmd_tune2fs_label(&in, "/dev/md0", &a);
	expect(&a, "/sbin/tune2fs -L root-qwertyui /dev/md0");
	strv_free(&a);
	cmd_extlinux_install(&in, &a);
	expect(&a, "/sbin/extlinux --install /boot");
	strv_free(&a);
	cmd_initrd(&in, "2.6.32.12-0.7.1.xs6.0.2.553.170674xen", &a);
	expect(&a, "/sbin/mkinitrd -f -v --theme=/usr/share/splash --without-multipath "
		   "/boot/initrd-2.6.32.12-0.7.1.xs6.0.2.553.170674xen.img "
		   "2.6.32.12-0.7.1.xs6.0.2.553.170674xen");
	strv_free(&a);
	str_copy(in.initrd_tool, sizeof(in.initrd_tool), "dracut");
	str_copy(in.initrd_tool_path, sizeof(in.initrd_tool_path), "/usr/sbin/dracut");
	cmd_initrd(&in, "4.19.0+1", &a);
	expect(&a, "/usr/sbin/dracut --force /boot/initrd-4.19.0+1.img 4.19.0+1");
	strv_free(&a);
	/* The temporary label never equals the original, and fits ext2's 16 bytes. */
	root_temp_label(&in, label, sizeof(label));
	assert_string_equal(label, "xsraid-qwertyui");
	in.root_label[0] = '\0';
	root_temp_label(&in, label, sizeof(label));
	assert_string_equal(label, "xsraid-new");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sgdisk),
		cmocka_unit_test(test_mdadm),
		cmocka_unit_test(test_filesystem_and_boot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
