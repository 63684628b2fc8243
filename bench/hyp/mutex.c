/*
 * mutex.c: rumpuser_mutex_enter/exit on a KMUTEX (adaptive) mutex,
 * uncontended from one thread, and contended by two threads that each
 * take it N times around a shared counter.  Contended ns/op is the
 * wall time divided by the 2N enter/exit pairs.
 * Assumes: the fake kernel's no-op unschedule (hyp.h); on one CPU the
 * contended case mostly measures the host's context switches.
 */

#include "../bench.h"
#include "hyp.h"

#define UNCONT_N 4000000UL
#define CONT_N	 1000000UL

static struct rumpuser_mtx *mtx;
static volatile unsigned long counter;
static unsigned long cont_n;

void
hb_mutex_uncontended(void)
{
	unsigned long i, n;
	double t0;

	rumpuser_mutex_init(&mtx, RUMPUSER_MTX_KMUTEX);
	n = bn_iters(UNCONT_N);
	t0 = bn_now();
	for (i = 0; i < n; i++) {
		rumpuser_mutex_enter(mtx);
		rumpuser_mutex_exit(mtx);
	}
	bn_result("hyp_mutex_uncontended", "ns/op", (bn_now() - t0) / n, n);
	rumpuser_mutex_destroy(mtx);
}

static void
hammer(void)
{
	unsigned long i;

	for (i = 0; i < cont_n; i++) {
		rumpuser_mutex_enter(mtx);
		counter++;
		rumpuser_mutex_exit(mtx);
	}
}

static void *
hammer_thread(void *arg)
{

	(void)arg;
	hb_lwp_enter();
	hammer();
	hb_lwp_leave();
	return NULL;
}

void
hb_mutex_contended(void)
{
	void *t;
	double t0;

	rumpuser_mutex_init(&mtx, RUMPUSER_MTX_KMUTEX);
	cont_n = bn_iters(CONT_N);
	counter = 0;
	t0 = bn_now();
	t = hb_spawn(hammer_thread, NULL);
	hammer();
	hb_join(t);
	if (counter != 2 * cont_n)
		bn_die("mutex_contended: counter %lu, want %lu", counter,
		    2 * cont_n);
	bn_result("hyp_mutex_contended", "ns/op",
	    (bn_now() - t0) / (2 * cont_n), 2 * cont_n);
	rumpuser_mutex_destroy(mtx);
}
