/*
 * Wait queues: the one blocking mechanism of the core.  Mutexes, rwlocks,
 * condition variables, join and the bio queue all park threads here.
 *
 * Model: a waiter lives on the waiting thread's stack and sits on a queue
 * owned by some object.  Queue state is protected by one of a fixed set of
 * host locks chosen by hashing the owner's address, so objects carry no
 * host lock of their own and the host is asked only for a sleeping lock
 * and a per-thread park/unpark.
 *
 * Invariants:
 * - A waker removes the waiter from its queue and then, holding the queue
 *   lock, reads the waiter's thread handle and moves w_woken from 0
 *   (waiting) to 1 (woken); it unparks the handle later, normally after
 *   dropping the queue lock (struct rumphost_wakes), so that the woken
 *   thread does not find the lock still held.  The waiter returns as
 *   soon as it sees 1, or when it holds the queue lock and sees 0 (then it
 *   removes itself).  After the store the waker touches nothing of the
 *   waiter: the stack frame may be gone and the thread may have ended.
 * - An unpark that arrives after its target returned, or even ended, is
 *   harmless: the host keeps park state type-stable (host.h), so it is at
 *   most a spurious wakeup of whichever thread holds the handle now.  So
 *   there is no window in which a waiter must wait for its waker.
 * - Park may return spuriously (a token left by an earlier, late or raced
 *   wakeup); every loop rechecks w_woken.
 * - A waiter that parks without a deadline may be taken off its queue
 *   without being woken and appended to another queue (requeue, for
 *   condition variable waiters whose mutex is held: cv.c): it stays
 *   WAITING throughout, and only its new queue's waker wakes it.
 *
 * Assumes: the host's park/unpark and sleeping locks (host.h).
 */
#include "core.h"

#define WQ_NLOCKS 64 /* power of two */

/* w_woken */
#define WQ_WAITING 0
#define WQ_WOKEN   1

static struct rumphost_hlock *wq_locks[WQ_NLOCKS];

int
rumphost_wq_init(void)
{
	int error, i;

	for (i = 0; i < WQ_NLOCKS; i++) {
		if (wq_locks[i] != NULL)
			continue;
		if ((error = rumphost_host_lock_create(&wq_locks[i])) != 0)
			return error;
	}
	return 0;
}

struct rumphost_hlock *
rumphost_wq_lock(const void *addr)
{
	uintptr_t h = (uintptr_t)addr;
	struct rumphost_hlock *lk;

	/* Objects are at least 8-byte aligned: fold the address down. */
	h = (h >> 4) ^ (h >> 10);
	lk = wq_locks[h & (WQ_NLOCKS - 1)];
	rumphost_host_lock_enter(lk);
	return lk;
}

void
rumphost_wq_unlock(struct rumphost_hlock *lk)
{

	rumphost_host_lock_exit(lk);
}

void
rumphost_wq_insert(
    struct rumphost_waitq *q, struct rumphost_waiter *w, int kind)
{

	w->w_thread = rumphost_host_thread_self();
	__atomic_store_n(&w->w_woken, WQ_WAITING, __ATOMIC_RELAXED);
	rumphost_wq_requeue(q, w, kind);
}

void
rumphost_wq_remove(struct rumphost_waitq *q, struct rumphost_waiter *w)
{

	if (w->w_prev != NULL)
		w->w_prev->w_next = w->w_next;
	else
		q->q_head = w->w_next;
	if (w->w_next != NULL)
		w->w_next->w_prev = w->w_prev;
	else
		q->q_tail = w->w_prev;
	w->w_next = w->w_prev = NULL;
}

bool
rumphost_wq_wake_one(struct rumphost_waitq *q, struct rumphost_wakes *wk)
{
	struct rumphost_waiter *w = q->q_head;

	if (w == NULL)
		return false;
	rumphost_wq_remove(q, w);
	rumphost_wq_wake_detached(w, wk);
	return true;
}

void
rumphost_wq_unlock_wake(struct rumphost_hlock *lk, struct rumphost_wakes *wk)
{

	rumphost_host_lock_exit(lk);
	rumphost_wq_deliver(wk);
}

void
rumphost_wq_deliver(struct rumphost_wakes *wk)
{
	unsigned i;

	for (i = 0; i < wk->wk_n; i++)
		rumphost_host_unpark(wk->wk_t[i]);
	wk->wk_n = 0;
}

void
rumphost_wq_requeue(
    struct rumphost_waitq *q, struct rumphost_waiter *w, int kind)
{

	w->w_kind = kind;
	w->w_next = NULL;
	w->w_prev = q->q_tail;
	if (q->q_tail != NULL)
		q->q_tail->w_next = w;
	else
		q->q_head = w;
	q->q_tail = w;
}

void
rumphost_wq_wake_detached(struct rumphost_waiter *w, struct rumphost_wakes *wk)
{
	struct rumphost_hthread *t = w->w_thread;

	__atomic_store_n(&w->w_woken, WQ_WOKEN, __ATOMIC_RELEASE);
	/* The waiter may return now: t may be unparked late (host.h). */
	if (wk->wk_n < RUMPHOST_WAKES_MAX)
		wk->wk_t[wk->wk_n++] = t;
	else
		rumphost_host_unpark(t);
}

bool
rumphost_wq_park(struct rumphost_waiter *w, uint64_t deadline)
{

	for (;;) {
		if (__atomic_load_n(&w->w_woken, __ATOMIC_ACQUIRE) == WQ_WOKEN)
			return true;
		if (rumphost_host_park(deadline) == RH_ETIMEDOUT &&
		    __atomic_load_n(&w->w_woken, __ATOMIC_ACQUIRE) ==
			WQ_WAITING)
			return false;
	}
}
