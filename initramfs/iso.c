// SPDX-License-Identifier: GPL-2.0-only
#include "iso.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "isolinux.h"
#include "log.h"
#include "spawn.h"

enum {
	SECTOR = 2048,
	FIRST_DESCRIPTOR = 16, /* the volume descriptors follow 16 sectors of system area */
	MAX_DESCRIPTORS = 64,
};

int iso_probe(const void *head, size_t len, struct iso_probe *ret, struct buf *err)
{
	const unsigned char *p = head;
	struct iso_probe probe = {0};
	bool terminated = false;

	if (len < (FIRST_DESCRIPTOR + 1) * SECTOR ||
	    memcmp(p + FIRST_DESCRIPTOR * SECTOR + 1, "CD001", 5) != 0 ||
	    p[FIRST_DESCRIPTOR * SECTOR] != 1) {
		buf_puts(err, "not an ISO 9660 image (no primary volume descriptor at sector 16)");
		return -EINVAL;
	}
	const unsigned char *pvd = p + FIRST_DESCRIPTOR * SECTOR;
	size_t n = 32;
	while (n > 0 && pvd[40 + n - 1] == ' ')
		n--;
	for (size_t i = 0; i < n; i++)
		probe.volume_id[i] =
			pvd[40 + i] >= 0x20 && pvd[40 + i] < 0x7f ? (char)pvd[40 + i] : '?';

	for (size_t s = FIRST_DESCRIPTOR; s < FIRST_DESCRIPTOR + MAX_DESCRIPTORS; s++) {
		if ((s + 1) * SECTOR > len)
			break;
		const unsigned char *d = p + s * SECTOR;
		if (memcmp(d + 1, "CD001", 5) != 0)
			break;
		if (d[0] == 255) {
			terminated = true;
			break;
		}
		if (d[0] == 0 && memcmp(d + 7, "EL TORITO SPECIFICATION", 23) == 0)
			probe.el_torito = true;
		/* Joliet: a supplementary descriptor with the UCS-2 escape %/@, %/C or %/E. */
		if (d[0] == 2 && d[88] == '%' && d[89] == '/' &&
		    (d[90] == '@' || d[90] == 'C' || d[90] == 'E'))
			probe.joliet = true;
	}
	if (!terminated) {
		buf_puts(err, "not an ISO 9660 image (its volume descriptors do not end)");
		return -EINVAL;
	}
	/* isohybrid writes an MBR over the (otherwise empty) system area. */
	if (p[510] == 0x55 && p[511] == 0xaa) {
		for (int i = 0; i < 4; i++)
			probe.hybrid_mbr = probe.hybrid_mbr || p[446 + 16 * i + 4] != 0;
	}
	*ret = probe;
	return 0;
}

/*
 * A temporary directory next to the output, so the finished ISO is renamed,
 * never copied: the stock files extracted, the new ones, the new ISO.
 */
struct work {
	char *dir;
	struct strv files; /* everything that may be in it */
	const char *stock_img;
	const char *stock_cfg;
	const char *img;
	const char *cfg;
	const char *iso;
	uint32_t epoch; /* of the new files and the volume */
};

/* A path in the work directory, removed with it; owned by @w. */
static const char *work_path(struct work *w, const char *name)
{
	char *path = path_join(w->dir, name);

	strv_push(&w->files, path);
	free(path);
	return w->files.v[w->files.n - 1];
}

static void work_remove(struct work *w)
{
	strv_foreach(f, &w->files)
		unlink(*f);
	if (w->dir)
		rmdir(w->dir);
	strv_free(&w->files);
	free(w->dir);
}

