// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pure text transforms of the installed system's configuration files (see
 * configedit.h).  Everything works on spans of the input: a transform
 * collects edits (replace these bytes with those) while it reads, and the
 * output is the input with the edits applied, so whatever was not edited
 * stays byte for byte, line endings included.
 */
#include "configedit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* --- errors --------------------------------------------------------------- */

static int fail(struct buf *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct buf *err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err) {
		buf_reset(err);
		buf_puts(err, msg);
	}
	return -EINVAL;
}

/* Span lengths for "%.*s". */
static int span_len(const char *p, const char *end)
{
	return (int)(end - p);
}

/* --- lines and words ------------------------------------------------------ */

/*
 * One line of a file: @p..@p+@len is its contents, followed by @eol bytes of
 * terminator: "\n", "\r\n", or for a last line "" or "\r".  The terminator is
 * never part of the contents, so CRLF files keep their "\r".
 */
struct line {
	const char *p;
	size_t len;
	size_t eol;
};

static bool next_line(const char *text, size_t *pos, struct line *l)
{
	const char *s = text + *pos;
	const char *nl;
	size_t n;

	if (!*s)
		return false;
	nl = strchr(s, '\n');
	n = nl ? (size_t)(nl - s) : strlen(s);
	l->p = s;
	l->len = n;
	l->eol = nl ? 1 : 0;
	/* Also at the end of the file, so that appending a "\n" leaves the contents alone. */
	if (n > 0 && s[n - 1] == '\r') {
		l->len--;
		l->eol++;
	}
	*pos += n + (nl ? 1 : 0);
	return true;
}

/* The terminator the file uses, judged by its first line: "\r\n" or "\n". */
static const char *file_eol(const char *text)
{
	const char *nl = strchr(text, '\n');

	return nl && nl > text && nl[-1] == '\r' ? "\r\n" : "\n";
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && is_blank(*p))
		p++;
	return p;
}

static const char *skip_word(const char *p, const char *end)
{
	while (p < end && !is_blank(*p))
		p++;
	return p;
}

static const char *strip_end(const char *p, const char *end)
{
	while (end > p && is_blank(end[-1]))
		end--;
	return end;
}

static bool span_is(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) == n && memcmp(p, s, n) == 0;
}

static bool span_is_ci(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) == n && strncasecmp(p, s, n) == 0;
}

static bool span_starts_with(const char *p, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(end - p) >= n && memcmp(p, prefix, n) == 0;
}

/* A value that can stand as one blank-separated field: no blanks, quotes or control characters. */
static bool valid_field(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '"' || *s == '\'' || *s == '\\' || *s == 0x7f)
			return false;
	return true;
}

/* --- edits ---------------------------------------------------------------- */

/* Replace @len bytes at offset @off of the input with @text (owned). */
struct edit {
	size_t off;
	size_t len;
	char *text;
};

struct edits {
	struct edit *v;
	size_t n;
	size_t cap;
};

/* Edits must come in increasing, non-overlapping order, as a reader finds them. */
static void edits_push(struct edits *e, size_t off, size_t n, char *text)
{
	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 8;
		e->v = xrealloc(e->v, e->cap * sizeof(*e->v));
	}
	e->v[e->n++] = (struct edit){off, n, text};
}

static char *edits_apply(const char *text, const struct edits *e)
{
	struct buf b = BUF_INIT;
	size_t pos = 0;

	for (size_t i = 0; i < e->n; i++) {
		buf_append(&b, text + pos, e->v[i].off - pos);
		buf_puts(&b, e->v[i].text);
		pos = e->v[i].off + e->v[i].len;
	}
	buf_puts(&b, text + pos);
	return buf_detach(&b);
}

static void edits_free(struct edits *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i].text);
	free(e->v);
	e->v = NULL;
	e->n = e->cap = 0;
}

/* --- fstab ---------------------------------------------------------------- */

