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

#include "commands.h"
#include "configedit.h"
#include "gpt.h"
#include "initrd.h"
#include "log.h"
#include "observer.h"

/* What gptmbr.bin prints when it finds no partition, or several, to boot. */
#define MISSING_OS  "gptmbr.bin stops with \"Missing OS\""
#define MULTIPLE_OS "gptmbr.bin stops with \"Multiple active partitions\""

struct collector {
	const struct boot_expect *e;
	struct boot_report *report;
	unsigned failures;
};

static struct boot_check *report_add(struct boot_report *r, bool ok, const char *disk,
				     const char *why, char *what)
{
	r->checks = xrealloc(r->checks, (r->n + 1) * sizeof(*r->checks));
	struct boot_check *k = &r->checks[r->n++];
	memset(k, 0, sizeof(*k));
	k->ok = ok;
	k->disk = disk ? xstrdup(disk) : NULL;
	k->what = what;
	k->why = !ok && why ? xstrdup(why) : NULL;
	return k;
}

void boot_report_add(struct boot_report *r, bool ok, const char *disk, const char *why,
		     const char *advice, const char *what)
{
	struct boot_check *k = report_add(r, ok, disk, why, xstrdup(what));

	k->advice = !ok && advice ? xstrdup(advice) : NULL;
}

/*
 * Records a finding about @disk (NULL: the system).  For a failure, @fix is
 * its mending action (taken over) or NULL, then @advice says what to do.
 */
static void finding(struct collector *c, bool ok, const char *disk, const char *why,
		    struct plan_action *fix, const char *advice, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
static void finding(struct collector *c, bool ok, const char *disk, const char *why,
		    struct plan_action *fix, const char *advice, const char *fmt, ...)
{
	struct buf what = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&what, fmt, ap);
	va_end(ap);
	struct boot_check *k = report_add(c->report, ok, disk, why, buf_detach(&what));
	if (ok) {
		if (fix) {
			plan_action_free(fix);
			free(fix);
		}
		return;
	}
	c->failures++;
	k->fix = fix;
	k->advice = !fix && advice ? xstrdup(advice) : NULL;
}

static struct plan_action *new_action(enum op_id op)
{
	struct plan_action *a = xcalloc(1, sizeof(*a));

	a->op = op;
	return a;
}

/* The command a fix runs, or NULL when the expectation names no such tool. */
static struct plan_action *fix_run(const struct boot_expect *e, struct strv *argv)
{
	struct plan_action *a = new_action(OP_RUN);

	a->argv = *argv;
	*argv = (struct strv)STRV_INIT;
	a->timeout_sec = 120;
	if (strcmp(e->root_dir, "/"))
		a->chroot = xstrdup(e->root_dir);
	return a;
}

static struct plan_action *fix_boot_code(const struct boot_expect *e)
{
	struct plan_action *a = new_action(OP_WRITE_BOOT_CODE);

	a->device = xstrdup(e->disk);
	a->source = xstrdup(e->boot_code);
	return a;
}

static struct plan_action *fix_bootable(const struct boot_expect *e, unsigned part, bool set)
{
	struct strv argv = STRV_INIT;

	if (!e->sgdisk)
		return NULL;
	cmd_sgdisk_bootable(e->sgdisk, e->disk, part, set, &argv);
	struct plan_action *a = fix_run(e, &argv);
	/* sgdisk runs on the disk from the system we are on, never chrooted. */
	free(a->chroot);
	a->chroot = NULL;
	return a;
}

/* extlinux --install writes both the boot sector of md0 and ldlinux.sys. */
static struct plan_action *fix_extlinux(const struct boot_expect *e)
{
	struct strv argv = STRV_INIT;

	if (!e->extlinux)
		return NULL;
	cmd_extlinux(e->extlinux, &argv);
	return fix_run(e, &argv);
}

