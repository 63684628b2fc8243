# rumphost: one Makefile for the library, its checks and its install.
#
#   make                      librumpuser.so.0 and librumpuser.a (POSIX host)
#   make check                every test tier that can run here (SKIPs say why)
#   make check-asan           the conformance suite under ASan+UBSan
#   make check-tsan           the conformance suite under TSan
#   make install PREFIX=/usr/local DESTDIR=
#
# Knobs: WERROR=0 for packagers; REVISION=current for NetBSD-current's
# revision of the version 17 header; RUMP_PREFIX=<install of NetBSD rump
# kernel components> enables the real-rump-kernel tier; SAN=asan|tsan
# selects a sanitizer build (into build-$(SAN)); ARCH=-m32 a 32-bit x86
# build (into build-m32; needs gcc-multilib).

CC	?= cc
PREFIX	?= /usr/local
DESTDIR	?=
WERROR	?= 1
OPT	?= -O2 -g
REVISION ?= 2016
SAN	?=
ARCH	?=
RUMP_PREFIX ?=

ifeq ($(ARCH),-m32)
BSUFFIX	:= -m32
else
BSUFFIX	:=
endif

ifeq ($(SAN),)
B	:= build$(BSUFFIX)
SANFLAGS :=
else ifeq ($(SAN),asan)
B	:= build-asan$(BSUFFIX)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
else ifeq ($(SAN),tsan)
B	:= build-tsan$(BSUFFIX)
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer
else
$(error SAN must be empty, asan or tsan)
endif

WARN	:= -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wcast-qual -Wwrite-strings -Wformat=2
ifeq ($(WERROR),1)
WARN	+= -Werror
endif
REVFLAGS :=
ifeq ($(REVISION),current)
REVFLAGS := -DRUMPHOST_NETBSD_CURRENT
endif

COMMON	:= -std=c11 $(ARCH) $(OPT) $(WARN) $(REVFLAGS) -Iinclude -fPIC \
	-fvisibility=hidden $(SANFLAGS) $(EXTRA_CFLAGS)
# The core is freestanding: no libc headers (only the compiler's own are on
# the include path), no libc calls (tools/check-freestanding.sh).
CC_INC	:= $(shell $(CC) -print-file-name=include)
CORE_CFLAGS := $(COMMON) -ffreestanding -fno-stack-protector -nostdinc \
	-isystem $(CC_INC)
HOST_CFLAGS := $(COMMON) -D_GNU_SOURCE
TEST_CFLAGS := -std=c11 $(ARCH) $(OPT) $(WARN) $(REVFLAGS) -Iinclude -D_GNU_SOURCE \
	$(SANFLAGS) $(EXTRA_CFLAGS)