int config_fstab_set_root(const char *text, const char *new_dev, char **ret, struct buf *err)
{
	const char *dev = NULL, *dev_end = NULL;
	unsigned lineno = 0, root_line = 0;
	struct edits e = {0};
	size_t pos = 0;
	struct line l;

	if (!valid_field(new_dev) || new_dev[0] == '#')
		return fail(err, "invalid device name '%s'", new_dev ? new_dev : "");

	/* As mount reads it: blank-separated fields, '#' comment lines, blank lines. */
	while (next_line(text, &pos, &l)) {
		const char *end = l.p + l.len;
		const char *f1, *f1_end, *f2, *f2_end;

		lineno++;
		f1 = skip_blanks(l.p, end);
		if (f1 == end || *f1 == '#')
			continue;
		f1_end = skip_word(f1, end);
		f2 = skip_blanks(f1_end, end);
		f2_end = skip_word(f2, end);
		if (!span_is(f2, f2_end, "/"))
			continue;
		if (root_line)
			return fail(err, "lines %u and %u both mount '/'", root_line, lineno);
		root_line = lineno;
		dev = f1;
		dev_end = f1_end;
	}
	if (!root_line)
		return fail(err, "no entry mounts '/'");

	if (!span_is(dev, dev_end, new_dev))
		edits_push(&e, (size_t)(dev - text), (size_t)(dev_end - dev), xstrdup(new_dev));
	*ret = edits_apply(text, &e);
	edits_free(&e);
	return 0;
}

/* --- extlinux.conf -------------------------------------------------------- */

/*
 * What the reader keeps of one "label" entry: spans into the text.  Syslinux
 * uses the last of repeated kernel or append lines; we refuse repeats rather
 * than guess which one the next reader of the file will look at.
 */
struct xl_entry {
	const char *label, *label_end;
	/* The kernel line: its keyword (kernel, linux, com32...) and first word. */
	const char *kw, *kw_end;
	const char *kernel, *kernel_end;
	bool kernel_extra; /* more words follow on the kernel line */
	/* The append line: end of its keyword, and its arguments. NULL if none. */
	const char *append_kw_end;
	const char *args, *args_end;
	/* First word of an "initrd" line, NULL if none. */
	const char *initrd, *initrd_end;
	unsigned n_kernel, n_append;
};

struct xl_file {
	const char *def, *def_end; /* "default" argument, NULL if none */
	struct xl_entry *v;
	size_t n;
	size_t cap;
};

/* Keywords that make a syslinux entry boot something other than a kernel or COM32 module. */
static const char *const xl_other_boot_kw[] = {
	"boot", "bss", "pxe", "fdimage", "comboot", "config", "localboot",
};

static bool xl_is_kernel_kw(const char *kw, const char *kw_end)
{
	if (span_is_ci(kw, kw_end, "kernel") || span_is_ci(kw, kw_end, "linux") ||
	    span_is_ci(kw, kw_end, "com32"))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(xl_other_boot_kw); i++)
		if (span_is_ci(kw, kw_end, xl_other_boot_kw[i]))
			return true;
	return false;
}

