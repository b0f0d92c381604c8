/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_LOG_H
#define XSRAID_LOG_H

#include <stdbool.h>
#include <stdint.h>

/**
 * Logging for xsraid.
 *
 * Every message goes to stderr (which the installer appends to its own
 * install-log) and, once log_open_file() succeeded, to xsraid's log file with
 * a timestamp.  Notices, warnings and errors are also echoed to the console
 * set with log_set_console(), because the installer captures a hook's output
 * and only shows it after the hook ends: an operator watching a serial line
 * must see progress while a long step runs.
 *
 * Error convention: functions return 0 (or 1 for "changed something") on
 * success and a negative errno on failure.  The failure is logged once, where
 * it happens, and passed up in the same statement:
 *
 *	return log_errno(r, "cannot open '%s'", path);
 *
 * Messages start in lower case, quote their subject and have no full stop.
 */

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_NOTICE,
	LOG_WARN,
	LOG_ERR,
};

void log_set_level(enum log_level level);
void log_set_prefix(const char *prefix);

/* Appends to @path (created 0600).  Returns 0 or -errno. */
int log_open_file(const char *path);
void log_close_file(void);

/* Echo notices and worse, and progress, to @path (e.g. /dev/console); NULL stops. */
void log_set_console(const char *path);

/* Send infos and worse to syslog too (what runs from cron and mdadm's monitor). */
void log_set_syslog(bool on);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)

/* Logs "error: <message>: <strerror(-r)>" and returns @r (which must be < 0). */
int log_errno(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Logs "error: <message>" and returns @r: for failures errno cannot describe. */
int log_error(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The text of the last log_errno()/log_error() message, "" before the first: for reports. */
const char *log_last_error(void);

/*
 * Progress of a long step, e.g. the root copy or a resync.  Printed to the
 * console and the log at most every few seconds and at 100%, so a serial
 * line is not flooded.  @total may be 0 when unknown.
 */
void log_progress(const char *what, uint64_t done, uint64_t total);

#endif
