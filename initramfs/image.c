// SPDX-License-Identifier: GPL-2.0-only
#include "image.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpio.h"

/* Symbolic links followed from /init before giving up (a loop, or a very odd image). */
enum { MAX_LINK_HOPS = 16 };

struct entries {
	struct cpio_entry *v;
	size_t n;
	unsigned archives;
};

static int read_all(const void *cpio, size_t len, struct entries *ret, struct buf *err)
{
	struct cpio_reader r;
	struct cpio_entry e;
	size_t cap = 0;
	int k;

	memset(ret, 0, sizeof(*ret));
	cpio_reader_init(&r, cpio, len);
	while ((k = cpio_next(&r, &e)) > 0) {
		if (ret->n == cap) {
			cap = cap ? cap * 2 : 1024;
			ret->v = xrealloc(ret->v, cap * sizeof(*ret->v));
		}
		ret->v[ret->n++] = e;
	}
	if (k < 0) {
		buf_printf(err, "cpio archive: %s", r.error);
		free(ret->v);
		ret->v = NULL;
		return k;
	}
	ret->archives = r.archive + 1;
	return 0;
}

/* A name as the kernel sees it, relative to the root: "./opt/x" and "/opt/x" are "opt/x", "." is
 * "". */
static const char *norm(const char *name)
{
	for (;;) {
		if (name[0] == '.' && name[1] == '/')
			name += 2;
		else if (name[0] == '/')
			name++;
		else
			break;
	}
	return strcmp(name, ".") == 0 ? "" : name;
}

/* @name is @dir or inside it. */
static bool in_dir(const char *name, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(name, dir, n) == 0 && (name[n] == '\0' || name[n] == '/');
}

static const struct cpio_entry *find(const struct entries *es, const char *path)
{
	for (size_t i = 0; i < es->n; i++) {
		if (strcmp(norm(es->v[i].name), path) == 0)
			return &es->v[i];
	}
	return NULL;
}

/*
 * Where a symbolic link at @from pointing to @target (not NUL-terminated)
 * leads, as a normalized path: relative targets start in the link's
 * directory, "." and ".." are resolved, ".." stops at the root.
 */
static char *resolve_link(const char *from, const unsigned char *target, size_t len)
{
	struct buf path = BUF_INIT;
	char *t = xstrndup((const char *)target, len);

	if (t[0] != '/') {
		const char *slash = strrchr(from, '/');
		if (slash)
			buf_append(&path, from, (size_t)(slash - from));
	}
	for (char *save = NULL, *c = strtok_r(t, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			char *slash = path.len ? strrchr(path.data, '/') : NULL;
			path.len = slash ? (size_t)(slash - path.data) : 0;
			if (path.data)
				path.data[path.len] = '\0';
			continue;
		}
		if (path.len)
			buf_putc(&path, '/');
		buf_puts(&path, c);
	}
	free(t);
	return buf_detach(&path);
}

/*
 * Follows symbolic links from @path.  Appends " -> next" to @chain for
 * each and returns the entry it ends at, or NULL (missing, or a loop).
 * @ret_end gets the last path reached (malloc'd).
 */
static const struct cpio_entry *follow(const struct entries *es, const char *path,
				       struct buf *chain, char **ret_end)
{
	char *at = xstrdup(path);
	const struct cpio_entry *e = find(es, at);

	for (int hop = 0; e && S_ISLNK(e->mode); hop++) {
		if (hop == MAX_LINK_HOPS) {
			e = NULL;
			break;
		}
		char *next = resolve_link(at, e->data, e->filesize);
		buf_printf(chain, " -> %s", next);
		free(at);
		at = next;
		e = find(es, at);
	}
	*ret_end = at;
	return e;
}

static bool ends_with_component(const char *path, const char *name)
{
	const char *slash = strrchr(path, '/');

	return strcmp(slash ? slash + 1 : path, name) == 0;
}