static int work_open(struct work *w, const char *out)
{
	char *copy = xstrdup(out);

	w->dir = path_join(dirname(copy), ".xsraid-remaster-XXXXXX");
	free(copy);
	if (!mkdtemp(w->dir)) {
		int r = log_errno(-errno, "cannot make a temporary directory next to %s", out);
		free(w->dir);
		w->dir = NULL;
		return r;
	}
	w->stock_img = work_path(w, "stock-install.img");
	w->stock_cfg = work_path(w, "stock-isolinux.cfg");
	w->img = work_path(w, "install.img");
	w->cfg = work_path(w, "isolinux.cfg");
	w->iso = work_path(w, "out.iso");
	work_path(w, "install.img.xsraid-tmp");
	work_path(w, "isolinux.cfg.xsraid-tmp");
	return 0;
}

static const char *const tool_env[] = {"PATH=/usr/bin:/bin", "LC_ALL=C", NULL};

/* Runs xorriso; a failure is one line quoting the last line of its stderr. */
static int xorriso(const char *const *argv, const char *what, const char *iso, struct buf *out)
{
	struct buf errout = BUF_INIT;
	int r = spawn_capture(argv, tool_env, out, &errout);

	if (r != 0) {
		char last[512];
		spawn_last_line(errout.data, last, sizeof(last));
		r = log_error(r < 0 ? r : -EIO, "%s: xorriso could not %s%s%s", iso, what,
			      last[0] ? ": " : "", last);
	}
	buf_free(&errout);
	return r;
}

/* What xorriso reports: the BIOS boot image's path and the files -find printed. */
struct listing {
	char *boot_image;
	struct strv files;
};

static void parse_listing(char *text, struct listing *l)
{
	static const char img_path[] = "El Torito img path :";

	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);
		if (n >= 2 && line[0] == '\'' && line[n - 1] == '\'') {
			line[n - 1] = '\0';
			strv_push(&l->files, line + 1);
		} else if (!l->boot_image && str_starts_with(line, img_path)) {
			/* "El Torito img path :   1  /boot/isolinux/isolinux.bin" */
			char *path = strchr(line + sizeof(img_path) - 1, '/');
			if (path)
				l->boot_image = xstrdup(str_strip(path));
		}
	}
}

static bool listed(const struct listing *l, const char *path)
{
	strv_foreach(f, &l->files) {
		if (strcmp(*f, path) == 0)
			return true;
	}
	return false;
}

/* isolinux.cfg where ISOLINUX looks for it: beside isolinux.bin, then /boot/isolinux, /isolinux, /.
 */
static char *find_cfg(const struct listing *l)
{
	char *candidates[4] = {NULL, xstrdup("/boot/isolinux/isolinux.cfg"),
			       xstrdup("/isolinux/isolinux.cfg"), xstrdup("/isolinux.cfg")};
	char *found = NULL;

	if (l->boot_image) {
		char *copy = xstrdup(l->boot_image);
		candidates[0] = path_join(dirname(copy), "isolinux.cfg");
		free(copy);
	}
	for (size_t i = 0; i < ARRAY_SIZE(candidates); i++) {
		if (!found && candidates[i] && listed(l, candidates[i]))
			found = xstrdup(candidates[i]);
		free(candidates[i]);
	}
	return found;
}

/* What xorriso reports about @stock: its BIOS boot image and where isolinux.cfg and install.img
 * are. */
static int list_iso(const char *xo, const char *stock, struct listing *l)
{
	/* clang-format off */
	const char *argv[] = {
		xo, "-report_about", "SORRY", "-indev", stock,
		"-report_el_torito", "plain",
		"-find", "/", "-type", "f", "-name", "isolinux.cfg", "--",
		"-find", "/", "-type", "f", "-name", "install.img", "--",
		NULL,
	};
	/* clang-format on */
	struct buf out = BUF_INIT;
	int r = xorriso(argv, "read it", stock, &out);

	if (r == 0)
		parse_listing(out.data, l);
	buf_free(&out);
	return r;
}

/*
 * The new ISO: @stock with @img as /install.img and @cfg_file as @cfg, the
 * stock boot setup replayed, Joliet as @joliet says, and every date that
 * would come from the clock or the temporary files set to @epoch.
 */
