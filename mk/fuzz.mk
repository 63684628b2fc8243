# fuzz: libFuzzer harnesses (tests/fuzz).
#
#   make check-fuzz-sp        (in make check) the syscall proxy harness
#        replays its generated seed corpus, each input's counters checked
#        (SP_FUZZ_STRICT), then fuzzes for FUZZ_SP_RUNS runs from them
#        with a fixed seed; seconds.  SKIPs without clang's libFuzzer
#        runtime (Debian: clang and libclang-rt-dev).
#   make fuzz-sp FUZZ_TIME=600  fuzz for real, corpus in
#        $(B)/fuzz/sp_corpus (kept between runs), crashes in $(B)/fuzz/
#
# The harness compiles sp_server.c and sp_work.c into itself (see
# tests/fuzz/sp_fuzz.c) and links sp_proto.c and sp_client.c; the seed
# generator is plain C, so no binary seeds are committed.

FUZZ_CC ?= clang
FUZZ_TIME ?= 600
FUZZ_SP_RUNS ?= 30000
FUZZ_DIR := $(B)/fuzz
FUZZ_SP := $(FUZZ_DIR)/sp_fuzz
FUZZ_SP_SRC := tests/fuzz/sp_fuzz.c hosts/posix/sp_proto.c \
	hosts/posix/sp_client.c
FUZZ_SP_DEPS := $(FUZZ_SP_SRC) tests/fuzz/sp_fuzz.h hosts/posix/sp.h \
	hosts/posix/sp_server.c hosts/posix/sp_work.c
FUZZ_FLAGS := -std=c11 -g -O1 $(WARN) -Iinclude -D_GNU_SOURCE \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FORMAT_EXTRA += $(wildcard tests/fuzz/*.c tests/fuzz/*.h)

# Can FUZZ_CC link a libFuzzer target here?
FUZZ_OK = $(shell echo 'int LLVMFuzzerTestOneInput(const char *d, long n);' \
	'int LLVMFuzzerTestOneInput(const char *d, long n)' \
	'{ return (int)(d[0] + n) & 0; }' | $(FUZZ_CC) \
	-fsanitize=fuzzer,address -x c -o /dev/null - >/dev/null 2>&1 && \
	echo yes)

$(FUZZ_SP): $(FUZZ_SP_DEPS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_SP_SRC) -lpthread

$(FUZZ_DIR)/sp_seeds: tests/fuzz/sp_seeds.c tests/fuzz/sp_fuzz.h
	@mkdir -p $(@D)
	$(CC) -std=c11 -O1 $(WARN) -o $@ tests/fuzz/sp_seeds.c

$(FUZZ_DIR)/sp_seeds.stamp: $(FUZZ_DIR)/sp_seeds
	rm -rf $(FUZZ_DIR)/sp_seeds.d && mkdir -p $(FUZZ_DIR)/sp_seeds.d
	$(FUZZ_DIR)/sp_seeds $(FUZZ_DIR)/sp_seeds.d
	@touch $@

check-fuzz-sp:
	@if [ "$(FUZZ_OK)" != yes ]; then \
		echo "fuzz-sp: SKIP: $(FUZZ_CC) cannot link -fsanitize=fuzzer" \
		    "(Debian: clang and libclang-rt-dev)"; \
	else \
		$(MAKE) --no-print-directory fuzz-sp-replay; \
	fi

fuzz-sp-replay: $(FUZZ_SP) $(FUZZ_DIR)/sp_seeds.stamp
	@SP_FUZZ_STRICT=1 $(FUZZ_SP) $(FUZZ_DIR)/sp_seeds.d/* \
	    >$(FUZZ_DIR)/replay.log 2>&1 || { tail -n 30 \
	    $(FUZZ_DIR)/replay.log; echo "fuzz-sp: FAIL: seed replay"; \
	    exit 1; }
	@rm -rf $(FUZZ_DIR)/sp_quick && mkdir -p $(FUZZ_DIR)/sp_quick
	@$(FUZZ_SP) -seed=1 -runs=$(FUZZ_SP_RUNS) -max_len=4096 \
	    -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/sp_quick \
	    $(FUZZ_DIR)/sp_seeds.d >$(FUZZ_DIR)/quick.log 2>&1 || { \
	    tail -n 30 $(FUZZ_DIR)/quick.log; \
	    echo "fuzz-sp: FAIL: $(FUZZ_SP_RUNS) fuzz runs"; exit 1; }
	@echo "fuzz-sp: ok: $$(ls $(FUZZ_DIR)/sp_seeds.d | wc -l)" \
	    "seeds replayed (counters checked), $(FUZZ_SP_RUNS) runs from" \
	    "them, $$(grep -o 'cov: [0-9]*' $(FUZZ_DIR)/quick.log | tail -n1)"

fuzz-sp: $(FUZZ_SP) $(FUZZ_DIR)/sp_seeds.stamp
	@mkdir -p $(FUZZ_DIR)/sp_corpus
	$(FUZZ_SP) -max_total_time=$(FUZZ_TIME) -max_len=4096 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/ \
	    $(FUZZ_DIR)/sp_corpus $(FUZZ_DIR)/sp_seeds.d

CHECK_EXTRA += check-fuzz-sp
.PHONY: check-fuzz-sp fuzz-sp-replay fuzz-sp
