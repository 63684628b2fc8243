/*
 * rumpuser condition variables.
 *
 * Model: a wait queue and a count of threads queued on it.  A waiter
 * queues itself while still holding the interlock, then releases it and
 * parks, so a signal sent under the interlock cannot be lost.  A signal
 * dequeues and wakes one waiter; the waiter then reacquires the interlock.
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
 * Assumes: wait queues (waitq.c), the host mutex calls (mutex.c).
 */
#include "core.h"

struct rumpuser_cv {
	struct rumphost_waitq c_waitq; /* wait queue lock of this */
	int c_nwaiters;		       /* atomic; changed under that lock */
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
 * with the interlock released; the caller relocks it in the right order.
 */
static int
cv_block(struct rumpuser_cv *cv, struct rumpuser_mtx *mtx, uint64_t deadline)
{
	struct rumphost_waiter w;
	struct rumphost_hlock *lk;
	int rv = 0;

	lk = rumphost_wq_lock(cv);
	rumphost_wq_insert(&cv->c_waitq, &w, 0);
	cv_count(cv, 1);
	rumphost_wq_unlock(lk);

	rumphost_mtx_unlock(mtx);
	if (!rumphost_wq_park(&w, deadline)) {
		lk = rumphost_wq_lock(cv);
		if (!rumphost_wq_woken(&w)) {
			rumphost_wq_remove(&cv->c_waitq, &w);
			cv_count(cv, -1);
			rv = RH_ETIMEDOUT;
		}
		rumphost_wq_unlock(lk);
	}
	return rv;
}

static int
cv_wait_cpu(struct rumpuser_cv *cv, struct rumpuser_mtx *mtx, uint64_t deadline)
{
	const int spinkm = RUMPUSER_MTX_SPIN | RUMPUSER_MTX_KMUTEX;
	int nlocks, rv;

	rumphost_unsched(&nlocks, mtx);
	rv = cv_block(cv, mtx, deadline);
	if ((rumphost_mtx_flags(mtx) & spinkm) == spinkm) {
		rumphost_sched(nlocks, mtx);
		rumphost_mtx_lock(mtx);
	} else {
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

	cv_block(cv, mtx, 0);
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

void
rumpuser_cv_signal(struct rumpuser_cv *cv)
{
	struct rumphost_wakes wk = RUMPHOST_WAKES_INIT;
	struct rumphost_hlock *lk;

	if (__atomic_load_n(&cv->c_nwaiters, __ATOMIC_RELAXED) == 0)
		return;
	lk = rumphost_wq_lock(cv);
	if (rumphost_wq_wake_one(&cv->c_waitq, &wk))
		cv_count(cv, -1);
	rumphost_wq_unlock_wake(lk, &wk);
}

void
rumpuser_cv_broadcast(struct rumpuser_cv *cv)
{
	struct rumphost_wakes wk = RUMPHOST_WAKES_INIT;
	struct rumphost_hlock *lk;

	if (__atomic_load_n(&cv->c_nwaiters, __ATOMIC_RELAXED) == 0)
		return;
	lk = rumphost_wq_lock(cv);
	while (rumphost_wq_wake_one(&cv->c_waitq, &wk))
		cv_count(cv, -1);
	rumphost_wq_unlock_wake(lk, &wk);
}

void
rumpuser_cv_has_waiters(struct rumpuser_cv *cv, int *nwaiters)
{

	*nwaiters = __atomic_load_n(&cv->c_nwaiters, __ATOMIC_RELAXED);
}
