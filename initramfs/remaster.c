// SPDX-License-Identifier: GPL-2.0-only
#include "remaster.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "answerfile.h"
#include "log.h"

/* A stock install.img is tens of MiB; the limit only keeps a wrong file from filling memory. */
#define STOCK_MAX ((size_t)2 << 30)
/* The helper is about 2 MiB, a hook a few hundred bytes. */
#define PAYLOAD_FILE_MAX ((size_t)64 << 20)

static int add_file(struct payload *p, const char *src, const char *dest, uint32_t mode)
{
	struct buf data = BUF_INIT;
	int r = read_file(src, PAYLOAD_FILE_MAX, &data);

	if (r < 0)
		return log_errno(r, "cannot read %s", src);
	p->files = xrealloc(p->files, (p->n_files + 1) * sizeof(*p->files));
	p->data = xrealloc(p->data, (p->n_files + 1) * sizeof(*p->data));
	p->data[p->n_files] = data;
	p->files[p->n_files] = (struct image_file){
		.path = xstrdup(dest),
		.len = data.len,
		.mode = mode,
	};
	p->n_files++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of the hook directory, in name order. */
static int add_hooks(struct payload *p, const char *dir)
{
	struct strv names = STRV_INIT;
	struct dirent *de;
	DIR *d = opendir(dir);
	int r = 0;

	if (!d)
		return log_errno(-errno, "cannot read the hook directory %s", dir);
	while ((de = readdir(d))) {
		char *path = path_join(dir, de->d_name);
		struct stat st;
		if (de->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode))
			strv_push(&names, de->d_name);
		free(path);
	}
	closedir(d);
	if (names.n == 0) {
		strv_free(&names);
		return log_error(-EINVAL, "%s holds no hook files", dir);
	}
	qsort(names.v, names.n, sizeof(*names.v), cmp_names);
	for (size_t i = 0; i < names.n && r == 0; i++) {
		char *src = path_join(dir, names.v[i]);
		char *dest = xasprintf("%s/%s", IMAGE_XSRAID_DIR, names.v[i]);
		r = add_file(p, src, dest, 0755);
		free(dest);
		free(src);
	}
	strv_free(&names);
	return r;
}

static bool has_file(const struct payload *p, const char *path)
{
	for (size_t i = 0; i < p->n_files; i++) {
		if (strcmp(p->files[i].path, path) == 0)
			return true;
	}
	return false;
}

/*
 * A location the 6.0 installer can fetch an answerfile from (http, ftp,
 * file, nfs: it has no https), or, through xsraid's generator, what xsraid
 * fetches (http, https, ftp, tftp, file).  On the kernel command line, so
 * no white space.
 */
static int check_url(const char *url, bool generator)
{
	static const char *const stock[] = {"http://", "ftp://", "file://", "nfs://"};
	static const char *const xsraid[] = {"http://", "https://", "ftp://", "tftp://", "file://"};
	const char *const *schemes = generator ? xsraid : stock;
	size_t n = generator ? ARRAY_SIZE(xsraid) : ARRAY_SIZE(stock);

	if (strpbrk(url, " \t\n\r\"")) {
		return log_error(-EINVAL,
				 "answerfile URL \"%s\" holds white space or quotes: "
				 "it goes on the kernel command line",
				 url);
	}
	for (size_t i = 0; i < n; i++) {
		if (str_starts_with(url, schemes[i]) && url[strlen(schemes[i])])
			return 0;
	}
	if (!generator && str_starts_with(url, "https://"))
		return log_error(-EINVAL,
				 "XenServer 6.0's installer cannot fetch https:// answerfiles: "
				 "use http, ftp or nfs, go through xsraid's generator, which "
				 "can (--via-generator, make VIA_GENERATOR=1), or embed the "
				 "file (--answerfile, make ANSWERFILE=)");
	return log_error(-EINVAL, "answerfile URL \"%s\" is not %s", url,
			 generator ? "an http, https, ftp, tftp or file URL"
				   : "an http, ftp, file or nfs URL");
}

static char *generator_args(const char *url)
{
	/* The installer brings the network up before a generator runs only when the generator is
	 * remote. */
	return xasprintf("answerfile_generator=%s xsraid_answerfile=%s%s install", GENERATOR_URL,
			 url, str_starts_with(url, "file://") ? "" : " network_device=all");
}

