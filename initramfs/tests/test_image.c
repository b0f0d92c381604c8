// SPDX-License-Identifier: GPL-2.0-only
/* An installer image's archive: what is found in it, refusals, and the rebuilt archive. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpio.h"
#include "image.h"
#include "testlib.h"
#include "util.h"

#define KVER  "2.6.32.12-0.7.1.xs6.0.2.542.170665xen"
#define MTIME 1327000000u

/* A stock archive under construction: entries get consecutive inode numbers from 1000. */
struct fixture {
	struct buf b;
	uint32_t ino;
	size_t start;
};

static void add(struct fixture *f, const char *name, uint32_t mode, const char *data)
{
	struct cpio_entry e = {
		.ino = 1000 + f->ino++,
		.mode = mode,
		.nlink = S_ISDIR(mode) ? 2 : 1,
		.mtime = MTIME - f->ino,
		.devmajor = 8,
		.devminor = 1,
		.filesize = data ? (uint32_t)strlen(data) : 0,
		.name = name,
		.name_len = strlen(name),
		.data = (const unsigned char *)data,
	};
	assert_int_equal(cpio_write_entry(&f->b, &e), 0);
}

/* A hard-link group: @names share inode @ino; the data goes on the last. */
static void add_links(struct fixture *f, uint32_t ino, const char *const *names, size_t n,
		      const char *data)
{
	for (size_t i = 0; i < n; i++) {
		struct cpio_entry e = {
			.ino = ino,
			.mode = S_IFREG | 0755,
			.nlink = (uint32_t)n,
			.mtime = MTIME,
			.devmajor = 8,
			.devminor = 1,
			.filesize = i + 1 == n ? (uint32_t)strlen(data) : 0,
			.name = names[i],
			.name_len = strlen(names[i]),
			.data = (const unsigned char *)data,
		};
		assert_int_equal(cpio_write_entry(&f->b, &e), 0);
	}
}

static void add_device(struct fixture *f, const char *name, uint32_t mode, uint32_t major,
		       uint32_t minor)
{
	struct cpio_entry e = {
		.ino = 1000 + f->ino++,
		.mode = mode,
		.nlink = 1,
		.mtime = MTIME,
		.rdevmajor = major,
		.rdevminor = minor,
		.name = name,
		.name_len = strlen(name),
	};
	assert_int_equal(cpio_write_entry(&f->b, &e), 0);
}

static void end(struct fixture *f)
{
	cpio_write_trailer(&f->b, f->start);
	f->start = f->b.len;
}

/* Something like 6.0.2's install.img: busybox init, the installer, modules for its kernel. */
static void stock_602(struct fixture *f, const char *prefix)
{
	static const char *const busybox[] = {"init", "bin/busybox"};
	char name[256];
	static const char *const dirs[] = {".",
					   "bin",
					   "dev",
					   "sbin",
					   "opt",
					   "opt/xensource",
					   "opt/xensource/installer",
					   "lib",
					   "lib/modules",
					   "lib/modules/" KVER,
					   "lib/modules/" KVER "/kernel",
					   "lib/modules/" KVER "/kernel/drivers",
					   "lib/modules/" KVER "/kernel/drivers/md"};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(name, sizeof(name), "%s%s", i ? prefix : "", dirs[i]);
		add(f, name, S_IFDIR | 0755, NULL);
	}
	add_links(f, 7, busybox, 2,
		  "\x7f"
		  "ELF busybox");
	add_device(f, "dev/console", S_IFCHR | 0600, 5, 1);
	add(f, "sbin/sgdisk", S_IFREG | 0755,
	    "\x7f"
	    "ELF sgdisk");
	snprintf(name, sizeof(name), "%sopt/xensource/installer/init", prefix);
	add(f, name, S_IFREG | 0755, "#!/usr/bin/env python\n");
	add(f, "lib/modules/" KVER "/kernel/drivers/md/md-mod.ko", S_IFREG | 0644, "md");
	add(f, "lib/modules/" KVER "/kernel/drivers/md/raid1.ko", S_IFREG | 0644, "raid1");
}