static int write_iso(const char *xo, const char *stock, const char *out, bool joliet,
		     const char *img, const char *cfg_file, const char *cfg, uint32_t epoch)
{
	char seconds[32], uuid[32];
	time_t t = epoch;
	struct tm tm;

	snprintf(seconds, sizeof(seconds), "=%u", epoch);
	gmtime_r(&t, &tm);
	strftime(uuid, sizeof(uuid), "%Y%m%d%H%M%S00", &tm);
	/* clang-format off */
	const char *argv[] = {
		xo, "-report_about", "SORRY", "-indev", stock, "-outdev", out,
		"-boot_image", "any", "replay",
		"-joliet", joliet ? "on" : "off",
		"-map", img, "/install.img",
		"-map", cfg_file, cfg,
		/* "b" would set the change time to now: "b-c", then "c". */
		"-alter_date", "b-c", seconds, "/install.img", cfg, "--",
		"-alter_date", "c", seconds, "/install.img", cfg, "--",
		"-volume_date", "c", seconds,
		"-volume_date", "m", seconds,
		"-volume_date", "uuid", uuid,
		"-commit",
		NULL,
	};
	/* clang-format on */
	return xorriso(argv, "write the new ISO", stock, NULL);
}

static int set_time(const char *path, uint32_t epoch)
{
	const struct timespec t[2] = {{.tv_sec = epoch}, {.tv_sec = epoch}};

	if (utimensat(AT_FDCWD, path, t, 0) < 0)
		return log_errno(-errno, "cannot set the time of %s", path);
	return 0;
}

static int read_probe(const char *path, struct iso_probe *ret)
{
	struct buf err = BUF_INIT;
	unsigned char *head = xmalloc(ISO_PROBE_SIZE);
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0) {
		r = log_errno(-errno, "cannot open %s", path);
		goto out;
	}
	ssize_t n = pread_full(fd, head, ISO_PROBE_SIZE, 0);
	close(fd);
	if (n < 0) {
		r = log_errno((int)n, "cannot read %s", path);
		goto out;
	}
	r = iso_probe(head, (size_t)n, ret, &err);
	if (r < 0)
		log_error(r, "%s: %s", path, err.data);
out:
	buf_free(&err);
	free(head);
	return r;
}

static int sync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0 || fsync(fd) < 0)
		r = log_errno(-errno, "cannot sync %s", path);
	if (fd >= 0)
		close(fd);
	return r;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

static int new_cfg(const char *stock_cfg, const char *iso_name, const char *dest, uint32_t epoch,
		   const struct payload *p, FILE *report)
{
	struct buf text = BUF_INIT, out = BUF_INIT, notes = BUF_INIT, err = BUF_INIT;
	int r = read_file(stock_cfg, 1 << 20, &text);

	if (r < 0) {
		log_errno(r, "cannot read %s from %s", stock_cfg, iso_name);
		goto out;
	}
	r = isolinux_add_entry(text.data, text.len, ISO_ENTRY_LABEL, p->boot_args, &out, &notes,
			       &err);
	if (r < 0) {
		log_error(r, "%s: isolinux.cfg: %s", iso_name, err.data);
		goto out;
	}
	for (char *save = NULL, *l = strtok_r(notes.data, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save))
		fprintf(report, "  isolinux:   %s\n", l);
	r = write_file_atomic(dest, out.data, out.len, 0644);
	if (r < 0)
		log_errno(r, "cannot write %s", dest);
	else
		r = set_time(dest, epoch);
out:
	buf_free(&text);
	buf_free(&out);
	buf_free(&notes);
	buf_free(&err);
	return r;
}

/* install.img and isolinux.cfg of @stock (@cfg), extracted and remastered into the work directory.
 */
