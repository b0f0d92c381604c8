// SPDX-License-Identifier: GPL-2.0-only
#include "plan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "sha256.h"

static const char *const ARRAY_NAMES[N_ARRAYS] = {"md0", "md1", "md2"};
static const char *const ARRAY_ROLES[N_ARRAYS] = {"root", "backup partition", "local SR"};

const char *plan_stage_name(enum plan_stage s)
{
	return s == STAGE_FILESYSTEM_POPULATED ? "filesystem-populated" : "installation-complete";
}

void md_uuid_format(const uint8_t u[16], char out[36])
{
	snprintf(out, 36, "%02x%02x%02x%02x:%02x%02x%02x%02x:%02x%02x%02x%02x:%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

void plan_part_dev(char *out, size_t outlen, const char *disk, unsigned n)
{
	char name[96];

	partition_name(name, sizeof(name), disk, n);
	xsnprintf(out, outlen, "/dev/%s", name);
}

void plan_inputs_free(struct plan_inputs *in)
{
	strv_free(&in->stale_arrays);
	strv_free(&in->kernels);
}

/* --- deciding --------------------------------------------------------------- */

static int __attribute__((format(printf, 2, 3))) refuse(struct buf *err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_reset(err);
	buf_printf(err, "raid: %s", msg);
	return -EINVAL;
}

static void identity(const struct disk_info *d, char *out, size_t outlen)
{
	snprintf(out, outlen, "model=%s serial=%s bytes=%" PRIu64, d->model, d->serial,
		 d->size_bytes);
}

static uint64_t last_usable(uint64_t sectors, uint32_t ss)
{
	/* sgdisk's default: 128 entries of 128 bytes before the backup header. */
	return sectors - 1 - 16384 / ss - 1;
}

static void human(uint64_t bytes, char *out, size_t outlen)
{
	format_size(out, outlen, bytes);
}

/* Where the answerfile said which disks to mirror, for messages. */
static void where(const struct answerfile *af, struct buf *out)
{
	if (af->raid.syntax == RAID_SYNTAX_ELEMENT)
		buf_printf(out, "<raid> at %s:%u", af->name, af->raid.line);
	else
		buf_printf(out, "<primary-disk raid=...> at %s:%u", af->name, af->raid.line);
}

static const char *wipe_attribute(const struct answerfile *af)
{
	return af->raid.syntax == RAID_SYNTAX_ELEMENT ? "wipe=\"force\" on <raid>"
						      : "raid-wipe=\"force\" on <primary-disk>";
}

static void disk_list(const struct inventory *inv, struct buf *out)
{
	for (size_t i = 0; i < inv->n_disks; i++)
		buf_printf(out, "%s%s", i ? ", " : "", inv->disks[i].name);
	if (!inv->n_disks)
		buf_puts(out, "none");
}

/*
 * Everything on disk 2 that says it holds data; empty when it is blank.  A
 * partition table without partitions holds nothing and does not count.
 */
static void disk_contents(const struct disk_info *d, struct buf *out)
{
	if (d->n_parts)
		buf_printf(out, "%s with %zu partition%s",
			   d->gpt_status == 0 ? "a GPT" : "a partition table", d->n_parts,
			   d->n_parts == 1 ? "" : "s");
	else if (d->gpt_status == -EBADMSG)
		buf_puts(out, "a damaged GPT");
	for (size_t i = 0; i < d->n_sigs; i++) {
		if (!strcmp(d->sigs[i].usage, "partition table"))
			continue;
		buf_printf(out, "%s", out->len ? ", " : "");
		signatures_describe(&d->sigs[i], 1, out);
		buf_puts(out, " on the whole disk");
	}
	for (size_t i = 0; i < d->n_parts; i++) {
		if (!d->parts[i].n_sigs)
			continue;
		buf_printf(out, "%s", out->len ? ", " : "");
		signatures_describe(d->parts[i].sigs, d->parts[i].n_sigs, out);
		buf_printf(out, " on %s", d->parts[i].dev);
	}
}

/*
 * Is disk 2 carrying xsraid's own unfinished work, journaled for these two
 * disks?  A finished mirror is not: it holds an installed system, and only
 * the answerfile's wipe policy may erase it (a reinstall says so).
 */
static bool is_ours(const struct disk_info *d1, const struct disk_info *d2, struct buf *why)
{
	struct plan_inputs old = {0};
	struct buf err = BUF_INIT;
	bool ours = false;

	if (!d2->has_journal || d2->gpt_status != 0 ||
	    !gpt_guid_equal(&d2->journal.disk_guid, &d2->gpt.disk_guid) ||
	    journal_last_event(&d2->journal, "finish") == JOURNAL_DONE)
		return false;
	if (plan_inputs_parse(d2->journal.payload, &old, &err) == 0) {
		char id1[256], id2[256];
		identity(d1, id1, sizeof(id1));
		identity(d2, id2, sizeof(id2));
		ours = !strcmp(old.identity[0], id1) && !strcmp(old.identity[1], id2);
		if (ours)
			buf_printf(why,
				   "xsraid's own unfinished work (journal generation %" PRIu64 ")",
				   d2->journal.generation);
	}
	plan_inputs_free(&old);
	buf_free(&err);
	return ours;
}

static int pick_tool(const char *name, const char *installer_path, const char *target_path,
		     struct tool *t, struct buf *err)
{
	if (installer_path[0]) {
		str_copy(t->path, sizeof(t->path), installer_path);
		t->in_target = false;
	} else if (target_path[0]) {
		str_copy(t->path, sizeof(t->path), target_path);
		t->in_target = true;
	} else {
		return refuse(err, "neither the installer nor the installed system has '%s'", name);
	}
	return 0;
}

static void derive(const uint8_t seed[32], const char *what, uint8_t out[16])
{
	struct sha256_ctx c;
	uint8_t d[32];

	sha256_init(&c);
	sha256_update(&c, seed, 32);
	sha256_update(&c, what, strlen(what));
	sha256_final(&c, d);
	memcpy(out, d, 16);
}

static void derive_guid(const uint8_t seed[32], const char *what, struct gpt_guid *g)
{
	derive(seed, what, g->b);
	/* RFC 4122 version 4 and variant bits, so tools show a well-formed GUID. */
	g->b[7] = (uint8_t)((g->b[7] & 0x0f) | 0x40);
	g->b[8] = (uint8_t)((g->b[8] & 0x3f) | 0x80);
}

/*
 * Every identifier is derived from facts that never change during one
 * install (disk 1's GUID and the new root filesystem's UUID), so `plan`
 * shows the same UUIDs `apply` uses, and they differ from one install to
 * the next.
 */
static void derive_identifiers(struct plan_inputs *in)
{
	char g[37], what[32];
	uint8_t seed[32];
	struct sha256_ctx c;

	gpt_guid_format(&in->disk1_guid, g);
	sha256_init(&c);
	sha256_update(&c, "xsraid-1:", 9);
	sha256_update(&c, g, strlen(g));
	sha256_update(&c, ":", 1);
	sha256_update(&c, in->root_uuid, strlen(in->root_uuid));
	sha256_final(&c, seed);
	for (unsigned i = 0; i < N_ARRAYS; i++) {
		snprintf(what, sizeof(what), "md%u", i);
		derive(seed, what, in->md_uuid[i]);
	}
	derive_guid(seed, "disk2", &in->disk2_guid);
	for (unsigned d = 0; d < 2; d++)
		for (unsigned n = 0; n < 4; n++) {
			snprintf(what, sizeof(what), "disk%u-part%u", d + 1, n + 1);
			derive_guid(seed, what, &in->part_guid[d][n]);
		}
}

static const struct part_info *find_part(const struct disk_info *d, unsigned n)
{
	for (size_t i = 0; i < d->n_parts; i++)
		if (d->parts[i].number == n)
			return &d->parts[i];
	return NULL;
}

/* Arrays using a disk or its partitions: ours to stop, or a reason to refuse. */
static int check_in_use(const struct disk_info *d, bool is_disk1, bool ours, const char *target_dev,
			struct plan_inputs *in, struct buf *err)
{
	if (d->mountpoint[0])
		return refuse(err, "disk '%s' is in use: it is mounted on '%s'", d->name,
			      d->mountpoint);
	if (d->holder[0])
		return refuse(err, "disk '%s' is in use by '%s'; free it or name another disk",
			      d->name, d->holder);
	for (size_t i = 0; i < d->n_parts; i++) {
		const struct part_info *p = &d->parts[i];
		if (p->mountpoint[0] && !(is_disk1 && !strcmp(p->dev, target_dev)))
			return refuse(err,
				      "disk '%s' is in use: %s is mounted on '%s'; unmount it or "
				      "name another disk",
				      d->name, p->dev, p->mountpoint);
		if (!p->holder[0])
			continue;
		if (!ours || is_disk1)
			return refuse(err,
				      "disk '%s' is part of running array '%s' (%s); stop it with "
				      "mdadm --stop /dev/%s or name another disk",
				      d->name, p->holder, p->dev, p->holder);
		bool seen = false;
		strv_foreach(s, &in->stale_arrays)
			seen = seen || !strcmp(*s, p->holder);
		if (!seen)
			strv_push(&in->stale_arrays, p->holder);
	}
	return 0;
}

int plan_inputs_from(const struct answerfile *af, const struct inventory *inv,
		     const char *target_dir, struct plan_inputs *ret, struct buf *err)
{
	const struct raid_settings *rs = &af->raid;
	const struct target_info *t = &inv->target;
	struct plan_inputs in = {0};
	const struct disk_info *d[2];
	const struct part_info *p[3];
	struct buf b = BUF_INIT, ours_why = BUF_INIT;
	char *name[2] = {NULL, NULL};
	char h1[32], h2[32];
	int r = -EINVAL;

	if (rs->syntax == RAID_SYNTAX_NONE)
		return -ENODATA;

	for (int i = 0; i < 2; i++) {
		name[i] = discover_resolve_disk(inv->root, rs->disks[i]);
		d[i] = name[i] ? inventory_disk(inv, name[i]) : NULL;
		if (!d[i]) {
			struct buf w = BUF_INIT, list = BUF_INIT;
			where(af, &w);
			disk_list(inv, &list);
			refuse(err, "disk '%s' (%s) does not exist; disks here: %s", rs->disks[i],
			       w.data, list.data);
			buf_free(&w);
			buf_free(&list);
			goto out;
		}
		str_copy(in.disk[i], sizeof(in.disk[i]), d[i]->name);
		identity(d[i], in.identity[i], sizeof(in.identity[i]));
	}
	if (d[0] == d[1]) {
		refuse(err, "'%s' and '%s' are the same disk (%s); name two different disks",
		       rs->disks[0], rs->disks[1], d[0]->name);
		goto out;
	}

	if (!t->present) {
		refuse(err, "there is no installed system to mirror yet; xsraid runs at the "
			    "filesystem-populated stage, when the installer has mounted it");
		goto out;
	}
	if (t->problem[0]) {
		refuse(err, "cannot convert the installed system at '%s': %s", target_dir,
		       t->problem);
		goto out;
	}
	char want[96];
	partition_name(want, sizeof(want), d[0]->name, 1);
	if (strcmp(t->root_dev, want)) {
		refuse(err,
		       "the installed system is on '%s', not on '%s': the first disk of the mirror "
		       "must be the <primary-disk> the installer used",
		       t->root_dev, want);
		goto out;
	}
	if (d[0]->gpt_status != 0) {
		refuse(err, "disk '%s' has no valid GPT; XenServer 6 installs with one",
		       d[0]->name);
		goto out;
	}
	for (unsigned n = 1; n <= 3; n++)
		p[n - 1] = find_part(d[0], n);
	for (size_t i = 0; i < d[0]->n_parts; i++) {
		if (d[0]->parts[i].number > 3) {
			refuse(err,
			       "disk '%s' has a partition %u: not the XenServer 6 layout (1 root, 2 "
			       "backup, 3 storage)",
			       d[0]->name, d[0]->parts[i].number);
			goto out;
		}
	}
	if (!p[0] || !p[1] || !p[2] || p[0]->last_lba >= p[1]->first_lba ||
	    p[1]->last_lba >= p[2]->first_lba) {
		refuse(err,
		       "disk '%s' is not laid out as XenServer 6 does (1 root, 2 backup, 3 "
		       "storage, in that order)",
		       d[0]->name);
		goto out;
	}
	if (d[0]->sector_size != d[1]->sector_size) {
		refuse(err,
		       "'%s' has %u-byte sectors and '%s' %u-byte sectors; mirror disks with "
		       "the same sector size",
		       d[0]->name, d[0]->sector_size, d[1]->name, d[1]->sector_size);
		goto out;
	}
	if (d[1]->readonly) {
		refuse(err, "disk '%s' is read-only", d[1]->name);
		goto out;
	}

	bool ours = is_ours(d[0], d[1], &ours_why);
	if (check_in_use(d[0], true, false, t->root_dev, &in, err) < 0 ||
	    check_in_use(d[1], false, ours, t->root_dev, &in, err) < 0)
		goto out;

	buf_reset(&b);
	disk_contents(d[1], &b);
	if (b.len) {
		if (ours) {
			in.wipe_disk2 = true;
			str_copy(in.wipe_reason, sizeof(in.wipe_reason), ours_why.data);
		} else if (rs->wipe == WIPE_FORCE) {
			in.wipe_disk2 = true;
			snprintf(in.wipe_reason, sizeof(in.wipe_reason),
				 "the answerfile allows it: %s", b.data);
		} else {
			struct buf w = BUF_INIT;
			where(af, &w);
			refuse(err,
			       "disk '%s' holds data (%s) and is left alone; to erase it, set %s (%s)",
			       d[1]->name, b.data, wipe_attribute(af), w.data);
			buf_free(&w);
			goto out;
		}
	}

	/* Sizes: partitions 1 and 2 exactly as on disk 1, 3 from the next MiB, the journal last. */
	uint32_t ss = d[0]->sector_size;
	uint64_t mib = 1024 * 1024 / ss, jsec = JOURNAL_AREA_BYTES / ss;
	in.sector_size = ss;
	for (int i = 0; i < 2; i++)
		in.disk_sectors[i] = d[i]->size_bytes / ss;
	for (int i = 0; i < 2; i++) {
		in.part_first[i] = p[i]->first_lba;
		in.part_last[i] = p[i]->last_lba;
	}
	in.part_first[2] = (p[1]->last_lba + 1 + mib - 1) / mib * mib;
	uint64_t need = (in.part_first[2] + mib + jsec) + 16384 / ss + 2;
	if (in.disk_sectors[1] < need) {
		human(in.disk_sectors[1] * ss, h1, sizeof(h1));
		human(need * ss, h2, sizeof(h2));
		char h3[32];
		human((p[1]->last_lba + 1) * ss, h3, sizeof(h3));
		refuse(err,
		       "disk '%s' (%s) is too small: '%s' uses %s for its root and backup "
		       "partitions, so the mirror needs at least %s; name a larger disk",
		       d[1]->name, h1, d[0]->name, h3, h2);
		goto out;
	}
	in.journal_last = last_usable(in.disk_sectors[1], ss);
	in.journal_first = in.journal_last - jsec + 1;
	in.part_last[2] = last_usable(in.disk_sectors[0], ss);
	if (in.part_last[2] > in.journal_first - 1)
		in.part_last[2] = in.journal_first - 1;
	if (in.part_last[2] < in.part_first[2] + mib - 1) {
		refuse(err,
		       "disk '%s' has no room for the storage partition after its backup "
		       "partition",
		       d[0]->name);
		goto out;
	}
	in.disk1_guid = d[0]->gpt.disk_guid;
	in.pmbr_boot_flag = d[0]->gpt.pmbr_boot_flag;

	str_copy(in.root_label, sizeof(in.root_label), t->fs_label);
	str_copy(in.root_uuid, sizeof(in.root_uuid), t->fs_uuid);
	str_copy(in.root_fstype, sizeof(in.root_fstype), t->fs_type);
	if (strcmp(t->fs_type, "ext3") && strcmp(t->fs_type, "ext4") &&
	    strcmp(t->fs_type, "ext2")) {
		refuse(err, "the installed root filesystem is '%s'; xsraid copies ext2/3/4 roots",
		       t->fs_type[0] ? t->fs_type : "unknown");
		goto out;
	}
	str_copy(in.target_dir, sizeof(in.target_dir), target_dir);
	in.metadata = rs->metadata;
	in.bitmap = rs->bitmap;
	in.sr_type = rs->sr_type;
	in.guest_storage = af->guest_storage;
	in.resync_speed_kib = rs->resync_speed_kib;
	/* md may not be loaded yet, and then the kernel's default is what will apply. */
	in.speed_max_before = inv->speed_limit_max ? inv->speed_limit_max : 200000;

	if (pick_tool("sgdisk", inv->tools.sgdisk, t->sgdisk_path, &in.sgdisk, err) < 0 ||
	    pick_tool("mkfs.ext3", inv->tools.mkfs_ext3, t->mkfs_path, &in.mkfs, err) < 0 ||
	    pick_tool("tune2fs", inv->tools.tune2fs, t->tune2fs_path, &in.tune2fs, err) < 0 ||
	    pick_tool("mdadm", inv->tools.mdadm, t->mdadm_path, &in.mdadm, err) < 0)
		goto out;
	str_copy(in.extlinux, sizeof(in.extlinux), t->extlinux_path);
	str_copy(in.gptmbr, sizeof(in.gptmbr), t->gptmbr_path);
	str_copy(in.initrd_tool, sizeof(in.initrd_tool), t->initrd_tool);
	str_copy(in.initrd_tool_path, sizeof(in.initrd_tool_path), t->initrd_tool_path);
	strv_foreach(k, &t->kernels)
		strv_push(&in.kernels, *k);

	derive_identifiers(&in);
	*ret = in;
	in = (struct plan_inputs){0};
	r = 0;
out:
	plan_inputs_free(&in);
	free(name[0]);
	free(name[1]);
	buf_free(&b);
	buf_free(&ours_why);
	return r;
}

/* --- serialising the inputs (journal payload) -------------------------------- */

static void put_str(struct buf *o, const char *k, const char *v)
{
	buf_printf(o, "%s=", k);
	/* Values never contain newlines; escape backslash and newline anyway. */
	for (const char *c = v; *c; c++) {
		if (*c == '\\')
			buf_puts(o, "\\\\");
		else if (*c == '\n')
			buf_puts(o, "\\n");
		else
			buf_putc(o, *c);
	}
	buf_putc(o, '\n');
}

static void put_u64(struct buf *o, const char *k, uint64_t v)
{
	buf_printf(o, "%s=%" PRIu64 "\n", k, v);
}

static void put_guid(struct buf *o, const char *k, const struct gpt_guid *g)
{
	char s[37];

	gpt_guid_format(g, s);
	put_str(o, k, s);
}

static void put_tool(struct buf *o, const char *k, const struct tool *t)
{
	char v[300];

	snprintf(v, sizeof(v), "%s:%s", t->in_target ? "target" : "installer", t->path);
	put_str(o, k, v);
}

void plan_inputs_serialize(const struct plan_inputs *in, struct buf *o)
{
	char k[48], u[36];

	put_u64(o, "version", 1);
	for (int i = 0; i < 2; i++) {
		snprintf(k, sizeof(k), "disk%d", i + 1);
		put_str(o, k, in->disk[i]);
		snprintf(k, sizeof(k), "identity%d", i + 1);
		put_str(o, k, in->identity[i]);
		snprintf(k, sizeof(k), "sectors%d", i + 1);
		put_u64(o, k, in->disk_sectors[i]);
	}
	put_u64(o, "sector_size", in->sector_size);
	put_guid(o, "disk1_guid", &in->disk1_guid);
	put_u64(o, "pmbr_boot_flag", in->pmbr_boot_flag);
	for (int i = 0; i < N_ARRAYS; i++) {
		snprintf(k, sizeof(k), "p%d_first", i + 1);
		put_u64(o, k, in->part_first[i]);
		snprintf(k, sizeof(k), "p%d_last", i + 1);
		put_u64(o, k, in->part_last[i]);
	}
	put_u64(o, "journal_first", in->journal_first);
	put_u64(o, "journal_last", in->journal_last);
	put_str(o, "root_label", in->root_label);
	put_str(o, "root_uuid", in->root_uuid);
	put_str(o, "root_fstype", in->root_fstype);
	put_str(o, "target_dir", in->target_dir);
	put_str(o, "metadata", md_metadata_name(in->metadata));
	put_str(o, "bitmap", md_bitmap_name(in->bitmap));
	put_str(o, "sr_type", sr_type_name(in->sr_type));
	put_u64(o, "guest_storage", in->guest_storage);
	put_u64(o, "resync_speed_kib", in->resync_speed_kib);
	put_u64(o, "speed_max_before", in->speed_max_before);
	put_u64(o, "wipe_disk2", in->wipe_disk2);
	put_str(o, "wipe_reason", in->wipe_reason);
	strv_foreach(s, &in->stale_arrays)
		put_str(o, "stale_array", *s);
	put_tool(o, "sgdisk", &in->sgdisk);
	put_tool(o, "mkfs", &in->mkfs);
	put_tool(o, "tune2fs", &in->tune2fs);
	put_tool(o, "mdadm", &in->mdadm);
	put_str(o, "extlinux", in->extlinux);
	put_str(o, "gptmbr", in->gptmbr);
	put_str(o, "initrd_tool", in->initrd_tool);
	put_str(o, "initrd_tool_path", in->initrd_tool_path);
	strv_foreach(s, &in->kernels)
		put_str(o, "kernel", *s);
	for (int i = 0; i < N_ARRAYS; i++) {
		snprintf(k, sizeof(k), "md%d_uuid", i);
		md_uuid_format(in->md_uuid[i], u);
		put_str(o, k, u);
	}
	put_guid(o, "disk2_guid", &in->disk2_guid);
	for (int d = 0; d < 2; d++)
		for (int n = 0; n < 4; n++) {
			snprintf(k, sizeof(k), "disk%d_part%d_guid", d + 1, n + 1);
			put_guid(o, k, &in->part_guid[d][n]);
		}
}

static int parse_md_uuid(const char *s, uint8_t out[16])
{
	unsigned n = 0;

	for (const char *c = s; *c; c++) {
		if (*c == ':')
			continue;
		if (n >= 32 || !((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
			return -EINVAL;
		unsigned v = (unsigned)(*c <= '9' ? *c - '0' : *c - 'a' + 10);
		out[n / 2] = (uint8_t)(n % 2 ? (out[n / 2] | v) : v << 4);
		n++;
	}
	return n == 32 ? 0 : -EINVAL;
}

static int parse_tool(const char *v, struct tool *t)
{
	if (str_starts_with(v, "installer:"))
		t->in_target = false;
	else if (str_starts_with(v, "target:"))
		t->in_target = true;
	else
		return -EINVAL;
	str_copy(t->path, sizeof(t->path), strchr(v, ':') + 1);
	return 0;
}

static void unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] == 'n') {
			*w++ = '\n';
			r++;
		} else if (r[0] == '\\' && r[1] == '\\') {
			*w++ = '\\';
			r++;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

static int parse_kv(struct plan_inputs *in, const char *k, char *v)
{
	uint64_t n = 0;
	bool num = parse_u64(v, &n) == 0;
	char key[48];

	for (int i = 0; i < 2; i++) {
		snprintf(key, sizeof(key), "disk%d", i + 1);
		if (!strcmp(k, key))
			return snprintf(in->disk[i], sizeof(in->disk[i]), "%s", v) < 0 ? -EINVAL
										       : 0;
		snprintf(key, sizeof(key), "identity%d", i + 1);
		if (!strcmp(k, key))
			return snprintf(in->identity[i], sizeof(in->identity[i]), "%s", v) < 0
				       ? -EINVAL
				       : 0;
		snprintf(key, sizeof(key), "sectors%d", i + 1);
		if (!strcmp(k, key))
			return num ? (in->disk_sectors[i] = n, 0) : -EINVAL;
	}
	for (int i = 0; i < N_ARRAYS; i++) {
		snprintf(key, sizeof(key), "p%d_first", i + 1);
		if (!strcmp(k, key))
			return num ? (in->part_first[i] = n, 0) : -EINVAL;
		snprintf(key, sizeof(key), "p%d_last", i + 1);
		if (!strcmp(k, key))
			return num ? (in->part_last[i] = n, 0) : -EINVAL;
		snprintf(key, sizeof(key), "md%d_uuid", i);
		if (!strcmp(k, key))
			return parse_md_uuid(v, in->md_uuid[i]);
	}
	for (int d = 0; d < 2; d++)
		for (int p = 0; p < 4; p++) {
			snprintf(key, sizeof(key), "disk%d_part%d_guid", d + 1, p + 1);
			if (!strcmp(k, key))
				return gpt_guid_parse(v, &in->part_guid[d][p]);
		}
#define STR(name)                                                                                  \
	if (!strcmp(k, #name))                                                                     \
		return snprintf(in->name, sizeof(in->name), "%s", v) < 0 ? -EINVAL : 0;
#define NUM(name)                                                                                  \
	if (!strcmp(k, #name))                                                                     \
		return num ? (in->name = (__typeof__(in->name))n, 0) : -EINVAL;
	NUM(sector_size)
	NUM(pmbr_boot_flag)
	NUM(journal_first)
	NUM(journal_last)
	STR(root_label)
	STR(root_uuid)
	STR(root_fstype)
	STR(target_dir)
	NUM(guest_storage)
	NUM(resync_speed_kib)
	NUM(speed_max_before)
	NUM(wipe_disk2)
	STR(wipe_reason)
	STR(extlinux)
	STR(gptmbr)
	STR(initrd_tool)
	STR(initrd_tool_path)
#undef STR
#undef NUM
	if (!strcmp(k, "version"))
		return num && n == 1 ? 0 : -EINVAL;
	if (!strcmp(k, "disk1_guid"))
		return gpt_guid_parse(v, &in->disk1_guid);
	if (!strcmp(k, "disk2_guid"))
		return gpt_guid_parse(v, &in->disk2_guid);
	if (!strcmp(k, "metadata")) {
		in->metadata = !strcmp(v, "1.0") ? MD_METADATA_1_0 : MD_METADATA_0_90;
		return 0;
	}
	if (!strcmp(k, "bitmap")) {
		in->bitmap = !strcmp(v, "none") ? MD_BITMAP_NONE : MD_BITMAP_INTERNAL;
		return 0;
	}
	if (!strcmp(k, "sr_type")) {
		in->sr_type = !strcmp(v, "ext") ? SR_EXT : SR_LVM;
		return 0;
	}
	if (!strcmp(k, "stale_array")) {
		strv_push(&in->stale_arrays, v);
		return 0;
	}
	if (!strcmp(k, "kernel")) {
		strv_push(&in->kernels, v);
		return 0;
	}
	if (!strcmp(k, "sgdisk"))
		return parse_tool(v, &in->sgdisk);
	if (!strcmp(k, "mkfs"))
		return parse_tool(v, &in->mkfs);
	if (!strcmp(k, "tune2fs"))
		return parse_tool(v, &in->tune2fs);
	if (!strcmp(k, "mdadm"))
		return parse_tool(v, &in->mdadm);
	return -EINVAL;
}

int plan_inputs_parse(const char *text, struct plan_inputs *ret, struct buf *err)
{
	struct plan_inputs in = {0};
	char *copy = xstrdup(text), *save = NULL;
	unsigned line = 0;
	int r = 0;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(l, '=');
		line++;
		if (!eq) {
			r = -EINVAL;
			break;
		}
		*eq = '\0';
		unescape(eq + 1);
		r = parse_kv(&in, l, eq + 1);
		if (r < 0)
			break;
	}
	free(copy);
	if (r == 0 && (!in.disk[0][0] || !in.disk[1][0] || !in.sector_size))
		r = -EINVAL;
	if (r < 0) {
		buf_printf(err, "journal: malformed plan inputs at line %u", line);
		plan_inputs_free(&in);
		return -EINVAL;
	}
	*ret = in;
	return 0;
}

/* --- building --------------------------------------------------------------- */

static struct plan_step *add_step(struct plan *p, const char *id, enum plan_stage stage,
				  const char *destroys, const char *title)
{
	p->steps = xrealloc(p->steps, (p->n_steps + 1) * sizeof(*p->steps));
	struct plan_step *s = &p->steps[p->n_steps++];
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->stage = stage;
	s->title = xstrdup(title);
	s->destroys = destroys ? xstrdup(destroys) : NULL;
	return s;
}

static struct plan_action *new_action(struct plan_step *s, enum action_kind kind)
{
	s->actions = xrealloc(s->actions, (s->n_actions + 1) * sizeof(*s->actions));
	struct plan_action *a = &s->actions[s->n_actions++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	return a;
}

/* The directory a target tool is chrooted into at @stage. */
static const char *tool_root(const struct plan_inputs *in, const struct tool *t,
			     enum plan_stage stage)
{
	if (!t->in_target)
		return NULL;
	return stage == STAGE_FILESYSTEM_POPULATED ? in->target_dir : XSRAID_NEWROOT;
}

static struct plan_action *add_run(struct plan_step *s, const char *chroot_dir,
				   const struct strv *argv)
{
	struct plan_action *a = new_action(s, ACTION_RUN);

	strv_foreach(v, argv)
		strv_push(&a->argv, *v);
	a->chroot = chroot_dir ? xstrdup(chroot_dir) : NULL;
	return a;
}

static struct plan_action *__attribute__((format(printf, 6, 7)))
add_internal(struct plan_step *s, enum internal_op op, const char *a0, const char *a1,
	     const char *a2, const char *fmt, ...)
{
	struct plan_action *a = new_action(s, ACTION_INTERNAL);
	char msg[512];
	va_list ap;

	a->op = op;
	a->arg[0] = a0 ? xstrdup(a0) : NULL;
	a->arg[1] = a1 ? xstrdup(a1) : NULL;
	a->arg[2] = a2 ? xstrdup(a2) : NULL;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	a->describe = xstrdup(msg);
	return a;
}

/*
 * The resync speed the answerfile asks for.  /proc/sys/dev/raid exists only
 * once md is loaded, so this goes where md0 is known to run, in steps that
 * run on every attempt: a resumed install gets the same speed.
 */
static void add_set_speed(struct plan_step *s, const struct plan_inputs *in)
{
	char speed[32];

	if (!in->resync_speed_kib)
		return;
	snprintf(speed, sizeof(speed), "%u", in->resync_speed_kib);
	add_internal(s, OP_SET_SPEED, speed, NULL, NULL,
		     "set /proc/sys/dev/raid/speed_limit_max to %u KiB/s for the install",
		     in->resync_speed_kib);
}

static void dev_of(char *out, size_t outlen, const char *disk)
{
	xsnprintf(out, outlen, "/dev/%s", disk);
}

static void build_stage_a(const struct plan_inputs *in, struct plan *p)
{
	const enum plan_stage A = STAGE_FILESYSTEM_POPULATED;
	char d2[96], part[96], what[256], label[32];
	struct strv argv = STRV_INIT;
	struct plan_step *s;

	dev_of(d2, sizeof(d2), in->disk[1]);

	s = add_step(p, "prepare", A, NULL, "Prepare xsraid's working directories and tools");
	s->always = true;
	add_internal(s, OP_PREPARE_WORKDIR, XSRAID_WORKDIR, NULL, NULL,
		     "create %s and its mount points", XSRAID_WORKDIR);
	if (in->mdadm.in_target || in->sgdisk.in_target || in->mkfs.in_target)
		add_internal(s, OP_BIND_SYSTEM, in->target_dir, NULL, NULL,
			     "bind-mount /dev, /proc and /sys into %s to run its tools",
			     in->target_dir);

	if (in->stale_arrays.n) {
		s = add_step(p, "stop-stale-arrays", A, NULL,
			     "Stop the arrays xsraid left running in an earlier attempt");
		strv_foreach(md, &in->stale_arrays) {
			strv_free(&argv);
			cmd_mdadm_stop(in, *md, &argv);
			add_run(s, tool_root(in, &in->mdadm, A), &argv);
		}
	}

	snprintf(what, sizeof(what), "everything on %s", d2);
	s = add_step(
		p, "partition-disk2", A, what,
		"Give the second disk the first disk's layout, a 1 MiB-aligned partition 3 and "
		"the journal");
	if (in->wipe_disk2) {
		strv_free(&argv);
		cmd_sgdisk_zap(in, d2, &argv);
		add_run(s, tool_root(in, &in->sgdisk, A), &argv);
	}
	add_internal(s, OP_JOURNAL_CREATE, d2, NULL, NULL,
		     "start the journal in the last MiB of %s (sectors %" PRIu64 "-%" PRIu64 ")",
		     d2, in->journal_first, in->journal_last);
	strv_free(&argv);
	cmd_sgdisk_disk2(in, d2, &argv);
	add_run(s, tool_root(in, &in->sgdisk, A), &argv);
	if (in->pmbr_boot_flag)
		add_internal(s, OP_PMBR_BOOT_FLAG, d2, NULL, NULL,
			     "mark the protective MBR entry of %s active, as on /dev/%s", d2,
			     in->disk[0]);
	add_internal(s, OP_WAIT_PARTITIONS, in->disk[1], "4", NULL,
		     "wait until the kernel shows partitions 1-4 of %s", d2);

	s = add_step(p, "wipe-disk2-partitions", A, NULL,
		     "Erase old signatures inside the second disk's new partitions");
	for (unsigned n = 1; n <= N_ARRAYS; n++) {
		plan_part_dev(part, sizeof(part), in->disk[1], n);
		add_internal(s, OP_WIPE_SIGNATURES, part, "all", NULL,
			     "erase every signature libblkid finds in %s (as wipefs --all does)",
			     part);
	}

	s = add_step(p, "create-root-array", A, NULL, "Create md0 degraded on the second disk");
	add_internal(s, OP_MKNOD_ARRAYS, NULL, NULL, NULL,
		     "create /dev/md0, /dev/md1 and /dev/md2 (block 9:0-2) if missing");
	plan_part_dev(part, sizeof(part), in->disk[1], 1);
	strv_free(&argv);
	cmd_mdadm_create(in, 0, part, &argv);
	struct plan_action *create = add_run(s, tool_root(in, &in->mdadm, A), &argv);
	create->cond = COND_NOT_MEMBER;
	create->cond_arg = xstrdup(ARRAY_NAMES[0]);
	create->cond_arg2 = xstrdup(part + 5);

	/* After a restart md0 is not running; every later step of this stage needs it. */
	s = add_step(p, "start-root-array", A, NULL, "Make sure md0 runs");
	s->always = true;
	plan_part_dev(part, sizeof(part), in->disk[1], 1);
	struct plan_action *start = add_internal(
		s, OP_ASSEMBLE, ARRAY_NAMES[0], part, NULL,
		"start md0 from %s through /sys/block/md0/md, as mdadm --assemble does", part);
	start->cond = COND_ARRAY_STOPPED;
	start->cond_arg = xstrdup(ARRAY_NAMES[0]);
	add_set_speed(s, in);

	s = add_step(p, "copy-root", A, "the contents of /dev/md0",
		     "Make the root filesystem on md0 and copy the installed system into it");
	add_internal(s, OP_UMOUNT, XSRAID_NEWROOT, NULL, NULL,
		     "unmount %s if an interrupted attempt left it mounted", XSRAID_NEWROOT);
	strv_free(&argv);
	cmd_mkfs_root(in, "/dev/md0", &argv);
	add_run(s, tool_root(in, &in->mkfs, A), &argv);
	root_temp_label(in, label, sizeof(label));
	add_internal(s, OP_BIND_SOURCE, in->target_dir, XSRAID_SOURCE, NULL,
		     "bind-mount %s on %s without what is mounted below it, so the copy sees the "
		     "filesystem itself",
		     in->target_dir, XSRAID_SOURCE);
	add_internal(s, OP_MOUNT, "/dev/md0", XSRAID_NEWROOT, in->root_fstype,
		     "mount /dev/md0 (%s, label %s until disk 1 joins) on %s", in->root_fstype,
		     label, XSRAID_NEWROOT);
	add_internal(s, OP_COPY_TREE, XSRAID_SOURCE, XSRAID_NEWROOT, NULL,
		     "copy %s to %s: owners, modes, times, hard links, xattrs, sparse files, "
		     "device nodes",
		     in->target_dir, XSRAID_NEWROOT);
	add_internal(s, OP_UMOUNT, XSRAID_NEWROOT, NULL, NULL,
		     "unmount %s, so the copy is on the disk before it is read back",
		     XSRAID_NEWROOT);

	s = add_step(p, "verify-copy", A, NULL, "Compare the copy with the installed system");
	add_internal(s, OP_BIND_SOURCE, in->target_dir, XSRAID_SOURCE, NULL,
		     "bind-mount %s on %s unless it is", in->target_dir, XSRAID_SOURCE);
	add_internal(s, OP_MOUNT, "/dev/md0", XSRAID_NEWROOT, in->root_fstype,
		     "mount /dev/md0 on %s", XSRAID_NEWROOT);
	add_internal(s, OP_VERIFY_TREE, XSRAID_SOURCE, XSRAID_NEWROOT, NULL,
		     "read both trees back and compare every name, type, owner, mode, time, xattr, "
		     "link and byte");
	add_internal(s, OP_UMOUNT, XSRAID_SOURCE, NULL, NULL, "unmount %s", XSRAID_SOURCE);

	s = add_step(p, "configure-target", A, NULL,
		     "Point the new root's configuration at the md devices");
	add_internal(s, OP_MOUNT, "/dev/md0", XSRAID_NEWROOT, in->root_fstype,
		     "mount /dev/md0 on %s unless it is mounted", XSRAID_NEWROOT);
	add_internal(s, OP_EDIT_FSTAB, XSRAID_NEWROOT, NULL, NULL,
		     "etc/fstab: mount / from /dev/md0 instead of %s",
		     in->root_label[0] ? "LABEL" : "its device");
	add_internal(s, OP_EDIT_EXTLINUX, XSRAID_NEWROOT, NULL, NULL,
		     "boot/extlinux.conf: root=/dev/md0 in every entry, keeping the --- form");
	add_internal(s, OP_WRITE_MDADM_CONF, XSRAID_NEWROOT, NULL, NULL,
		     "etc/mdadm.conf: DEVICE partitions and ARRAY lines for md0, md1 and md2");
	add_internal(
		s, OP_EDIT_INVENTORY, XSRAID_NEWROOT, NULL, NULL,
		"etc/xensource-inventory: BACKUP_PARTITION=/dev/md1, DEFAULT_SR_PHYSDEVS=/dev/md2");
	add_internal(s, OP_EDIT_STORAGE_CONF, XSRAID_NEWROOT, NULL, NULL,
		     "etc/firstboot.d/data/default-storage.conf: the local SR (%s) on /dev/md2",
		     sr_type_name(in->sr_type));

	s = add_step(p, "rebuild-initrds", A, NULL,
		     "Rebuild every initrd with the target's own tool while the arrays run");
	add_internal(s, OP_MOUNT, "/dev/md0", XSRAID_NEWROOT, in->root_fstype,
		     "mount /dev/md0 on %s unless it is mounted", XSRAID_NEWROOT);
	add_internal(s, OP_BIND_SYSTEM, XSRAID_NEWROOT, NULL, NULL,
		     "bind-mount /dev, /proc and /sys into %s", XSRAID_NEWROOT);
	strv_foreach(k, &in->kernels) {
		strv_free(&argv);
		cmd_initrd(in, *k, &argv);
		add_run(s, XSRAID_NEWROOT, &argv);
	}

	s = add_step(p, "bootloader-disk2", A, NULL,
		     "Install extlinux on md0 and gptmbr.bin on the second disk");
	add_internal(s, OP_MOUNT, "/dev/md0", XSRAID_NEWROOT, in->root_fstype,
		     "mount /dev/md0 on %s unless it is mounted", XSRAID_NEWROOT);
	add_internal(s, OP_BIND_SYSTEM, XSRAID_NEWROOT, NULL, NULL,
		     "bind-mount /dev, /proc and /sys into %s", XSRAID_NEWROOT);
	strv_free(&argv);
	cmd_extlinux_install(in, &argv);
	add_run(s, XSRAID_NEWROOT, &argv);
	add_internal(s, OP_WRITE_MBR, d2, in->gptmbr, NULL,
		     "write %s%s (440 bytes) to the boot code of %s", XSRAID_NEWROOT, in->gptmbr,
		     d2);

	s = add_step(p, "verify-disk2", A, NULL,
		     "Check that the second disk can boot the new system on its own");
	add_internal(s, OP_MOUNT, "/dev/md0", XSRAID_NEWROOT, in->root_fstype,
		     "mount /dev/md0 on %s unless it is mounted", XSRAID_NEWROOT);
	add_internal(s, OP_VERIFY_BOOT, in->disk[1], NULL, NULL,
		     "boot code, legacy-BIOS-bootable partition 1, extlinux boot sector, every "
		     "extlinux entry's files and root=/dev/md0, fstab, mdadm.conf, initrds");

	s = add_step(
		p, "finish-disk2", A, NULL,
		"Unmount the new root; leave the arrays running for the installer's last steps");
	add_internal(s, OP_UNBIND_SYSTEM, XSRAID_NEWROOT, NULL, NULL, "undo the bind mounts in %s",
		     XSRAID_NEWROOT);
	add_internal(s, OP_UMOUNT, XSRAID_NEWROOT, NULL, NULL, "unmount %s", XSRAID_NEWROOT);
	add_internal(s, OP_UMOUNT, XSRAID_SOURCE, NULL, NULL, "unmount %s if it is still mounted",
		     XSRAID_SOURCE);
	add_internal(s, OP_UNBIND_SYSTEM, in->target_dir, NULL, NULL,
		     "undo the bind mounts in %s, so the installer can unmount it", in->target_dir);
	strv_free(&argv);
}

static void build_stage_b(const struct plan_inputs *in, struct plan *p)
{
	const enum plan_stage B = STAGE_INSTALLATION_COMPLETE;
	char d1[96], part[96], what[256];
	struct strv argv = STRV_INIT;
	struct plan_step *s;

	dev_of(d1, sizeof(d1), in->disk[0]);

	s = add_step(p, "reopen", B, NULL, "Make sure the arrays run and mount the new root");
	s->always = true;
	add_internal(s, OP_PREPARE_WORKDIR, XSRAID_WORKDIR, NULL, NULL,
		     "create %s and its mount points", XSRAID_WORKDIR);
	/*
	 * md0 normally still runs from the first stage.  After a restart it is
	 * started again from its members through the kernel's md sysfs
	 * interface: an installer may have no mdadm, and the installed system's
	 * is on md0 itself.  Disk 2's member goes first, so the kernel takes it
	 * as the reference and disk 1's joins it, recovering where it must.
	 */
	char member1[96], member2[96];
	plan_part_dev(member2, sizeof(member2), in->disk[1], 1);
	plan_part_dev(member1, sizeof(member1), in->disk[0], 1);
	struct plan_action *assemble =
		add_internal(s, OP_ASSEMBLE, ARRAY_NAMES[0], member2, member1,
			     "start md0 from %s and %s (once it has joined) through "
			     "/sys/block/md0/md, as mdadm --assemble does",
			     member2, member1);
	assemble->cond = COND_ARRAY_STOPPED;
	assemble->cond_arg = xstrdup(ARRAY_NAMES[0]);
	add_set_speed(s, in);
	add_internal(s, OP_MOUNT, "/dev/md0", XSRAID_NEWROOT, in->root_fstype,
		     "mount /dev/md0 on %s", XSRAID_NEWROOT);
	add_internal(s, OP_BIND_SYSTEM, XSRAID_NEWROOT, NULL, NULL,
		     "bind-mount /dev, /proc and /sys into %s", XSRAID_NEWROOT);

	plan_part_dev(part, sizeof(part), in->disk[0], 1);
	s = add_step(p, "carry-logs", B, NULL,
		     "Carry over the logs the installer wrote to the first disk after the copy");
	add_internal(s, OP_MOUNT, part, XSRAID_DISK1_MNT, in->root_fstype,
		     "mount %s read-only on %s", part, XSRAID_DISK1_MNT)
		->read_only = true;
	add_internal(s, OP_CHECK_SOURCE, part, NULL, NULL,
		     "check that %s still holds the filesystem that was copied (UUID %s)", part,
		     in->root_uuid);
	add_internal(s, OP_COPY_SUBTREE, XSRAID_DISK1_MNT, XSRAID_NEWROOT, "var/log/installer",
		     "bring var/log/installer on md0 up to date");
	add_internal(s, OP_COPY_SUBTREE, XSRAID_DISK1_MNT, XSRAID_NEWROOT, "root",
		     "bring root/ (the installer's support tarball) on md0 up to date");
	add_internal(s, OP_UMOUNT, XSRAID_DISK1_MNT, NULL, NULL, "unmount %s", XSRAID_DISK1_MNT);

	s = add_step(p, "label-root", B, NULL,
		     "Give md0's filesystem the installed system's label");
	strv_free(&argv);
	cmd_tune2fs_label(in, "/dev/md0", &argv);
	add_run(s, tool_root(in, &in->tune2fs, B), &argv);

	snprintf(what, sizeof(what), "the partition table of %s", d1);
	s = add_step(p, "partition-disk1", B, what,
		     "Retype the first disk's partitions as Linux RAID and align partition 3");
	strv_free(&argv);
	cmd_sgdisk_disk1(in, d1, &argv);
	add_run(s, tool_root(in, &in->sgdisk, B), &argv);
	add_internal(s, OP_WAIT_PARTITIONS, in->disk[0], "3", NULL,
		     "wait until the kernel shows partitions 1-3 of %s", d1);

	s = add_step(p, "wipe-disk1-partitions", B, NULL,
		     "Erase stale RAID superblocks and old signatures before disk 1 joins");
	for (unsigned n = 1; n <= N_ARRAYS; n++) {
		plan_part_dev(part, sizeof(part), in->disk[0], n);
		if (n == 1)
			add_internal(
				s, OP_WIPE_SIGNATURES, part, "raid", NULL,
				"erase stale RAID superblocks in %s (its filesystem stays until "
				"it joins md0)",
				part);
		else
			add_internal(s, OP_WIPE_SIGNATURES, part, "all", NULL,
				     "erase every signature libblkid finds in %s", part);
	}

	snprintf(what, sizeof(what), "the original installation on %s", d1);
	s = add_step(p, "add-disk1", B, what, "Add the first disk's root partition to md0");
	plan_part_dev(part, sizeof(part), in->disk[0], 1);
	strv_free(&argv);
	cmd_mdadm_add(in, 0, part, &argv);
	struct plan_action *add = add_run(s, tool_root(in, &in->mdadm, B), &argv);
	add->cond = COND_NOT_MEMBER;
	add->cond_arg = xstrdup(ARRAY_NAMES[0]);
	add->cond_arg2 = xstrdup(part + 5);

	/*
	 * The backup partition and the SR partition hold nothing yet: the SR is
	 * made at first boot and the backup partition at the first upgrade.
	 * Built whole, both members are in sync from the start, so either disk
	 * brings them up alone without hours of resync over empty space.
	 */
	snprintf(what, sizeof(what), "partitions 2 and 3 of %s and of /dev/%s", d1, in->disk[1]);
	s = add_step(p, "create-data-arrays", B, what,
		     "Create md1 and md2 on both disks; they hold no data yet, so no resync");
	for (unsigned i = 1; i < N_ARRAYS; i++) {
		char part2[96];
		plan_part_dev(part, sizeof(part), in->disk[0], i + 1);
		plan_part_dev(part2, sizeof(part2), in->disk[1], i + 1);
		strv_free(&argv);
		cmd_mdadm_create_clean(in, i, part, part2, &argv);
		struct plan_action *a = add_run(s, tool_root(in, &in->mdadm, B), &argv);
		a->cond = COND_NOT_MEMBER;
		a->cond_arg = xstrdup(ARRAY_NAMES[i]);
		a->cond_arg2 = xstrdup(part + 5);
	}
	plan_part_dev(part, sizeof(part), in->disk[0], 1);

	s = add_step(p, "bootloader-disk1", B, NULL, "Write gptmbr.bin to the first disk too");
	add_internal(s, OP_WRITE_MBR, d1, in->gptmbr, NULL,
		     "write %s%s (440 bytes) to the boot code of %s", XSRAID_NEWROOT, in->gptmbr,
		     d1);
	if (in->pmbr_boot_flag)
		add_internal(s, OP_PMBR_BOOT_FLAG, d1, NULL, NULL,
			     "keep the protective MBR entry of %s active", d1);

	s = add_step(p, "wait-root-resync", B, NULL,
		     "Wait until md0 is in sync, so either disk boots on its own");
	add_internal(s, OP_WAIT_RESYNC, "md0", NULL, NULL,
		     "wait for md0's recovery onto %s, showing progress", part);

	s = add_step(p, "verify-disks", B, NULL,
		     "Check that each disk can boot the mirrored system on its own");
	for (int i = 0; i < 2; i++)
		add_internal(s, OP_VERIFY_BOOT, in->disk[i], NULL, NULL,
			     "check that /dev/%s boots on its own, as verify-disk2 does",
			     in->disk[i]);

	s = add_step(p, "finish", B, NULL, "Save the log and leave the arrays assembled");
	if (in->resync_speed_kib && in->speed_max_before) {
		char speed[32];
		snprintf(speed, sizeof(speed), "%u", in->speed_max_before);
		add_internal(s, OP_SET_SPEED, speed, NULL, NULL,
			     "restore speed_limit_max to %u KiB/s", in->speed_max_before);
	}
	add_internal(s, OP_SAVE_LOG, XSRAID_NEWROOT, NULL, NULL,
		     "copy %s to %s/var/log/installer/xsraid-log", XSRAID_LOG, XSRAID_NEWROOT);
	add_internal(s, OP_UNBIND_SYSTEM, XSRAID_NEWROOT, NULL, NULL, "undo the bind mounts in %s",
		     XSRAID_NEWROOT);
	add_internal(s, OP_UMOUNT, XSRAID_NEWROOT, NULL, NULL,
		     "unmount %s; md0, md1 and md2 stay assembled", XSRAID_NEWROOT);
	strv_free(&argv);
}

void plan_build(const struct plan_inputs *in, struct plan *ret)
{
	struct plan p = {0};

	p.in = *in;
	memset(&p.in.stale_arrays, 0, sizeof(p.in.stale_arrays));
	memset(&p.in.kernels, 0, sizeof(p.in.kernels));
	strv_foreach(s, &in->stale_arrays)
		strv_push(&p.in.stale_arrays, *s);
	strv_foreach(s, &in->kernels)
		strv_push(&p.in.kernels, *s);

	if (in->wipe_disk2)
		strv_pushf(&p.notes, "/dev/%s will be erased: %s", in->disk[1], in->wipe_reason);
	uint64_t ss = in->sector_size;
	uint64_t p3 = (in->part_last[2] - in->part_first[2] + 1) * ss;
	uint64_t room =
		(last_usable(in->disk_sectors[0], in->sector_size) - in->part_first[2] + 1) * ss;
	if (room > p3 + JOURNAL_AREA_BYTES) {
		char h1[32], h2[32];
		human(p3, h1, sizeof(h1));
		human(room, h2, sizeof(h2));
		strv_pushf(&p.notes, "md2 is %s, not the %s /dev/%s could hold: /dev/%s is smaller",
			   h1, h2, in->disk[0], in->disk[1]);
	}
	if (!in->guest_storage)
		strv_push(&p.notes, "guest-storage is off: md2 is created, no SR is configured");

	build_stage_a(in, &p);
	build_stage_b(in, &p);
	*ret = p;
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n_steps; i++) {
		struct plan_step *s = &p->steps[i];
		for (size_t j = 0; j < s->n_actions; j++) {
			struct plan_action *a = &s->actions[j];
			strv_free(&a->argv);
			free(a->chroot);
			for (int k = 0; k < 3; k++)
				free(a->arg[k]);
			free(a->cond_arg);
			free(a->cond_arg2);
			free(a->describe);
		}
		free(s->actions);
		free(s->title);
		free(s->destroys);
	}
	free(p->steps);
	strv_free(&p->notes);
	plan_inputs_free(&p->in);
	memset(p, 0, sizeof(*p));
}

const struct plan_step *plan_find_step(const struct plan *p, const char *id)
{
	for (size_t i = 0; i < p->n_steps; i++)
		if (!strcmp(p->steps[i].id, id))
			return &p->steps[i];
	return NULL;
}

/* --- printing --------------------------------------------------------------- */

void plan_action_command(const struct plan_action *a, struct buf *out)
{
	if (a->kind == ACTION_INTERNAL) {
		buf_puts(out, a->describe);
		return;
	}
	if (a->chroot) {
		buf_puts(out, "chroot ");
		shell_quote(out, a->chroot);
		buf_putc(out, ' ');
	}
	shell_quote_argv(out, (const char *const *)strv_argv(&a->argv));
}

static void condition_text(const struct plan_action *a, struct buf *out)
{
	if (a->cond == COND_ARRAY_STOPPED)
		buf_printf(out, "  (only if %s is not running)", a->cond_arg);
	else if (a->cond == COND_NOT_MEMBER)
		buf_printf(out, "  (unless %s is already in %s)", a->cond_arg2, a->cond_arg);
}

void plan_print_text(const struct plan *p, struct buf *o)
{
	const struct plan_inputs *in = &p->in;
	uint64_t ss = in->sector_size;
	char h[32];

	buf_printf(o,
		   "xsraid plan: RAID1 of /dev/%s and /dev/%s (metadata %s, bitmap %s, SR %s)\n\n",
		   in->disk[0], in->disk[1], md_metadata_name(in->metadata),
		   md_bitmap_name(in->bitmap), sr_type_name(in->sr_type));
	buf_puts(o, "disk       size       role\n");
	for (int i = 0; i < 2; i++) {
		human(in->disk_sectors[i] * ss, h, sizeof(h));
		buf_printf(o, "/dev/%-5s %-10s %s\n", in->disk[i], h,
			   i == 0 ? "first: holds the fresh install"
				  : "second: becomes its mirror");
	}
	buf_puts(o, "\narray  partitions (both disks)      size       use\n");
	for (int i = 0; i < N_ARRAYS; i++) {
		char range[64];
		human((in->part_last[i] - in->part_first[i] + 1) * ss, h, sizeof(h));
		snprintf(range, sizeof(range), "%d: %" PRIu64 "-%" PRIu64, i + 1, in->part_first[i],
			 in->part_last[i]);
		buf_printf(o, "%-6s %-29s %-10s %s", ARRAY_NAMES[i], range, h, ARRAY_ROLES[i]);
		if (i == 0 && in->root_label[0])
			buf_printf(o, " (%s, label %s)", in->root_fstype, in->root_label);
		if (i == 2)
			buf_printf(o, " (%s)", sr_type_name(in->sr_type));
		buf_putc(o, '\n');
	}
	buf_printf(o, "journal 4 on /dev/%-13s %-10s xsraid's step journal\n", in->disk[1],
		   "1.0 MiB");
	for (size_t i = 0; i < p->notes.n; i++)
		buf_printf(o, "note: %s\n", p->notes.v[i]);

	enum plan_stage stage = (enum plan_stage) - 1;
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct plan_step *s = &p->steps[i];
		if (s->stage != stage) {
			stage = s->stage;
			buf_printf(o, "\nat %s%s:\n", plan_stage_name(stage),
				   stage == STAGE_FILESYSTEM_POPULATED
					   ? " (the installed system is mounted)"
					   : " (after the installer has finished)");
		}
		buf_printf(o, "%2zu. %s: %s\n", i + 1, s->id, s->title);
		if (s->destroys)
			buf_printf(o, "    overwrites %s\n", s->destroys);
		if (s->always)
			buf_puts(o, "    runs on every attempt, resumed or not\n");
		for (size_t j = 0; j < s->n_actions; j++) {
			const struct plan_action *a = &s->actions[j];
			buf_puts(o, a->kind == ACTION_RUN ? "    $ " : "    - ");
			plan_action_command(a, o);
			condition_text(a, o);
			buf_putc(o, '\n');
		}
	}
}

void plan_print_json(const struct plan *p, struct buf *o)
{
	const struct plan_inputs *in = &p->in;
	char u[36];

	buf_puts(o, "{\n  \"version\": 1,\n  \"disks\": [");
	for (int i = 0; i < 2; i++) {
		buf_printf(o, "%s\n    {\"name\": ", i ? "," : "");
		json_quote(o, in->disk[i]);
		buf_printf(o, ", \"role\": \"%s\", \"bytes\": %" PRIu64 ", \"sector_size\": %u}",
			   i ? "second" : "first", in->disk_sectors[i] * in->sector_size,
			   in->sector_size);
	}
	buf_printf(o,
		   "\n  ],\n  \"metadata\": \"%s\",\n  \"bitmap\": \"%s\",\n  \"sr_type\": \"%s\","
		   "\n  \"arrays\": [",
		   md_metadata_name(in->metadata), md_bitmap_name(in->bitmap),
		   sr_type_name(in->sr_type));
	for (int i = 0; i < N_ARRAYS; i++) {
		char m0[96], m1[96];
		md_uuid_format(in->md_uuid[i], u);
		plan_part_dev(m0, sizeof(m0), in->disk[0], (unsigned)i + 1);
		plan_part_dev(m1, sizeof(m1), in->disk[1], (unsigned)i + 1);
		buf_printf(o,
			   "%s\n    {\"name\": \"%s\", \"use\": \"%s\", \"uuid\": \"%s\", "
			   "\"members\": [\"%s\", \"%s\"], \"first_lba\": %" PRIu64
			   ", \"last_lba\": %" PRIu64 "}",
			   i ? "," : "", ARRAY_NAMES[i], ARRAY_ROLES[i], u, m0, m1,
			   in->part_first[i], in->part_last[i]);
	}
	buf_printf(
		o,
		"\n  ],\n  \"journal\": {\"disk\": \"%s\", \"partition\": 4, \"first_lba\": %" PRIu64
		", \"last_lba\": %" PRIu64 "},\n  \"notes\": [",
		in->disk[1], in->journal_first, in->journal_last);
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
			const struct plan_action *a = &s->actions[j];
			buf_puts(o, j ? ",\n       " : "\n       ");
			if (a->kind == ACTION_RUN) {
				buf_puts(o, "{\"type\": \"command\", \"argv\": [");
				for (size_t k = 0; k < a->argv.n; k++) {
					buf_puts(o, k ? ", " : "");
					json_quote(o, a->argv.v[k]);
				}
				buf_puts(o, "], \"chroot\": ");
				if (a->chroot)
					json_quote(o, a->chroot);
				else
					buf_puts(o, "null");
				if (a->cond != COND_ALWAYS) {
					struct buf c = BUF_INIT;
					condition_text(a, &c);
					buf_puts(o, ", \"condition\": ");
					json_quote(o, str_strip(c.data));
					buf_free(&c);
				}
				buf_puts(o, "}");
			} else {
				buf_puts(o, "{\"type\": \"internal\", \"description\": ");
				json_quote(o, a->describe);
				buf_puts(o, "}");
			}
		}
		buf_puts(o, "\n     ]}");
	}
	buf_puts(o, "\n  ]\n}\n");
}
