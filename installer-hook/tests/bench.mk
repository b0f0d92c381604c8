# Benchmark of the root filesystem copy (not a test; CI does not run it):
#
#   make bench-copy [BENCH_DIR=/mnt/somefs] [BENCH_DROP_CACHES=1]
#
# Built with -O2 and without sanitizers, so the figures mean something.
# BENCH_DROP_CACHES=1 (root only) measures with a cold page cache.

BENCH_DIR  ?= $(or $(TMPDIR),/tmp)
BENCH_COPY := $(BUILD)/bench/bench_copy

$(BENCH_COPY): $(TESTDIR)/bench_copy.c $(SRCDIR)/copy.c $(SRCDIR)/util.c $(SRCDIR)/log.c \
               $(SRCDIR)/syslogline.c \
               $(SRCDIR)/copy.h $(SRCDIR)/util.h $(SRCDIR)/log.h
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -O2 -I$(SRCDIR) -o $@ $(filter %.c,$^)

bench-copy: $(BENCH_COPY)
	$(BENCH_COPY) $(BENCH_DIR)

.PHONY: bench-copy
