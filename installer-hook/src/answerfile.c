// SPDX-License-Identifier: GPL-2.0-only
#include "answerfile.h"

#include <ctype.h>
#include <errno.h>
#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The udev link directories that name a disk (and not a filesystem, as by-uuid does). */
static const char *const DISK_LINK_DIRS[] = {"disk/by-id/", "disk/by-path/"};

/* Values quoted in messages are cut to this many bytes, so the fix stays on the line. */
#define SHOWN 80

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

static const char *const CHECK_NAMES[] = {"weekly", "monthly", "none"};

static const char *const COPY_NAMES[] = {"files", "blocks"};

const char *root_copy_name(enum root_copy c)
{
	return (unsigned)c < ARRAY_SIZE(COPY_NAMES) ? COPY_NAMES[c] : "?";
}

const char *md_check_name(enum md_check c)
{
	return (unsigned)c < ARRAY_SIZE(CHECK_NAMES) ? CHECK_NAMES[c] : "?";
}

/* Context for one parse: the document name and where the first error goes. */
struct parse {
	const char *name;
	struct buf *err;
	struct answerfile *af;
	xmlNode **guest_disks; /* checked as disk names only when they matter: with a mirror */
	size_t n_guest_disks;
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
	buf_printf(p->err, "%s:%u: ", p->name, line);
	/* Values from the file may hold line breaks (&#10;) or a URL's password. */
	buf_put_display(p->err, msg, sizeof(msg));
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

/*
 * Cuts @s, a value about to be quoted in an error message, to SHOWN bytes
 * and "...", so that the message keeps its fix.
 */
static const char *clip(char *s)
{
	size_t cut = SHOWN - 3;

	if (strlen(s) <= SHOWN)
		return s;
	while (cut && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--; /* not inside a UTF-8 sequence */
	memcpy(s + cut, "...", 4);
	return s;
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
				clip(v), (const char *)n->name);
	free(v);
	return r;
}

/* One component of a udev link name: what udev writes for model, serial or path. */
static bool link_name(const char *s)
{
	if (!isalnum((unsigned char)s[0]))
		return false;
	for (const char *c = s; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("._:-+@", *c))
			return false;
	return true;
}

char *answerfile_normalize_disk(const char *text, char *why, size_t whylen)
{
	const char *s = text, *slash;

	if (str_starts_with(s, "/dev/"))
		s += 5;
	for (const char *c = s; *c; c++) {
		if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f) {
			snprintf(why, whylen, "it contains the byte 0x%02x", (unsigned char)*c);
			return NULL;
		}
		if (!isalnum((unsigned char)*c) && !strchr("._:-+@/", *c)) {
			snprintf(why, whylen, "it contains '%c'", *c);
			return NULL;
		}
	}
	if (!*s) {
		snprintf(why, whylen, "it is empty");
		return NULL;
	}
	if (strlen(s) > 200) {
		snprintf(why, whylen, "it is longer than 200 characters");
		return NULL;
	}
	if (strstr(s, "..")) {
		/* Harmless inside a by-id name, but never needed, and ".." must not reach a path.
		 */
		snprintf(why, whylen, "it contains '..'");
		return NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(DISK_LINK_DIRS); i++)
		if (str_starts_with(s, DISK_LINK_DIRS[i])) {
			const char *n = s + strlen(DISK_LINK_DIRS[i]);
			if (link_name(n))
				return xstrdup(s);
			snprintf(why, whylen, "%s must be followed by one link name",
				 DISK_LINK_DIRS[i]);
			return NULL;
		}
	slash = strchr(s, '/');
	if (disk_kernel_name(s))
		return xstrdup(s);
	snprintf(why, whylen, "%s",
		 slash ? "only cciss/, ida/, rd/, disk/by-id/ and disk/by-path/ names have a '/'"
		       : "kernel names are lower-case letters and digits");
	return NULL;
}

