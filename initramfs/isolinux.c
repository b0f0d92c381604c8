// SPDX-License-Identifier: GPL-2.0-only
#include "isolinux.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What the new entry says about itself in a menu, and the comment above it. */
#define MENU_TEXT "Install unattended, mirrored on two disks (xsraid)"
#define COMMENT	  "# xsraid: unattended install with software RAID1 (made by xsraid-remaster)"
/* Tenths of a second: XenServer's own prompt waits 5 s. */
#define TIMEOUT_ADDED "50"

struct line {
	const char *text; /* the line, without its end of line */
	size_t len;
	const char *eol;  /* "\n", "\r\n" or "" for a last line without one */
	size_t indent;	  /* white space before the keyword */
	char keyword[16]; /* lower case; "" for blank lines, comments and help text */
	size_t keyword_len;
	const char *value; /* after the keyword and its white space, trailing white space cut */
	size_t value_len;
	int entry; /* index in struct cfg's entries; -1 before the first LABEL */
};

struct entry {
	const char *label;
	size_t label_len;
	size_t first; /* its LABEL line */
	size_t end;   /* one past its last line */
};

struct cfg {
	struct line *lines;
	size_t n_lines;
	struct entry *entries;
	size_t n_entries;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool keyword_is(const struct line *l, const char *k)
{
	return strcmp(l->keyword, k) == 0;
}

/* MENU @sub ...: the first word of the value, in any case. */
static bool menu_is(const struct line *l, const char *sub)
{
	size_t n = strlen(sub);

	return keyword_is(l, "menu") && l->value_len >= n && strncasecmp(l->value, sub, n) == 0 &&
	       (l->value_len == n || is_space(l->value[n]));
}

static void parse_line(struct line *l, bool in_text)
{
	const char *p = l->text, *end = l->text + l->len;

	while (p < end && is_space(*p))
		p++;
	l->indent = (size_t)(p - l->text);
	if (in_text || p == end || *p == '#')
		return;
	const char *k = p;
	while (p < end && !is_space(*p))
		p++;
	l->keyword_len = (size_t)(p - k);
	if (l->keyword_len < sizeof(l->keyword)) {
		for (size_t i = 0; i < l->keyword_len; i++)
			l->keyword[i] = (char)tolower((unsigned char)k[i]);
	}
	while (p < end && is_space(*p))
		p++;
	while (end > p && is_space(end[-1]))
		end--;
	l->value = p;
	l->value_len = (size_t)(end - p);
}

static void cfg_parse(const char *text, size_t len, struct cfg *c)
{
	size_t cap = 0, ecap = 0;
	bool in_text = false;

	memset(c, 0, sizeof(*c));
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		struct line l = {
			.text = text + pos, .len = end - pos, .eol = nl ? "\n" : "", .entry = -1};

		if (nl && l.len && l.text[l.len - 1] == '\r') {
			l.len--;
			l.eol = "\r\n";
		}
		parse_line(&l, in_text);
		if (in_text) {
			in_text = false;
			struct line probe = l;
			parse_line(&probe, false);
			if (strcmp(probe.keyword, "endtext") != 0)
				in_text = true;
		} else if (keyword_is(&l, "text")) {
			in_text = true;
		}
		if (keyword_is(&l, "label")) {
			if (c->n_entries == ecap) {
				ecap = ecap ? ecap * 2 : 8;
				c->entries = xrealloc(c->entries, ecap * sizeof(*c->entries));
			}
			c->entries[c->n_entries++] = (struct entry){
				.label = l.value,
				.label_len = l.value_len,
				.first = c->n_lines,
			};
		}
		l.entry = (int)c->n_entries - 1;
		if (c->n_lines == cap) {
			cap = cap ? cap * 2 : 64;
			c->lines = xrealloc(c->lines, cap * sizeof(*c->lines));
		}
		c->lines[c->n_lines++] = l;
		pos = nl ? end + 1 : len;
	}
	for (size_t i = 0; i < c->n_entries; i++)
		c->entries[i].end = i + 1 < c->n_entries ? c->entries[i + 1].first : c->n_lines;
}

static bool label_is(const struct entry *e, const char *label)
{
	return e->label_len == strlen(label) && strncmp(e->label, label, e->label_len) == 0;
}

/* The last line with @keyword in lines [from, to), or NULL. */
static const struct line *last_with(const struct cfg *c, size_t from, size_t to,
				    const char *keyword)
{
	const struct line *found = NULL;

	for (size_t i = from; i < to; i++) {
		if (keyword_is(&c->lines[i], keyword))
			found = &c->lines[i];
	}
	return found;
}

