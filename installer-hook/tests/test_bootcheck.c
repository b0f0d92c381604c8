// SPDX-License-Identifier: GPL-2.0-only
/*
 * The boot checks as findings: on the image files of a host xsraid installed
 * (make-hostroot.sh), each failure names its disk, and the fixes, run as
 * a plan through apply.c as check-boot --fix runs them, mend the images so
 * that the same checks pass.  What cannot be mended by a program
 * says what to do instead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "bootcheck.h"
#include "discover.h"
#include "ops.h"
#include "plan.h"
#include "testlib.h"

#define DISK_BYTES UINT64_C(500107862016)

static const char *const UUIDS[] = {"4d83d44f:e2bfdd16:0a9edc86:30a00264",
				    "3d04223b:7668911a:c9cd7d9c:fde2bec6",
				    "db6baa6c:fdb55d0e:c2f65c8a:88eb68a9"};

/* What disk @name of the host root @root must hold, as check-boot expects it. */
static void expect_for(const char *root, const char *name, struct boot_expect *e)
{
	memset(e, 0, sizeof(*e));
	e->disk = xasprintf("%s/dev/%s", root, name);
	e->disk_bytes = DISK_BYTES;
	e->sector_size = 512;
	e->part1 = xasprintf("%s/dev/%s1", root, name);
	e->boot_code = path_join(root, "usr/share/syslinux/gptmbr.bin");
	e->root_dir = xstrdup(root);
	e->root_device = xstrdup("/dev/md0");
	for (size_t i = 0; i < ARRAY_SIZE(UUIDS); i++)
		strv_push(&e->uuids, UUIDS[i]);
	strv_push(&e->kernels, "2.6.32.12-0.7.1.xs6.0.2.553.170674xen");
	/* The host's own sgdisk writes the image; extlinux would need root and a chroot. */
	e->sgdisk = xstrdup("/sbin/sgdisk");
}

static const struct boot_check *find(const struct boot_report *r, const char *what_start)
{
	for (size_t i = 0; i < r->n; i++)
		if (str_starts_with(r->checks[i].what, what_start))
			return &r->checks[i];
	fail_msg("no finding '%s'", what_start);
	return NULL;
}

/* Runs the fixes of @r as check-boot --fix does: a plan of stage fix-boot, through apply. */
static size_t apply_fixes(struct boot_report *r)
{
	struct plan p = {0};
	size_t n = bootcheck_add_fix_step(&p, "mend-sdb", "Mend sdb", r);

	if (n) {
		assert_int_equal(p.n_steps, 1);
		assert_null(p.steps[0].destroys);
		assert_int_equal(apply_stage(&p, STAGE_FIX_BOOT, NULL), 0);
	}
	plan_free(&p);
	return n;
}

static void test_healthy_disks_boot(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--host", "healthy"));
	struct boot_expect e;

	static const char *const disks[] = {"sda", "sdb"};

	for (size_t d = 0; d < ARRAY_SIZE(disks); d++) {
		struct boot_report r = {0};
		expect_for(root, disks[d], &e);
		assert_int_equal(bootcheck_collect(&e, BOOTCHECK_DISK | BOOTCHECK_SYSTEM, &r), 0);
		for (size_t i = 0; i < r.n; i++)
			assert_true(r.checks[i].ok);
		assert_int_equal(bootcheck_disk(&e), 0);
		boot_report_free(&r);
		boot_expect_free(&e);
	}
	free(root);
}

/*
 * gptmbr.bin's code gone and the bootable bit cleared on sdb: two findings
 * that name sdb, each with its fix; the fixes mend the image and the checks
 * pass again.
 */
static void test_broken_boot_code_is_fixed(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--host", "healthy", "--no-boot-code"));
	struct boot_expect e;
	struct boot_report r = {0};

	expect_for(root, "sdb", &e);
	assert_int_equal(bootcheck_collect(&e, BOOTCHECK_DISK, &r), 2);
	const struct boot_check *code = find(&r, e.disk);
	assert_false(code->ok);
	assert_string_equal(code->disk, e.disk);
	assert_non_null(code->fix);
	assert_int_equal(code->fix->op, OP_WRITE_BOOT_CODE);
	assert_string_equal(code->fix->device, e.disk);
	const struct boot_check *bit = find(&r, "partition 1 of");
	assert_false(bit->ok);
	assert_non_null(strstr(bit->why, "Missing OS"));
	assert_int_equal(bit->fix->op, OP_RUN);
	assert_string_equal(bit->fix->argv.v[1], "--attributes=1:set:2");
	assert_null(bit->fix->chroot);

	assert_int_equal(apply_fixes(&r), 2);
	boot_report_free(&r);
	assert_int_equal(bootcheck_collect(&e, BOOTCHECK_DISK, &r), 0);
	boot_report_free(&r);
	boot_expect_free(&e);
	free(root);
}