/* Checks the disk named in attribute @attr_name of @n, or in its text when @attr_name is NULL. */
static int disk_from_text(struct parse *p, const xmlNode *n, const char *attr_name,
			  const char *text, char **ret)
{
	char why[96];
	char *d = answerfile_normalize_disk(text, why, sizeof(why));

	if (d) {
		*ret = d;
		return 0;
	}
	if (attr_name)
		return parse_error(p, node_line(n),
				   "%s=\"%.*s\" on <%s> is not a disk name (%s); write a kernel "
				   "name such as sdb or a link such as disk/by-id/ata-MODEL_SERIAL",
				   attr_name, SHOWN, text, (const char *)n->name, why);
	return parse_error(p, node_line(n),
			   "<%s>%.*s</%s> is not a disk name (%s); write a kernel name such as "
			   "sdb or a link such as disk/by-id/ata-MODEL_SERIAL",
			   (const char *)n->name, SHOWN, text, (const char *)n->name, why);
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
			an, clip(v));
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
		r = parse_error(p, node_line(n), "%s=\"%s\" must be internal or none", an, clip(v));
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
			an, clip(v));
	free(v);
	return r;
}

static int parse_sr_type_value(struct parse *p, const xmlNode *n, const char *an, char *v,
			       enum sr_type *ret)
{
	if (!strcmp(v, "lvm"))
		*ret = SR_LVM;
	else if (!strcmp(v, "ext"))
		*ret = SR_EXT;
	else
		return parse_error(p, node_line(n), "%s=\"%s\" must be lvm or ext", an, clip(v));
	return 0;
}

/*
 * KiB/s, optionally with a K, M or G suffix (per second), up to what the
 * kernel's speed_limit_max (an int) takes.
 */
static int parse_speed(struct parse *p, const xmlNode *n, const char *an, uint32_t *ret)
{
	const uint64_t max = INT32_MAX;
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
	int pr = parse_u64(v, &val);
	if (pr == -EINVAL || (pr == 0 && val == 0))
		r = parse_error(p, node_line(n),
				"%s=\"%.*s\" must be a speed in KiB/s such as 200000, or 200M", an,
				SHOWN, orig);
	else if (pr < 0 || val > max / mult)
		r = parse_error(p, node_line(n),
				"%s=\"%.*s\" is too fast: the kernel takes at most %llu KiB/s "
				"(%lluG); write a speed such as 200M",
				an, SHOWN, orig, (unsigned long long)max,
				(unsigned long long)(max / (1024 * 1024)));
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
					    "unknown attribute %.*s= on <%s>; known: %s", SHOWN, an,
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

/* The characters of a mail address's local part and domain, as mdadm.conf may hold them. */
static bool mail_char(char c)
{
	return isalnum((unsigned char)c) || strchr("._%+-", c);
}

/*
 * One address or several separated by commas, as mdadm's MAILADDR takes
 * them: local@domain, or a local user such as root.  Nothing that could end
 * the line of mdadm.conf or start another word in it.
 */
static int parse_mailaddr(struct parse *p, const xmlNode *n, const char *an, char **ret)
{
	char *v = attr(n, an);
	const char *why = NULL;

	*ret = NULL;
	if (!v)
		return 0;
	bool start = true, at = false;
	for (const char *c = v; *c && !why; c++) {
		if (*c == ',') {
			why = start ? "an empty address" : NULL;
			start = true;
			at = false;
		} else if (*c == '@') {
			why = start || at ? "an '@' without a name before it, or a second one"
					  : NULL;
			at = true;
		} else if (!mail_char(*c)) {
			why = "a character that is not a letter, digit, '.', '_', '%', '+', '-', '@' "
			      "or ','";
		} else {
			start = false;
		}
	}
	if (!why && (start || strlen(v) > 200))
		why = start ? "an empty address" : "more than 200 characters";
	if (why) {
		int r = parse_error(p, node_line(n),
				    "%s=\"%.*s\" is not a mail address (%s); write one such as "
				    "ops@example.com, or several separated by commas",
				    an, SHOWN, v, why);
		free(v);
		return r;
	}
	*ret = v;
	return 0;
}

/* An absolute path to an executable on the installed system, one word in mdadm.conf. */
static int parse_program(struct parse *p, const xmlNode *n, const char *an, char **ret)
{
	char *v = attr(n, an);
	const char *why = NULL;

	*ret = NULL;
	if (!v)
		return 0;
	if (v[0] != '/')
		why = "it does not start with '/'";
	else if (strstr(v, "..") || strstr(v, "//") || str_ends_with(v, "/"))
		why = "it holds '..', '//' or ends in '/'";
	else if (strlen(v) > 200)
		why = "more than 200 characters";
	for (const char *c = v; *c && !why; c++)
		if (!isalnum((unsigned char)*c) && !strchr("/._+-", *c))
			why = "a character that is not a letter, digit, '/', '.', '_', '+' or '-'";
	if (why) {
		int r = parse_error(p, node_line(n),
				    "%s=\"%.*s\" is not a program path (%s); write the absolute "
				    "path of an executable on the installed system, such as "
				    "/usr/local/sbin/raid-alert",
				    an, SHOWN, v, why);
		free(v);
		return r;
	}
	*ret = v;
	return 0;
}

static int parse_check(struct parse *p, const xmlNode *n, const char *an, enum md_check *ret)
{
	char *v = attr(n, an);
	int r = -EINVAL;

	*ret = MD_CHECK_WEEKLY;
	if (!v)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(CHECK_NAMES) && r < 0; i++) {
		if (!strcmp(v, CHECK_NAMES[i])) {
			*ret = (enum md_check)i;
			r = 0;
		}
	}
	if (r < 0)
		r = parse_error(p, node_line(n),
				"%s=\"%s\" must be weekly (the default), monthly or none", an,
				clip(v));
	free(v);
	return r;
}