static int xl_read(const char *text, struct xl_file *f, struct buf *err)
{
	struct xl_entry *cur = NULL;
	unsigned lineno = 0;
	bool in_text = false;
	size_t pos = 0;
	struct line l;

	while (next_line(text, &pos, &l)) {
		const char *end = l.p + l.len;
		const char *kw, *kw_end, *arg, *arg_end;

		lineno++;
		kw = skip_blanks(l.p, end);
		if (kw == end || *kw == '#')
			continue;
		kw_end = skip_word(kw, end);
		arg = skip_blanks(kw_end, end);
		arg_end = strip_end(arg, end);

		/* "text help" ... "endtext" is free text that may well say "label". */
		if (in_text) {
			in_text = !span_is_ci(kw, kw_end, "endtext");
			continue;
		}
		if (span_is_ci(kw, kw_end, "text")) {
			in_text = true;
			continue;
		}
		if (span_is_ci(kw, kw_end, "include") ||
		    (span_is_ci(kw, kw_end, "menu") &&
		     span_is_ci(arg, skip_word(arg, end), "include")))
			return fail(err, "line %u: 'include' is not supported", lineno);

		if (span_is_ci(kw, kw_end, "label")) {
			if (arg == arg_end)
				return fail(err, "line %u: 'label' without a name", lineno);
			if (f->n == f->cap) {
				f->cap = f->cap ? 2 * f->cap : 8;
				f->v = xrealloc(f->v, f->cap * sizeof(*f->v));
			}
			cur = &f->v[f->n++];
			*cur = (struct xl_entry){.label = arg, .label_end = arg_end};
		} else if (span_is_ci(kw, kw_end, "default")) {
			f->def = arg;
			f->def_end = arg_end;
		} else if (!cur) {
			/* Global settings: serial, prompt, timeout, ui, menu... */
		} else if (xl_is_kernel_kw(kw, kw_end)) {
			cur->n_kernel++;
			cur->kw = kw;
			cur->kw_end = kw_end;
			cur->kernel = arg;
			cur->kernel_end = skip_word(arg, end);
			cur->kernel_extra = skip_blanks(cur->kernel_end, end) != end;
		} else if (span_is_ci(kw, kw_end, "append")) {
			cur->n_append++;
			cur->append_kw_end = kw_end;
			cur->args = arg;
			cur->args_end = end;
		} else if (span_is_ci(kw, kw_end, "initrd")) {
			cur->initrd = arg;
			cur->initrd_end = skip_word(arg, end);
		}
	}
	if (!f->n)
		return fail(err, "no 'label' entries");
	return 0;
}

/*
 * End of the kernel argument at @p.  Blanks separate arguments except
 * inside double quotes, as the kernel's own parser reads its command line.
 */
static const char *skip_arg(const char *p, const char *end)
{
	bool quoted = false;

	for (; p < end; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && is_blank(*p))
			break;
	}
	return p;
}

/* Steps to the next argument in [*p, end) and sets *a..*a_end; false at the end. */
static bool next_arg(const char **p, const char *end, const char **a, const char **a_end)
{
	*a = skip_blanks(*p, end);
	if (*a == end)
		return false;
	*a_end = skip_arg(*a, end);
	*p = *a_end;
	return true;
}

/* One "---"-separated part of an append line. */
struct xl_part {
	/* Its first argument (the image), NULL if the part is empty. */
	const char *first, *first_end;
	/* The end of its last argument. */
	const char *last_end;
};

/* How an entry boots, worked out from its lines. */
struct xl_boot {
	bool multiboot;
	unsigned parts;
	const char *xen, *xen_end;	 /* multiboot: the hypervisor image */
	const char *dom0, *dom0_end;	 /* the Linux kernel */
	const char *initrd, *initrd_end; /* NULL if none */
	const char *lo, *hi;		 /* the Linux arguments, where root= lives */
	const char *insert;		 /* where " root=..." goes when there is none */
};

static bool xl_is_mboot(const char *p, const char *end)
{
	static const char m[] = "mboot.c32";
	size_t n = sizeof(m) - 1;

	if ((size_t)(end - p) < n || memcmp(end - n, m, n) != 0)
		return false;
	return end - p == (ptrdiff_t)n || end[-(ptrdiff_t)n - 1] == '/';
}

static bool xl_is_c32(const char *p, const char *end)
{
	return end - p >= 4 && strncasecmp(end - 4, ".c32", 4) == 0;
}

/* A tboot entry (tboot --- xen --- kernel --- initrd) moves Linux to the third part. */
static bool xl_is_tboot(const char *p, const char *end)
{
	const char *base = p;

	for (const char *q = p; q < end; q++)
		if (*q == '/')
			base = q + 1;
	return span_starts_with(base, end, "tboot");
}

static size_t memchr_count(const char *p, const char *end, char c)
{
	size_t n = 0;

	for (; p < end; p++)
		n += *p == c;
	return n;
}