static int new_parts(const char *xo, const char *stock, const char *cfg, const struct payload *p,
		     FILE *report, struct work *w)
{
	/* clang-format off */
	const char *argv[] = {
		xo, "-report_about", "SORRY", "-osirrox", "on", "-indev", stock,
		"-extract", "/install.img", w->stock_img,
		"-extract", cfg, w->stock_cfg,
		NULL,
	};
	/* clang-format on */
	struct buf img = BUF_INIT;
	char *name = xasprintf("%s:/install.img", stock);
	int r = xorriso(argv, "extract /install.img and isolinux.cfg", stock, NULL);

	if (r == 0)
		r = remaster_image(w->stock_img, name, p, report, &img, &w->epoch);
	if (r == 0) {
		r = write_file_atomic(w->img, img.data, img.len, 0644);
		if (r < 0)
			log_errno(r, "cannot write %s", w->img);
	}
	if (r == 0)
		r = set_time(w->img, w->epoch);
	if (r == 0)
		r = new_cfg(w->stock_cfg, stock, w->cfg, w->epoch, p, report);
	buf_free(&img);
	free(name);
	return r;
}

int iso_remaster(const char *stock, const char *out, const struct payload *p, FILE *report)
{
	struct listing l = {0};
	struct work w = {0};
	struct iso_probe before, after;
	char *xo = spawn_find("xorriso"), *cfg = NULL;
	int r = read_probe(stock, &before);

	if (r < 0)
		goto out;
	fprintf(report, "%s: ISO 9660 \"%s\", El Torito boot: %s, isohybrid MBR: %s, Joliet: %s\n",
		stock, before.volume_id, yes_no(before.el_torito), yes_no(before.hybrid_mbr),
		yes_no(before.joliet));
	if (!before.el_torito) {
		r = log_error(-EINVAL, "%s: no El Torito boot record: not a bootable installer CD",
			      stock);
		goto out;
	}
	if (!xo) {
		r = log_error(-ENOENT, "xorriso is not installed (apt-get install xorriso)");
		goto out;
	}

	r = list_iso(xo, stock, &l);
	if (r < 0)
		goto out;
	if (!listed(&l, "/install.img")) {
		r = log_error(-EINVAL, "%s has no /install.img: not a XenServer installer CD",
			      stock);
		goto out;
	}
	cfg = find_cfg(&l);
	if (!cfg) {
		r = log_error(-EINVAL, "%s has no isolinux.cfg where ISOLINUX looks for one",
			      stock);
		goto out;
	}
	fprintf(report, "  boot:       %s, configuration %s\n",
		l.boot_image ? l.boot_image : "(no BIOS boot image)", cfg);

	r = work_open(&w, out);
	if (r == 0)
		r = new_parts(xo, stock, cfg, p, report, &w);
	if (r == 0)
		r = write_iso(xo, stock, w.iso, before.joliet, w.img, w.cfg, cfg, w.epoch);
	if (r < 0)
		goto out;

	r = read_probe(w.iso, &after);
	if (r == 0 && (!after.el_torito || after.hybrid_mbr != before.hybrid_mbr ||
		       after.joliet != before.joliet))
		r = log_error(
			-EIO,
			"%s: the new ISO lost the stock boot setup (El Torito %s, isohybrid %s, "
			"Joliet %s)",
			stock, yes_no(after.el_torito), yes_no(after.hybrid_mbr),
			yes_no(after.joliet));
	if (r == 0)
		r = sync_file(w.iso);
	if (r == 0 && rename(w.iso, out) < 0)
		r = log_errno(-errno, "cannot rename the new ISO to %s", out);
	if (r == 0) {
		struct stat st;
		char size[32];
		format_size(size, sizeof(size), stat(out, &st) == 0 ? (uint64_t)st.st_size : 0);
		fprintf(report,
			"wrote %s (%s; El Torito boot: yes, isohybrid MBR: %s, Joliet: %s)\n", out,
			size, yes_no(after.hybrid_mbr), yes_no(after.joliet));
	}
out:
	work_remove(&w);
	strv_free(&l.files);
	free(l.boot_image);
	free(cfg);
	free(xo);
	return r;
}
