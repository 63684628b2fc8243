/*
 * Clocks and sleeps.  ABSMONO never goes backwards and runs at the rate of
 * the host's monotonic clock; RELWALL is the host's wall clock; a sleep
 * never ends early (measured on the host's CLOCK_MONOTONIC) and not much
 * late (tolerance.h); every sleep releases the CPU, a zero-length one too
 * (the pagedaemon yields that way), which an NCPU=1 test proves; ABSMONO
 * sleeps are unaffected by the wall clock being set.
 */
#include "fakekernel.h"
#include "tests.h"
#include "tolerance.h"

static uint64_t
absmono(void)
{
	int64_t s = 0;
	long ns = 0;

	CHECK_EQ(
	    HC(rumpuser_clock_gettime(RUMPUSER_CLOCK_ABSMONO, &s, &ns)), 0);
	CHECKF(ns >= 0 && ns < 1000000000, "nsec %ld", ns);
	return (uint64_t)s * 1000000000u + (uint64_t)ns;
}

static uint64_t
relwall(void)
{
	int64_t s = 0;
	long ns = 0;

	CHECK_EQ(
	    HC(rumpuser_clock_gettime(RUMPUSER_CLOCK_RELWALL, &s, &ns)), 0);
	CHECKF(ns >= 0 && ns < 1000000000, "nsec %ld", ns);
	return (uint64_t)s * 1000000000u + (uint64_t)ns;
}

void
t_clock_absmono(void)
{
	uint64_t prev, now, h0, h1, a0, a1;
	long i, n = (long)TOL_ITERS(200000);

	prev = absmono();
	for (i = 0; i < n; i++) {
		now = absmono();
		if (now < prev) {
			t_fail(__FILE__, __LINE__, "ABSMONO went back %llu ns",
			    (unsigned long long)(prev - now));
			break;
		}
		prev = now;
	}
	/* Its rate is the host's monotonic rate. */
	h0 = h_mono_ns();
	a0 = absmono();
	fk_pause(200 * TOL_MS);
	a1 = absmono();
	h1 = h_mono_ns();
	CHECKF(a1 - a0 <= h1 - h0 + TOL_EARLY(h1 - h0) &&
		a1 - a0 + TOL_WALL_SKEW_NS >= h1 - h0,
	    "ABSMONO advanced %llu ns while the host's advanced %llu",
	    (unsigned long long)(a1 - a0), (unsigned long long)(h1 - h0));
}

void
t_clock_relwall(void)
{
	uint64_t w0, r, w1;

	w0 = h_wall_ns();
	r = relwall();
	w1 = h_wall_ns();
	CHECKF(r + TOL_EARLY(0) >= w0 && r <= w1 + TOL_WALL_SKEW_NS,
	    "RELWALL %llu outside host wall clock [%llu, %llu]",
	    (unsigned long long)r, (unsigned long long)w0,
	    (unsigned long long)w1);
}

static void
sleep_rel(uint64_t ns)
{
	uint64_t t0, el;
	unsigned u0;

	u0 = fk_unscheds();
	t0 = h_mono_ns();
	CHECK_EQ(HC(rumpuser_clock_sleep(RUMPUSER_CLOCK_RELWALL,
		     (int64_t)(ns / TOL_SEC), (long)(ns % TOL_SEC))),
	    0);
	el = h_mono_ns() - t0;
	CHECKF(el + TOL_EARLY(ns) >= ns, "slept %llu ns of %llu",
	    (unsigned long long)el, (unsigned long long)ns);
	CHECKF(el <= ns + TOL_LATE_NS, "slept %llu ns of %llu",
	    (unsigned long long)el, (unsigned long long)ns);
	CHECKF(fk_unscheds() > u0, "a %llu ns sleep kept the CPU",
	    (unsigned long long)ns);
}

void
t_clock_sleep_rel(void)
{

	sleep_rel(100 * TOL_MS);
	/* Holding the giant lock (twice): it is let go and given back. */
	fk_giant_enter(2);
	sleep_rel(10 * TOL_MS);
	CHECK_EQ(fk_giant_held(), 2);
	fk_giant_exit();
	sleep_rel(1500 * TOL_MS); /* crosses a second boundary */
	sleep_rel(1000);
	sleep_rel(0);
}

