/*
 * cv.c: ping-pong between two host threads over one KMUTEX mutex and
 * two rumpuser condition variables (cv_wait / cv_signal); ns/op is one
 * round trip (two handoffs).
 * Assumes: the fake kernel's no-op unschedule (hyp.h).
 */

#include "../bench.h"
#include "hyp.h"

#define PP_N 100000UL

static struct rumpuser_mtx *mtx;
static struct rumpuser_cv *cv_ping, *cv_pong;
static unsigned long turn; /* odd: the partner's turn */
static unsigned long pp_n;

static void *
partner(void *arg)
{
	unsigned long i;

	(void)arg;
	hb_lwp_enter();
	rumpuser_mutex_enter(mtx);
	for (i = 0; i < pp_n; i++) {
		while ((turn & 1) == 0)
			rumpuser_cv_wait(cv_ping, mtx);
		turn++;
		rumpuser_cv_signal(cv_pong);
	}
	rumpuser_mutex_exit(mtx);
	hb_lwp_leave();
	return NULL;
}

void
hb_cv_pingpong(void)
{
	unsigned long i;
	double t0;
	void *t;

	rumpuser_mutex_init(&mtx, RUMPUSER_MTX_KMUTEX);
	rumpuser_cv_init(&cv_ping);
	rumpuser_cv_init(&cv_pong);
	pp_n = bn_iters(PP_N);
	turn = 0;
	t = hb_spawn(partner, NULL);
	t0 = bn_now();
	rumpuser_mutex_enter(mtx);
	for (i = 0; i < pp_n; i++) {
		turn++;
		rumpuser_cv_signal(cv_ping);
		while ((turn & 1) != 0)
			rumpuser_cv_wait(cv_pong, mtx);
	}
	rumpuser_mutex_exit(mtx);
	bn_result("hyp_cv_pingpong", "ns/op", (bn_now() - t0) / pp_n, pp_n);
	hb_join(t);
	rumpuser_cv_destroy(cv_ping);
	rumpuser_cv_destroy(cv_pong);
	rumpuser_mutex_destroy(mtx);
}