static struct fixture stock(void)
{
	struct fixture f = {BUF_INIT, 0, 0};

	stock_602(&f, "");
	end(&f);
	return f;
}

static void inspect_ok(const struct fixture *f, struct image_report *rep)
{
	struct buf err = BUF_INIT;

	if (image_inspect(f->b.data, f->b.len, rep, &err) != 0)
		fail_msg("inspect: %s", err.data);
	buf_free(&err);
}

static void test_inspect_602(void **state)
{
	(void)state;
	struct fixture f = stock();
	struct image_report rep;
	struct buf err = BUF_INIT;

	inspect_ok(&f, &rep);
	assert_int_equal(rep.entries, 20);
	assert_int_equal(rep.archives, 1);
	assert_true(rep.installer);
	assert_string_equal(rep.init, "init, a hard link of bin/busybox");
	assert_null(rep.systemd);
	assert_int_equal(rep.n_kernels, 1);
	assert_string_equal(rep.kernels[0].version, KVER);
	assert_string_equal(rep.kernels[0].md, "lib/modules/" KVER "/kernel/drivers/md/md-mod.ko");
	assert_string_equal(rep.kernels[0].raid1,
			    "lib/modules/" KVER "/kernel/drivers/md/raid1.ko");
	assert_null(rep.mdadm);
	assert_string_equal(rep.sgdisk, "sbin/sgdisk");
	assert_int_equal(rep.newest_mtime, MTIME);
	assert_int_equal(image_check(&rep, &err), 0);
	image_report_free(&rep);
	buf_free(&err);
	buf_free(&f.b);
}

/* md as md_mod or md-mod, compressed or not, or listed in modules.builtin; raid1 missing. */
static void test_modules(void **state)
{
	(void)state;
	struct fixture f = {BUF_INIT, 0, 0};
	struct image_report rep;

	add(&f, "lib/modules/3.10.0+2/kernel/drivers/md/md_mod.ko.xz", S_IFREG | 0644, "x");
	add(&f, "lib/modules/3.10.0+2/kernel/drivers/md/raid10.ko", S_IFREG | 0644, "x");
	add(&f, "lib/modules/4.19.0/modules.builtin", S_IFREG | 0644,
	    "kernel/fs/ext4/ext4.ko\nkernel/drivers/md/md-mod.ko\nkernel/drivers/md/raid1.ko\n");
	add(&f, "lib/modules/5.0/kernel/md-mod.ko.gz.old", S_IFREG | 0644, "x");
	add(&f, "usr/sbin/mdadm", S_IFLNK | 0777, "../../sbin/mdadm.static");
	end(&f);
	inspect_ok(&f, &rep);
	assert_int_equal(rep.n_kernels, 3);
	assert_string_equal(rep.kernels[0].version, "3.10.0+2");
	assert_string_equal(rep.kernels[0].md,
			    "lib/modules/3.10.0+2/kernel/drivers/md/md_mod.ko.xz");
	assert_null(rep.kernels[0].raid1);
	assert_string_equal(rep.kernels[1].md, "built in");
	assert_string_equal(rep.kernels[1].raid1, "built in");
	assert_null(rep.kernels[2].md);
	assert_string_equal(rep.mdadm, "usr/sbin/mdadm");
	assert_false(rep.installer);
	assert_string_equal(rep.init, "no /init and no /sbin/init");
	image_report_free(&rep);
	buf_free(&f.b);
}

static void expect_refused(struct fixture *f, const char *what)
{
	struct image_report rep;
	struct buf err = BUF_INIT;

	inspect_ok(f, &rep);
	assert_int_equal(image_check(&rep, &err), -EINVAL);
	if (!strstr(err.data, what))
		fail_msg("refusal \"%s\" does not say \"%s\"", err.data, what);
	image_report_free(&rep);
	buf_free(&err);
}

