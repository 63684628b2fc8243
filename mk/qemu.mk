# The reference kernel (kernel/, hosts/refkernel) and its checks under
# QEMU (software emulation):
#
#   make qemu            boot it interactively (serial on the terminal)
#   make qemu-check      the conformance suite in ring 0, one boot per test
#   make kernel          just build $(B)/kernel/rumphost-kernel
#
# The kernel is built -mno-red-zone -mgeneral-regs-only; the core
# ($(B)/core.o, the same object as on POSIX) and the tests keep the
# userland ABI, which the kernel supports (vectors.S, sched.c).

KB	:= $(B)/kernel
KIMAGE	:= $(KB)/rumphost-kernel
QEMU	?= qemu-system-x86_64
QEMU_MEM ?= 512
QEMU_FLAGS := -machine pc,accel=tcg -cpu max -m $(QEMU_MEM) -no-reboot \
	-display none -device isa-debug-exit,iobase=0xf4,iosize=0x04
QEMU_EXTRA ?=
QEMU_APPEND ?=
# make qemu-check QEMU_TESTS="init. mem.align": only those (run.sh's
# NAME, PREFIX. or PREFIX* words); failed boots' logs stay in
# $(B)/tests/qemu-check.
QEMU_TESTS ?=

KCFLAGS := -std=c11 -O2 -g $(WARN) -ffreestanding -nostdinc -isystem $(CC_INC) \
	-Ikernel/include -Iinclude -fno-pic -fno-pie -mcmodel=small \
	-mno-red-zone -mgeneral-regs-only -fno-stack-protector \
	-fno-omit-frame-pointer -fno-tree-loop-distribute-patterns \
	-fno-asynchronous-unwind-tables -fcf-protection=none
# The suite and its kernel harness: the userland ABI (red zone, SSE).
KTCFLAGS := -std=c11 -O2 -g $(WARN) $(REVFLAGS) -ffreestanding -nostdinc \
	-isystem $(CC_INC) -Ikernel/include/libc -Ikernel/include -Iinclude \
	-Itests/conformance -fno-pic -fno-pie -mcmodel=small \
	-fno-stack-protector -fno-tree-loop-distribute-patterns \
	-fno-asynchronous-unwind-tables -fcf-protection=none

KERN_C	:= kernel/main.c $(sort $(wildcard kernel/kern/*.c)) \
	$(sort $(wildcard kernel/dev/*.c)) $(sort $(wildcard hosts/refkernel/*.c))
KERN_S	:= $(sort $(wildcard kernel/arch/x86_64/*.S))
KTEST_C	:= $(sort $(wildcard tests/refkernel/*.c)) $(filter-out \
	tests/conformance/harness_posix.c,$(sort $(wildcard tests/conformance/*.c)))
KERN_HDRS := $(wildcard kernel/include/*/*.h kernel/include/libc/*.h \
	kernel/include/libc/sys/*.h hosts/refkernel/*.h) $(HDRS)
KERN_OBJ := $(KERN_C:%.c=$(KB)/%.o) $(KERN_S:%.S=$(KB)/%.o)
KTEST_OBJ := $(KTEST_C:%.c=$(KB)/%.o)
# Further objects and archives (kernel/dev's rump demo, K2) append here.
KERN_EXTRA_OBJS ?=
KERN_LIBS ?=
LIBGCC	:= $(shell $(CC) -print-libgcc-file-name)

$(KB)/kernel/%.o $(KB)/hosts/%.o: KFLAGS = $(KCFLAGS)
$(KB)/tests/%.o: KFLAGS = $(KTCFLAGS)

$(KB)/%.o: %.c $(KERN_HDRS) $(wildcard tests/conformance/*.h)
	@mkdir -p $(@D)
	@echo "  CC      $< (kernel)"
	@$(CC) $(KFLAGS) -c $< -o $@

$(KB)/%.o: %.S
	@mkdir -p $(@D)
	@echo "  AS      $<"
	@$(CC) -D__ASSEMBLY__ -c $< -o $@

$(KIMAGE): $(KERN_OBJ) $(KTEST_OBJ) $(B)/core.o kernel/arch/x86_64/kernel.ld \
    $(KERN_EXTRA_OBJS)
	$(LD) -m elf_x86_64 -nostdlib -static -no-pie -z noexecstack \
	    -z max-page-size=4096 -T kernel/arch/x86_64/kernel.ld \
	    -o $@.elf64 $(KERN_OBJ) $(KTEST_OBJ) $(B)/core.o \
	    $(KERN_EXTRA_OBJS) $(KERN_LIBS) $(LIBGCC)
	objcopy -O elf32-i386 $@.elf64 $@

kernel: $(KIMAGE)

# Ctrl-A x leaves QEMU; the kernel's own exits (kexit=1, a test, a halt)
# come through isa-debug-exit: status 1 is its "0".  QEMU_IMAGE and
# QEMU_EXTRA are expanded when the rule runs, so a later mk file may point
# them at another image and its disks (the rump demo, mk/qemu_rump.mk).
QEMU_IMAGE = $(KIMAGE)
qemu:
	@$(MAKE) --no-print-directory $(QEMU_IMAGE)
	@echo "Booting $(QEMU_IMAGE) under QEMU (TCG); Ctrl-A x quits."
	@$(QEMU) $(QEMU_FLAGS) -nographic -serial mon:stdio \
	    -kernel $(QEMU_IMAGE) \
	    $(if $(QEMU_APPEND),-append "$(QEMU_APPEND)") $(QEMU_EXTRA); \
	st=$$?; [ $$st -eq 0 ] || [ $$st -eq 1 ]

# The checks get their images as prerequisites of this make (not from a
# sub-make each), so that under -j the kernel's objects are built once,
# not by several makes racing on the same files.  Without QEMU nothing
# is built: the check only says SKIP.
QEMU_FOUND := $(shell command -v $(QEMU) 2>/dev/null)
qemu-check: $(if $(QEMU_FOUND),$(KIMAGE))
	@if ! command -v $(QEMU) >/dev/null; then \
		echo "qemu-check: SKIP: $(QEMU) is not installed" \
		    "(Debian: qemu-system-x86)"; \
	else \
		RHCONF_LOGDIR=$(B)/tests/qemu-check \
		    sh tests/refkernel/run.sh $(KIMAGE) "$(QEMU)" \
		    "$(QEMU_FLAGS)" $(QEMU_TESTS); \
	fi

FORMAT_EXTRA += $(KERN_C) $(wildcard tests/refkernel/*.c) \
	$(wildcard kernel/include/*/*.h hosts/refkernel/*.h)
CHECK_EXTRA += qemu-check
.PHONY: kernel qemu qemu-check
