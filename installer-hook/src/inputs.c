// SPDX-License-Identifier: GPL-2.0-only
#include "inputs.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void old_signature_describe(const struct old_signature *s, struct buf *out)
{
	buf_printf(out, "%s at byte %" PRIu64 " (", s->what, s->offset);
	for (uint32_t k = 0; k < s->magic_len; k++)
		buf_printf(out, "%02x", s->magic[k]);
	buf_putc(out, ')');
}

const char *plan_purpose_name(enum plan_purpose p)
{
	return p == PURPOSE_REPLACE_DISK ? "replace-disk" : "install";
}

void inputs_free(struct plan_inputs *in)
{
	strv_free(&in->stale_arrays);
	strv_free(&in->kernels);
	strv_free(&in->remove_members);
}

static void copy_list(struct strv *dst, const struct strv *src)
{
	*dst = (struct strv)STRV_INIT;
	strv_foreach(s, src)
		strv_push(dst, *s);
}

void inputs_copy(struct plan_inputs *dst, const struct plan_inputs *src)
{
	*dst = *src;
	copy_list(&dst->stale_arrays, &src->stale_arrays);
	copy_list(&dst->kernels, &src->kernels);
	copy_list(&dst->remove_members, &src->remove_members);
}

static const char *const ARRAY_NAMES[N_ARRAYS] = {"md0", "md1", "md2"};
static const char *const ARRAY_ROLES[N_ARRAYS] = {"root", "backup partition", "local SR"};

const char *md_array_name(unsigned i)
{
	return i < N_ARRAYS ? ARRAY_NAMES[i] : "md?";
}

const char *md_array_role(unsigned i)
{
	return i < N_ARRAYS ? ARRAY_ROLES[i] : "?";
}

