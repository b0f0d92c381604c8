// SPDX-License-Identifier: GPL-2.0-only
#include "initrd.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "cpio.h"

/* An initrd unpacks to a few MiB; this much is no initrd. */
#define UNPACKED_MAX (512u << 20)

/* Inflates every gzip member of @data, one after another, as the kernel does. */
static int gunzip(const unsigned char *data, size_t len, struct buf *out, struct buf *err)
{
	unsigned char chunk[65536];
	z_stream z;
	int r = Z_OK;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		buf_printf(err, "cannot start inflating");
		return -ENOMEM;
	}
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)len;
	for (;;) {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		r = inflate(&z, Z_NO_FLUSH);
		buf_append(out, chunk, sizeof(chunk) - z.avail_out);
		if (out->len > UNPACKED_MAX) {
			buf_printf(err, "unpacks to more than %u MiB", UNPACKED_MAX >> 20);
			r = Z_DATA_ERROR;
			break;
		}
		if (r == Z_STREAM_END) {
			/* Another member may follow; padding of zeros may end the file. */
			while (z.avail_in && *z.next_in == 0) {
				z.next_in++;
				z.avail_in--;
			}
			if (!z.avail_in)
				break;
			inflateReset(&z);
			continue;
		}
		if (r != Z_OK) {
			buf_printf(err, "gzip data is damaged (%s)",
				   z.msg ? z.msg : "inflate error");
			break;
		}
		if (!z.avail_in && z.avail_out) {
			buf_printf(err, "gzip data is cut short");
			r = Z_BUF_ERROR;
			break;
		}
	}
	inflateEnd(&z);
	return r == Z_STREAM_END ? 0 : -EINVAL;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* A module file's name without a compression suffix: raid1.ko.gz is raid1.ko. */
static bool is_module(const char *name, const char *module)
{
	const char *b = base_name(name);
	size_t n = strlen(module);

	return !strncmp(b, module, n) &&
	       (!b[n] || !strcmp(b + n, ".gz") || !strcmp(b + n, ".xz") || !strcmp(b + n, ".zst"));
}

/* Words of a shell or nash command line, up to a comment. */
static void split_words(const char *line, struct strv *out)
{
	const char *p = line;

	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			break;
		const char *start = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		char *w = xstrndup(start, (size_t)(p - start));
		/* Quotes group, and are dropped, as the shell does for these plain words. */
		size_t k = 0;
		for (char *c = w; *c; c++)
			if (*c != '"' && *c != '\'')
				w[k++] = *c;
		w[k] = '\0';
		strv_push(out, w);
		free(w);
	}
}

static void read_init_line(const char *line, struct initrd_facts *f)
{
	struct strv w = STRV_INIT;

	split_words(line, &w);
	for (size_t i = 0; i < w.n; i++) {
		const char *cmd = base_name(w.v[i]);
		if (!strcmp(cmd, "raidautorun")) {
			for (size_t j = i + 1; j < w.n; j++)
				f->init_autoruns_md0 =
					f->init_autoruns_md0 || !strcmp(w.v[j], "/dev/md0");
			break;
		}
		if (strcmp(cmd, "mdadm") && strcmp(cmd, "mdadm.static"))
			continue;
		bool assemble = false, scan = false;
		for (size_t j = i + 1; j < w.n; j++) {
			const char *a = w.v[j];
			if (!strcmp(a, "--assemble"))
				assemble = true;
			else if (!strcmp(a, "--scan"))
				scan = true;
			else if (a[0] == '-' && a[1] != '-') {
				assemble = assemble || strchr(a + 1, 'A');
				scan = scan || strchr(a + 1, 's');
			}
		}
		if (assemble) {
			f->init_assembles = true;
			f->init_scans = f->init_scans || scan;
		}
		break;
	}
	strv_free(&w);
}

static void for_each_line(const unsigned char *data, size_t len, void *ctx,
			  void (*fn)(const char *line, void *ctx))
{
	char *text = xstrndup((const char *)data, len), *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		fn(l, ctx);
	free(text);
}

static void init_line(const char *line, void *ctx)
{
	read_init_line(line, ctx);
}

/* UUID=... of ARRAY lines (and their indented continuations). */
struct conf_reader {
	struct initrd_facts *f;
	bool in_array;
};

static void conf_line(const char *line, void *ctx)
{
	struct conf_reader *c = ctx;
	struct strv w = STRV_INIT;

	split_words(line, &w);
	if (w.n && (line[0] == ' ' || line[0] == '\t'))
		; /* a continuation of the stanza above */
	else
		c->in_array = w.n && !strcasecmp(w.v[0], "ARRAY");
	for (size_t i = 0; c->in_array && i < w.n; i++)
		if (!strncasecmp(w.v[i], "uuid=", 5))
			strv_push(&c->f->conf_uuids, w.v[i] + 5);
	strv_free(&w);
}