static int xl_boot(const struct xl_entry *e, struct xl_boot *b, struct buf *err)
{
	const char *p, *a, *a_end;
	struct xl_part *parts = NULL;
	unsigned n = 1, linux_part;
	int lab = span_len(e->label, e->label_end);
	int r = 0;

	*b = (struct xl_boot){0};
	if (!e->n_kernel)
		return fail(err, "entry '%.*s' has no kernel line", lab, e->label);
	if (e->n_kernel > 1)
		return fail(err, "entry '%.*s' has more than one kernel line", lab, e->label);
	if (!span_is_ci(e->kw, e->kw_end, "kernel") && !span_is_ci(e->kw, e->kw_end, "linux") &&
	    !span_is_ci(e->kw, e->kw_end, "com32"))
		return fail(err, "entry '%.*s' boots with '%.*s', not a Linux kernel", lab,
			    e->label, span_len(e->kw, e->kw_end), e->kw);
	if (e->kernel == e->kernel_end)
		return fail(err, "entry '%.*s' has an empty kernel line", lab, e->label);
	if (e->kernel_extra)
		return fail(err, "entry '%.*s' has arguments on its kernel line", lab, e->label);
	b->multiboot = xl_is_mboot(e->kernel, e->kernel_end);
	if (!b->multiboot && xl_is_c32(e->kernel, e->kernel_end))
		return fail(err, "entry '%.*s' runs '%.*s', not a Linux kernel or mboot.c32", lab,
			    e->label, span_len(e->kernel, e->kernel_end), e->kernel);
	if (!e->n_append)
		return fail(err, "entry '%.*s' has no append line", lab, e->label);
	if (e->n_append > 1)
		return fail(err, "entry '%.*s' has more than one append line", lab, e->label);

	/*
	 * An open double quote runs to the end of the command line, and would
	 * swallow a root= appended there.
	 */
	if (memchr_count(e->args, e->args_end, '"') % 2)
		return fail(err, "entry '%.*s' has an unbalanced '\"' in its append line", lab,
			    e->label);

	/* Split the append line into its "---" parts. */
	for (p = e->args; next_arg(&p, e->args_end, &a, &a_end);)
		if (span_is(a, a_end, "---"))
			n++;
	parts = xcalloc(n, sizeof(*parts));
	p = e->args;
	for (unsigned k = 0; next_arg(&p, e->args_end, &a, &a_end);) {
		struct xl_part *part = &parts[k];

		if (span_is(a, a_end, "---")) {
			k++;
			continue;
		}
		if (!part->first) {
			part->first = a;
			part->first_end = a_end;
		}
		part->last_end = a_end;
	}
	b->parts = n;

	if (!b->multiboot) {
		if (span_is(e->args, strip_end(e->args, e->args_end), "-")) {
			r = fail(err, "entry '%.*s' has 'append -'", lab, e->label);
			goto out;
		}
		b->dom0 = e->kernel;
		b->dom0_end = e->kernel_end;
		b->lo = e->args;
		b->hi = e->args_end;
		b->insert = e->append_kw_end;
		for (p = e->args; next_arg(&p, e->args_end, &a, &a_end);) {
			b->insert = a_end;
			if (!b->initrd && span_starts_with(a, a_end, "initrd=")) {
				b->initrd = a + strlen("initrd=");
				b->initrd_end = a_end;
			}
		}
		if (e->initrd) {
			b->initrd = e->initrd;
			b->initrd_end = e->initrd_end;
		}
		goto out;
	}

	linux_part = parts[0].first && xl_is_tboot(parts[0].first, parts[0].first_end) ? 2 : 1;
	if (n < linux_part + 2) {
		r = fail(err, "entry '%.*s': mboot.c32 append line has %u '---' parts, expected %s",
			 lab, e->label, n,
			 linux_part == 1 ? "XEN --- KERNEL --- INITRD"
					 : "TBOOT --- XEN --- KERNEL --- INITRD");
		goto out;
	}
	for (unsigned i = 0; i < n; i++)
		if (!parts[i].first) {
			r = fail(err, "entry '%.*s': part %u of the mboot.c32 append line is empty",
				 lab, e->label, i + 1);
			goto out;
		}
	b->xen = parts[linux_part - 1].first;
	b->xen_end = parts[linux_part - 1].first_end;
	b->dom0 = parts[linux_part].first;
	b->dom0_end = parts[linux_part].first_end;
	b->initrd = parts[linux_part + 1].first;
	b->initrd_end = parts[linux_part + 1].first_end;
	b->lo = parts[linux_part].first_end;
	b->hi = parts[linux_part].last_end;
	b->insert = parts[linux_part].last_end;
out:
	free(parts);
	return r;
}