static struct plan_action *fix_edit(const struct boot_expect *e, const char *rel,
				    enum edit_kind kind)
{
	struct plan_action *a = new_action(OP_EDIT_FILE);

	a->path = path_join(e->root_dir, rel);
	a->edit.kind = kind;
	strv_push(&a->edit.values, e->root_device);
	return a;
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

/* @have_table: @gpt was read (from either copy). */
static void check_partitions(struct collector *c, const struct gpt_table *gpt, bool have_table)
{
	const struct boot_expect *e = c->e;
	const struct gpt_partition *p1 = have_table ? gpt_find(gpt, 1) : NULL;
	bool placed = p1 && (!e->part1_last ||
			     (p1->first_lba == e->part1_first && p1->last_lba == e->part1_last));

	if (e->part1_last)
		finding(c, placed, e->disk, NULL, NULL,
			"its partition table is not the one the mirror needs: give the disk the "
			"other disk's layout with xsraid replace-disk",
			"partition 1 of %s spans sectors %llu-%llu", e->disk,
			(unsigned long long)e->part1_first, (unsigned long long)e->part1_last);
	else
		finding(c, p1 != NULL, e->disk, NULL, NULL,
			"the disk has no partition 1: give it the other disk's layout with xsraid "
			"replace-disk",
			"%s has a partition 1", e->disk);
	if (!p1)
		return;
	finding(c, p1->attributes & GPT_ATTR_LEGACY_BIOS_BOOTABLE, e->disk, MISSING_OS,
		fix_bootable(e, 1, true), "set it: sgdisk --attributes=1:set:2",
		"partition 1 of %s is legacy-BIOS-bootable", e->disk);
	for (size_t i = 0; i < gpt->n_partitions; i++) {
		const struct gpt_partition *p = &gpt->partitions[i];
		if (p->number == 1 || !(p->attributes & GPT_ATTR_LEGACY_BIOS_BOOTABLE))
			continue;
		finding(c, false, e->disk, MULTIPLE_OS, fix_bootable(e, p->number, false),
			"clear it: sgdisk --attributes=N:clear:2",
			"partition %u of %s is not legacy-BIOS-bootable (only partition 1 may be)",
			p->number, e->disk);
	}
}

static void check_disk(struct collector *c)
{
	const struct boot_expect *e = c->e;
	struct gpt_table *gpt = xcalloc(1, sizeof(*gpt));
	int fd = open_uncached(e->disk);
	bool have_table, gpt_ok;

	finding(c, boot_code_matches(fd, e->boot_code), e->disk,
		"the BIOS runs these 440 bytes: without gptmbr.bin's code the disk boots nothing",
		fix_boot_code(e), NULL, "%s starts with %s", e->disk, e->boot_code);
	have_table = fd >= 0 && gpt_read(fd, e->disk_bytes, e->sector_size, gpt) == 0;
	gpt_ok = have_table && gpt->primary_valid && gpt->backup_valid;
	finding(c, gpt_ok, e->disk, "gptmbr.bin reads the primary GPT to find partition 1", NULL,
		"repair the table from its good copy (sgdisk --verify shows which) or give the "
		"disk a new one with xsraid replace-disk --force",
		"%s has a valid GPT, both copies", e->disk);
	check_partitions(c, gpt, have_table);

	/*
	 * extlinux's boot sector sits at the start of md0, so at the start of
	 * partition 1: read where the table puts it, through the disk itself.
	 */
	const struct gpt_partition *p1 = have_table ? gpt_find(gpt, 1) : NULL;
	uint64_t at = (p1 ? p1->first_lba : e->part1_first) * e->sector_size;
	uint8_t vbr[512];
	bool vbr_ok = fd >= 0 && at && pread_exact(fd, vbr, sizeof(vbr), at) == 0 &&
		      vbr[510] == 0x55 && vbr[511] == 0xaa &&
		      (memmem(vbr, sizeof(vbr), "EXTLINUX", 8) ||
		       memmem(vbr, sizeof(vbr), "SYSLINUX", 8));
	if (fd >= 0)
		close(fd);
	free(gpt);
	finding(c, vbr_ok, e->disk, "gptmbr.bin hands over to that boot sector", fix_extlinux(e),
		"install extlinux again: extlinux --install /boot",
		"%s carries extlinux's boot sector", e->part1);
}

static void check_extlinux(struct collector *c)
{
	const struct boot_expect *e = c->e;
	struct extlinux_config conf = {0};
	struct buf text = BUF_INIT, err = BUF_INIT;
	char *p = path_join(e->root_dir, "boot/extlinux.conf");

	finding(c, nonempty_file(e->root_dir, "boot/ldlinux.sys"), NULL,
		"extlinux's boot sector loads it", fix_extlinux(e),
		"install extlinux again: extlinux --install /boot", "boot/ldlinux.sys is there");
	if (read_file(p, 1 << 20, &text) < 0 || config_extlinux_parse(text.data, &conf, &err) < 0) {
		finding(c, false, NULL, "extlinux has no menu to boot from", NULL,
			"restore boot/extlinux.conf from the installation",
			"boot/extlinux.conf can be read: %s", err.len ? err.data : "no such file");
		goto out;
	}
	finding(c, conf.n_entries > 0, NULL, "extlinux has nothing to boot", NULL,
		"restore boot/extlinux.conf from the installation",
		"extlinux.conf has boot entries");
	for (size_t i = 0; i < conf.n_entries; i++) {
		const struct extlinux_entry *x = &conf.entries[i];
		const char *files[] = {x->kernel, x->xen, x->dom0, x->initrd};
		finding(c, x->root && !strcmp(x->root, e->root_device), NULL,
			"the initrd mounts another root than the mirrored one",
			fix_edit(e, "boot/extlinux.conf", EDIT_EXTLINUX_ROOT), NULL,
			"entry '%s' boots with root=%s", x->label, e->root_device);
		for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
			if (!files[f])
				continue;
			/* extlinux resolves relative names against /boot, where its config is. */
			char *rel = files[f][0] == '/' ? xstrdup(files[f])
						       : xasprintf("/boot/%s", files[f]);
			finding(c, nonempty_file(e->root_dir, rel), NULL,
				"extlinux cannot load the entry", NULL,
				"reinstall the package that provides it, or choose another entry",
				"entry '%s': %s exists", x->label, rel);
			free(rel);
		}
	}
out:
	config_extlinux_free(&conf);
	buf_free(&text);
	buf_free(&err);
	free(p);
}

