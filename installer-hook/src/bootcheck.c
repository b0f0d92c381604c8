// SPDX-License-Identifier: GPL-2.0-only
#include "bootcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "configedit.h"
#include "gpt.h"
#include "initrd.h"
#include "log.h"
#include "observer.h"

static void check(bool ok, int *failures, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void check(bool ok, int *failures, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ok) {
		log_info("ok: %s", msg);
		return;
	}
	log_error(-EUCLEAN, "check failed: %s", msg);
	(*failures)++;
}

static bool nonempty_file(const char *root, const char *path)
{
	char *p = path_join(root, path);
	struct stat st;
	bool ok = stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;

	free(p);
	return ok;
}

/* The first 440 bytes of @dev are those of the file @code. */
static bool boot_code_matches(int fd, const char *code)
{
	struct buf want = BUF_INIT;
	uint8_t mbr[440];
	bool ok = fd >= 0 && read_file(code, 1 << 20, &want) == 0 && want.len == sizeof(mbr) &&
		  pread_exact(fd, mbr, sizeof(mbr), 0) == 0 && !memcmp(mbr, want.data, sizeof(mbr));

	buf_free(&want);
	return ok;
}

/*
 * Opens a disk or partition to read what the BIOS will read: md writes to a
 * member behind the back of the member's own page cache, so what an earlier
 * probe cached there is dropped first.
 */
static int open_uncached(const char *dev)
{
	int fd = open(dev, O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		ioctl(fd, BLKFLSBUF, 0);
	return fd;
}

static void check_disk(const struct boot_expect *e, int *failures)
{
	struct gpt_table *gpt = xcalloc(1, sizeof(*gpt));
	int fd = open_uncached(e->disk);

	check(boot_code_matches(fd, e->boot_code), failures, "%s starts with %s", e->disk,
	      e->boot_code);
	check(fd >= 0 && gpt_read(fd, e->disk_bytes, e->sector_size, gpt) == 0 &&
		      gpt->primary_valid && gpt->backup_valid,
	      failures, "%s has a valid GPT, both copies", e->disk);
	const struct gpt_partition *p1 = gpt_find(gpt, 1);
	check(p1 && p1->first_lba == e->part1_first && p1->last_lba == e->part1_last &&
		      (p1->attributes & GPT_ATTR_LEGACY_BIOS_BOOTABLE),
	      failures, "partition 1 of %s spans sectors %llu-%llu and is legacy-BIOS-bootable",
	      e->disk, (unsigned long long)e->part1_first, (unsigned long long)e->part1_last);
	if (fd >= 0)
		close(fd);
	free(gpt);

	/* extlinux's boot sector sits at the start of md0, so at the start of partition 1. */
	uint8_t vbr[512];
	fd = open_uncached(e->part1);
	bool vbr_ok = fd >= 0 && pread_exact(fd, vbr, sizeof(vbr), 0) == 0 && vbr[510] == 0x55 &&
		      vbr[511] == 0xaa &&
		      (memmem(vbr, sizeof(vbr), "EXTLINUX", 8) ||
		       memmem(vbr, sizeof(vbr), "SYSLINUX", 8));
	if (fd >= 0)
		close(fd);
	check(vbr_ok, failures, "%s carries extlinux's boot sector", e->part1);
}

static void check_extlinux(const struct boot_expect *e, int *failures)
{
	struct extlinux_config conf = {0};
	struct buf text = BUF_INIT, err = BUF_INIT;
	char *p = path_join(e->root_dir, "boot/extlinux.conf");

	check(nonempty_file(e->root_dir, "boot/ldlinux.sys"), failures,
	      "boot/ldlinux.sys is there");
	if (read_file(p, 1 << 20, &text) < 0 || config_extlinux_parse(text.data, &conf, &err) < 0) {
		check(false, failures, "boot/extlinux.conf can be read: %s",
		      err.len ? err.data : "no such file");
		goto out;
	}
	check(conf.n_entries > 0, failures, "extlinux.conf has boot entries");
	for (size_t i = 0; i < conf.n_entries; i++) {
		const struct extlinux_entry *x = &conf.entries[i];
		const char *files[] = {x->kernel, x->xen, x->dom0, x->initrd};
		check(x->root && !strcmp(x->root, e->root_device), failures,
		      "entry '%s' boots with root=%s", x->label, e->root_device);
		for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
			if (!files[f])
				continue;
			/* extlinux resolves relative names against /boot, where its config is. */
			char *rel = files[f][0] == '/' ? xstrdup(files[f])
						       : xasprintf("/boot/%s", files[f]);
			check(nonempty_file(e->root_dir, rel), failures, "entry '%s': %s exists",
			      x->label, rel);
			free(rel);
		}
	}
out:
	config_extlinux_free(&conf);
	buf_free(&text);
	buf_free(&err);
	free(p);
}

