/*
 * thread.c: threads, the per-thread slot, park/unpark and sleeping locks
 * on the kernel's scheduler (kernel/kern/sched.c, sync.c).
 *
 * A host thread handle is the struct kthread itself.  The kernel never
 * frees those (it recycles them), so an unpark that arrives after the
 * thread ended only leaves a token, or wakes whichever thread reuses the
 * structure spuriously: both allowed.  prio and cpu are ignored (one CPU,
 * round robin).  The core's slot is the kthread's tls field; the kernel
 * calls rumphost_thread_gone with it when a thread ends (init.c sets
 * the hook).
 */
#include <kern/kernel.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

int
rumphost_host_thread_create(
    void (*fn)(void *), void *arg, const char *name, int prio, int cpu)
{

	(void)prio;
	(void)cpu;
	return kthread_create(fn, arg, name, NULL);
}

void
rumphost_host_thread_exit(void)
{

	kthread_exit();
}

struct rumphost_hthread *
rumphost_host_thread_self(void)
{

	return (struct rumphost_hthread *)kthread_self();
}

void *
rumphost_host_tls_get(void)
{

	return *kthread_tls(kthread_self());
}

void
rumphost_host_tls_set(void *p)
{

	*kthread_tls(kthread_self()) = p;
}

int
rumphost_host_park(uint64_t deadline)
{

	return kthread_park(deadline);
}

void
rumphost_host_unpark(struct rumphost_hthread *t)
{

	kthread_unpark((struct kthread *)t);
}

void
rumphost_host_yield(void)
{

	kthread_yield();
}

int
rumphost_host_lock_create(struct rumphost_hlock **lp)
{
	struct klock *l;

	if ((l = kmalloc(sizeof(*l))) == NULL)
		return RH_ENOMEM;
	klock_init(l);
	*lp = (struct rumphost_hlock *)l;
	return 0;
}

void
rumphost_host_lock_destroy(struct rumphost_hlock *l)
{

	kfree(l, sizeof(struct klock));
}

void
rumphost_host_lock_enter(struct rumphost_hlock *l)
{

	klock_enter((struct klock *)l);
}

void
rumphost_host_lock_exit(struct rumphost_hlock *l)
{

	klock_exit((struct klock *)l);
}
