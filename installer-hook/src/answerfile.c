// SPDX-License-Identifier: GPL-2.0-only
#include "answerfile.h"

#include <ctype.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Answerfiles are a few KiB; anything this large is not one. */
#define ANSWERFILE_MAX (1024 * 1024)

static const char *const STAGES[] = {
	"installation-start",
	"filesystem-populated",
	"installation-complete",
};

const char *md_metadata_name(enum md_metadata m)
{
	return m == MD_METADATA_1_0 ? "1.0" : "0.90";
}

const char *md_bitmap_name(enum md_bitmap b)
{
	return b == MD_BITMAP_NONE ? "none" : "internal";
}

const char *wipe_policy_name(enum wipe_policy w)
{
	return w == WIPE_FORCE ? "force" : "refuse";
}

const char *sr_type_name(enum sr_type t)
{
	return t == SR_EXT ? "ext" : "lvm";
}

/* Context for one parse: the document name and where the first error goes. */
struct parse {
	const char *name;
	struct buf *err;
	struct answerfile *af;
};

static int __attribute__((format(printf, 3, 4)))
parse_error(struct parse *p, unsigned line, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_reset(p->err);
	buf_printf(p->err, "%s:%u: %s", p->name, line, msg);
	return -EINVAL;
}

static unsigned node_line(const xmlNode *n)
{
	long l = xmlGetLineNo(n);

	return l > 0 ? (unsigned)l : 1;
}

static bool name_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* Element text with surrounding white space removed, as xcp.xmlunwrap's getText does. */
static char *node_text(const xmlNode *n)
{
	xmlChar *c = xmlNodeGetContent(n);
	char *s = xstrdup(c ? str_strip((char *)c) : "");

	xmlFree(c);
	return s;
}

/* Attribute value, or NULL when absent. */
static char *attr(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s;

	if (!v)
		return NULL;
	s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

/* The first of several spellings that is present (6.0 accepts srtype and sr-type). */
static char *attr_any(const xmlNode *n, const char *a, const char *b)
{
	char *v = attr(n, a);

	return v ? v : attr(n, b);
}

/*
 * Descendants named @name in document order, like minidom's
 * getElementsByTagName, which the installer uses: an element is found at any
 * depth.
 */
static void collect(xmlNode *n, const char *name, xmlNode ***out, size_t *count)
{
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (name_is(c, name)) {
			*out = xrealloc(*out, (*count + 1) * sizeof(**out));
			(*out)[(*count)++] = c;
		}
		collect(c, name, out, count);
	}
}

static int parse_bool(struct parse *p, const xmlNode *n, const char *attr_name, bool def, bool *ret)
{
	char *v = attr(n, attr_name);
	int r = 0;

	if (!v)
		*ret = def;
	else if (!strcasecmp(v, "yes") || !strcasecmp(v, "true"))
		*ret = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false"))
		*ret = false;
	else
		r = parse_error(p, node_line(n), "%s=\"%s\" on <%s> must be yes or no", attr_name,
				v, (const char *)n->name);
	free(v);
	return r;
}

char *answerfile_normalize_disk(const char *text)
{
	const char *s = text;

	if (str_starts_with(s, "/dev/"))
		s += 5;
	if (!*s || *s == '/' || strlen(s) > 200)
		return NULL;
	for (const char *c = s; *c; c++) {
		if (!isalnum((unsigned char)*c) && !strchr("._:/-+@", *c))
			return NULL;
	}
	/* Components must be real names: no "..", no empty ones. */
	if (strstr(s, "//") || !strcmp(s, "..") || str_starts_with(s, "../") || strstr(s, "/../") ||
	    str_ends_with(s, "/..") || str_ends_with(s, "/"))
		return NULL;
	return xstrdup(s);
}

static int disk_from_text(struct parse *p, const xmlNode *n, const char *what, const char *text,
			  char **ret)
{
	char *d = answerfile_normalize_disk(text);

	if (!d)
		return parse_error(p, node_line(n),
				   "%s '%s' is not a disk name; write it like sda or "
				   "disk/by-id/ata-MODEL_SERIAL",
				   what, text);
	*ret = d;
	return 0;
}

static int parse_metadata(struct parse *p, const xmlNode *n, const char *an, enum md_metadata *ret)
{
	char *v = attr(n, an);
	int r = 0;

	if (!v)
		*ret = MD_METADATA_0_90;
	else if (!strcmp(v, "0.90") || !strcmp(v, "0.9"))
		*ret = MD_METADATA_0_90;
	else if (!strcmp(v, "1.0"))
		*ret = MD_METADATA_1_0;
	else
		r = parse_error(
			p, node_line(n),
			"%s=\"%s\" is not supported: use 0.90 (the default) or 1.0, which keep "
			"the superblock at the end where the BIOS boot chain needs it",
			an, v);
	free(v);
	return r;
}