static void read_entry(const struct cpio_entry *e, struct initrd_facts *f)
{
	const char *name = e->name;

	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (name[0] == '/')
		name++;
	if ((e->mode & 0170000) != 0100000)
		return;
	if (is_module(name, "md-mod.ko") || is_module(name, "md_mod.ko"))
		f->has_md_module = true;
	if (is_module(name, "raid1.ko"))
		f->has_raid1_module = true;
	if ((!strcmp(base_name(name), "mdadm") || !strcmp(base_name(name), "mdadm.static")) &&
	    (e->mode & 0111))
		f->has_mdadm = true;
	if (!strcmp(name, "init"))
		for_each_line(e->data, e->filesize, f, init_line);
	if (!strcmp(name, "etc/mdadm.conf")) {
		struct conf_reader c = {.f = f};
		f->has_conf = true;
		for_each_line(e->data, e->filesize, &c, conf_line);
	}
}

int initrd_read(const void *data, size_t len, struct initrd_facts *ret, struct buf *err)
{
	const unsigned char *d = data;
	struct initrd_facts f = {0};
	struct buf unpacked = BUF_INIT;
	struct cpio_reader rd;
	struct cpio_entry e;
	int r;

	if (len >= 2 && d[0] == 0x1f && d[1] == 0x8b) {
		r = gunzip(d, len, &unpacked, err);
		if (r < 0)
			goto out;
		d = (const unsigned char *)unpacked.data;
		len = unpacked.len;
	}
	if (len < 6 || (memcmp(d, "070701", 6) && memcmp(d, "070702", 6))) {
		buf_printf(err, "not a gzip-compressed or plain newc cpio archive");
		r = -EINVAL;
		goto out;
	}
	cpio_reader_init(&rd, d, len);
	while ((r = cpio_next(&rd, &e)) > 0)
		read_entry(&e, &f);
	if (r < 0) {
		buf_printf(err, "%s", rd.error);
		goto out;
	}
	*ret = f;
	f = (struct initrd_facts){0};
out:
	initrd_facts_free(&f);
	buf_free(&unpacked);
	return r < 0 ? -EINVAL : 0;
}

void initrd_facts_free(struct initrd_facts *f)
{
	strv_free(&f->conf_uuids);
}

void kernel_md_from_config(const char *text, struct kernel_md *ret)
{
	struct kernel_md k = {0};
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, "CONFIG_BLK_DEV_MD=y", 19) && (p[19] == '\n' || !p[19]))
			k.md_builtin = true;
		if (!strncmp(p, "CONFIG_MD_RAID1=y", 17) && (p[17] == '\n' || !p[17]))
			k.raid1_builtin = true;
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	*ret = k;
}

/* The 32 hex digits of a UUID in any of md's spellings, lower case. */
static bool uuid_digits(const char *s, char out[33])
{
	size_t n = 0;

	for (; *s; s++) {
		if (isxdigit((unsigned char)*s)) {
			if (n == 32)
				return false;
			out[n++] = (char)tolower((unsigned char)*s);
		} else if (*s != ':' && *s != '-' && *s != '.') {
			return false;
		}
	}
	out[n] = '\0';
	return n == 32;
}

bool initrd_assembles_root(const struct initrd_facts *f, const struct kernel_md *k,
			   const char *uuid, enum md_metadata metadata, struct buf *out)
{
	bool md = k->md_builtin || f->has_md_module;
	bool raid1 = k->raid1_builtin || f->has_raid1_module;

	if (!md || !raid1) {
		buf_printf(out, "it carries no %s module and the kernel has none built in",
			   !md ? "md-mod" : "raid1");
		return false;
	}
	if (f->init_autoruns_md0 && k->md_builtin && metadata == MD_METADATA_0_90) {
		buf_puts(out, "raidautorun /dev/md0: the kernel's autodetect of 0.90 members");
		return true;
	}
	if (f->init_assembles && f->has_mdadm) {
		char want[33];
		if (f->has_conf && uuid_digits(uuid, want)) {
			strv_foreach(u, &f->conf_uuids) {
				char got[33];
				if (uuid_digits(*u, got) && !strcmp(got, want)) {
					buf_printf(out, "mdadm, with an mdadm.conf naming %s",
						   uuid);
					return true;
				}
			}
		}
		if (!f->has_conf)
			buf_puts(out,
				 "it runs mdadm without an mdadm.conf: mdadm 2.6 assembles nothing "
				 "without a home host, later versions start md127, not md0");
		else
			buf_printf(out, "its mdadm.conf does not name md0 (UUID %s)", uuid);
		return false;
	}
	if (f->init_autoruns_md0)
		buf_printf(
			out,
			"it relies on raidautorun, which only assembles 0.90 members on a kernel "
			"with md built in (here: md %s, metadata %s)",
			k->md_builtin ? "built in" : "a module", md_metadata_name(metadata));
	else
		buf_puts(out, "its /init neither runs raidautorun /dev/md0 nor mdadm --assemble");
	return false;
}