static void check_config(const struct boot_expect *e, int *failures)
{
	struct buf text = BUF_INIT;
	char *p = path_join(e->root_dir, "etc/fstab");
	bool ok = false;

	if (read_file(p, 1 << 20, &text) == 0) {
		char *out = NULL;
		struct buf err = BUF_INIT;
		/* Setting the root device changes nothing when it is already set. */
		ok = config_fstab_set_root(text.data, e->root_device, &out, &err) == 0 &&
		     !strcmp(out, text.data);
		free(out);
		buf_free(&err);
	}
	check(ok, failures, "etc/fstab mounts / from %s", e->root_device);
	free(p);

	p = path_join(e->root_dir, "etc/mdadm.conf");
	buf_reset(&text);
	ok = read_file(p, 1 << 20, &text) == 0;
	strv_foreach(u, &e->uuids)
		ok = ok && strstr(text.data, *u);
	check(ok, failures, "etc/mdadm.conf names every array by UUID");
	free(p);

	buf_free(&text);
}

/* Each initrd assembles the root array the way its kernel allows. */
static void check_initrds(const struct boot_expect *e, int *failures)
{
	strv_foreach(k, &e->kernels) {
		char *img = xasprintf("boot/initrd-%s.img", *k);
		char *path = path_join(e->root_dir, img);
		char *conf = xasprintf("%s/boot/config-%s", e->root_dir, *k);
		struct buf data = BUF_INIT, config = BUF_INIT, err = BUF_INIT, how = BUF_INIT;
		struct initrd_facts f = {0};
		struct kernel_md km = {0};

		/* No config to read: md and raid1 count as modules, the initrd must carry them. */
		if (read_file(conf, 1 << 20, &config) == 0)
			kernel_md_from_config(config.data, &km);
		if (read_file(path, 256u << 20, &data) < 0)
			check(false, failures, "%s can be read", img);
		else if (initrd_read(data.data, data.len, &f, &err) < 0)
			check(false, failures, "%s is an initrd: %s", img, err.data);
		else {
			/* First the verdict, then its words: how is filled by the call. */
			bool ok = initrd_assembles_root(&f, &km, e->uuids.v[0], e->root_metadata,
							&how);
			check(ok, failures, "%s assembles %s: %s", img, e->root_device, how.data);
		}
		initrd_facts_free(&f);
		buf_free(&data);
		buf_free(&config);
		buf_free(&err);
		buf_free(&how);
		free(conf);
		free(path);
		free(img);
	}
}

int bootcheck_disk(const struct boot_expect *e)
{
	int failures = 0;

	check_disk(e, &failures);
	check_extlinux(e, &failures);
	check_config(e, &failures);
	check_initrds(e, &failures);
	observe_boot_check(e->disk + strlen("/dev/"), failures);
	if (failures)
		return log_error(-EUCLEAN, "%d boot check%s failed on %s", failures,
				 failures == 1 ? "" : "s", e->disk);
	log_notice("%s can boot the new system on its own", e->disk);
	return 0;
}