static int parse_bitmap(struct parse *p, const xmlNode *n, const char *an, enum md_bitmap *ret)
{
	char *v = attr(n, an);
	int r = 0;

	if (!v || !strcmp(v, "internal"))
		*ret = MD_BITMAP_INTERNAL;
	else if (!strcmp(v, "none"))
		*ret = MD_BITMAP_NONE;
	else
		r = parse_error(p, node_line(n), "%s=\"%s\" must be internal or none", an, v);
	free(v);
	return r;
}

static int parse_wipe(struct parse *p, const xmlNode *n, const char *an, enum wipe_policy *ret)
{
	char *v = attr(n, an);
	int r = 0;

	if (!v || !strcmp(v, "refuse"))
		*ret = WIPE_REFUSE;
	else if (!strcmp(v, "force"))
		*ret = WIPE_FORCE;
	else
		r = parse_error(
			p, node_line(n),
			"%s=\"%s\" must be refuse (the default: a second disk that holds data "
			"is left alone) or force (erase it)",
			an, v);
	free(v);
	return r;
}

static int parse_sr_type_value(struct parse *p, const xmlNode *n, const char *an, const char *v,
			       enum sr_type *ret)
{
	if (!strcmp(v, "lvm"))
		*ret = SR_LVM;
	else if (!strcmp(v, "ext"))
		*ret = SR_EXT;
	else
		return parse_error(p, node_line(n), "%s=\"%s\" must be lvm or ext", an, v);
	return 0;
}

/* KiB/s, optionally with a K, M or G suffix (per second). */
static int parse_speed(struct parse *p, const xmlNode *n, const char *an, uint32_t *ret)
{
	char *orig = attr(n, an), *v;
	uint64_t mult = 1, val;
	int r = 0;

	*ret = 0;
	if (!orig)
		return 0;
	v = xstrdup(orig);
	size_t len = strlen(v);
	char last = len ? (char)toupper((unsigned char)v[len - 1]) : 0;
	if (last == 'K' || last == 'M' || last == 'G') {
		mult = last == 'K' ? 1 : last == 'M' ? 1024 : 1024 * 1024;
		v[len - 1] = '\0';
	}
	if (parse_u64(v, &val) < 0 || val == 0 || val * mult > UINT32_MAX)
		r = parse_error(p, node_line(n),
				"%s=\"%s\" must be a speed in KiB/s such as 200000, or 200M", an,
				orig);
	else
		*ret = (uint32_t)(val * mult);
	free(v);
	free(orig);
	return r;
}

/* Attributes allowed on the element that declares the mirror; anything else is a typo. */
static int check_attributes(struct parse *p, const xmlNode *n, const char *const *known,
			    size_t n_known, const char *prefix)
{
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		const char *an = (const char *)a->name;
		bool ok = false;

		if (prefix && !str_starts_with(an, prefix) && strcmp(an, "raid"))
			continue;
		for (size_t i = 0; i < n_known; i++)
			ok = ok || !strcmp(an, known[i]);
		if (!ok) {
			struct buf list = BUF_INIT;
			for (size_t i = 0; i < n_known; i++)
				buf_printf(&list, "%s%s", i ? ", " : "", known[i]);
			int r = parse_error(p, node_line(n),
					    "unknown attribute %s= on <%s>; known: %s", an,
					    (const char *)n->name, list.data);
			buf_free(&list);
			return r;
		}
	}
	return 0;
}

/* Where reports go: an http or https URL (xsraid PUTs to it), nothing else. */
static int parse_report_url(struct parse *p, const xmlNode *n, const char *an, char **ret)
{
	char *v = attr(n, an);
	bool ok;

	*ret = NULL;
	if (!v)
		return 0;
	ok = (str_starts_with(v, "http://") && v[7]) || (str_starts_with(v, "https://") && v[8]);
	for (const char *c = v; *c && ok; c++)
		ok = (unsigned char)*c > ' ' && (unsigned char)*c < 0x7f;
	if (!ok || strlen(v) > 1024) {
		int r = parse_error(p, node_line(n),
				    "%s=\"%s\" must be an http:// or https:// URL without spaces, "
				    "where xsraid PUTs its report",
				    an, v);
		free(v);
		return r;
	}
	*ret = v;
	return 0;
}

