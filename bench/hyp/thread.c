/*
 * thread.c: rumpuser_thread_create of a joinable thread that returns at
 * once, then rumpuser_thread_join; ns/op is one create+join.
 * Assumes: nothing beyond hyp.h.
 */

#include "../bench.h"
#include "hyp.h"

#define TCJ_N 20000UL

static void *
nothing(void *arg)
{

	return arg;
}

void
hb_thread_create_join(void)
{
	unsigned long i, n;
	double t0;

	n = bn_iters(TCJ_N);
	t0 = bn_now();
	for (i = 0; i < n; i++)
		hb_join(hb_spawn(nothing, NULL));
	bn_result("hyp_thread_create_join", "ns/op", (bn_now() - t0) / n, n);
}
