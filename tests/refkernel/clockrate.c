/*
 * clockrate.c: a ring-0 check of the monotonic clock's rate against the
 * RTC (kernel/kern/clock.c calibrates the TSC at boot; QEMU's RTC keeps
 * the host's time).  Two RTC edges about RATE_SECS apart, each seen
 * within EDGE_SEEN_NS, give the monotonic nanoseconds per RTC second;
 * the rate must be within RATE_TOL_PPM of one, plus the edges' own
 * uncertainty.  A host too loaded to show precise edges makes it a
 * skip (-1).  Waits first for the clock's own boot-time refinement
 * (clock_wall_wait, when the kernel has it) so that it measures the
 * rate the kernel settled on.  Userland ABI, like the tests.
 */
#include <kern/cpu.h>
#include <kern/kernel.h>

int clockrate_check(void);
int clock_wall_wait(uint64_t, int64_t *) __attribute__((__weak__));

#define EDGE_SEEN_NS 500000LL /* 0.5 ms */
#define RATE_SECS    4
#define RATE_TOL_PPM 1000
#define NTRIES	     6

struct edge {
	int64_t sec;
	uint64_t mono, gap;
};

static int
precise_edge(struct edge *e)
{
	uint64_t fl;
	int rv, left = NTRIES;

	while (left-- > 0) {
		fl = intr_disable();
		rv = clock_rtc_edge(&e->sec, &e->mono, &e->gap);
		intr_restore(fl);
		if (rv != 0)
			return -1;
		if (e->gap < (uint64_t)EDGE_SEEN_NS)
			return 0;
	}
	return -1;
}

int
clockrate_check(void)
{
	struct edge a, b;
	int64_t secs, ppm, err_ppm, step = 0;

	if (clock_wall_wait != NULL &&
	    clock_wall_wait(clock_mono_ns() + 8000000000ULL, &step) != 0)
		kprintf("# the clock's refinement did not finish\n");
	if (precise_edge(&a) != 0)
		return -1;
	kthread_sleep_until(a.mono + (RATE_SECS - 1) * 1000000000ULL);
	if (precise_edge(&b) != 0)
		return -1;
	secs = b.sec - a.sec;
	ppm =
	    ((int64_t)(b.mono - a.mono) - secs * 1000000000LL) / (secs * 1000);
	err_ppm = (int64_t)(a.gap + b.gap) / (secs * 1000);
	kprintf("# CLOCKRATE tsc_khz %lu rtc_secs %ld mono_off_ppm %+ld "
		"edge_err_ppm %ld\n",
	    (unsigned long)(clock_tsc_hz() / 1000), (long)secs, (long)ppm,
	    (long)err_ppm);
	return ppm <= RATE_TOL_PPM + err_ppm && ppm >= -RATE_TOL_PPM - err_ppm;
}
