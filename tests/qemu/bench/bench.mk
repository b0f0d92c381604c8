# The benchmark (included by the top Makefile after tests/qemu/qemu.mk; not
# part of make test).  See tests/qemu/README.md, "Benchmark".
#
#   make bench          everything, BENCH_REPS (3) repetitions, tables printed
#   make bench-quick    the same with one repetition
#   make bench BENCH_PARTS="main align"      only some parts (main growth align)
#   make bench-report   the tables again, from the results already there
#
# Everything goes to build/qemu/bench/.  None of it is built for make test.

BENCH_DIR   := $(QEMU_BUILD)/bench
BENCH_SRC   := $(QEMU_DIR)/bench
BENCH_REPS  ?= 3
BENCH_PARTS ?= main growth align
# Root filesystem fill (percent of the 4 GiB root, as df shows it after the
# install) and the fraction of the benchmark's dom0 tree that gives it
# (mkpayload.py image): measured, not assumed; the report prints the fill
# each run really had.
BENCH_FILL_FRACTIONS := 10:0.22 30:1 40:1.4 80:2.9

BENCH_PKGS_DONE := $(BENCH_DIR)/pkgs/.done
BENCH_TREE_DONE := $(BENCH_DIR)/tree.done
BENCH_TOOLS_DONE := $(BENCH_DIR)/tools.done
BENCH_PROGS     := $(BENCH_DIR)/bin/ext3used $(BENCH_DIR)/bin/iobench
BENCH_PAYLOADS  := $(foreach f,$(BENCH_FILL_FRACTIONS),$(BENCH_DIR)/payload-$(firstword $(subst :, ,$(f))).img)

$(BENCH_PKGS_DONE): $(QEMU_DIR)/fetch-debs.sh versions.env
	$(QEMU_DIR)/fetch-debs.sh $(BENCH_DIR) --bench
	touch $@

$(BENCH_TREE_DONE): $(BENCH_PKGS_DONE) $(QEMU_DOM0_DONE) $(BENCH_SRC)/mkpayload.py
	python3 $(BENCH_SRC)/mkpayload.py tree $(BENCH_DIR)/pkgs \
		$(QEMU_BUILD)/pkgs/linux-image-$(KERNEL_ABI) $(QEMU_BUILD)/dom0-root $(BENCH_DIR)/tree
	touch $@

$(BENCH_DIR)/payload-%.img: $(BENCH_TREE_DONE)
	python3 $(BENCH_SRC)/mkpayload.py image $(BENCH_DIR)/tree \
		$(lastword $(subst :, ,$(filter $*:%,$(BENCH_FILL_FRACTIONS)))) \
		$(BENCH_DIR)/pkgs:$(QEMU_BUILD)/pkgs $@

# Static, like the stand-in's raidautorun: they run in the installer.
$(BENCH_DIR)/bin/%: $(BENCH_SRC)/%.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -Os -static -o $@ $<

$(BENCH_TOOLS_DONE): $(BENCH_PKGS_DONE) $(QEMU_PKGS_DONE) $(BENCH_PROGS) $(wildcard $(BENCH_SRC)/guest/*) \
		$(QEMU_DIR)/mkroots.sh
	sh $(QEMU_DIR)/mkroots.sh bench-tools $(QEMU_BUILD)/pkgs $(BENCH_DIR)/pkgs $(BENCH_SRC)/guest \
		$(BENCH_DIR)/bin $(BENCH_DIR)/tools
	touch $@

# The map of the helper's link: what each library adds to it (footprint).
$(BENCH_DIR)/xsraid.map: $(STATIC_OBJS)
	@mkdir -p $(@D)
	$(STATIC_CC) -static -Os -Wl,--gc-sections -Wl,-Map=$@ -o $(BENCH_DIR)/xsraid.mapped \
		$(STATIC_OBJS) $(STATIC_LIBS)

bench-images: qemu-images $(BENCH_PAYLOADS) $(BENCH_TOOLS_DONE) $(BENCH_DIR)/xsraid.map

BENCH_ENV = $(QEMU_ENV) BENCH_DIR=$(abspath $(BENCH_DIR)) BENCH_REPS=$(BENCH_REPS) \
	BENCH_FILLS="$(foreach f,$(BENCH_FILL_FRACTIONS),$(firstword $(subst :, ,$(f))):$(abspath $(BENCH_DIR))/payload-$(firstword $(subst :, ,$(f))).img)"

bench: bench-images $(BENCH_COPY)
	$(BENCH_ENV) $(BENCH_SRC)/run.sh $(BENCH_PARTS)
	@$(MAKE) --no-print-directory bench-report

bench-quick:
	@$(MAKE) --no-print-directory bench BENCH_REPS=1

# The tables, from build/qemu/bench/results; the footprint is measured now.
bench-report: $(BENCH_DIR)/xsraid.map $(BENCH_COPY)
	python3 $(BENCH_SRC)/report.py --results $(BENCH_DIR)/results --map $(BENCH_DIR)/xsraid.map \
		--binary $(BUILD)/xsraid --stock-img $(QEMU_IMG_STOCK) --xsraid-img $(QEMU_IMG_XSRAID) \
		--bench-copy $(BENCH_COPY) --copy-tree $(BENCH_DIR)/tree

.PHONY: bench bench-quick bench-report bench-images
