/*
 * entropy.c: entropy from AdrOS's CSPRNG (csprng_get_bytes: a ChaCha20
 * generator seeded at boot, which never blocks), so nowait changes
 * nothing.  Requests are served up to 64 KiB at a time; callers loop.
 */
#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "adros.h"
#include "adros_api.h"

int
rumphost_host_entropy(void *buf, size_t len, int nowait, size_t *got)
{

	(void)nowait;
	*got = 0;
	if (len == 0)
		return RH_EINVAL;
	if (len > 65536)
		len = 65536;
	csprng_get_bytes(buf, (uint32_t)len);
	*got = len;
	return 0;
}
