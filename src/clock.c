/*
 * Clocks and sleeping.
 *
 * RELWALL reads the host's wall clock; ABSMONO its monotonic clock, as
 * seconds and nanoseconds where the host offers that (hi_mono_ts), else
 * split from its ns.
 * Sleeps are measured on the monotonic clock (a relative sleep must not
 * stretch or shrink when someone sets the wall clock), last at least as
 * long as asked, and always release the rump CPU, zero-length ones too:
 * the rump kernel yields its CPU that way.
 *
 * Assumes: host clocks and park (a sleep is a park with a deadline and no
 * waker; stray wakeup tokens only cost a loop).
 */
#include "core.h"

/* ABSMONO from a host clock in ns only, and unknown clocks. */
static __attribute__((__noinline__)) int
clock_gettime_slow(int clk, int64_t *sec, long *nsec)
{
	uint64_t now;

	if (clk != RUMPUSER_CLOCK_ABSMONO)
		return RH_EINVAL;
	now = rumphost_host_mono_ns();
	*sec = (int64_t)(now / RH_NS);
	*nsec = (long)(now % RH_NS);
	return 0;
}

/* The common cases are tail calls into the host, without a frame. */
int
rumpuser_clock_gettime(int clk, int64_t *sec, long *nsec)
{

	if (clk == RUMPUSER_CLOCK_ABSMONO &&
	    RH_LIKELY(rumphost_info.hi_mono_ts != NULL))
		return rumphost_info.hi_mono_ts(sec, nsec);
	if (clk == RUMPUSER_CLOCK_RELWALL)
		return rumphost_host_wall(sec, nsec);
	return clock_gettime_slow(clk, sec, nsec);
}

/*
 * A sleep that is already over is how the rump kernel yields its CPU (the
 * pagedaemon does).  Releasing the CPU and retaking it at once would give
 * it straight back to us, since the rump scheduler favours the previous
 * owner; so the thread steps aside for a moment, as a host's nanosleep(0)
 * does, and a thread waiting for the CPU gets it.
 */
#define SLEEP_YIELD_NS 20000ULL

static void
sleep_until(uint64_t deadline)
{
	uint64_t now = rumphost_host_mono_ns();

	if (now >= deadline)
		deadline = now + SLEEP_YIELD_NS;
	while (rumphost_host_mono_ns() < deadline)
		(void)rumphost_host_park(deadline);
}

int
rumpuser_clock_sleep(int clk, int64_t sec, long nsec)
{
	uint64_t ns, deadline;
	int nlocks;

	if (sec < 0 || nsec < 0 || (uint64_t)nsec >= RH_NS)
		return RH_EINVAL;
	ns = rumphost_ts_ns((uint64_t)sec, (uint64_t)nsec);
	switch (clk) {
	case RUMPUSER_CLOCK_RELWALL:
		deadline = rumphost_deadline(rumphost_host_mono_ns(), ns);
		break;
	case RUMPUSER_CLOCK_ABSMONO: deadline = ns; break;
	default: return RH_EINVAL;
	}
	rumphost_unsched(&nlocks, NULL);
	sleep_until(deadline);
	rumphost_sched(nlocks, NULL);
	return 0;
}