static bool is_kernel_line(const struct line *l)
{
	return keyword_is(l, "kernel") || keyword_is(l, "linux") || keyword_is(l, "com32");
}

/* Arguments of the stock entry that would contradict the unattended install's. */
static bool contradicts(const char *tok, size_t n)
{
	static const char *const prefixes[] = {
		"answerfile=", "rt_answerfile=", "answerfile_generator=", "xsraid_answerfile="};

	if (n == 7 && strncmp(tok, "install", 7) == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		size_t k = strlen(prefixes[i]);
		if (n >= k && strncmp(tok, prefixes[i], k) == 0)
			return true;
	}
	return false;
}

/*
 * The new APPEND value: the stock one with the dom0 kernel's part (between
 * the first and second "---") stripped of contradicting arguments and
 * followed by @args.  Returns 0 or -EINVAL when there are not two "---".
 */
static int new_append(const struct line *append, const char *args, struct buf *out)
{
	const char *p = append->value, *end = append->value + append->value_len;
	const char *sep[2] = {NULL, NULL};
	int found = 0;

	for (const char *t = p; t < end && found < 2;) {
		while (t < end && is_space(*t))
			t++;
		const char *w = t;
		while (t < end && !is_space(*t))
			t++;
		if (t - w == 3 && strncmp(w, "---", 3) == 0)
			sep[found++] = w;
	}
	if (found < 2)
		return -EINVAL;
	buf_append(out, p, (size_t)(sep[0] + 3 - p));
	for (const char *t = sep[0] + 3; t < sep[1];) {
		while (t < sep[1] && is_space(*t))
			t++;
		const char *w = t;
		while (t < sep[1] && !is_space(*t))
			t++;
		if (t > w && !contradicts(w, (size_t)(t - w))) {
			buf_putc(out, ' ');
			buf_append(out, w, (size_t)(t - w));
		}
	}
	buf_printf(out, " %s ", args);
	buf_append(out, sep[1], (size_t)(end - sep[1]));
	return 0;
}

static void put_line(struct buf *out, const struct line *l)
{
	buf_append(out, l->text, l->len);
	buf_puts(out, l->eol);
}

/* @l with its value replaced: indentation and keyword as the stock file writes them. */
static void put_replaced(struct buf *out, const struct line *l, const char *value, const char *eol)
{
	buf_append(out, l->text, l->indent + l->keyword_len);
	buf_printf(out, " %s%s", value, eol);
}

static const struct entry *find_entry(const struct cfg *c, const char *label, size_t len)
{
	for (size_t i = 0; i < c->n_entries; i++) {
		if (c->entries[i].label_len == len && strncmp(c->entries[i].label, label, len) == 0)
			return &c->entries[i];
	}
	for (size_t i = 0; i < c->n_entries; i++) {
		if (c->entries[i].label_len == len &&
		    strncasecmp(c->entries[i].label, label, len) == 0)
			return &c->entries[i];
	}
	return NULL;
}

/* The new entry: the default entry's directives, renamed, with the new APPEND. */
static void put_entry(struct buf *out, const struct cfg *c, const struct entry *src,
		      const struct line *append, const char *label, const char *append_value,
		      const char *eol)
{
	bool own_append = append->entry == (int)(src - c->entries);

	buf_printf(out, "%s%s", COMMENT, eol);
	for (size_t i = src->first; i < src->end; i++) {
		const struct line *l = &c->lines[i];
		if (!l->keyword[0] || menu_is(l, "default") || keyword_is(l, "text") ||
		    keyword_is(l, "endtext"))
			continue;
		if (keyword_is(l, "label"))
			put_replaced(out, l, label, eol);
		else if (l == append)
			put_replaced(out, l, append_value, eol);
		else if (menu_is(l, "label"))
			put_replaced(out, l, "LABEL " MENU_TEXT, eol);
		else
			put_line(out, l);
		if (!own_append && is_kernel_line(l)) {
			buf_append(out, l->text, l->indent);
			buf_printf(out, "APPEND %s%s", append_value, eol);
		}
	}
}

int isolinux_add_entry(const char *text, size_t len, const char *label, const char *args,
		       struct buf *out, struct buf *notes, struct buf *err)
{
	struct buf append_value = BUF_INIT;
	struct cfg c;
	int r = -EINVAL;

