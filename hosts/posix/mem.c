/*
 * mem.c: memory of the POSIX host (alloc, free, map, unmap).
 *
 * Assumes glibc's malloc, whose results are aligned to max_align_t (the
 * hi_minalign init reports), and anonymous mmap.  The length given to
 * free is not needed by malloc and is ignored.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdlib.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "posix.h"

void *
rumphost_host_alloc(size_t len)
{

	return malloc(len);
}

void
rumphost_host_free(void *p, size_t len)
{

	(void)len;
	free(p);
}

/*
 * A refused executable mapping (SELinux execmem, PaX, a noexec policy
 * shows as EACCES or EPERM) is "this host cannot", not "no memory".
 */
int
rumphost_host_map(size_t len, int exec, void **addrp)
{
	void *p;
	int prot;

	prot = PROT_READ | PROT_WRITE | (exec ? PROT_EXEC : 0);
	p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		if (exec && (errno == EACCES || errno == EPERM))
			return RH_EOPNOTSUPP;
		return RH_ENOMEM;
	}
	*addrp = p;
	return 0;
}

void
rumphost_host_unmap(void *p, size_t len)
{

	if (munmap(p, len) == -1)
		rumphost_posix_fatal("rumphost_host_unmap: munmap", errno);
}
