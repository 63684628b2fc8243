/*
 * rumpuser_component_*: what the host halves of rump components (shmif,
 * sockin, virtif, ugenhc) use around their own host work.
 *
 * unschedule/schedule bracket a blocking host call made from inside the
 * rump kernel; the cookie carries the giant-lock count across.  kthread
 * gives a component's own host thread an lwp of its own (and release
 * drops it), the way the rump kernel binds its kernel threads.
 *
 * Assumes: the upcalls; host errno translation.
 */
#include "core.h"

void *
rumpuser_component_unschedule(void)
{
	int nlocks;

	rumphost_unsched(&nlocks, NULL);
	return (void *)(intptr_t)nlocks;
}

void
rumpuser_component_schedule(void *cookie)
{

	rumphost_sched((int)(intptr_t)cookie, NULL);
}

int
rumpuser_component_errtrans(int hosterr)
{

	return rumphost_host_errno(hosterr);
}

void
rumpuser_component_kthread(void)
{

	rumphost_hyp.hyp_schedule();
	rumphost_hyp.hyp_lwproc_newlwp(0);
	rumphost_hyp.hyp_unschedule();
}

void
rumpuser_component_kthread_release(void)
{

	rumphost_hyp.hyp_schedule();
	rumphost_hyp.hyp_lwproc_release();
	rumphost_hyp.hyp_unschedule();
}

struct lwp *
rumpuser_component_curlwp(void)
{
	struct lwp *l;

	rumphost_hyp.hyp_schedule();
	l = rumphost_hyp.hyp_lwproc_curlwp();
	rumphost_hyp.hyp_unschedule();
	return l;
}

void
rumpuser_component_switchlwp(struct lwp *l)
{

	rumphost_hyp.hyp_schedule();
	rumphost_hyp.hyp_lwproc_switch(l);
	rumphost_hyp.hyp_unschedule();
}
