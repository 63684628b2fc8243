/*
 * rumpuser condition variables.
 *
 * Model: a wait queue and a count of threads queued on it.  A waiter
 * queues itself while still holding the interlock, then releases it and
 * parks, so a signal sent under the interlock cannot be lost.  A signal
 * dequeues and wakes one waiter; the waiter then reacquires the interlock.
 * A waiter without a deadline whose adaptive interlock is held at signal
 * time is moved to that mutex's queue instead (wait morphing, below).
 *
 * CPU rules (rumpuser(3), and the rump scheduler's use of them):
 * - cv_wait and cv_timedwait release the CPU with the interlock passed to
 *   the scheduler.  When the interlock is the scheduler's own per-CPU
 *   mutex, the caller does not hold it and the scheduler takes it while
 *   giving up the CPU, then drops it when it hands the CPU back; this code
 *   works unchanged for that case because it relocks a pure SPIN mutex
 *   before asking for the CPU.
 * - Reacquire order: a SPIN|KMUTEX interlock after the CPU (a spinning
 *   holder of the mutex never gives up its CPU, so waiting for the CPU
 *   while holding the mutex could deadlock); a pure SPIN one before (the
 *   scheduler's interlock protocol needs it held); otherwise before too.
 * - cv_wait_nowrap never touches the CPU.
 * - timedwait's timeout is relative, measured on the monotonic clock; the
 *   result is 0 when signalled and ETIMEDOUT (60) when the time ran out.
 *
 * Assumes: wait queues (waitq.c), the host mutex calls and requeue
 * (mutex.c).
 */
#include "core.h"

struct rumpuser_cv {
	struct rumphost_waitq c_waitq; /* wait queue lock of this */
	int c_nwaiters;		       /* atomic; changed under that lock */
};

/*
 * Wait morphing.  The rump kernel signals with the interlock held, so a
 * waiter woken at once would only run into that mutex and park again: two
 * more host context switches per wakeup.  A waiter that may be moved
 * (CVW_MOVABLE: no deadline, so it cannot leave its queue by itself, and
 * an adaptive interlock, which it takes before the CPU) is instead taken
 * off the queue by the signal and appended to the interlock's queue while
 * that is held; the release then wakes it.  cw_mtx is constant.
 */
#define CVW_PLAIN   0
#define CVW_MOVABLE 1

/* A cv queue's waiter; cw_w comes first, so a queued waiter is one. */
struct cv_waiter {
	struct rumphost_waiter cw_w;
	struct rumpuser_mtx *cw_mtx; /* the interlock */
};

void
rumpuser_cv_init(struct rumpuser_cv **cvp)
{
	struct rumpuser_cv *cv;

	if ((cv = rumphost_host_alloc(sizeof(*cv))) == NULL)
		rumphost_fatal("rumpuser_cv_init", "out of memory");
	cv->c_waitq.q_head = cv->c_waitq.q_tail = NULL;
	cv->c_nwaiters = 0;
	*cvp = cv;
}

void
rumpuser_cv_destroy(struct rumpuser_cv *cv)
{

	rumphost_host_free(cv, sizeof(*cv));
}

static inline void
cv_count(struct rumpuser_cv *cv, int delta)
{

	__atomic_add_fetch(&cv->c_nwaiters, delta, __ATOMIC_RELAXED);
}

/*
 * Queue, release the interlock, park until signalled or deadline.  Returns
 * with the interlock released; the caller relocks it in the right order,
 * with rumphost_mtx_lock_moved if *moved says the wakeup came through it.
 */
static int
cv_block(struct rumpuser_cv *cv, struct rumpuser_mtx *mtx, uint64_t deadline,
    bool movable, bool *moved)
{
	struct cv_waiter cw;
	struct rumphost_hlock *lk;
	int rv = 0;

	cw.cw_mtx = mtx;
	lk = rumphost_wq_lock(cv);
	rumphost_wq_insert(
	    &cv->c_waitq, &cw.cw_w, movable ? CVW_MOVABLE : CVW_PLAIN);
	cv_count(cv, 1);
	rumphost_wq_unlock(lk);

	rumphost_mtx_unlock(mtx);
	if (!rumphost_wq_park(&cw.cw_w, deadline)) {
		lk = rumphost_wq_lock(cv);
		if (!rumphost_wq_woken(&cw.cw_w)) {
			rumphost_wq_remove(&cv->c_waitq, &cw.cw_w);
			cv_count(cv, -1);
			rv = RH_ETIMEDOUT;
		}
		rumphost_wq_unlock(lk);
	}
	*moved = cw.cw_w.w_kind == RUMPHOST_WQ_MOVED;
	return rv;
}