static int parse_copy(struct parse *p, const xmlNode *n, const char *an, enum root_copy *ret)
{
	char *v = attr(n, an);
	int r = 0;

	if (!v || !strcmp(v, "files"))
		*ret = ROOT_COPY_FILES;
	else if (!strcmp(v, "blocks"))
		*ret = ROOT_COPY_BLOCKS;
	else
		r = parse_error(p, node_line(n), "%s=\"%s\" must be files (the default) or blocks",
				an, clip(v));
	free(v);
	return r;
}

/* The settings, without their "raid-" prefix on <primary-disk>. */
static const char *const SETTINGS[] = {"metadata",     "bitmap", "wipe",	 "sr-type",
				       "resync-speed", "report", "report-final", "mailaddr",
				       "program",      "check",	 "copy"};

static int parse_settings(struct parse *p, const xmlNode *n, const char *prefix,
			  struct raid_settings *rs)
{
	char name[ARRAY_SIZE(SETTINGS)][32];
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(SETTINGS); i++)
		snprintf(name[i], sizeof(name[i]), "%s%s", prefix, SETTINGS[i]);
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
	if (r == 0)
		r = parse_mailaddr(p, n, name[7], &rs->mailaddr);
	if (r == 0)
		r = parse_program(p, n, name[8], &rs->program);
	if (r == 0)
		r = parse_check(p, n, name[9], &rs->check);
	if (r == 0)
		r = parse_copy(p, n, name[10], &rs->copy);
	return r;
}