static int parse_settings(struct parse *p, const xmlNode *n, const char *prefix,
			  struct raid_settings *rs)
{
	char name[7][32];
	static const char *const base[] = {"metadata",	   "bitmap", "wipe",	    "sr-type",
					   "resync-speed", "report", "report-final"};
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(base); i++)
		snprintf(name[i], sizeof(name[i]), "%s%s", prefix, base[i]);
	r = parse_metadata(p, n, name[0], &rs->metadata);
	if (r == 0)
		r = parse_bitmap(p, n, name[1], &rs->bitmap);
	if (r == 0)
		r = parse_wipe(p, n, name[2], &rs->wipe);
	if (r == 0) {
		char *v = attr(n, name[3]);
		rs->sr_type = p->af->srtype;
		if (v)
			r = parse_sr_type_value(p, n, name[3], v, &rs->sr_type);
		free(v);
	}
	if (r == 0)
		r = parse_speed(p, n, name[4], &rs->resync_speed_kib);
	if (r == 0)
		r = parse_report_url(p, n, name[5], &rs->report_url);
	if (r == 0)
		r = parse_report_url(p, n, name[6], &rs->report_final_url);
	return r;
}

static int parse_raid_element(struct parse *p, xmlNode *n)
{
	static const char *const known[] = {"device",  "metadata",     "bitmap", "wipe",
					    "sr-type", "resync-speed", "report", "report-final"};
	struct raid_settings *rs = &p->af->raid;
	xmlNode **disks = NULL;
	size_t n_disks = 0;
	char *dev;
	int r;

	r = check_attributes(p, n, known, ARRAY_SIZE(known), NULL);
	if (r < 0)
		return r;
	dev = attr(n, "device");
	if (!dev) {
		return parse_error(
			p, node_line(n),
			"<raid> has no device= attribute; write <raid device=\"md127\">");
	}
	rs->device = answerfile_normalize_disk(dev);
	if (!rs->device || !str_starts_with(rs->device, "md")) {
		r = parse_error(p, node_line(n), "<raid device=\"%s\"> is not an md device name",
				dev);
		free(dev);
		return r;
	}
	free(dev);
	rs->syntax = RAID_SYNTAX_ELEMENT;
	rs->line = node_line(n);
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!name_is(c, "disk")) {
			r = parse_error(p, node_line(c),
					"<raid> may only contain <disk> elements, not <%s>",
					(const char *)c->name);
			goto out;
		}
		disks = xrealloc(disks, (n_disks + 1) * sizeof(*disks));
		disks[n_disks++] = c;
	}
	if (n_disks != 2) {
		r = parse_error(
			p, rs->line,
			"<raid> lists %zu <disk> elements; xsraid mirrors exactly two disks",
			n_disks);
		goto out;
	}
	for (size_t i = 0; i < 2; i++) {
		char *t = node_text(disks[i]);
		r = disk_from_text(p, disks[i], "<disk>", t, &rs->disks[i]);
		free(t);
		if (r < 0)
			goto out;
	}
	r = parse_settings(p, n, "", rs);
out:
	free(disks);
	return r;
}

static int parse_primary_disk_raid(struct parse *p, xmlNode *pd)
{
	static const char *const known[] = {"raid",	   "raid-metadata",    "raid-bitmap",
					    "raid-wipe",   "raid-sr-type",     "raid-resync-speed",
					    "raid-report", "raid-report-final"};
	struct raid_settings *rs = &p->af->raid;
	char *second;
	int r;

	r = check_attributes(p, pd, known, ARRAY_SIZE(known), "raid");
	if (r < 0)
		return r;
	second = attr(pd, "raid");
	if (!second) {
		for (const xmlAttr *a = pd->properties; a; a = a->next)
			if (str_starts_with((const char *)a->name, "raid-"))
				return parse_error(p, node_line(pd),
						   "%s= needs raid=\"DISK\" on <primary-disk> to "
						   "name the second disk",
						   (const char *)a->name);
		return 0;
	}
	if (rs->syntax != RAID_SYNTAX_NONE) {
		free(second);
		return parse_error(p, node_line(pd),
				   "raid= on <primary-disk> and a <raid> element both declare a "
				   "mirror; keep one of them");
	}
	rs->syntax = RAID_SYNTAX_ATTRIBUTE;
	rs->line = node_line(pd);
	rs->disks[0] = xstrdup(p->af->primary_disk);
	r = disk_from_text(p, pd, "raid=", second, &rs->disks[1]);
	free(second);
	if (r < 0)
		return r;
	return parse_settings(p, pd, "raid-", rs);
}

