/*
 * mem.c: memory on AdrOS's kernel heap.
 *
 * kmalloc is a buddy allocator over a fixed 8 MiB region with a 16-byte
 * header before every block, so results are 16-byte aligned (hi_minalign)
 * and never page-aligned.  AdrOS offers no call that maps fresh zeroed
 * pages into kernel space for a caller, so map over-allocates from the
 * heap by a page, aligns up, keeps the kmalloc pointer in the word just
 * below the aligned address (always written, so unmap never reads an
 * uninitialised word) and zeroes the pages.  This costs a buddy block of
 * twice the size or more per page-sized request: docs/adros.md says what
 * AdrOS needs for rump kernels' page-sized hot path.  Heap pages are not
 * known to be executable, so exec is refused.
 */
#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "adros.h"
#include "adros_api.h"

#define PGSZ 4096u

void *
rumphost_host_alloc(size_t len)
{

	return kmalloc(len);
}

void
rumphost_host_free(void *p, size_t len)
{

	(void)len;
	kfree(p);
}

int
rumphost_host_map(size_t len, int exec, void **addrp)
{
	uintptr_t raw, a;

	if (exec)
		return RH_EOPNOTSUPP;
	if (len == 0 || len > SIZE_MAX - PGSZ - sizeof(void *))
		return RH_ENOMEM;
	if ((raw = (uintptr_t)kmalloc(len + PGSZ)) == 0)
		return RH_ENOMEM;
	a = (raw + sizeof(void *) + PGSZ - 1) & ~(uintptr_t)(PGSZ - 1);
	((uintptr_t *)a)[-1] = raw;
	__builtin_memset((void *)a, 0, len);
	*addrp = (void *)a;
	return 0;
}

void
rumphost_host_unmap(void *p, size_t len)
{

	(void)len;
	kfree((void *)((uintptr_t *)p)[-1]);
}
