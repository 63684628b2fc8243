/*
 * prof.c: a sampling profiler.  With the boot parameter kprof=<us>, the
 * scheduler never leaves the one-shot APIC timer unarmed for longer than
 * that many microseconds while a profile runs (sched.c asks
 * kprof_deadline), and every timer interrupt records the interrupted
 * instruction address (trap.c calls kprof_sample) into a histogram of
 * 16-byte buckets over the kernel's text.  A caller brackets what it
 * wants to measure with kprof_start/kprof_stop (kprof_enable pauses and
 * resumes it, to sample only some parts) and prints the result with
 * kprof_dump: one "PROF <address> <samples>" line per bucket hit, which
 * tests/qemu/prof.py folds into functions with nm.
 *
 * The profile's state is written in the timer interrupt and by its
 * owner with interrupts off; one CPU.  Samples land where an interrupt
 * can be taken: under TCG, at translation block boundaries; code run
 * with interrupts off (the scheduler, the interrupt path) is credited to
 * the instruction that turned them on again.
 */
#include <kern/kernel.h>

#define PROF_SHIFT 4
#define PROF_MAXB  (1u << 17) /* 2 MiB of text */

extern char __text_start[], __text_end[];

static uint32_t prof_hist[PROF_MAXB];
static uint64_t prof_period; /* ns; 0: profiling off */
static int prof_on;
static uint64_t prof_samples, prof_outside;
static uint64_t prof_t0, prof_ns; /* ns sampled: before this start */

/* The next timer deadline the profile needs, or UINT64_MAX. */
uint64_t
kprof_deadline(uint64_t now)
{

	return prof_on ? now + prof_period : UINT64_MAX;
}

/* Interrupted at rip (timer interrupt, interrupts off). */
void
kprof_sample(uint64_t rip)
{
	uint64_t b;

	if (!prof_on)
		return;
	prof_samples++;
	if (rip < (uintptr_t)__text_start || rip >= (uintptr_t)__text_end ||
	    (b = (rip - (uintptr_t)__text_start) >> PROF_SHIFT) >= PROF_MAXB)
		prof_outside++;
	else
		prof_hist[b]++;
}

/* Start a profile if kprof=<us> was given; true if one runs. */
int
kprof_start(void)
{
	const char *v;
	uint64_t us = 0, s;

	if (param_get("kprof", &v) != 0)
		return 0;
	while (*v >= '0' && *v <= '9')
		us = us * 10 + (uint64_t)(*v++ - '0');
	if (us == 0)
		us = 100;
	s = intr_disable();
	memset(prof_hist, 0, sizeof(prof_hist));
	prof_samples = prof_outside = 0;
	prof_period = us * 1000;
	prof_ns = 0;
	intr_restore(s);
	kprof_enable(1);
	return 1;
}

/* Pause (on = 0) or resume (1) a started profile: sample only parts. */
void
kprof_enable(int on)
{
	uint64_t s;

	if (prof_period == 0 || on == prof_on)
		return;
	s = intr_disable();
	if (on) {
		prof_t0 = clock_mono_ns();
		lapic_timer_arm(prof_period);
	} else
		prof_ns += clock_mono_ns() - prof_t0;
	prof_on = on;
	intr_restore(s);
}

void
kprof_stop(void)
{

	kprof_enable(0);
}

/* Print the profile (every bucket hit, in address order) and end it. */
void
kprof_dump(const char *what)
{
	unsigned i;

	if (prof_period == 0)
		return;
	kprof_stop();
	kprintf("PROFSTART %s samples=%llu outside=%llu ms=%llu "
		"period_us=%llu\n",
	    what, (unsigned long long)prof_samples,
	    (unsigned long long)prof_outside,
	    (unsigned long long)(prof_ns / 1000000),
	    (unsigned long long)(prof_period / 1000));
	for (i = 0; i < PROF_MAXB; i++)
		if (prof_hist[i] != 0)
			kprintf("PROF %lx %u\n",
			    (unsigned long)((uintptr_t)__text_start +
				((uint64_t)i << PROF_SHIFT)),
			    prof_hist[i]);
	kprintf("PROFEND %s\n", what);
	prof_period = 0; /* ended: kprof_enable does nothing until a start */
}
