// SPDX-License-Identifier: GPL-2.0-only
#include "mdreport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void md_facts_free(struct md_facts *f)
{
	for (size_t i = 0; f->arrays && i < f->n_arrays; i++)
		free(f->arrays[i].members);
	free(f->arrays);
	f->arrays = NULL;
	f->n_arrays = 0;
}

const char *md_health_name(enum md_health h)
{
	switch (h) {
	case MD_HEALTHY:
		return "healthy";
	case MD_REBUILDING:
		return "rebuilding";
	case MD_DEGRADED:
		return "degraded";
	}
	return "unknown";
}

static const struct md_array_facts *array_facts(const struct mdstat *m, const struct md_facts *f,
						size_t i)
{
	return f && f->arrays && i < f->n_arrays && f->n_arrays == m->n_arrays ? &f->arrays[i]
									       : NULL;
}

static const struct md_member_facts *member_facts(const struct md_array_facts *af, size_t i)
{
	return af && af->members && af->members[i].known ? &af->members[i] : NULL;
}

/* Length of @s without its trailing digits. */
static size_t stem_len(const char *s)
{
	size_t n = strlen(s);

	while (n && s[n - 1] >= '0' && s[n - 1] <= '9')
		n--;
	return n;
}

/* "md2" before "md10": a trailing number compares as a number. */
static int name_cmp(const char *a, const char *b)
{
	size_t sa = stem_len(a), sb = stem_len(b);
	int c = strncmp(a, b, sa < sb ? sa : sb);

	if (c)
		return c;
	if (sa != sb)
		return sa < sb ? -1 : 1;
	/* md's numbers have no leading zeros: the longer is the larger. */
	size_t na = strlen(a + sa), nb = strlen(b + sb);
	if (na != nb)
		return na < nb ? -1 : 1;
	return strcmp(a + sa, b + sb);
}

/* An index with what it is sorted by: a name, or a slot and a number. */
struct sort_key {
	const char *name;
	int64_t slot, number;
	size_t index;
};

