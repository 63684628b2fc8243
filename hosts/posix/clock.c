/*
 * clock.c: the clocks of the POSIX host.
 *
 * Monotonic is CLOCK_MONOTONIC: it never goes back, does not count time
 * the machine is suspended, and is the clock park's futex deadline is
 * measured on (thread.c), so the two agree.  Wall time is CLOCK_REALTIME.
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include <rumphost/host.h>

#include "posix.h"

/* CLOCK_MONOTONIC; a failure is fatal to the named call (it cannot fail). */
static inline void
monots(struct timespec *ts, const char *who)
{

	if (clock_gettime(CLOCK_MONOTONIC, ts) == -1)
		rumphost_posix_fatal(who, errno);
}

uint64_t
rumphost_host_mono_ns(void)
{
	struct timespec ts;

	monots(&ts, "rumphost_host_mono_ns: clock_gettime");
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* hi_mono_ts: the same clock as rumphost_host_mono_ns, not multiplied. */
int
rumphost_posix_mono_ts(int64_t *sec, long *nsec)
{
	struct timespec ts;

	monots(&ts, "rumphost_posix_mono_ts: clock_gettime");
	*sec = (int64_t)ts.tv_sec;
	*nsec = ts.tv_nsec;
	return 0;
}

int
rumphost_host_wall(int64_t *sec, long *nsec)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return rumphost_posix_errno(errno);
	*sec = (int64_t)ts.tv_sec;
	*nsec = ts.tv_nsec;
	return 0;
}