static int parse_scripts(struct parse *p, xmlNode *root)
{
	static const struct {
		const char *element, *stage;
	} legacy[] = {
		{"post-install-script", "filesystem-populated"},
		{"install-failed-script", "installation-complete"},
	};
	struct answerfile *af = p->af;
	xmlNode **nodes = NULL;
	size_t n = 0;
	int r = 0;

	collect(root, "script", &nodes, &n);
	for (size_t i = 0; i < ARRAY_SIZE(legacy); i++)
		collect(root, legacy[i].element, &nodes, &n);
	af->scripts = xcalloc(n, sizeof(*af->scripts));
	for (size_t i = 0; i < n; i++) {
		struct answerfile_script *s = &af->scripts[af->n_scripts];
		const char *fixed_stage = NULL;

		for (size_t j = 0; j < ARRAY_SIZE(legacy); j++)
			if (name_is(nodes[i], legacy[j].element))
				fixed_stage = legacy[j].stage;
		s->line = node_line(nodes[i]);
		s->stage = fixed_stage ? xstrdup(fixed_stage) : attr(nodes[i], "stage");
		s->type = attr(nodes[i], "type");
		s->url = node_text(nodes[i]);
		af->n_scripts++;
		if (!s->stage) {
			r = parse_error(p, s->line, "<script> has no stage= attribute");
			break;
		}
		bool known = false;
		for (size_t j = 0; j < ARRAY_SIZE(STAGES); j++)
			known = known || !strcmp(s->stage, STAGES[j]);
		if (!known) {
			r = parse_error(
				p, s->line,
				"<script stage=\"%s\"> is not a stage the installer runs; use "
				"installation-start, filesystem-populated or "
				"installation-complete",
				s->stage);
			break;
		}
		if (!s->type)
			s->type = xstrdup("url");
		if (strcmp(s->type, "url") && strcmp(s->type, "nfs")) {
			r = parse_error(p, s->line, "<script type=\"%s\"> must be url or nfs",
					s->type);
			break;
		}
		if (!*s->url) {
			r = parse_error(p, s->line, "<script> names no URL");
			break;
		}
	}
	free(nodes);
	return r;
}

static int find_one(struct parse *p, xmlNode *root, const char *name, xmlNode **ret)
{
	xmlNode **nodes = NULL;
	size_t n = 0;

	collect(root, name, &nodes, &n);
	*ret = n ? nodes[0] : NULL;
	if (n > 1) {
		unsigned line = node_line(nodes[1]);
		free(nodes);
		return parse_error(p, line, "<%s> appears more than once", name);
	}
	free(nodes);
	return 0;
}

static int parse_document(struct parse *p, xmlDoc *doc)
{
	struct answerfile *af = p->af;
	xmlNode *root = xmlDocGetRootElement(doc), *pd = NULL, *raid = NULL;
	char *v;
	int r;

	if (!root)
		return parse_error(p, 1, "the document has no root element");
	af->root = xstrdup((const char *)root->name);
	if (strcmp(af->root, "installation") && strcmp(af->root, "upgrade"))
		return parse_error(
			p, node_line(root),
			"root element <%s> is not an installation answerfile; it must be "
			"<installation>",
			af->root);

	af->mode = attr(root, "mode");
	if (!af->mode)
		af->mode = xstrdup(strcmp(af->root, "upgrade") ? "fresh" : "upgrade");
	if (strcmp(af->mode, "fresh") && strcmp(af->mode, "reinstall") &&
	    strcmp(af->mode, "upgrade"))
		return parse_error(p, node_line(root),
				   "mode=\"%s\" on <%s> must be fresh, reinstall or upgrade",
				   af->mode, af->root);

	v = attr_any(root, "srtype", "sr-type");
	af->srtype = SR_LVM; /* 6.0's default */
	af->srtype_given = v != NULL;
	r = v ? parse_sr_type_value(p, root, "srtype", v, &af->srtype) : 0;
	free(v);
	if (r < 0)
		return r;

	r = find_one(p, root, "primary-disk", &pd);
	if (r == 0)
		r = find_one(p, root, "raid", &raid);
	if (r < 0)
		return r;

	if (pd) {
		char *t = node_text(pd);
		af->primary_disk_line = node_line(pd);
		r = disk_from_text(p, pd, "<primary-disk>", t, &af->primary_disk);
		free(t);
		if (r == 0)
			r = parse_bool(p, pd, "guest-storage", true, &af->guest_storage);
		if (r == 0 && !xmlHasProp(pd, (const xmlChar *)"guest-storage"))
			r = parse_bool(p, pd, "gueststorage", true, &af->guest_storage);
		if (r < 0)
			return r;
	} else if (strcmp(af->mode, "upgrade")) {
		return parse_error(p, node_line(root),
				   "<%s mode=\"%s\"> has no <primary-disk>; add "
				   "<primary-disk>sda</primary-disk>",
				   af->root, af->mode);
	}

	if (raid) {
		r = parse_raid_element(p, raid);
		if (r < 0)
			return r;
	}
	if (pd) {
		r = parse_primary_disk_raid(p, pd);
		if (r < 0)
			return r;
	}

	xmlNode **gds = NULL;
	size_t n_gds = 0;
	collect(root, "guest-disk", &gds, &n_gds);
	for (size_t i = 0; i < n_gds && r == 0; i++) {
		char *t = node_text(gds[i]), *d = NULL;
		r = disk_from_text(p, gds[i], "<guest-disk>", t, &d);
		if (r == 0)
			strv_push(&af->guest_disks, d);
		free(t);
		free(d);
	}
	free(gds);
	if (r == 0)
		r = parse_scripts(p, root);
	if (r < 0)
		return r;

	return 0;
}

