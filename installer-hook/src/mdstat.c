// SPDX-License-Identifier: GPL-2.0-only
#include "mdstat.h"

#include <stdlib.h>
#include <string.h>

/*
 * Lines and tokens are slices of the input: nothing is copied until a
 * value is kept, and nothing is read at or beyond the slice's end.
 */
struct slice {
	const char *s;
	size_t n;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next blank-separated token of *@line, consumed; false at the end. */
static bool next_token(struct slice *line, struct slice *tok)
{
	while (line->n && is_blank(*line->s)) {
		line->s++;
		line->n--;
	}
	if (!line->n)
		return false;
	tok->s = line->s;
	tok->n = 0;
	while (line->n && !is_blank(*line->s)) {
		line->s++;
		line->n--;
		tok->n++;
	}
	return true;
}

static bool eq(struct slice t, const char *word)
{
	size_t n = strlen(word);

	return t.n == n && !memcmp(t.s, word, n);
}

static bool starts(struct slice t, const char *prefix)
{
	size_t n = strlen(prefix);

	return t.n >= n && !memcmp(t.s, prefix, n);
}

static bool ends(struct slice t, const char *suffix)
{
	size_t n = strlen(suffix);

	return t.n >= n && !memcmp(t.s + t.n - n, suffix, n);
}

static struct slice cut(struct slice t, size_t head, size_t tail)
{
	struct slice r = {t.s + head, 0};

