# xsraid: md RAID1 for XenServer installs.
#
#   make            build/xsraid, the static helper for the installer (i386, musl)
#   make demo       the main job on embedded defaults (see README)
#   make installer STOCK=install.img [ANSWERFILE=file]
#                   build/install-xsraid.img: the stock image with xsraid inside
#   make iso STOCK_ISO=install.iso (ANSWERFILE=file | ANSWERFILE_URL=url [VIA_GENERATOR=1])
#                   build/install-xsraid.iso: the stock CD, remastered, that installs unattended
#   make test       everything CI runs: lint, unit tests under ASan/UBSan, fuzzers briefly,
#                   QEMU scenarios
#   make fuzz       the fuzzers, a minute each (installer-hook/tests/fuzz/fuzz.mk)
#   make bench      what the conversion costs an install, under QEMU (hours; tests/qemu/bench/)
#   make check-unit / check-cli / check-remaster / check-pxe / check-qemu / lint / format
#
# Versions of everything fetched from Debian are pinned in versions.env.

include versions.env

BUILD        ?= build
# XenServer 6.0-6.2 run a 32-bit dom0 and installer; an i386 binary also runs
# on the 64-bit kernels of later releases.  XSRAID_ARCH=x86_64 builds natively.
XSRAID_ARCH  ?= i386
STATIC       := $(BUILD)/static-$(XSRAID_ARCH)
SRCDIR       := installer-hook/src
TESTDIR      := installer-hook/tests

