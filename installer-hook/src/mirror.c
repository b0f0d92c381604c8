// SPDX-License-Identifier: GPL-2.0-only
#include "mirror.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The stage whose completion makes a mirror finished, and a disk replacement's one stage. */
#define LAST_STAGE    "installation-complete"
#define REPLACE_STAGE "replace-disk"

void mirror_disk_identity(const struct disk_info *d, char *out, size_t outlen)
{
	snprintf(out, outlen, "model=%s serial=%s bytes=%" PRIu64, d->model, d->serial,
		 d->size_bytes);
}

static bool same_identity(const struct disk_info *d, const char *recorded)
{
	char id[256];

	mirror_disk_identity(d, id, sizeof(id));
	return !strcmp(id, recorded);
}

const char *journal_verdict_name(enum journal_verdict v)
{
	switch (v) {
	case JOURNAL_NONE:
		return "none";
	case JOURNAL_THIS_INSTALL:
		return "this install";
	case JOURNAL_EARLIER_UNFINISHED:
		return "an earlier install, unfinished";
	case JOURNAL_EARLIER_FINISHED:
		return "an earlier install, finished";
	case JOURNAL_FOREIGN:
		return "foreign";
	}
	return "?";
}

/* The journal on @d2, parsed, when it belongs to @d2's partition table. */
static int read_recorded(const struct disk_info *d2, struct plan_inputs *rec, char *why,
			 size_t whylen)
{
	struct buf err = BUF_INIT;
	int r;

	if (d2->gpt_status != 0 || !gpt_guid_equal(&d2->journal.disk_guid, &d2->gpt.disk_guid)) {
		snprintf(why, whylen, "a journal left behind by an earlier partition table of '%s'",
			 d2->name);
		return -ESTALE;
	}
	r = inputs_parse(d2->journal.payload, rec, &err);
	if (r < 0)
		snprintf(why, whylen, "an unreadable journal on '%s' (%s)", d2->name, err.data);
	buf_free(&err);
	return r;
}

/* The journal on @d2 when it records what @purpose does; -ESTALE for anything else. */
static int read_recorded_for(const struct disk_info *d2, enum plan_purpose purpose,
			     struct plan_inputs *rec, char *why, size_t whylen)
{
	int r = read_recorded(d2, rec, why, whylen);

	if (r == 0 && rec->purpose != purpose) {
		snprintf(
			why, whylen,
			purpose == PURPOSE_INSTALL
				? "the journal of an xsraid disk replacement onto '%s': the disk of "
				  "a running mirror"
				: "the journal of an xsraid install on '%s': the disk of a mirror",
			d2->name);
		inputs_free(rec);
		return -ESTALE;
	}
	return r;
}

static void classify(const struct inventory *inv, struct mirror *m)
{
	const struct disk_info *d1 = m->disk[0], *d2 = m->disk[1];
	const struct target_info *t = &inv->target;
	const struct journal_state *j;

	if (!d2 || !d2->has_journal) {
		m->verdict = JOURNAL_NONE;
		return;
	}
	j = m->journal = &d2->journal;
	m->verdict = JOURNAL_FOREIGN;
	if (read_recorded_for(d2, PURPOSE_INSTALL, &m->recorded, m->why, sizeof(m->why)) < 0)
		return;
	if (!same_identity(d2, m->recorded.identity[1]) || !d1 ||
	    !same_identity(d1, m->recorded.identity[0])) {
		snprintf(m->why, sizeof(m->why),
			 "an xsraid journal written for other disks (%s and %s)",
			 m->recorded.identity[0], m->recorded.identity[1]);
		inputs_free(&m->recorded);
		return;
	}
	bool same_install = !strcmp(m->recorded.disk[0], d1->name) &&
			    !strcmp(m->recorded.disk[1], d2->name) && d1->gpt_status == 0 &&
			    gpt_guid_equal(&m->recorded.disk1_guid, &d1->gpt.disk_guid) &&
			    t->present && !strcmp(m->recorded.root_uuid, t->fs_uuid) &&
			    !strcmp(m->recorded.target_dir, t->root_dir);
	if (same_install) {
		m->verdict = JOURNAL_THIS_INSTALL;
		snprintf(m->why, sizeof(m->why),
			 "this install's own journal (generation %" PRIu64 ")", j->generation);
	} else if (journal_stage_done(j, LAST_STAGE)) {
		m->verdict = JOURNAL_EARLIER_FINISHED;
		snprintf(m->why, sizeof(m->why),
			 "a finished xsraid mirror of an earlier install (journal generation "
			 "%" PRIu64 "): a bootable copy of that system, with its local SR on md2",
			 j->generation);
	} else {
		m->verdict = JOURNAL_EARLIER_UNFINISHED;
		snprintf(m->why, sizeof(m->why),
			 "xsraid's own unfinished work (journal generation %" PRIu64 ")",
			 j->generation);
	}
}

void mirror_find(const struct inventory *inv, const char *const asked[2], struct mirror *ret)
{
	struct mirror m = {0};

	for (int i = 0; i < 2; i++) {
		char *name = asked[i] ? discover_resolve_disk(inv->root, asked[i]) : NULL;
		m.disk[i] = name ? inventory_disk(inv, name) : NULL;
		free(name);
	}
	classify(inv, &m);
	*ret = m;
}