static int parse_raid_element(struct parse *p, xmlNode *n)
{
	const char *known[ARRAY_SIZE(SETTINGS) + 1] = {"device"};
	struct raid_settings *rs = &p->af->raid;
	xmlNode **disks = NULL;
	size_t n_disks = 0;
	char *dev;
	int r;

	memcpy(known + 1, SETTINGS, sizeof(SETTINGS));
	r = check_attributes(p, n, known, ARRAY_SIZE(known), NULL);
	if (r < 0)
		return r;
	dev = attr(n, "device");
	if (!dev) {
		return parse_error(
			p, node_line(n),
			"<raid> has no device= attribute; write <raid device=\"md127\">");
	}
	const char *name = str_starts_with(dev, "/dev/") ? dev + 5 : dev;
	bool md = str_starts_with(name, "md") && strlen(name) <= 32;
	for (const char *c = name; md && *c; c++)
		md = isalnum((unsigned char)*c) || *c == '_' || *c == '-';
	if (!md) {
		r = parse_error(p, node_line(n),
				"<raid device=\"%.*s\"> is not an md device name; write "
				"device=\"md127\"",
				SHOWN, dev);
		free(dev);
		return r;
	}
	rs->device = xstrdup(name);
	free(dev);
	rs->syntax = RAID_SYNTAX_ELEMENT;
	rs->line = node_line(n);
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!name_is(c, "disk")) {
			r = parse_error(p, node_line(c),
					"<raid> may only contain <disk> elements, not <%.*s>",
					SHOWN, (const char *)c->name);
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
		r = disk_from_text(p, disks[i], NULL, t, &rs->disks[i]);
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
	char prefixed[ARRAY_SIZE(SETTINGS)][32];
	const char *known[ARRAY_SIZE(SETTINGS) + 1] = {"raid"};
	struct raid_settings *rs = &p->af->raid;
	char *second;
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(SETTINGS); i++) {
		snprintf(prefixed[i], sizeof(prefixed[i]), "raid-%s", SETTINGS[i]);
		known[i + 1] = prefixed[i];
	}
	r = check_attributes(p, pd, known, ARRAY_SIZE(known), "raid");
	if (r < 0)
		return r;
	second = attr(pd, "raid");
	if (!second) {
		for (const xmlAttr *a = pd->properties; a; a = a->next)
			if (str_starts_with((const char *)a->name, "raid-"))
				return parse_error(p, node_line(pd),
						   "%.*s= needs raid=\"DISK\" on <primary-disk> to "
						   "name the second disk",
						   SHOWN, (const char *)a->name);
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
	char *first = node_text(pd);
	r = disk_from_text(p, pd, NULL, first, &rs->disks[0]);
	free(first);
	if (r == 0)
		r = disk_from_text(p, pd, "raid", second, &rs->disks[1]);
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
				clip(s->stage));
			break;
		}
		if (!s->type)
			s->type = xstrdup("url");
		if (strcmp(s->type, "url") && strcmp(s->type, "nfs")) {
			r = parse_error(p, s->line, "<script type=\"%s\"> must be url or nfs",
					clip(s->type));
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
			clip(af->root));

	af->mode = attr(root, "mode");
	if (!af->mode)
		af->mode = xstrdup(strcmp(af->root, "upgrade") ? "fresh" : "upgrade");
	if (strcmp(af->mode, "fresh") && strcmp(af->mode, "reinstall") &&
	    strcmp(af->mode, "upgrade"))
		return parse_error(p, node_line(root),
				   "mode=\"%s\" on <%s> must be fresh, reinstall or upgrade",
				   clip(af->mode), af->root);

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
		/* Checked as a disk name only if it is mirrored: otherwise the installer's
		 * business. */
		char *t = node_text(pd);
		af->primary_disk_line = node_line(pd);
		af->primary_disk = xstrdup(str_starts_with(t, "/dev/") ? t + 5 : t);
		free(t);
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

	collect(root, "guest-disk", &p->guest_disks, &p->n_guest_disks);
	for (size_t i = 0; i < p->n_guest_disks; i++) {
		char *t = node_text(p->guest_disks[i]);
		strv_push(&af->guest_disks, str_starts_with(t, "/dev/") ? t + 5 : t);
		free(t);
	}
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
				   af->primary_disk ? clip(af->primary_disk) : "", rs->device,
				   rs->device);
	if (!strcmp(rs->disks[0], rs->disks[1]))
		return parse_error(p, rs->line,
				   "the mirror names disk '%s' twice; name two different disks",
				   rs->disks[0]);
	for (size_t i = 0; i < p->n_guest_disks; i++) {
		char *d = NULL;
		int r = disk_from_text(p, p->guest_disks[i], NULL, af->guest_disks.v[i], &d);
		if (r < 0)
			return r;
		free(d);
		for (size_t j = 0; j < 2; j++)
			if (!strcmp(af->guest_disks.v[i], rs->disks[j]))
				return parse_error(p, rs->line,
						   "disk '%s' is both a mirror member and a "
						   "<guest-disk>; remove one of them",
						   rs->disks[j]);
	}
	return 0;
}

/*
 * What stops a parse: libxml2's first error, or a refusal of ours from a SAX
 * callback (a DTD, XInclude, too deep a nesting).
 * libxml2 reports through a global handler; only the first error is kept.
 */
struct xml_guard {
	bool have;
	bool ours; /* the message is a refusal of ours, not libxml2's */
	unsigned line;
	char msg[512];
	startElementNsSAX2Func start_element;
};

static void xml_error_handler(void *ctx, xmlErrorPtr e)
{
	struct xml_guard *g = ctx;

	if (g->have || !e || e->level < XML_ERR_ERROR)
		return;
	g->have = true;
	g->line = e->line > 0 ? (unsigned)e->line : 1;
	str_copy(g->msg, sizeof(g->msg), e->message ? e->message : "malformed XML");
	/* libxml2 adds detail lines ("Bytes: 0x..."); the first says what is wrong. */
	g->msg[strcspn(g->msg, "\n")] = '\0';
	str_strip(g->msg);
}

