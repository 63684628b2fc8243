/*
 * mem.c: memory for the core, from the kernel heap (kmalloc_nozero:
 * 16-byte aligned, sized frees, not zeroed: the host interface does not
 * ask for zeroed blocks, and the rump kernel zeroes what it needs) and,
 * for map, whole zeroed pages from the page allocator.  Everything is
 * identity mapped and executable (the kernel does not use NX), so exec
 * mappings need nothing more.
 */
#include <kern/kernel.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

void *
rumphost_host_alloc(size_t len)
{

	return kmalloc_nozero(len); /* rumpuser_malloc: not zeroed */
}

void
rumphost_host_free(void *p, size_t len)
{

	kfree(p, len);
}

int
rumphost_host_map(size_t len, int exec, void **p)
{

	(void)exec;
	if ((*p = page_alloc((len + PAGE_SIZE - 1) / PAGE_SIZE)) == NULL)
		return RH_ENOMEM;
	return 0;
}

void
rumphost_host_unmap(void *p, size_t len)
{

	page_free(p, (len + PAGE_SIZE - 1) / PAGE_SIZE);
}
