// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading initrds as CentOS 5's mkinitrd makes them, in its three ways of
 * assembling an md root, and judging whether md0 comes up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <zlib.h>

#include "cpio.h"
#include "initrd.h"
#include "util.h"

#define UUID "4d83d44f:e2bfdd16:0a9edc86:30a00264"

static const struct kernel_md MODULAR = {false, false};
static const struct kernel_md BUILTIN = {true, true};

struct file {
	const char *name;
	unsigned mode;
	const char *text;
};

static void add(struct buf *out, unsigned ino, const struct file *f)
{
	struct cpio_entry e = {
		.ino = ino,
		.mode = f->mode,
		.nlink = 1,
		.name = f->name,
		.name_len = strlen(f->name),
		.filesize = f->text ? (uint32_t)strlen(f->text) : 0,
		.data = (const unsigned char *)(f->text ? f->text : ""),
	};

	assert_int_equal(cpio_write_entry(out, &e), 0);
}

static void archive(struct buf *out, const struct file *files, size_t n)
{
	size_t start = out->len;

	for (size_t i = 0; i < n; i++)
		add(out, (unsigned)(i + 1), &files[i]);
	cpio_write_trailer(out, start);
}

/* @in gzip-compressed, appended to @out as one gzip member. */
static void gzip_append(struct buf *out, const struct buf *in)
{
	z_stream z;
	unsigned char chunk[4096];
	int r;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	z.next_in = (unsigned char *)in->data;
	z.avail_in = (uInt)in->len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		r = deflate(&z, Z_FINISH);
		buf_append(out, chunk, sizeof(chunk) - z.avail_out);
	} while (r == Z_OK);
	assert_int_equal(r, Z_STREAM_END);
	deflateEnd(&z);
}

/* Reads a gzip-compressed initrd of @files; asserts it parses. */
static void facts_of(const struct file *files, size_t n, struct initrd_facts *f)
{
	struct buf raw = BUF_INIT, gz = BUF_INIT, err = BUF_INIT;

	archive(&raw, files, n);
	gzip_append(&gz, &raw);
	if (initrd_read(gz.data, gz.len, f, &err) < 0)
		fail_msg("%s", err.data);
	buf_free(&raw);
	buf_free(&gz);
	buf_free(&err);
}

static bool assembles(const struct initrd_facts *f, const struct kernel_md *k, enum md_metadata m,
		      const char *want)
{
	struct buf how = BUF_INIT;
	bool ok = initrd_assembles_root(f, k, UUID, m, &how);

	if (!strstr(how.data, want))
		fail_msg("'%s' lacks '%s'", how.data, want);
	buf_free(&how);
	return ok;
}

/* CentOS 5's nash init with raidautorun: only a kernel with md built in, only 0.90. */
static void test_raidautorun(void **state)
{
	(void)state;
	static const struct file files[] = {
		{"init", 0100755,
		 "#!/bin/nash\n"
		 "mount -t proc /proc /proc\n"
		 "echo \"Loading raid1.ko module\"\n"
		 "insmod /lib/raid1.ko\n"
		 "raidautorun /dev/md0\n"
		 "mkrootdev -t ext3 -o defaults,ro md0\n"},
		{"lib/raid1.ko", 0100644, "module"},
	};
	struct initrd_facts f = {0};

	facts_of(files, 2, &f);
	assert_true(f.init_autoruns_md0);
	assert_true(f.has_raid1_module);
	assert_false(f.has_mdadm);
	struct kernel_md md_in = {true, false};
	assert_true(assembles(&f, &md_in, MD_METADATA_0_90, "raidautorun /dev/md0"));
	assert_false(assembles(&f, &MODULAR, MD_METADATA_0_90, "carries no md-mod module"));
	struct kernel_md md_mod = {false, false};
	static const struct file with_md[] = {
		{"init", 0100755, "raidautorun /dev/md0\n"},
		{"lib/raid1.ko", 0100644, "module"},
		{"lib/md-mod.ko", 0100644, "module"},
	};
	initrd_facts_free(&f);
	facts_of(with_md, 3, &f);
	assert_false(assembles(&f, &md_mod, MD_METADATA_0_90, "md a module"));
	assert_false(assembles(&f, &BUILTIN, MD_METADATA_1_0, "metadata 1.0"));
	initrd_facts_free(&f);
}