static void __attribute__((format(printf, 2, 3))) refuse(xmlParserCtxt *ctxt, const char *fmt, ...)
{
	struct xml_guard *g = ctxt->_private;

	if (!g->have) {
		va_list ap;
		g->have = g->ours = true;
		g->line = (unsigned)(ctxt->input && ctxt->input->line > 0 ? ctxt->input->line : 1);
		va_start(ap, fmt);
		vsnprintf(g->msg, sizeof(g->msg), fmt, ap);
		va_end(ap);
	}
	xmlStopParser(ctxt);
}

/*
 * A DOCTYPE, the only place entities can be declared: refused before its
 * internal subset is read (xmlStopParser() ends the input), in any encoding.
 */
static void on_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
		      const xmlChar *system_id)
{
	(void)name;
	(void)external_id;
	(void)system_id;
	refuse(ctx, "a document type declaration (<!DOCTYPE>) is not allowed in an answerfile; "
		    "remove it");
}

static void on_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
			     const xmlChar *uri, int n_namespaces, const xmlChar **namespaces,
			     int n_attributes, int n_defaulted, const xmlChar **attributes)
{
	xmlParserCtxt *ctxt = ctx;
	struct xml_guard *g = ctxt->_private;

	if (ctxt->nameNr > ANSWERFILE_MAX_DEPTH) {
		refuse(ctxt,
		       "<%.*s> is nested %d elements deep; an answerfile needs a few, and more "
		       "than %d are refused",
		       SHOWN, (const char *)localname, ctxt->nameNr, ANSWERFILE_MAX_DEPTH);
		return;
	}
	if (uri && (!strcmp((const char *)uri, "http://www.w3.org/2001/XInclude") ||
		    !strcmp((const char *)uri, "http://www.w3.org/2003/XInclude"))) {
		refuse(ctxt,
		       "XInclude (<%s%s%.*s>) is not allowed in an answerfile; write the content "
		       "in place",
		       prefix ? (const char *)prefix : "", prefix ? ":" : "", SHOWN,
		       (const char *)localname);
		return;
	}
	g->start_element(ctx, localname, prefix, uri, n_namespaces, namespaces, n_attributes,
			 n_defaulted, attributes);
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

/*
 * Offset of the first byte that is not part of a valid UTF-8 sequence
 * (overlong forms, surrogates and code points past U+10FFFF included), or
 * @len when all is valid.
 */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			n = 1, cp = c & 0x1f, min = 0x80;
		else if ((c & 0xf0) == 0xe0)
			n = 2, cp = c & 0x0f, min = 0x800;
		else if ((c & 0xf8) == 0xf0)
			n = 3, cp = c & 0x07, min = 0x10000;
		else
			return i;
		if (len - i <= n)
			return i;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += n + 1;
	}
	return len;
}

/*
 * The encoding named in the XML declaration, lower-cased into @out (""
 * when there is none: UTF-8).
 */
static void declared_encoding(const char *data, size_t len, char *out, size_t outlen)
{
	const char *end, *e;
	size_t n = 0;

	out[0] = '\0';
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		data += 3, len -= 3;
	if (len < 5 || memcmp(data, "<?xml", 5))
		return;
	end = find_bytes(data, len, "?>");
	e = end ? find_bytes(data, (size_t)(end - data), "encoding") : NULL;
	if (!e)
		return;
	e += 8;
	while (e < end && (*e == ' ' || *e == '=' || *e == '\t' || *e == '\r' || *e == '\n'))
		e++;
	if (e >= end || (*e != '"' && *e != '\''))
		return;
	for (const char *c = e + 1; c < end && *c != *e && n + 1 < outlen; c++)
		out[n++] = (char)tolower((unsigned char)*c);
	out[n] = '\0';
}

/*
 * Checks the bytes before libxml2 sees them: size, NUL bytes, encoding,
 * unrendered templates.  Returns 0 or -EINVAL (+ p->err).  Only encodings
 * that keep ASCII as it is are let through, so that the stock installer's
 * rewrite (a scan of the raw bytes) sees the tags libxml2 saw.
 */