static bool same_inode(const struct cpio_entry *a, const struct cpio_entry *b)
{
	return a->archive == b->archive && a->ino == b->ino && a->devmajor == b->devmajor &&
	       a->devminor == b->devminor;
}

static bool is_link_member(const struct cpio_entry *e)
{
	return !S_ISDIR(e->mode) && e->nlink >= 2;
}

/* What /init is (or @start when the image has no /init), for the report and the systemd check. */
static void inspect_init(const struct entries *es, struct image_report *rep)
{
	const char *start = find(es, "init") ? "init" : "sbin/init";
	struct buf chain = BUF_INIT;
	char *end = NULL;

	buf_puts(&chain, start);
	const struct cpio_entry *e = follow(es, start, &chain, &end);
	bool linked = strcmp(end, start) != 0;

	if (!find(es, start)) {
		rep->init = xstrdup("no /init and no /sbin/init");
	} else if (!e) {
		rep->init = xasprintf("%s (which is not in the image)", chain.data);
	} else if (linked) {
		rep->init = xstrdup(chain.data);
	} else if (is_link_member(e)) {
		rep->init = NULL;
		for (size_t i = 0; i < es->n && !rep->init; i++) {
			if (&es->v[i] != e && same_inode(&es->v[i], e))
				rep->init = xasprintf("%s, a hard link of %s", start,
						      norm(es->v[i].name));
		}
		if (!rep->init)
			rep->init = xasprintf("%s, a file", start);
	} else if (e->filesize > 2 && memcmp(e->data, "#!", 2) == 0) {
		rep->init = xasprintf("%s, a script", start);
	} else {
		rep->init = xasprintf("%s, a file", start);
	}
	if (ends_with_component(end, "systemd"))
		rep->systemd = xstrdup(chain.data);
	free(end);
	buf_free(&chain);
}

/* A module file name: @base.ko, compressed or not. */
static bool is_module(const char *path, const char *base)
{
	static const char *const exts[] = {"", ".gz", ".xz", ".bz2", ".zst"};
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	size_t n = strlen(base);

	if (strncmp(name, base, n) != 0 || strncmp(name + n, ".ko", 3) != 0)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		if (strcmp(name + n + 3, exts[i]) == 0)
			return true;
	}
	return false;
}

/* Does modules.builtin (one "kernel/drivers/md/md-mod.ko" per line) list @base? */
static bool builtin_lists(const struct cpio_entry *builtin, const char *base)
{
	const char *p = (const char *)builtin->data, *end = p + builtin->filesize;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		char line[512];
		size_t n = (size_t)(eol - p);

		if (n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			if (is_module(line, base))
				return true;
		}
		p = eol + 1;
	}
	return false;
}

static char *find_module(const struct entries *es, const char *kver, const char *const *bases)
{
	char *dir = xasprintf("lib/modules/%s", kver);
	char *builtin_path = xasprintf("%s/modules.builtin", dir);
	const struct cpio_entry *builtin = find(es, builtin_path);
	char *found = NULL;

	for (size_t i = 0; i < es->n && !found; i++) {
		const char *name = norm(es->v[i].name);
		if (!in_dir(name, dir) || !S_ISREG(es->v[i].mode))
			continue;
		for (const char *const *b = bases; *b && !found; b++) {
			if (is_module(name, *b))
				found = xstrdup(name);
		}
	}
	for (const char *const *b = bases; builtin && *b && !found; b++) {
		if (builtin_lists(builtin, *b))
			found = xstrdup("built in");
	}
	free(builtin_path);
	free(dir);
	return found;
}

static bool strv_contains(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++) {
		if (strcmp(sv->v[i], s) == 0)
			return true;
	}
	return false;
}