/* Rules that only concern the RAID extension, checked once everything is parsed. */
static int check_raid(struct parse *p)
{
	struct answerfile *af = p->af;
	struct raid_settings *rs = &af->raid;

	if (rs->syntax == RAID_SYNTAX_NONE)
		return 0;
	if (strcmp(af->mode, "fresh"))
		return parse_error(
			p, rs->line,
			"mode=\"%s\" cannot be mirrored: xsraid converts fresh installs "
			"only (a reinstall's backup on partition 2 and an upgrade's layout "
			"are not carried over); use mode=\"fresh\"",
			af->mode);
	if (rs->syntax == RAID_SYNTAX_ELEMENT &&
	    (!af->primary_disk || strcmp(af->primary_disk, rs->device)))
		return parse_error(p, af->primary_disk_line ? af->primary_disk_line : rs->line,
				   "<primary-disk> is '%s' but <raid device=\"%s\"> declares the "
				   "mirror; write <primary-disk>%s</primary-disk>",
				   af->primary_disk ? af->primary_disk : "", rs->device,
				   rs->device);
	if (!strcmp(rs->disks[0], rs->disks[1]))
		return parse_error(p, rs->line,
				   "the mirror names disk '%s' twice; name two different disks",
				   rs->disks[0]);
	for (size_t i = 0; i < af->guest_disks.n; i++)
		for (size_t j = 0; j < 2; j++)
			if (!strcmp(af->guest_disks.v[i], rs->disks[j]))
				return parse_error(p, rs->line,
						   "disk '%s' is both a mirror member and a "
						   "<guest-disk>; remove one of them",
						   rs->disks[j]);
	return 0;
}

/* libxml2 reports through a global handler; keep only the first error. */
struct xml_errors {
	bool have;
	unsigned line;
	char msg[512];
};

static void xml_error_handler(void *ctx, xmlErrorPtr e)
{
	struct xml_errors *xe = ctx;

	if (xe->have || !e || e->level < XML_ERR_ERROR)
		return;
	xe->have = true;
	xe->line = e->line > 0 ? (unsigned)e->line : 1;
	str_copy(xe->msg, sizeof(xe->msg), e->message ? e->message : "malformed XML");
	str_strip(xe->msg);
}

static unsigned line_of(const char *data, size_t off)
{
	unsigned line = 1;

	for (size_t i = 0; i < off; i++)
		line += data[i] == '\n';
	return line;
}

static const char *find_bytes(const char *hay, size_t len, const char *needle)
{
	size_t nl = strlen(needle);

	for (size_t i = 0; i + nl <= len; i++)
		if (!memcmp(hay + i, needle, nl))
			return hay + i;
	return NULL;
}

int answerfile_parse(const char *data, size_t len, const char *name, struct answerfile *ret,
		     struct buf *err)
{
	struct answerfile af = {0};
	struct parse p = {.name = name, .err = err, .af = &af};
	struct xml_errors xe = {0};
	struct buf why = BUF_INIT;
	xmlParserCtxt *ctxt = NULL;
	xmlDoc *doc = NULL;
	const char *hit;
	unsigned line;
	int r;

	af.name = xstrdup(name);
	if (len > ANSWERFILE_MAX) {
		r = parse_error(&p, 1, "%zu bytes is too large for an answerfile (limit %d)", len,
				ANSWERFILE_MAX);
		goto out;
	}
	if (memchr(data, '\0', len)) {
		r = parse_error(
			&p, line_of(data, (size_t)((const char *)memchr(data, '\0', len) - data)),
			"contains a NUL byte: this is not a text answerfile");
		goto out;
	}
	line = answerfile_find_template(data, len, &why);
	if (line) {
		r = parse_error(&p, line, "%s", why.data);
		goto out;
	}
	hit = find_bytes(data, len, "<!DOCTYPE");
	if (!hit)
		hit = find_bytes(data, len, "<!ENTITY");
	if (hit) {
		r = parse_error(&p, line_of(data, (size_t)(hit - data)),
				"document type and entity declarations are not allowed in an "
				"answerfile; remove them");
		goto out;
	}

	ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		r = parse_error(&p, 1, "cannot allocate an XML parser");
		goto out;
	}
	xmlSetStructuredErrorFunc(&xe, xml_error_handler);
	/* No NOENT (entities stay unexpanded), no DTDLOAD/DTDATTR, no XInclude, no network. */
	doc = xmlCtxtReadMemory(ctxt, data, (int)len, name, NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
					XML_PARSE_NOCDATA);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (!doc || xe.have) {
		r = parse_error(&p, xe.have ? xe.line : 1, "malformed XML: %s",
				xe.have ? xe.msg : "cannot be parsed");
		goto out;
	}
	if (doc->intSubset || doc->extSubset) {
		r = parse_error(&p, 1,
				"document type declarations are not allowed in an answerfile");
		goto out;
	}
	r = parse_document(&p, doc);
	if (r == 0)
		r = check_raid(&p);
