# nbfs: NetBSD file systems on images, over rumphost (tools/nbfs).
#
#   make nbfs RUMP_PREFIX=...      $(B)/bin/nbfs
#   make check-nbfs RUMP_PREFIX=... its tests (SKIP without RUMP_PREFIX)
#
# The binary carries RUNPATH $ORIGIN/../lib:$(RUMP_PREFIX)/lib, so the
# librumpuser.so.0 next to it ($(B)/lib, or PREFIX/lib once installed)
# wins over NetBSD's in RUMP_PREFIX/lib, with no LD_LIBRARY_PATH.  The
# mount command is built only when pkg-config finds fuse3.

NBFS_SRC := $(sort $(wildcard tools/nbfs/*.c))
NBFS_HDR := $(wildcard tools/nbfs/*.h) tools/netbsd_abi.h
NBFS_BIN := $(B)/bin/nbfs
NBFS_FSLIBS := ext2fs ffs msdos cd9660 udf ntfs hfs
NBFS_FUSE_CFLAGS := $(shell pkg-config --cflags fuse3 2>/dev/null)
NBFS_FUSE_LIBS := $(shell pkg-config --libs fuse3 2>/dev/null)
ifneq ($(NBFS_FUSE_LIBS),)
NBFS_FUSE_DEF := -DNBFS_FUSE
else
NBFS_SRC := $(filter-out tools/nbfs/fuse.c,$(NBFS_SRC))
endif

ifneq ($(RUMP_PREFIX),)
NBFS_LIBS := $(foreach f,$(NBFS_FSLIBS),$(if $(wildcard \
	$(RUMP_PREFIX)/lib/librumpfs_$(f).so),-lrumpfs_$(f)))

$(NBFS_BIN): $(NBFS_SRC) $(NBFS_HDR) $(LIB_SO)
	@mkdir -p $(@D)
	$(CC) -std=c11 $(ARCH) $(OPT) $(WARN) -D_GNU_SOURCE $(NBFS_FUSE_DEF) \
	    $(NBFS_FUSE_CFLAGS) -I$(RUMP_PREFIX)/include $(SANFLAGS) \
	    -o $@ $(NBFS_SRC) -L$(B)/lib -L$(RUMP_PREFIX)/lib \
	    -Wl,--enable-new-dtags \
	    '-Wl,-rpath,$$ORIGIN/../lib:$(RUMP_PREFIX)/lib' \
	    -Wl,--no-as-needed $(NBFS_LIBS) -lrumpdev_disk -lrumpdev \
	    -lrumpvfs -lrump -lrumpuser -Wl,--as-needed $(NBFS_FUSE_LIBS) \
	    -lpthread
	@[ -n "$(NBFS_FUSE_LIBS)" ] || echo "nbfs: built without FUSE 3" \
	    "(no pkg-config fuse3; Debian: libfuse3-dev): no mount command"

nbfs: $(NBFS_BIN)

check-nbfs: $(NBFS_BIN)
	NBFS=$(CURDIR)/$(NBFS_BIN) LIBDIR=$(CURDIR)/$(B)/lib \
	    RUMP_PREFIX=$(RUMP_PREFIX) sh tests/nbfs/run.sh
else
nbfs:
	@echo "nbfs: needs RUMP_PREFIX=<install of NetBSD rump kernel" \
	    "components>"; exit 2

check-nbfs:
	@echo "nbfs: SKIP: RUMP_PREFIX not set (point it at an install of" \
	    "NetBSD rump kernel components built by buildrump.sh)"
	@echo "nbfs: 0 passed, 0 failed, $(words $(wildcard tests/nbfs/t_*)) skipped"
endif

CHECK_EXTRA += check-nbfs
.PHONY: nbfs check-nbfs
