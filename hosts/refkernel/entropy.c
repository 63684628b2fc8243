/*
 * entropy.c: the kernel's generator (RDSEED/RDRAND, or the documented
 * TSC-jitter-seeded ChaCha20 fallback of kernel/kern/entropy.c).  It
 * never blocks and always has bytes, so nowait changes nothing.
 */
#include <kern/kernel.h>

#include <rumphost/host.h>

int
rumphost_host_entropy(void *buf, size_t len, int nowait, size_t *got)
{

	(void)nowait;
	entropy_get(buf, len);
	*got = len;
	return 0;
}
