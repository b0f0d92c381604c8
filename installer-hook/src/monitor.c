// SPDX-License-Identifier: GPL-2.0-only
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "configedit.h"
#include "log.h"
#include "mdstat.h"
#include "plan.h"
#include "run.h"
#include "util.h"

/* How long the answerfile's program may take before it is stopped. */
#define PROGRAM_TIMEOUT 60

/* mdadm's events (Monitor.c), what each means and how loud it is. */
static const struct {
	const char *name;
	enum log_level level;
	const char *meaning;
} EVENTS[] = {
	{"Fail", LOG_ERR,
	 "a member failed and the array runs without it: replace its disk (xsraid replace-disk "
	 "NEW; xsraid status shows which disk it is)"},
	{"DegradedArray", LOG_ERR,
	 "the array runs without one of its members: replace the missing disk (xsraid "
	 "replace-disk NEW)"},
	{"DeviceDisappeared", LOG_ERR, "the array is gone from the system"},
	{"FailSpare", LOG_WARN, "the member being rebuilt failed; the array is still degraded"},
	{"SparesMissing", LOG_WARN, "the array has fewer spares than mdadm.conf says"},
	{"MoveSpare", LOG_NOTICE, "a spare moved to this array"},
	{"RebuildStarted", LOG_NOTICE, "a rebuild or check began"},
	{"Rebuild", LOG_INFO, "rebuild progress"},
	{"RebuildFinished", LOG_NOTICE, "the rebuild or check ended"},
	{"SpareActive", LOG_NOTICE, "the rebuilt member is in sync: the array is whole again"},
	{"NewArray", LOG_INFO, "an array appeared"},
	{"TestMessage", LOG_NOTICE, "a test (mdadm --monitor --test)"},
};

/* The table entry for @name; "Rebuild20", "Rebuild40"... are progress. */
static int event_index(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(EVENTS); i++)
		if (!strcmp(name, EVENTS[i].name))
			return (int)i;
	if (str_starts_with(name, "Rebuild") && strlen(name) == 9 && name[7] >= '0' &&
	    name[7] <= '9' && name[8] >= '0' && name[8] <= '9')
		for (size_t i = 0; i < ARRAY_SIZE(EVENTS); i++)
			if (!strcmp(EVENTS[i].name, "Rebuild"))
				return (int)i;
	return -1;
}

bool monitor_is_event(const char *name)
{
	return event_index(name) >= 0;
}

/* PROGRAM from etc/sysconfig/xsraid below @root, or NULL. */
static char *event_program(const char *root)
{
	char *p = path_join(root, XSRAID_SYSCONFIG);
	struct buf text = BUF_INIT;
	char *program = NULL;

	if (read_file(p, 1 << 16, &text) == 0)
		program = config_shell_var_get(text.data, "PROGRAM");
	if (program && !program[0]) {
		free(program);
		program = NULL;
	}
	buf_free(&text);
	free(p);
	return program;
}

int monitor_event(const char *root, int argc, char **argv)
{
	int i = event_index(argv[0]);
	const char *md = argc > 1 ? argv[1] : "?", *member = argc > 2 ? argv[2] : NULL;
	char *program;
	int status = 0;

	if (i < 0)
		return 1;
	log_msg(EVENTS[i].level, "%s: %s%s%s: %s", md, argv[0], member ? " " : "",
		member ? member : "", EVENTS[i].meaning);
	program = event_program(root);
	if (program) {
		const char *args[] = {program, argv[0], md, member, NULL};
		struct run_cmd cmd = RUN_CMD_INIT;
		cmd.argv = args;
		cmd.timeout_sec = PROGRAM_TIMEOUT;
		int r = run_command(&cmd);
		if (r != 0) {
			if (r > 0)
				log_error(-EIO, "'%s' failed with exit status %d", program, r);
			status = 1;
		}
		free(program);
	}
	return status;
}

static void md_file(const char *root, const char *md, const char *file, char *out, size_t outlen)
{
	char *p = xasprintf("%s/sys/block/%s/md/%s", strcmp(root, "/") ? root : "", md, file);

	read_line_file(p, out, outlen);
	free(p);
}

/* Starts a check of @a, or says why not.  Returns 0, or -errno when md refused it. */
static int scrub_array(const char *root, const struct mdstat_array *a)
{
	char action[32], degraded[16], mismatches[32];
	int r = 0;

	md_file(root, a->name, "sync_action", action, sizeof(action));
	md_file(root, a->name, "degraded", degraded, sizeof(degraded));
	md_file(root, a->name, "mismatch_cnt", mismatches, sizeof(mismatches));
	if (strcmp(degraded, "0")) {
		log_warn("%s is degraded: not checked; replace the missing disk (xsraid status, "
			 "xsraid replace-disk)",
			 a->name);
		return 0;
	}
	if (strcmp(action, "idle")) {
		log_info("%s is busy (%s): not checked this time", a->name, action);
		return 0;
	}
	/* What the last check counted: RAID1 can count a few harmlessly (swap in flight). */
	if (mismatches[0] && strcmp(mismatches, "0"))
		log_notice("%s: the last check counted %s sectors that differed between the "
			   "members",
			   a->name, mismatches);
	char *p =
		xasprintf("%s/sys/block/%s/md/sync_action", strcmp(root, "/") ? root : "", a->name);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "check", 5) != 5)
		r = log_errno(-errno, "%s: cannot start a check", a->name);
	else
		log_notice("%s: check started", a->name);
	if (fd >= 0)
		close(fd);
	free(p);
	return r;
}

/* Levels that keep a second copy of the data, which a check compares. */
static bool redundant(const char *personality)
{
	static const char *const levels[] = {"raid1", "raid4", "raid5", "raid6", "raid10"};

	for (size_t i = 0; i < ARRAY_SIZE(levels); i++)
		if (!strcmp(personality, levels[i]))
			return true;
	return false;
}

int monitor_scrub(const char *root, bool first_week)
{
	struct buf text = BUF_INIT;
	struct mdstat m;
	char *p = path_join(root, "proc/mdstat");
	int status = 0;

	if (first_week) {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		if (tm.tm_mday > 7) {
			log_info("scrub: not in the first week of the month; nothing to do");
			free(p);
			return 0;
		}
	}
	if (read_file(p, 16 << 20, &text) < 0)
		buf_reset(&text);
	mdstat_parse(text.data ? text.data : "", text.len, &m);
	for (size_t i = 0; i < m.n_arrays; i++)
		if (m.arrays[i].active && redundant(m.arrays[i].personality) &&
		    scrub_array(root, &m.arrays[i]) < 0)
			status = 1;
	if (!m.n_arrays)
		log_info("scrub: no md array to check");
	mdstat_free(&m);
	buf_free(&text);
	free(p);
	return status;
}