/*
 * The next root= argument in [*p, end).  Only whole arguments count, so
 * "nfsroot=" or "fallbackroot=" never match.
 */
static bool next_root_arg(const char **p, const char *end, const char **a, const char **a_end)
{
	while (next_arg(p, end, a, a_end))
		if (span_starts_with(*a, *a_end, "root="))
			return true;
	return false;
}

static void xl_file_free(struct xl_file *f)
{
	free(f->v);
	*f = (struct xl_file){0};
}

static char *span_dup(const char *p, const char *end)
{
	return p ? xstrndup(p, (size_t)(end - p)) : NULL;
}

int config_extlinux_parse(const char *text, struct extlinux_config *ret, struct buf *err)
{
	struct extlinux_config c = {0};
	struct xl_file f = {0};
	int r;

	r = xl_read(text, &f, err);
	if (r < 0)
		goto out;
	c.default_label = span_dup(f.def, f.def_end);
	c.entries = xcalloc(f.n, sizeof(*c.entries));
	for (size_t i = 0; i < f.n; i++) {
		struct extlinux_entry *x = &c.entries[i];
		const char *p, *a, *a_end, *root = NULL, *root_end = NULL;
		struct xl_boot b;

		r = xl_boot(&f.v[i], &b, err);
		if (r < 0)
			goto out;
		c.n_entries++;
		x->label = span_dup(f.v[i].label, f.v[i].label_end);
		x->kernel = span_dup(f.v[i].kernel, f.v[i].kernel_end);
		x->xen = span_dup(b.xen, b.xen_end);
		x->dom0 = span_dup(b.dom0, b.dom0_end);
		x->initrd = span_dup(b.initrd, b.initrd_end);
		/* Linux uses the last root= it is given. */
		for (p = b.lo; next_root_arg(&p, b.hi, &a, &a_end);) {
			root = a + strlen("root=");
			root_end = a_end;
		}
		x->root = span_dup(root, root_end);
		x->parts = b.parts;
	}
	*ret = c;
	c = (struct extlinux_config){0};
out:
	config_extlinux_free(&c);
	xl_file_free(&f);
	return r;
}

void config_extlinux_free(struct extlinux_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_entries; i++) {
		struct extlinux_entry *x = &c->entries[i];

		free(x->label);
		free(x->kernel);
		free(x->xen);
		free(x->dom0);
		free(x->initrd);
		free(x->root);
	}
	free(c->entries);
	free(c->default_label);
	*c = (struct extlinux_config){0};
}

int config_extlinux_set_root(const char *text, const char *new_root, char **ret,
			     unsigned *ret_entries, struct buf *err)
{
	struct xl_file f = {0};
	struct edits e = {0};
	int r;

	if (!valid_field(new_root) || strcmp(new_root, "---") == 0)
		return fail(err, "invalid root device '%s'", new_root ? new_root : "");

	r = xl_read(text, &f, err);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < f.n; i++) {
		const char *p, *a, *a_end;
		bool found = false;
		struct xl_boot b;

		r = xl_boot(&f.v[i], &b, err);
		if (r < 0)
			goto out;
		/* Every root= gets the new value, so no reader can pick a stale one. */
		for (p = b.lo; next_root_arg(&p, b.hi, &a, &a_end);) {
			found = true;
			if (!span_is(a + strlen("root="), a_end, new_root))
				edits_push(&e, (size_t)(a - text), (size_t)(a_end - a),
					   xasprintf("root=%s", new_root));
		}
		if (!found)
			edits_push(&e, (size_t)(b.insert - text), 0,
				   xasprintf(" root=%s", new_root));
	}
	*ret = edits_apply(text, &e);
	if (ret_entries)
		*ret_entries = (unsigned)f.n;
out:
	edits_free(&e);
	xl_file_free(&f);
	return r;
}

/* --- shell-style KEY=value files -------------------------------------------- */

