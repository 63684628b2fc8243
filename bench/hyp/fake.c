/*
 * fake.c: the smallest rump kernel model that lets hypbench call the
 * hypercalls: an upcall table whose schedule/unschedule upcalls do
 * nothing (there is no CPU or giant lock to release), and one lwp per
 * host thread set with rumpuser_curlwpop(), so KMUTEX owners work.
 * Assumes: nothing is measured that needs the rump scheduler; the
 * conformance suite's fake kernel (tests/conformance) is the one that
 * checks behaviour, this one only keeps the library going.
 */

#include <stdlib.h>

#include "../bench.h"
#include "hyp.h"

struct lwp {
	int id;
};

static __thread struct lwp *mylwp;
static int nlwp;

static void
f_schedule(void)
{
}

static void
f_unschedule(void)
{
}

static void
f_backend_unschedule(int nlocks, int *countp, void *interlock)
{

	(void)nlocks;
	(void)interlock;
	if (countp != NULL)
		*countp = 0;
}

static void
f_backend_schedule(int nlocks, void *interlock)
{

	(void)nlocks;
	(void)interlock;
}

static void
f_lwproc_switch(struct lwp *l)
{

	(void)l;
}

static void
f_lwproc_release(void)
{
}

static int
f_lwproc_rfork(void *p, int flags, const char *comm)
{

	(void)p;
	(void)flags;
	(void)comm;
	return 0;
}

static int
f_lwproc_newlwp(pid_t pid)
{

	(void)pid;
	hb_lwp_enter();
	return 0;
}

static struct lwp *
f_lwproc_curlwp(void)
{

	return mylwp;
}

static int
f_syscall(int num, void *arg, long *retval)
{

	(void)num;
	(void)arg;
	(void)retval;
	return 78; /* NetBSD ENOSYS */
}

static void
f_lwpexit(void)
{

	hb_lwp_leave();
}

static void
f_execnotify(const char *comm)
{

	(void)comm;
}

static pid_t
f_getpid(void)
{

	return 1;
}

static const struct rumpuser_hyperup fake_hyp = {
    .hyp_schedule = f_schedule,
    .hyp_unschedule = f_unschedule,
    .hyp_backend_unschedule = f_backend_unschedule,
    .hyp_backend_schedule = f_backend_schedule,
    .hyp_lwproc_switch = f_lwproc_switch,
    .hyp_lwproc_release = f_lwproc_release,
    .hyp_lwproc_rfork = f_lwproc_rfork,
    .hyp_lwproc_newlwp = f_lwproc_newlwp,
    .hyp_lwproc_curlwp = f_lwproc_curlwp,
    .hyp_syscall = f_syscall,
    .hyp_lwpexit = f_lwpexit,
    .hyp_execnotify = f_execnotify,
    .hyp_getpid = f_getpid,
};

void
hb_lwp_enter(void)
{
	struct lwp *l;

	if (mylwp != NULL)
		return;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		bn_die("out of memory");
	l->id = __atomic_add_fetch(&nlwp, 1, __ATOMIC_RELAXED);
	rumpuser_curlwpop(RUMPUSER_LWP_CREATE, l);
	rumpuser_curlwpop(RUMPUSER_LWP_SET, l);
	mylwp = l;
}

void
hb_lwp_leave(void)
{
	struct lwp *l;

	if ((l = mylwp) == NULL)
		return;
	rumpuser_curlwpop(RUMPUSER_LWP_CLEAR, l);
	rumpuser_curlwpop(RUMPUSER_LWP_DESTROY, l);
	mylwp = NULL;
	free(l);
}

void
hb_boot(void)
{
	static int booted;
	int rv;

	if (!booted) {
		if ((rv = rumpuser_init(RUMPUSER_VERSION, &fake_hyp)) != 0)
			bn_die("rumpuser_init: %d", rv);
		booted = 1;
	}
	hb_lwp_enter();
}

void *
hb_spawn(void *(*fn)(void *), void *arg)
{
	void *cookie;
	int rv;

	if ((rv = rumpuser_thread_create(
		 fn, arg, "bench", 1, -1, -1, &cookie)) != 0)
		bn_die("rumpuser_thread_create: %d", rv);
	return cookie;
}

void
hb_join(void *cookie)
{
	int rv;

	if ((rv = rumpuser_thread_join(cookie)) != 0)
		bn_die("rumpuser_thread_join: %d", rv);
}