/* XenServer 7 and XCP-ng 8: /init -> sbin/init -> systemd, relative or absolute links. */
static void test_refuse_systemd(void **state)
{
	(void)state;
	struct fixture f = {BUF_INIT, 0, 0};

	add(&f, "opt/xensource/installer", S_IFDIR | 0755, NULL);
	add(&f, "init", S_IFLNK | 0777, "sbin/init");
	add(&f, "sbin/init", S_IFLNK | 0777, "../lib/systemd/systemd");
	add(&f, "lib/systemd/systemd", S_IFREG | 0755, "ELF");
	end(&f);
	expect_refused(&f, "XenServer 7 or later (its init is systemd: init -> sbin/init -> "
			   "lib/systemd/systemd); xsraid converts XenServer 6.x installs only");
	buf_free(&f.b);

	f = (struct fixture){BUF_INIT, 0, 0};
	add(&f, "./opt/xensource/installer/init", S_IFREG | 0755, "#!/bin/sh\n");
	add(&f, "./sbin/init", S_IFLNK | 0777, "/usr/lib/systemd/./systemd");
	end(&f);
	expect_refused(&f, "its init is systemd: sbin/init -> usr/lib/systemd/systemd");
	buf_free(&f.b);

	/* Links that loop, or lead nowhere, are reported and are not systemd. */
	f = (struct fixture){BUF_INIT, 0, 0};
	add(&f, "opt/xensource/installer", S_IFDIR | 0755, NULL);
	add(&f, "init", S_IFLNK | 0777, "init2");
	add(&f, "init2", S_IFLNK | 0777, "/init");
	end(&f);
	struct image_report rep;
	inspect_ok(&f, &rep);
	assert_null(rep.systemd);
	assert_non_null(strstr(rep.init, "init -> init2 -> init -> init2"));
	image_report_free(&rep);
	buf_free(&f.b);
}

static void test_refuse_not_installer(void **state)
{
	(void)state;
	struct fixture f = {BUF_INIT, 0, 0};

	add(&f, "init", S_IFREG | 0755, "#!/bin/sh\nexec /sbin/init\n");
	add(&f, "opt/xensource", S_IFDIR | 0755, NULL);
	add(&f, "opt/xensource-installer", S_IFDIR | 0755, NULL);
	end(&f);
	expect_refused(&f,
		       "not a XenServer installer image: there is no /opt/xensource/installer/");
	buf_free(&f.b);
}

static void test_not_cpio(void **state)
{
	(void)state;
	struct image_report rep;
	struct buf err = BUF_INIT;

	assert_int_equal(image_inspect("<html>", 6, &rep, &err), -EINVAL);
	assert_string_equal(err.data,
			    "cpio archive: offset 0: not a newc cpio archive (no 070701 magic)");
	buf_free(&err);
}

static const struct image_file PAYLOAD[] = {
	{"opt/xsraid/xsraid",
	 "\x7f"
	 "ELF xsraid",
	 10, 0755},
	{"opt/xsraid/xsraid-hook", "#!/bin/sh\n", 10, 0755},
	{"answerfile.xml", "<installation/>", 15, 0644},
};

static void rebuild_ok(const struct fixture *f, const struct image_file *files, size_t n,
		       struct buf *out)
{
	struct buf err = BUF_INIT;

	if (image_rebuild(f->b.data, f->b.len, files, n, MTIME + 5, out, &err) != 0)
		fail_msg("rebuild: %s", err.data);
	buf_free(&err);
}

static size_t read_entries(const struct buf *b, struct cpio_entry *ret, size_t max)
{
	struct cpio_reader r;
	size_t n = 0;
	int k;

	cpio_reader_init(&r, b->data, b->len);
	while (n < max && (k = cpio_next(&r, &ret[n])) == 1)
		n++;
	assert_true(n < max);
	assert_int_equal(cpio_next(&r, &ret[n]), 0);
	assert_int_equal(r.archive, 0);
	return n;
}