SRCS         := $(sort $(wildcard $(SRCDIR)/*.c))
LIB_SRCS     := $(filter-out $(SRCDIR)/main.c,$(SRCS))
TEST_SRCS    := $(sort $(wildcard $(TESTDIR)/test_*.c))

CSTD         := -std=gnu11 -D_GNU_SOURCE
WARN         := -Wall -Wextra -Werror -Wstrict-prototypes -Wold-style-definition -Wvla \
                -Wwrite-strings -Wpointer-arith -Wformat=2 -Wformat-security -Wshadow \
                -Wmissing-prototypes -fno-common
HARDEN       := -fstack-protector-strong

# --- the static product ------------------------------------------------------

STATIC_CC     := $(STATIC)/bin/musl-gcc
# Each function in its own section, so the link keeps only what the helper calls
# (gpt_write_image, say, is for the unit tests' fixtures).
STATIC_CFLAGS := $(CSTD) $(WARN) $(HARDEN) -Os -ffunction-sections -fdata-sections -MMD -MP \
                 -I$(STATIC)/include -I$(STATIC)/include/libxml2 -DCURL_STATICLIB
STATIC_LIBS   := -L$(STATIC)/lib -lcurl -lmbedtls -lmbedx509 -lmbedcrypto -lxml2 -lblkid -lz -lm
STATIC_OBJS   := $(patsubst $(SRCDIR)/%.c,$(BUILD)/obj-$(XSRAID_ARCH)/%.o,$(SRCS))

all: $(BUILD)/xsraid

$(STATIC)/.done: installer-hook/static/build-deps.sh versions.env | deps
	installer-hook/static/build-deps.sh $(STATIC) $(XSRAID_ARCH)

$(BUILD)/obj-$(XSRAID_ARCH)/%.o: $(SRCDIR)/%.c $(STATIC)/.done
	@mkdir -p $(@D)
	$(STATIC_CC) $(STATIC_CFLAGS) -c $< -o $@

$(BUILD)/xsraid: $(STATIC_OBJS)
	$(STATIC_CC) -static -Os -Wl,--gc-sections -o $@.unstripped $(STATIC_OBJS) $(STATIC_LIBS)
	strip -o $@ $@.unstripped
	@installer-hook/static/check-binary.sh $@ $@.unstripped

static-deps: $(STATIC)/.done

# --- xsraid-remaster: a native host program (initramfs/) -------------------------
#
# It shares the cpio format, the answerfile parser, util and log with the
# helper, and links the host's zlib, libbz2 and liblzma.

REMASTER_DIR    := initramfs
REMASTER        := $(BUILD)/xsraid-remaster
REMASTER_SRCS   := $(sort $(wildcard $(REMASTER_DIR)/*.c))
REMASTER_SHARED := $(addprefix $(SRCDIR)/,cpio.c util.c log.c syslogline.c answerfile.c)
REMASTER_PKGS   := libxml-2.0 zlib liblzma
REMASTER_LIBS   := $(shell pkg-config --libs $(REMASTER_PKGS) 2>/dev/null) -lbz2
REMASTER_CFLAGS := $(CSTD) $(WARN) $(HARDEN) -O2 -D_FORTIFY_SOURCE=2 -MMD -MP -I$(SRCDIR) \
                   $(shell pkg-config --cflags $(REMASTER_PKGS) 2>/dev/null)
REMASTER_OBJS   := $(patsubst %.c,$(BUILD)/obj-host/%.o,$(REMASTER_SRCS) $(REMASTER_SHARED))

$(BUILD)/obj-host/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(REMASTER_CFLAGS) -c $< -o $@

$(REMASTER): $(REMASTER_OBJS)
	$(CC) -o $@ $^ $(REMASTER_LIBS)

# The stock image or CD to remaster, and what the new boot entry installs
# with.  Without STOCK / STOCK_ISO, the QEMU stand-in's (tests/qemu/), and
# for it, without an answerfile, answerfile/examples/raid-attribute.xml.
STOCK          ?=
STOCK_ISO      ?=
ANSWERFILE     ?=
ANSWERFILE_URL ?=
VIA_GENERATOR  ?=
REMASTER_PAYLOAD := --helper $(BUILD)/xsraid --hooks installer-hook/hook
EXAMPLE_ANSWERFILE := answerfile/examples/raid-attribute.xml
ISO_ANSWERFILE := $(or $(ANSWERFILE),$(if $(or $(STOCK_ISO),$(ANSWERFILE_URL)),,$(EXAMPLE_ANSWERFILE)))
ISO_ANSWER_OPTS := $(if $(ISO_ANSWERFILE),--answerfile $(ISO_ANSWERFILE),$(if $(ANSWERFILE_URL),\
                   --answerfile-url $(ANSWERFILE_URL) $(if $(VIA_GENERATOR),--via-generator)))

# --- unit tests: dynamic, ASan + UBSan, host libraries -------------------------

ASAN          := $(BUILD)/asan
SAN           := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_PKGS     := libxml-2.0 libcurl blkid zlib
HOST_CFLAGS   := $(CSTD) $(WARN) -O1 -g $(SAN) -MMD -MP $(shell pkg-config --cflags $(HOST_PKGS) 2>/dev/null)
HOST_LIBS     := $(shell pkg-config --libs $(HOST_PKGS) 2>/dev/null) -lcmocka
ASAN_LIB_OBJS := $(patsubst $(SRCDIR)/%.c,$(ASAN)/obj/%.o,$(LIB_SRCS))
ASAN_TESTS    := $(patsubst $(TESTDIR)/%.c,$(ASAN)/%,$(TEST_SRCS))

$(ASAN)/obj/%.o: $(SRCDIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(ASAN)/obj/main.o: $(SRCDIR)/main.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(ASAN)/libxsraid.a: $(ASAN_LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(ASAN)/xsraid: $(ASAN)/obj/main.o $(ASAN)/libxsraid.a
	$(CC) $(SAN) -o $@ $^ $(HOST_LIBS)

$(ASAN)/tests/%.o: $(TESTDIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -I$(SRCDIR) -c $< -o $@

$(ASAN)/test_%: $(ASAN)/tests/test_%.o $(ASAN)/tests/testlib.o $(ASAN)/libxsraid.a
	$(CC) $(SAN) -o $@ $^ $(HOST_LIBS)

# The remaster tool's modules and tests, against the same library of shared objects.
REMASTER_TEST_SRCS  := $(sort $(wildcard $(REMASTER_DIR)/tests/test_*.c))
REMASTER_ASAN_OBJS  := $(patsubst $(REMASTER_DIR)/%.c,$(ASAN)/remaster/%.o,\
                       $(filter-out $(REMASTER_DIR)/main.c,$(REMASTER_SRCS)))
REMASTER_ASAN_TESTS := $(patsubst $(REMASTER_DIR)/tests/%.c,$(ASAN)/remaster/%,$(REMASTER_TEST_SRCS))
REMASTER_ASAN_FLAGS := -I$(SRCDIR) -I$(REMASTER_DIR) -I$(TESTDIR) \
                       $(shell pkg-config --cflags $(REMASTER_PKGS) 2>/dev/null)

$(ASAN)/remaster/%.o: $(REMASTER_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(REMASTER_ASAN_FLAGS) -c $< -o $@

$(ASAN)/remaster/libremaster.a: $(REMASTER_ASAN_OBJS)
	rm -f $@ && ar rcs $@ $^

$(ASAN)/xsraid-remaster: $(ASAN)/remaster/main.o $(ASAN)/remaster/libremaster.a $(ASAN)/libxsraid.a
	$(CC) $(SAN) -o $@ $^ $(HOST_LIBS) $(REMASTER_LIBS)

$(ASAN)/remaster/test_%: $(ASAN)/remaster/tests/test_%.o $(ASAN)/tests/testlib.o \
		$(ASAN)/remaster/libremaster.a $(ASAN)/libxsraid.a
	$(CC) $(SAN) -o $@ $^ $(HOST_LIBS) $(REMASTER_LIBS)

check-unit: $(ASAN_TESTS) $(REMASTER_ASAN_TESTS) $(ASAN)/xsraid
	@set -e; for t in $(ASAN_TESTS) $(REMASTER_ASAN_TESTS); do \
		echo "== $$t"; \
		XSRAID_TEST_BIN=$(ASAN)/xsraid XSRAID_SRCDIR=$(CURDIR) \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		CMOCKA_MESSAGE_OUTPUT=stdout $$t; \
	done
	@echo "unit tests: all passed"

# The command as an operator uses it (validate, plan, refusals), on the ASan build.
check-cli: $(ASAN)/xsraid
	XSRAID=$(ASAN)/xsraid ASAN_OPTIONS=detect_leaks=1 installer-hook/tests/cli.sh
	XSRAID=$(ASAN)/xsraid ASAN_OPTIONS=detect_leaks=1 installer-hook/tests/fetch-cli.sh

# Fetching with the static build (libcurl with mbedTLS) says what the ASan build says.
check-fetch-static: $(BUILD)/xsraid
	@run=; $(BUILD)/xsraid --version >/dev/null 2>&1 || run=qemu-i386; \
	XSRAID=$(BUILD)/xsraid XSRAID_WRAPPER=$$run installer-hook/tests/fetch-cli.sh

# --- static analysis and formatting -------------------------------------------

FIXTURE_C    := $(wildcard tests/qemu/fixtures/*.c tests/qemu/bench/*.c)
FORMAT_FILES := $(wildcard $(SRCDIR)/*.[ch] $(TESTDIR)/*.[ch] $(TESTDIR)/fuzz/*.[ch] \
                $(REMASTER_DIR)/*.[ch] $(REMASTER_DIR)/tests/*.[ch]) $(FIXTURE_C)

lint:
	shellcheck -x -S warning $$(tools/shell-scripts)
	cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
		--inline-suppr --std=c11 --suppress=missingIncludeSystem \
		-I$(SRCDIR) $(SRCDIR) $(TESTDIR) $(FIXTURE_C)
	cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
		--inline-suppr --std=c11 --suppress=missingIncludeSystem \
		-I$(SRCDIR) -I$(REMASTER_DIR) -I$(TESTDIR) $(REMASTER_DIR)
	clang-format --dry-run -Werror $(FORMAT_FILES)

format:
	clang-format -i $(FORMAT_FILES)

# --- the README's two commands --------------------------------------------------

deps:
	@tools/install-deps

# The main job on embedded defaults, in two parts.  demo-plan: two 500 GB
# sparse disks laid out as the XenServer 6.0.2 installer leaves them, and the
# plan xsraid makes for them (the helper is an i386 binary; a host that cannot
# run those uses qemu-i386).  demo-install (tests/qemu/qemu.mk): a two-host
# inventory through xsraid-pxe, and one host installed over the network with
# xsraid under QEMU, then booted from disk 2 alone, and the fleet's status.
DEMO := $(BUILD)/demo
demo-plan: $(BUILD)/xsraid
	@installer-hook/tests/make-sysroot.sh $(DEMO)/root
	@echo "== xsraid validate answerfile/examples/raid-attribute.xml"
	@run=; $(BUILD)/xsraid --version >/dev/null 2>&1 || run=qemu-i386; \
	$$run $(BUILD)/xsraid validate answerfile/examples/raid-attribute.xml && \
	echo && echo "== xsraid plan (two disks laid out by XenServer 6.0.2's installer)" && \
	$$run $(BUILD)/xsraid plan --sysroot $(DEMO)/root --answerfile answerfile/examples/raid-attribute.xml

demo: demo-plan
	@echo && echo "== a fleet: one host installed over the network with xsraid under QEMU, then disk 2 booted alone (3 to 6 minutes)"
	@$(MAKE) --no-print-directory demo-install

test: deps lint lint-pxe check-unit check-cli check-pxe $(BUILD)/xsraid check-fetch-static \
	check-fuzz check-remaster check-qemu

-include tests/qemu/qemu.mk
-include pxe/pxe.mk
-include installer-hook/tests/bench.mk
-include tests/qemu/bench/bench.mk
-include installer-hook/tests/fuzz/fuzz.mk

# --- the remaster's targets, after qemu.mk, which makes the stand-in's image and CD --

installer: $(REMASTER) $(BUILD)/xsraid $(if $(STOCK),,$(QEMU_IMG_STOCK))
	$(REMASTER) image $(or $(STOCK),$(QEMU_IMG_STOCK)) $(BUILD)/install-xsraid.img \
		$(REMASTER_PAYLOAD) $(if $(ANSWERFILE),--answerfile $(ANSWERFILE))

iso: $(REMASTER) $(BUILD)/xsraid $(if $(STOCK_ISO),,$(QEMU_ISO_STOCK))
	@[ -n "$(ISO_ANSWER_OPTS)" ] || { echo "make iso: say how the install gets its answerfile:" \
		"ANSWERFILE=file (embedded) or ANSWERFILE_URL=url" >&2; exit 2; }
	$(REMASTER) iso $(or $(STOCK_ISO),$(QEMU_ISO_STOCK)) $(BUILD)/install-xsraid.iso \
		$(REMASTER_PAYLOAD) $(ISO_ANSWER_OPTS)

# xsraid-remaster as an operator uses it, on the stand-in's image and CD
# (see initramfs/tests/cli.sh).
check-remaster: $(ASAN)/xsraid-remaster $(BUILD)/xsraid $(QEMU_IMG_STOCK) $(QEMU_ISO_DONE)
	REMASTER=$(ASAN)/xsraid-remaster ASAN_OPTIONS=detect_leaks=1 XSRAID_BIN=$(BUILD)/xsraid \
		STOCK_IMG=$(QEMU_IMG_STOCK) ISO_FILES=$(QEMU_BUILD)/iso-files \
		$(REMASTER_DIR)/tests/cli.sh

clean:
	rm -rf $(BUILD)/obj-* $(ASAN) $(BUILD)/xsraid $(BUILD)/xsraid.unstripped $(REMASTER)

distclean:
	rm -rf $(BUILD)

.SECONDARY:

.PHONY: all static-deps check-unit check-cli check-fetch-static check-remaster lint format deps test \
	clean distclean demo demo-plan check-qemu installer iso

-include $(STATIC_OBJS:.o=.d) $(ASAN_LIB_OBJS:.o=.d) $(ASAN)/obj/main.d \
	$(patsubst $(TESTDIR)/%.c,$(ASAN)/tests/%.d,$(TEST_SRCS) $(TESTDIR)/testlib.c) \
	$(REMASTER_OBJS:.o=.d) $(REMASTER_ASAN_OBJS:.o=.d) $(ASAN)/remaster/main.d \
	$(patsubst $(REMASTER_DIR)/%.c,$(ASAN)/remaster/%.d,$(REMASTER_TEST_SRCS))
