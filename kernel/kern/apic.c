/*
 * apic.c: interrupt controllers.  The 8259 PICs are remapped out of the
 * exception range and masked; the local APIC (xAPIC MMIO at its
 * IA32_APIC_BASE address) delivers the timer and MSIs; the I/O APIC at
 * the PC's default address 0xfec00000 (QEMU's; the MADT is not parsed)
 * delivers legacy lines, level triggered, to vector VEC_LINE0 + pin.
 * ISA IRQ n is I/O APIC pin n on QEMU's PCs, as for the PCI lines the
 * firmware routes (5, 9, 10, 11).  Handler lists are changed with
 * interrupts off.
 */
#include <kern/kernel.h>

#include <rumphost/nberrno.h>

#define LAPIC_ID    0x020
#define LAPIC_EOI   0x0b0
#define LAPIC_SVR   0x0f0
#define LAPIC_LVT_T 0x320
#define LAPIC_TICR  0x380
#define LAPIC_TCCR  0x390
#define LAPIC_TDCR  0x3e0
#define IOAPIC_BASE 0xfec00000UL
#define NPINS	    24
#define MAXSHARE    4

static volatile uint32_t *lapic;
static volatile uint32_t *ioapic;
static uint64_t lapic_hz; /* timer ticks per second (divide by 16) */

/* Handlers sharing each I/O APIC pin. */
static struct line {
	int n;
	void (*fn[MAXSHARE])(void *);
	void *arg[MAXSHARE];
} lines[NPINS];

static uint32_t
lapic_read(unsigned reg)
{

	return lapic[reg / 4];
}

static void
lapic_write(unsigned reg, uint32_t v)
{

	lapic[reg / 4] = v;
}

static void
ioapic_write(unsigned reg, uint32_t v)
{

	ioapic[0] = reg;
	ioapic[4] = v;
}

/* The scheduler's part runs in trap_interrupt, after the EOI. */
static void
timer_intr(void *arg)
{

	(void)arg;
}

static void
pic_disable(void)
{

	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0x20);
	outb(0xa1, 0x28);
	outb(0x21, 4);
	outb(0xa1, 2);
	outb(0x21, 1);
	outb(0xa1, 1);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

void
lapic_eoi(void)
{

	lapic_write(LAPIC_EOI, 0);
}

void
apic_init(void)
{
	uint64_t base = rdmsr(0x1b);
	unsigned pin;

	pic_disable();
	wrmsr(0x1b, base | (1 << 11)); /* global enable */
	lapic = (volatile uint32_t *)kmap_device(base & ~0xfffULL, 4096);
	ioapic = (volatile uint32_t *)kmap_device(IOAPIC_BASE, 4096);
	intr_set_handler(VEC_TIMER, timer_intr, NULL);
	lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
	lapic_write(LAPIC_TDCR, 0x3);	     /* divide by 16 */
	lapic_write(LAPIC_LVT_T, VEC_TIMER); /* one-shot */
	lapic_write(LAPIC_TICR, 0);
	for (pin = 0; pin < NPINS; pin++) {
		ioapic_write(0x10 + 2 * pin, 1 << 16); /* masked */
		ioapic_write(0x11 + 2 * pin, 0);
	}
	kprintf("apic: local APIC %u at %lx, I/O APIC at %lx\n",
	    lapic_read(LAPIC_ID) >> 24, (unsigned long)(base & ~0xfffULL),
	    IOAPIC_BASE);
}

/*
 * Calibration (clock.c): the timer counts down from 2^32-1, masked, while
 * the clock code reads it (lapic_timer_count) against the TSC; then it
 * is stopped, unmasked, and runs at the rate measured.
 */
void
lapic_timer_count_start(void)
{

	lapic_write(LAPIC_LVT_T, VEC_TIMER | (1 << 16)); /* masked */
	lapic_write(LAPIC_TICR, 0xffffffff);
}

uint32_t
lapic_timer_count(void)
{

	return lapic_read(LAPIC_TCCR);
}

void
lapic_timer_count_stop(uint64_t hz)
{

	lapic_write(LAPIC_TICR, 0);
	lapic_write(LAPIC_LVT_T, VEC_TIMER);
	lapic_hz = hz;
}

uint64_t
lapic_timer_hz(void)
{

	return lapic_hz;
}

void
lapic_timer_arm(uint64_t ns)
{
	uint64_t ticks;

	if (ns == 0) {
		lapic_write(LAPIC_TICR, 0);
		return;
	}
	ticks = (uint64_t)((unsigned __int128)ns * lapic_hz / 1000000000U);
	if (ticks == 0)
		ticks = 1;
	if (ticks > 0xffffffffU)
		ticks = 0xffffffffU;
	lapic_write(LAPIC_TICR, (uint32_t)ticks);
}

static void
line_intr(void *arg)
{
	struct line *l = arg;
	int i;

	for (i = 0; i < l->n; i++)
		l->fn[i](l->arg[i]);
}

int
kintr_establish_line(unsigned line, void (*fn)(void *), void *arg)
{
	struct line *l;
	uint64_t s;

	if (line >= NPINS)
		return RH_EINVAL;
	l = &lines[line];
	s = intr_disable();
	if (l->n == MAXSHARE) {
		intr_restore(s);
		return RH_ENOSPC;
	}
	l->fn[l->n] = fn;
	l->arg[l->n] = arg;
	if (l->n++ == 0) {
		intr_set_handler(VEC_LINE0 + line, line_intr, l);
		/* Level triggered, active high, fixed, to this CPU. */
		ioapic_write(
		    0x11 + 2 * line, (lapic_read(LAPIC_ID) >> 24) << 24);
		ioapic_write(0x10 + 2 * line, (1 << 15) | (VEC_LINE0 + line));
	}
	intr_restore(s);
	return 0;
}

int
kintr_alloc_vector(
    void (*fn)(void *), void *arg, uint64_t *addr, uint32_t *data)
{
	int v = intr_alloc(fn, arg);

	if (v < 0)
		return RH_ENOSPC;
	*addr = 0xfee00000ULL | ((uint64_t)(lapic_read(LAPIC_ID) >> 24) << 12);
	*data = (uint32_t)v; /* fixed, edge */
	return 0;
}