/* Stock entries byte for byte and in order, then the added ones, sorted, root-owned, one time. */
static void test_rebuild_keeps_stock(void **state)
{
	(void)state;
	struct fixture f = stock();
	struct buf out = BUF_INIT, again = BUF_INIT;
	struct cpio_entry in[64], got[64];
	size_t n_in = read_entries(&f.b, in, ARRAY_SIZE(in));

	rebuild_ok(&f, PAYLOAD, ARRAY_SIZE(PAYLOAD), &out);
	size_t n = read_entries(&out, got, ARRAY_SIZE(got));
	assert_int_equal(n, n_in + 4);
	for (size_t i = 0; i < n_in; i++) {
		assert_int_equal(got[i].size, in[i].size);
		assert_memory_equal(out.data + got[i].offset, f.b.data + in[i].offset, in[i].size);
	}
	static const char *const added[] = {"answerfile.xml", "opt/xsraid", "opt/xsraid/xsraid",
					    "opt/xsraid/xsraid-hook"};
	static const uint32_t modes[] = {S_IFREG | 0644, S_IFDIR | 0755, S_IFREG | 0755,
					 S_IFREG | 0755};
	for (size_t i = 0; i < ARRAY_SIZE(added); i++) {
		const struct cpio_entry *e = &got[n_in + i];
		assert_string_equal(e->name, added[i]);
		assert_int_equal(e->mode, modes[i]);
		assert_int_equal(e->uid, 0);
		assert_int_equal(e->gid, 0);
		assert_int_equal(e->mtime, MTIME + 5);
		assert_int_equal(e->nlink, S_ISDIR(e->mode) ? 2 : 1);
		for (size_t j = 0; j < n; j++)
			assert_true(j == n_in + i || got[j].ino != e->ino);
	}
	assert_memory_equal(got[n_in + 2].data,
			    "\x7f"
			    "ELF xsraid",
			    10);
	assert_int_equal(out.len % 512, 0);

	rebuild_ok(&f, PAYLOAD, ARRAY_SIZE(PAYLOAD), &again);
	assert_int_equal(again.len, out.len);
	assert_memory_equal(again.data, out.data, out.len);
	buf_free(&again);
	buf_free(&out);
	buf_free(&f.b);
}

/* Names are written as the stock image writes them ("./opt/..."); opt is not added twice. */
static void test_rebuild_prefix(void **state)
{
	(void)state;
	struct fixture f = {BUF_INIT, 0, 0};
	struct buf out = BUF_INIT;
	struct cpio_entry got[64];

	stock_602(&f, "./");
	end(&f);
	rebuild_ok(&f, PAYLOAD, 2, &out);
	size_t n = read_entries(&out, got, ARRAY_SIZE(got));
	assert_string_equal(got[n - 3].name, "./opt/xsraid");
	assert_string_equal(got[n - 2].name, "./opt/xsraid/xsraid");
	assert_string_equal(got[n - 1].name, "./opt/xsraid/xsraid-hook");
	buf_free(&out);
	buf_free(&f.b);
}

static const struct cpio_entry *named(const struct cpio_entry *v, size_t n, const char *name)
{
	const struct cpio_entry *found = NULL;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].name, name) == 0) {
			assert_null(found);
			found = &v[i];
		}
	}
	return found;
}

/* A remastered image remastered again: xsraid's old files replaced, hard links repaired. */
static void test_rebuild_replaces(void **state)
{
	(void)state;
	static const char *const trio[] = {"sbin/x", "bin/x", "opt/xsraid/xsraid"};
	static const char *const pair[] = {"bin/y", "answerfile.xml"};
	struct fixture f = {BUF_INIT, 0, 0};
	struct buf out = BUF_INIT;
	struct cpio_entry got[64];

	stock_602(&f, "");
	add(&f, "opt/xsraid", S_IFDIR | 0700, NULL);
	add(&f, "opt/xsraid/old-tool", S_IFREG | 0755, "old");
	add_links(&f, 50, trio, 3, "old xsraid");
	add_links(&f, 60, pair, 2, "<old/>");
	end(&f);

	rebuild_ok(&f, PAYLOAD, ARRAY_SIZE(PAYLOAD), &out);
	size_t n = read_entries(&out, got, ARRAY_SIZE(got));
	assert_null(named(got, n, "opt/xsraid/old-tool"));
	const struct cpio_entry *dir = named(got, n, "opt/xsraid");
	assert_int_equal(dir->mode, S_IFDIR | 0755);
	assert_memory_equal(named(got, n, "opt/xsraid/xsraid")->data,
			    "\x7f"
			    "ELF xsraid",
			    10);
	assert_memory_equal(named(got, n, "answerfile.xml")->data, "<installation/>", 15);
	/* The trio lost its data carrier: two links left, data on the last. */
	const struct cpio_entry *sx = named(got, n, "sbin/x"), *bx = named(got, n, "bin/x");
	assert_int_equal(sx->nlink, 2);
	assert_int_equal(bx->nlink, 2);
	assert_int_equal(sx->ino, bx->ino);
	assert_int_equal(sx->filesize, 0);
	assert_int_equal(bx->filesize, 10);
	assert_memory_equal(bx->data, "old xsraid", 10);
	/* The pair is a plain file now. */
	const struct cpio_entry *y = named(got, n, "bin/y");
	assert_int_equal(y->nlink, 1);
	assert_int_equal(y->filesize, 6);
	assert_memory_equal(y->data, "<old/>", 6);
	buf_free(&out);
	buf_free(&f.b);
}

