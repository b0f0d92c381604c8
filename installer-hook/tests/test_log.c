// SPDX-License-Identifier: GPL-2.0-only
/* The console echo: what an operator watching a serial line sees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "testlib.h"

/* The console is a pipe here: like a tty's output buffer, it can be full. */
struct console {
	int fds[2];
	char path[64];
	char seen[1 << 17];
	size_t seen_len;
	unsigned drain_after_ms;
};

static void console_open(struct console *c)
{
	assert_int_equal(pipe(c->fds), 0);
	snprintf(c->path, sizeof(c->path), "/proc/self/fd/%d", c->fds[1]);
	c->seen_len = 0;
	log_set_level(LOG_ERR);
	log_set_console(c->path);
}

static void console_open_full(struct console *c)
{
	console_open(c);
	assert_int_equal(fcntl(c->fds[1], F_SETFL, O_NONBLOCK), 0);
	char filler[4096];
	memset(filler, '.', sizeof(filler));
	while (write(c->fds[1], filler, sizeof(filler)) > 0)
		;
	assert_int_equal(errno, EAGAIN);
}

static void console_close(struct console *c)
{
	close(c->fds[0]);
	close(c->fds[1]);
	log_set_console(NULL);
}

/* Reads everything the console got, starting after a delay, until the writer is done. */
static void *drain(void *arg)
{
	struct console *c = arg;
	struct timespec pause = {.tv_sec = 0, .tv_nsec = (long)c->drain_after_ms * 1000000L};

	nanosleep(&pause, NULL);
	assert_int_equal(fcntl(c->fds[0], F_SETFL, O_NONBLOCK), 0);
	for (int idle = 0; idle < 50;) {
		ssize_t n =
			read(c->fds[0], c->seen + c->seen_len, sizeof(c->seen) - 1 - c->seen_len);
		if (n > 0) {
			c->seen_len += (size_t)n;
			idle = 0;
			continue;
		}
		struct timespec tick = {.tv_sec = 0, .tv_nsec = 10000000L};
		nanosleep(&tick, NULL);
		idle++;
	}
	c->seen[c->seen_len] = '\0';
	return NULL;
}

/* A burst of lines fills Xen's console; the next line waits for room instead of vanishing. */
static void test_full_console_line_waits_for_room(void **state)
{
	(void)state;
	static struct console c;
	pthread_t reader;

	console_open_full(&c);
	c.drain_after_ms = 300;
	assert_int_equal(pthread_create(&reader, NULL, drain, &c), 0);
	log_notice("step 12/12 finish-disk2: %s", "Unmount the new root");
	assert_int_equal(pthread_join(reader, NULL), 0);
	assert_non_null(strstr(c.seen, "xsraid: step 12/12 finish-disk2: Unmount the new root\n"));
	console_close(&c);
}

/* Seconds a line may wait for a console that never drains: far more than log.c's 2 s. */
#define STUCK_CONSOLE_LIMIT 10

/* A console that never drains costs a bounded wait; the log file still gets the line. */
static void test_stuck_console_does_not_hang(void **state)
{
	(void)state;
	static struct console c;
	char *dir = test_mkdtemp();
	char log_path[4096];

	snprintf(log_path, sizeof(log_path), "%s/xsraid-log", dir);
	assert_int_equal(log_open_file(log_path), 0);
	console_open_full(&c);
	/* Were the wait unbounded, the alarm would end the test instead of a hang. */
	alarm(STUCK_CONSOLE_LIMIT);
	time_t start = time(NULL);
	log_notice("md0 is in sync");
	assert_true(time(NULL) - start < STUCK_CONSOLE_LIMIT);
	alarm(0);
	log_close_file();
	char *text = test_read_file(log_path);
	assert_non_null(text);
	assert_non_null(strstr(text, "md0 is in sync\n"));
	free(text);
	free(dir);
	console_close(&c);
}

/* A copy reports its last file and then its end: the console says 100% once. */
static void test_progress_says_done_once(void **state)
{
	(void)state;
	static struct console c;
	static const char what[] = "copying the root filesystem";

	console_open(&c);
	log_progress(what, 0, 77 << 20);
	log_progress(what, 40 << 20, 77 << 20);
	log_progress(what, 77 << 20, 77 << 20);
	log_progress(what, 77 << 20, 77 << 20);
	close(c.fds[1]);
	ssize_t n = read(c.fds[0], c.seen, sizeof(c.seen) - 1);
	assert_true(n > 0);
	c.seen[n] = '\0';
	assert_string_equal(c.seen, "xsraid: copying the root filesystem:   0% (0/77 MiB)\n"
				    "xsraid: copying the root filesystem: 100% (77/77 MiB)\n");
	close(c.fds[0]);
	log_set_console(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_console_line_waits_for_room),
		cmocka_unit_test(test_stuck_console_does_not_hang),
		cmocka_unit_test(test_progress_says_done_once),
	};
	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