static void check_config(struct collector *c)
{
	const struct boot_expect *e = c->e;
	struct buf text = BUF_INIT, missing = BUF_INIT;
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
	finding(c, ok, NULL, "the system mounts another root than the mirrored one",
		fix_edit(e, "etc/fstab", EDIT_FSTAB_ROOT), NULL, "etc/fstab mounts / from %s",
		e->root_device);
	free(p);

	p = path_join(e->root_dir, "etc/mdadm.conf");
	buf_reset(&text);
	ok = read_file(p, 1 << 20, &text) == 0;
	strv_foreach(u, &e->uuids)
		if (!ok || !strstr(text.data, *u))
			buf_printf(&missing, "%s%s", missing.len ? ", " : "", *u);
	char *advice = xasprintf("add an ARRAY line for UUID %s to etc/mdadm.conf (mdadm "
				 "--detail --scan prints them), then rebuild the initrds",
				 missing.data ? missing.data : "");
	finding(c, !missing.len, NULL, "the initrd's mdadm assembles the arrays it names", NULL,
		advice, "etc/mdadm.conf names every array by UUID");
	free(advice);
	free(p);

	buf_free(&text);
	buf_free(&missing);
}

/* Each initrd assembles the root array the way its kernel allows. */
static void check_initrds(struct collector *c)
{
	const struct boot_expect *e = c->e;

	strv_foreach(k, &e->kernels) {
		char *img = xasprintf("boot/initrd-%s.img", *k);
		char *path = path_join(e->root_dir, img);
		char *conf = xasprintf("%s/boot/config-%s", e->root_dir, *k);
		char *advice =
			xasprintf("rebuild it with the system's mkinitrd once etc/mdadm.conf "
				  "names md0: mkinitrd -f /%s %s",
				  img, *k);
		struct buf data = BUF_INIT, config = BUF_INIT, err = BUF_INIT, how = BUF_INIT;
		struct initrd_facts f = {0};
		struct kernel_md km = {0};
		static const char WHY[] = "the kernel cannot mount md0 as its root";

		/* No config to read: md and raid1 count as modules, the initrd must carry them. */
		if (read_file(conf, 1 << 20, &config) == 0)
			kernel_md_from_config(config.data, &km);
		if (read_file(path, 256u << 20, &data) < 0)
			finding(c, false, NULL, WHY, NULL, advice, "%s can be read", img);
		else if (initrd_read(data.data, data.len, &f, &err) < 0)
			finding(c, false, NULL, WHY, NULL, advice, "%s is an initrd: %s", img,
				err.data);
		else {
			/* First the verdict, then its words: how is filled by the call. */
			bool ok = e->uuids.n && initrd_assembles_root(&f, &km, e->uuids.v[0],
								      e->root_metadata, &how);
			finding(c, ok, NULL, WHY, NULL, advice, "%s assembles %s: %s", img,
				e->root_device, how.data ? how.data : "no UUID for it");
		}
		initrd_facts_free(&f);
		buf_free(&data);
		buf_free(&config);
		buf_free(&err);
		buf_free(&how);
		free(advice);
		free(conf);
		free(path);
		free(img);
	}
}

