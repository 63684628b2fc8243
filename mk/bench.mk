# Benchmarks (issue 6; see docs/performance.md).  Not part of `make check`
# except bench-smoke, which runs the hypercall micro-benchmarks tiny and
# checks only that each printed a well-formed result line: a smoke run
# is not a test of speed and never fails on timing.
#
#   make bench RUMP_PREFIX=...   build everything, run ours against NetBSD's
#   make bench-smoke             the smoke run (part of make check)
#
# Knobs: BENCH_ARGS (passed to bench/run.sh, e.g. --rounds 5 --only tmpfs).

BENCH_DIR := $(B)/bench
BENCH_CFLAGS := -std=gnu11 $(ARCH) -O2 -g $(WARN) -D_GNU_SOURCE $(SANFLAGS)
BENCH_COMMON := bench/bench.c bench/bench.h
HYP_SRC := $(sort $(wildcard bench/hyp/*.c))
HYPBENCH := $(BENCH_DIR)/hypbench

# Linked by soname only: LD_LIBRARY_PATH chooses the implementation.
$(HYPBENCH): $(HYP_SRC) bench/hyp/hyp.h $(BENCH_COMMON) $(LIB_SO)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -Iinclude -o $@ $(HYP_SRC) bench/bench.c \
	    -L$(B)/lib -lrumpuser -lpthread

$(BENCH_DIR)/limits: bench/host/limits.c $(BENCH_COMMON)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ bench/host/limits.c bench/bench.c -lpthread

# The rump kernel programs: RUNPATH to RUMP_PREFIX/lib (so NetBSD's
# librumpuser.so.0 is the default and LD_LIBRARY_PATH overrides it), and
# --no-as-needed so every component's constructor runs.
BRUMP_LD := -L$(RUMP_PREFIX)/lib -Wl,--enable-new-dtags \
	-Wl,-rpath,$(RUMP_PREFIX)/lib -Wl,--no-as-needed
BRUMP_FS := -lrumpfs_tmpfs -lrumpfs_ext2fs -lrumpfs_ffs -lrumpdev_disk \
	-lrumpdev -lrumpvfs -lrump
BRUMP_NET := -lrumpnet_config -lrumpnet_shmif -lrumpnet_netinet6 \
	-lrumpnet_netinet -lrumpnet_net -lrumpnet -lrump
BRUMP_CC = $(CC) $(BENCH_CFLAGS) -Wno-cast-qual -I$(RUMP_PREFIX)/include \
	-Itests/integration -o $@ $< bench/bench.c \
	tests/integration/rumptest.c $(BRUMP_LD)
BRUMP_DEPS := $(BENCH_COMMON) tests/integration/rumptest.h \
	tests/integration/rumptest.c

# Each program's rump components; init.c is built three times, once per
# set, the others once each from bench/rump/<name>.c.
BRUMP_LIBS_init_minimal := -lrump
BRUMP_LIBS_init_fs := $(BRUMP_FS)
BRUMP_LIBS_init_net := $(BRUMP_NET)
BRUMP_LIBS_syscall := -lrump
BRUMP_LIBS_pipe := -lrumpvfs -lrump
BRUMP_LIBS_lwp := -lrumpvfs -lrump
BRUMP_LIBS_kthread := -lrump
BRUMP_LIBS_tcp := $(BRUMP_NET)
BRUMP_LIBS_tmpfs := -lrumpfs_tmpfs -lrumpvfs -lrump
BRUMP_LIBS_ext2 := $(BRUMP_FS)

BENCH_INIT_BIN := $(BENCH_DIR)/init_minimal $(BENCH_DIR)/init_fs \
	$(BENCH_DIR)/init_net
BENCH_ONE_BIN := $(patsubst bench/rump/%.c,$(BENCH_DIR)/%,\
	$(filter-out bench/rump/init.c,$(wildcard bench/rump/*.c)))
BENCH_RUMP_BIN := $(BENCH_ONE_BIN) $(BENCH_INIT_BIN)

$(BENCH_INIT_BIN): bench/rump/init.c $(BRUMP_DEPS)
	@mkdir -p $(@D)
	$(BRUMP_CC) $(BRUMP_LIBS_$(@F)) -lrumpuser -lpthread
$(BENCH_ONE_BIN): $(BENCH_DIR)/%: bench/rump/%.c $(BRUMP_DEPS)
	@mkdir -p $(@D)
	$(BRUMP_CC) $(BRUMP_LIBS_$(@F)) -lrumpuser -lpthread

bench-bin: $(HYPBENCH) $(BENCH_DIR)/limits
ifneq ($(wildcard $(RUMP_PREFIX)/lib/librump.so),)
bench-bin: $(BENCH_RUMP_BIN)
bench: bench-bin
	sh bench/run.sh --bindir $(BENCH_DIR) $(BENCH_ARGS) \
	    $(CURDIR)/$(B)/lib $(RUMP_PREFIX)/lib
else
bench: bench-bin
	@echo "bench: RUMP_PREFIX=$(RUMP_PREFIX) has no lib/librump.so:" \
	    "nothing to compare against; running ours alone"
	sh bench/run.sh --bindir $(BENCH_DIR) $(BENCH_ARGS) \
	    $(CURDIR)/$(B)/lib $(CURDIR)/$(B)/lib
endif

bench-smoke: $(HYPBENCH)
	sh bench/smoke.sh $(HYPBENCH) $(CURDIR)/$(B)/lib

CHECK_EXTRA += bench-smoke
.PHONY: bench bench-bin bench-smoke
