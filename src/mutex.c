/*
 * rumpuser mutexes.
 *
 * Model: one atomic state word (free, locked, locked with possible
 * waiters) and a wait queue.  Uncontended enter and exit are one atomic
 * operation each.  A contended enter queues itself and parks; an exit that
 * finds the word "contended" wakes one waiter, which then competes again
 * (no handoff: a running thread may take the lock first, which is what
 * keeps the fast path fast).  While the host says the process has a
 * single thread, exit is a plain store (as glibc's unlock does then).
 *
 * Condition variables may move a signalled waiter onto a held mutex's
 * queue instead of waking it (cv.c); such a waiter is woken by a release
 * like any other and then takes the mutex as a woken waiter does.
 *
 * The CPU rules of rumpuser(3): enter tries first and releases the rump
 * CPU only to block; a SPIN mutex never releases it, and neither do the
 * nowrap calls.  KMUTEX mutexes record their owner (the lwp of the
 * acquiring thread) for rumpuser_mutex_owner().
 *
 * Assumes: wait queues (waitq.c), curlwp and the thread record
 * (thread.c).
 */
#include "core.h"

#define MTX_FREE      0
#define MTX_LOCKED    1
#define MTX_CONTENDED 2 /* locked, and the queue may be non-empty */

/*
 * Tries before queueing, on several CPUs.  0: measured on a shared 2-vCPU
 * host, spinning lost (rump pipe ping-pong 0.81x-0.85x with 20 or 100
 * tries against none): the holder is as often preempted as running.
 * Build with -DMTX_SPINS=n to try again on other machines.
 */
#ifndef MTX_SPINS
#define MTX_SPINS 0
#endif

struct rumpuser_mtx {
	unsigned m_state;	       /* atomic; MTX_* */
	int m_flags;		       /* RUMPUSER_MTX_*; constant */
	struct lwp *m_owner;	       /* atomic; written by the holder */
	struct rumphost_waitq m_waitq; /* the wait queue lock of this */
};