/* mdadm with an mdadm.conf: it must name md0's UUID, in any of md's spellings. */
static void test_mdadm_with_conf(void **state)
{
	(void)state;
	static const struct file files[] = {
		{"init", 0100755,
		 "#!/bin/nash\n"
		 "insmod /lib/md-mod.ko.gz\n"
		 "insmod /lib/raid1.ko.gz\n"
		 "/sbin/mdadm -As --auto=yes --run /dev/md0   # the root array\n"},
		{"lib/md-mod.ko.gz", 0100644, "m"},
		{"lib/raid1.ko.gz", 0100644, "m"},
		{"sbin/mdadm", 0100755, "\177ELF"},
		{"etc/mdadm.conf", 0100644,
		 "DEVICE partitions\n"
		 "ARRAY /dev/md0 level=raid1 num-devices=2\n"
		 "   UUID=4D83D44F-E2BF-DD16-0A9E-DC8630A00264\n"
		 "ARRAY /dev/md1 UUID=3d04223b:7668911a:c9cd7d9c:fde2bec6\n"},
	};
	struct initrd_facts f = {0};

	facts_of(files, 5, &f);
	assert_true(f.init_assembles);
	assert_true(f.init_scans);
	assert_int_equal(f.conf_uuids.n, 2);
	assert_true(assembles(&f, &MODULAR, MD_METADATA_1_0, "mdadm.conf naming " UUID));
	struct buf why = BUF_INIT;
	assert_false(initrd_assembles_root(&f, &MODULAR, "00000000:00000000:00000000:00000001",
					   MD_METADATA_0_90, &why));
	assert_non_null(strstr(why.data, "does not name md0"));
	buf_free(&why);
	initrd_facts_free(&f);
}

/*
 * mdadm.static scanning without a config, in a second gzip member as the
 * kernel takes it: read, and judged unable to bring up md0.
 */
static void test_scan_without_conf_in_second_member(void **state)
{
	(void)state;
	static const struct file first[] = {
		{"init", 0100755, "mdadm.static --assemble --scan --auto=yes --run\n"},
		{"lib/modules/2.6.32/kernel/drivers/md/raid1.ko", 0100644, "m"},
	};
	static const struct file second[] = {{"sbin/mdadm.static", 0100755, "\177ELF"}};
	struct buf a = BUF_INIT, b = BUF_INIT, gz = BUF_INIT, err = BUF_INIT;
	struct initrd_facts f = {0};

	archive(&a, first, 2);
	archive(&b, second, 1);
	gzip_append(&gz, &a);
	gzip_append(&gz, &b);
	assert_int_equal(initrd_read(gz.data, gz.len, &f, &err), 0);
	assert_true(f.has_mdadm);
	assert_false(f.has_conf);
	struct kernel_md md_in = {true, false};
	assert_false(assembles(&f, &md_in, MD_METADATA_1_0, "without an mdadm.conf"));
	initrd_facts_free(&f);
	buf_free(&a);
	buf_free(&b);
	buf_free(&gz);
	buf_free(&err);
}

/* An initrd made for a root by label knows nothing of md0. */
static void test_no_raid(void **state)
{
	(void)state;
	static const struct file files[] = {
		{"init", 0100755, "mkrootdev -t ext3 -o defaults,ro LABEL=root-abcdefgh\n"},
		{"lib/ext3.ko", 0100644, "m"},
	};
	struct initrd_facts f = {0};

	facts_of(files, 2, &f);
	assert_false(assembles(&f, &BUILTIN, MD_METADATA_0_90,
			       "neither runs raidautorun /dev/md0 nor mdadm --assemble"));
	assert_false(assembles(&f, &MODULAR, MD_METADATA_0_90, "carries no md-mod module"));
	initrd_facts_free(&f);
}

static void test_not_an_initrd(void **state)
{
	(void)state;
	static const struct file files[] = {{"init", 0100755, "raidautorun /dev/md0\n"}};
	struct buf raw = BUF_INIT, gz = BUF_INIT, err = BUF_INIT;
	struct initrd_facts f = {0};

	assert_int_equal(initrd_read("hello, world", 12, &f, &err), -EINVAL);
	assert_string_equal(err.data, "not a gzip-compressed or plain newc cpio archive");
	archive(&raw, files, 1);
	gzip_append(&gz, &raw);
	for (size_t cut = 1; cut < gz.len; cut += gz.len / 7 + 1) {
		buf_reset(&err);
		assert_int_equal(initrd_read(gz.data, cut, &f, &err), -EINVAL);
		assert_null(strchr(err.data, '\n'));
	}
	/* Plain cpio is read as it is. */
	buf_reset(&err);
	assert_int_equal(initrd_read(raw.data, raw.len, &f, &err), 0);
	assert_true(f.init_autoruns_md0);
	initrd_facts_free(&f);
	buf_free(&raw);
	buf_free(&gz);
	buf_free(&err);
}

static void test_kernel_config(void **state)
{
	(void)state;
	struct kernel_md k;

	kernel_md_from_config("# comment\nCONFIG_BLK_DEV_MD=y\nCONFIG_MD_AUTODETECT=y\n"
			      "CONFIG_MD_RAID1=m\n",
			      &k);
	assert_true(k.md_builtin);
	assert_false(k.raid1_builtin);
	kernel_md_from_config("CONFIG_BLK_DEV_MD=m\nCONFIG_MD_RAID1=y", &k);
	assert_false(k.md_builtin);
	assert_true(k.raid1_builtin);
	kernel_md_from_config("CONFIG_BLK_DEV_MD=yes\n", &k);
	assert_false(k.md_builtin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raidautorun),
		cmocka_unit_test(test_mdadm_with_conf),
		cmocka_unit_test(test_scan_without_conf_in_second_member),
		cmocka_unit_test(test_no_raid),
		cmocka_unit_test(test_not_an_initrd),
		cmocka_unit_test(test_kernel_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
