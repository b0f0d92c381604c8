// SPDX-License-Identifier: GPL-2.0-only
/*
 * xsraid: XenServer installs on md RAID1, unattended.
 *
 * The verbs are thin: each reads its inputs, calls the modules in the order
 * parse -> discover -> plan -> apply, and turns the outcome into an exit
 * status.  Only this file calls exit().
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "answerfile.h"
#include "apply.h"
#include "cmdline.h"
#include "discover.h"
#include "fetch.h"
#include "log.h"
#include "plan.h"
#include "report.h"
#include "util.h"

#ifndef XSRAID_VERSION
#define XSRAID_VERSION "1.0"
#endif

enum exit_status {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_NOTHING = 3,
};

#define SAVED_ANSWERFILE       XSRAID_WORKDIR "/answerfile.xml"
#define SAVED_STOCK_ANSWERFILE XSRAID_WORKDIR "/answerfile-stock.xml"
#define INSTALLER_ANSWERFILE   "/tmp/answerfile"
#define DEFAULT_TARGET	       "/tmp/root"

struct options {
	const char *answerfile;
	const char *sysroot;
	const char *target;
	const char *sha256;
	const char *ca_file;
	const char *log_file;
	const char *console;
	bool json;
	bool verbose;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: xsraid [VERB] [OPTIONS]\n"
		"\n"
		"Mirrors a fresh XenServer 6 install onto a second disk as md RAID1 (md0 root,\n"
		"md1 backup partition, md2 local SR) and makes both disks bootable, driven by\n"
		"the installer's answerfile.\n"
		"\n"
		"Verbs:\n"
		"  plan             (default) print every step and the exact commands; writes\n"
		"                   nothing\n"
		"  validate LOC     parse the answerfile at LOC (path or URL) and print it as JSON,\n"
		"                   or print FILE:LINE: message\n"
		"  apply            run both stages now: mirror onto the second disk, verify,\n"
		"                   then add the first disk\n"
		"  resume           finish the conversion recorded in a disk's journal\n"
		"  status           show the journal of every disk that carries one\n"
		"  hook STAGE [ARG] what the installer runs, through /opt/xsraid/xsraid-hook, at\n"
		"                   filesystem-populated (ARG: the mounted new system) and\n"
		"                   installation-complete (ARG: 0 on success)\n"
		"  generate         answerfile generator: fetch xsraid_answerfile= from the\n"
		"                   kernel command line and print it in the form a stock 6.0\n"
		"                   installer reads\n"
		"\n"
		"Options:\n"
		"  -a, --answerfile=LOC  the answerfile (path, or http/https/ftp/tftp/file URL);\n"
		"                        default: %s, %s, or answerfile= on /proc/cmdline\n"
		"      --sha256=HEX      the answerfile must have this SHA-256 (also\n"
		"                        answerfile_sha256= on the kernel command line)\n"
		"      --ca-file=FILE    CA bundle for https\n"
		"  -t, --target=DIR      where the new system is mounted (default %s)\n"
		"      --sysroot=DIR     read /sys, /proc and /dev below DIR (for tests; apply\n"
		"                        and resume then stop before changing anything)\n"
		"      --json            plan: print JSON\n"
		"      --log=FILE        log file (default %s for apply, resume and hook)\n"
		"      --console=DEV     echo progress to DEV (hook default: /dev/console)\n"
		"  -v, --verbose         more detail on stderr\n"
		"  -h, --help            this text\n"
		"      --version         print the version\n"
		"\n"
		"Exit status:\n"
		"  0  success (plan printed, answerfile valid, stage completed)\n"
		"  1  refused or failed: the message says why and what to change; a refusal\n"
		"     happens before anything is written\n"
		"  2  usage error\n"
		"  3  nothing to do: the answerfile asks for no mirror\n",
		SAVED_ANSWERFILE, INSTALLER_ANSWERFILE, DEFAULT_TARGET, XSRAID_LOG);
}

/* --- answerfile --------------------------------------------------------------- */

static struct fetch_options fetch_opts(const struct options *o, const char *cmdline_pin)
{
	struct fetch_options f = FETCH_OPTIONS_DEFAULT;

	f.sha256 = o->sha256 ? o->sha256 : cmdline_pin;
	f.ca_file = o->ca_file;
	return f;
}

