/*
 * trap.c: the TSS with its interrupt stacks, the IDT, exception reports
 * and interrupt dispatch, panic and machine exit.
 *
 * Every vector runs on an IST stack (vectors.S says why): IST1 for
 * interrupts (left before the handler runs), IST2 for exceptions, IST3
 * for double faults and NMIs.  Exceptions print the registers and a
 * frame-pointer backtrace and stop the machine: this kernel handles no
 * fault.  Assumes one CPU; handler table writes happen with interrupts off.
 */
#include <kern/kernel.h>

struct tss {
	uint32_t rsv0;
	uint64_t rsp[3];
	uint64_t rsv1;
	uint64_t ist[7];
	uint64_t rsv2;
	uint16_t rsv3, iomap;
} __attribute__((__packed__));

struct idtent {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, rsv;
} __attribute__((__packed__));

extern uint64_t gdt[];
extern const uint64_t vec_table[256];

static struct tss tss;
static struct idtent idt[256];
static uint8_t ist_stacks[3][16384] __attribute__((__aligned__(16)));

/* Interrupt handlers, by vector (interrupts off while written). */
static struct {
	void (*fn)(void *);
	void *arg;
} handlers[256];

static const char *const excname[32] = {"divide error", "debug", "NMI",
    "breakpoint", "overflow", "bound", "invalid opcode", "no FPU",
    "double fault", "coproc overrun", "invalid TSS", "segment absent",
    "stack fault", "general protection", "page fault", "15", "x87 error",
    "alignment check", "machine check", "SIMD exception"};

static void
tss_init(void)
{
	uint64_t base = (uintptr_t)&tss;
	struct {
		uint16_t lim;
		uint64_t base;
	} __attribute__((__packed__)) gp = {5 * 8 - 1, (uintptr_t)gdt};

	tss.ist[0] = (uintptr_t)ist_stacks[0] + sizeof(ist_stacks[0]);
	tss.ist[1] = (uintptr_t)ist_stacks[1] + sizeof(ist_stacks[1]);
	tss.ist[2] = (uintptr_t)ist_stacks[2] + sizeof(ist_stacks[2]);
	tss.iomap = sizeof(tss);
	gdt[3] = (sizeof(tss) - 1) | ((base & 0xffffff) << 16) |
	    (0x89ULL << 40) | (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;
	__asm__ volatile("lgdt %0" : : "m"(gp));
	__asm__ volatile("ltr %w0" : : "r"(0x18));
}

void
trap_init(void)
{
	struct {
		uint16_t lim;
		uint64_t base;
	} __attribute__((__packed__)) ip = {sizeof(idt) - 1, (uintptr_t)idt};
	unsigned v;
	uint64_t a;

	tss_init();
	for (v = 0; v < 256; v++) {
		a = vec_table[v];
		idt[v].off0 = a & 0xffff;
		idt[v].sel = 0x08;
		idt[v].ist = v >= 32 ? 1 : (v == 2 || v == 8) ? 3 : 2;
		idt[v].type = 0x8e; /* present, interrupt gate */
		idt[v].off1 = (a >> 16) & 0xffff;
		idt[v].off2 = a >> 32;
	}
	__asm__ volatile("lidt %0" : : "m"(ip));
}

void
backtrace(uint64_t rbp)
{
	uint64_t *fp = (uint64_t *)rbp;
	int i;

	kprintf("backtrace:");
	for (i = 0; i < 16 && fp != NULL && ((uintptr_t)fp & 7) == 0 &&
	     (uintptr_t)fp > 0x1000 && (uintptr_t)fp < 0x100000000ULL;
	     i++) {
		kprintf(" %lx", (unsigned long)fp[1]);
		fp = (uint64_t *)fp[0];
	}
	kprintf("\n");
}

/* Called from vectors.S on the exception's IST stack; never returns. */
void trap_exception(struct trapframe *);
void
trap_exception(struct trapframe *tf)
{
	uint64_t v = tf->vec;

	kprintf("\n*** exception %lu (%s) err %lx at rip %lx, cr2 %lx\n",
	    (unsigned long)v, v < 20 ? excname[v] : "reserved",
	    (unsigned long)tf->err, (unsigned long)tf->rip,
	    (unsigned long)read_cr2());
	kprintf("rax %016lx rbx %016lx rcx %016lx rdx %016lx\n"
		"rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n"
		"r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n"
		"r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n"
		"rflags %lx cs %lx ss %lx thread %s\n",
	    tf->rax, tf->rbx, tf->rcx, tf->rdx, tf->rsi, tf->rdi, tf->rbp,
	    tf->rsp, tf->r8, tf->r9, tf->r10, tf->r11, tf->r12, tf->r13,
	    tf->r14, tf->r15, tf->rflags, tf->cs, tf->ss,
	    kthread_self() ? kthread_name(kthread_self()) : "(boot)");
	kprintf("at %lx, ", (unsigned long)tf->rip);
	backtrace(tf->rbp);
	machine_exit(3);
}

/*
 * Called from vectors.S on the interrupted thread's stack, interrupts
 * off.  The handler may make threads runnable; the scheduler's clock
 * handler may switch threads here (preemption).
 */
void trap_interrupt(struct trapframe *);
void
trap_interrupt(struct trapframe *tf)
{
	unsigned v = (unsigned)tf->vec;

	if (v == VEC_SPURIOUS)
		return;
	if (handlers[v].fn != NULL)
		handlers[v].fn(handlers[v].arg);
	else
		kprintf("stray interrupt %u\n", v);
	if (v >= VEC_LINE0)
		lapic_eoi();
	if (v == VEC_TIMER) {
		kprof_sample(tf->rip);
		sched_clock_intr();
	}
}

void
intr_set_handler(unsigned vec, void (*fn)(void *), void *arg)
{
	uint64_t s = intr_disable();

	handlers[vec].fn = fn;
	handlers[vec].arg = arg;
	intr_restore(s);
}

/* A free vector in the dynamic range bound to fn, or -1. */
int
intr_alloc(void (*fn)(void *), void *arg)
{
	uint64_t s = intr_disable();
	int v;

	for (v = VEC_DYN0; v < VEC_DYNEND; v++) {
		if (handlers[v].fn == NULL) {
			handlers[v].fn = fn;
			handlers[v].arg = arg;
			intr_restore(s);
			return v;
		}
	}
	intr_restore(s);
	return -1;
}

void
machine_exit(int code)
{

	__asm__ volatile("cli");
	/* QEMU's isa-debug-exit: the process exits with (code << 1) | 1. */
	outl(0xf4, (uint32_t)code);
	for (;;)
		__asm__ volatile("hlt");
}

void
panic(const char *fmt, ...)
{
	va_list ap;

	__asm__ volatile("cli");
	kprintf("\npanic: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	backtrace((uintptr_t)__builtin_frame_address(0));
	machine_exit(3);
}