static inline bool
mtx_try(struct rumpuser_mtx *m)
{
	unsigned expect = MTX_FREE;

	return __atomic_compare_exchange_n(&m->m_state, &expect, MTX_LOCKED,
	    false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* A short spin pays when the holder is running on another host CPU. */
static bool
mtx_spin(struct rumpuser_mtx *m)
{
	int i;

	if (rumphost_info.hi_ncpu < 2)
		return false;
	for (i = 0; i < MTX_SPINS; i++) {
		rumphost_cpu_relax();
		if (__atomic_load_n(&m->m_state, __ATOMIC_RELAXED) ==
			MTX_FREE &&
		    mtx_try(m))
			return true;
	}
	return false;
}

/*
 * Queue and park until the mutex is ours, announcing a waiter first, also
 * when woken: whoever was woken from the queue keeps the word CONTENDED,
 * so that waiters still queued behind it are not forgotten.
 */
static void
mtx_queue(struct rumpuser_mtx *m)
{
	struct rumphost_waiter w;
	struct rumphost_hlock *lk;

	for (;;) {
		lk = rumphost_wq_lock(m);
		/* Announce a waiter; if it was free, it is now ours. */
		if (__atomic_exchange_n(&m->m_state, MTX_CONTENDED,
			__ATOMIC_ACQUIRE) == MTX_FREE) {
			rumphost_wq_unlock(lk);
			return;
		}
		rumphost_wq_insert(&m->m_waitq, &w, 0);
		rumphost_wq_unlock(lk);
		rumphost_wq_park(&w, 0);
	}
}

/* Block the host thread until the mutex is ours.  Touches no CPU. */
static void
mtx_block(struct rumpuser_mtx *m)
{

	if (!mtx_spin(m))
		mtx_queue(m);
}

static inline void
mtx_setowner(struct rumpuser_mtx *m)
{

	if (m->m_flags & RUMPUSER_MTX_KMUTEX)
		__atomic_store_n(
		    &m->m_owner, rumphost_curlwp(), __ATOMIC_RELAXED);
}

/*
 * A thread keeps up to MTX_TCACHE destroyed mutexes for its next inits:
 * the rump kernel makes and destroys one per temporary lwp, i.e. per
 * system call from an unbound thread, and a host malloc/free pair costs
 * more than the rest of the two calls.  Only the owning thread touches
 * its cache (no lock); threads without a core record use the host
 * allocator directly.  A cached mutex is its memory reused as a link.
 */
#define MTX_TCACHE 16

struct rumphost_mtxfree {
	struct rumphost_mtxfree *mf_next;
};

static struct rumpuser_mtx *
mtx_alloc(void)
{
	struct rumphost_thr *t = rumphost_host_tls_get();
	struct rumphost_mtxfree *f;

	if (t != NULL && (f = t->t_mtxs) != NULL) {
		t->t_mtxs = f->mf_next;
		t->t_nmtxs--;
		return (void *)f;
	}
	return rumphost_host_alloc(sizeof(struct rumpuser_mtx));
}

static void
mtx_free(struct rumpuser_mtx *m)
{
	struct rumphost_thr *t = rumphost_host_tls_get();
	struct rumphost_mtxfree *f = (void *)m;

	if (t != NULL && t->t_nmtxs < MTX_TCACHE) {
		f->mf_next = t->t_mtxs;
		t->t_mtxs = f;
		t->t_nmtxs++;
		return;
	}
	rumphost_host_free(m, sizeof(*m));
}

void
rumphost_mtx_flush(struct rumphost_thr *t)
{
	struct rumphost_mtxfree *f;

	while ((f = t->t_mtxs) != NULL) {
		t->t_mtxs = f->mf_next;
		rumphost_host_free(f, sizeof(struct rumpuser_mtx));
	}
	t->t_nmtxs = 0;
}

void
rumpuser_mutex_init(struct rumpuser_mtx **mp, int flags)
{
	struct rumpuser_mtx *m;

	if ((m = mtx_alloc()) == NULL)
		rumphost_fatal("rumpuser_mutex_init", "out of memory");
	m->m_state = MTX_FREE;
	m->m_flags = flags;
	m->m_owner = NULL;
	m->m_waitq.q_head = m->m_waitq.q_tail = NULL;
	*mp = m;
}

void
rumpuser_mutex_enter(struct rumpuser_mtx *m)
{
	int nlocks;

	if (RH_LIKELY(mtx_try(m))) {
		mtx_setowner(m);
		return;
	}
	if (m->m_flags & RUMPUSER_MTX_SPIN) {
		mtx_block(m);
	} else {
		rumphost_unsched(&nlocks, NULL);
		mtx_block(m);
		rumphost_sched(nlocks, NULL);
	}
	mtx_setowner(m);
}

void
rumpuser_mutex_enter_nowrap(struct rumpuser_mtx *m)
{

	if (RH_UNLIKELY(!mtx_try(m)))
		mtx_block(m);
	mtx_setowner(m);
}

int
rumpuser_mutex_tryenter(struct rumpuser_mtx *m)
{

	if (!mtx_try(m))
		return RH_EBUSY;
	mtx_setowner(m);
	return 0;
}

/*
 * The slow half of exit: wake one waiter.  Out of line so that the fast
 * path sets up no wake list: its stores would sit in the store buffer the
 * releasing exchange has to drain.
 */
static __attribute__((__noinline__)) void
mtx_wake(struct rumpuser_mtx *m)
{
	struct rumphost_wakes wk = RUMPHOST_WAKES_INIT;
	struct rumphost_hlock *lk;

	lk = rumphost_wq_lock(m);
	rumphost_wq_wake_one(&m->m_waitq, &wk);
	rumphost_wq_unlock_wake(lk, &wk);
}

/*
 * While the process has a single thread (the host's hi_single_threaded),
 * nobody else can be queued or trying: a plain release store frees the
 * lock (the state may still say CONTENDED from a waiter that took the lock
 * and has since ended: there is nobody left to wake).  Otherwise the
 * exchange tells whether a waiter may have queued.
 */
void
rumpuser_mutex_exit(struct rumpuser_mtx *m)
{
	const volatile char *st = rumphost_info.hi_single_threaded;

	if (m->m_flags & RUMPUSER_MTX_KMUTEX)
		__atomic_store_n(&m->m_owner, NULL, __ATOMIC_RELAXED);
	if (st != NULL && *st != 0) {
		__atomic_store_n(&m->m_state, MTX_FREE, __ATOMIC_RELEASE);
		return;
	}
	if (RH_UNLIKELY(__atomic_exchange_n(&m->m_state, MTX_FREE,
			    __ATOMIC_RELEASE) != MTX_LOCKED))
		mtx_wake(m);
}

void
rumpuser_mutex_destroy(struct rumpuser_mtx *m)
{

	mtx_free(m);
}

void
rumpuser_mutex_owner(struct rumpuser_mtx *m, struct lwp **lp)
{

	*lp = __atomic_load_n(&m->m_owner, __ATOMIC_RELAXED);
}

/*
 * The mover holds m's queue lock: a release that empties the state word
 * before the CAS below makes the CAS see FREE (and the caller wakes w); a
 * release after it sees CONTENDED and waits in mtx_wake for this queue
 * lock, then finds w queued.
 */
bool
rumphost_mtx_requeue(struct rumpuser_mtx *m, struct rumphost_waiter *w)
{
	struct rumphost_hlock *lk;
	unsigned s;

	lk = rumphost_wq_lock(m);
	s = __atomic_load_n(&m->m_state, __ATOMIC_RELAXED);
	do {
		if (s == MTX_FREE) {
			rumphost_wq_unlock(lk);
			return false;
		}
	} while (s != MTX_CONTENDED &&
	    !__atomic_compare_exchange_n(&m->m_state, &s, MTX_CONTENDED, false,
		__ATOMIC_RELAXED, __ATOMIC_RELAXED));
	rumphost_wq_requeue(&m->m_waitq, w, RUMPHOST_WQ_MOVED);
	rumphost_wq_unlock(lk);
	return true;
}

/*
 * Woken from m's queue like a thread of mtx_queue, the moved thread takes
 * the mutex the way it does (no spinning first, which could take the word
 * to LOCKED with waiters still queued).
 */
void
rumphost_mtx_lock_moved(struct rumpuser_mtx *m)
{

	mtx_queue(m);
	mtx_setowner(m);
}

#ifdef RUMPHOST_NETBSD_CURRENT
int
rumpuser_mutex_spin_p(struct rumpuser_mtx *m)
{

	return (m->m_flags & RUMPUSER_MTX_SPIN) != 0;
}
#endif

void
rumphost_mtx_lock(struct rumpuser_mtx *m)
{

	rumpuser_mutex_enter_nowrap(m);
}

void
rumphost_mtx_unlock(struct rumpuser_mtx *m)
{

	rumpuser_mutex_exit(m);
}

int
rumphost_mtx_flags(const struct rumpuser_mtx *m)
{

	return m->m_flags;
}
