/*
 * entropy.c: entropy from the Linux kernel's CSPRNG through getrandom(2)
 * (Linux 3.17 and later, glibc 2.25 and later).
 *
 * Without nowait, getrandom blocks only until the kernel's pool has been
 * seeded once after boot; with nowait it returns EAGAIN instead.  A large
 * request may be answered in part; the count is reported and the caller
 * loops.  Success always means at least one byte, so a zero-length
 * request is EINVAL rather than a success that moved nothing.
 */
#include <sys/random.h>

#include <errno.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "posix.h"

int
rumphost_host_entropy(void *buf, size_t len, int nowait, size_t *got)
{
	ssize_t n;

	*got = 0;
	if (len == 0)
		return RH_EINVAL;
	for (;;) {
		n = getrandom(buf, len, nowait ? GRND_NONBLOCK : 0);
		if (n > 0)
			break;
		if (n == 0 && nowait)
			return RH_EAGAIN;
		if (n == -1 && errno != EINTR)
			return rumphost_posix_errno(errno);
	}
	*got = (size_t)n;
	return 0;
}
