/*
 * main.c: the reference kernel's boot, as a checklist.  Each step needs
 * only the ones above it.  Then a first kernel thread runs the self-test,
 * the drivers' probe (kernel/dev, dev_init) and what the boot command
 * line asks for: the conformance suite (rhconf, linked in by make
 * qemu-check) or the rump demo (rumpdemo_main, when linked); the boot
 * CPU becomes the idle loop.
 */
#include <kern/kernel.h>

void kmain(uint32_t magic, uint32_t mbinfo);

/* Optional parts, present when linked in. */
void dev_init(void) __attribute__((__weak__));
int rhconf_kmain(const char *cmdline) __attribute__((__weak__));
void rumpdemo_main(void) __attribute__((__weak__));

static void
first_thread(void *arg)
{
	(void)arg;
	selftest();
	if (dev_init != NULL)
		dev_init();
	if (rhconf_kmain != NULL && strncmp(boot_cmdline, "rhconf", 6) == 0)
		machine_exit(rhconf_kmain(boot_cmdline));
	if (rumpdemo_main != NULL)
		rumpdemo_main();
	kprintf("boot: done after %lu ms; idle (halts until an interrupt)\n",
	    (unsigned long)(clock_mono_ns() / 1000000));
	if (param_get("kexit", &(const char *){NULL}) == 0)
		machine_exit(0); /* kexit=1: leave QEMU once booted */
}

void
kmain(uint32_t magic, uint32_t mbinfo)
{

	cons_init(); /* 1. serial console (COM1) */
	kprintf("rumphost reference kernel (x86_64, one CPU)\n");
	if (magic != 0x2BADB002)
		panic("not booted by a multiboot loader");
	trap_init();		  /* 2. TSS + IST stacks, IDT */
	vm_init();		  /* 3. SSE on; paging is boot.S's */
	mem_init(mbinfo);	  /* 4. memory map, page allocator */
	param_init(boot_cmdline); /* 5. configuration */
	apic_init();		  /* 6. PIC off, local APIC, I/O APIC */
	clock_init();		  /* 7. TSC vs HPET (or PIT), APIC timer, RTC */
	entropy_init();		  /* 8. RDSEED/RDRAND or fallback */
	sched_init();		  /* 9. threads, FPU state */
	if (kthread_create(first_thread, NULL, "main", NULL) != 0)
		panic("cannot create the first thread");
	intr_enable(); /* 10. interrupts on */
	sched_idle();  /* 11. the boot CPU idles */
}