CORE_SRC := $(sort $(wildcard src/*.c))
POSIX_SRC := $(sort $(wildcard hosts/posix/*.c))
CORE_OBJ := $(CORE_SRC:src/%.c=$(B)/core/%.o)
POSIX_OBJ := $(POSIX_SRC:hosts/posix/%.c=$(B)/posix/%.o)
HDRS	:= $(wildcard include/*/*.h src/*.h hosts/posix/*.h)

LIB_SO	:= $(B)/lib/librumpuser.so.0
LIB_A	:= $(B)/lib/librumpuser.a

all: $(LIB_SO) $(LIB_A)

$(B)/core/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(CORE_CFLAGS) -c $< -o $@

$(B)/posix/%.o: hosts/posix/%.c $(HDRS)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(HOST_CFLAGS) -c $< -o $@

# One relocatable object holding the whole core: what the freestanding
# check inspects and what a kernel port links.
$(B)/core.o: $(CORE_OBJ)
	$(CC) $(ARCH) -r -nostdlib -o $@ $(CORE_OBJ)

$(LIB_SO): $(B)/core.o $(POSIX_OBJ) hosts/posix/librumpuser.map
	@mkdir -p $(@D)
	$(CC) -shared $(ARCH) $(SANFLAGS) -Wl,-soname,librumpuser.so.0 \
	    -Wl,--version-script=hosts/posix/librumpuser.map \
	    -Wl,-z,defs -o $@ $(B)/core.o $(POSIX_OBJ) -lpthread -ldl
	ln -sf librumpuser.so.0 $(B)/lib/librumpuser.so

$(LIB_A): $(B)/core.o $(POSIX_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $(B)/core.o $(POSIX_OBJ)

# --- checks ---------------------------------------------------------------

# The stub host links with the core alone, no libc: the interface is
# complete.  libgcc is the compiler's own runtime (64-bit division on i386).
$(B)/stub.so: $(B)/core.o hosts/stub/stub.c include/rumphost/host.h
	$(CC) $(CORE_CFLAGS) -c hosts/stub/stub.c -o $(B)/stub.o
	$(CC) -shared $(ARCH) -nostdlib -Wl,-z,defs -o $@ $(B)/core.o \
	    $(B)/stub.o -lgcc

check-freestanding: $(B)/core.o $(B)/stub.so
	sh tools/check-freestanding.sh $(B)/core.o include/rumphost/host.h

CONF_SRC := $(sort $(wildcard tests/conformance/*.c))
CONF_BIN := $(B)/tests/rhconf

# The suite links against "a librumpuser.so.0" by soname and finds the one
# to test through LD_LIBRARY_PATH (ours, or NetBSD's from RUMP_PREFIX).
$(CONF_BIN): $(CONF_SRC) $(wildcard tests/conformance/*.h) $(LIB_SO)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -Itests/conformance -o $@ $(CONF_SRC) \
	    -L$(B)/lib -lrumpuser -lpthread

check-conformance: $(CONF_BIN)
	LD_LIBRARY_PATH=$(CURDIR)/$(B)/lib $(CONF_BIN) $(CONF_ARGS)

# Each mutant breaks one rule of the contract in the library under test
# (a preloaded shim); the tests named for it must fail.  Proves the suite
# can fail.
# The slow set: races hunted for ~8 s each (lost wakeups, downgrade gaps,
# lifecycles, thread churn), about a minute in all.
check-stress: $(CONF_BIN)
	LD_LIBRARY_PATH=$(CURDIR)/$(B)/lib $(CONF_BIN) --slow

check-mutants: $(CONF_BIN)
	sh tests/conformance/mutants/run.sh $(CONF_BIN) $(CURDIR)/$(B)/lib

# The suite against NetBSD's own library (NETBSD_LIB=<dir with its
# librumpuser.so.0>, default RUMP_PREFIX/lib): only the tests named
# *.nbsd-defect are expected to fail there.
NETBSD_LIB ?= $(RUMP_PREFIX)/lib
check-conformance-netbsd: $(CONF_BIN)
	LD_LIBRARY_PATH=$(NETBSD_LIB) $(CONF_BIN) $(CONF_ARGS)

UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/unit/%)

$(B)/tests/unit/%: tests/unit/%.c $(LIB_A) $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(LIB_A) -lpthread -ldl

check-unit: $(UNIT_BIN)
	sh tests/run-unit.sh $(UNIT_BIN)

check-rump: $(LIB_SO)
	sh tests/integration/run.sh $(CURDIR)/$(B)/lib "$(RUMP_PREFIX)"

# Subsystems add their own rules in mk/*.mk and their test targets to
# CHECK_EXTRA.
CHECK_EXTRA :=
-include $(sort $(wildcard mk/*.mk))

check: all check-format check-freestanding check-unit check-conformance \
	check-stress check-mutants check-rump check-asan check-tsan check-m32 $(CHECK_EXTRA)

# The sanitizer and 32-bit builds each go to their own build directory.
check-asan:
	$(MAKE) SAN=asan ARCH=$(ARCH) check-unit check-conformance

check-tsan:
	$(MAKE) SAN=tsan ARCH=$(ARCH) check-unit check-conformance

# The core and the POSIX host as 32-bit x86 code (AdrOS is i386).
check-m32:
	@if echo 'int main(void){return 0;}' | \
	    $(CC) -m32 -x c -o /dev/null - 2>/dev/null; then \
		$(MAKE) ARCH=-m32 SAN= check-freestanding check-unit \
		    check-conformance; \
	else \
		echo "m32: SKIP: $(CC) cannot build 32-bit programs here" \
		    "(Debian: gcc-multilib)"; \
	fi

# `make run`: boot a NetBSD rump kernel on rumphost (with RUMP_PREFIX), or
# without one, drive the library through the conformance suite's model of
# a rump kernel.
DEMO	:= $(B)/tools/rumphost-demo
$(DEMO): tools/rumphost-demo.c $(LIB_SO)
	@mkdir -p $(@D)
	$(CC) -std=c11 $(ARCH) -O2 -Wall -Wextra -I$(RUMP_PREFIX)/include -o $@ \
	    $< -L$(RUMP_PREFIX)/lib -Wl,--enable-new-dtags \
	    -Wl,-rpath,$(RUMP_PREFIX)/lib -Wl,--no-as-needed -lrumpvfs -lrump \
	    -lrumpuser -lpthread -ldl

ifneq ($(wildcard $(RUMP_PREFIX)/lib/librump.so),)
run: $(DEMO)
	LD_LIBRARY_PATH=$(CURDIR)/$(B)/lib $(DEMO)
else
run: $(CONF_BIN)
	@echo "No rump kernel install (RUMP_PREFIX=$(RUMP_PREFIX)): running the"
	@echo "conformance suite, which drives librumpuser.so.0 through a model"
	@echo "of a rump kernel.  See README.md for a real one."
	LD_LIBRARY_PATH=$(CURDIR)/$(B)/lib $(CONF_BIN) $(CONF_ARGS)
endif

install: $(LIB_SO) $(LIB_A)
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/rump \
	    $(DESTDIR)$(PREFIX)/include/rumphost
	install -m 755 $(LIB_SO) $(DESTDIR)$(PREFIX)/lib/librumpuser.so.0
	ln -sf librumpuser.so.0 $(DESTDIR)$(PREFIX)/lib/librumpuser.so
	install -m 644 $(LIB_A) $(DESTDIR)$(PREFIX)/lib/librumpuser.a
	install -m 644 include/rump/*.h $(DESTDIR)$(PREFIX)/include/rump
	install -m 644 include/rumphost/*.h $(DESTDIR)$(PREFIX)/include/rumphost

# KNF, as .clang-format spells it: `make format` rewrites, check-format
# (part of make check) fails on any difference.
FORMAT_SRC = $(sort $(shell find src hosts include kernel tools tests bench \
	-name '*.[ch]' 2>/dev/null) $(FORMAT_EXTRA))
format:
	clang-format -i $(FORMAT_SRC)

check-format:
	@if ! command -v clang-format >/dev/null; then \
		echo "format: SKIP: clang-format is not installed"; \
	elif clang-format --dry-run -Werror $(FORMAT_SRC) 2>/tmp/fmt.$$$$; \
	then echo "format: ok: $(words $(FORMAT_SRC)) files are KNF"; \
		rm -f /tmp/fmt.$$$$; \
	else head -n 20 /tmp/fmt.$$$$; rm -f /tmp/fmt.$$$$; \
		echo "format: FAIL: run make format"; exit 1; fi

clean:
	rm -rf build build-asan build-tsan

.PHONY: run all check check-format check-m32 check-mutants check-stress \
	check-conformance-netbsd check-freestanding check-conformance check-unit check-rump \
	check-asan check-tsan install format clean