/*
 * Finds, fetches and parses the answerfile.  Returns 0, or -errno after
 * printing a one-line reason.  @ret_data receives the raw bytes.
 */
static int load_answerfile(const struct options *o, const char *const *defaults, bool use_cmdline,
			   struct answerfile *ret, struct buf *ret_data)
{
	struct strv args = STRV_INIT;
	const char *loc = o->answerfile, *pin = NULL;
	struct buf data = BUF_INIT, err = BUF_INIT;
	int r;

	if (!loc) {
		for (size_t i = 0; defaults && defaults[i] && !loc; i++)
			if (access(defaults[i], R_OK) == 0)
				loc = defaults[i];
	}
	if (use_cmdline)
		cmdline_read("/proc/cmdline", &args);
	pin = cmdline_value(&args, "answerfile_sha256");
	if (!loc && use_cmdline) {
		loc = cmdline_value(&args, "xsraid_answerfile");
		if (!loc)
			loc = cmdline_value(&args, "answerfile");
	}
	if (!loc) {
		log_error(-ENOENT, "no answerfile: give --answerfile or boot with answerfile=");
		r = -ENOENT;
		goto out;
	}
	struct fetch_options f = fetch_opts(o, pin);
	r = fetch_location(loc, &f, &data, &err);
	if (r < 0) {
		log_error(r, "%s", err.data);
		goto out;
	}
	r = answerfile_parse(data.data, data.len, loc, ret, &err);
	if (r < 0) {
		log_error(r, "%s", err.data);
		goto out;
	}
	if (ret_data) {
		buf_free(ret_data);
		*ret_data = data;
		data = (struct buf)BUF_INIT;
	}
out:
	buf_free(&data);
	buf_free(&err);
	strv_free(&args);
	return r;
}

/* --- inputs: fresh, or resumed from the journal ----------------------------------- */

static int parse_journal_inputs(const struct disk_info *d, struct plan_inputs *ret)
{
	struct buf err = BUF_INIT;
	int r = plan_inputs_parse(d->journal.payload, ret, &err);

	buf_free(&err);
	return r;
}

/* The identity line plan.c records for a disk. */
static void disk_identity(const struct disk_info *d, char *out, size_t outlen)
{
	snprintf(out, outlen, "model=%s serial=%s bytes=%llu", d->model, d->serial,
		 (unsigned long long)d->size_bytes);
}

/*
 * Inputs for the first stage: those saved in the second disk's journal when
 * it was written for this very install (same disks, same first-disk GUID,
 * same root filesystem), else freshly decided.
 */
static int inputs_for_install(const struct answerfile *af, const struct inventory *inv,
			      const char *target, struct plan_inputs *ret, struct buf *err)
{
	char *n1 = discover_resolve_disk(inv->root, af->raid.disks[0]);
	char *n2 = discover_resolve_disk(inv->root, af->raid.disks[1]);
	const struct disk_info *d1 = n1 ? inventory_disk(inv, n1) : NULL;
	const struct disk_info *d2 = n2 ? inventory_disk(inv, n2) : NULL;
	struct plan_inputs old = {0};
	bool resumed = false;

	if (d1 && d2 && d2->has_journal && d1->gpt_status == 0 &&
	    parse_journal_inputs(d2, &old) == 0) {
		char id1[256], id2[256];
		disk_identity(d1, id1, sizeof(id1));
		disk_identity(d2, id2, sizeof(id2));
		resumed = !strcmp(old.disk[0], d1->name) && !strcmp(old.disk[1], d2->name) &&
			  !strcmp(old.identity[0], id1) && !strcmp(old.identity[1], id2) &&
			  gpt_guid_equal(&old.disk1_guid, &d1->gpt.disk_guid) &&
			  !strcmp(old.root_uuid, inv->target.fs_uuid) &&
			  !strcmp(old.target_dir, target);
	}
	free(n1);
	free(n2);
	if (resumed) {
		log_notice("resuming the conversion recorded in the journal on /dev/%s",
			   old.disk[1]);
		*ret = old;
		return 0;
	}
	plan_inputs_free(&old);
	return plan_inputs_from(af, inv, target, ret, err);
}

