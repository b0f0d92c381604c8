# libFuzzer targets for every reader of outside bytes (included by the top
# Makefile).  Each target is installer-hook/tests/fuzz/fuzz_NAME.c, built with
# clang, AddressSanitizer and UndefinedBehaviorSanitizer against the helper's
# sources, and starts from the seed corpus in corpus/NAME/ (the answerfile
# parser from every answerfile in answerfile/examples and the tests' data).
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="gpt journal"]
#                       each target for FUZZ_SECONDS; a table of executions,
#                       coverage and findings at the end
#   make check-fuzz     every target for FUZZ_SHORT_SECONDS (part of make test):
#                       replays the corpus, crash inputs kept there included
#   make fuzz-seeds     rebuilds the generated seeds (GPT images, journals,
#                       plan inputs) in corpus/
#
# New inputs go to $(BUILD)/fuzz/corpus/NAME, crashes to $(BUILD)/fuzz/findings;
# the committed corpus is only read.  A crash found becomes a committed input
# (corpus/NAME/crash-WHAT) or a unit test, and is fixed.

FUZZ               := $(BUILD)/fuzz
FUZZ_DIR           := $(TESTDIR)/fuzz
FUZZ_CC            ?= clang-14
FUZZ_SECONDS       ?= 60
FUZZ_SHORT_SECONDS ?= 4
FUZZ_TARGETS       ?= $(patsubst $(FUZZ_DIR)/fuzz_%.c,%,$(sort $(wildcard $(FUZZ_DIR)/fuzz_*.c)))
FUZZ_SAN           := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS        := $(CSTD) $(WARN) -O1 -g $(FUZZ_SAN) -MMD -MP \
                      $(shell pkg-config --cflags $(HOST_PKGS) 2>/dev/null)
FUZZ_LIBS          := $(shell pkg-config --libs $(HOST_PKGS) 2>/dev/null)
FUZZ_LIB_OBJS      := $(patsubst $(SRCDIR)/%.c,$(FUZZ)/obj/%.o,$(LIB_SRCS))
FUZZ_BINS          := $(patsubst %,$(FUZZ)/fuzz_%,$(FUZZ_TARGETS))

# The helper's code with coverage feedback for the fuzzer; libFuzzer's main only in the targets.
$(FUZZ)/obj/%.o: $(SRCDIR)/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ)/libxsraid.a: $(FUZZ_LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(FUZZ)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ)/libxsraid.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -I$(SRCDIR) -o $@ $< $(FUZZ)/libxsraid.a $(FUZZ_LIBS)

fuzz: $(FUZZ_BINS)
	@$(FUZZ_DIR)/run.sh $(FUZZ) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

check-fuzz: $(FUZZ_BINS)
	@$(FUZZ_DIR)/run.sh $(FUZZ) $(FUZZ_SHORT_SECONDS) $(FUZZ_TARGETS)

fuzz-seeds: $(ASAN)/libxsraid.a
	$(FUZZ_DIR)/make-seeds.sh $(FUZZ)/seeds "$(CC) $(HOST_CFLAGS) -I$(SRCDIR)" \
		"$(ASAN)/libxsraid.a $(HOST_LIBS)"

.PHONY: fuzz check-fuzz fuzz-seeds

-include $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_BINS:=.d)
