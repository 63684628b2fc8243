# The AdrOS port (hosts/adros): compiled for i386 and linked, with the
# core, against tests/adros/standin.c (AdrOS's kernel API with its rules
# checked) into a librumpuser.so.0 that the conformance suite runs on.
# Everything goes under $(B)/adros/ of a -m32 build.

ADROS_SRC := $(sort $(wildcard hosts/adros/*.c))
ADROS_OBJ := $(ADROS_SRC:hosts/adros/%.c=$(B)/adros/%.o)
# curproc.c reads AdrOS's %gs per-CPU block: compiled, not linked here.
ADROS_LINK := $(filter-out $(B)/adros/curproc.o,$(ADROS_OBJ))
ADROS_HDRS := $(wildcard hosts/adros/*.h) $(wildcard include/*/*.h)
ADROS_LIB := $(B)/adros/lib/librumpuser.so.0
ADROS_CONF := $(B)/adros/rhconf
ADROS_UNIT := $(B)/adros/t_adros
# The groups that apply to a kernel whose files are disks: file.*, bio.*,
# iov.* and errno.open need a POSIX namespace of regular files, and
# errno.seterrno_per_thread libc's errno; tests/adros/t_adros.c covers
# the port's block devices instead.
# Also left out, as AdrOS facts rather than port defects: clock.relwall
# (AdrOS's RTC gives whole seconds; our estimate converges from below),
# thread.detached_storm (3001 live kernel threads), errno.errtrans (feeds
# Linux numbers), misc.exit (a kernel halts, it does not exit).  mem.pages
# needs more than AdrOS's 8 MiB heap: the run raises the stand-in's.
ADROS_TESTS ?= init. mem. param. random. clock.absmono clock.sleep_rel \
	clock.sleep_abs clock.sleep_yields_ncpu1 clock.abs_wall_jump \
	thread.join_ncpu1 thread.join_ncpu2 thread.detached thread.many \
	curlwp. mutex. rw. cv. misc.console stress. balance.

$(B)/adros/%.o: hosts/adros/%.c $(ADROS_HDRS)
	@mkdir -p $(@D)
	@echo "  CC      $< (adros)"
	@$(CC) $(CORE_CFLAGS) -Ihosts/adros -c $< -o $@

$(B)/adros/standin.o: tests/adros/standin.c hosts/adros/adros_api.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -fPIC -Wno-format-nonliteral -Ihosts/adros -c $< -o $@

$(ADROS_LIB): $(B)/core.o $(ADROS_OBJ) $(B)/adros/standin.o
	@mkdir -p $(@D)
	$(CC) -shared $(ARCH) -Wl,-soname,librumpuser.so.0 \
	    -Wl,--version-script=hosts/posix/librumpuser.map -Wl,-z,defs \
	    -o $@ $(B)/core.o $(ADROS_LINK) $(B)/adros/standin.o -lpthread
	ln -sf librumpuser.so.0 $(B)/adros/lib/librumpuser.so

$(ADROS_CONF): $(CONF_SRC) $(wildcard tests/conformance/*.h) $(ADROS_LIB)
	$(CC) $(TEST_CFLAGS) -Itests/conformance -o $@ $(CONF_SRC) \
	    -L$(B)/adros/lib -lrumpuser -lpthread

$(ADROS_UNIT): tests/adros/t_adros.c $(ADROS_OBJ) \
    $(B)/adros/standin.o
	$(CC) $(TEST_CFLAGS) -Ihosts/adros -o $@ tests/adros/t_adros.c \
	    $(ADROS_LINK) $(B)/adros/standin.o -lpthread

adros-run: $(ADROS_CONF) $(ADROS_UNIT)
	$(ADROS_UNIT)
	RH_ADROS_HEAP=268435456 LD_LIBRARY_PATH=$(CURDIR)/$(B)/adros/lib \
	    $(ADROS_CONF) $(ADROS_TESTS)

check-adros:
	@if echo 'int main(void){return 0;}' | \
	    $(CC) -m32 -x c -o /dev/null - 2>/dev/null; then \
		$(MAKE) ARCH=-m32 SAN= B=$(B)-m32 adros-run; \
	else \
		echo "adros: SKIP: $(CC) cannot build 32-bit programs here" \
		    "(Debian: gcc-multilib)"; \
	fi

CHECK_EXTRA += check-adros
.PHONY: check-adros adros-run
