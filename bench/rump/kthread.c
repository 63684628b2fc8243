/*
 * kthread.c: kernel thread create+join.  From the main host thread,
 * inside the rump kernel (rump_schedule), kthread_create(MUSTJOIN |
 * MPSAFE) a thread that waits on a kernel condition variable for a gate,
 * then exits; open the gate and kthread_join it.  us/op is one
 * create+join, i.e. one rumpuser_thread_create, a host thread start and
 * end and one rumpuser_thread_join.
 *
 * Why the gate and RUMP_NCPU=1: in this rump kernel kthread_exit() frees
 * the lwp at once, yet kthread_join(l) reads l->l_ctxlink, a use-after-
 * free if the thread ended before the join started (see
 * tests/integration/kthreads.c).  With one virtual CPU, held by the
 * joiner from opening the gate until kthread_join has read l_ctxlink and
 * released the CPU in rumpuser_thread_join (mutex_exit and cv_broadcast
 * do not release it), the thread cannot pass the gate before that: race-
 * free without a clock tick of grace.
 *
 * Assumes: librump exports the kernel routines with the rumpns_ prefix
 * (buildrump.sh); prototypes after NetBSD's sys/kthread.h, sys/mutex.h
 * and sys/condvar.h (kmutex_t and kcondvar_t fit in 64 bytes; MUTEX_DEFAULT
 * and IPL_NONE are 0; pri_t is int, PRI_NONE -1).
 */

#include <sys/types.h>

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <rump/rump.h>

#include "../bench.h"
#include "rumptest.h" /* rumpns_kthread_*() */

#define KT_N 5000UL

void rumpns_mutex_init(void *, int, int);
void rumpns_mutex_enter(void *);
void rumpns_mutex_exit(void *);
void rumpns_cv_init(void *, const char *);
void rumpns_cv_wait(void *, void *);
void rumpns_cv_broadcast(void *);

static alignas(64) unsigned char mtx[64], cv[64];
static int gate; /* under mtx */

static void
worker(void *arg)
{

	(void)arg;
	rumpns_mutex_enter(mtx);
	while (!gate)
		rumpns_cv_wait(cv, mtx);
	rumpns_mutex_exit(mtx);
	rumpns_kthread_exit(0);
}

int
main(void)
{
	struct lwp *l;
	unsigned long i, n;
	double t0;
	int error;

	if (setenv("RUMP_NCPU", "1", 1) != 0)
		bn_die("setenv");
	if (rump_init() != 0)
		bn_die("rump_init");
	n = bn_iters(KT_N);
	rump_schedule();
	rumpns_mutex_init(mtx, 0, 0);
	rumpns_cv_init(cv, "kbench");
	t0 = bn_now();
	for (i = 0; i < n; i++) {
		rumpns_mutex_enter(mtx);
		gate = 0;
		rumpns_mutex_exit(mtx);
		error = rumpns_kthread_create(NB_PRI_NONE,
		    NB_KTHREAD_MUSTJOIN | NB_KTHREAD_MPSAFE, NULL, worker, NULL,
		    &l, "kbench");
		if (error != 0)
			bn_die("kthread_create: %d", error);
		rumpns_mutex_enter(mtx);
		gate = 1;
		rumpns_cv_broadcast(cv);
		rumpns_mutex_exit(mtx);
		if ((error = rumpns_kthread_join(l)) != 0)
			bn_die("kthread_join: %d", error);
	}
	bn_result(
	    "rump_kthread_create_join", "us/op", (bn_now() - t0) / 1e3 / n, n);
	rump_unschedule();
	return 0;
}
