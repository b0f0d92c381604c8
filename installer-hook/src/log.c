// SPDX-License-Identifier: GPL-2.0-only
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "syslogline.h"

static enum log_level min_level = LOG_INFO;
static const char *prefix = "xsraid";
static int file_fd = -1;
static const char *console_path;
static char last_error[1024];
static bool to_syslog;

static const char *const level_names[] = {
	[LOG_DEBUG] = "debug",	[LOG_INFO] = "info", [LOG_NOTICE] = "notice",
	[LOG_WARN] = "warning", [LOG_ERR] = "error",
};

void log_set_level(enum log_level level)
{
	min_level = level;
}

void log_set_prefix(const char *p)
{
	prefix = p;
}

int log_open_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	log_close_file();
	file_fd = fd;
	return 0;
}

void log_close_file(void)
{
	if (file_fd >= 0)
		close(file_fd);
	file_fd = -1;
}

void log_set_console(const char *path)
{
	console_path = path;
}

void log_set_syslog(bool on)
{
	to_syslog = on;
}

/*
 * Writes all of @s, or gives up.  A descriptor may be non-blocking and full:
 * the console is opened so (below), and Xen's hvc console drains at serial
 * speed, so a burst of lines fills it.  Room is waited for, up to
 * WRITE_WAIT_MS per call, rather than dropping the line; never longer, so a
 * console stuck on flow control cannot hang the install.
 */
enum { WRITE_WAIT_MS = 2000, WRITE_POLL_MS = 100 };

static void write_str(int fd, const char *s, size_t len)
{
	int waited_ms = 0;

	while (len > 0) {
		ssize_t n = write(fd, s, len);
		if (n > 0) {
			s += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || errno != EAGAIN || waited_ms >= WRITE_WAIT_MS)
			return;
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		(void)poll(&p, 1, WRITE_POLL_MS);
		waited_ms += WRITE_POLL_MS;
	}
}

/* The console is opened per message, non-blocking: it may be a tty that the installer's UI also
 * uses. */
static void to_console(const char *line, size_t len)
{
	if (!console_path)
		return;
	int fd = open(console_path, O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	write_str(fd, line, len);
	close(fd);
}

static void emit(enum log_level level, const char *text, int errnum, bool console)
{
	char line[4096];
	int n;

	if (errnum)
		n = snprintf(line, sizeof(line), "%s: %s%s%s: %s\n", prefix,
			     level >= LOG_WARN ? level_names[level] : "",
			     level >= LOG_WARN ? ": " : "", text, strerror(errnum));
	else
		n = snprintf(line, sizeof(line), "%s: %s%s%s\n", prefix,
			     level >= LOG_WARN ? level_names[level] : "",
			     level >= LOG_WARN ? ": " : "", text);
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;

	if (level >= min_level)
		write_str(STDERR_FILENO, line, len);
	if (to_syslog && level >= LOG_INFO) {
		/* syslog has the program's name and the priority: the message alone. */
		char entry[sizeof(line)];
		if (errnum)
			snprintf(entry, sizeof(entry), "%s: %s", text, strerror(errnum));
		else
			snprintf(entry, sizeof(entry), "%s", text);
		syslog_line((int)level, entry);
	}
	if (console && level >= LOG_NOTICE)
		to_console(line, len);
	if (file_fd >= 0) {
		char stamp[64];
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		int sn = (int)strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ ", &tm);
		write_str(file_fd, stamp, (size_t)sn);
		write_str(file_fd, level_names[level], strlen(level_names[level]));
		write_str(file_fd, " ", 1);
		write_str(file_fd, line + strlen(prefix) + 2, len - strlen(prefix) - 2);
	}
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char text[3072];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	emit(level, text, 0, true);
}

/* Keeps "TEXT[: REASON]", cut to fit. */
static void remember_error(const char *text, const char *reason)
{
	size_t n = strnlen(text, sizeof(last_error) - 1);

	memcpy(last_error, text, n);
	last_error[n] = '\0';
	if (reason && n + 2 < sizeof(last_error)) {
		size_t m = strnlen(reason, sizeof(last_error) - n - 3);
		memcpy(last_error + n, ": ", 2);
		memcpy(last_error + n + 2, reason, m);
		last_error[n + 2 + m] = '\0';
	}
}

/* log_errno() and log_error() differ only in whether strerror() is appended. */
static int log_failure(int r, bool with_errno, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static int log_failure(int r, bool with_errno, const char *fmt, va_list ap)
{
	char text[3072];

	vsnprintf(text, sizeof(text), fmt, ap);
	emit(LOG_ERR, text, with_errno ? (r < 0 ? -r : r) : 0, true);
	remember_error(text, with_errno ? strerror(r < 0 ? -r : r) : NULL);
	return r;
}

const char *log_last_error(void)
{
	return last_error;
}

int log_errno(int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_failure(r, true, fmt, ap);
	va_end(ap);
	return r;
}

int log_error(int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_failure(r, false, fmt, ap);
	va_end(ap);
	return r;
}

void log_progress(const char *what, uint64_t done, uint64_t total)
{
	static struct timespec last;
	static const char *last_what;
	static bool finished_shown;
	struct timespec now;
	char line[256];
	int n;

	clock_gettime(CLOCK_MONOTONIC, &now);
	bool finished = total && done >= total;
	bool new_task = what != last_what;
	/* A job reports its last item and then its end: say 100% once. */
	if (!finished)
		finished_shown = false;
	else if (!new_task && finished_shown)
		return;
	if (!finished && !new_task && now.tv_sec - last.tv_sec < 5)
		return;
	last = now;
	last_what = what;
	finished_shown = finished;

	if (total)
		n = snprintf(line, sizeof(line), "%s: %s: %3u%% (%llu/%llu MiB)\n", prefix, what,
			     (unsigned)(done * 100 / total), (unsigned long long)(done >> 20),
			     (unsigned long long)(total >> 20));
	else
		n = snprintf(line, sizeof(line), "%s: %s: %llu MiB\n", prefix, what,
			     (unsigned long long)(done >> 20));
	if (n < 0)
		return;
	size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	to_console(line, len);
	if (min_level <= LOG_INFO)
		write_str(STDERR_FILENO, line, len);
	if (file_fd >= 0)
		write_str(file_fd, line, len);
}
