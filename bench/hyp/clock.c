/*
 * clock.c: rumpuser_clock_gettime(RUMPUSER_CLOCK_ABSMONO) and
 * (RUMPUSER_CLOCK_RELWALL); ns/op is one call.
 * Assumes: the host's vDSO clock; nothing beyond hyp.h.
 */

#include "../bench.h"
#include "hyp.h"

#define CG_N 4000000UL

static void
one(const char *name, int clk)
{
	unsigned long i, n;
	int64_t sec;
	long nsec;
	double t0;

	n = bn_iters(CG_N);
	t0 = bn_now();
	for (i = 0; i < n; i++)
		if (rumpuser_clock_gettime(clk, &sec, &nsec) != 0)
			bn_die("rumpuser_clock_gettime failed");
	bn_result(name, "ns/op", (bn_now() - t0) / n, n);
}

void
hb_clock_gettime(void)
{

	one("hyp_clock_gettime_mono", RUMPUSER_CLOCK_ABSMONO);
	one("hyp_clock_gettime_wall", RUMPUSER_CLOCK_RELWALL);
}
