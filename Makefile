# xsraid: md RAID1 for XenServer installs.
#
#   make            build/xsraid, the static helper for the installer (i386, musl)
#   make demo       the main job on embedded defaults (see README)
#   make test       everything CI runs: lint, unit tests under ASan/UBSan, QEMU scenarios
#   make check-unit / check-pxe / check-qemu / lint / format
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
STATIC_CFLAGS := $(CSTD) $(WARN) $(HARDEN) -Os -MMD -MP \
                 -I$(STATIC)/include -I$(STATIC)/include/libxml2 -DCURL_STATICLIB
STATIC_LIBS   := -L$(STATIC)/lib -lcurl -lmbedtls -lmbedx509 -lmbedcrypto -lxml2 -lblkid -lm
STATIC_OBJS   := $(patsubst $(SRCDIR)/%.c,$(BUILD)/obj-$(XSRAID_ARCH)/%.o,$(SRCS))

all: $(BUILD)/xsraid

$(STATIC)/.done: installer-hook/static/build-deps.sh versions.env | deps
	installer-hook/static/build-deps.sh $(STATIC) $(XSRAID_ARCH)

$(BUILD)/obj-$(XSRAID_ARCH)/%.o: $(SRCDIR)/%.c $(STATIC)/.done
	@mkdir -p $(@D)
	$(STATIC_CC) $(STATIC_CFLAGS) -c $< -o $@

$(BUILD)/xsraid: $(STATIC_OBJS)
	$(STATIC_CC) -static -Os -o $@.unstripped $(STATIC_OBJS) $(STATIC_LIBS)
	strip -o $@ $@.unstripped
	@installer-hook/static/check-binary.sh $@

static-deps: $(STATIC)/.done

# --- unit tests: dynamic, ASan + UBSan, host libraries -------------------------

ASAN          := $(BUILD)/asan
SAN           := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_PKGS     := libxml-2.0 libcurl blkid
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

check-unit: $(ASAN_TESTS) $(ASAN)/xsraid
	@set -e; for t in $(ASAN_TESTS); do \
		echo "== $$t"; \
		XSRAID_TEST_BIN=$(ASAN)/xsraid XSRAID_SRCDIR=$(CURDIR) \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		CMOCKA_MESSAGE_OUTPUT=stdout $$t; \
	done
	@echo "unit tests: all passed"

# The command as an operator uses it (validate, plan, refusals), on the ASan build.
check-cli: $(ASAN)/xsraid
	XSRAID=$(ASAN)/xsraid ASAN_OPTIONS=detect_leaks=1 installer-hook/tests/cli.sh

# --- static analysis and formatting -------------------------------------------

FORMAT_FILES := $(wildcard $(SRCDIR)/*.[ch] $(TESTDIR)/*.[ch])

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
		--inline-suppr --std=c11 --suppress=missingIncludeSystem \
		-I$(SRCDIR) $(SRCDIR) $(TESTDIR)
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

test: deps lint lint-pxe check-unit check-cli check-pxe $(BUILD)/xsraid check-qemu

-include tests/qemu/qemu.mk
-include pxe/pxe.mk
-include installer-hook/tests/bench.mk

clean:
	rm -rf $(BUILD)/obj-* $(ASAN) $(BUILD)/xsraid $(BUILD)/xsraid.unstripped

distclean:
	rm -rf $(BUILD)

.SECONDARY:

.PHONY: all static-deps check-unit check-cli lint format deps test clean distclean demo demo-plan check-qemu

-include $(STATIC_OBJS:.o=.d) $(ASAN_LIB_OBJS:.o=.d) $(ASAN)/obj/main.d \
	$(patsubst $(TESTDIR)/%.c,$(ASAN)/tests/%.d,$(TEST_SRCS) $(TESTDIR)/testlib.c)