unsigned bootcheck_collect(const struct boot_expect *e, unsigned what, struct boot_report *report)
{
	struct collector c = {e, report, 0};

	if (what & BOOTCHECK_DISK)
		check_disk(&c);
	if (what & BOOTCHECK_SYSTEM) {
		check_extlinux(&c);
		check_config(&c);
		check_initrds(&c);
	}
	return c.failures;
}

size_t bootcheck_add_fix_step(struct plan *p, const char *id, const char *title,
			      struct boot_report *r)
{
	struct plan_step *s = NULL;

	for (size_t i = 0; i < r->n; i++) {
		struct boot_check *k = &r->checks[i];
		if (!k->fix)
			continue;
		if (!s)
			s = plan_add_step(p, STAGE_FIX_BOOT, id, title);
		plan_step_take_action(s, k->fix);
		free(k->fix);
		k->fix = NULL;
	}
	return s ? s->n_actions : 0;
}

void boot_report_free(struct boot_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct boot_check *k = &r->checks[i];
		free(k->disk);
		free(k->what);
		free(k->why);
		free(k->advice);
		if (k->fix) {
			plan_action_free(k->fix);
			free(k->fix);
		}
	}
	free(r->checks);
	memset(r, 0, sizeof(*r));
}

int bootcheck_disk(const struct boot_expect *e)
{
	struct boot_report report = {0};
	unsigned failures = bootcheck_collect(e, BOOTCHECK_DISK | BOOTCHECK_SYSTEM, &report);

	for (size_t i = 0; i < report.n; i++) {
		if (report.checks[i].ok)
			log_info("ok: %s", report.checks[i].what);
		else
			log_error(-EUCLEAN, "check failed: %s", report.checks[i].what);
	}
	boot_report_free(&report);
	observe_boot_check(e->disk + strlen("/dev/"), (int)failures);
	if (failures)
		return log_error(-EUCLEAN, "%u boot check%s failed on %s", failures,
				 failures == 1 ? "" : "s", e->disk);
	log_notice("%s can boot the system on its own", e->disk);
	return 0;
}
