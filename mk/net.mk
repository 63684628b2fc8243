# net: TCP/IP between rump kernels on POSIX (tests/net).
#
#   make check-net RUMP_PREFIX=...         shmif bus between two rump
#        kernels (ICMP, 100 MiB TCP, UDP, IPv6) and virtif to and from
#        Linux in a network namespace, on $(B)/lib/librumpuser.so.0
#   make check-net-netbsd RUMP_PREFIX=...  the same on NetBSD's own
#        librumpuser (RUMP_PREFIX/lib), for comparison
#   NET_MB=N sets the size of the TCP streams (MiB).
#
# The programs carry RUNPATH $(RUMP_PREFIX)/lib and are run with
# LD_LIBRARY_PATH=<library under test>; each checks in /proc/self/maps
# that this is the librumpuser it loaded.  SKIPs without RUMP_PREFIX.

NET_SRC := tests/net/rnet.c tests/net/rnet_io.c tests/net/rnet_client.c \
	tests/net/rnet_server.c tests/net/rnet_icmp.c tests/net/stream.c \
	tests/net/proto.c \
	tests/integration/rumptest.c
NET_HDR := tests/net/rnet.h tests/integration/rumptest.h tools/netbsd_abi.h
NET_DIR := $(B)/tests/net
NET_COMPS := shmif virtif config netinet6 netinet net
NET_CC := $(CC) -std=c11 $(ARCH) $(OPT) $(WARN) -D_GNU_SOURCE $(SANFLAGS)
FORMAT_EXTRA += $(wildcard tests/net/*.c tests/net/*.h)

ifneq ($(RUMP_PREFIX),)
NET_MISSING := $(strip $(foreach c,$(NET_COMPS),$(if $(wildcard \
	$(RUMP_PREFIX)/lib/librumpnet_$(c).so),,librumpnet_$(c))))

$(NET_DIR)/rnet: $(NET_SRC) $(NET_HDR)
	@mkdir -p $(@D)
	$(NET_CC) -I$(RUMP_PREFIX)/include -o $@ $(NET_SRC) \
	    -L$(RUMP_PREFIX)/lib -Wl,--enable-new-dtags \
	    -Wl,-rpath,$(RUMP_PREFIX)/lib -Wl,--no-as-needed \
	    $(foreach c,$(NET_COMPS),-lrumpnet_$(c)) -lrumpnet -lrump \
	    -lrumpuser -Wl,--as-needed -lpthread

HOSTPEER_SRC := tests/net/hostpeer.c tests/net/hostclient.c \
	tests/net/stream.c tests/net/proto.c
$(NET_DIR)/hostpeer: $(HOSTPEER_SRC) tests/net/rnet.h
	@mkdir -p $(@D)
	$(NET_CC) -o $@ $(HOSTPEER_SRC)

ifeq ($(NET_MISSING),)
check-net: $(NET_DIR)/rnet $(NET_DIR)/hostpeer $(LIB_SO)
	NET_BIN=$(CURDIR)/$(NET_DIR) LIBDIR=$(CURDIR)/$(B)/lib \
	    sh tests/net/run.sh

check-net-netbsd: $(NET_DIR)/rnet $(NET_DIR)/hostpeer
	NET_BIN=$(CURDIR)/$(NET_DIR) LIBDIR=$(RUMP_PREFIX)/lib \
	    sh tests/net/run.sh
else
check-net check-net-netbsd:
	@echo "net: SKIP: RUMP_PREFIX=$(RUMP_PREFIX) lacks $(NET_MISSING)"
	@echo "net: 0 passed, 0 failed, 3 skipped"
endif
else
check-net check-net-netbsd:
	@echo "net: SKIP: RUMP_PREFIX not set (point it at an install of" \
	    "NetBSD rump kernel components built by buildrump.sh)"
	@echo "net: 0 passed, 0 failed, 3 skipped"
endif

CHECK_EXTRA += check-net
.PHONY: check-net check-net-netbsd
