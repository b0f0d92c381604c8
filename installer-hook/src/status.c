// SPDX-License-Identifier: GPL-2.0-only
#include "status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover.h"
#include "journal.h"
#include "log.h"

/* /proc/mdstat of a machine with hundreds of arrays is well below this. */
#define MDSTAT_MAX_BYTES (16 * 1024 * 1024)

/* A name from /proc/mdstat (or a file posing as it) that stays inside sysfs once in a path. */
static bool sysfs_safe(const char *name)
{
	return name[0] && name[0] != '.' && !strstr(name, "..") && !strchr(name, '/');
}

static void read_member_facts(const char *root, const char *md, const char *member,
			      struct md_member_facts *mf)
{
	char sysname[MDSTAT_NAME_MAX], slot[32];
	uint64_t v;

	/* md names a member's directory after its device, '/' spelt '!' as sysfs does. */
	str_copy(sysname, sizeof(sysname), member);
	for (char *c = sysname; *c; c++)
		if (*c == '/')
			*c = '!';
	if (!sysfs_safe(sysname))
		return;
	char *dir = xasprintf("%s/sys/block/%s/md/dev-%s", root, md, sysname);
	char *p = path_join(dir, "slot");
	read_line_file(p, slot, sizeof(slot));
	free(p);
	mf->known = slot[0] != '\0';
	mf->slot = parse_u64(slot, &v) == 0 && v <= INT64_MAX ? (int64_t)v : -1;
	p = path_join(dir, "state");
	read_line_file(p, mf->state, sizeof(mf->state));
	free(p);
	free(dir);
	if (discover_parent_disk(root, member, mf->disk, sizeof(mf->disk))) {
		discover_identity(root, mf->disk, mf->model, sizeof(mf->model), mf->serial,
				  sizeof(mf->serial));
		str_squeeze_blanks(mf->model);
		str_squeeze_blanks(mf->serial);
	}
}

void status_read_facts(const char *root, const struct mdstat *m, struct md_facts *ret)
{
	struct md_facts f = {m->n_arrays,
			     xcalloc(m->n_arrays ? m->n_arrays : 1, sizeof(*f.arrays))};

	for (size_t i = 0; i < m->n_arrays; i++) {
		const struct mdstat_array *a = &m->arrays[i];
		struct md_array_facts *af = &f.arrays[i];
		af->members = xcalloc(a->n_members ? a->n_members : 1, sizeof(*af->members));
		if (!sysfs_safe(a->name))
			continue;
		char *p = xasprintf("%s/sys/block/%s/md/sync_action", root, a->name);
		read_line_file(p, af->sync_action, sizeof(af->sync_action));
		free(p);
		for (size_t j = 0; j < a->n_members; j++)
			read_member_facts(root, a->name, a->members[j].name, &af->members[j]);
	}
	*ret = f;
}

int status_exit_code(const struct mdstat *m, const struct md_facts *f)
{
	size_t n;
	enum md_health h = md_health(m, f, &n);

	if (!n)
		return STATUS_NO_ARRAYS;
	switch (h) {
	case MD_HEALTHY:
		break;
	case MD_REBUILDING:
		return STATUS_REBUILDING;
	case MD_DEGRADED:
		return STATUS_DEGRADED;
	}
	return STATUS_HEALTHY;
}

/* The step journal of every disk that carries one, as xsraid wrote it during the install. */
static int print_journals(const char *root)
{
	struct inventory inv = {0};
	int found = 0;

	if (discover(root, NULL, &inv) < 0)
		return -EIO;
	printf("\n");
	for (size_t i = 0; i < inv.n_disks; i++) {
		const struct disk_info *d = &inv.disks[i];
		char g[37];
		if (!d->has_journal)
			continue;
		found++;
		gpt_guid_format(&d->journal.disk_guid, g);
		printf("/dev/%s: xsraid journal, generation %llu, disk GUID %s\n", d->name,
		       (unsigned long long)d->journal.generation, g);
		/*
		 * What the journal holds was read from a disk: a control character in
		 * it must not reach the terminal, nor a line break make a record look
		 * like two.
		 */
		struct buf text = BUF_INIT;
		char *save = NULL, *payload = xstrdup(d->journal.payload);
		for (char *l = strtok_r(payload, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			buf_put_display(&text, l, JOURNAL_PAYLOAD_MAX);
			buf_putc(&text, '\n');
		}
		free(payload);
		for (size_t j = 0; j < d->journal.n_records; j++) {
			const struct journal_record *rec = &d->journal.records[j];
			struct buf id = BUF_INIT;
			buf_put_display(&id, rec->step_id, sizeof(rec->step_id));
			buf_printf(&text, "  %3u %-22s %-6s %d ", rec->step, id.data ? id.data : "",
				   journal_event_name(rec->event), rec->status);
			buf_put_display(&text, rec->detail, sizeof(rec->detail));
			buf_putc(&text, '\n');
			buf_free(&id);
		}
		fputs(text.data ? text.data : "", stdout);
		buf_free(&text);
	}
	if (!found)
		printf("no disk carries an xsraid journal\n");
	inventory_free(&inv);
	return 0;
}

int status_run(const struct status_options *o)
{
	struct buf text = BUF_INIT, out = BUF_INIT;
	struct mdstat m;
	struct md_facts facts = {0};
	char *proc = path_join(o->root, "proc/mdstat");
	const char *path = o->mdstat_file ? o->mdstat_file : proc;
	bool sysfs = !o->mdstat_file || o->sysroot_given;
	int r, status;

	if (o->json && o->journal) {
		free(proc);
		log_error(-EINVAL,
			  "status: --journal has no JSON form; leave out --json or --journal");
		return STATUS_USAGE;
	}
	r = read_file(path, MDSTAT_MAX_BYTES, &text);
	/* No /proc/mdstat: md is not loaded, so there is no array. */
	if (r < 0 && !(r == -ENOENT && !o->mdstat_file)) {
		log_errno(r, "status: cannot read '%s'", path);
		free(proc);
		return STATUS_FAILED;
	}
	free(proc);
	mdstat_parse(text.data ? text.data : "", text.len, &m);
	if (text.len && !m.has_personalities && !m.n_arrays) {
		log_error(-EINVAL,
			  "status: '%s' is not a copy of /proc/mdstat: it has no "
			  "\"Personalities :\" line and no array; give --mdstat a saved copy of it",
			  path);
		status = STATUS_FAILED;
		goto out;
	}
	if (sysfs)
		status_read_facts(o->root, &m, &facts);
	if (o->json)
		md_report_json(&m, sysfs ? &facts : NULL, &out);
	else
		md_report_text(&m, sysfs ? &facts : NULL, &out);
	fputs(out.data, stdout);
	status = status_exit_code(&m, sysfs ? &facts : NULL);
	if (o->journal && print_journals(o->root) < 0) {
		log_error(-EIO, "status: cannot read the disks for their journals");
		status = STATUS_FAILED;
	}
	if (fflush(stdout) != 0)
		status = STATUS_FAILED;
out:
	md_facts_free(&facts);
	mdstat_free(&m);
	buf_free(&text);
	buf_free(&out);
	return status;
}