static int key_cmp(const void *x, const void *y)
{
	const struct sort_key *a = x, *b = y;

	if (a->name && b->name) {
		int c = name_cmp(a->name, b->name);
		if (c)
			return c;
	}
	if (a->slot != b->slot)
		return a->slot < b->slot ? -1 : 1;
	if (a->number != b->number)
		return a->number < b->number ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* Indexes of @n keys in order; the caller frees them. */
static size_t *sorted(struct sort_key *keys, size_t n)
{
	size_t *idx = xcalloc(n ? n : 1, sizeof(*idx));

	qsort(keys, n, sizeof(*keys), key_cmp);
	for (size_t i = 0; i < n; i++)
		idx[i] = keys[i].index;
	free(keys);
	return idx;
}

/* Arrays by name, md2 before md10. */
static size_t *array_order(const struct mdstat *m)
{
	struct sort_key *keys = xcalloc(m->n_arrays ? m->n_arrays : 1, sizeof(*keys));

	for (size_t i = 0; i < m->n_arrays; i++)
		keys[i] = (struct sort_key){m->arrays[i].name, 0, 0, i};
	return sorted(keys, m->n_arrays);
}

/* Members in slot order when sysfs knows the slots, the others after them, by md's numbers. */
static size_t *member_order(const struct mdstat_array *a, const struct md_array_facts *af)
{
	struct sort_key *keys = xcalloc(a->n_members ? a->n_members : 1, sizeof(*keys));

	for (size_t i = 0; i < a->n_members; i++) {
		const struct md_member_facts *mf = member_facts(af, i);
		keys[i] = (struct sort_key){NULL, mf && mf->slot >= 0 ? mf->slot : INT64_MAX,
					    a->members[i].number, i};
	}
	return sorted(keys, a->n_members);
}

/* Comma-separated sysfs flag lists ("in_sync,write_mostly"). */
static bool has_flag(const char *list, const char *flag)
{
	size_t n = strlen(flag);

	for (const char *p = list; (p = strstr(p, flag)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return true;
	return false;
}

/*
 * The sync action, corrected where /proc/mdstat says less than it knows: a
 * repair shows as "resync" (sysfs says "repair"), and so does any waiting
 * rebuild, which in a degraded array is a recovery.
 */
static enum mdstat_sync_action sync_action(const struct mdstat_array *a,
					   const struct md_array_facts *f)
{
	if (a->sync.action != MDSTAT_SYNC_RESYNC)
		return a->sync.action;
	if (f && !strcmp(f->sync_action, "repair"))
		return MDSTAT_SYNC_REPAIR;
	if (a->sync.state != MDSTAT_SYNC_RUNNING && mdstat_missing(a) > 0)
		return MDSTAT_SYNC_RECOVERY;
	return MDSTAT_SYNC_RESYNC;
}

static bool restores_redundancy(enum mdstat_sync_action s)
{
	return s == MDSTAT_SYNC_RESYNC || s == MDSTAT_SYNC_RECOVERY || s == MDSTAT_SYNC_RESHAPE;
}

enum md_health md_array_health(const struct mdstat_array *a, const struct md_array_facts *f)
{
	enum mdstat_sync_action action = sync_action(a, f);

	if (mdstat_is_container(a))
		return MD_HEALTHY;
	if (!a->active || mdstat_count(a, MDSTAT_FAULTY))
		return MD_DEGRADED;
	if (mdstat_missing(a) > 0)
		return action == MDSTAT_SYNC_RECOVERY ? MD_REBUILDING : MD_DEGRADED;
	return restores_redundancy(action) ? MD_REBUILDING : MD_HEALTHY;
}

enum md_health md_health(const struct mdstat *m, const struct md_facts *f, size_t *ret_arrays)
{
	enum md_health worst = MD_HEALTHY;
	size_t n = 0;

	for (size_t i = 0; i < m->n_arrays; i++) {
		if (mdstat_is_container(&m->arrays[i]))
			continue;
		n++;
		enum md_health h = md_array_health(&m->arrays[i], array_facts(m, f, i));
		if (h > worst)
			worst = h;
	}
	if (ret_arrays)
		*ret_arrays = n;
	return worst;
}

/* --- members ------------------------------------------------------------------------------ */

/*
 * A member's state in a few words.  From /proc/mdstat alone an in-sync
 * member and one being rebuilt look the same ("active"); sysfs tells them
 * apart.
 */
static const char *member_state(const struct mdstat_array *a, const struct mdstat_member *mem,
				const struct md_member_facts *mf)
{
	bool running = a->sync.action != MDSTAT_SYNC_NONE && a->sync.state == MDSTAT_SYNC_RUNNING;

	if (mem->flags & MDSTAT_FAULTY)
		return "failed";
	if (mem->flags & MDSTAT_JOURNAL)
		return "journal";
	if (mdstat_is_container(a))
		return "in container";
	if (mem->flags & MDSTAT_REPLACEMENT)
		return running ? "replacing" : "replacement";
	if (mem->flags & MDSTAT_SPARE)
		return "spare";
	if (!mf)
		return a->active ? "active" : "present";
	if (mf->slot < 0)
		return "spare";
	if (has_flag(mf->state, "in_sync"))
		return has_flag(mf->state, "want_replacement") ? "being replaced" : "in sync";
	if (running)
		return "rebuilding";
	return a->sync.action != MDSTAT_SYNC_NONE ? "waiting" : "out of sync";
}

/* --- text ---------------------------------------------------------------------------------- */

static void put_size(struct buf *out, int64_t kib)
{
	char s[32];

	if (kib < 0 || (uint64_t)kib > UINT64_MAX / 1024) {
		buf_printf(out, "%lld KiB", (long long)kib);
		return;
	}
	format_size(s, sizeof(s), (uint64_t)kib * 1024);
	buf_puts(out, s);
}

/* md's estimate, in tenths of a minute, as a person would say it. */
static void put_time_left(struct buf *out, int64_t tenths)
{
	if (tenths < 0)
		return;
	int64_t s = tenths > INT64_MAX / 6 ? INT64_MAX : tenths * 6;
	if (s == 0)
		buf_puts(out, ", almost done");
	else if (s < 60)
		buf_printf(out, ", about %lld s left", (long long)s);
	else if (s < 3600)
		buf_printf(out, ", about %lld min left", (long long)((s + 30) / 60));
	else
		buf_printf(out, ", about %lld h %02lld min left", (long long)(s / 3600),
			   (long long)(s % 3600 / 60));
}

static const char *wait_reason(enum mdstat_sync_state st)
{
	switch (st) {
	case MDSTAT_SYNC_DELAYED:
		return "waits for another array on the same disks (DELAYED)";
	case MDSTAT_SYNC_PENDING:
		return "waits for the first write to the array (PENDING)";
	case MDSTAT_SYNC_REMOTE:
		return "runs on another node of the cluster (REMOTE)";
	case MDSTAT_SYNC_RUNNING:
		break;
	}
	return "";
}

/*
 * "recovery 12.7% (3.1 MiB of 23.0 MiB), 640 KiB/s, about 30 s left", or
 * briefly "recovery 12.7%, about 30 s left", or "resync waits for ...".
 */
static void put_progress(struct buf *out, const struct mdstat_array *a,
			 const struct md_array_facts *f, bool brief)
{
	const struct mdstat_sync *s = &a->sync;
	const char *action = mdstat_sync_action_name(sync_action(a, f));

	if (s->state != MDSTAT_SYNC_RUNNING) {
		buf_printf(out, "%s %s", action, wait_reason(s->state));
		return;
	}
	buf_puts(out, action);
	if (s->permille >= 0)
		buf_printf(out, " %lld.%lld%%", (long long)(s->permille / 10),
			   (long long)(s->permille % 10));
	if (!brief && s->done >= 0 && s->total >= 0) {
		buf_puts(out, " (");
		put_size(out, s->done);
		buf_puts(out, " of ");
		put_size(out, s->total);
		buf_puts(out, ")");
	}
	if (!brief && s->speed >= 0) {
		buf_puts(out, ", ");
		put_size(out, s->speed);
		buf_puts(out, "/s");
	}
	put_time_left(out, s->finish_tenths);
}

static void join_names(struct buf *out, const struct mdstat_array *a, unsigned flag)
{
	bool first = true;

	for (size_t i = 0; i < a->n_members; i++) {
		if (!(a->members[i].flags & flag))
			continue;
		buf_printf(out, "%s%s", first ? "" : ", ", a->members[i].name);
		first = false;
	}
}

/* Why the array is not healthy, or what it is doing, for the summary line; "" if nothing. */
static void put_summary(struct buf *out, const struct mdstat_array *a,
			const struct md_array_facts *f)
{
	enum md_health h = md_array_health(a, f);

	if (mdstat_is_container(a))
		return;
	if (!a->active) {
		buf_printf(out, "%s is not running", a->name);
		return;
	}
	if (h == MD_DEGRADED && mdstat_count(a, MDSTAT_FAULTY)) {
		buf_printf(out, "%s has %s (", a->name,
			   mdstat_count(a, MDSTAT_FAULTY) > 1 ? "failed members"
							      : "a failed member");
		join_names(out, a, MDSTAT_FAULTY);
		buf_puts(out, ")");
		if (a->sync.action != MDSTAT_SYNC_NONE) {
			buf_puts(out, ", ");
			put_progress(out, a, f, true);
		}
		return;
	}
	if (h == MD_DEGRADED) {
		buf_printf(out, "%s lacks %lld of %lld members", a->name,
			   (long long)mdstat_missing(a), (long long)a->raid_disks);
		return;
	}
	if (a->sync.action != MDSTAT_SYNC_NONE) {
		buf_printf(out, "%s ", a->name);
		put_progress(out, a, f, true);
	}
}

static void summary_line(struct buf *out, const struct mdstat *m, const struct md_facts *f)
{
	size_t n;
	enum md_health h = md_health(m, f, &n);
	struct buf phrase = BUF_INIT, waiting = BUF_INIT;
	const char *sep = h == MD_HEALTHY ? "; " : " ";
	size_t n_waiting = 0;

	if (!n) {
		buf_puts(out, "no md arrays\n");
		return;
	}
	buf_printf(out, "%s:", md_health_name(h));
	if (h == MD_HEALTHY)
		buf_printf(out, " %zu array%s in sync", n, n == 1 ? "" : "s");
	size_t *order = array_order(m);
	for (size_t k = 0; k < m->n_arrays; k++) {
		const struct mdstat_array *a = &m->arrays[order[k]];
		/* Arrays waiting their turn on the same disks, in one phrase at the end. */
		if (a->active && a->sync.state == MDSTAT_SYNC_DELAYED &&
		    md_array_health(a, array_facts(m, f, order[k])) == MD_REBUILDING) {
			buf_printf(&waiting, "%s%s", n_waiting++ ? ", " : "", a->name);
			continue;
		}
		buf_reset(&phrase);
		put_summary(&phrase, a, array_facts(m, f, order[k]));
		if (!phrase.len)
			continue;
		buf_printf(out, "%s%s", sep, phrase.data);
		sep = "; ";
	}
	if (n_waiting)
		buf_printf(out, "%s%s %s turn (DELAYED)", sep, waiting.data,
			   n_waiting == 1 ? "waits its" : "wait their");
	buf_putc(out, '\n');
	free(order);
	buf_free(&phrase);
	buf_free(&waiting);
}

/* Appends "BEFORE<v>AFTER" to a comma-separated list, unless @v is unknown. */
static void list_item(struct buf *b, const char *before, int64_t v, const char *after)
{
	if (v >= 0)
		buf_printf(b, "%s%s%lld%s", b->len ? ", " : "", before, (long long)v, after);
}

static void put_geometry(struct buf *out, const struct mdstat_array *a)
{
	struct buf g = BUF_INIT;

	list_item(&g, "", a->near_copies, " near-copies");
	list_item(&g, "", a->far_copies, " far-copies");
	list_item(&g, "", a->offset_copies, " offset-copies");
	list_item(&g, "", a->far_set_size, " devices per set");
	list_item(&g, "chunk ", a->chunk_kib, " KiB");
	list_item(&g, "algorithm ", a->algorithm, "");
	list_item(&g, "rounding ", a->rounding_kib, " KiB");
	list_item(&g, "", a->nfaults, " faulty sectors remembered");
	strv_foreach(mode, &a->fault_modes)
		buf_printf(&g, "%sfailing %s", g.len ? ", " : "", *mode);
	if (g.len)
		buf_printf(out, "    layout    %s\n", g.data);
	buf_free(&g);
}

static void put_bitmap(struct buf *out, const struct mdstat_bitmap *b)
{
	if (!b->present)
		return;
	buf_puts(out, "    bitmap    ");
	if (b->pages >= 0 && b->pages_total >= 0)
		buf_printf(out, "%lld of %lld pages in memory", (long long)b->pages,
			   (long long)b->pages_total);
	if (b->kib >= 0)
		buf_printf(out, " (%lld KiB)", (long long)b->kib);
	if (b->chunk_bytes >= 0) {
		char s[32];
		format_size(s, sizeof(s), (uint64_t)b->chunk_bytes);
		buf_printf(out, ", %s chunks", s);
	}
	buf_printf(out, ", %s%s\n", b->file ? "in file " : "internal", b->file ? b->file : "");
}

static void put_member(struct buf *out, const struct mdstat_array *a,
		       const struct mdstat_member *mem, const struct md_member_facts *mf)
{
	char name[MDSTAT_NAME_MAX + 24], slot[32] = "";

	/* Without sysfs, the member as md prints it: its number is no slot. */
	if (mf)
		snprintf(name, sizeof(name), "%s", mem->name);
	else
		snprintf(name, sizeof(name), "%s[%lld]", mem->name, (long long)mem->number);
	if (mf && mf->slot >= 0)
		snprintf(slot, sizeof(slot), "slot %lld", (long long)mf->slot);
	buf_printf(out, "    %-12s %-8s %-14s", name, slot, member_state(a, mem, mf));
	if (mem->flags & MDSTAT_WRITE_MOSTLY)
		buf_puts(out, " write-mostly");
	if (mf && has_flag(mf->state, "write_error"))
		buf_puts(out, " write-errors-seen");
	if (mf && mf->disk[0]) {
		buf_printf(out, " disk %s", mf->disk);
		if (mf->model[0])
			buf_printf(out, ", %s", mf->model);
		if (mf->serial[0])
			buf_printf(out, ", serial %s", mf->serial);
	}
	/* Column padding is not worth trailing blanks. */
	while (out->len && out->data[out->len - 1] == ' ')
		out->data[--out->len] = '\0';
	buf_putc(out, '\n');
}

static void put_array(struct buf *out, const struct mdstat_array *a, const struct md_array_facts *f)
{
	buf_printf(out, "\n%s: ", a->name);
	if (mdstat_is_container(a)) {
		buf_printf(out, "container of %s metadata, %zu disks\n", a->super + 9,
			   a->n_members);
	} else {
		if (a->active)
			buf_printf(out, "%s, %s", a->personality,
				   md_health_name(md_array_health(a, f)));
		else
			buf_puts(out, "not running (inactive)");
		if (a->access == MDSTAT_READ_ONLY)
			buf_puts(out, ", read-only");
		else if (a->access == MDSTAT_AUTO_READ_ONLY)
			buf_puts(out, ", auto-read-only (read-write on the first write)");
		buf_putc(out, '\n');
	}
	if (a->blocks >= 0) {
		buf_puts(out, "    size      ");
		put_size(out, a->blocks);
		buf_printf(out, " (%lld blocks), metadata %s\n", (long long)a->blocks,
			   mdstat_metadata(a));
	} else if (a->super[0]) {
		buf_printf(out, "    metadata  %s\n", a->super);
	}
	if (a->raid_disks >= 0 && a->working >= 0)
		buf_printf(out, "    slots     [%s] %lld of %lld in sync\n", a->map ? a->map : "",
			   (long long)a->working, (long long)a->raid_disks);
	put_geometry(out, a);
	if (a->sync.action != MDSTAT_SYNC_NONE) {
		buf_puts(out, "    sync      ");
		put_progress(out, a, f, false);
		buf_putc(out, '\n');
	} else if (f && f->sync_action[0] && strcmp(f->sync_action, "idle")) {
		buf_printf(out, "    sync      %s\n", f->sync_action);
	}
	put_bitmap(out, &a->bitmap);
	size_t *order = member_order(a, f);
	for (size_t k = 0; k < a->n_members; k++)
		put_member(out, a, &a->members[order[k]], member_facts(f, order[k]));
	free(order);
	strv_foreach(line, &a->unknown)
		buf_printf(out, "    (unrecognised) %s\n", *line);
}

void md_report_text(const struct mdstat *m, const struct md_facts *f, struct buf *out)
{
	size_t *order = array_order(m);

	summary_line(out, m, f);
	for (size_t k = 0; k < m->n_arrays; k++)
		put_array(out, &m->arrays[order[k]], array_facts(m, f, order[k]));
	free(order);
	if (m->unused.n) {
		buf_puts(out, "\nunused devices:");
		strv_foreach(d, &m->unused)
			buf_printf(out, " %s", *d);
		buf_putc(out, '\n');
	}
	if (m->unknown.n)
		buf_putc(out, '\n');
	strv_foreach(line, &m->unknown)
		buf_printf(out, "(unrecognised) %s\n", *line);
}

/* --- JSON ---------------------------------------------------------------------------------- */

/* A JSON object written one member at a time, with its separators and layout. */
struct jobj {
	struct buf *out;
	const char *open, *sep, *close; /* "{" ", " "}", or with line breaks */
	size_t n;
};

static void jkey(struct jobj *o, const char *key)
{
	buf_puts(o->out, o->n++ ? o->sep : o->open);
	buf_printf(o->out, "\"%s\": ", key);
}

static void jend(struct jobj *o)
{
	buf_puts(o->out, o->n ? o->close : "{}");
}

static void jint(struct jobj *o, const char *key, int64_t v)
{
	jkey(o, key);
	if (v < 0)
		buf_puts(o->out, "null");
	else
		buf_printf(o->out, "%lld", (long long)v);
}

static void jstr(struct jobj *o, const char *key, const char *s)
{
	jkey(o, key);
	if (s)
		json_quote(o->out, s);
	else
		buf_puts(o->out, "null");
}

static void jbool(struct jobj *o, const char *key, bool v)
{
	jkey(o, key);
	buf_puts(o->out, v ? "true" : "false");
}

static void jstrv(struct jobj *o, const char *key, const struct strv *sv)
{
	jkey(o, key);
	buf_puts(o->out, "[");
	for (size_t i = 0; i < sv->n; i++) {
		buf_puts(o->out, i ? ", " : "");
		json_quote(o->out, sv->v[i]);
	}
	buf_puts(o->out, "]");
}

/* "12.5" from 125 tenths of a percent. */
static void jpercent(struct jobj *o, const char *key, int64_t permille)
{
	jkey(o, key);
	if (permille < 0)
		buf_puts(o->out, "null");
	else
		buf_printf(o->out, "%lld.%lld", (long long)(permille / 10),
			   (long long)(permille % 10));
}

static const char *access_name(enum mdstat_access a)
{
	return a == MDSTAT_READ_ONLY	    ? "read-only"
	       : a == MDSTAT_AUTO_READ_ONLY ? "auto-read-only"
					    : "read-write";
}

static const char *sync_state_name(enum mdstat_sync_state s)
{
	static const char *const names[] = {"running", "delayed", "pending", "remote"};

	return (size_t)s < ARRAY_SIZE(names) ? names[s] : "running";
}

static void json_member(struct buf *out, const struct mdstat_array *a,
			const struct mdstat_member *mem, const struct md_member_facts *mf)
{
	struct jobj o = {out, "{", ", ", "}", 0};
	struct strv flags = STRV_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(MDSTAT_FLAGS); i++)
		if (mem->flags & MDSTAT_FLAGS[i].flag)
			strv_push(&flags, MDSTAT_FLAGS[i].name);
	jstr(&o, "device", mem->name);
	jint(&o, "number", mem->number);
	jstrv(&o, "flags", &flags);
	jstr(&o, "state", member_state(a, mem, mf));
	jint(&o, "slot", mf ? mf->slot : -1);
	jstr(&o, "sysfs_state", mf ? mf->state : NULL);
	jstr(&o, "disk", mf && mf->disk[0] ? mf->disk : NULL);
	jstr(&o, "model", mf && mf->model[0] ? mf->model : NULL);
	jstr(&o, "serial", mf && mf->serial[0] ? mf->serial : NULL);
	jend(&o);
	strv_free(&flags);
}

static void json_sync(struct jobj *parent, const struct mdstat_array *a,
		      const struct md_array_facts *f)
{
	const struct mdstat_sync *s = &a->sync;
	struct jobj o = {parent->out, "{", ", ", "}", 0};

	jkey(parent, "sync");
	if (s->action == MDSTAT_SYNC_NONE) {
		buf_puts(o.out, "null");
		return;
	}
	jstr(&o, "action", mdstat_sync_action_name(sync_action(a, f)));
	jstr(&o, "state", sync_state_name(s->state));
	jpercent(&o, "percent", s->permille);
	jint(&o, "done_kib", s->done);
	jint(&o, "total_kib", s->total);
	jint(&o, "speed_kib_per_s", s->speed);
	jint(&o, "seconds_left",
	     s->finish_tenths > INT64_MAX / 6 ? INT64_MAX
	     : s->finish_tenths < 0	      ? -1
					      : s->finish_tenths * 6);
	jend(&o);
}

static void json_bitmap(struct jobj *parent, const struct mdstat_bitmap *b)
{
	struct jobj o = {parent->out, "{", ", ", "}", 0};

	jkey(parent, "bitmap");
	if (!b->present) {
		buf_puts(o.out, "null");
		return;
	}
	jint(&o, "pages", b->pages);
	jint(&o, "pages_total", b->pages_total);
	jint(&o, "kib", b->kib);
	jint(&o, "chunk_bytes", b->chunk_bytes);
	jstr(&o, "file", b->file);
	jend(&o);
}

static void json_array(struct buf *out, const struct mdstat_array *a,
		       const struct md_array_facts *f)
{
	struct jobj o = {out, "    {", ", ", "}", 0};
	const char *health = mdstat_is_container(a) ? "container"
			     : a->active	    ? md_health_name(md_array_health(a, f))
						    : "not running";

	jstr(&o, "name", a->name);
	jstr(&o, "health", health);
	jbool(&o, "active", a->active);
	jstr(&o, "access", a->active ? access_name(a->access) : NULL);
	jstr(&o, "personality", a->personality[0] ? a->personality : NULL);
	jstr(&o, "metadata", a->blocks >= 0 || a->super[0] ? mdstat_metadata(a) : NULL);
	jbool(&o, "container", mdstat_is_container(a));
	jint(&o, "size_kib", a->blocks);
	jint(&o, "raid_disks", a->raid_disks);
	jint(&o, "working_disks", a->working);
	jstr(&o, "map", a->map);
	jint(&o, "level", a->level);
	jint(&o, "chunk_kib", a->chunk_kib);
	jint(&o, "algorithm", a->algorithm);
	jint(&o, "near_copies", a->near_copies);
	jint(&o, "far_copies", a->far_copies);
	jint(&o, "offset_copies", a->offset_copies);
	jint(&o, "far_set_size", a->far_set_size);
	jint(&o, "rounding_kib", a->rounding_kib);
	jint(&o, "nfaults", a->nfaults);
	jstrv(&o, "fault_modes", &a->fault_modes);
	o.sep = ",\n      ";
	json_sync(&o, a, f);
	json_bitmap(&o, &a->bitmap);
	jkey(&o, "members");
	buf_puts(out, "[");
	size_t *order = member_order(a, f);
	for (size_t k = 0; k < a->n_members; k++) {
		buf_puts(out, k ? ",\n        " : "\n        ");
		json_member(out, a, &a->members[order[k]], member_facts(f, order[k]));
	}
	free(order);
	buf_puts(out, a->n_members ? "\n      ]" : "]");
	jstrv(&o, "unrecognised", &a->unknown);
	jend(&o);
}

void md_report_json(const struct mdstat *m, const struct md_facts *f, struct buf *out)
{
	struct jobj o = {out, "{\n  ", ",\n  ", "\n}\n", 0};
	size_t n;
	enum md_health h = md_health(m, f, &n);
	struct buf summary = BUF_INIT;

	summary_line(&summary, m, f);
	if (summary.len)
		summary.data[--summary.len] = '\0';
	jstr(&o, "health", n ? md_health_name(h) : "no arrays");
	jstr(&o, "summary", summary.data);
	jbool(&o, "sysfs", f != NULL);
	jstrv(&o, "personalities", &m->personalities);
	jkey(&o, "arrays");
	buf_puts(out, "[");
	size_t *order = array_order(m);
	for (size_t k = 0; k < m->n_arrays; k++) {
		buf_puts(out, k ? ",\n" : "\n");
		json_array(out, &m->arrays[order[k]], array_facts(m, f, order[k]));
	}
	free(order);
	buf_puts(out, m->n_arrays ? "\n  ]" : "]");
	jstrv(&o, "unused_devices", &m->unused);
	jstrv(&o, "unrecognised", &m->unknown);
	jend(&o);
	buf_free(&summary);
}