/* Two archives in a row become one; a link group whose inode the first archive used is renumbered.
 */
static void test_rebuild_two_archives(void **state)
{
	(void)state;
	static const char *const first[] = {"a1", "a2"};
	static const char *const second[] = {"b1", "b2"};
	struct fixture f = {BUF_INIT, 0, 0};
	struct buf out = BUF_INIT;
	struct cpio_entry got[64];

	stock_602(&f, "");
	add_links(&f, 77, first, 2, "first");
	end(&f);
	add_links(&f, 77, second, 2, "second");
	add(&f, "answerfile.xml", S_IFREG | 0644, "<appended/>");
	end(&f);

	struct image_report rep;
	inspect_ok(&f, &rep);
	assert_int_equal(rep.archives, 2);
	image_report_free(&rep);

	rebuild_ok(&f, PAYLOAD, 2, &out);
	size_t n = read_entries(&out, got, ARRAY_SIZE(got));
	const struct cpio_entry *a1 = named(got, n, "a1"), *a2 = named(got, n, "a2");
	const struct cpio_entry *b1 = named(got, n, "b1"), *b2 = named(got, n, "b2");
	assert_int_equal(a1->ino, 77);
	assert_int_equal(a2->ino, 77);
	assert_int_equal(b1->ino, b2->ino);
	assert_int_not_equal(b1->ino, 77);
	assert_int_equal(b2->filesize, 6);
	assert_memory_equal(b2->data, "second", 6);
	/* Not replaced: no answerfile was added this time. */
	assert_memory_equal(named(got, n, "answerfile.xml")->data, "<appended/>", 11);
	buf_free(&out);
	buf_free(&f.b);
}

static void test_rebuild_bad_paths(void **state)
{
	(void)state;
	static const char *const bad[] = {"",	    "/opt/x", "opt/../x", "opt/./x",
					  "opt//x", "opt/x/", "."};
	struct fixture f = stock();
	struct buf out = BUF_INIT, err = BUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct image_file file = {bad[i], "x", 1, 0644};
		buf_reset(&err);
		assert_int_equal(image_rebuild(f.b.data, f.b.len, &file, 1, 0, &out, &err),
				 -EINVAL);
		assert_non_null(strstr(err.data, "cannot add"));
	}
	struct image_file twice[] = {PAYLOAD[0], PAYLOAD[0]};
	assert_int_equal(image_rebuild(f.b.data, f.b.len, twice, 2, 0, &out, &err), -EINVAL);
	assert_int_equal(out.len, 0);
	buf_free(&err);
	buf_free(&f.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inspect_602),
		cmocka_unit_test(test_modules),
		cmocka_unit_test(test_refuse_systemd),
		cmocka_unit_test(test_refuse_not_installer),
		cmocka_unit_test(test_not_cpio),
		cmocka_unit_test(test_rebuild_keeps_stock),
		cmocka_unit_test(test_rebuild_prefix),
		cmocka_unit_test(test_rebuild_replaces),
		cmocka_unit_test(test_rebuild_two_archives),
		cmocka_unit_test(test_rebuild_bad_paths),
	};
	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