/*
 * The system's files: a wrong root= and a wrong fstab are mended by the
 * same edits the install makes; an mdadm.conf that does not name an array
 * is not (what else it says is the operator's), and says what to add.
 */
static void test_system_findings(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--host", "healthy"));
	char *conf = path_join(root, "boot/extlinux.conf");
	char *fstab = path_join(root, "etc/fstab");
	char *mdadm = path_join(root, "etc/mdadm.conf");
	struct boot_expect e;
	struct boot_report r = {0};

	test_write_file(conf, "default xe\nlabel xe\n  kernel mboot.c32\n  append /boot/xen.gz "
			      "--- /boot/vmlinuz-2.6-xen root=LABEL=root-x ro --- "
			      "/boot/initrd-2.6-xen.img\n");
	test_write_file(fstab, "LABEL=root-x / ext3 defaults 1 1\n");
	test_write_file(mdadm, "DEVICE partitions\nARRAY /dev/md0 UUID="
			       "4d83d44f:e2bfdd16:0a9edc86:30a00264\n");
	expect_for(root, "sda", &e);
	assert_int_equal(bootcheck_collect(&e, BOOTCHECK_SYSTEM, &r), 3);
	const struct boot_check *entry = find(&r, "entry 'xe' boots with root=/dev/md0");
	assert_null(entry->disk);
	assert_int_equal(entry->fix->op, OP_EDIT_FILE);
	assert_int_equal(entry->fix->edit.kind, EDIT_EXTLINUX_ROOT);
	assert_int_equal(find(&r, "etc/fstab mounts / from /dev/md0")->fix->edit.kind,
			 EDIT_FSTAB_ROOT);
	const struct boot_check *arrays = find(&r, "etc/mdadm.conf names every array");
	assert_null(arrays->fix);
	assert_non_null(strstr(arrays->advice, "3d04223b:7668911a:c9cd7d9c:fde2bec6, "
					       "db6baa6c:fdb55d0e:c2f65c8a:88eb68a9"));
	assert_int_equal(apply_fixes(&r), 2);
	boot_report_free(&r);
	assert_int_equal(bootcheck_collect(&e, BOOTCHECK_SYSTEM, &r), 1);
	char *text = test_read_file(conf);
	assert_non_null(strstr(text, "root=/dev/md0 ro"));
	free(text);
	boot_report_free(&r);
	boot_expect_free(&e);
	free(conf);
	free(fstab);
	free(mdadm);
	free(root);
}

/* Discovery reads the arrays' UUIDs from the members' md superblocks, and md's member states. */
static void test_discovery_of_members(void **state)
{
	(void)state;
	char *root = test_make_sysroot(SYSROOT_OPTS("--host", "failed"));
	struct inventory inv = {0};

	assert_int_equal(discover(root, "/", &inv), 0);
	const struct disk_info *sda = inventory_disk(&inv, "sda");
	assert_non_null(sda);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(sda->parts[i].md_uuid, UUIDS[i]);
		assert_string_equal(sda->parts[i].md_metadata, "0.90");
	}
	assert_string_equal(sda->parts[3].md_uuid, "");
	const struct md_array *md0 = inventory_array(&inv, "md0");
	assert_non_null(md0);
	assert_int_equal(md0->raid_disks, 2);
	assert_string_equal(md0->members.v[0], "sda1");
	assert_true(md_member_in_sync(md0, 0));
	assert_true(md_member_faulty(md0, 1));
	assert_false(md_member_in_sync(md0, 1));
	inventory_free(&inv);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthy_disks_boot),
		cmocka_unit_test(test_broken_boot_code_is_fixed),
		cmocka_unit_test(test_system_findings),
		cmocka_unit_test(test_discovery_of_members),
	};

	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