/* A journal on a disk that names that very disk as the second one. */
static const struct disk_info *find_journal_disk(const struct inventory *inv,
						 const char *want_disk2, struct plan_inputs *ret)
{
	for (size_t i = 0; i < inv->n_disks; i++) {
		const struct disk_info *d = &inv->disks[i];
		struct plan_inputs in = {0};
		char id[256];

		if (!d->has_journal || (want_disk2 && strcmp(d->name, want_disk2)))
			continue;
		if (parse_journal_inputs(d, &in) < 0)
			continue;
		disk_identity(d, id, sizeof(id));
		if (!strcmp(in.disk[1], d->name) && !strcmp(in.identity[1], id) &&
		    inventory_disk(inv, in.disk[0])) {
			*ret = in;
			return d;
		}
		plan_inputs_free(&in);
	}
	return NULL;
}

static void log_plan(const struct plan *p)
{
	struct buf text = BUF_INIT;

	plan_print_text(p, &text);
	log_info("the plan:");
	/* Line by line: a whole plan is longer than one log message may be. */
	char *save = NULL;
	for (char *line = strtok_r(text.data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		log_info("  %s", line);
	buf_free(&text);
}

static bool is_mounted(const char *dir)
{
	struct stat a, b;
	char *parent = path_join(dir, "..");
	bool m = stat(dir, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;

	free(parent);
	return m;
}

/* --- verbs -------------------------------------------------------------------- */

static int verb_validate(const struct options *o, const char *loc)
{
	struct fetch_options f = fetch_opts(o, NULL);
	struct buf data = BUF_INIT, err = BUF_INIT, out = BUF_INIT;
	struct answerfile af;
	int r;

	r = fetch_location(loc, &f, &data, &err);
	if (r == 0)
		r = answerfile_parse(data.data, data.len, loc, &af, &err);
	if (r < 0) {
		fprintf(stderr, "%s\n", err.data);
	} else {
		answerfile_to_json(&af, &out);
		fputs(out.data, stdout);
		answerfile_free(&af);
	}
	buf_free(&data);
	buf_free(&err);
	buf_free(&out);
	return r < 0 ? EXIT_FAILED : EXIT_OK;
}

static int verb_plan(const struct options *o)
{
	static const char *const defaults[] = {SAVED_ANSWERFILE, INSTALLER_ANSWERFILE, NULL};
	struct answerfile af;
	struct inventory inv = {0};
	struct plan_inputs in = {0};
	struct plan p = {0};
	struct buf err = BUF_INIT, out = BUF_INIT;
	const char *target = o->target ? o->target : DEFAULT_TARGET;
	int r, status = EXIT_FAILED;

	if (load_answerfile(o, o->sysroot ? NULL : defaults, !o->sysroot, &af, NULL) < 0)
		return EXIT_FAILED;
	if (af.raid.syntax == RAID_SYNTAX_NONE) {
		log_notice("%s asks for no mirror: nothing to do", af.name);
		answerfile_free(&af);
		return EXIT_NOTHING;
	}
	r = discover(o->sysroot ? o->sysroot : "/", target, &inv);
	if (r == 0)
		r = inputs_for_install(&af, &inv, target, &in, &err);
	if (r < 0) {
		if (err.len)
			log_error(r, "%s", err.data);
		goto out;
	}
	plan_build(&in, &p);
	if (o->json)
		plan_print_json(&p, &out);
	else
		plan_print_text(&p, &out);
	fputs(out.data, stdout);
	status = EXIT_OK;
out:
	plan_free(&p);
	plan_inputs_free(&in);
	inventory_free(&inv);
	answerfile_free(&af);
	buf_free(&err);
	buf_free(&out);
	return status;
}

static int open_log(const struct options *o, const char *default_console)
{
	const char *file = o->log_file ? o->log_file : XSRAID_LOG;
	const char *console = o->console ? o->console : default_console;
	int r;

	/*
	 * When xsraid changes disks, stderr carries every detail too: the
	 * installer keeps it in its own install-log, which outlives /tmp.
	 */
	if (!o->verbose)
		log_set_level(LOG_INFO);
	if (!o->log_file)
		mkdir_p(XSRAID_WORKDIR, 0700);
	r = log_open_file(file);
	if (r < 0)
		log_errno(r, "cannot open the log '%s'; carrying on without it", file);
	if (console && *console)
		log_set_console(console);
	return 0;
}

/* --sysroot is for looking, never for touching: stop where real disks would be written. */
static int stop_for_sysroot(const struct options *o)
{
	if (!o->sysroot)
		return 0;
	log_notice("--sysroot given: everything checked, nothing applied (the steps need real "
		   "block devices)");
	return 1;
}

static int run_first_stage(const struct options *o, const struct answerfile *af, const char *target,
			   struct plan *ret_plan)
{
	struct inventory inv = {0};
	struct plan_inputs in = {0};
	struct buf err = BUF_INIT;
	struct apply_options ao = {0};
	int r;

	r = discover(o->sysroot ? o->sysroot : "/", target, &inv);
	if (r == 0)
		r = inputs_for_install(af, &inv, target, &in, &err);
	if (r < 0) {
		if (err.len)
			log_error(r, "%s", err.data);
		log_error(r, "no mirror is made; the install stays on one disk, untouched");
		report_refused(err.len ? err.data : log_last_error());
		goto out;
	}
	plan_build(&in, ret_plan);
	observe_plan(ret_plan);
	log_plan(ret_plan);
	if (stop_for_sysroot(o)) {
		r = 0;
		goto out;
	}
	r = apply_stage(ret_plan, STAGE_FILESYSTEM_POPULATED, &ao);
out:
	plan_inputs_free(&in);
	inventory_free(&inv);
	buf_free(&err);
	return r;
}

/* The second stage always works from the journal: the first disk may have changed since. */
static int run_second_stage(const struct options *o, const char *disk2)
{
	struct inventory inv = {0};
	struct plan_inputs in = {0};
	struct plan p = {0};
	struct apply_options ao = {0};
	int r;

	r = discover(o->sysroot ? o->sysroot : "/", NULL, &inv);
	if (r < 0)
		goto out;
	if (!find_journal_disk(&inv, disk2, &in)) {
		r = log_error(-ENOENT,
			      "no xsraid journal on %s%s; the first stage did not run, so "
			      "the install stays on one disk",
			      disk2 ? "/dev/" : "any disk", disk2 ? disk2 : "");
		goto out;
	}
	plan_build(&in, &p);
	observe_plan(&p);
	if (!apply_step_done(&p, "finish-disk2")) {
		r = log_error(-EAGAIN,
			      "the first stage did not finish on /dev/%s; the first disk is "
			      "left as it is and boots the single-disk install",
			      in.disk[1]);
		goto out;
	}
	if (stop_for_sysroot(o))
		goto out;
	r = apply_stage(&p, STAGE_INSTALLATION_COMPLETE, &ao);
out:
	plan_free(&p);
	plan_inputs_free(&in);
	inventory_free(&inv);
	return r;
}

static int verb_hook(const struct options *o, int argc, char **argv)
{
	static const char *const defaults[] = {SAVED_ANSWERFILE, INSTALLER_ANSWERFILE, NULL};
	const char *stage = argc > 0 ? argv[0] : getenv("XS_STAGE");
	const char *arg = argc > 1 ? argv[1] : NULL;
	struct answerfile af;
	struct plan p = {0};
	int r = 0;

	if (!stage) {
		log_error(-EINVAL, "hook: which stage? (XS_STAGE is not set)");
		return EXIT_USAGE;
	}
	open_log(o, "/dev/console");
	log_notice("xsraid %s: installer stage %s%s%s", XSRAID_VERSION, stage, arg ? " " : "",
		   arg ? arg : "");
	if (load_answerfile(o, defaults, true, &af, NULL) < 0)
		return EXIT_FAILED;
	if (af.raid.syntax == RAID_SYNTAX_NONE) {
		log_notice("the answerfile asks for no mirror; nothing to do");
		answerfile_free(&af);
		return EXIT_OK;
	}
	report_start(&af.raid, XSRAID_WORKDIR "/report.state");

	if (!strcmp(stage, "filesystem-populated")) {
		if (!arg) {
			log_error(-EINVAL,
				  "hook filesystem-populated: the installer passes the new "
				  "system's mount point as $1");
			r = -EINVAL;
		} else if (!answerfile_has_script(&af, "installation-complete", XSRAID_HOOK_URL)) {
			/* The generator adds it; an answerfile written by hand may forget. */
			if (access(SAVED_STOCK_ANSWERFILE, R_OK) != 0)
				r = log_error(-EINVAL,
					      "%s: no <script stage=\"installation-complete\" "
					      "type=\"url\">%s</script>; without it the first disk "
					      "would never join the mirror, so no mirror is made",
					      af.name, XSRAID_HOOK_URL);
		}
		if (r == 0)
			r = run_first_stage(o, &af, arg, &p);
	} else if (!strcmp(stage, "installation-complete")) {
		if (arg && strcmp(arg, "0")) {
			log_notice(
				"the installation failed (status %s); the disks are left as they "
				"are",
				arg);
		} else {
			char *d2 = discover_resolve_disk("/", af.raid.disks[1]);
			r = run_second_stage(o, d2);
			free(d2);
		}
		report_finish(r, arg);
	} else {
		log_info("nothing to do at stage %s", stage);
	}
	plan_free(&p);
	answerfile_free(&af);
	return r < 0 ? EXIT_FAILED : EXIT_OK;
}

static int verb_generate(const struct options *o)
{
	struct answerfile af;
	struct buf data = BUF_INIT, out = BUF_INIT, err = BUF_INIT;
	int status = EXIT_FAILED;

	/* stdout is the answerfile: messages only go to stderr and the log. */
	open_log(o, NULL);
	if (load_answerfile(o, NULL, true, &af, &data) < 0)
		goto out;
	answerfile_free(&af);
	if (write_file_atomic(SAVED_ANSWERFILE, data.data, data.len, 0600) < 0)
		log_warn("cannot save a copy of the answerfile in %s", SAVED_ANSWERFILE);
	if (answerfile_for_stock_installer(data.data, data.len,
					   o->answerfile ? o->answerfile : "answerfile",
					   XSRAID_HOOK_URL, &out, &err) < 0) {
		log_error(-EINVAL, "%s", err.data);
		goto out;
	}
	write_file_atomic(SAVED_STOCK_ANSWERFILE, out.data, out.len, 0600);
	fputs(out.data, stdout);
	status = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
out:
	buf_free(&data);
	buf_free(&out);
	buf_free(&err);
	return status;
}

/* Mounts partition 1 of @disk on @target when nothing is mounted there yet. */
static int mount_target(const char *disk, const char *target, bool *mounted)
{
	char dev[96];

	*mounted = false;
	if (is_mounted(target))
		return 0;
	plan_part_dev(dev, sizeof(dev), disk, 1);
	int r = mkdir_p(target, 0755);
	if (r < 0)
		return log_errno(r, "cannot create '%s'", target);
	static const char *const types[] = {"ext3", "ext4", "ext2"};
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		if (mount(dev, target, types[i], 0, NULL) == 0) {
			*mounted = true;
			log_notice("mounted %s on %s", dev, target);
			return 0;
		}
	}
	return log_errno(-errno, "cannot mount '%s' on '%s'", dev, target);
}

static int verb_apply(const struct options *o)
{
	static const char *const defaults[] = {SAVED_ANSWERFILE, INSTALLER_ANSWERFILE, NULL};
	const char *target = o->target ? o->target : DEFAULT_TARGET;
	struct answerfile af;
	struct plan p = {0};
	bool mounted = false;
	int r;

	open_log(o, o->console);
	if (load_answerfile(o, o->sysroot ? NULL : defaults, !o->sysroot, &af, NULL) < 0)
		return EXIT_FAILED;
	if (af.raid.syntax == RAID_SYNTAX_NONE) {
		log_notice("%s asks for no mirror: nothing to do", af.name);
		answerfile_free(&af);
		return EXIT_NOTHING;
	}
	r = 0;
	if (!o->sysroot) {
		char *d1 = discover_resolve_disk("/", af.raid.disks[0]);
		r = d1 ? mount_target(d1, target, &mounted)
		       : log_error(-ENOENT, "disk '%s' does not exist", af.raid.disks[0]);
		free(d1);
	}
	if (r == 0)
		r = run_first_stage(o, &af, target, &p);
	if (mounted) {
		int u = umount(target);
		if (u < 0 && r == 0)
			r = log_errno(-errno, "cannot unmount '%s'", target);
	}
	if (r == 0 && !o->sysroot)
		r = run_second_stage(o, p.in.disk[1]);
	plan_free(&p);
	answerfile_free(&af);
	return r < 0 ? EXIT_FAILED : EXIT_OK;
}

static int verb_resume(const struct options *o)
{
	struct inventory inv = {0};
	struct plan_inputs in = {0};
	struct plan p = {0};
	struct apply_options ao = {.resume = true};
	bool mounted = false;
	int r;

	open_log(o, o->console);
	r = discover(o->sysroot ? o->sysroot : "/", NULL, &inv);
	if (r < 0)
		return EXIT_FAILED;
	if (!find_journal_disk(&inv, NULL, &in)) {
		log_error(-ENOENT, "no disk carries an xsraid journal: nothing to resume");
		inventory_free(&inv);
		return EXIT_NOTHING;
	}
	inventory_free(&inv);
	plan_build(&in, &p);
	log_plan(&p);
	if (stop_for_sysroot(o))
		goto out;
	if (!apply_step_done(&p, "finish-disk2")) {
		r = mount_target(in.disk[0], in.target_dir, &mounted);
		if (r == 0)
			r = apply_stage(&p, STAGE_FILESYSTEM_POPULATED, &ao);
		if (mounted && umount(in.target_dir) < 0 && r == 0)
			r = log_errno(-errno, "cannot unmount '%s'", in.target_dir);
	}
	if (r == 0)
		r = run_second_stage(o, in.disk[1]);
out:
	plan_free(&p);
	plan_inputs_free(&in);
	return r < 0 ? EXIT_FAILED : EXIT_OK;
}

static int verb_status(const struct options *o)
{
	struct inventory inv = {0};
	int found = 0;

	if (discover(o->sysroot ? o->sysroot : "/", NULL, &inv) < 0)
		return EXIT_FAILED;
	for (size_t i = 0; i < inv.n_disks; i++) {
		const struct disk_info *d = &inv.disks[i];
		char g[37];
		if (!d->has_journal)
			continue;
		found++;
		gpt_guid_format(&d->journal.disk_guid, g);
		printf("/dev/%s: xsraid journal, generation %llu, disk GUID %s\n", d->name,
		       (unsigned long long)d->journal.generation, g);
		printf("%s", d->journal.payload);
		for (size_t j = 0; j < d->journal.n_records; j++) {
			const struct journal_record *rec = &d->journal.records[j];
			printf("  %3u %-22s %-6s %d %s\n", rec->step, rec->step_id,
			       journal_event_name(rec->event), rec->status, rec->detail);
		}
	}
	if (!found)
		printf("no disk carries an xsraid journal\n");
	inventory_free(&inv);
	return found ? EXIT_OK : EXIT_NOTHING;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"answerfile", required_argument, NULL, 'a'},
		{"target", required_argument, NULL, 't'},
		{"sysroot", required_argument, NULL, 'S'},
		{"sha256", required_argument, NULL, 'H'},
		{"ca-file", required_argument, NULL, 'C'},
		{"json", no_argument, NULL, 'j'},
		{"log", required_argument, NULL, 'L'},
		{"console", required_argument, NULL, 'c'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct options o = {0};
	const char *verb = "plan";
	int c;

	/* The verb may come first; getopt_long permutes the rest. */
	if (argc > 1 && argv[1][0] != '-') {
		verb = argv[1];
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, "a:t:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o.answerfile = optarg;
			break;
		case 't':
			o.target = optarg;
			break;
		case 'S':
			o.sysroot = optarg;
			break;
		case 'H':
			o.sha256 = optarg;
			break;
		case 'C':
			o.ca_file = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 'L':
			o.log_file = optarg;
			break;
		case 'c':
			o.console = optarg;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("xsraid %s\n", XSRAID_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	log_set_level(o.verbose ? LOG_DEBUG : LOG_NOTICE);
	argc -= optind;
	argv += optind;

	if (!strcmp(verb, "plan") && argc == 0)
		return verb_plan(&o);
	if (!strcmp(verb, "validate") && argc == 1)
		return verb_validate(&o, argv[0]);
	if (!strcmp(verb, "apply") && argc == 0)
		return verb_apply(&o);
	if (!strcmp(verb, "resume") && argc == 0)
		return verb_resume(&o);
	if (!strcmp(verb, "status") && argc == 0)
		return verb_status(&o);
	if (!strcmp(verb, "hook") && argc <= 2)
		return verb_hook(&o, argc, argv);
	if (!strcmp(verb, "generate") && argc == 0)
		return verb_generate(&o);
	fprintf(stderr, "xsraid: unknown verb or wrong arguments: '%s'; see xsraid --help\n", verb);
	return EXIT_USAGE;
}
