// SPDX-License-Identifier: GPL-2.0-only
#include "planprint.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "journal.h"
#include "ops.h"

/* What each disk is to the plan, by purpose: [purpose][disk]. */
static const char *const ROLES[2][2] = {
	{"first: holds the fresh install", "second: becomes its mirror"},
	{"good: the arrays run from it; only read", "new: takes the failed disk's place"},
};
static const char *const ROLE_NAMES[2][2] = {{"first", "second"}, {"good", "new"}};

/* How a stage's heading says where it runs. */
static const char *stage_where(enum plan_stage s)
{
	switch (s) {
	case STAGE_FILESYSTEM_POPULATED:
		return " (the installed system is mounted)";
	case STAGE_INSTALLATION_COMPLETE:
		return " (after the installer has finished)";
	default:
		return " (on the running system)";
	}
}

void plan_print_text(const struct plan *p, struct buf *o)
{
	const struct plan_inputs *in = &p->in;
	bool replace = in->purpose == PURPOSE_REPLACE_DISK;
	uint64_t ss = in->sector_size;
	char h[32];

	if (replace)
		buf_printf(o,
			   "xsraid replace-disk: /dev/%s joins md0, md1 and md2, rebuilt from "
			   "/dev/%s\n\n",
			   in->disk[1], in->disk[0]);
	else
		buf_printf(o,
			   "xsraid plan: RAID1 of /dev/%s and /dev/%s (metadata %s, bitmap %s, SR "
			   "%s)\n\n",
			   in->disk[0], in->disk[1], md_metadata_name(in->metadata[0]),
			   md_bitmap_name(in->bitmap), sr_type_name(in->sr_type));
	buf_puts(o, "disk       size       role\n");
	for (int i = 0; i < 2; i++) {
		format_size(h, sizeof(h), in->disk_sectors[i] * ss);
		buf_printf(o, "/dev/%-5s %-10s %s\n", in->disk[i], h, ROLES[replace][i]);
	}
	buf_puts(o, "\narray  partitions (both disks)      size       use\n");
	for (unsigned i = 0; i < N_ARRAYS; i++) {
		char range[64];
		format_size(h, sizeof(h), (in->part_last[i] - in->part_first[i] + 1) * ss);
		snprintf(range, sizeof(range), "%u: %" PRIu64 "-%" PRIu64, i + 1, in->part_first[i],
			 in->part_last[i]);
		buf_printf(o, "%-6s %-29s %-10s %s", md_array_name(i), range, h, md_array_role(i));
		if (i == 0 && in->root_label[0])
			buf_printf(o, " (%s, label %s)", in->root_fstype, in->root_label);
		if (i == 2 && !replace)
			buf_printf(o, " (%s)", sr_type_name(in->sr_type));
		if (in->metadata[i] != in->metadata[0])
			buf_printf(o, ", metadata %s", md_metadata_name(in->metadata[i]));
		buf_putc(o, '\n');
	}
	buf_printf(o, "journal 4 on /dev/%-13s %-10s xsraid's step journal\n", in->disk[1],
		   "1.0 MiB");
	for (size_t i = 0; i < p->notes.n; i++)
		buf_printf(o, "note: %s\n", p->notes.v[i]);
	buf_putc(o, '\n');
	plan_print_steps(p, o);
}

void plan_print_steps(const struct plan *p, struct buf *o)
{
	enum plan_stage stage = N_STAGES;
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct plan_step *s = &p->steps[i];
		if (s->stage != stage) {
			stage = s->stage;
			buf_printf(o, "%sat %s%s:\n", stage == p->steps[0].stage ? "" : "\n",
				   plan_stage_name(stage), stage_where(stage));
		}
		buf_printf(o, "%2zu. %s: %s\n", i + 1, s->id, s->title);
		if (s->destroys)
			buf_printf(o, "    overwrites %s\n", s->destroys);
		if (s->always)
			buf_puts(o, "    runs on every attempt, resumed or not\n");
		for (size_t j = 0; j < s->n_actions; j++) {
			const struct plan_action *a = &s->actions[j];
			buf_puts(o, a->op == OP_RUN ? "    $ " : "    - ");
			action_describe(a, o);
			buf_putc(o, '\n');
		}
	}
}

/* --- JSON ----------------------------------------------------------------------- */

