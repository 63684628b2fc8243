/*
 * wall.c: a ring-0 check that the wall clock is anchored at an edge of
 * the RTC's second (kernel/kern/clock.c), not at whatever fraction of a
 * second the RTC happened to be read, and that it reads as that anchor
 * plus monotonic time.  Reading it never blocks; the anchoring happens
 * in the background a few seconds after boot, so the check waits for it
 * (clock_wall_wait).
 *
 * The RTC ticks whole seconds; the monotonic clock (the TSC) runs at a
 * rate calibrated at boot (kernel.clock_rate checks it), which this
 * check does not take on trust.  So it watches two later RTC edges, a and b,
 * each seen within EDGE_SEEN_NS: their distance in monotonic time gives the
 * TSC's rate against the RTC, and with it where the anchor falls relative to
 * the RTC's seconds: within PHASE_TOL_NS of an edge.  An anchor taken at
 * a random moment misses by up to a second (by more than PHASE_TOL_NS
 * in 98% of boots).  A host too loaded to show two edges within
 * EDGE_SEEN_NS in NEDGES seconds makes it a skip (-1), with the reason.
 * So does an anchor late by up to LATE_SKIP_NS: the kernel anchors at
 * the RTC's update interrupt, which QEMU raises from a host timer that
 * a loaded host runs late (44 ms seen on a busy 2-core host), never
 * early; an anchor at a random moment falls there in under 1 boot in 5,
 * and is otherwise a failure.
 * Built with the userland ABI, like the tests; prints what it measured.
 */
#include <kern/cpu.h>
#include <kern/kernel.h>

int wall_check(void); /* 1 pass, 0 fail, -1 or -2 skip (why) */

#define EDGE_SEEN_NS 2000000LL	 /* 2 ms */
#define PHASE_TOL_NS 10000000LL	 /* 10 ms */
#define LATE_SKIP_NS 200000000LL /* 200 ms */
#define NEDGES	     8
#define WAIT_NS	     6000000000ULL /* the anchoring: ~3 s after boot */

struct edge {
	int64_t sec;
	uint64_t mono, gap;
};

/* The next RTC edge seen precisely, or -1. */
static int
precise_edge(struct edge *e, int *left)
{
	uint64_t fl;
	int rv;

	while ((*left)-- > 0) {
		fl = intr_disable();
		rv = clock_rtc_edge(&e->sec, &e->mono, &e->gap);
		intr_restore(fl);
		if (rv != 0)
			return -1;
		if (e->gap < EDGE_SEEN_NS)
			return 0;
	}
	return -1;
}

int
wall_check(void)
{
	struct edge a, b;
	int64_t s0, ws, rate_ppm, phase, want, step;
	uint64_t m0, t0, t1, m;
	long wns;
	int left = NEDGES;

	t0 = clock_mono_ns();
	clock_wall(&ws, &wns); /* never blocks: the boot reading, or later */
	t1 = clock_mono_ns();
	kprintf("# first wall clock read took %lu us\n",
	    (unsigned long)((t1 - t0) / 1000));
	if (clock_wall_wait(t1 + WAIT_NS, &step) != 0) {
		kprintf("# the wall clock was not anchored at an RTC edge "
			"within %lu s\n",
		    (unsigned long)(WAIT_NS / 1000000000));
		return 0;
	}
	clock_wall_anchor(&s0, &m0);
	kprintf("# anchored %lu ms after boot; the wall clock stepped by "
		"%+ld us\n",
	    (unsigned long)(clock_mono_ns() / 1000000), (long)(step / 1000));

	/* It reads as the anchor plus monotonic time. */
	clock_wall(&ws, &wns);
	m = clock_mono_ns();
	want = (int64_t)(m - m0);
	phase = (ws - s0) * 1000000000LL + wns - want;
	if (phase > 0 || phase < -EDGE_SEEN_NS) {
		kprintf("# wall clock %ld.%09ld, anchor %ld s + %ld ns\n",
		    (long)ws, wns, (long)s0, (long)want);
		return 0;
	}

	if (precise_edge(&a, &left) != 0 || precise_edge(&b, &left) != 0) {
		kprintf("# no two RTC edges seen within %ld us in %d\n",
		    (long)(EDGE_SEEN_NS / 1000), NEDGES);
		return -1;
	}
	/* Monotonic ns per RTC second, as parts per million off. */
	rate_ppm =
	    ((int64_t)(b.mono - a.mono) - (b.sec - a.sec) * 1000000000LL) /
	    ((b.sec - a.sec) * 1000);
	/* Where edge a falls, counted from the anchor at the TSC's rate. */
	want = (a.sec - s0) * (1000000000LL + rate_ppm * 1000);
	phase = (int64_t)(a.mono - m0) - want;
	kprintf("# anchor %ld s; edges %ld s and %ld s seen within %lu and "
		"%lu us; TSC rate %+ld ppm; anchor off the RTC's edge by "
		"%ld us\n",
	    (long)s0, (long)a.sec, (long)b.sec, (unsigned long)(a.gap / 1000),
	    (unsigned long)(b.gap / 1000), (long)rate_ppm,
	    (long)(phase / 1000));
	if (phase <= PHASE_TOL_NS + (int64_t)a.gap && phase >= -PHASE_TOL_NS)
		return 1;
	if (phase < 0 && phase >= -LATE_SKIP_NS) {
		kprintf("# the anchor is %ld ms late: the host delayed the "
			"RTC's interrupts\n",
		    (long)(-phase / 1000000));
		return -2;
	}
	return 0;
}