static bool is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static bool valid_name(const char *s)
{
	if (!s || !is_name_start(*s))
		return false;
	while (is_name_char(*s))
		s++;
	return *s == '\0';
}

/*
 * Reads the shell word at @p, as sh would for an assignment's value:
 * '...' literally, "..." with backslash escaping only $ ` " \, a bare
 * backslash escaping any character.  Appends the unquoted value to @out
 * (if not NULL) and returns the end of the word, or NULL if a quote is not
 * closed on this line.  Nothing is expanded: a $ stays a $.
 */
static const char *sh_word(const char *p, const char *end, struct buf *out)
{
	while (p < end && !is_blank(*p) && *p != ';') {
		if (*p == '\'') {
			const char *q = memchr(p + 1, '\'', (size_t)(end - p - 1));

			if (!q)
				return NULL;
			if (out)
				buf_append(out, p + 1, (size_t)(q - p - 1));
			p = q + 1;
		} else if (*p == '"') {
			for (p++; p < end && *p != '"'; p++) {
				if (*p == '\\' && p + 1 < end && strchr("$`\"\\", p[1]))
					p++;
				if (out)
					buf_putc(out, *p);
			}
			if (p == end)
				return NULL;
			p++;
		} else if (*p == '\\') {
			/* A backslash at the end of the line continues it: not for us. */
			if (p + 1 == end)
				return NULL;
			if (out)
				buf_putc(out, p[1]);
			p += 2;
		} else {
			if (out)
				buf_putc(out, *p);
			p++;
		}
	}
	return p;
}

/* One "KEY=value" line: optional blanks and "export", then the assignment. */
struct sh_assign {
	const char *key, *key_end;
	const char *val, *val_end; /* the value as written; val_end NULL if it is malformed */
};

static bool sh_assignment(const struct line *l, struct sh_assign *a)
{
	const char *end = l->p + l->len;
	const char *p = skip_blanks(l->p, end);

	if (end - p > 6 && memcmp(p, "export", 6) == 0 && is_blank(p[6]))
		p = skip_blanks(p + 6, end);
	if (p == end || !is_name_start(*p))
		return false;
	a->key = p;
	while (p < end && is_name_char(*p))
		p++;
	if (p == end || *p != '=')
		return false;
	a->key_end = p;
	a->val = p + 1;
	a->val_end = sh_word(a->val, end, NULL);
	return true;
}

/* Characters that need no quoting in sh. */
static bool sh_bare_ok(const char *v)
{
	if (!*v)
		return false;
	for (; *v; v++)
		if (!is_name_char(*v) && !strchr("@%+=:,./-", *v))
			return false;
	return true;
}

/* Appends @v quoted for sh in @style: '\'' or '"', or 0 for bare when that is safe. */
static void sh_quote(struct buf *b, const char *v, char style)
{
	if (style == 0 && sh_bare_ok(v)) {
		buf_puts(b, v);
	} else if (style == '"') {
		buf_putc(b, '"');
		for (; *v; v++) {
			if (strchr("$`\"\\", *v))
				buf_putc(b, '\\');
			buf_putc(b, *v);
		}
		buf_putc(b, '"');
	} else {
		buf_putc(b, '\'');
		for (; *v; v++) {
			if (*v == '\'')
				buf_puts(b, "'\\''");
			else
				buf_putc(b, *v);
		}
		buf_putc(b, '\'');
	}
}

static int sh_set_one(const char *text, const char *key, const char *value, char **ret,
		      struct buf *err)
{
	struct buf old = BUF_INIT, quoted = BUF_INIT;
	struct edits e = {0};
	unsigned lineno = 0;
	bool found = false;
	size_t pos = 0;
	struct line l;
	int r = 0;

