// SPDX-License-Identifier: GPL-2.0-only
#include "checkboot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "bootcheck.h"
#include "discover.h"
#include "inputs.h"
#include "log.h"
#include "ops.h"
#include "planprint.h"

#define ROOT_ARRAY "md0"

/* One disk of md0 and what was found on it. */
struct boot_disk {
	const struct disk_info *disk;
	char member[64]; /* md0's member on it: "sdb1" */
	struct boot_report report;
	unsigned failures;
};

struct check_run {
	const struct checkboot_options *o;
	struct inventory inv;
	size_t n_disks;
	struct boot_disk *disks;
	struct boot_report system; /* the system on md0, which every disk boots */
	unsigned system_failures;
};

static const struct part_info *member_partition(const struct inventory *inv, const char *member,
						const struct disk_info **ret_disk)
{
	for (size_t i = 0; i < inv->n_disks; i++)
		for (size_t j = 0; j < inv->disks[i].n_parts; j++)
			if (!strcmp(inv->disks[i].parts[j].dev, member)) {
				*ret_disk = &inv->disks[i];
				return &inv->disks[i].parts[j];
			}
	*ret_disk = NULL;
	return NULL;
}

/* The UUIDs the initrd's mdadm.conf must name: each running array's, from its superblock. */
static void array_uuids(const struct inventory *inv, struct strv *out)
{
	for (unsigned i = 0; i < N_ARRAYS; i++) {
		const struct md_array *a = inventory_array(inv, md_array_name(i));
		for (size_t m = 0; a && m < a->members.n; m++) {
			const struct disk_info *d;
			const struct part_info *p = member_partition(inv, a->members.v[m], &d);
			if (p && p->md_uuid[0]) {
				strv_push(out, p->md_uuid);
				break;
			}
		}
	}
}

/* What a disk of md0 must hold, with the tools that mend it. */
static void expect_for(const struct check_run *c, const struct disk_info *d,
		       const struct part_info *member, struct boot_expect *e)
{
	const struct target_info *t = &c->inv.target;
	char *dev = xasprintf("/dev/%s", d->name), *part = xasprintf("/dev/%s", member->dev);

	memset(e, 0, sizeof(*e));
	e->disk = path_join(c->o->root, dev);
	e->disk_bytes = d->size_bytes;
	e->sector_size = d->sector_size;
	e->part1 = path_join(c->o->root, part);
	e->root_dir = path_join(c->o->root, c->o->system);
	e->boot_code = path_join(e->root_dir, t->gptmbr_path[0] ? t->gptmbr_path
								: "/usr/share/syslinux/gptmbr.bin");
	e->root_device = xstrdup("/dev/" ROOT_ARRAY);
	array_uuids(&c->inv, &e->uuids);
	e->root_metadata = !strcmp(member->md_metadata, "1.0") ? MD_METADATA_1_0 : MD_METADATA_0_90;
	strv_foreach(k, &t->kernels)
		strv_push(&e->kernels, *k);
	if (c->inv.tools.sgdisk[0])
		e->sgdisk = xstrdup(c->inv.tools.sgdisk);
	if (t->extlinux_path[0])
		e->extlinux = xstrdup(t->extlinux_path);
	free(dev);
	free(part);
}

/* What md says of the member: a failed or rebuilding one cannot be booted from yet. */
static void judge_member(struct boot_disk *bd, const struct md_array *md0, size_t m)
{
	char *dev = xasprintf("/dev/%s", bd->disk->name);
	char *what = xasprintf("%s, md0's member on %s, is in sync", bd->member, dev);

	if (md_member_faulty(md0, m)) {
		boot_report_add(&bd->report, false, dev, "md has stopped using it",
				"the disk has failed: replace it (xsraid replace-disk NEW)", what);
		bd->failures++;
	} else if (!md_member_in_sync(md0, m)) {
		boot_report_add(&bd->report, false, dev, "its copy of md0 is not complete yet",
				"wait until md has rebuilt it (xsraid status shows how far it is)",
				what);
		bd->failures++;
	} else {
		boot_report_add(&bd->report, true, dev, NULL, NULL, what);
	}
	free(what);
	free(dev);
}

/* xsraid's layout boots partition 1; another md0 member is beyond what is checked here. */
static bool member_is_partition_1(struct boot_disk *bd, const struct part_info *p)
{
	char *dev = xasprintf("/dev/%s", bd->disk->name);
	char *what = xasprintf("md0's member on %s is its partition 1", dev);

	boot_report_add(&bd->report, p->number == 1, dev,
			"gptmbr.bin boots the partition marked bootable, and xsraid's layout "
			"marks partition 1",
			"this is not the layout xsraid makes: check-boot cannot judge this disk",
			what);
	bd->failures += p->number != 1;
	free(what);
	free(dev);
	return p->number == 1;
}

