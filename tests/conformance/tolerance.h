/*
 * Every timing and resource tolerance of the conformance suite, in one
 * place, with the reason for each.
 *
 * The suite must give the same verdict on a loaded 2-vCPU virtual machine,
 * under ASan (about 2-3x slower) and under TSan (5-15x slower, and it
 * serialises much of the work).  So:
 *  - lower bounds are strict: a sleep or timed wait may never end before
 *    the time asked for, whatever the load (the contract says "at least");
 *  - upper bounds are generous and multiplied by h_slowdown(): they only
 *    catch waits that ignore their deadline or wait on the wrong clock,
 *    and those are off by whole seconds (or forever), not milliseconds.
 * RHCONF_SLOWDOWN=N in the environment overrides the multiplier.
 */
#ifndef RHCONF_TOLERANCE_H
#define RHCONF_TOLERANCE_H

#define TOL_MS	(1000ull * 1000)
#define TOL_SEC (1000ull * TOL_MS)

/* Multipliers for h_slowdown() when a sanitizer is compiled in. */
#define TOL_SLOWDOWN_TSAN 8
#define TOL_SLOWDOWN_ASAN 3

/*
 * How late a sleep or timed wait may end.  A preempted thread on a loaded
 * host can easily lose 100 ms; we allow 500 ms (times the slowdown).  A
 * wait on the wrong clock or one that ignores its deadline is off by far
 * more (the clock-jump tests shift the wall clock by TOL_WALL_JUMP).
 */
#define TOL_LATE_NS (500 * TOL_MS * h_slowdown())

/*
 * How early a sleep of ns may seem to end: not at all, up to what two
 * correct clocks can disagree on.  The harness measures on the host's
 * CLOCK_MONOTONIC; an implementation may sleep on another monotonic
 * source (CLOCK_MONOTONIC_RAW, a kernel's TSC clock), which may run at
 * most 500 ppm apart (the NTP slew limit), plus 1 us for the timespec
 * conversions in between.
 */
#define TOL_EARLY(ns) (1000ull + (uint64_t)(ns) / 2000)

/* The shift of the wall clock in the clock-jump tests. */
#define TOL_WALL_JUMP_NS (30 * TOL_SEC)

/*
 * RELWALL readings against the host's wall clock: the two reads are not
 * atomic, so allow the time between them (plus scheduling noise).
 */
#define TOL_WALL_SKEW_NS (100 * TOL_MS * h_slowdown())

/*
 * How long to let a second thread run to show that something does NOT
 * happen (a writer slipping into a downgrade, a waiter waking without a
 * signal).  Longer catches more interleavings, shorter keeps the quick set
 * quick; 50 ms is thousands of scheduler quanta on any modern host.
 */
#define TOL_QUIET_NS (50 * TOL_MS)

/*
 * How long a blocked thread may take to be seen blocked (has_waiters,
 * lock contention) before we give up waiting for it: generous, since this
 * only bounds a poll loop that normally ends in microseconds.
 */
#define TOL_SETTLE_NS (5 * TOL_SEC * h_slowdown())

/* Default per-test watchdog, seconds (times the slowdown). */
#define TOL_TEST_TIMEOUT_S 20
/* After this long waiting for a virtual CPU the fake kernel says who has it. */
#define TOL_CPU_WAIT_NOTE_NS (3 * TOL_SEC * h_slowdown())

/*
 * Resource balance: bytes of heap that may remain after thousands of
 * create/destroy cycles.  Allocators keep per-thread caches and the
 * implementation may allocate lazily once (we warm up first); 64 KiB over
 * 10000 cycles still catches any leak of 8 bytes or more per object.
 */
#define TOL_HEAP_SLACK (64 * 1024)
/* How long exited threads may take to leave /proc/self/task. */
#define TOL_THREAD_REAP_NS (5 * TOL_SEC * h_slowdown())

/*
 * How long each stress test (the slow set) runs: long enough for millions
 * of lock handoffs and thousands of thread lifecycles on a plain build,
 * short enough that the slow set stays near a minute; a sanitizer build
 * does fewer iterations in the same time rather than taking longer.
 */
#define TOL_STRESS_NS (8 * TOL_SEC)

/* Stress iteration counts: smaller under a sanitizer, same coverage. */
#define TOL_ITERS(n) ((n) / h_slowdown() + 1)

#endif /* RHCONF_TOLERANCE_H */