void
t_clock_sleep_abs(void)
{
	uint64_t target, now, t0;

	target = absmono() + 150 * TOL_MS;
	t0 = h_mono_ns();
	CHECK_EQ(HC(rumpuser_clock_sleep(RUMPUSER_CLOCK_ABSMONO,
		     (int64_t)(target / TOL_SEC), (long)(target % TOL_SEC))),
	    0);
	now = absmono();
	CHECKF(now >= target, "woke %llu ns before the deadline",
	    (unsigned long long)(target - now));
	CHECKF(h_mono_ns() - t0 <= 150 * TOL_MS + TOL_LATE_NS, "late");
	/* A deadline in the past returns at once. */
	target = absmono() - 10 * TOL_MS;
	t0 = h_mono_ns();
	CHECK_EQ(HC(rumpuser_clock_sleep(RUMPUSER_CLOCK_ABSMONO,
		     (int64_t)(target / TOL_SEC), (long)(target % TOL_SEC))),
	    0);
	CHECK(h_mono_ns() - t0 <= TOL_LATE_NS);
}

static int ran;

static void
runner(void *arg)
{

	(void)arg;
	__atomic_store_n(&ran, 1, __ATOMIC_SEQ_CST);
}

/* NCPU=1: another thread runs while we sleep, even a zero sleep. */
void
t_clock_sleep_yields(void)
{
	struct fk_thread *t;
	int i;

	t = fk_spawn("runner", runner, NULL);
	for (i = 0; i < 1000 && !__atomic_load_n(&ran, __ATOMIC_SEQ_CST); i++)
		CHECK_EQ(
		    HC(rumpuser_clock_sleep(RUMPUSER_CLOCK_RELWALL, 0, 0)), 0);
	CHECKF(__atomic_load_n(&ran, __ATOMIC_SEQ_CST),
	    "1000 zero-length sleeps never let another thread have the CPU");
	fk_join(t);
}

/* The wall clock is set back and forward: ABSMONO does not care. */
void
t_clock_abs_wall_jump(void)
{
	uint64_t w0, w1, target, t0, el;

	w0 = relwall();
	if (!h_wall_shift(-(int64_t)TOL_WALL_JUMP_NS))
		t_skip("this harness cannot move the wall clock");
	w1 = relwall();
	if (w1 + TOL_WALL_JUMP_NS / 2 > w0 + TOL_WALL_JUMP_NS)
		t_skip("the library does not read the wall clock through"
		       " clock_gettime()");
	target = absmono() + 200 * TOL_MS;
	t0 = h_mono_ns();
	CHECK_EQ(HC(rumpuser_clock_sleep(RUMPUSER_CLOCK_ABSMONO,
		     (int64_t)(target / TOL_SEC), (long)(target % TOL_SEC))),
	    0);
	el = h_mono_ns() - t0;
	CHECKF(el + TOL_EARLY(200 * TOL_MS) >= 200 * TOL_MS &&
		el <= 200 * TOL_MS + TOL_LATE_NS,
	    "ABSMONO sleep of 200 ms took"
	    " %llu ms with the wall clock set back",
	    (unsigned long long)(el / TOL_MS));
	h_wall_shift(0);
}

static void
sleeper(void *arg)
{

	HC(rumpuser_clock_sleep(RUMPUSER_CLOCK_RELWALL, INT64_MAX / 2, 0));
	__atomic_store_n((int *)arg, 1, __ATOMIC_SEQ_CST);
}

/*
 * A relative sleep far beyond any clock's range still sleeps: "now plus
 * the duration" must saturate, not wrap round to a deadline in the past.
 * The sleeper is left asleep; the test's process ends with it.
 */
void
t_clock_sleep_forever(void)
{
	static int woke;
	struct fk_thread *t;

	t = fk_spawn("sleeper", sleeper, &woke);
	CHECKF(fk_settle(fk_pred_blocked, t),
	    "the sleeping thread never released its CPU");
	h_sleep_ns(TOL_QUIET_NS);
	CHECKF(!__atomic_load_n(&woke, __ATOMIC_SEQ_CST),
	    "a sleep of INT64_MAX/2 seconds returned at once");
}