out:
	if (doc)
		xmlFreeDoc(doc);
	if (ctxt)
		xmlFreeParserCtxt(ctxt);
	buf_free(&why);
	if (r < 0) {
		answerfile_free(&af);
		return r;
	}
	*ret = af;
	return 0;
}

void answerfile_free(struct answerfile *a)
{
	free(a->name);
	free(a->root);
	free(a->mode);
	free(a->primary_disk);
	strv_free(&a->guest_disks);
	for (size_t i = 0; i < a->n_scripts; i++) {
		free(a->scripts[i].stage);
		free(a->scripts[i].type);
		free(a->scripts[i].url);
	}
	free(a->scripts);
	free(a->raid.device);
	free(a->raid.disks[0]);
	free(a->raid.disks[1]);
	free(a->raid.report_url);
	free(a->raid.report_final_url);
	memset(a, 0, sizeof(*a));
}

bool answerfile_has_script(const struct answerfile *a, const char *stage, const char *hook_url)
{
	for (size_t i = 0; i < a->n_scripts; i++)
		if (!strcmp(a->scripts[i].stage, stage) && !strcmp(a->scripts[i].url, hook_url))
			return true;
	return false;
}

static void json_str_or_null(struct buf *b, const char *s)
{
	if (s)
		json_quote(b, s);
	else
		buf_puts(b, "null");
}

void answerfile_to_json(const struct answerfile *a, struct buf *b)
{
	const struct raid_settings *rs = &a->raid;

	buf_puts(b, "{\n  \"answerfile\": ");
	json_quote(b, a->name);
	buf_puts(b, ",\n  \"root\": ");
	json_quote(b, a->root);
	buf_puts(b, ",\n  \"mode\": ");
	json_quote(b, a->mode);
	buf_puts(b, ",\n  \"primary_disk\": ");
	json_str_or_null(b, a->primary_disk);
	buf_printf(b, ",\n  \"guest_storage\": %s", a->guest_storage ? "true" : "false");
	buf_printf(b, ",\n  \"srtype\": \"%s\"", sr_type_name(a->srtype));
	buf_puts(b, ",\n  \"guest_disks\": [");
	for (size_t i = 0; i < a->guest_disks.n; i++) {
		buf_puts(b, i ? ", " : "");
		json_quote(b, a->guest_disks.v[i]);
	}
	buf_puts(b, "],\n  \"scripts\": [");
	for (size_t i = 0; i < a->n_scripts; i++) {
		buf_puts(b, i ? ",\n    " : "\n    ");
		buf_puts(b, "{\"stage\": ");
		json_quote(b, a->scripts[i].stage);
		buf_puts(b, ", \"type\": ");
		json_quote(b, a->scripts[i].type);
		buf_puts(b, ", \"url\": ");
		json_quote(b, a->scripts[i].url);
		buf_printf(b, ", \"line\": %u}", a->scripts[i].line);
	}
	buf_puts(b, a->n_scripts ? "\n  ],\n  \"raid\": " : "],\n  \"raid\": ");
	if (rs->syntax == RAID_SYNTAX_NONE) {
		buf_puts(b, "null\n}\n");
		return;
	}
	buf_printf(b, "{\n    \"syntax\": \"%s\",\n    \"line\": %u,\n    \"device\": ",
		   rs->syntax == RAID_SYNTAX_ELEMENT ? "raid-element" : "raid-attribute", rs->line);
	json_str_or_null(b, rs->device);
	buf_puts(b, ",\n    \"disks\": [");
	json_quote(b, rs->disks[0]);
	buf_puts(b, ", ");
	json_quote(b, rs->disks[1]);
	buf_printf(b,
		   "],\n    \"metadata\": \"%s\",\n    \"bitmap\": \"%s\",\n    \"wipe\": \"%s\",\n"
		   "    \"sr_type\": \"%s\",\n    \"resync_speed_kib\": %u,\n    \"report\": ",
		   md_metadata_name(rs->metadata), md_bitmap_name(rs->bitmap),
		   wipe_policy_name(rs->wipe), sr_type_name(rs->sr_type), rs->resync_speed_kib);
	json_str_or_null(b, rs->report_url);
	buf_puts(b, ",\n    \"report_final\": ");
	json_str_or_null(b, rs->report_final_url);
	buf_puts(b, "\n  }\n}\n");
}

