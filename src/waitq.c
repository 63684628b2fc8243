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
 *   lock, moves w_woken from 0 (waiting) to 1 (waking), unparks the
 *   thread, and moves it to 2 (woken).  The waiter returns only when it
 *   sees 2, or when it holds the queue lock and sees 0 (then it removes
 *   itself).  So the waiter's stack frame and its host thread outlive every
 *   unpark aimed at them, even if the thread ends right after the wait.
 * - The window between 1 and 2 is a few instructions of the waker; a
 *   waiter that sees 1 yields until 2.
 * - Park may return spuriously (a token left by an earlier, raced wakeup);
 *   every loop rechecks w_woken.
 *
 * Assumes: the host's park/unpark and sleeping locks (host.h).
 */
#include "core.h"

#define WQ_NLOCKS 64 /* power of two */

/* w_woken */
#define WQ_WAITING 0
#define WQ_WAKING  1
#define WQ_WOKEN   2

#define WQ_WAKING_SPINS 1000 /* a few microseconds: one wake system call */

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
	w->w_kind = kind;
	__atomic_store_n(&w->w_woken, WQ_WAITING, __ATOMIC_RELAXED);
	w->w_next = NULL;
	w->w_prev = q->q_tail;
	if (q->q_tail != NULL)
		q->q_tail->w_next = w;
	else
		q->q_head = w;
	q->q_tail = w;
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

void
rumphost_wq_wake(struct rumphost_waiter *w)
{
	struct rumphost_hthread *t = w->w_thread;

	__atomic_store_n(&w->w_woken, WQ_WAKING, __ATOMIC_RELEASE);
	rumphost_host_unpark(t);
	/* From here on the waiter may return: touch nothing of it after. */
	__atomic_store_n(&w->w_woken, WQ_WOKEN, __ATOMIC_RELEASE);
}

struct rumphost_waiter *
rumphost_wq_wake_one(struct rumphost_waitq *q)
{
	struct rumphost_waiter *w = q->q_head;

	if (w == NULL)
		return NULL;
	rumphost_wq_remove(q, w);
	rumphost_wq_wake(w);
	return w;
}

/*
 * The waker is between its two stores, inside one unpark.  With another
 * CPU it is running right now: spin through the window (a yield here costs
 * a system call and hands the CPU to whoever is runnable).  On one CPU, or
 * if the waker was preempted, let it run.
 */
static void
wq_wait_waking(struct rumphost_waiter *w)
{
	int i;

	if (rumphost_info.hi_ncpu > 1) {
		for (i = 0; i < WQ_WAKING_SPINS; i++) {
			if (__atomic_load_n(&w->w_woken, __ATOMIC_ACQUIRE) !=
			    WQ_WAKING)
				return;
			rumphost_cpu_relax();
		}
	}
	rumphost_host_yield();
}

bool
rumphost_wq_park(struct rumphost_waiter *w, uint64_t deadline)
{

	int v;

	for (;;) {
		v = __atomic_load_n(&w->w_woken, __ATOMIC_ACQUIRE);
		if (v == WQ_WOKEN)
			return true;
		if (v == WQ_WAKING) {
			wq_wait_waking(w);
			continue;
		}
		if (rumphost_host_park(deadline) == RH_ETIMEDOUT &&
		    __atomic_load_n(&w->w_woken, __ATOMIC_ACQUIRE) ==
			WQ_WAITING)
			return false;
	}
}