static void json_str(struct buf *o, const char *key, const char *value)
{
	if (!value)
		return;
	buf_printf(o, ", \"%s\": ", key);
	json_quote(o, value);
}

static void json_strv(struct buf *o, const char *key, const struct strv *v)
{
	if (!v->n)
		return;
	buf_printf(o, ", \"%s\": [", key);
	for (size_t i = 0; i < v->n; i++) {
		buf_puts(o, i ? ", " : "");
		json_quote(o, v->v[i]);
	}
	buf_putc(o, ']');
}

static const char *const EDIT_KINDS[] = {
	[EDIT_FSTAB_ROOT] = "fstab-root",
	[EDIT_EXTLINUX_ROOT] = "extlinux-root",
	[EDIT_SHELL_VARS] = "shell-variables",
	[EDIT_WRITE] = "whole-file",
};

static void json_edit(struct buf *o, const struct file_edit *e)
{
	buf_printf(o, ", \"edit\": {\"kind\": \"%s\"", EDIT_KINDS[e->kind]);
	json_strv(o, "keys", &e->keys);
	json_strv(o, "values", &e->values);
	if (e->kind == EDIT_SHELL_VARS)
		buf_printf(o, ", \"required\": %zu", e->n_required);
	if (e->kind == EDIT_WRITE) {
		json_str(o, "text", e->text);
		buf_printf(o, ", \"mode\": \"%04o\"", e->mode);
	}
	buf_putc(o, '}');
}

static void json_boot(struct buf *o, const struct boot_expect *e)
{
	buf_puts(o, ", \"boot\": {\"disk\": ");
	json_quote(o, e->disk);
	buf_printf(o, ", \"disk_bytes\": %" PRIu64 ", \"sector_size\": %" PRIu32, e->disk_bytes,
		   e->sector_size);
	json_str(o, "part1", e->part1);
	buf_printf(o, ", \"part1_first\": %" PRIu64 ", \"part1_last\": %" PRIu64, e->part1_first,
		   e->part1_last);
	json_str(o, "boot_code", e->boot_code);
	json_str(o, "root_dir", e->root_dir);
	json_str(o, "root_device", e->root_device);
	json_strv(o, "uuids", &e->uuids);
	buf_printf(o, ", \"root_metadata\": \"%s\"", md_metadata_name(e->root_metadata));
	json_strv(o, "kernels", &e->kernels);
	buf_putc(o, '}');
}

static void json_signatures(struct buf *o, const struct old_signatures *list)
{
	buf_puts(o, ", \"signatures\": [");
	for (size_t i = 0; i < list->n; i++) {
		const struct old_signature *s = &list->sig[i];
		buf_printf(o, "%s{\"offset\": %" PRIu64 ", \"magic\": \"", i ? ", " : "",
			   s->offset);
		for (uint32_t k = 0; k < s->magic_len; k++)
			buf_printf(o, "%02x", s->magic[k]);
		buf_puts(o, "\", \"what\": ");
		json_quote(o, s->what);
		buf_putc(o, '}');
	}
	buf_putc(o, ']');
}

void plan_action_json(const struct plan_action *a, struct buf *o)
{
	struct buf text = BUF_INIT;

	action_describe(a, &text);
	buf_printf(o, "{\"op\": \"%s\", \"text\": ", OPS[a->op].name);
	json_quote(o, text.data);
	json_strv(o, "argv", &a->argv);
	json_str(o, "chroot", a->chroot);
	if (a->timeout_sec)
		buf_printf(o, ", \"timeout_sec\": %u", a->timeout_sec);
	json_str(o, "device", a->device);
	json_str(o, "path", a->path);
	json_str(o, "source", a->source);
	json_str(o, "fstype", a->fstype);
	json_str(o, "value", a->value);
	json_str(o, "guid", a->guid);
	json_strv(o, "paths", &a->paths);
	if (a->n_numbers) {
		buf_puts(o, ", \"numbers\": [");
		for (size_t i = 0; i < a->n_numbers; i++)
			buf_printf(o, "%s%" PRIu64, i ? ", " : "", a->numbers[i]);
		buf_putc(o, ']');
	}
	if (a->op == OP_MOUNT)
		buf_printf(o, ", \"read_only\": %s", a->read_only ? "true" : "false");
	if (a->mode && a->op != OP_EDIT_FILE)
		buf_printf(o, ", \"mode\": \"%04o\"", a->mode);
	if (a->op == OP_EDIT_FILE)
		json_edit(o, &a->edit);
	if (a->boot)
		json_boot(o, a->boot);
	if (a->sigs)
		json_signatures(o, a->sigs);
	if (a->cond != COND_ALWAYS) {
		static const char *const kinds[] = {[COND_ARRAY_STOPPED] = "array-stopped",
						    [COND_NOT_MEMBER] = "not-member",
						    [COND_MEMBER] = "member"};
		buf_printf(o, ", \"condition\": {\"kind\": \"%s\"", kinds[a->cond]);
		json_str(o, "array", a->cond_array);
		json_str(o, "member", a->cond_member);
		buf_putc(o, '}');
	}
	json_str(o, "note", a->note);
	buf_putc(o, '}');
	buf_free(&text);
}

