// SPDX-License-Identifier: GPL-2.0-only
/*
 * iobench: direct (O_DIRECT) writes to a block device for a while, for the
 * benchmark's alignment run (tests/qemu/bench/guest/align.sh).
 *
 *	iobench DEV seq|rand BYTES SECONDS SPAN_MIB
 *
 * Writes BYTES-sized blocks at offsets that are multiples of BYTES from the
 * start of DEV, one after the other (seq) or at random within the first
 * SPAN_MIB MiB (rand), for SECONDS, then fsyncs, and prints one line:
 *
 *	iobench DEV PATTERN BYTES ops=N seconds=S mb_s=M iops=I
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t next_random(uint64_t *s)
{
	/* xorshift64: any fixed sequence of offsets will do. */
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char **argv)
{
	if (argc != 6 || (strcmp(argv[2], "seq") != 0 && strcmp(argv[2], "rand") != 0)) {
		fprintf(stderr, "usage: iobench DEV seq|rand BYTES SECONDS SPAN_MIB\n");
		return 2;
	}
	const char *dev = argv[1];
	int random = strcmp(argv[2], "rand") == 0;
	size_t bs = strtoul(argv[3], NULL, 10);
	double seconds = strtod(argv[4], NULL);
	uint64_t span = strtoull(argv[5], NULL, 10) << 20;
	if (bs < 512 || bs % 512 || span < bs || seconds <= 0) {
		fprintf(stderr,
			"iobench: BYTES must be a multiple of 512, SPAN_MIB at least BYTES\n");
		return 2;
	}
	int fd = open(dev, O_WRONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "iobench: cannot open %s: %s\n", dev, strerror(errno));
		return 1;
	}
	void *buf;
	if (posix_memalign(&buf, 4096, bs) != 0)
		return 1;
	memset(buf, 0x5a, bs);

	uint64_t slots = span / bs, ops = 0, seed = 88172645463325252ull;
	double t0 = now(), t = t0;
	while (t - t0 < seconds) {
		uint64_t slot = random ? next_random(&seed) % slots : ops % slots;
		if (pwrite(fd, buf, bs, (off_t)(slot * bs)) != (ssize_t)bs) {
			fprintf(stderr, "iobench: write to %s failed: %s\n", dev, strerror(errno));
			return 1;
		}
		ops++;
		if (ops % 16 == 0)
			t = now();
	}
	if (fsync(fd) < 0) {
		fprintf(stderr, "iobench: fsync %s failed: %s\n", dev, strerror(errno));
		return 1;
	}
	t = now() - t0;
	printf("iobench %s %s %zu ops=%llu seconds=%.2f mb_s=%.2f iops=%.0f\n", dev, argv[2], bs,
	       (unsigned long long)ops, t, (double)ops * (double)bs / 1e6 / t, (double)ops / t);
	free(buf);
	close(fd);
	return 0;
}