/*
 * The embedded answerfile, parsed by xsraid's own parser: a file it would
 * refuse at install time is refused now.  The boot arguments follow its
 * form: the stock installer reads the compact form with both hooks itself;
 * XCP-ng's <raid> (or a mirror without the hook lines) goes through the
 * generator, which adds the hooks.
 */
static int check_answerfile(struct payload *p, const char *path, const struct buf *text)
{
	struct buf err = BUF_INIT;
	struct answerfile af;
	int r = answerfile_parse(text->data, text->len, path, &af, &err);

	if (r < 0) {
		log_error(r, "%s", err.data);
		buf_free(&err);
		return r;
	}
	buf_free(&err);
	for (size_t i = 0; i < af.n_scripts && r == 0; i++) {
		const char *url = af.scripts[i].url;
		if (!str_starts_with(url, "file:///opt/xsraid/"))
			continue;
		if (!has_file(p, url + strlen("file:///")))
			r = log_error(-EINVAL, "%s:%u: <script> runs %s, which is not in the image",
				      path, af.scripts[i].line, url);
	}
	bool hooks = answerfile_has_script(&af, "filesystem-populated", HOOK_URL) &&
		     answerfile_has_script(&af, "installation-complete", HOOK_URL);
	if (af.raid.syntax == RAID_SYNTAX_NONE)
		log_warn("%s asks for no mirror: installs from this image will be stock ones",
			 path);
	if (af.raid.syntax == RAID_SYNTAX_ELEMENT || (af.raid.syntax != RAID_SYNTAX_NONE && !hooks))
		p->boot_args = generator_args(EMBEDDED_URL);
	else
		p->boot_args = xstrdup("answerfile=" EMBEDDED_URL " install");
	answerfile_free(&af);
	return r;
}

int payload_load(const struct remaster_opts *o, struct payload *ret)
{
	struct payload p = {0};
	int r = 0;

	if (o->helper)
		r = add_file(&p, o->helper, IMAGE_XSRAID_DIR "/xsraid", 0755);
	if (r == 0)
		r = add_hooks(&p, o->hooks_dir);
	if (r == 0 && o->answerfile) {
		r = add_file(&p, o->answerfile, EMBEDDED_PATH, 0644);
		if (r == 0)
			r = check_answerfile(&p, o->answerfile, &p.data[p.n_files - 1]);
	} else if (r == 0 && o->answerfile_url) {
		r = check_url(o->answerfile_url, o->via_generator);
		if (r == 0)
			p.boot_args = o->via_generator ? generator_args(o->answerfile_url)
						       : xasprintf("answerfile=%s install",
								   o->answerfile_url);
	}
	if (r == 0 && p.boot_args && str_starts_with(p.boot_args, "answerfile_generator=") &&
	    !has_file(&p, IMAGE_XSRAID_DIR "/answerfile-generator"))
		r = log_error(-EINVAL, "the boot entry needs %s, which %s does not have",
			      GENERATOR_URL, o->hooks_dir);
	for (size_t i = 0; i < p.n_files; i++)
		p.files[i].data = p.data[i].data;
	if (r < 0) {
		payload_free(&p);
		return r;
	}
	*ret = p;
	return 0;
}

void payload_free(struct payload *p)
{
	for (size_t i = 0; i < p->n_files; i++) {
		free((char *)p->files[i].path);
		buf_free(&p->data[i]);
	}
	free(p->files);
	free(p->data);
	free(p->boot_args);
	memset(p, 0, sizeof(*p));
}

int remaster_epoch(uint32_t newest_mtime, uint32_t *ret)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;

	if (!sde) {
		*ret = newest_mtime;
		return 0;
	}
	if (parse_u64(sde, &v) < 0 || v > UINT32_MAX)
		return log_error(-EINVAL,
				 "SOURCE_DATE_EPOCH=%s is not a time in seconds since 1970 "
				 "that cpio can hold",
				 sde);
	*ret = (uint32_t)v;
	return 0;
}