/* --- unrendered templates --------------------------------------------------- */

static const char *const CHEETAH_DIRECTIVES[] = {
	"if",
	"else",
	"elif",
	"end",
	"set",
	"for",
	"while",
	"include",
	"import",
	"from",
	"raw",
	"def",
	"block",
	"slurp",
	"silent",
	"echo",
	"extends",
	"attr",
	"call",
	"filter",
	"cache",
	"unless",
	"stop",
	"return",
	"break",
	"continue",
	"pass",
	"try",
	"except",
	"finally",
	"compiler-settings",
};

static bool is_ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

/*
 * Looks at one line (without its newline).  @masked marks bytes inside a
 * root password, whose crypt(3) hash ("$6$salt$...") looks like a
 * placeholder but is not one.
 */
static bool template_in_line(const char *s, size_t len, const bool *masked, struct buf *why)
{
	size_t i = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i + 1 < len && s[i] == '#' && !masked[i]) {
		size_t j = i + 1, k;
		for (k = j; k < len && (isalnum((unsigned char)s[k]) || s[k] == '-'); k++)
			;
		for (size_t d = 0; d < ARRAY_SIZE(CHEETAH_DIRECTIVES); d++) {
			if (strlen(CHEETAH_DIRECTIVES[d]) == k - j &&
			    !strncmp(s + j, CHEETAH_DIRECTIVES[d], k - j)) {
				buf_printf(why,
					   "unrendered template: Cheetah directive '#%.*s'; render "
					   "the template before handing it to the installer",
					   (int)(k - j), s + j);
				return true;
			}
		}
	}
	for (i = 0; i < len; i++) {
		if (masked[i])
			continue;
		const char *kind = NULL;
		size_t show = 0;
		if (s[i] == '$' && i + 1 < len && (s[i + 1] == '{' || is_ident_start(s[i + 1]))) {
			kind = "placeholder";
			for (show = 2; i + show < len && (isalnum((unsigned char)s[i + show]) ||
							  strchr("_.{}", s[i + show]));
			     show++)
				;
		} else if (i + 1 < len && s[i] == '{' && (s[i + 1] == '{' || s[i + 1] == '%')) {
			kind = "Jinja tag";
		} else if (i + 1 < len && s[i] == '<' && s[i + 1] == '%') {
			kind = "ERB tag";
		} else if (i + 2 < len && s[i] == '#' && s[i + 1] == '#' &&
			   (isupper((unsigned char)s[i + 2]) || s[i + 2] == '_')) {
			size_t k = i + 2;
			while (k < len && (isupper((unsigned char)s[k]) ||
					   isdigit((unsigned char)s[k]) || s[k] == '_'))
				k++;
			if (k + 1 < len && s[k] == '#' && s[k + 1] == '#') {
				kind = "token";
				show = k + 2 - i;
			}
		}
		if (!kind)
			continue;
		if (!show) {
			const char *close = NULL;
			for (size_t k = i + 2; k + 1 < len && !close; k++)
				if ((s[k] == '}' || s[k] == '%') &&
				    (s[k + 1] == '}' || s[k + 1] == '>'))
					close = s + k + 2;
			show = close ? (size_t)(close - (s + i)) : len - i;
		}
		if (show > 40)
			show = 40;
		buf_printf(
			why,
			"unrendered template: %s '%.*s'; render the template before handing it to "
			"the installer",
			kind, (int)show, s + i);
		return true;
	}
	return false;
}

unsigned answerfile_find_template(const char *data, size_t len, struct buf *why)
{
	bool *masked = xcalloc(len + 1, sizeof(bool));
	const char *p = data, *end = data + len;
	unsigned line = 1, found = 0;

	/* Mask the contents of every <root-password ...>...</root-password>. */
	while ((p = find_bytes(p, (size_t)(end - p), "<root-password"))) {
		const char *open_end = memchr(p, '>', (size_t)(end - p));
		if (!open_end)
			break;
		const char *close =
			find_bytes(open_end, (size_t)(end - open_end), "</root-password");
		if (!close)
			close = end;
		for (const char *c = open_end + 1; c < close; c++)
			masked[c - data] = true;
		p = close;
	}
	for (const char *s = data; s < end && !found; line++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if (template_in_line(s, l, masked + (s - data), why))
			found = line;
		s += l + 1;
	}
	free(masked);
	return found;
}

/* --- the rewritten answerfile for the stock installer ------------------------- */

/*
 * A small scanner over the raw text that skips comments, CDATA sections,
 * processing instructions and declarations, so byte offsets of tags can be
 * found in a document libxml2 has already accepted as well-formed.
 */