	while (next_line(text, &pos, &l)) {
		struct sh_assign a;

		lineno++;
		if (!sh_assignment(&l, &a))
			continue;
		/*
		 * A quote left open would make sh read the following lines
		 * as part of this value, so line by line is no longer what
		 * sh sees: refuse rather than edit the wrong thing.
		 */
		if (!a.val_end) {
			r = fail(err, "line %u: unterminated quote in the value of %.*s", lineno,
				 span_len(a.key, a.key_end), a.key);
			goto out;
		}
		if (!span_is(a.key, a.key_end, key))
			continue;
		found = true;
		buf_reset(&old);
		sh_word(a.val, a.val_end, &old);
		if (strcmp(old.data ? old.data : "", value) == 0)
			continue;
		buf_reset(&quoted);
		sh_quote(&quoted, value, *a.val == '\'' || *a.val == '"' ? *a.val : 0);
		edits_push(&e, (size_t)(a.val - text), (size_t)(a.val_end - a.val),
			   buf_detach(&quoted));
	}
	if (!found) {
		const char *eol = file_eol(text);
		size_t n = strlen(text);

		buf_reset(&quoted);
		if (n && text[n - 1] != '\n')
			buf_puts(&quoted, eol);
		buf_printf(&quoted, "%s=", key);
		sh_quote(&quoted, value, '\'');
		buf_puts(&quoted, eol);
		edits_push(&e, n, 0, buf_detach(&quoted));
	}
	*ret = edits_apply(text, &e);
out:
	edits_free(&e);
	buf_free(&old);
	buf_free(&quoted);
	return r;
}

int config_shell_vars_set(const char *text, const char *const *keys, const char *const *values,
			  size_t n, char **ret, struct buf *err)
{
	char *cur;

	for (size_t i = 0; i < n; i++) {
		if (!valid_name(keys[i]))
			return fail(err, "invalid variable name '%s'", keys[i] ? keys[i] : "");
		if (!values[i])
			return fail(err, "no value for %s", keys[i]);
		if (strpbrk(values[i], "\r\n"))
			return fail(err, "the value for %s contains a line break", keys[i]);
	}

	cur = xstrdup(text);
	for (size_t i = 0; i < n; i++) {
		char *next = NULL;
		int r = sh_set_one(cur, keys[i], values[i], &next, err);

		free(cur);
		if (r < 0)
			return r;
		cur = next;
	}
	*ret = cur;
	return 0;
}

char *config_shell_var_get(const char *text, const char *key)
{
	const char *val = NULL, *val_end = NULL;
	struct buf b = BUF_INIT;
	size_t pos = 0;
	struct line l;

	if (!valid_name(key))
		return NULL;
	/* As sh: the last assignment wins. */
	while (next_line(text, &pos, &l)) {
		struct sh_assign a;

		if (sh_assignment(&l, &a) && span_is(a.key, a.key_end, key)) {
			val = a.val;
			val_end = a.val_end;
		}
	}
	if (!val || !val_end)
		return NULL;
	sh_word(val, val_end, &b);
	return buf_detach(&b);
}

/* --- mdadm.conf ----------------------------------------------------------- */

char *config_mdadm_conf(const struct mdadm_conf_array *arrays, size_t n, const char *mailaddr,
			const char *program)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "# mdadm.conf written by xsraid: the arrays of this XenServer host.\n");
	buf_puts(&b, "DEVICE partitions\n");
	/*
	 * The field order of "mdadm --detail --scan" in mdadm 2.6, which
	 * CentOS 5 ships; mdadm 2.5 to 4.x all read level=, num-devices=,
	 * metadata= ("0.90", "1.0") and UUID=.
	 */
	for (size_t i = 0; i < n; i++) {
		const struct mdadm_conf_array *a = &arrays[i];

		buf_printf(&b, "ARRAY %s level=raid1", a->device);
		if (a->devices)
			buf_printf(&b, " num-devices=%u", a->devices);
		if (a->metadata)
			buf_printf(&b, " metadata=%s", a->metadata);
		if (a->uuid)
			buf_printf(&b, " UUID=%s", a->uuid);
		buf_putc(&b, '\n');
	}
	buf_puts(&b, "# mdadm's monitor (the mdmonitor service) mails MAILADDR and runs PROGRAM\n"
		     "# with the event, the array and the member on every failure or rebuild.\n");
	buf_printf(&b, "MAILADDR %s\n", mailaddr ? mailaddr : "root");
	if (program)
		buf_printf(&b, "PROGRAM %s\n", program);
	return buf_detach(&b);
}
