/*
 * sync.c: sleeping locks (handed to the first waiter on exit, FIFO),
 * condition variables with absolute deadlines, and the drivers' one-shot
 * events, all on sched.c's wait queues.  Every operation runs with
 * interrupts off, which on one CPU makes "release the lock and sleep"
 * atomic.  kevent_signal is callable from interrupt handlers.
 */
#include <kern/kernel.h>

void
klock_init(struct klock *l)
{

	memset(l, 0, sizeof(*l));
}

void
klock_enter(struct klock *l)
{
	uint64_t s = intr_disable();

	if (!l->kl_locked)
		l->kl_locked = 1;
	else
		waitq_sleep(&l->kl_wq, 0); /* woken as the owner */
	intr_restore(s);
}

void
klock_exit(struct klock *l)
{
	uint64_t s = intr_disable();

	if (!waitq_wakeup_one(&l->kl_wq))
		l->kl_locked = 0;
	intr_restore(s);
}

void
kcond_init(struct kcond *c)
{

	memset(c, 0, sizeof(*c));
}

int
kcond_wait(struct kcond *c, struct klock *l, uint64_t deadline)
{
	uint64_t s = intr_disable();
	int rv;

	klock_exit(l);
	rv = waitq_sleep(&c->kc_wq, deadline);
	intr_restore(s);
	klock_enter(l);
	return rv;
}

void
kcond_broadcast(struct kcond *c)
{
	uint64_t s = intr_disable();

	waitq_wakeup_all(&c->kc_wq);
	intr_restore(s);
}

struct kevent {
	int ke_signalled;   /* interrupts off */
	struct waitq ke_wq; /* interrupts off */
};

struct kevent *
kevent_create(void)
{

	return kmalloc(sizeof(struct kevent));
}

void
kevent_destroy(struct kevent *e)
{

	kfree(e, sizeof(*e));
}

void
kevent_wait(struct kevent *e)
{
	uint64_t s = intr_disable();

	while (!e->ke_signalled)
		waitq_sleep(&e->ke_wq, 0);
	e->ke_signalled = 0;
	intr_restore(s);
}

void
kevent_signal(struct kevent *e)
{
	uint64_t s = intr_disable();

	e->ke_signalled = 1;
	waitq_wakeup_one(&e->ke_wq);
	intr_restore(s);
}