struct tag {
	size_t start; /* offset of '<' */
	size_t end;   /* offset just past '>' */
	bool closing;
	bool self_closing;
	char name[64];
};

static bool next_tag(const char *d, size_t len, size_t *pos, struct tag *t)
{
	size_t i = *pos;

	while (i < len) {
		const char *lt = memchr(d + i, '<', len - i);
		if (!lt)
			return false;
		i = (size_t)(lt - d);
		const char *skip_to = NULL;
		if (len - i >= 4 && !memcmp(d + i, "<!--", 4))
			skip_to = "-->";
		else if (len - i >= 9 && !memcmp(d + i, "<![CDATA[", 9))
			skip_to = "]]>";
		else if (len - i >= 2 && d[i + 1] == '?')
			skip_to = "?>";
		else if (len - i >= 2 && d[i + 1] == '!')
			skip_to = ">";
		if (skip_to) {
			const char *e = find_bytes(d + i, len - i, skip_to);
			if (!e)
				return false;
			i = (size_t)(e - d) + strlen(skip_to);
			continue;
		}
		t->start = i;
		t->closing = d[i + 1] == '/';
		size_t n = i + 1 + (t->closing ? 1 : 0), k = 0;
		while (n < len && !isspace((unsigned char)d[n]) && d[n] != '>' && d[n] != '/') {
			if (k + 1 < sizeof(t->name))
				t->name[k++] = d[n];
			n++;
		}
		t->name[k] = '\0';
		/* Find the closing '>' outside quoted attribute values. */
		char quote = 0;
		for (; n < len; n++) {
			if (quote) {
				if (d[n] == quote)
					quote = 0;
			} else if (d[n] == '"' || d[n] == '\'') {
				quote = d[n];
			} else if (d[n] == '>') {
				break;
			}
		}
		if (n >= len)
			return false;
		t->self_closing = d[n - 1] == '/';
		t->end = n + 1;
		*pos = t->end;
		return true;
	}
	return false;
}

int answerfile_for_stock_installer(const char *data, size_t len, const char *name,
				   const char *hook_url, struct buf *ret, struct buf *err)
{
	static const char *const hook_stages[] = {"filesystem-populated", "installation-complete"};
	struct answerfile af;
	struct buf out = BUF_INIT;
	size_t pos = 0, pd_open = 0, pd_close = 0, root_close = 0;
	bool in_pd = false, have_pd = false;
	struct tag t;
	int r;

	r = answerfile_parse(data, len, name, &af, err);
	if (r < 0)
		return r;

	while (next_tag(data, len, &pos, &t)) {
		if (!strcmp(t.name, "primary-disk") && !t.closing && !t.self_closing && !have_pd) {
			pd_open = t.end;
			in_pd = true;
		} else if (in_pd && !strcmp(t.name, "primary-disk") && t.closing) {
			pd_close = t.start;
			in_pd = false;
			have_pd = true;
		} else if (in_pd) {
			r = -EINVAL;
			buf_printf(err, "%s:%u: <primary-disk> must contain only the disk name",
				   name, line_of(data, t.start));
			goto out;
		}
		if (t.closing && !strcmp(t.name, af.root))
			root_close = t.start;
	}
	if (!root_close) {
		r = -EINVAL;
		buf_printf(err, "%s: cannot find the closing </%s> tag", name, af.root);
		goto out;
	}

	if (af.raid.syntax == RAID_SYNTAX_ELEMENT && have_pd) {
		buf_append(&out, data, pd_open);
		buf_puts(&out, af.raid.disks[0]);
		buf_append(&out, data + pd_close, root_close - pd_close);
	} else {
		buf_append(&out, data, root_close);
	}
	if (af.raid.syntax != RAID_SYNTAX_NONE) {
		for (size_t i = 0; i < ARRAY_SIZE(hook_stages); i++) {
			if (answerfile_has_script(&af, hook_stages[i], hook_url))
				continue;
			/* Keep the closing tag's indentation: the hook goes on its own line. */
			if (out.len && out.data[out.len - 1] != '\n' &&
			    out.data[out.len - 1] != ' ' && out.data[out.len - 1] != '\t')
				buf_putc(&out, '\n');
			buf_printf(&out, "  <script stage=\"%s\" type=\"url\">", hook_stages[i]);
			for (const char *c = hook_url; *c; c++) {
				if (*c == '&')
					buf_puts(&out, "&amp;");
				else if (*c == '<')
					buf_puts(&out, "&lt;");
				else
					buf_putc(&out, *c);
			}
			buf_puts(&out, "</script>\n");
		}
	}
	buf_append(&out, data + root_close, len - root_close);
	buf_free(ret);
	*ret = out;
	out = (struct buf)BUF_INIT;
out:
	buf_free(&out);
	answerfile_free(&af);
	return r;
}