static int
cv_wait_cpu(struct rumpuser_cv *cv, struct rumpuser_mtx *mtx, uint64_t deadline)
{
	const int spinkm = RUMPUSER_MTX_SPIN | RUMPUSER_MTX_KMUTEX;
	int flags = rumphost_mtx_flags(mtx);
	int nlocks, rv;
	bool moved;

	rumphost_unsched(&nlocks, mtx);
	rv = cv_block(cv, mtx, deadline,
	    deadline == 0 && (flags & RUMPUSER_MTX_SPIN) == 0, &moved);
	if ((flags & spinkm) == spinkm) {
		rumphost_sched(nlocks, mtx);
		rumphost_mtx_lock(mtx);
	} else {
		if (moved)
			rumphost_mtx_lock_moved(mtx);
		else
			rumphost_mtx_lock(mtx);
		rumphost_sched(nlocks, mtx);
	}
	return rv;
}

void
rumpuser_cv_wait(struct rumpuser_cv *cv, struct rumpuser_mtx *mtx)
{

	cv_wait_cpu(cv, mtx, 0);
}

void
rumpuser_cv_wait_nowrap(struct rumpuser_cv *cv, struct rumpuser_mtx *mtx)
{
	bool moved;

	cv_block(cv, mtx, 0, false, &moved);
	rumphost_mtx_lock(mtx);
}

int
rumpuser_cv_timedwait(
    struct rumpuser_cv *cv, struct rumpuser_mtx *mtx, int64_t sec, int64_t nsec)
{
	uint64_t rel = 0, deadline;

	/* A timeout already over still releases the CPU, and says so. */
	if (sec >= 0)
		rel = rumphost_ts_ns(
		    (uint64_t)sec, nsec > 0 ? (uint64_t)nsec : 0);
	deadline = rumphost_deadline(rumphost_host_mono_ns(), rel);
	/* A deadline of 0 means "none" to the host: never pass one. */
	if (deadline == 0)
		deadline = 1;
	return cv_wait_cpu(cv, mtx, deadline);
}

/* Movable waiters taken off a queue, in queue order (through w_next). */
struct cv_moving {
	struct rumphost_waiter *mv_head, *mv_tail;
};

/*
 * With the queue locked: take the first waiter off.  A movable one goes on
 * mv for cv_move; any other is woken through wk.
 */
static bool
cv_take_one(
    struct rumpuser_cv *cv, struct cv_moving *mv, struct rumphost_wakes *wk)
{
	struct rumphost_waiter *w = cv->c_waitq.q_head;

	if (w == NULL)
		return false;
	cv_count(cv, -1);
	if (w->w_kind != CVW_MOVABLE)
		return rumphost_wq_wake_one(&cv->c_waitq, wk);
	rumphost_wq_remove(&cv->c_waitq, w);
	if (mv->mv_tail != NULL)
		mv->mv_tail->w_next = w;
	else
		mv->mv_head = w;
	mv->mv_tail = w;
	return true;
}

/*
 * With no queue lock: move each taken waiter to its interlock's queue, or
 * wake it where the interlock is free.  A moved waiter is owned by its new
 * queue from the requeue on, so w_next is read before.
 */
static void
cv_move(struct cv_moving *mv)
{
	struct rumphost_wakes wk = RUMPHOST_WAKES_INIT;
	struct rumphost_waiter *w, *next;

	for (w = mv->mv_head; w != NULL; w = next) {
		next = w == mv->mv_tail ? NULL : w->w_next;
		if (!rumphost_mtx_requeue(((struct cv_waiter *)w)->cw_mtx, w))
			rumphost_wq_wake_detached(w, &wk);
	}
	rumphost_wq_deliver(&wk);
}

/*
 * Out of line: signalling a cv nobody waits on (the common case) stays a
 * load and a return, without setting up the wake lists.
 */
static __attribute__((__noinline__)) void
cv_wake(struct rumpuser_cv *cv, bool all)
{
	struct rumphost_wakes wk = RUMPHOST_WAKES_INIT;
	struct cv_moving mv = {NULL, NULL};
	struct rumphost_hlock *lk;

	lk = rumphost_wq_lock(cv);
	if (cv_take_one(cv, &mv, &wk) && all)
		while (cv_take_one(cv, &mv, &wk))
			;
	rumphost_wq_unlock_wake(lk, &wk);
	if (mv.mv_head != NULL)
		cv_move(&mv);
}

void
rumpuser_cv_signal(struct rumpuser_cv *cv)
{

	if (__atomic_load_n(&cv->c_nwaiters, __ATOMIC_RELAXED) != 0)
		cv_wake(cv, false);
}

void
rumpuser_cv_broadcast(struct rumpuser_cv *cv)
{

	if (__atomic_load_n(&cv->c_nwaiters, __ATOMIC_RELAXED) != 0)
		cv_wake(cv, true);
}

void
rumpuser_cv_has_waiters(struct rumpuser_cv *cv, int *nwaiters)
{

	*nwaiters = __atomic_load_n(&cv->c_nwaiters, __ATOMIC_RELAXED);
}
