// SPDX-License-Identifier: GPL-2.0-only
#include "decide.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "sha256.h"

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

/*
 * md 0.90 keeps a member's size in KiB in 32 bits, and Linux before 3.1
 * (XenServer 6's 2.6.32) reads it signed: members from 2 TiB on fail there.
 */
#define MD090_MEMBER_LIMIT (UINT64_C(2) << 40)

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

/* The kind of partition table libblkid found on @d, or NULL. */
static const char *table_type(const struct disk_info *d)
{
	for (size_t i = 0; i < d->n_sigs; i++)
		if (!strcmp(d->sigs[i].usage, "partition table"))
			return d->sigs[i].type;
	return NULL;
}

/*
 * Everything on disk 2 that says it holds data; empty when it is blank.  A
 * partition table without partitions holds nothing and does not count.
 */
static void disk_contents(const struct disk_info *d, struct buf *out)
{
	const char *table = table_type(d);

	if (d->n_parts)
		buf_printf(out, "%s with %zu partition%s",
			   d->gpt_status == 0		    ? "a GPT"
			   : table && !strcmp(table, "dos") ? "an MBR"
							    : "a partition table",
			   d->n_parts, d->n_parts == 1 ? "" : "s");
	else if (d->gpt_status == -EBADMSG && table && !strcmp(table, "gpt") && d->n_sigs &&
		 d->sigs[0].offset + d->sector_size == d->size_bytes)
		buf_puts(out, "the backup header of a GPT whose start was wiped");
	else if (d->gpt_status == -EBADMSG)
		buf_puts(out, "a damaged GPT");
	struct blk_signature whole[SIG_MAX];
	size_t n = 0;
	for (size_t i = 0; i < d->n_sigs; i++)
		if (strcmp(d->sigs[i].usage, "partition table"))
			whole[n++] = d->sigs[i];
	if (n) {
		buf_printf(out, "%s", out->len ? ", " : "");
		signatures_describe(whole, n, out);
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

static bool add_old_signature(struct plan_inputs *in, const struct blk_signature *s, uint64_t base,
			      const char *where)
{
	struct buf what = BUF_INIT;

	if (!s->magic_len)
		return true;
	if (in->old_sigs.n >= OLD_SIGS_MAX)
		return false;
	struct old_signature *o = &in->old_sigs.sig[in->old_sigs.n++];
	o->offset = base + s->offset;
	o->magic_len = s->magic_len < OLD_SIG_MAGIC_MAX ? s->magic_len : OLD_SIG_MAGIC_MAX;
	memcpy(o->magic, s->magic, o->magic_len);
	if (s->secondary)
		buf_puts(&what, s->type);
	else
		signatures_describe(s, 1, &what);
	buf_printf(&what, " on %s", where);
	str_copy(o->what, sizeof(o->what), what.data);
	buf_free(&what);
	return true;
}

/*
 * Every signature found on disk 2 and inside its partitions, where it lies
 * on the disk: what the first step erases before the disk gets its new
 * table, so none of it is left where the new partitions do not reach.
 */
static int old_signatures(const struct disk_info *d, struct plan_inputs *in, struct buf *err)
{
	bool room = true;

	for (size_t i = 0; i < d->n_sigs && room; i++)
		room = add_old_signature(in, &d->sigs[i], 0, "the whole disk");
	for (size_t i = 0; i < d->n_parts && room; i++)
		for (size_t j = 0; j < d->parts[i].n_sigs && room; j++)
			room = add_old_signature(in, &d->parts[i].sigs[j],
						 d->parts[i].first_lba * d->sector_size,
						 d->parts[i].dev);
	if (room)
		return 0;
	return refuse(err,
		      "disk '%s' carries more than %d old signatures, more than xsraid erases; "
		      "erase them first (wipefs --all on each partition, then on the disk)",
		      d->name, OLD_SIGS_MAX);
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

/*
 * A block copy lays the root filesystem at the same offsets of md0, and md
 * keeps its superblock (and a 0.90 or 1.0 bitmap) after the data, in at most
 * 140 KiB: partition 1 must end that far past the filesystem.  The
 * installer's filesystem fills partition 1, so partition 1 grows into the
 * first MiB of partition 2, which holds nothing yet.
 */
#define CLONE_END_ROOM (UINT64_C(1) << 20)

static void decide_root_copy(const struct raid_settings *rs, const struct target_info *t,
			     const struct part_info *const p[N_ARRAYS], struct plan_inputs *in)
{
	uint64_t ss = in->sector_size;
	const char *why = t->clone_problem;

	in->root_copy = ROOT_COPY_FILES;
	if (rs->copy != ROOT_COPY_BLOCKS)
		return;
	if (!why[0]) {
		uint64_t last = p[0]->first_lba + (t->fs_bytes + CLONE_END_ROOM + ss - 1) / ss - 1;
		if (last < p[0]->last_lba)
			last = p[0]->last_lba;
		if (last + 1 + (p[1]->last_lba - p[1]->first_lba + 1) / 2 > p[1]->last_lba) {
			why = "partition 2 is too small to give partition 1 room for md's superblock "
			      "after the filesystem";
		} else {
			in->root_copy = ROOT_COPY_BLOCKS;
			in->root_fs_bytes = t->fs_bytes;
			in->part_last[0] = last;
			in->part_first[1] = last + 1;
			return;
		}
	}
	snprintf(in->root_copy_note, sizeof(in->root_copy_note), "%s", why);
}

static const struct part_info *find_part(const struct disk_info *d, unsigned n)
{
	for (size_t i = 0; i < d->n_parts; i++)
		if (d->parts[i].number == n)
			return &d->parts[i];
	return NULL;
}

static bool listed(const struct strv *list, const char *s)
{
	strv_foreach(e, list)
		if (!strcmp(*e, s))
			return true;
	return false;
}

/* Whether the kernel name @name is @d or one of its partitions (sdb, sdb1, nvme0n1p1). */
static bool on_disk(const struct disk_info *d, const char *name)
{
	size_t l = strlen(d->name);

	if (strncmp(name, d->name, l))
		return false;
	const char *n = name + l;
	if (*n == 'p' && n[1])
		n++;
	return strspn(n, "0123456789") == strlen(n);
}

/*
 * An md array @md holds @member of disk @d.  Stopped first when @may_stop
 * and it runs from @d alone; otherwise the disk is refused, saying how to
 * allow it (@allow, or NULL when nothing would).
 */
static int running_array(const struct inventory *inv, const struct disk_info *d, const char *md,
			 const char *member, bool may_stop, const char *allow,
			 struct plan_inputs *in, struct buf *err)
{
	const struct md_array *a = inventory_array(inv, md);
	struct buf from = BUF_INIT, elsewhere = BUF_INIT;
	int r = 0;

	if (a && a->members.n) {
		strv_foreach(m, &a->members) {
			buf_printf(&from, "%s%s", from.len ? ", " : "", *m);
			if (!on_disk(d, *m))
				buf_printf(&elsewhere, "%s%s", elsewhere.len ? ", " : "", *m);
		}
	} else {
		buf_puts(&from, member);
	}
	if (elsewhere.len)
		r = refuse(
			err,
			"disk '%s' is part of running array '%s', which also runs from %s; stop it "
			"(mdadm --stop /dev/%s) or name another disk",
			d->name, md, elsewhere.data, md);
	else if (!may_stop && allow)
		r = refuse(
			err,
			"disk '%s' is part of running array '%s' (%s%s%s); to erase it, stop the "
			"array (mdadm --stop /dev/%s) or %s",
			d->name, md, a && a->level[0] ? a->level : "",
			a && a->level[0] ? " of " : "", from.data, md, allow);
	else if (!may_stop)
		r = refuse(
			err,
			"disk '%s' is part of running array '%s' (%s); stop it with mdadm --stop "
			"/dev/%s or name another disk",
			d->name, md, from.data, md);
	else if (!listed(&in->stale_arrays, md))
		strv_push(&in->stale_arrays, md);
	buf_free(&from);
	buf_free(&elsewhere);
	return r;
}

/*
 * What uses a disk or its partitions: mounts refuse it; md arrays on disk 2
 * are stopped when @may_stop, else refused with @allow (see running_array).
 */
static int check_in_use(const struct inventory *inv, const struct disk_info *d, bool is_disk1,
			bool may_stop, const char *allow, const char *target_dev,
			struct plan_inputs *in, struct buf *err)
{
	may_stop = may_stop && !is_disk1;
	if (d->mountpoint[0])
		return refuse(err, "disk '%s' is in use: it is mounted on '%s'", d->name,
			      d->mountpoint);
	if (d->holder[0] && !str_starts_with(d->holder, "md"))
		return refuse(err, "disk '%s' is in use by '%s'; free it or name another disk",
			      d->name, d->holder);
	if (d->holder[0] && running_array(inv, d, d->holder, d->name, may_stop, allow, in, err) < 0)
		return -EINVAL;
	for (size_t i = 0; i < d->n_parts; i++) {
		const struct part_info *p = &d->parts[i];
		if (p->mountpoint[0] && !(is_disk1 && !strcmp(p->dev, target_dev)))
			return refuse(err,
				      "disk '%s' is in use: %s is mounted on '%s'; unmount it or "
				      "name another disk",
				      d->name, p->dev, p->mountpoint);
		if (!p->holder[0])
			continue;
		if (!str_starts_with(p->holder, "md"))
			return refuse(err,
				      "disk '%s' is in use: %s is held by '%s'; free it or name "
				      "another disk",
				      d->name, p->dev, p->holder);
		if (running_array(inv, d, p->holder, p->dev, may_stop, allow, in, err) < 0)
			return -EINVAL;
	}
	return 0;
}

/* Whether every member of @a is a partition of @d. */
static bool members_on(const struct md_array *a, const struct disk_info *d)
{
	strv_foreach(m, &a->members) {
		bool found = false;
		for (size_t i = 0; i < d->n_parts; i++)
			found = found || !strcmp(d->parts[i].dev, *m);
		if (!found)
			return false;
	}
	return true;
}

/*
 * md0, md1 and md2 must be free for xsraid's arrays: one already running
 * from other disks is someone else's, and would be written to.
 */
static int check_array_names(const struct inventory *inv, const struct disk_info *const d[2],
			     struct buf *err)
{
	for (unsigned i = 0; i < N_ARRAYS; i++) {
		const struct md_array *a = inventory_array(inv, md_array_name(i));
		if (!a || !a->members.n || members_on(a, d[1]))
			continue;
		struct buf list = BUF_INIT;
		strv_foreach(m, &a->members)
			buf_printf(&list, "%s%s", list.len ? ", " : "", *m);
		refuse(err,
		       "%s already runs from %s, not from the disks named for the mirror; stop it "
		       "(mdadm --stop /dev/%s) or remove that disk before the install",
		       a->name, list.data, a->name);
		buf_free(&list);
		return -EINVAL;
	}
	return 0;
}

/* The first stage's view of the disks: arrays to stop, data to refuse or erase. */
static int judge_disk2(const struct answerfile *af, const struct inventory *inv,
		       const struct mirror *m, struct plan_inputs *in, struct buf *err)
{
	const struct disk_info *d2 = m->disk[1];
	bool force = af->raid.wipe == WIPE_FORCE;
	/* Our own unfinished work is redone; a finished mirror is data like any other. */
	bool ours = m->verdict == JOURNAL_EARLIER_UNFINISHED ||
		    (m->verdict == JOURNAL_EARLIER_FINISHED && force);
	struct buf b = BUF_INIT, allow = BUF_INIT, w = BUF_INIT;
	int r = 0;

	where(af, &w);
	buf_printf(&allow, "set %s (%s)", wipe_attribute(af), w.data);
	if (check_in_use(inv, d2, false, ours || force, allow.data, "", in, err) < 0) {
		r = -EINVAL;
		goto out;
	}
	disk_contents(d2, &b);
	if (m->verdict == JOURNAL_EARLIER_FINISHED) {
		buf_reset(&b);
		buf_puts(&b, m->why);
	}
	if (!b.len)
		goto out;
	if (m->verdict == JOURNAL_EARLIER_UNFINISHED) {
		in->wipe_disk2 = true;
		str_copy(in->wipe_reason, sizeof(in->wipe_reason), m->why);
	} else if (force) {
		in->wipe_disk2 = true;
		snprintf(in->wipe_reason, sizeof(in->wipe_reason), "the answerfile allows it: %s",
			 b.data);
	} else {
		r = refuse(err, "disk '%s' holds data (%s) and is left alone; to erase it, %s",
			   d2->name, b.data, allow.data);
		goto out;
	}
	r = old_signatures(d2, in, err);
out:
	buf_free(&b);
	buf_free(&allow);
	buf_free(&w);
	return r;
}

/* What the installed system boots with: extlinux, gptmbr.bin, the kernels' initrds. */
static void boot_files(const struct target_info *t, struct plan_inputs *in)
{
	str_copy(in->extlinux, sizeof(in->extlinux), t->extlinux_path);
	str_copy(in->gptmbr, sizeof(in->gptmbr), t->gptmbr_path);
	strv_foreach(k, &t->kernels)
		strv_push(&in->kernels, *k);
}

/* Monitoring and the check, as the answerfile asks and the installed system allows. */
static void decide_day_two(const struct answerfile *af, const struct inventory *inv,
			   struct plan_inputs *in)
{
	const struct raid_settings *rs = &af->raid;
	const struct target_info *t = &inv->target;

	str_copy(in->mailaddr, sizeof(in->mailaddr), rs->mailaddr ? rs->mailaddr : "");
	str_copy(in->program, sizeof(in->program), rs->program ? rs->program : "");
	in->check = rs->check;
	str_copy(in->helper, sizeof(in->helper), inv->helper);
	str_copy(in->chkconfig, sizeof(in->chkconfig), t->chkconfig_path);
	str_copy(in->mdmonitor, sizeof(in->mdmonitor), t->mdmonitor_path);
	str_copy(in->distro_check, sizeof(in->distro_check), t->raid_check_path);
	in->cron_d = t->cron_d;
}

int decide_inputs(const struct answerfile *af, const struct inventory *inv, const struct mirror *m,
		  const char *target_dir, struct plan_inputs *ret, struct buf *err)
{
	const struct raid_settings *rs = &af->raid;
	const struct target_info *t = &inv->target;
	struct plan_inputs in = {0};
	const struct disk_info *const *d = m->disk;
	const struct part_info *p[3];
	char h1[32], h2[32];
	int r = -EINVAL;

	if (rs->syntax == RAID_SYNTAX_NONE)
		return -ENODATA;

	for (int i = 0; i < 2; i++) {
		if (!d[i]) {
			struct buf w = BUF_INIT, list = BUF_INIT;
			where(af, &w);
			disk_list(inv, &list);
			refuse(err, "disk '%s' (%s) does not exist; disks here: %s", rs->disks[i],
			       w.data, list.data);
			buf_free(&w);
			buf_free(&list);
			return -EINVAL;
		}
	}
	if (d[0] == d[1])
		return refuse(err, "'%s' and '%s' are the same disk (%s); name two different disks",
			      rs->disks[0], rs->disks[1], d[0]->name);
	for (int i = 0; i < 2; i++)
		if (d[i]->read_error)
			return refuse(
				err,
				"disk '%s' cannot be read (%s): what it holds is unknown, so it "
				"is left alone; check the disk and its cabling",
				d[i]->name, strerror(-d[i]->read_error));
	if (m->verdict == JOURNAL_THIS_INSTALL) {
		inputs_copy(ret, &m->recorded);
		return 0;
	}
	for (int i = 0; i < 2; i++) {
		str_copy(in.disk[i], sizeof(in.disk[i]), d[i]->name);
		mirror_disk_identity(d[i], in.identity[i], sizeof(in.identity[i]));
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
	if (!inv->kernel.md || !inv->kernel.raid1) {
		refuse(err,
		       "the installer's kernel (%s) has no %s driver: it does not run, is not built "
		       "in, and its module is not under /lib/modules/%s; remaster install.img with "
		       "the kernel's md-mod and raid1 modules",
		       inv->kernel.release[0] ? inv->kernel.release : "unknown",
		       !inv->kernel.md ? "md" : "raid1",
		       inv->kernel.release[0] ? inv->kernel.release : "RELEASE");
		goto out;
	}
	if (d[1]->readonly) {
		refuse(err, "disk '%s' is read-only", d[1]->name);
		goto out;
	}
	if (check_in_use(inv, d[0], true, false, NULL, t->root_dev, &in, err) < 0 ||
	    judge_disk2(af, inv, m, &in, err) < 0 || check_array_names(inv, d, err) < 0)
		goto out;

	/* Sizes: partitions 1 and 2 exactly as on disk 1, 3 from the next MiB, the journal last. */
	uint32_t ss = d[0]->sector_size;
	uint64_t mib = 1024 * 1024 / ss, jsec = JOURNAL_AREA_BYTES / ss;
	in.sector_size = ss;
	for (int i = 0; i < 2; i++)
		in.disk_sectors[i] = d[i]->size_bytes / ss;
	for (int i = 0; i < 2; i++) {
		in.metadata[i] =
			strcmp(p[i]->md_metadata, "1.0") ? MD_METADATA_0_90 : MD_METADATA_1_0;
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
	decide_root_copy(rs, t, p, &in);
	for (unsigned i = 0; i < N_ARRAYS; i++) {
		uint64_t member = (in.part_last[i] - in.part_first[i] + 1) * ss;
		in.metadata[i] = rs->metadata;
		/* The SR's array is never in the initrd: where 0.90 cannot hold it, 1.0 can. */
		if (rs->metadata == MD_METADATA_0_90 && member >= MD090_MEMBER_LIMIT)
			in.metadata[i] = MD_METADATA_1_0;
	}
	if (in.metadata[0] != rs->metadata || in.metadata[1] != rs->metadata) {
		refuse(err, "the root and backup partitions are too large for md metadata %s",
		       md_metadata_name(rs->metadata));
		goto out;
	}
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
	boot_files(t, &in);
	decide_day_two(af, inv, &in);
	str_copy(in.initrd_tool, sizeof(in.initrd_tool), t->initrd_tool);
	str_copy(in.initrd_tool_path, sizeof(in.initrd_tool_path), t->initrd_tool_path);
	derive_identifiers(&in);
	/* A grown partition 1 and a moved partition 2 keep their GUIDs. */
	if (in.root_copy == ROOT_COPY_BLOCKS)
		for (unsigned i = 0; i < 2; i++)
			in.part_guid[0][i] = p[i]->unique;
	/* The journal's header carries the inputs; a plan that cannot record them never starts. */
	struct buf payload = BUF_INIT;
	inputs_serialize(&in, &payload);
	size_t len = payload.len;
	buf_free(&payload);
	if (len > JOURNAL_PAYLOAD_MAX) {
		refuse(err,
		       "the plan's inputs take %zu bytes, more than the %d the journal holds (%zu old "
		       "signatures of disk '%s' to erase, %zu initrds to rebuild); erase that disk "
		       "first (wipefs --all) or remove kernels the system does not need",
		       len, JOURNAL_PAYLOAD_MAX, in.old_sigs.n, d[1]->name, in.kernels.n);
		goto out;
	}
	*ret = in;
	in = (struct plan_inputs){0};
	r = 0;
out:
	inputs_free(&in);
	return r;
}

/* --- replacing a disk of a running mirror ------------------------------------ */

static const struct part_info *find_part_dev(const struct inventory *inv, const char *dev,
					     const struct disk_info **ret_disk)
{
	for (size_t i = 0; i < inv->n_disks; i++) {
		const struct disk_info *d = &inv->disks[i];
		for (size_t j = 0; j < d->n_parts; j++) {
			if (!strcmp(d->parts[j].dev, dev)) {
				*ret_disk = d;
				return &d->parts[j];
			}
		}
	}
	*ret_disk = NULL;
	return NULL;
}

/*
 * The arrays as xsraid made them, each running degraded from partition i+1
 * of one good disk, nothing rebuilding; failed members of other disks go
 * into @in->remove_members.  Fills @ret_good.
 */
static int judge_arrays(const struct inventory *inv, const struct disk_info *new_disk,
			const struct disk_info **ret_good, struct plan_inputs *in, struct buf *err)
{
	const struct disk_info *good = NULL;

	for (unsigned i = 0; i < N_ARRAYS; i++) {
		const char *name = md_array_name(i);
		const struct md_array *a = inventory_array(inv, name);
		const char *sync_member = NULL;
		unsigned n_sync = 0;

		if (!a || !a->members.n || !strcmp(a->state, "inactive") ||
		    !strcmp(a->state, "clear"))
			return refuse(err,
				      "%s is not running: replace-disk works on the arrays xsraid "
				      "made (md0, md1, md2) while they run; assemble them with "
				      "mdadm --assemble --scan",
				      name);
		if (strcmp(a->level, "raid1"))
			return refuse(err, "%s runs as '%s', not as the raid1 xsraid made", name,
				      a->level);
		for (size_t m = 0; m < a->members.n; m++) {
			const char *member = a->members.v[m];
			if (md_member_faulty(a, m)) {
				const struct disk_info *holder;
				find_part_dev(inv, member, &holder);
				if (holder == new_disk)
					return refuse(
						err,
						"disk '%s' is in use: %s is a failed member of "
						"%s; remove it first (mdadm /dev/%s --remove "
						"/dev/%s) or name another disk",
						new_disk->name, member, name, name, member);
				strv_pushf(&in->remove_members, "%s:%s", name, member);
			} else if (md_member_in_sync(a, m)) {
				n_sync++;
				sync_member = member;
			} else {
				return refuse(
					err,
					"%s is already rebuilding onto %s; wait until it is in "
					"sync (xsraid status), or remove it (mdadm /dev/%s "
					"--fail /dev/%s --remove /dev/%s) to put another disk in",
					name, member, name, member, member);
			}
		}
		if (!n_sync)
			return refuse(err,
				      "%s has no member in sync: there is nothing to rebuild a "
				      "new disk from",
				      name);
		if (a->raid_disks && n_sync >= a->raid_disks)
			return refuse(
				err,
				"%s is not degraded: its members are in sync, so no disk needs "
				"replacing; to replace a disk that still works, fail and "
				"remove its members first (mdadm /dev/%s --fail /dev/%s "
				"--remove /dev/%s, and the same for the other arrays)",
				name, name, sync_member, sync_member);
		const struct disk_info *d;
		const struct part_info *p = find_part_dev(inv, sync_member, &d);
		if (!p || p->number != i + 1)
			return refuse(
				err,
				"%s runs from %s, which is not partition %u of a disk: not the "
				"layout xsraid made",
				name, sync_member, i + 1);
		if (good && d != good)
			return refuse(err,
				      "%s runs from '%s' and %s from '%s': replace-disk rebuilds a "
				      "disk from one good disk that holds every array",
				      md_array_name(0), good->name, name, d->name);
		good = d;
	}
	*ret_good = good;
	return 0;
}

/* The new disk's identifiers: stable for one replacement, so plan and apply agree. */
static void derive_replacement_identifiers(struct plan_inputs *in)
{
	char g[37], u[36];
	uint8_t seed[32];
	struct sha256_ctx c;

	gpt_guid_format(&in->disk1_guid, g);
	md_uuid_format(in->md_uuid[0], u);
	sha256_init(&c);
	sha256_update(&c, "xsraid-replace-1:", 17);
	sha256_update(&c, g, strlen(g));
	sha256_update(&c, in->identity[1], strlen(in->identity[1]));
	sha256_update(&c, u, strlen(u));
	sha256_final(&c, seed);
	derive_guid(seed, "disk", &in->disk2_guid);
	for (unsigned n = 0; n < 4; n++) {
		char what[16];
		snprintf(what, sizeof(what), "part%u", n + 1);
		derive_guid(seed, what, &in->part_guid[1][n]);
	}
}

int decide_replace(const struct replace_request *req, const struct inventory *inv,
		   const struct mirror *m, struct plan_inputs *ret, struct buf *err)
{
	const struct disk_info *nd = m->disk[1], *good = NULL;
	const struct target_info *t = &inv->target;
	struct plan_inputs in = {0};
	const struct part_info *p[N_ARRAYS];
	struct buf b = BUF_INIT;
	int r = -EINVAL;

	if (!nd) {
		struct buf list = BUF_INIT;
		disk_list(inv, &list);
		refuse(err, "disk '%s' does not exist; disks here: %s", req->new_disk, list.data);
		buf_free(&list);
		return -EINVAL;
	}
	if (m->verdict == JOURNAL_THIS_INSTALL) {
		inputs_copy(ret, &m->recorded);
		return 0;
	}
	if (m->verdict == JOURNAL_EARLIER_FINISHED)
		return -EALREADY;
	in.purpose = PURPOSE_REPLACE_DISK;
	if (judge_arrays(inv, nd, &good, &in, err) < 0)
		goto out;
	if (req->from) {
		const char *name = str_starts_with(req->from, "/dev/") ? req->from + 5 : req->from;
		char *from = discover_resolve_disk(inv->root, name);
		bool same = from && !strcmp(from, good->name);
		if (!from)
			refuse(err, "--from '%s': no such disk", req->from);
		else if (!same)
			refuse(err,
			       "--from '%s': the arrays run from '%s', not from it; give --from %s "
			       "or leave it out",
			       req->from, good->name, good->name);
		free(from);
		if (!same)
			goto out;
	}
	if (nd == good) {
		refuse(err,
		       "'%s' is the disk the arrays run from, the one to keep; name the new disk",
		       nd->name);
		goto out;
	}
	if (nd->read_error) {
		refuse(err,
		       "disk '%s' cannot be read (%s): what it holds is unknown, so it is left "
		       "alone; check the disk and its cabling",
		       nd->name, strerror(-nd->read_error));
		goto out;
	}
	if (nd->readonly) {
		refuse(err, "disk '%s' is read-only", nd->name);
		goto out;
	}
	/* A new disk in use cannot be forced: something else runs from it. */
	if (check_in_use(inv, nd, false, false, NULL, "", &in, err) < 0)
		goto out;
	disk_contents(nd, &b);
	if (b.len && !req->force) {
		refuse(err,
		       "disk '%s' holds data (%s) and is left alone; to erase it, run "
		       "replace-disk again with --force",
		       nd->name, b.data);
		goto out;
	}
	if (b.len) {
		in.wipe_disk2 = true;
		snprintf(in.wipe_reason, sizeof(in.wipe_reason), "--force: %s", b.data);
	}
	if (good->gpt_status != 0) {
		refuse(err, "disk '%s' has no valid GPT to copy", good->name);
		goto out;
	}
	for (unsigned n = 0; n < N_ARRAYS; n++)
		p[n] = find_part(good, n + 1);
	if (nd->sector_size != good->sector_size) {
		refuse(err,
		       "'%s' has %u-byte sectors and '%s' %u-byte sectors; the new disk needs "
		       "the same sector size",
		       good->name, good->sector_size, nd->name, nd->sector_size);
		goto out;
	}
	uint32_t ss = good->sector_size;
	uint64_t jsec = JOURNAL_AREA_BYTES / ss, new_sectors = nd->size_bytes / ss;
	uint64_t need = p[2]->last_lba + 1 + jsec + 16384 / ss + 1;
	if (new_sectors < need) {
		char h1[32], h2[32];
		human(nd->size_bytes, h1, sizeof(h1));
		human(need * ss, h2, sizeof(h2));
		refuse(err,
		       "disk '%s' (%s) is too small: the arrays on '%s' need at least %s; name a "
		       "larger disk",
		       nd->name, h1, good->name, h2);
		goto out;
	}
	for (unsigned i = 0; i < N_ARRAYS; i++) {
		if (md_uuid_parse(p[i]->md_uuid, in.md_uuid[i]) < 0) {
			refuse(err, "cannot read the md superblock of %s (%s)", p[i]->dev,
			       md_array_name(i));
			goto out;
		}
		in.metadata[i] =
			strcmp(p[i]->md_metadata, "1.0") ? MD_METADATA_0_90 : MD_METADATA_1_0;
		in.part_first[i] = p[i]->first_lba;
		in.part_last[i] = p[i]->last_lba;
	}
	if (pick_tool("sgdisk", inv->tools.sgdisk, "", &in.sgdisk, err) < 0 ||
	    pick_tool("mdadm", inv->tools.mdadm, "", &in.mdadm, err) < 0)
		goto out;
	if (!t->extlinux_path[0] || !t->gptmbr_path[0]) {
		refuse(err, "this system has no %s; it is needed to make the new disk bootable",
		       !t->extlinux_path[0] ? "extlinux" : "gptmbr.bin");
		goto out;
	}
	str_copy(in.disk[0], sizeof(in.disk[0]), good->name);
	str_copy(in.disk[1], sizeof(in.disk[1]), nd->name);
	mirror_disk_identity(good, in.identity[0], sizeof(in.identity[0]));
	mirror_disk_identity(nd, in.identity[1], sizeof(in.identity[1]));
	in.sector_size = ss;
	in.disk_sectors[0] = good->size_bytes / ss;
	in.disk_sectors[1] = new_sectors;
	in.disk1_guid = good->gpt.disk_guid;
	in.pmbr_boot_flag = good->gpt.pmbr_boot_flag;
	in.journal_last = last_usable(new_sectors, ss);
	in.journal_first = in.journal_last - jsec + 1;
	str_copy(in.target_dir, sizeof(in.target_dir), t->root_dir);
	boot_files(t, &in);
	derive_replacement_identifiers(&in);
	*ret = in;
	in = (struct plan_inputs){0};
	r = 0;
out:
	buf_free(&b);
	inputs_free(&in);
	return r;
}
