/*
 * clock.c: the monotonic clock (the calibrated TSC) and the wall clock
 * (RTC at boot plus monotonic time), from kernel/kern/clock.c.
 */
#include <kern/kernel.h>

#include <rumphost/host.h>

uint64_t
rumphost_host_mono_ns(void)
{

	return clock_mono_ns();
}

int
rumphost_host_wall(int64_t *sec, long *nsec)
{

	clock_wall(sec, nsec);
	return 0;
}