static void inspect_kernels(const struct entries *es, struct image_report *rep)
{
	static const char *const md[] = {"md-mod", "md_mod", NULL};
	static const char *const raid1[] = {"raid1", NULL};
	struct strv seen = STRV_INIT;

	for (size_t i = 0; i < es->n; i++) {
		const char *name = norm(es->v[i].name);
		if (strncmp(name, "lib/modules/", 12) != 0 || name[12] == '\0')
			continue;
		char *kver = xstrndup(name + 12, strcspn(name + 12, "/"));
		if (!strv_contains(&seen, kver))
			strv_push(&seen, kver);
		free(kver);
	}
	rep->kernels = xcalloc(seen.n ? seen.n : 1, sizeof(*rep->kernels));
	strv_foreach(s, &seen) {
		struct image_kernel *k = &rep->kernels[rep->n_kernels++];
		k->version = xstrdup(*s);
		k->md = find_module(es, *s, md);
		k->raid1 = find_module(es, *s, raid1);
	}
	strv_free(&seen);
}

static char *find_tool(const struct entries *es, const char *tool)
{
	static const char *const dirs[] = {"sbin", "usr/sbin", "bin", "usr/bin"};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		char *path = xasprintf("%s/%s", dirs[i], tool);
		const struct cpio_entry *e = find(es, path);
		if (e && !S_ISDIR(e->mode))
			return path;
		free(path);
	}
	return NULL;
}

int image_inspect(const void *cpio, size_t len, struct image_report *ret, struct buf *err)
{
	struct image_report rep = {0};
	struct entries es;
	int r = read_all(cpio, len, &es, err);

	if (r < 0)
		return r;
	rep.entries = es.n;
	rep.archives = es.archives;
	for (size_t i = 0; i < es.n; i++) {
		const char *name = norm(es.v[i].name);
		if (es.v[i].mtime > rep.newest_mtime)
			rep.newest_mtime = es.v[i].mtime;
		if (in_dir(name, "opt/xensource/installer"))
			rep.installer = true;
	}
	inspect_init(&es, &rep);
	inspect_kernels(&es, &rep);
	rep.mdadm = find_tool(&es, "mdadm");
	rep.sgdisk = find_tool(&es, "sgdisk");
	free(es.v);
	*ret = rep;
	return 0;
}

void image_report_free(struct image_report *rep)
{
	for (size_t i = 0; i < rep->n_kernels; i++) {
		free(rep->kernels[i].version);
		free(rep->kernels[i].md);
		free(rep->kernels[i].raid1);
	}
	free(rep->kernels);
	free(rep->init);
	free(rep->systemd);
	free(rep->mdadm);
	free(rep->sgdisk);
	memset(rep, 0, sizeof(*rep));
}

int image_check(const struct image_report *rep, struct buf *err)
{
	if (rep->systemd) {
		buf_printf(err,
			   "an installer of XenServer 7 or later (its init is systemd: %s); "
			   "xsraid converts XenServer 6.x installs only",
			   rep->systemd);
		return -EINVAL;
	}
	if (!rep->installer) {
		buf_puts(
			err,
			"not a XenServer installer image: there is no /opt/xensource/installer/ in it");
		return -EINVAL;
	}
	return 0;
}

/* --- rebuilding --------------------------------------------------------- */

struct slot {
	struct cpio_entry e; /* as it will be written */
	bool drop;
	bool rewrite; /* written from e's fields, not copied */
};

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Inode numbers in use, sorted, and a cursor for handing out unused ones. */
struct inos {
	uint32_t *used;
	size_t n;
	uint32_t next;
};

static uint32_t ino_alloc(struct inos *in)
{
	for (;;) {
		uint32_t c = in->next++;
		if (c == 0)
			continue;
		if (!bsearch(&c, in->used, in->n, sizeof(*in->used), cmp_u32))
			return c;
	}
}

static const struct slot *sort_slots;

/* Link-group members by inode key, then archive, then position. */
static int cmp_link_members(const void *a, const void *b)
{
	const struct cpio_entry *x = &sort_slots[*(const size_t *)a].e;
	const struct cpio_entry *y = &sort_slots[*(const size_t *)b].e;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	if (x->devmajor != y->devmajor)
		return x->devmajor < y->devmajor ? -1 : 1;
	if (x->devminor != y->devminor)
		return x->devminor < y->devminor ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->archive != y->archive)
		return x->archive < y->archive ? -1 : 1;
	return i < j ? -1 : i > j;
}