void md_uuid_format(const uint8_t u[16], char out[36])
{
	snprintf(out, 36, "%02x%02x%02x%02x:%02x%02x%02x%02x:%02x%02x%02x%02x:%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

int md_uuid_parse(const char *s, uint8_t out[16])
{
	uint8_t u[16] = {0};
	unsigned n = 0;

	for (const char *c = s; *c; c++) {
		if (*c == ':')
			continue;
		if (n >= 32 || !((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
			return -EINVAL;
		unsigned v = (unsigned)(*c <= '9' ? *c - '0' : *c - 'a' + 10);
		u[n / 2] = (uint8_t)(n % 2 ? (u[n / 2] | v) : v << 4);
		n++;
	}
	if (n != 32)
		return -EINVAL;
	memcpy(out, u, 16);
	return 0;
}

/* --- the field table -------------------------------------------------------- */

enum field_type {
	F_STR,	   /* char[size] */
	F_U64,	   /* uint64_t */
	F_U32,	   /* uint32_t */
	F_BOOL,	   /* bool, as 0 or 1 */
	F_GUID,	   /* struct gpt_guid, in its text form */
	F_MD_UUID, /* uint8_t[16], in mdadm's form */
	F_TOOL,	   /* struct tool, as "installer:PATH" or "target:PATH" */
	F_LIST,	   /* struct strv, one line per element */
	F_ENUM,	   /* an enum with a name for each value */
	F_OLD_SIG, /* struct old_signatures, one "OFFSET HEXMAGIC WHAT" line per element */
};

struct field {
	const char *key; /* for arrays, a '#' stands for each index */
	enum field_type type;
	size_t offset;	/* of the first element in struct plan_inputs */
	size_t size;	/* of one element */
	unsigned count; /* elements; 1 for a scalar */
	unsigned inner; /* for two indices: elements per first index, else 0 */
	unsigned base;	/* the first index in keys: 1 (disk1, p1_first) or 0 (md0_uuid) */
	const char *(*name)(unsigned value); /* F_ENUM */
	unsigned n_values;		     /* F_ENUM */
};

#define MEMBER_SIZE(m) sizeof(((struct plan_inputs *)0)->m)
#define SCALAR(key, type, m)                                                                       \
	{                                                                                          \
		key, type, offsetof(struct plan_inputs, m), MEMBER_SIZE(m), 1, 0, 1, NULL, 0       \
	}
#define ARRAY(key, type, m, base)                                                                  \
	{                                                                                          \
		key, type, offsetof(struct plan_inputs, m), MEMBER_SIZE(m[0]),                     \
			(unsigned)(MEMBER_SIZE(m) / MEMBER_SIZE(m[0])), 0, base, NULL, 0           \
	}
#define ARRAY2(key, type, m)                                                                       \
	{                                                                                          \
		key, type, offsetof(struct plan_inputs, m), MEMBER_SIZE(m[0][0]),                  \
			(unsigned)(MEMBER_SIZE(m) / MEMBER_SIZE(m[0][0])),                         \
			(unsigned)(MEMBER_SIZE(m[0]) / MEMBER_SIZE(m[0][0])), 1, NULL, 0           \
	}
#define ENUM_ARRAY(key, m, fn, n)                                                                  \
	{                                                                                          \
		key, F_ENUM, offsetof(struct plan_inputs, m), MEMBER_SIZE(m[0]),                   \
			(unsigned)(MEMBER_SIZE(m) / MEMBER_SIZE(m[0])), 0, 0, fn, n                \
	}
#define ENUM(key, m, fn, n)                                                                        \
	{                                                                                          \
		key, F_ENUM, offsetof(struct plan_inputs, m), MEMBER_SIZE(m), 1, 0, 1, fn, n       \
	}

static const char *metadata_name(unsigned v)
{
	return md_metadata_name((enum md_metadata)v);
}

static const char *bitmap_name(unsigned v)
{
	return md_bitmap_name((enum md_bitmap)v);
}

static const char *sr_name(unsigned v)
{
	return sr_type_name((enum sr_type)v);
}

static const char *purpose_name(unsigned v)
{
	return plan_purpose_name((enum plan_purpose)v);
}

static const char *copy_name(unsigned v)
{
	return root_copy_name((enum root_copy)v);
}

static const char *check_name(unsigned v)
{
	return md_check_name((enum md_check)v);
}

/*
 * The journal payload's format, version 1.  Order is the order of the text.
 * Keys added since are optional: a journal without them parses to their
 * zero values (an install, no mail address, a weekly check...).
 */
static const struct field FIELDS[] = {
	ENUM("purpose", purpose, purpose_name, 2),
	ARRAY("disk#", F_STR, disk, 1),
	ARRAY("identity#", F_STR, identity, 1),
	ARRAY("sectors#", F_U64, disk_sectors, 1),
	SCALAR("sector_size", F_U32, sector_size),
	SCALAR("disk1_guid", F_GUID, disk1_guid),
	SCALAR("pmbr_boot_flag", F_BOOL, pmbr_boot_flag),
	ARRAY("p#_first", F_U64, part_first, 1),
	ARRAY("p#_last", F_U64, part_last, 1),
	SCALAR("journal_first", F_U64, journal_first),
	SCALAR("journal_last", F_U64, journal_last),
	SCALAR("root_label", F_STR, root_label),
	SCALAR("root_uuid", F_STR, root_uuid),
	SCALAR("root_fstype", F_STR, root_fstype),
	SCALAR("target_dir", F_STR, target_dir),
	ENUM_ARRAY("md#_metadata", metadata, metadata_name, 2),
	ENUM("bitmap", bitmap, bitmap_name, 2),
	ENUM("sr_type", sr_type, sr_name, 2),
	SCALAR("guest_storage", F_BOOL, guest_storage),
	SCALAR("resync_speed_kib", F_U32, resync_speed_kib),
	SCALAR("speed_max_before", F_U32, speed_max_before),
	SCALAR("wipe_disk2", F_BOOL, wipe_disk2),
	SCALAR("wipe_reason", F_STR, wipe_reason),
	SCALAR("stale_array", F_LIST, stale_arrays),
	SCALAR("old_signature", F_OLD_SIG, old_sigs),
	SCALAR("sgdisk", F_TOOL, sgdisk),
	SCALAR("mkfs", F_TOOL, mkfs),
	SCALAR("tune2fs", F_TOOL, tune2fs),
	SCALAR("mdadm", F_TOOL, mdadm),
	SCALAR("extlinux", F_STR, extlinux),
	SCALAR("gptmbr", F_STR, gptmbr),
	SCALAR("initrd_tool", F_STR, initrd_tool),
	SCALAR("initrd_tool_path", F_STR, initrd_tool_path),
	SCALAR("kernel", F_LIST, kernels),
	ARRAY("md#_uuid", F_MD_UUID, md_uuid, 0),
	SCALAR("disk2_guid", F_GUID, disk2_guid),
	ARRAY2("disk#_part#_guid", F_GUID, part_guid),
	SCALAR("mailaddr", F_STR, mailaddr),
	SCALAR("program", F_STR, program),
	ENUM("check", check, check_name, 3),
	SCALAR("helper", F_STR, helper),
	SCALAR("chkconfig", F_STR, chkconfig),
	SCALAR("mdmonitor", F_STR, mdmonitor),
	SCALAR("distro_check", F_STR, distro_check),
	SCALAR("cron_d", F_BOOL, cron_d),
	SCALAR("remove_member", F_LIST, remove_members),
	ENUM("root_copy", root_copy, copy_name, 2),
	SCALAR("root_fs_bytes", F_U64, root_fs_bytes),
	SCALAR("root_copy_note", F_STR, root_copy_note),
};

#define FORMAT_VERSION 1

/*
 * The key of element @i of @f: each '#' of the key takes an index, counted
 * from 1 as people do (disk1, disk2; disk2_part4_guid).
 */
static void field_key(const struct field *f, unsigned i, char *out, size_t outlen)
{
	unsigned index[2] = {f->inner ? i / f->inner + f->base : i + f->base,
			     i % (f->inner ? f->inner : 1) + f->base};
	unsigned used = 0;
	size_t n = 0;

	for (const char *c = f->key; *c && n + 12 < outlen; c++) {
		if (*c == '#' && used < 2)
			n += (size_t)snprintf(out + n, outlen - n, "%u", index[used++]);
		else
			out[n++] = *c;
	}
	out[n] = '\0';
}

static void put_line(struct buf *o, const char *key, const char *value)
{
	buf_printf(o, "%s=", key);
	/* Values never hold line breaks; escape backslash and newline all the same. */
	for (const char *c = value; *c; c++) {
		if (*c == '\\')
			buf_puts(o, "\\\\");
		else if (*c == '\n')
			buf_puts(o, "\\n");
		else
			buf_putc(o, *c);
	}
	buf_putc(o, '\n');
}

static void put_old_signatures(struct buf *o, const char *key, const struct old_signatures *list)
{
	for (size_t i = 0; i < list->n; i++) {
		const struct old_signature *sig = &list->sig[i];
		struct buf v = BUF_INIT;
		buf_printf(&v, "%" PRIu64 " ", sig->offset);
		for (uint32_t k = 0; k < sig->magic_len; k++)
			buf_printf(&v, "%02x", sig->magic[k]);
		buf_printf(&v, " %s", sig->what);
		put_line(o, key, v.data);
		buf_free(&v);
	}
}

static void put_element(struct buf *o, const struct field *f, const char *key, const void *p)
{
	char v[320];

	switch (f->type) {
	case F_STR:
		put_line(o, key, p);
		return;
	case F_U64:
		xsnprintf(v, sizeof(v), "%" PRIu64, *(const uint64_t *)p);
		break;
	case F_U32:
		xsnprintf(v, sizeof(v), "%" PRIu32, *(const uint32_t *)p);
		break;
	case F_BOOL:
		xsnprintf(v, sizeof(v), "%d", *(const bool *)p ? 1 : 0);
		break;
	case F_GUID:
		gpt_guid_format(p, v);
		break;
	case F_MD_UUID:
		md_uuid_format(p, v);
		break;
	case F_TOOL: {
		const struct tool *t = p;
		xsnprintf(v, sizeof(v), "%s:%s", t->in_target ? "target" : "installer", t->path);
		break;
	}
	case F_LIST:
		strv_foreach(s, (const struct strv *)p)
			put_line(o, key, *s);
		return;
	case F_ENUM:
		put_line(o, key, f->name((unsigned)*(const int *)p));
		return;
	case F_OLD_SIG:
		put_old_signatures(o, key, p);
		return;
	}
	put_line(o, key, v);
}

void inputs_serialize(const struct plan_inputs *in, struct buf *o)
{
	char key[64];

	buf_printf(o, "version=%d\n", FORMAT_VERSION);
	for (size_t k = 0; k < ARRAY_SIZE(FIELDS); k++) {
		const struct field *f = &FIELDS[k];
		for (unsigned i = 0; i < f->count; i++) {
			field_key(f, i, key, sizeof(key));
			put_element(o, f, key, (const char *)in + f->offset + i * f->size);
		}
	}
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "OFFSET HEXMAGIC WHAT", appended to @list. */
static int parse_old_signature(const char *v, struct old_signatures *list)
{
	struct old_signature s = {0};
	const char *sp1 = strchr(v, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;

	if (!sp2 || list->n >= OLD_SIGS_MAX)
		return -EINVAL;
	char *num = xstrndup(v, (size_t)(sp1 - v));
	int r = parse_u64(num, &s.offset);
	free(num);
	size_t hex = (size_t)(sp2 - sp1 - 1);
	if (r < 0 || hex == 0 || hex % 2 || hex / 2 > OLD_SIG_MAGIC_MAX ||
	    strlen(sp2 + 1) >= sizeof(s.what) || !sp2[1])
		return -EINVAL;
	for (size_t k = 0; k < hex / 2; k++) {
		int hi = hex_digit(sp1[1 + 2 * k]), lo = hex_digit(sp1[2 + 2 * k]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		s.magic[k] = (uint8_t)(hi << 4 | lo);
	}
	s.magic_len = (uint32_t)(hex / 2);
	str_copy(s.what, sizeof(s.what), sp2 + 1);
	list->sig[list->n++] = s;
	return 0;
}

static int parse_element(const struct field *f, const char *v, void *p)
{
	uint64_t n;

	switch (f->type) {
	case F_STR:
		if (strlen(v) >= f->size)
			return -EINVAL;
		memcpy(p, v, strlen(v) + 1);
		return 0;
	case F_U64:
		return parse_u64(v, p);
	case F_U32:
	case F_BOOL:
		if (parse_u64(v, &n) < 0 || n > (f->type == F_BOOL ? 1 : UINT32_MAX))
			return -EINVAL;
		if (f->type == F_BOOL)
			*(bool *)p = n;
		else
			*(uint32_t *)p = (uint32_t)n;
		return 0;
	case F_GUID:
		return gpt_guid_parse(v, p);
	case F_MD_UUID:
		return md_uuid_parse(v, p);
	case F_TOOL: {
		struct tool *t = p;
		const char *path = strchr(v, ':');
		if (!path || strlen(path + 1) >= sizeof(t->path))
			return -EINVAL;
		if (str_starts_with(v, "installer:"))
			t->in_target = false;
		else if (str_starts_with(v, "target:"))
			t->in_target = true;
		else
			return -EINVAL;
		str_copy(t->path, sizeof(t->path), path + 1);
		return 0;
	}
	case F_LIST:
		strv_push(p, v);
		return 0;
	case F_OLD_SIG:
		return parse_old_signature(v, p);
	case F_ENUM:
		for (unsigned e = 0; e < f->n_values; e++) {
			if (!strcmp(v, f->name(e))) {
				*(int *)p = (int)e;
				return 0;
			}
		}
		return -EINVAL;
	}
	return -EINVAL;
}

/* Finds the field and element @key names; -ENOENT when none does. */
static int parse_kv(struct plan_inputs *in, const char *key, const char *value)
{
	char k[64];

	for (size_t f = 0; f < ARRAY_SIZE(FIELDS); f++) {
		for (unsigned i = 0; i < FIELDS[f].count; i++) {
			field_key(&FIELDS[f], i, k, sizeof(k));
			if (!strcmp(k, key))
				return parse_element(&FIELDS[f], value,
						     (char *)in + FIELDS[f].offset +
							     i * FIELDS[f].size);
		}
	}
	return -ENOENT;
}

static void unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && (r[1] == 'n' || r[1] == '\\')) {
			*w++ = r[1] == 'n' ? '\n' : '\\';
			r++;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

int inputs_parse(const char *text, struct plan_inputs *ret, struct buf *err)
{
	struct plan_inputs in = {0};
	char *copy = xstrdup(text), *save = NULL;
	unsigned line = 0;
	bool versioned = false;
	int r = 0;

	for (char *l = strtok_r(copy, "\n", &save); l && r == 0; l = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(l, '=');
		line++;
		if (!eq) {
			buf_printf(err, "journal: plan inputs line %u has no '='", line);
			r = -EINVAL;
			break;
		}
		*eq = '\0';
		unescape(eq + 1);
		if (!strcmp(l, "version")) {
			uint64_t v;
			versioned = parse_u64(eq + 1, &v) == 0 && v == FORMAT_VERSION;
			r = versioned ? 0 : -EINVAL;
		} else {
			r = parse_kv(&in, l, eq + 1);
		}
		if (r < 0)
			buf_printf(err, "journal: plan inputs line %u: %s '%s'", line,
				   r == -ENOENT ? "unknown key" : "bad value for", l);
	}
	free(copy);
	if (r == 0 && (!versioned || !in.disk[0][0] || !in.disk[1][0] || !in.sector_size)) {
		buf_printf(err, "journal: plan inputs lack %s",
			   !versioned ? "their version" : "the disks or their sector size");
		r = -EINVAL;
	}
	/* The names become /dev paths and sysfs lookups: nothing but a kernel disk name. */
	for (unsigned i = 0; r == 0 && i < 2; i++)
		if (!disk_kernel_name(in.disk[i])) {
			buf_printf(err, "journal: plan inputs name disk %u '", i + 1);
			buf_put_display(err, in.disk[i], 64);
			buf_puts(err, "', which is not a kernel disk name");
			r = -EINVAL;
		}
	if (r < 0) {
		inputs_free(&in);
		return -EINVAL;
	}
	*ret = in;
	return 0;
}