static int collect(struct check_run *c)
{
	const struct md_array *md0 = inventory_array(&c->inv, ROOT_ARRAY);

	if (!md0 || !md0->members.n || !strcmp(md0->state, "inactive"))
		return -ENOENT;
	c->disks = xcalloc(md0->members.n, sizeof(*c->disks));
	for (size_t m = 0; m < md0->members.n; m++) {
		const struct disk_info *d;
		const struct part_info *p = member_partition(&c->inv, md0->members.v[m], &d);
		if (!p)
			continue;
		struct boot_disk *bd = &c->disks[c->n_disks++];
		struct boot_expect e;
		bd->disk = d;
		str_copy(bd->member, sizeof(bd->member), p->dev);
		judge_member(bd, md0, m);
		if (!member_is_partition_1(bd, p))
			continue;
		expect_for(c, d, p, &e);
		bd->failures += bootcheck_collect(&e, BOOTCHECK_DISK, &bd->report);
		/* The system on md0 is the same whichever disk boots it: checked once. */
		if (!c->system.n)
			c->system_failures = bootcheck_collect(&e, BOOTCHECK_SYSTEM, &c->system);
		boot_expect_free(&e);
	}
	return 0;
}

static void free_run(struct check_run *c)
{
	for (size_t i = 0; i < c->n_disks; i++)
		boot_report_free(&c->disks[i].report);
	free(c->disks);
	boot_report_free(&c->system);
	inventory_free(&c->inv);
	c->disks = NULL;
	c->n_disks = 0;
	c->system_failures = 0;
}

static bool all_boot(const struct check_run *c)
{
	for (size_t i = 0; i < c->n_disks; i++)
		if (c->disks[i].failures)
			return false;
	return c->n_disks && !c->system_failures;
}

/* --- text ------------------------------------------------------------------------ */

static void print_check(const struct boot_check *k, struct buf *o)
{
	buf_printf(o, "    %-5s ", k->ok ? "ok" : "FAIL");
	buf_put_display(o, k->what, strlen(k->what));
	buf_putc(o, '\n');
	if (k->ok)
		return;
	if (k->why)
		buf_printf(o, "          why: %s\n", k->why);
	if (k->fix) {
		buf_puts(o, k->fix->op == OP_RUN ? "          fix: $ " : "          fix: ");
		action_describe(k->fix, o);
		buf_putc(o, '\n');
	} else if (k->advice) {
		buf_printf(o, "          to do: %s\n", k->advice);
	}
}

static void print_text(const struct check_run *c, struct buf *o)
{
	struct buf bad = BUF_INIT;
	unsigned fixable = 0, failures = c->system_failures;

	for (size_t i = 0; i < c->n_disks; i++)
		if (c->disks[i].failures || c->system_failures)
			buf_printf(&bad, "%s%s", bad.len ? ", " : "", c->disks[i].disk->name);
	for (size_t i = 0; i < c->n_disks; i++) {
		failures += c->disks[i].failures;
		for (size_t j = 0; j < c->disks[i].report.n; j++)
			fixable += c->disks[i].report.checks[j].fix != NULL;
	}
	for (size_t j = 0; j < c->system.n; j++)
		fixable += c->system.checks[j].fix != NULL;
	if (all_boot(c))
		buf_printf(o, "every disk of md0 can boot the system alone (%zu disk%s)\n",
			   c->n_disks, c->n_disks == 1 ? "" : "s");
	else
		buf_printf(o,
			   "cannot boot alone: %s; %u problem%s, %u of them mended by "
			   "xsraid check-boot --fix\n",
			   bad.data, failures, failures == 1 ? "" : "s", fixable);
	for (size_t i = 0; i < c->n_disks; i++) {
		const struct boot_disk *bd = &c->disks[i];
		char model[64], serial[128];
		str_copy(model, sizeof(model),
			 bd->disk->model[0] ? bd->disk->model : "model unknown");
		str_copy(serial, sizeof(serial),
			 bd->disk->serial[0] ? bd->disk->serial : "unknown");
		str_squeeze_blanks(model);
		str_squeeze_blanks(serial);
		buf_printf(o, "\n/dev/%s (%s, serial %s), md0 member %s: %s\n", bd->disk->name,
			   model, serial, bd->member,
			   bd->failures || c->system_failures ? "cannot boot alone"
							      : "boots alone");
		for (size_t j = 0; j < bd->report.n; j++)
			print_check(&bd->report.checks[j], o);
	}
	buf_printf(o, "\nthe system on md0, which every disk boots: %s\n",
		   c->system_failures ? "cannot boot" : "in order");
	for (size_t j = 0; j < c->system.n; j++)
		print_check(&c->system.checks[j], o);
	buf_free(&bad);
}

/* --- JSON ------------------------------------------------------------------------ */

