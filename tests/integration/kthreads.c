/*
 * kthreads.c: 200 rump kernel threads are created, run together and
 * joined.
 *
 * Tests: from the main host thread, inside the rump kernel with
 * rump_schedule(), kthread_create(KTHREAD_MUSTJOIN) 200 threads (every
 * other one KTHREAD_MPSAFE, so the others take the big kernel lock).
 * Each adds one to an atomic counter, then polls a gate with
 * kpause(1 tick) until its joiner opens it, and calls kthread_exit(0).
 * All 200 must be alive at once; then 8 host threads, each inside the
 * rump kernel, open the gates and kthread_join their share: every join
 * must return 0 and the counter must be 200.  This exercises
 * rumpuser_thread_create/join/exit, curlwp, and the mutex, cv and clock
 * hypercalls under the rump scheduler.
 *
 * Why the gate: in this rump kernel kthread_exit() frees the lwp at once
 * (releaselwp + unschedule), yet kthread_join(l) then reads
 * l->l_ctxlink, a use-after-free whenever the thread exits before the
 * join starts.  With NetBSD's librumpuser the freed lwp is soon reused
 * and pthread_join() gets garbage (SIGSEGV).  So a thread exits only
 * GRACE ticks after its joiner has announced the join.
 *
 * Assumes: librump exports the kernel routines with the rumpns_ prefix
 * (as buildrump.sh builds it); their prototypes below follow NetBSD's
 * sys/sys/kthread.h and sys/sys/proc.h (pri_t is int; PRI_NONE is -1);
 * hz is 100.
 */

#include <sys/types.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#include "rumptest.h"

#define NTHREADS 200
#define NJOINERS 8
#define GRACE	 3 /* ticks */

int rumpns_kpause(const char *, bool, int, void *);

static struct lwp *lwps[NTHREADS];
static int gate[NTHREADS];
static int joinrv[NTHREADS];
static unsigned int counter;

static void
worker(void *arg)
{
	uintptr_t i = (uintptr_t)arg;

	__atomic_fetch_add(&counter, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&gate[i], __ATOMIC_SEQ_CST))
		(void)rumpns_kpause("rtgate", false, 1, NULL);
	(void)rumpns_kpause("rtgrace", false, GRACE, NULL);
	rumpns_kthread_exit(0);
}

static void *
joiner(void *arg)
{
	uintptr_t k = (uintptr_t)arg, i;

	rump_schedule();
	for (i = k; i < NTHREADS; i += NJOINERS) {
		__atomic_store_n(&gate[i], 1, __ATOMIC_SEQ_CST);
		joinrv[i] = rumpns_kthread_join(lwps[i]);
	}
	rump_unschedule();
	return NULL;
}

int
main(void)
{
	pthread_t jt[NJOINERS];
	uintptr_t i;
	int rv, flags, nbad = 0, firstbad = 0;
	double t0, t1;

	rt_begin("kthreads");
	rt_boot();
	t0 = rt_now();
	rump_schedule();
	for (i = 0; i < NTHREADS; i++) {
		flags = NB_KTHREAD_MUSTJOIN;
		if (i % 2)
			flags |= NB_KTHREAD_MPSAFE;
		rv = rumpns_kthread_create(NB_PRI_NONE, flags, NULL, worker,
		    (void *)i, &lwps[i], "rtkt%u", (unsigned)i);
		if (rv != 0) {
			rump_unschedule();
			rt_fail("kthread_create #%u: %d", (unsigned)i, rv);
		}
	}
	rump_unschedule();
	while (__atomic_load_n(&counter, __ATOMIC_SEQ_CST) < NTHREADS) {
		if (rt_now() - t0 > 30)
			rt_fail("only %u of %d kernel threads ran within 30 s",
			    counter, NTHREADS);
		usleep(1000);
	}
	t1 = rt_now();
	for (i = 0; i < NJOINERS; i++)
		if ((rv = pthread_create(&jt[i], NULL, joiner, (void *)i)) != 0)
			rt_fail("pthread_create: %d", rv);
	for (i = 0; i < NJOINERS; i++)
		pthread_join(jt[i], NULL);
	for (i = 0; i < NTHREADS; i++)
		if (joinrv[i] != 0 && nbad++ == 0)
			firstbad = joinrv[i];
	if (nbad != 0)
		rt_fail("%d kthread_join calls failed, the first with %d", nbad,
		    firstbad);
	if (__atomic_load_n(&counter, __ATOMIC_SEQ_CST) != NTHREADS)
		rt_fail("counter is %u after joining %d threads", counter,
		    NTHREADS);
	rt_info("%d kernel threads all running after %.2f s, joined by %d "
		"host threads in %.2f s",
	    NTHREADS, t1 - t0, NJOINERS, rt_now() - t1);
	/* The kernel still works. */
	if (rump_sys_getpid() <= 0)
		rt_fail("rump_sys_getpid after the threads: errno %d", errno);
	rt_pass();
}