/*
 * One hard-link group, members @m[0..n) in archive order.  When members
 * were dropped, the data moves to the last one kept; when @renumber, the
 * group gets a fresh inode number.
 */
static void fix_group(struct slot *s, const size_t *m, size_t n, bool renumber, struct inos *in)
{
	const struct cpio_entry *carrier = NULL;
	size_t kept = 0, last = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[m[i]].e.filesize)
			carrier = &s[m[i]].e;
		if (!s[m[i]].drop) {
			kept++;
			last = m[i];
		}
	}
	if (kept == n && !renumber)
		return;
	uint32_t ino = renumber ? ino_alloc(in) : s[m[0]].e.ino;
	struct cpio_entry data = carrier ? *carrier : s[last].e;
	for (size_t i = 0; i < n; i++) {
		struct cpio_entry *e = &s[m[i]].e;
		if (s[m[i]].drop)
			continue;
		s[m[i]].rewrite = true;
		e->ino = ino;
		if (kept != n)
			e->nlink = (uint32_t)kept;
		e->filesize = m[i] == last ? data.filesize : 0;
		e->data = m[i] == last ? data.data : NULL;
	}
}

static void fix_links(struct slot *s, size_t n, struct inos *in)
{
	size_t *m = xcalloc(n ? n : 1, sizeof(*m)), k = 0;

	for (size_t i = 0; i < n; i++) {
		if (is_link_member(&s[i].e))
			m[k++] = i;
	}
	sort_slots = s;
	qsort(m, k, sizeof(*m), cmp_link_members);
	sort_slots = NULL;
	for (size_t g = 0; g < k;) {
		size_t end = g + 1;
		while (end < k && same_inode(&s[m[end]].e, &s[m[g]].e))
			end++;
		/* Sorted by key then archive: a group whose key an earlier archive used follows it.
		 */
		const struct cpio_entry *prev = g ? &s[m[g - 1]].e : NULL;
		bool renumber = prev && prev->ino == s[m[g]].e.ino &&
				prev->devmajor == s[m[g]].e.devmajor &&
				prev->devminor == s[m[g]].e.devminor;
		fix_group(s, m + g, end - g, renumber, in);
		g = end;
	}
	free(m);
}

static bool added_path(const struct image_file *files, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(files[i].path, name) == 0)
			return true;
	}
	return false;
}

static bool kept_dir(const struct slot *s, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++) {
		if (!s[i].drop && S_ISDIR(s[i].e.mode) && strcmp(norm(s[i].e.name), path) == 0)
			return true;
	}
	return false;
}

struct added {
	char *path; /* normalized */
	uint32_t mode;
	const struct image_file *file; /* NULL for a directory */
};

static int cmp_added(const void *a, const void *b)
{
	return strcmp(((const struct added *)a)->path, ((const struct added *)b)->path);
}

/* The added entries: the files and every parent directory the stock image does not keep. */
static struct added *plan_added(const struct slot *s, size_t n, const struct image_file *files,
				size_t n_files, size_t *ret_n)
{
	struct added *a = NULL;
	size_t k = 0, cap = 0;

	for (size_t i = 0; i < n_files; i++) {
		const char *p = files[i].path;
		for (const char *slash = strchr(p, '/');; slash = strchr(slash + 1, '/')) {
			char *path = slash ? xstrndup(p, (size_t)(slash - p)) : xstrdup(p);
			bool dup = false;
			for (size_t j = 0; j < k; j++)
				dup = dup || strcmp(a[j].path, path) == 0;
			if (dup || (slash && kept_dir(s, n, path))) {
				free(path);
			} else {
				if (k == cap) {
					cap = cap ? cap * 2 : 8;
					a = xrealloc(a, cap * sizeof(*a));
				}
				a[k++] = (struct added){
					.path = path,
					.mode = slash ? S_IFDIR | 0755
						      : S_IFREG | (files[i].mode & 07777),
					.file = slash ? NULL : &files[i],
				};
			}
			if (!slash)
				break;
		}
	}
	if (k)
		qsort(a, k, sizeof(*a), cmp_added);
	*ret_n = k;
	return a;
}

