/*
 * mem.c: rumpuser_malloc(4096, 4096) and rumpuser_free of the same
 * page-sized, page-aligned block, as the rump kernel's page allocator
 * asks for it; ns/op is one malloc+free.  Also 64 blocks at a time
 * (allocate all, free all), which the host allocator cannot serve from
 * a one-block cache.
 * Assumes: nothing beyond hyp.h.
 */

#include "../bench.h"
#include "hyp.h"

#define MF_N  2000000UL
#define BATCH 64

void
hb_malloc_free(void)
{
	void *p[BATCH];
	unsigned long i, n;
	double t0;
	int j, rv;

	n = bn_iters(MF_N);
	t0 = bn_now();
	for (i = 0; i < n; i++) {
		if ((rv = rumpuser_malloc(4096, 4096, &p[0])) != 0)
			bn_die("rumpuser_malloc: %d", rv);
		rumpuser_free(p[0], 4096);
	}
	bn_result("hyp_malloc_free", "ns/op", (bn_now() - t0) / n, n);

	n = bn_iters(MF_N / BATCH);
	t0 = bn_now();
	for (i = 0; i < n; i++) {
		for (j = 0; j < BATCH; j++)
			if ((rv = rumpuser_malloc(4096, 4096, &p[j])) != 0)
				bn_die("rumpuser_malloc: %d", rv);
		for (j = 0; j < BATCH; j++)
			rumpuser_free(p[j], 4096);
	}
	bn_result("hyp_malloc_free_batch64", "ns/op",
	    (bn_now() - t0) / (n * BATCH), n * BATCH);
}
