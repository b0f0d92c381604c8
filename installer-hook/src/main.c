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
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include "answerfile.h"
#include "apply.h"
#include "checkboot.h"
#include "cmdline.h"
#include "decide.h"
#include "discover.h"
#include "fetch.h"
#include "log.h"
#include "mirror.h"
#include "monitor.h"
#include "plan.h"
#include "planprint.h"
#include "report.h"
#include "status.h"
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
	const char *mdstat;
	const char *from;
	bool json;
	bool journal;
	bool verbose;
	bool apply;
	bool force;
	bool fix;
	bool first_week;
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
		"  status           the md arrays: health, members and their disks, resync,\n"
		"                   recovery, reshape or check progress, bitmap; the exit\n"
		"                   status below says healthy, rebuilding or degraded\n"
		"  check-boot       can each disk of md0 boot the system alone? every failure\n"
		"                   with its disk and its fix; --fix applies the fixes\n"
		"  replace-disk NEW give the new disk NEW the good disk's layout, add it to\n"
		"                   md0, md1 and md2, make it bootable: prints the plan;\n"
		"                   --apply runs it (journaled on NEW: run it again to resume)\n"
		"  scrub            start a check of every idle, whole array (what cron runs)\n"
		"  EVENT MD [DEV]   what mdadm's monitor runs (PROGRAM in /etc/mdadm.conf):\n"
		"                   log the event to syslog, run the answerfile's program\n"
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
		"      --json            plan, status: print JSON\n"
		"      --mdstat=FILE     status: read a saved copy of /proc/mdstat (member disks'\n"
		"                        identity then only with --sysroot)\n"
		"      --journal         status: also show the step journal of every disk that\n"
		"                        carries one\n"
		"      --from=DISK       replace-disk: the good disk (default: the one the\n"
		"                        arrays run from)\n"
		"      --force           replace-disk: erase a new disk that holds something\n"
		"      --apply           replace-disk: run the plan, not only print it\n"
		"      --fix             check-boot: apply the fixes, then check again\n"
		"      --first-week      scrub: only in the first seven days of the month\n"
		"      --log=FILE        log file (default %s for apply, resume and hook,\n"
		"                        " XSRAID_DAY_TWO_LOG " for replace-disk --apply and\n"
		"                        check-boot --fix)\n"
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
		"  3  nothing to do: the answerfile asks for no mirror\n"
		"\n"
		"Exit status of status, for monitoring systems:\n"
		"  0  healthy: every array running with all its members in sync (a check\n"
		"     may be running)\n"
		"  1  /proc/mdstat (or the --mdstat file) could not be read\n"
		"  3  no md array\n"
		"  4  rebuilding: a resync, recovery or reshape runs or waits its turn\n"
		"  5  degraded: an array lacks members and nothing rebuilds them, is not\n"
		"     running, or still lists a failed member\n"
		"\n"
		"Exit status of check-boot: 0 every disk of md0 can boot alone, 1 one cannot\n"
		"(or the check failed), 3 md0 is not running.  replace-disk: 0 planned or\n"
		"done, 1 refused or failed, 3 the replacement recorded on NEW is finished.\n",
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

/* --- the disks: fresh, or resumed from the journal ------------------------------ */

/*
 * What the first stage works from: the disks the answerfile names, the
 * verdict on the second one's journal, and the inputs decided from them
 * (the recorded ones when the journal is this install's own).
 */
struct first_stage {
	struct inventory inv;
	struct mirror mirror;
	struct plan_inputs in;
};

static int first_stage_inputs(const struct options *o, const struct answerfile *af,
			      const char *target, struct first_stage *ret)
{
	const char *asked[2] = {af->raid.disks[0], af->raid.disks[1]};
	struct buf err = BUF_INIT;
	int r;

	r = discover(o->sysroot ? o->sysroot : "/", target, &ret->inv);
	if (r < 0)
		return r;
	mirror_find(&ret->inv, asked, &ret->mirror);
	r = decide_inputs(af, &ret->inv, &ret->mirror, target, &ret->in, &err);
	if (r < 0 && err.len)
		log_error(r, "%s", err.data);
	else if (r == 0 && ret->mirror.verdict == JOURNAL_THIS_INSTALL)
		log_notice("resuming the conversion recorded in %s", ret->mirror.why);
	buf_free(&err);
	return r;
}