/* A relative path of plain components, short enough for a cpio name with a "./" in front. */
static bool valid_path(const char *p)
{
	size_t len = strlen(p);

	if (len == 0 || len > CPIO_NAME_MAX - 2)
		return false;
	for (const char *c = p;; c++) {
		size_t n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n;
		if (*c == '\0')
			return true;
	}
}

/* How the stock image writes names ("", "./" or "/" before "opt/..."), for the added ones. */
static const char *name_prefix(const struct entries *es)
{
	for (size_t i = 0; i < es->n; i++) {
		const char *name = es->v[i].name;
		if (in_dir(norm(name), "opt/xensource/installer"))
			return name[0] == '/' ? "/" : name[0] == '.' ? "./" : "";
	}
	return "";
}

int image_rebuild(const void *cpio, size_t len, const struct image_file *files, size_t n_files,
		  uint32_t mtime, struct buf *out, struct buf *err)
{
	struct entries es;
	struct inos in = {0};
	struct added *add = NULL;
	size_t n_add = 0;
	int r;

	for (size_t i = 0; i < n_files; i++) {
		if (!valid_path(files[i].path) || (files[i].len && !files[i].data) ||
		    files[i].len > UINT32_MAX || added_path(files, i, files[i].path)) {
			buf_printf(
				err,
				"cannot add \"%s\": not a relative path to a file of at most 4 GiB, "
				"or added twice",
				files[i].path);
			return -EINVAL;
		}
	}
	r = read_all(cpio, len, &es, err);
	if (r < 0)
		return r;

	struct slot *s = xcalloc(es.n ? es.n : 1, sizeof(*s));
	in.used = xcalloc(es.n ? es.n : 1, sizeof(*in.used));
	/* Inode numbers of dropped entries are free again: a remastered image remastered again
	 * comes out the same. */
	for (size_t i = 0; i < es.n; i++) {
		const char *name = norm(es.v[i].name);
		s[i].e = es.v[i];
		s[i].drop = in_dir(name, IMAGE_XSRAID_DIR) || added_path(files, n_files, name);
		if (s[i].drop)
			continue;
		in.used[in.n++] = es.v[i].ino;
		if (es.v[i].ino >= in.next)
			in.next = es.v[i].ino + 1;
	}
	qsort(in.used, in.n, sizeof(*in.used), cmp_u32);
	fix_links(s, es.n, &in);

	size_t start = out->len;
	for (size_t i = 0; i < es.n; i++) {
		if (s[i].drop)
			continue;
		if (s[i].rewrite)
			r = cpio_write_entry(out, &s[i].e);
		else
			buf_append(out, (const char *)cpio + s[i].e.offset, s[i].e.size);
		if (r < 0)
			goto out;
	}

	add = plan_added(s, es.n, files, n_files, &n_add);
	const char *prefix = name_prefix(&es);
	for (size_t i = 0; i < n_add; i++) {
		char *name = xasprintf("%s%s", prefix, add[i].path);
		struct cpio_entry e = {
			.ino = ino_alloc(&in),
			.mode = add[i].mode,
			.nlink = add[i].file ? 1 : 2,
			.mtime = mtime,
			.filesize = add[i].file ? (uint32_t)add[i].file->len : 0,
			.name = name,
			.name_len = strlen(name),
			.data = add[i].file ? add[i].file->data : NULL,
		};
		r = cpio_write_entry(out, &e);
		free(name);
		if (r < 0)
			goto out;
	}
	cpio_write_trailer(out, start);
out:
	if (r < 0)
		buf_puts(err, "internal: an entry could not be written");
	for (size_t i = 0; i < n_add; i++)
		free(add[i].path);
	free(add);
	free(in.used);
	free(s);
	free(es.v);
	return r;
}