	cfg_parse(text, len, &c);
	size_t first_label = c.n_entries ? c.entries[0].first : c.n_lines;
	const struct line *def = last_with(&c, 0, c.n_lines, "default");
	const struct line *ontimeout = last_with(&c, 0, c.n_lines, "ontimeout");
	const struct line *timeout = last_with(&c, 0, c.n_lines, "timeout");
	const struct line *prompt = last_with(&c, 0, c.n_lines, "prompt");
	bool ui = last_with(&c, 0, c.n_lines, "ui") != NULL;

	if (!def || !def->value_len) {
		buf_puts(err, "no DEFAULT line: which entry boots is not clear");
		goto out;
	}
	const struct entry *src = find_entry(&c, def->value, def->value_len);
	if (!src) {
		buf_printf(err,
			   "DEFAULT %.*s names no LABEL of the file (INCLUDEd files are not read)",
			   (int)def->value_len, def->value);
		goto out;
	}
	const struct line *kernel = NULL, *append = NULL;
	for (size_t i = src->first; i < src->end; i++) {
		if (is_kernel_line(&c.lines[i]))
			kernel = &c.lines[i];
		if (keyword_is(&c.lines[i], "append"))
			append = &c.lines[i];
	}
	if (!append)
		append = last_with(&c, 0, first_label, "append");
	const char *kname = NULL;
	size_t klen = 0;
	if (kernel) {
		kname = kernel->value;
		klen = kernel->value_len;
		for (size_t i = 0; i < kernel->value_len; i++) {
			if (kernel->value[i] == '/') {
				kname = kernel->value + i + 1;
				klen = kernel->value_len - i - 1;
			}
		}
	}
	if (!kernel || klen != 9 || strncasecmp(kname, "mboot.c32", 9) != 0 || !append ||
	    new_append(append, args, &append_value) < 0) {
		buf_printf(
			err,
			"the default entry %.*s does not boot Xen through mboot.c32 "
			"(KERNEL mboot.c32, APPEND xen --- kernel --- install.img) as XenServer 6 CDs do",
			(int)src->label_len, src->label);
		goto out;
	}

	/* Before the first stock entry; an earlier run's entry (first) does not count. */
	size_t insert_at = c.n_lines;
	for (size_t i = 0; i < c.n_entries; i++) {
		if (!label_is(&c.entries[i], label)) {
			insert_at = c.entries[i].first;
			break;
		}
	}
	const char *eol = c.lines[src->first].eol[0] ? c.lines[src->first].eol : "\n";
	bool waits_forever =
		(ui || (prompt && prompt->value_len == 1 && prompt->value[0] == '1')) &&
		(!timeout || strtol(timeout->value, NULL, 10) == 0);

	buf_printf(notes, "new default entry %s: entry %.*s with \"%s\" for the installer\n", label,
		   (int)src->label_len, src->label, args);
	for (size_t i = 0; i <= c.n_lines; i++) {
		if (i == insert_at)
			put_entry(out, &c, src, append, label, append_value.data, eol);
		if (i == c.n_lines)
			break;
		const struct line *l = &c.lines[i];
		if ((l->entry >= 0 && label_is(&c.entries[l->entry], label)) ||
		    (l->len == strlen(COMMENT) && memcmp(l->text, COMMENT, l->len) == 0))
			continue;
		if (l == def || l == ontimeout) {
			put_replaced(out, l, label, l->eol[0] ? l->eol : eol);
			if (l == def && waits_forever && !timeout) {
				buf_printf(out, "TIMEOUT %s%s", TIMEOUT_ADDED, eol);
				buf_printf(
					notes,
					"TIMEOUT %s added: the stock prompt waits for a key forever\n",
					TIMEOUT_ADDED);
			}
		} else if (l == timeout && waits_forever) {
			put_replaced(out, l, TIMEOUT_ADDED, l->eol[0] ? l->eol : eol);
			buf_printf(
				notes,
				"TIMEOUT 0 changed to %s: the stock prompt waits for a key forever\n",
				TIMEOUT_ADDED);
		} else if (l->entry >= 0 && menu_is(l, "default")) {
			buf_printf(notes, "MENU DEFAULT removed from entry %.*s\n",
				   (int)c.entries[l->entry].label_len, c.entries[l->entry].label);
		} else {
			put_line(out, l);
		}
	}
	r = 0;
out:
	buf_free(&append_value);
	free(c.lines);
	free(c.entries);
	return r;
}
