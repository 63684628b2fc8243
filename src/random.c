/*
 * rumpuser_getrandom: bytes from the host's real entropy source.
 *
 * Without NOWAIT the call waits for entropy (releasing the rump CPU only
 * if it really has to wait); with NOWAIT it returns what is there, or
 * EAGAIN.  Success always comes with at least one byte, because callers
 * loop until they have what they asked for.  HARD asks for true entropy;
 * the host's source is already that, so it changes nothing here.
 *
 * Assumes: host entropy.
 */
#include "core.h"

int
rumpuser_getrandom(void *buf, size_t len, int flags, size_t *retp)
{
	int error, nlocks;

	*retp = 0;
	if (flags & ~(RUMPUSER_RANDOM_HARD | RUMPUSER_RANDOM_NOWAIT))
		return RH_EINVAL;
	if (len == 0)
		return 0;
	error = rumphost_host_entropy(buf, len, 1, retp);
	if (error != RH_EAGAIN || (flags & RUMPUSER_RANDOM_NOWAIT))
		goto out;
	rumphost_unsched(&nlocks, NULL);
	error = rumphost_host_entropy(buf, len, 0, retp);
	rumphost_sched(nlocks, NULL);
out:
	if (error == 0 && *retp == 0)
		error = RH_EAGAIN;
	return error;
}