	if (t.n >= head + tail)
		r.n = t.n - head - tail;
	return r;
}

/* A whole slice of decimal digits, at most INT64_MAX. */
static bool number(struct slice t, int64_t *ret)
{
	uint64_t v = 0;

	if (!t.n || t.n > 19)
		return false;
	for (size_t i = 0; i < t.n; i++) {
		if (t.s[i] < '0' || t.s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(t.s[i] - '0');
	}
	if (v > INT64_MAX)
		return false;
	*ret = (int64_t)v;
	return true;
}

/* "A<sep>B" into two numbers, both or neither. */
static bool number_pair(struct slice t, char sep, int64_t *a, int64_t *b)
{
	const char *p = memchr(t.s, sep, t.n);

	if (!p)
		return false;
	struct slice x = {t.s, (size_t)(p - t.s)}, y = {p + 1, t.n - (size_t)(p - t.s) - 1};
	int64_t va, vb;
	if (!number(x, &va) || !number(y, &vb))
		return false;
	*a = va;
	*b = vb;
	return true;
}

/* "12.6" into 126: one decimal, as md prints percentages and minutes. */
static bool tenths(struct slice t, int64_t *ret)
{
	int64_t whole, frac;

	if (t.n < 3 || t.s[t.n - 2] != '.' || t.s[t.n - 1] < '0' || t.s[t.n - 1] > '9')
		return false;
	if (!number(cut(t, 0, 2), &whole) || whole > INT64_MAX / 10 - 1)
		return false;
	frac = t.s[t.n - 1] - '0';
	*ret = whole * 10 + frac;
	return true;
}

static char printable(char c)
{
	return c >= 0x20 && c < 0x7f ? c : '?';
}

/* Copies a slice into a fixed buffer, printable, cut to fit; false when cut. */
static bool copy_name(char *dst, size_t size, struct slice t)
{
	bool fits = t.n < size;
	size_t n = fits ? t.n : size - 1;

	for (size_t i = 0; i < n; i++)
		dst[i] = printable(t.s[i]);
	dst[n] = '\0';
	return fits;
}

static char *dup_printable(struct slice t)
{
	char *s = xmalloc(t.n + 1);

	copy_name(s, t.n + 1, t);
	return s;
}

/*
 * Keeps a line for display, unindented: tabs as spaces, anything else
 * unprintable as '?', cut with "..." when long.
 */
static void keep_line(struct strv *sv, struct slice line)
{
	char buf[MDSTAT_LINE_MAX + 4];

	/* md's indentation says nothing once the line is shown on its own. */
	while (line.n && is_blank(*line.s)) {
		line.s++;
		line.n--;
	}
	bool long_line = line.n > MDSTAT_LINE_MAX;
	size_t n = long_line ? MDSTAT_LINE_MAX : line.n;

	for (size_t i = 0; i < n; i++)
		buf[i] = line.s[i] == '\t' ? ' ' : printable(line.s[i]);
	if (long_line) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	strv_push(sv, buf);
}

/* --- the lines ------------------------------------------------------------------------ */

/* "Personalities : [raid1] [raid6] ": the rest of the line after the colon. */
static bool parse_personalities(struct slice rest, struct mdstat *m)
{
	struct slice t;
	bool ok = true;

	m->has_personalities = true;
	while (next_token(&rest, &t)) {
		if (t.n > 2 && t.s[0] == '[' && t.s[t.n - 1] == ']') {
			char *name = dup_printable(cut(t, 1, 1));
			strv_push(&m->personalities, name);
			free(name);
		} else {
			ok = false;
		}
	}
	return ok;
}

/* "unused devices: <none>" or "unused devices: sdc1 sdd1 ". */
static void parse_unused(struct slice rest, struct mdstat *m)
{
	struct slice t;

	m->has_unused = true;
	while (next_token(&rest, &t)) {
		if (eq(t, "<none>"))
			continue;
		char *name = dup_printable(t);
		strv_push(&m->unused, name);
		free(name);
	}
}

static struct mdstat_array *new_array(struct mdstat *m, size_t *cap)
{
	if (m->n_arrays == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		m->arrays = xrealloc(m->arrays, *cap * sizeof(*m->arrays));
	}
	struct mdstat_array *a = &m->arrays[m->n_arrays++];
	memset(a, 0, sizeof(*a));
	a->blocks = a->level = a->chunk_kib = a->algorithm = -1;
	a->near_copies = a->far_copies = a->offset_copies = a->far_set_size = -1;
	a->rounding_kib = a->raid_disks = a->working = a->nfaults = -1;
	a->sync.permille = a->sync.done = a->sync.total = -1;
	a->sync.finish_tenths = a->sync.speed = -1;
	a->bitmap.pages = a->bitmap.pages_total = a->bitmap.kib = a->bitmap.chunk_bytes = -1;
	return a;
}

const struct mdstat_flag_info MDSTAT_FLAGS[5] = {
	{MDSTAT_FAULTY, 'F', "faulty"},
	{MDSTAT_SPARE, 'S', "spare"},
	{MDSTAT_WRITE_MOSTLY, 'W', "write-mostly"},
	{MDSTAT_REPLACEMENT, 'R', "replacement"},
	{MDSTAT_JOURNAL, 'J', "journal"},
};

/* "sdb1[1](W)(F)": a member and its flags, in the order md prints them. */
static bool parse_member(struct slice t, struct mdstat_array *a)
{
	const char *open = memchr(t.s, '[', t.n);
	const char *close;
	struct mdstat_member mem = {{0}, 0, 0};

	if (!open || open == t.s)
		return false;
	struct slice rest = {open + 1, t.n - (size_t)(open - t.s) - 1};
	close = memchr(rest.s, ']', rest.n);
	if (!close)
		return false;
	struct slice num = {rest.s, (size_t)(close - rest.s)};
	if (!number(num, &mem.number))
		return false;
	rest.n -= (size_t)(close - rest.s) + 1;
	rest.s = close + 1;
	for (; rest.n >= 3; rest.s += 3, rest.n -= 3) {
		unsigned flag = 0;
		for (size_t i = 0; i < ARRAY_SIZE(MDSTAT_FLAGS); i++)
			if (rest.s[1] == MDSTAT_FLAGS[i].letter)
				flag = MDSTAT_FLAGS[i].flag;
		if (rest.s[0] != '(' || rest.s[2] != ')' || !flag)
			return false;
		mem.flags |= flag;
	}
	if (rest.n)
		return false;
	struct slice name = {t.s, (size_t)(open - t.s)};
	if (!copy_name(mem.name, sizeof(mem.name), name))
		return false;
	/*
	 * The capacity doubles whenever the count reaches a power of two; the
	 * growth is bounded by the input, where each member takes four bytes.
	 */
	if ((a->n_members & (a->n_members - 1)) == 0)
		a->members = xrealloc(a->members,
				      (a->n_members ? a->n_members * 2 : 1) * sizeof(*a->members));
	a->members[a->n_members++] = mem;
	return true;
}

/* "[UU_]": one letter per slot. */
static bool parse_map(struct slice t, struct mdstat_array *a)
{
	if (t.n < 3 || t.s[0] != '[' || t.s[t.n - 1] != ']')
		return false;
	for (size_t i = 1; i + 1 < t.n; i++)
		if (t.s[i] != 'U' && t.s[i] != '_')
			return false;
	free(a->map);
	a->map = dup_printable(cut(t, 1, 1));
	return true;
}

/*
 * One geometry field starting at @t, taking more tokens from @line when the
 * field has several: "1046528 blocks", "super 1.2", "level 5,", "512k chunk,",
 * "algorithm 2", "2 near-copies", "4 devices per set", "0k rounding",
 * "[2/1]", "[U_]".  False when @t starts none of them.
 */
/* The faulty personality's modes: "WriteTransient=3(3)" ... "ReadFixable=1(1)", "WriteAll". */
static bool fault_mode(struct slice t)
{
	static const char *const modes[] = {"WriteTransient=", "ReadTransient=", "WritePersistent=",
					    "ReadPersistent=", "ReadFixable="};
	int64_t n, period;

	if (eq(t, "WriteAll"))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		if (!starts(t, modes[i]) || !ends(t, ")"))
			continue;
		struct slice v = cut(t, strlen(modes[i]), 1);
		const char *open = memchr(v.s, '(', v.n);
		if (!open)
			return false;
		struct slice count = {v.s, (size_t)(open - v.s)};
		struct slice per = {open + 1, v.n - count.n - 1};
		return number(count, &n) && number(per, &period);
	}
	return false;
}

static bool geometry_field(struct slice t, struct slice *line, struct mdstat_array *a)
{
	struct slice u;
	int64_t v;

	if (starts(t, "nfaults="))
		return number(cut(t, 8, 0), &a->nfaults);
	if (fault_mode(t)) {
		char *mode = dup_printable(t);
		strv_push(&a->fault_modes, mode);
		free(mode);
		return true;
	}
	if (t.n > 2 && t.s[0] == '[' && t.s[t.n - 1] == ']' && memchr(t.s, '/', t.n))
		return number_pair(cut(t, 1, 1), '/', &a->raid_disks, &a->working);
	if (parse_map(t, a))
		return true;
	if (!next_token(line, &u))
		return false;
	if (eq(t, "super"))
		return copy_name(a->super, sizeof(a->super), u);
	if (eq(t, "level") && ends(u, ","))
		return number(cut(u, 0, 1), &a->level);
	if (eq(t, "algorithm"))
		return number(u, &a->algorithm);
	if (number(t, &v)) {
		int64_t *field = eq(u, "blocks")	  ? &a->blocks
				 : eq(u, "near-copies")	  ? &a->near_copies
				 : eq(u, "far-copies")	  ? &a->far_copies
				 : eq(u, "offset-copies") ? &a->offset_copies
							  : NULL;
		struct slice p, s;
		if (!field && eq(u, "devices") && next_token(line, &p) && eq(p, "per") &&
		    next_token(line, &s) && eq(s, "set"))
			field = &a->far_set_size;
		if (field)
			*field = v;
		return field != NULL;
	}
	if (t.n > 1 && (ends(t, "k") || ends(t, "K")) && number(cut(t, 0, 1), &v)) {
		int64_t *field = eq(u, "chunk") || eq(u, "chunk,") || eq(u, "chunks")
					 ? &a->chunk_kib
				 : eq(u, "rounding") ? &a->rounding_kib
						     : NULL;
		if (field)
			*field = v;
		return field != NULL;
	}
	return false;
}

/*
 * One geometry field starting at @t, taking more tokens from @line when the
 * field has several: "1046528 blocks", "super 1.2", "level 5,", "512k chunk,",
 * "algorithm 2", "2 near-copies", "4 devices per set", "0k rounding",
 * "[2/1]", "[U_]".  False, with @line as it was, when @t starts none of them.
 */
static bool parse_geometry_field(struct slice t, struct slice *line, struct mdstat_array *a)
{
	struct slice save = *line;

	if (geometry_field(t, line, a))
		return true;
	*line = save;
	return false;
}

/* "md0 : active (auto-read-only) raid1 sdb1[1] sda1[0]", after the state. */
static bool parse_array_head(struct slice line, struct mdstat_array *a)
{
	struct slice t;
	bool ok = true, first = true;

	while (next_token(&line, &t)) {
		if (first && a->active && eq(t, "(read-only)"))
			a->access = MDSTAT_READ_ONLY;
		else if (first && a->active && eq(t, "(auto-read-only)"))
			a->access = MDSTAT_AUTO_READ_ONLY;
		else if (parse_member(t, a))
			;
		else if (a->active && !a->personality[0] && !a->n_members && !memchr(t.s, '[', t.n))
			copy_name(a->personality, sizeof(a->personality), t);
		/* With no member, md goes on with "super X" on this line. */
		else if (!parse_geometry_field(t, &line, a))
			ok = false;
		first = false;
	}
	return ok;
}

static bool parse_geometry(struct slice line, struct mdstat_array *a)
{
	struct slice t;
	bool ok = true;

	while (next_token(&line, &t))
		if (!parse_geometry_field(t, &line, a))
			ok = false;
	return ok;
}

static const char *const SYNC_ACTIONS[] = {
	[MDSTAT_SYNC_NONE] = "",
	[MDSTAT_SYNC_RESYNC] = "resync",
	[MDSTAT_SYNC_RECOVERY] = "recovery",
	[MDSTAT_SYNC_RESHAPE] = "reshape",
	[MDSTAT_SYNC_CHECK] = "check",
	[MDSTAT_SYNC_REPAIR] = "repair",
};

static bool sync_action(struct slice t, enum mdstat_sync_action *ret)
{
	/* md says "recover=REMOTE" where its bar says "recovery". */
	if (eq(t, "recover")) {
		*ret = MDSTAT_SYNC_RECOVERY;
		return true;
	}
	for (size_t i = 1; i < ARRAY_SIZE(SYNC_ACTIONS); i++) {
		if (eq(t, SYNC_ACTIONS[i])) {
			*ret = (enum mdstat_sync_action)i;
			return true;
		}
	}
	return false;
}

/* "resync=DELAYED", "recover=REMOTE". */
static bool parse_sync_wait(struct slice t, struct mdstat_sync *s)
{
	const char *eqs = memchr(t.s, '=', t.n);
	enum mdstat_sync_action action;

	if (!eqs)
		return false;
	struct slice word = {t.s, (size_t)(eqs - t.s)};
	struct slice state = {eqs + 1, t.n - word.n - 1};
	if (!sync_action(word, &action))
		return false;
	if (eq(state, "DELAYED"))
		s->state = MDSTAT_SYNC_DELAYED;
	else if (eq(state, "PENDING"))
		s->state = MDSTAT_SYNC_PENDING;
	else if (eq(state, "REMOTE"))
		s->state = MDSTAT_SYNC_REMOTE;
	else
		return false;
	s->action = action;
	return true;
}

static bool is_progress_bar(struct slice t)
{
	if (t.n < 3 || t.s[0] != '[' || t.s[t.n - 1] != ']')
		return false;
	for (size_t i = 1; i + 1 < t.n; i++)
		if (t.s[i] != '=' && t.s[i] != '>' && t.s[i] != '.')
			return false;
	return true;
}

/* "[=>......]  resync =  5.0% (52736/1046528) finish=16.3min speed=1010K/sec". */
static bool parse_progress(struct slice line, struct mdstat_sync *s)
{
	struct mdstat_sync n = *s;
	struct slice t;
	bool ok = true;

	n.state = MDSTAT_SYNC_RUNNING;
	while (next_token(&line, &t)) {
		if (is_progress_bar(t) || eq(t, "="))
			continue;
		if (sync_action(t, &n.action))
			continue;
		if (parse_sync_wait(t, &n))
			continue;
		/* "%3u.%u%%" after "=": "=  5.0%", or "=100.0%" in one token. */
		struct slice pct = starts(t, "=") ? cut(t, 1, 0) : t;
		int64_t permille;
		if (ends(pct, "%") && tenths(cut(pct, 0, 1), &permille) && permille <= 1000) {
			n.permille = permille;
			continue;
		}
		if (t.n > 2 && t.s[0] == '(' && t.s[t.n - 1] == ')' &&
		    number_pair(cut(t, 1, 1), '/', &n.done, &n.total))
			continue;
		if (starts(t, "finish=") && ends(t, "min") &&
		    tenths(cut(t, 7, 3), &n.finish_tenths))
			continue;
		if (starts(t, "speed=") && ends(t, "K/sec") && number(cut(t, 6, 5), &n.speed))
			continue;
		ok = false;
	}
	if (n.action != MDSTAT_SYNC_NONE)
		*s = n;
	return ok && n.action != MDSTAT_SYNC_NONE;
}

/* Undoes the \ooo escapes of the kernel's seq_file_path(). */
static char *unescape_path(struct slice t)
{
	char *out = xmalloc(t.n + 1);
	size_t k = 0;

	for (size_t i = 0; i < t.n; i++) {
		if (t.s[i] == '\\' && t.n - i >= 4 && t.s[i + 1] >= '0' && t.s[i + 1] <= '3' &&
		    t.s[i + 2] >= '0' && t.s[i + 2] <= '7' && t.s[i + 3] >= '0' &&
		    t.s[i + 3] <= '7') {
			char c = (char)((t.s[i + 1] - '0') << 6 | (t.s[i + 2] - '0') << 3 |
					(t.s[i + 3] - '0'));
			out[k++] = printable(c);
			i += 3;
		} else {
			out[k++] = printable(t.s[i]);
		}
	}
	out[k] = '\0';
	return out;
}

/* "bitmap: 1/1 pages [4KB], 65536KB chunk, file: /path" (after "bitmap:"). */
static bool parse_bitmap(struct slice line, struct mdstat_bitmap *b)
{
	struct slice t, u;
	int64_t v;
	bool ok = true;

	b->present = true;
	while (next_token(&line, &t)) {
		if (number_pair(t, '/', &b->pages, &b->pages_total) && next_token(&line, &u) &&
		    eq(u, "pages"))
			continue;
		if (starts(t, "[") && ends(t, "KB],") && number(cut(t, 1, 4), &b->kib))
			continue;
		if (eq(t, "file:")) {
			while (line.n && is_blank(*line.s)) {
				line.s++;
				line.n--;
			}
			free(b->file);
			b->file = unescape_path(line);
			return ok;
		}
		if (next_token(&line, &u) && (eq(u, "chunk") || eq(u, "chunk,"))) {
			if (ends(t, "KB") && number(cut(t, 0, 2), &v) && v <= INT64_MAX / 1024) {
				b->chunk_bytes = v * 1024;
				continue;
			}
			if (ends(t, "B") && number(cut(t, 0, 1), &v)) {
				b->chunk_bytes = v;
				continue;
			}
		}
		ok = false;
	}
	return ok;
}

/* A line that belongs to @a (it starts with a blank). */
static bool parse_array_line(struct slice line, struct mdstat_array *a)
{
	struct slice probe = line, t;

	if (!next_token(&probe, &t))
		return true;
	if (eq(t, "bitmap:"))
		return parse_bitmap(probe, &a->bitmap);
	if (is_progress_bar(t) || memchr(t.s, '=', t.n))
		return parse_progress(line, &a->sync);
	return parse_geometry(line, a);
}

static bool is_array_state(struct slice t, bool *active)
{
	if (eq(t, "active"))
		return *active = true, true;
	if (eq(t, "inactive"))
		return *active = false, true;
	return false;
}

void mdstat_parse(const char *text, size_t len, struct mdstat *ret)
{
	struct mdstat m = {0};
	struct mdstat_array *cur = NULL;
	size_t cap = 0;

	while (len) {
		const char *nl = memchr(text, '\n', len);
		struct slice line = {text, nl ? (size_t)(nl - text) : len};
		text += line.n + (nl ? 1 : 0);
		len -= line.n + (nl ? 1 : 0);
		if (line.n && line.s[line.n - 1] == '\r')
			line.n--;

		struct slice rest = line, t1, t2, t3;
		bool ok = true, active;
		if (!next_token(&rest, &t1))
			continue;
		if (is_blank(line.s[0]) && cur) {
			if (!parse_array_line(line, cur))
				keep_line(&cur->unknown, line);
			continue;
		}
		cur = NULL;
		struct slice after = rest;
		if (eq(t1, "Personalities") && next_token(&after, &t2) && eq(t2, ":")) {
			ok = parse_personalities(after, &m);
		} else if (eq(t1, "unused") && next_token(&after, &t2) && eq(t2, "devices:")) {
			parse_unused(after, &m);
		} else if (!is_blank(line.s[0]) && next_token(&after, &t2) && eq(t2, ":") &&
			   next_token(&after, &t3) && is_array_state(t3, &active)) {
			cur = new_array(&m, &cap);
			cur->active = active;
			ok = copy_name(cur->name, sizeof(cur->name), t1) &&
			     parse_array_head(after, cur);
			if (!ok)
				keep_line(&cur->unknown, line);
			continue;
		} else {
			ok = false;
		}
		if (!ok)
			keep_line(&m.unknown, line);
	}
	*ret = m;
}

void mdstat_free(struct mdstat *m)
{
	for (size_t i = 0; i < m->n_arrays; i++) {
		struct mdstat_array *a = &m->arrays[i];
		free(a->members);
		free(a->map);
		free(a->bitmap.file);
		strv_free(&a->fault_modes);
		strv_free(&a->unknown);
	}
	free(m->arrays);
	strv_free(&m->personalities);
	strv_free(&m->unused);
	strv_free(&m->unknown);
	memset(m, 0, sizeof(*m));
}

/* --- questions about an array ------------------------------------------------------------ */

const struct mdstat_array *mdstat_find(const struct mdstat *m, const char *name)
{
	for (size_t i = 0; i < m->n_arrays; i++)
		if (!strcmp(m->arrays[i].name, name))
			return &m->arrays[i];
	return NULL;
}

const char *mdstat_metadata(const struct mdstat_array *a)
{
	return a->super[0] ? a->super : "0.90";
}

bool mdstat_is_container(const struct mdstat_array *a)
{
	const char *x = a->super;

	return str_starts_with(x, "external:") && x[9] && x[9] != '/' && x[9] != '-';
}

size_t mdstat_count(const struct mdstat_array *a, unsigned flag)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n_members; i++)
		if (a->members[i].flags & flag)
			n++;
	return n;
}

int64_t mdstat_missing(const struct mdstat_array *a)
{
	if (a->raid_disks < 0 || a->working < 0 || a->working > a->raid_disks)
		return 0;
	return a->raid_disks - a->working;
}

const char *mdstat_sync_action_name(enum mdstat_sync_action action)
{
	return (size_t)action < ARRAY_SIZE(SYNC_ACTIONS) ? SYNC_ACTIONS[action] : "";
}
