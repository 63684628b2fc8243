# (Named qemu_rump.mk so that $(sort) includes it after qemu.mk, whose
# variables its rules use.)
# A NetBSD rump kernel in ring 0 of the reference kernel (mk/qemu.mk):
#
#   make qemu-rump-check RUMP_KERNEL_PREFIX=/work/rump/kinstall
#       build $(B)/kernel/rumphost-kernel-rump (the kernel, the core, the
#       rump demo kernel/rumpdemo.c and the rump archives) and run
#       tests/qemu/t_rump.sh: ext2 image -> virtio-blk -> rump ext2fs,
#       every file's CRC-32 compared with the host's.
#   make kernel-rump RUMP_KERNEL_PREFIX=...   just the image
#   make qemu-dev-check
#       the drivers of kernel/dev at boot of the plain kernel image:
#       virtio-blk legacy and virtio 1.0, MSI-X and INTx, read-only, and
#       plain MSI (QEMU's edu device); tests/qemu/t_devices.sh.
#
# RUMP_KERNEL_PREFIX must be a kernel-only install (buildrump.sh -k
# -V RUMP_CURLWP=hypercall): its archives call rumpuser_* and nothing of
# libc.  They are linked whole (--whole-archive): components and file
# systems are found through link sets (link_set_* sections, which
# kernel/arch/x86_64/kernel.ld keeps and bounds with __start_/__stop_
# symbols), not through references.  Without the variable, the check
# prints SKIP.

RUMP_KERNEL_PREFIX ?=
KRIMAGE	:= $(KB)/rumphost-kernel-rump
RUMP_KLIBS := rumpfs_ext2fs rumpfs_ffs rumpdev_disk rumpdev rumpvfs rump
RUMP_KARCH := $(RUMP_KLIBS:%=$(RUMP_KERNEL_PREFIX)/lib/lib%.a)
# The conformance harness stays out of this image: the kernel, its drivers
# and port, the core, the demo and rump.
KRUMP_OBJ := $(KERN_OBJ) $(KB)/kernel/rumpdemo.o $(KB)/kernel/vblktest.o

$(KRIMAGE): $(KRUMP_OBJ) $(B)/core.o kernel/arch/x86_64/kernel.ld \
    $(RUMP_KARCH)
	$(LD) -m elf_x86_64 -nostdlib -static -no-pie -z noexecstack \
	    -z max-page-size=4096 -T kernel/arch/x86_64/kernel.ld \
	    -o $@.elf64 $(KRUMP_OBJ) $(B)/core.o \
	    --whole-archive $(RUMP_KARCH) --no-whole-archive $(LIBGCC)
	objcopy -O elf32-i386 $@.elf64 $@

kernel-rump:
	@if [ -z "$(RUMP_KERNEL_PREFIX)" ]; then \
		echo "kernel-rump: RUMP_KERNEL_PREFIX not set"; exit 1; fi
	$(MAKE) --no-print-directory $(KRIMAGE)

# (The image as a prerequisite: see qemu-check in mk/qemu.mk.)
qemu-rump-check: $(if $(and $(QEMU_FOUND),$(RUMP_KERNEL_PREFIX),$(wildcard \
    $(RUMP_KERNEL_PREFIX)/lib/librump.a)),$(KRIMAGE))
	@if [ -z "$(RUMP_KERNEL_PREFIX)" ]; then \
		echo "qemu-rump-check: SKIP: RUMP_KERNEL_PREFIX not set" \
		    "(a kernel-only rump install, buildrump.sh -k)"; \
	elif [ ! -f "$(RUMP_KERNEL_PREFIX)/lib/librump.a" ]; then \
		echo "qemu-rump-check: SKIP: no librump.a in" \
		    "$(RUMP_KERNEL_PREFIX)/lib"; \
	elif ! command -v $(QEMU) >/dev/null; then \
		echo "qemu-rump-check: SKIP: $(QEMU) is not installed"; \
	else \
		QEMU=$(QEMU) QEMU_FLAGS="$(QEMU_FLAGS)" sh tests/qemu/t_rump.sh $(KRIMAGE) \
		    $(B)/tests/qemu-rump; \
	fi

qemu-dev-check: $(if $(QEMU_FOUND),$(KIMAGE))
	@if ! command -v $(QEMU) >/dev/null; then \
		echo "qemu-dev-check: SKIP: $(QEMU) is not installed"; \
	else \
		QEMU=$(QEMU) QEMU_FLAGS="$(QEMU_FLAGS)" sh tests/qemu/t_devices.sh \
		    $(KIMAGE) $(B)/tests/qemu-dev; \
	fi

# `make qemu RUMP_KERNEL_PREFIX=...` (mk/qemu.mk's rule) boots the rump
# image instead of the plain one, with the demo's disks made afresh by
# tests/qemu/mkdisks.sh in $(QEMU_RUMP_DISKS): self-test, drivers, then
# the demo on the terminal.  QEMU_APPEND=rumpidle=1 keeps it booted and
# idle after the demo (tests/qemu/idle.sh measures that).
QEMU_RUMP_DISKS := $(B)/qemu-rump-disks
ifneq ($(RUMP_KERNEL_PREFIX),)
ifneq ($(wildcard $(RUMP_KERNEL_PREFIX)/lib/librump.a),)
QEMU_IMAGE = $(KRIMAGE)
QEMU_EXTRA += $(shell cat $(QEMU_RUMP_DISKS).args 2>/dev/null)
qemu: qemu-rump-disks
endif
endif

qemu-rump-disks:
	@echo "Making the rump demo's disks in $(QEMU_RUMP_DISKS)"
	@sh tests/qemu/mkdisks.sh $(QEMU_RUMP_DISKS) >$(QEMU_RUMP_DISKS).out \
	    2>&1 || { cat $(QEMU_RUMP_DISKS).out; exit 1; }
	@sed -n 's/^QEMU_DISKS: //p' $(QEMU_RUMP_DISKS).out \
	    >$(QEMU_RUMP_DISKS).args

# Host CPU of an idle QEMU: the plain kernel, and with RUMP_KERNEL_PREFIX
# the rump image booted with rumpidle=1 (tests/qemu/idle.sh; about 35 s
# each; a measurement, so not in make check).
qemu-idle:
	@$(MAKE) --no-print-directory $(KIMAGE) \
	    $(if $(RUMP_KERNEL_PREFIX),$(KRIMAGE))
	@QEMU=$(QEMU) QEMU_FLAGS="$(QEMU_FLAGS)" sh tests/qemu/idle.sh \
	    $(KIMAGE) $(if $(RUMP_KERNEL_PREFIX),$(KRIMAGE)) $(B)/tests/qemu-idle

FORMAT_EXTRA += kernel/rumpdemo.c kernel/rumpdemo.h kernel/vblktest.c \
	$(wildcard kernel/dev/*.h)
CHECK_EXTRA += qemu-dev-check qemu-rump-check
.PHONY: kernel-rump qemu-rump-check qemu-dev-check qemu-rump-disks qemu-idle

# kernel/dev's headers (struct vblk_stats) are seen by the drivers and
# the demo: rebuild those when they change (mk/qemu.mk's KERN_HDRS covers
# kernel/include only).
$(KERN_OBJ) $(KB)/kernel/rumpdemo.o $(KB)/kernel/vblktest.o: \
    $(wildcard kernel/dev/*.h)
# The demo takes NetBSD's struct stat and mount arguments from there.
$(KB)/kernel/rumpdemo.o: tools/netbsd_abi.h