void plan_print_json(const struct plan *p, struct buf *o)
{
	const struct plan_inputs *in = &p->in;
	bool replace = in->purpose == PURPOSE_REPLACE_DISK;
	char u[36];

	buf_printf(o, "{\n  \"version\": 2,\n  \"purpose\": \"%s\",\n  \"disks\": [",
		   plan_purpose_name(in->purpose));
	for (int i = 0; i < 2; i++) {
		buf_printf(o, "%s\n    {\"name\": ", i ? "," : "");
		json_quote(o, in->disk[i]);
		buf_printf(o, ", \"role\": \"%s\", \"bytes\": %" PRIu64 ", \"sector_size\": %u}",
			   ROLE_NAMES[replace][i], in->disk_sectors[i] * in->sector_size,
			   in->sector_size);
	}
	buf_printf(o,
		   "\n  ],\n  \"metadata\": \"%s\",\n  \"bitmap\": \"%s\",\n  \"sr_type\": \"%s\","
		   "\n  \"arrays\": [",
		   md_metadata_name(in->metadata[0]), md_bitmap_name(in->bitmap),
		   sr_type_name(in->sr_type));
	for (unsigned i = 0; i < N_ARRAYS; i++) {
		char m0[96], m1[96];
		md_uuid_format(in->md_uuid[i], u);
		plan_part_dev(m0, sizeof(m0), in->disk[0], i + 1);
		plan_part_dev(m1, sizeof(m1), in->disk[1], i + 1);
		buf_printf(
			o,
			"%s\n    {\"name\": \"%s\", \"use\": \"%s\", \"uuid\": \"%s\", "
			"\"metadata\": \"%s\", \"members\": [\"%s\", \"%s\"], \"first_lba\": %" PRIu64
			", \"last_lba\": %" PRIu64 "}",
			i ? "," : "", md_array_name(i), md_array_role(i), u,
			md_metadata_name(in->metadata[i]), m0, m1, in->part_first[i],
			in->part_last[i]);
	}
	buf_puts(o, "\n  ],\n  \"journal\": {\"device\": ");
	json_quote(o, p->journal.device);
	buf_printf(o,
		   ", \"partition\": 4, \"offset\": %" PRIu64 ", \"first_lba\": %" PRIu64
		   ", \"last_lba\": %" PRIu64 "},\n  \"notes\": [",
		   p->journal.offset, in->journal_first, in->journal_last);
	for (size_t i = 0; i < p->notes.n; i++) {
		buf_puts(o, i ? ", " : "");
		json_quote(o, p->notes.v[i]);
	}
	buf_puts(o, "],\n  \"steps\": [");
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct plan_step *s = &p->steps[i];
		buf_printf(
			o,
			"%s\n    {\"number\": %zu, \"id\": \"%s\", \"stage\": \"%s\", \"title\": ",
			i ? "," : "", i + 1, s->id, plan_stage_name(s->stage));
		json_quote(o, s->title);
		buf_puts(o, ", \"destroys\": ");
		if (s->destroys)
			json_quote(o, s->destroys);
		else
			buf_puts(o, "null");
		buf_printf(o, ", \"always\": %s", s->always ? "true" : "false");
		buf_puts(o, ",\n     \"actions\": [");
		for (size_t j = 0; j < s->n_actions; j++) {
			buf_puts(o, j ? ",\n       " : "\n       ");
			plan_action_json(&s->actions[j], o);
		}
		buf_puts(o, "\n     ]}");
	}
	buf_puts(o, "\n  ]\n}\n");
}
