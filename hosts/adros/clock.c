/*
 * clock.c: clocks on AdrOS.
 *
 * Monotonic is clock_gettime_ns (TSC-based once calibrated, else 10 ms
 * ticks).  AdrOS's wall clock is the CMOS RTC in whole seconds
 * (rtc_unix_timestamp); its own CLOCK_REALTIME reports tv_nsec 0.  We
 * give wall time with ns resolution as monotonic + offset, where the
 * offset is the largest (rtc seconds - monotonic) ever observed: an RTC
 * reading is never ahead of the true time, so every observation is a
 * lower bound of the true offset, and one taken just after the RTC's
 * second ticks over is within a call's duration of it.  The estimate is
 * within a second from the first call and only ever moves forward.
 */
#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "adros.h"
#include "adros_api.h"

static int64_t walloff; /* ns; atomic */
static int wallset;

static void
observe(void)
{
	int64_t o, cur;

	o = (int64_t)rtc_unix_timestamp() * 1000000000 -
	    (int64_t)clock_gettime_ns();
	cur = __atomic_load_n(&walloff, __ATOMIC_RELAXED);
	while ((!__atomic_load_n(&wallset, __ATOMIC_ACQUIRE) || o > cur) &&
	    !__atomic_compare_exchange_n(
		&walloff, &cur, o, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		;
	__atomic_store_n(&wallset, 1, __ATOMIC_RELEASE);
}

void
rumphost_adros_clock_init(void)
{

	observe();
}

uint64_t
rumphost_host_mono_ns(void)
{

	return clock_gettime_ns();
}

int
rumphost_host_wall(int64_t *sec, long *nsec)
{
	int64_t t;

	observe();
	t = (int64_t)clock_gettime_ns() +
	    __atomic_load_n(&walloff, __ATOMIC_ACQUIRE);
	*sec = t / 1000000000;
	*nsec = (long)(t % 1000000000);
	return 0;
}