static void json_checks(const struct boot_report *r, struct buf *o)
{
	buf_puts(o, "[");
	for (size_t j = 0; j < r->n; j++) {
		const struct boot_check *k = &r->checks[j];
		buf_printf(o, "%s\n      {\"ok\": %s, \"what\": ", j ? "," : "",
			   k->ok ? "true" : "false");
		json_quote(o, k->what);
		buf_puts(o, ", \"why\": ");
		if (k->why)
			json_quote(o, k->why);
		else
			buf_puts(o, "null");
		buf_puts(o, ", \"fix\": ");
		if (k->fix)
			plan_action_json(k->fix, o);
		else
			buf_puts(o, "null");
		buf_puts(o, ", \"advice\": ");
		if (k->advice)
			json_quote(o, k->advice);
		else
			buf_puts(o, "null");
		buf_putc(o, '}');
	}
	buf_puts(o, r->n ? "\n    ]" : "]");
}

static void print_json(const struct check_run *c, struct buf *o)
{
	buf_printf(o, "{\n  \"boots_alone\": %s,\n  \"disks\": [", all_boot(c) ? "true" : "false");
	for (size_t i = 0; i < c->n_disks; i++) {
		const struct boot_disk *bd = &c->disks[i];
		buf_printf(o, "%s\n    {\"disk\": \"/dev/%s\", \"model\": ", i ? "," : "",
			   bd->disk->name);
		json_quote(o, bd->disk->model);
		buf_puts(o, ", \"serial\": ");
		json_quote(o, bd->disk->serial);
		buf_printf(o, ", \"member\": \"/dev/%s\", \"boots_alone\": %s,\n     \"checks\": ",
			   bd->member, bd->failures || c->system_failures ? "false" : "true");
		json_checks(&bd->report, o);
		buf_putc(o, '}');
	}
	buf_printf(o, "\n  ],\n  \"system\": {\"ok\": %s, \"checks\": ",
		   c->system_failures ? "false" : "true");
	json_checks(&c->system, o);
	buf_puts(o, "}\n}\n");
}

/* --- fixing ---------------------------------------------------------------------- */

/*
 * The fixes of the findings as a plan, one step per disk and one for the
 * system on md0, taken over from the findings; its number of fixes.
 */
static size_t fix_plan(struct check_run *c, struct plan *p)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_disks; i++) {
		const char *name = c->disks[i].disk->name;
		char *id = xasprintf("mend-%s", name);
		char *title = xasprintf("Mend what keeps /dev/%s from booting alone", name);
		n += bootcheck_add_fix_step(p, id, title, &c->disks[i].report);
		free(title);
		free(id);
	}
	n += bootcheck_add_fix_step(p, "mend-system",
				    "Mend the system on md0 that every disk boots", &c->system);
	return n;
}

/* Prints the plan of fixes, applies it, and says how it went; 0 or a negative errno. */
static int apply_fixes(struct check_run *c)
{
	struct plan p = {0};
	struct buf text = BUF_INIT;
	size_t n = fix_plan(c, &p);
	int r = 0;

	if (n) {
		plan_print_steps(&p, &text);
		fputs(text.data, stdout);
		fflush(stdout);
		r = apply_stage(&p, STAGE_FIX_BOOT, NULL);
	}
	if (r < 0)
		log_notice("check-boot: the fixes stopped at a failure; checking again");
	else
		log_notice("check-boot: %zu fix%s applied; checking again", n, n == 1 ? "" : "es");
	buf_free(&text);
	plan_free(&p);
	return r;
}

static int check(struct check_run *c)
{
	int r = discover(c->o->root, c->o->system, &c->inv);

	if (r < 0)
		return r;
	return collect(c);
}

int checkboot_run(const struct checkboot_options *o)
{
	struct check_run c = {.o = o};
	struct buf out = BUF_INIT;
	int r = check(&c), status;

	if (r == 0 && o->fix && !all_boot(&c)) {
		apply_fixes(&c);
		free_run(&c);
		r = check(&c);
	}
	if (r == -ENOENT) {
		log_error(r, "check-boot: md0 is not running, so there is nothing to check; "
			     "check-boot looks at the running system booted from md0");
		status = CHECKBOOT_NO_ARRAY;
		goto out;
	}
	if (r < 0) {
		log_errno(r, "check-boot: cannot read the disks");
		status = CHECKBOOT_FAILED;
		goto out;
	}
	if (o->json)
		print_json(&c, &out);
	else
		print_text(&c, &out);
	fputs(out.data, stdout);
	status = all_boot(&c) ? CHECKBOOT_OK : CHECKBOOT_FAILED;
	if (fflush(stdout) != 0)
		status = CHECKBOOT_FAILED;
out:
	free_run(&c);
	buf_free(&out);
	return status;
}