static int check_bytes(struct parse *p, const char *data, size_t len)
{
	const unsigned char *u = (const unsigned char *)data;
	struct buf why = BUF_INIT;
	char enc[32];
	const char *hit;
	unsigned line;
	int r = 0;

	if (len > ANSWERFILE_MAX)
		return parse_error(p, 1,
				   "%zu bytes is too large for an answerfile (the limit is %d); "
				   "is this the right file?",
				   len, ANSWERFILE_MAX);
	if (len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff)))
		return parse_error(p, 1, "the answerfile is UTF-16; save it as UTF-8");
	hit = memchr(data, '\0', len);
	if (hit)
		return parse_error(p, line_of(data, (size_t)(hit - data)),
				   "contains a NUL byte: this is not a text answerfile");
	declared_encoding(data, len, enc, sizeof(enc));
	if (strcmp(enc, "iso-8859-1") && strcmp(enc, "latin1")) {
		if (*enc && strcmp(enc, "utf-8") && strcmp(enc, "utf8") &&
		    strcmp(enc, "us-ascii") && strcmp(enc, "ascii"))
			return parse_error(p, 1,
					   "encoding=\"%s\" is not supported; save the answerfile "
					   "as UTF-8",
					   enc);
		size_t bad = utf8_invalid_at(u, len);
		if (bad < len)
			return parse_error(p, line_of(data, bad),
					   "byte 0x%02x is not valid UTF-8; save the answerfile as "
					   "UTF-8",
					   u[bad]);
	}
	line = answerfile_find_template(data, len, &why);
	if (line)
		r = parse_error(p, line, "%s", why.data);
	buf_free(&why);
	return r;
}

/* No network, entity substitution or DTD loading; line numbers past 65535. */
#define XML_OPTIONS                                                                                \
	(XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA |           \
	 XML_PARSE_BIG_LINES)

static int parse_xml(struct parse *p, const char *data, size_t len, xmlDoc **ret)
{
	struct xml_guard g = {0};
	xmlParserCtxt *ctxt;
	int r = 0;

	if (len == 0)
		return parse_error(p, 1, "malformed XML: the document is empty");
	ctxt = xmlCreateMemoryParserCtxt(data, (int)len);
	if (!ctxt)
		return parse_error(p, 1, "cannot allocate an XML parser");
	xmlCtxtUseOptions(ctxt, XML_OPTIONS);
	ctxt->_private = &g;
	ctxt->sax->internalSubset = on_subset;
	ctxt->sax->externalSubset = on_subset;
	g.start_element = ctxt->sax->startElementNs;
	ctxt->sax->startElementNs = on_start_element;
	xmlSetStructuredErrorFunc(&g, xml_error_handler);
	xmlParseDocument(ctxt);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (g.have || !ctxt->wellFormed || !ctxt->myDoc)
		r = parse_error(p, g.have ? g.line : 1, "%s%s", g.ours ? "" : "malformed XML: ",
				g.have ? g.msg : "cannot be parsed");
	if (r == 0)
		*ret = ctxt->myDoc;
	else if (ctxt->myDoc)
		xmlFreeDoc(ctxt->myDoc);
	ctxt->myDoc = NULL;
	xmlFreeParserCtxt(ctxt);
	return r;
}

int answerfile_parse(const char *data, size_t len, const char *name, struct answerfile *ret,
		     struct buf *err)
{
	struct answerfile af = {0};
	struct parse p = {.err = err, .af = &af};
	xmlDoc *doc = NULL;
	int r;

	af.name = location_display(name);
	p.name = af.name;
	r = check_bytes(&p, data, len);
	if (r == 0)
		r = parse_xml(&p, data, len, &doc);
	if (r == 0)
		r = parse_document(&p, doc);
	if (r == 0)
		r = check_raid(&p);
	if (doc)
		xmlFreeDoc(doc);
	free(p.guest_disks);
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
	free(a->raid.mailaddr);
	free(a->raid.program);
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
	buf_puts(b, ",\n    \"mailaddr\": ");
	json_str_or_null(b, rs->mailaddr);
	buf_puts(b, ",\n    \"program\": ");
	json_str_or_null(b, rs->program);
	buf_printf(b, ",\n    \"check\": \"%s\",\n    \"copy\": \"%s\"\n  }\n}\n",
		   md_check_name(rs->check), root_copy_name(rs->copy));
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
				   af.name, line_of(data, t.start));
			goto out;
		}
		if (t.closing && !strcmp(t.name, af.root))
			root_close = t.start;
	}
	if (!root_close) {
		r = -EINVAL;
		buf_printf(err, "%s: cannot find the closing </%s> tag", af.name, af.root);
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