static void report_image(FILE *f, const char *path, const struct compression *c,
			 const struct image_report *rep)
{
	if (rep->archives == 1)
		fprintf(f, "%s: %s, a newc cpio archive of %zu entries\n", path,
			compression_name(c->kind), rep->entries);
	else
		fprintf(f, "%s: %s, %u newc cpio archives of %zu entries in all (written as one)\n",
			path, compression_name(c->kind), rep->archives, rep->entries);
	fprintf(f, "  installer:  %s\n",
		rep->installer ? "/opt/xensource/installer/ (XenServer's)" : "none");
	fprintf(f, "  init:       %s\n", rep->init);
	if (rep->n_kernels == 0)
		fprintf(f, "  modules:    no /lib/modules in the image\n");
	for (size_t i = 0; i < rep->n_kernels; i++) {
		const struct image_kernel *k = &rep->kernels[i];
		fprintf(f, "  kernel %s:\n", k->version);
		fprintf(f, "    md:       %s\n", k->md ? k->md : "not found");
		fprintf(f, "    raid1:    %s\n", k->raid1 ? k->raid1 : "not found");
	}
	fprintf(f, "  mdadm:      %s\n",
		rep->mdadm
			? rep->mdadm
			: "not in the image (xsraid runs the installed system's through chroot)");
	fprintf(f, "  sgdisk:     %s\n",
		rep->sgdisk
			? rep->sgdisk
			: "not in the image (xsraid runs the installed system's through chroot)");
}

static void warn_modules(const char *path, const struct image_report *rep)
{
	for (size_t i = 0; i < rep->n_kernels; i++) {
		const struct image_kernel *k = &rep->kernels[i];
		if (!k->md || !k->raid1)
			log_warn(
				"%s: no %s module for kernel %s: unless it is built into that kernel, "
				"xsraid will refuse the mirror at install time",
				path, !k->md ? "md (md-mod)" : "raid1", k->version);
	}
}

/* The stock image, decompressed and inspected. */
struct stock {
	struct compression c;
	struct buf cpio;
	struct image_report rep;
};

static void stock_free(struct stock *st)
{
	buf_free(&st->cpio);
	image_report_free(&st->rep);
}

/* Reads, decompresses and inspects @path, reports on it and refuses what xsraid cannot go into. */
static int load_stock(const char *path, const char *name, FILE *report, struct stock *ret)
{
	struct buf file = BUF_INIT, err = BUF_INIT;
	struct stock st = {0};
	int r = read_file(path, STOCK_MAX, &file);

	if (r < 0) {
		log_errno(r, "cannot read %s", name);
		goto out;
	}
	r = compression_detect(file.data, file.len, &st.c, &err);
	if (r == 0)
		r = compression_unpack(&st.c, file.data, file.len, DECOMPRESS_MAX, &st.cpio, &err);
	if (r == 0)
		r = image_inspect(st.cpio.data, st.cpio.len, &st.rep, &err);
	if (r == 0) {
		report_image(report, name, &st.c, &st.rep);
		warn_modules(name, &st.rep);
		r = image_check(&st.rep, &err);
	}
	if (r < 0)
		log_error(r, "%s: %s", name, err.data);
out:
	buf_free(&file);
	buf_free(&err);
	if (r < 0)
		stock_free(&st);
	else
		*ret = st;
	return r;
}

int remaster_inspect(const char *path, FILE *report)
{
	struct stock st;
	int r = load_stock(path, path, report, &st);

	if (r == 0)
		stock_free(&st);
	return r;
}

int remaster_image(const char *path, const char *name, const struct payload *p, FILE *report,
		   struct buf *ret, uint32_t *ret_epoch)
{
	struct buf cpio = BUF_INIT, err = BUF_INIT;
	struct stock st;
	uint32_t epoch = 0;
	int r = load_stock(path, name, report, &st);

	if (r < 0)
		return r;
	r = remaster_epoch(st.rep.newest_mtime, &epoch);
	if (r < 0)
		goto out;
	r = image_rebuild(st.cpio.data, st.cpio.len, p->files, p->n_files, epoch, &cpio, &err);
	if (r == 0) {
		buf_free(&st.cpio);
		r = compression_pack(&st.c, cpio.data, cpio.len, ret, &err);
	}
	if (r < 0) {
		log_error(r, "%s: %s", name, err.data);
		goto out;
	}
	for (size_t i = 0; i < p->n_files; i++) {
		char size[32];
		format_size(size, sizeof(size), p->files[i].len);
		fprintf(report, "  adding:     /%s (%s, mode %04o)\n", p->files[i].path, size,
			p->files[i].mode);
	}
	*ret_epoch = epoch;
out:
	stock_free(&st);
	buf_free(&cpio);
	buf_free(&err);
	return r;
}