/* Partition 1 of @d holds the copied root filesystem, or an md member (after add-disk1). */
static bool root_partition_is_ours(const struct disk_info *d, const char *root_uuid)
{
	for (size_t i = 0; i < d->n_parts; i++) {
		const struct part_info *p = &d->parts[i];
		if (p->number != 1)
			continue;
		for (size_t s = 0; s < p->n_sigs; s++)
			if (!strcmp(p->sigs[s].uuid, root_uuid) ||
			    !strcmp(p->sigs[s].type, "linux_raid_member"))
				return true;
	}
	return false;
}

/* Whether the journal on @d2 records a conversion of @d2 and its first disk as they are now. */
static int check_recorded(const struct inventory *inv, const struct disk_info *d2, struct mirror *m)
{
	const struct plan_inputs *rec = &m->recorded;
	const struct disk_info *d1;
	int r = read_recorded_for(d2, PURPOSE_INSTALL, &m->recorded, m->why, sizeof(m->why));

	if (r < 0)
		return -ESTALE;
	m->journal = &d2->journal;
	m->disk[1] = d2;
	if (strcmp(rec->disk[1], d2->name) || !same_identity(d2, rec->identity[1])) {
		snprintf(m->why, sizeof(m->why),
			 "the journal on '%s' was written for '%s' (%s), which this disk is not",
			 d2->name, rec->disk[1], rec->identity[1]);
		return -ESTALE;
	}
	d1 = m->disk[0] = inventory_disk(inv, rec->disk[0]);
	if (!d1) {
		snprintf(m->why, sizeof(m->why), "the first disk '%s' (%s) is not here",
			 rec->disk[0], rec->identity[0]);
		return -ESTALE;
	}
	if (!same_identity(d1, rec->identity[0]) || d1->gpt_status != 0 ||
	    !gpt_guid_equal(&d1->gpt.disk_guid, &rec->disk1_guid)) {
		char g[37];
		gpt_guid_format(&rec->disk1_guid, g);
		snprintf(m->why, sizeof(m->why),
			 "'%s' is not the first disk the journal recorded (%s, GPT %s): renamed or "
			 "replaced",
			 d1->name, rec->identity[0], g);
		return -ESTALE;
	}
	if (!root_partition_is_ours(d1, rec->root_uuid)) {
		snprintf(m->why, sizeof(m->why),
			 "partition 1 of '%s' holds neither the recorded root filesystem (UUID %s) "
			 "nor an md member",
			 d1->name, rec->root_uuid);
		return -ESTALE;
	}
	m->verdict = JOURNAL_THIS_INSTALL;
	snprintf(m->why, sizeof(m->why), "the journal on '%s' (generation %" PRIu64 ")", d2->name,
		 d2->journal.generation);
	return 0;
}

int mirror_from_journal(const struct inventory *inv, const char *disk2, struct mirror *ret)
{
	struct mirror m = {0};
	int r = -ENOENT;

	for (size_t i = 0; i < inv->n_disks && r != 0; i++) {
		const struct disk_info *d = &inv->disks[i];
		if (!d->has_journal || (disk2 && strcmp(d->name, disk2)))
			continue;
		mirror_free(&m);
		r = check_recorded(inv, d, &m);
		if (r < 0)
			m.verdict = JOURNAL_FOREIGN;
	}
	*ret = m;
	return r;
}

void mirror_find_replacement(const struct inventory *inv, const char *new_name, struct mirror *ret)
{
	const char *name = str_starts_with(new_name, "/dev/") ? new_name + 5 : new_name;
	char *kernel_name = discover_resolve_disk(inv->root, name);
	struct mirror m = {0};
	const struct plan_inputs *rec = &m.recorded;
	const struct disk_info *d1, *d2;

	d2 = m.disk[1] = kernel_name ? inventory_disk(inv, kernel_name) : NULL;
	free(kernel_name);
	if (!d2 || !d2->has_journal)
		goto out;
	m.journal = &d2->journal;
	m.verdict = JOURNAL_FOREIGN;
	if (read_recorded_for(d2, PURPOSE_REPLACE_DISK, &m.recorded, m.why, sizeof(m.why)) < 0)
		goto out;
	if (strcmp(rec->disk[1], d2->name) || !same_identity(d2, rec->identity[1]) ||
	    d2->gpt_status != 0 || !gpt_guid_equal(&d2->gpt.disk_guid, &rec->disk2_guid)) {
		snprintf(m.why, sizeof(m.why),
			 "the journal of a disk replacement onto '%s' (%s), which this disk is not",
			 rec->disk[1], rec->identity[1]);
		goto foreign;
	}
	d1 = inventory_disk(inv, rec->disk[0]);
	if (!d1 || !same_identity(d1, rec->identity[0]) || d1->gpt_status != 0 ||
	    !gpt_guid_equal(&d1->gpt.disk_guid, &rec->disk1_guid)) {
		snprintf(m.why, sizeof(m.why),
			 "a disk replacement from '%s' (%s), which is not here as it was",
			 rec->disk[0], rec->identity[0]);
		goto foreign;
	}
	m.disk[0] = d1;
	m.verdict = journal_stage_done(m.journal, REPLACE_STAGE) ? JOURNAL_EARLIER_FINISHED
								 : JOURNAL_THIS_INSTALL;
	snprintf(m.why, sizeof(m.why),
		 "the journal of the replacement of a disk of /dev/%s by /dev/%s (generation "
		 "%" PRIu64 ")",
		 d1->name, d2->name, m.journal->generation);
	goto out;
foreign:
	inputs_free(&m.recorded);
out:
	*ret = m;
}

void mirror_free(struct mirror *m)
{
	inputs_free(&m->recorded);
	memset(m, 0, sizeof(*m));
}