static void first_stage_free(struct first_stage *f)
{
	inputs_free(&f->in);
	mirror_free(&f->mirror);
	inventory_free(&f->inv);
}

/*
 * The second stage always works from the journal: the first disk may have
 * changed since.  Fills @inv and @m with the conversion it records, after
 * checking the disks are the ones it recorded.
 */
static int recorded_mirror(const struct options *o, const char *disk2, struct inventory *inv,
			   struct mirror *m)
{
	int r = discover(o->sysroot ? o->sysroot : "/", NULL, inv);

	if (r < 0)
		return r;
	r = mirror_from_journal(inv, disk2, m);
	if (r == -ENOENT)
		log_error(r, "no xsraid journal on %s%s", disk2 ? "/dev/" : "any disk",
			  disk2 ? disk2 : "");
	else if (r < 0)
		log_error(r, "the disks are not those the journal recorded: %s; nothing is changed",
			  m->why);
	return r;
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
	struct first_stage f = {0};
	struct plan p = {0};
	struct buf out = BUF_INIT;
	const char *target = o->target ? o->target : DEFAULT_TARGET;
	int status = EXIT_FAILED;

	if (load_answerfile(o, o->sysroot ? NULL : defaults, !o->sysroot, &af, NULL) < 0)
		return EXIT_FAILED;
	if (af.raid.syntax == RAID_SYNTAX_NONE) {
		log_notice("%s asks for no mirror: nothing to do", af.name);
		answerfile_free(&af);
		return EXIT_NOTHING;
	}
	if (first_stage_inputs(o, &af, target, &f) == 0) {
		plan_build(&f.in, &p);
		if (o->json)
			plan_print_json(&p, &out);
		else
			plan_print_text(&p, &out);
		fputs(out.data, stdout);
		status = EXIT_OK;
	}
	plan_free(&p);
	first_stage_free(&f);
	answerfile_free(&af);
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

/*
 * The log of what an operator runs on the installed system: stderr, and
 * XSRAID_DAY_TWO_LOG unless --log names another file.  Under --sysroot
 * there is no default file: that would be the host's.
 */
static void open_day_two_log(const struct options *o)
{
	const char *file = o->log_file ? o->log_file : o->sysroot ? NULL : XSRAID_DAY_TWO_LOG;

	/* Every command as it runs: the operator watches. */
	if (!o->verbose)
		log_set_level(LOG_INFO);
	if (file && log_open_file(file) < 0)
		log_warn("cannot open the log '%s'; carrying on without it", file);
	if (o->console && *o->console)
		log_set_console(o->console);
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

/*
 * A rehearsal under --sysroot: every action is logged, none is run, and only
 * the journal is written, into the disk image below the sysroot that stands
 * for its device.  So a test can tell a refusal (nothing written)
 * from a stage that went ahead.
 */
struct rehearsal {
	const char *sysroot;
};

static int rehearse_run(const struct plan_action *a, struct op_context *ctx, void *data)
{
	const struct rehearsal *h = data;
	struct buf line = BUF_INIT;
	int r = 0;

	if (a->op == OP_RUN) {
		/* The engine describes every other action as it comes to it. */
		action_describe(a, &line);
		log_info("rehearsal, not run: %s", line.data);
		buf_free(&line);
	}
	if (a->op == OP_JOURNAL_CREATE) {
		char *image = path_join(h->sysroot, a->device);
		r = ctx->start_journal(ctx, image, a->numbers[0]);
		free(image);
	}
	return r;
}

static bool rehearse_needed(const struct plan_action *a, void *data)
{
	(void)a;
	(void)data;
	return true;
}

/*
 * A test's power cut: with xsraid_test_power_cut=STEP on the kernel command
 * line, the machine loses power inside STEP, right after its middle action
 * (the only one, for one-action steps) has run and before the step is
 * recorded done.  Nothing is synced: the disks keep what reached them.
 */
struct power_cut {
	const char *step;
	const struct executor *real;
};

static int cut_run(const struct plan_action *a, struct op_context *ctx, void *data)
{
	const struct power_cut *c = data;
	int r = c->real->run(a, ctx, c->real->data);

	if (r == 0 && !strcmp(ctx->step->id, c->step) &&
	    ctx->action == (ctx->step->n_actions - 1) / 2) {
		log_notice("test power cut inside step %s", c->step);
		reboot(RB_POWER_OFF);
		r = log_errno(-errno, "the test power cut failed");
	}
	return r;
}

static bool cut_needed(const struct plan_action *a, void *data)
{
	const struct power_cut *c = data;

	return c->real->needed(a, c->real->data);
}

/* The executor for a real run: the operations, or a test's power cut around them. */
static const struct executor *real_executor(struct strv *cmdline, struct power_cut *cut,
					    struct executor *cutting)
{
	cmdline_read("/proc/cmdline", cmdline);
	cut->step = cmdline_value(cmdline, "xsraid_test_power_cut");
	cut->real = &apply_real_executor;
	if (!cut->step)
		return &apply_real_executor;
	log_notice("test switch: the power is cut inside step %s", cut->step);
	*cutting = (struct executor){cut_run, cut_needed, cut};
	return cutting;
}

/* Marks, in the installer's memory, that the first stage finished in this very install. */
#define STAGE_A_MARK XSRAID_WORKDIR "/filesystem-populated-done"

static int run_first_stage(const struct options *o, const struct answerfile *af, const char *target,
			   struct plan *ret_plan)
{
	struct first_stage f = {0};
	struct rehearsal h = {o->sysroot};
	const struct executor rehearse = {rehearse_run, rehearse_needed, &h};
	struct apply_options ao = {0};
	struct strv cmdline = STRV_INIT;
	struct power_cut cut;
	struct executor cutting;
	int r;

	unlink(STAGE_A_MARK);
	r = first_stage_inputs(o, af, target, &f);
	if (r < 0) {
		log_error(r, "no mirror is made; the install stays on one disk, untouched");
		report_refused(log_last_error());
		goto out;
	}
	plan_build(&f.in, ret_plan);
	observe_plan(ret_plan);
	log_plan(ret_plan);
	ao.exec = o->sysroot ? &rehearse : real_executor(&cmdline, &cut, &cutting);
	if (!o->sysroot && f.mirror.verdict == JOURNAL_THIS_INSTALL)
		ao.earlier = f.mirror.journal;
	r = apply_stage(ret_plan, STAGE_FILESYSTEM_POPULATED, &ao);
	if (r == 0 && !o->sysroot) {
		char mark[128];
		int n = snprintf(mark, sizeof(mark), "%s\n", ret_plan->in.disk[1]);
		r = write_file_atomic(STAGE_A_MARK, mark, (size_t)n, 0600);
		if (r < 0)
			log_errno(r, "cannot write '%s'", STAGE_A_MARK);
	}
out:
	first_stage_free(&f);
	strv_free(&cmdline);
	return r;
}

/*
 * The second stage, from the journal on @disk2.  @same_install: the first
 * stage ran in this very installer, which must have finished it itself; a
 * journal an earlier install left behind never drives this one.
 */
static int run_second_stage(const struct options *o, const char *disk2, bool same_install)
{
	struct inventory inv = {0};
	struct mirror m = {0};
	struct plan p = {0};
	struct apply_options ao = {0};
	struct strv cmdline = STRV_INIT;
	struct power_cut cut;
	struct executor cutting;
	int r;

	if (same_install && access(STAGE_A_MARK, F_OK) != 0) {
		r = log_error(-EAGAIN, "the first stage did not finish in this install; the first "
				       "disk is left as it is and boots the single-disk install");
		goto out;
	}
	r = recorded_mirror(o, disk2, &inv, &m);
	if (r < 0)
		goto out;
	if (!journal_stage_done(m.journal, plan_stage_name(STAGE_FILESYSTEM_POPULATED))) {
		r = log_error(-EAGAIN,
			      "the first stage did not finish on /dev/%s; the first disk is "
			      "left as it is and boots the single-disk install",
			      m.recorded.disk[1]);
		goto out;
	}
	plan_build(&m.recorded, &p);
	observe_plan(&p);
	if (stop_for_sysroot(o))
		goto out;
	ao.earlier = m.journal;
	ao.exec = real_executor(&cmdline, &cut, &cutting);
	r = apply_stage(&p, STAGE_INSTALLATION_COMPLETE, &ao);
out:
	plan_free(&p);
	mirror_free(&m);
	inventory_free(&inv);
	strv_free(&cmdline);
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
			r = run_second_stage(o, d2, true);
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
		r = run_second_stage(o, p.in.disk[1], true);
	plan_free(&p);
	answerfile_free(&af);
	return r < 0 ? EXIT_FAILED : EXIT_OK;
}

/*
 * A new disk in place of a failed one, on the running host: the plan is
 * printed, and with --apply run, journaled on the new disk; the same
 * command run again resumes it.
 */
static int verb_replace_disk(const struct options *o, const char *new_disk)
{
	const struct replace_request req = {new_disk, o->from, o->force};
	struct rehearsal h = {o->sysroot};
	const struct executor rehearse = {rehearse_run, rehearse_needed, &h};
	struct apply_options ao = {0};
	struct inventory inv = {0};
	struct mirror m = {0};
	struct plan_inputs in = {0};
	struct plan p = {0};
	struct buf err = BUF_INIT, out = BUF_INIT;
	int status = EXIT_FAILED, r;

	if (o->apply)
		open_day_two_log(o);
	r = discover(o->sysroot ? o->sysroot : "/", o->target ? o->target : "/", &inv);
	if (r < 0)
		goto out;
	mirror_find_replacement(&inv, new_disk, &m);
	r = decide_replace(&req, &inv, &m, &in, &err);
	if (r == -EALREADY) {
		log_notice("nothing to do: %s is finished", m.why);
		status = EXIT_NOTHING;
		goto out;
	}
	if (r < 0) {
		log_error(r, "%s", err.data);
		goto out;
	}
	if (m.verdict == JOURNAL_THIS_INSTALL)
		log_notice("resuming the replacement recorded in %s", m.why);
	plan_build(&in, &p);
	if (!o->apply) {
		if (o->json)
			plan_print_json(&p, &out);
		else
			plan_print_text(&p, &out);
		fputs(out.data, stdout);
		status = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
		goto out;
	}
	log_plan(&p);
	if (m.verdict == JOURNAL_THIS_INSTALL)
		ao.earlier = m.journal;
	if (o->sysroot) {
		/* The rehearsal's journal is the image that stands for the new disk. */
		char *image = path_join(o->sysroot, p.journal.device);
		free(p.journal.device);
		p.journal.device = image;
		ao.exec = &rehearse;
	}
	r = apply_stage(&p, STAGE_REPLACE_DISK, &ao);
	if (r == 0)
		log_notice("/dev/%s is in md0, md1 and md2 and boots alone; md1 and md2 go on "
			   "rebuilding in the background: xsraid status shows how far",
			   p.in.disk[1]);
	status = r < 0 ? EXIT_FAILED : EXIT_OK;
out:
	plan_free(&p);
	inputs_free(&in);
	mirror_free(&m);
	inventory_free(&inv);
	buf_free(&err);
	buf_free(&out);
	return status;
}

static int verb_check_boot(const struct options *o)
{
	if (o->fix)
		open_day_two_log(o);
	return checkboot_run(&(struct checkboot_options){
		.root = o->sysroot ? o->sysroot : "/",
		.system = o->target ? o->target : "/",
		.json = o->json,
		.fix = o->fix,
	});
}

/* What cron and mdadm's monitor run: said to syslog too, where the host's alerts look. */
static void open_unattended_log(const struct options *o)
{
	if (!o->sysroot)
		log_set_syslog(true);
	log_set_level(o->verbose ? LOG_DEBUG : LOG_NOTICE);
}

static int verb_resume(const struct options *o)
{
	struct inventory inv = {0};
	struct mirror m = {0};
	struct plan p = {0};
	struct apply_options ao = {0};
	bool mounted = false, first_done;
	int r;

	open_log(o, o->console);
	r = recorded_mirror(o, NULL, &inv, &m);
	if (r < 0) {
		mirror_free(&m);
		inventory_free(&inv);
		return r == -ENOENT ? EXIT_NOTHING : EXIT_FAILED;
	}
	plan_build(&m.recorded, &p);
	log_plan(&p);
	first_done = journal_stage_done(m.journal, plan_stage_name(STAGE_FILESYSTEM_POPULATED));
	ao.earlier = m.journal;
	if (stop_for_sysroot(o))
		goto out;
	if (!first_done) {
		r = mount_target(p.in.disk[0], p.in.target_dir, &mounted);
		if (r == 0)
			r = apply_stage(&p, STAGE_FILESYSTEM_POPULATED, &ao);
		if (mounted && umount(p.in.target_dir) < 0 && r == 0)
			r = log_errno(-errno, "cannot unmount '%s'", p.in.target_dir);
	}
	/* The journal has grown: the second stage reads it afresh. */
	mirror_free(&m);
	inventory_free(&inv);
	if (r == 0)
		r = run_second_stage(o, p.in.disk[1], false);
out:
	plan_free(&p);
	mirror_free(&m);
	inventory_free(&inv);
	return r < 0 ? EXIT_FAILED : EXIT_OK;
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
		{"mdstat", required_argument, NULL, 'M'},
		{"journal", no_argument, NULL, 'J'},
		{"from", required_argument, NULL, 'F'},
		{"force", no_argument, NULL, 'f'},
		{"apply", no_argument, NULL, 'A'},
		{"fix", no_argument, NULL, 'X'},
		{"first-week", no_argument, NULL, 'W'},
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
		case 'M':
			o.mdstat = optarg;
			break;
		case 'J':
			o.journal = true;
			break;
		case 'F':
			o.from = optarg;
			break;
		case 'f':
			o.force = true;
			break;
		case 'A':
			o.apply = true;
			break;
		case 'X':
			o.fix = true;
			break;
		case 'W':
			o.first_week = true;
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
		return status_run(&(struct status_options){.root = o.sysroot ? o.sysroot : "/",
							   .mdstat_file = o.mdstat,
							   .sysroot_given = o.sysroot != NULL,
							   .json = o.json,
							   .journal = o.journal});
	if (!strcmp(verb, "hook") && argc <= 2)
		return verb_hook(&o, argc, argv);
	if (!strcmp(verb, "check-boot") && argc == 0)
		return verb_check_boot(&o);
	if (!strcmp(verb, "replace-disk") && argc == 1)
		return verb_replace_disk(&o, argv[0]);
	if (!strcmp(verb, "scrub") && argc == 0) {
		open_unattended_log(&o);
		return monitor_scrub(o.sysroot ? o.sysroot : "/", o.first_week) ? EXIT_FAILED
										: EXIT_OK;
	}
	if (monitor_is_event(verb) && argc >= 1 && argc <= 2) {
		char *event[] = {(char *)verb, argv[0], argc > 1 ? argv[1] : NULL};
		open_unattended_log(&o);
		return monitor_event(o.sysroot ? o.sysroot : "/", argc + 1, event) ? EXIT_FAILED
										   : EXIT_OK;
	}
	if (!strcmp(verb, "generate") && argc == 0)
		return verb_generate(&o);
	fprintf(stderr, "xsraid: unknown verb or wrong arguments: '%s'; see xsraid --help\n", verb);
	return EXIT_USAGE;
}
