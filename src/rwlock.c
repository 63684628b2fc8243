/*
 * rumpuser read/write locks.
 *
 * Model: one atomic word holds the whole lock state (a writer bit, a
 * "waiters may be queued" bit and the reader count), so every transition,
 * downgrade and upgrade included, is a single compare-and-swap: no writer
 * can slip in between the two halves of a downgrade.  Threads that cannot
 * get the lock queue themselves (readers and writers on one FIFO) and
 * park; when the lock becomes free, or when a downgrade lets readers in,
 * the releaser wakes the writer at the head of the queue or the readers
 * at its head, and they compete again.
 *
 * Writers take precedence: a new reader does not pass queued waiters, so
 * a stream of readers cannot starve a writer.
 *
 * rw_held(WRITER) is true only for the writing lwp; rw_held(READER) says
 * whether any reader holds the lock (readers are not tracked one by one,
 * which is what the rump kernel's assertions need).
 *
 * CPU rule: enter tries first and releases the rump CPU only to block.
 *
 * Assumes: wait queues (waitq.c), curlwp (thread.c).
 */
#include "core.h"

#define RW_WRITER  0x1UL
#define RW_WAITERS 0x2UL /* set under the queue lock when queueing */
#define RW_READER  0x4UL /* one reader; the count is state / RW_READER */
#define RW_HOLDERS (~RW_WAITERS)

#define KIND_READ  0
#define KIND_WRITE 1

struct rumpuser_rw {
	unsigned long r_state;	       /* atomic; RW_* */
	struct lwp *r_writer;	       /* atomic; written by the writer */
	struct rumphost_waitq r_waitq; /* wait queue lock of this */
};

static inline bool
rw_cas(struct rumpuser_rw *rw, unsigned long *old, unsigned long new)
{

	return __atomic_compare_exchange_n(
	    &rw->r_state, old, new, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* One attempt at the lock, failing (not waiting) if it is not free. */
static bool
rw_try(struct rumpuser_rw *rw, int kind)
{
	unsigned long s = __atomic_load_n(&rw->r_state, __ATOMIC_RELAXED);

	for (;;) {
		if (kind == KIND_WRITE) {
			if (s & RW_HOLDERS)
				return false;
			if (rw_cas(rw, &s, s | RW_WRITER))
				break;
		} else {
			if (s & (RW_WRITER | RW_WAITERS))
				return false;
			if (rw_cas(rw, &s, s + RW_READER))
				return true;
		}
	}
	__atomic_store_n(&rw->r_writer, rumphost_curlwp(), __ATOMIC_RELAXED);
	return true;
}

/*
 * With the queue locked: a waiter may take the lock even with RW_WAITERS
 * set (it is one of the waiters).  A reader arriving for the first time
 * also waits while a writer is queued; a reader that was woken does not:
 * it was woken because readers may go now, and if it queued again behind
 * that writer nobody would be left awake to wake the writer.
 */
static bool
rw_try_queued(struct rumpuser_rw *rw, int kind, bool woken)
{
	unsigned long s = __atomic_load_n(&rw->r_state, __ATOMIC_RELAXED);
	struct rumphost_waiter *w;

	for (;;) {
		if (kind == KIND_WRITE) {
			if (s & RW_HOLDERS)
				return false;
			if (rw_cas(rw, &s, s | RW_WRITER)) {
				__atomic_store_n(&rw->r_writer,
				    rumphost_curlwp(), __ATOMIC_RELAXED);
				return true;
			}
		} else {
			if (s & RW_WRITER)
				return false;
			for (w = rw->r_waitq.q_head; !woken && w != NULL;
			     w = w->w_next)
				if (w->w_kind == KIND_WRITE)
					return false;
			if (rw_cas(rw, &s, s + RW_READER))
				return true;
		}
	}
}

/* With the queue locked: wake the head writer, or the readers at the head. */
static void
rw_wake(struct rumpuser_rw *rw, bool readers_only, struct rumphost_wakes *wk)
{
	struct rumphost_waitq *q = &rw->r_waitq;
	struct rumphost_waiter *w;

	if ((w = q->q_head) != NULL && w->w_kind == KIND_WRITE) {
		if (!readers_only)
			rumphost_wq_wake_one(q, wk);
	} else {
		while ((w = q->q_head) != NULL && w->w_kind == KIND_READ)
			rumphost_wq_wake_one(q, wk);
	}
	if (rumphost_wq_empty(q))
		__atomic_and_fetch(&rw->r_state, ~RW_WAITERS, __ATOMIC_RELAXED);
}

static void
rw_block(struct rumpuser_rw *rw, int kind)
{
	struct rumphost_waiter w;
	struct rumphost_hlock *lk;
	unsigned long s;
	bool woken = false;

	lk = rumphost_wq_lock(rw);
	for (;;) {
		if (rw_try_queued(rw, kind, woken))
			break;
		/*
		 * Still held: say so, unless it was just released.  Setting
		 * RW_WAITERS on a lock nobody holds would park this thread
		 * with nobody left to wake it (the last holder left without
		 * seeing the bit): try again instead.  With the bit already
		 * set the queue is not empty, and the release that emptied
		 * the lock saw the bit and wakes the queue under this lock.
		 */
		s = __atomic_load_n(&rw->r_state, __ATOMIC_RELAXED);
		if (!(s & RW_WAITERS) &&
		    (!(s & RW_HOLDERS) || !rw_cas(rw, &s, s | RW_WAITERS)))
			continue;
		rumphost_wq_insert(&rw->r_waitq, &w, kind);
		rumphost_wq_unlock(lk);
		rumphost_wq_park(&w, 0);
		lk = rumphost_wq_lock(rw);
		woken = true;
	}
	rumphost_wq_unlock(lk);
}

void
rumpuser_rw_init(struct rumpuser_rw **rwp)
{
	struct rumpuser_rw *rw;

	if ((rw = rumphost_host_alloc(sizeof(*rw))) == NULL)
		rumphost_fatal("rumpuser_rw_init", "out of memory");
	rw->r_state = 0;
	rw->r_writer = NULL;
	rw->r_waitq.q_head = rw->r_waitq.q_tail = NULL;
	*rwp = rw;
}

void
rumpuser_rw_destroy(struct rumpuser_rw *rw)
{

	rumphost_host_free(rw, sizeof(*rw));
}

static int
rw_kind(int lk, const char *call)
{

	if (lk == RUMPUSER_RW_WRITER)
		return KIND_WRITE;
	if (lk != RUMPUSER_RW_READER)
		rumphost_fatal(call, "lock type is neither READER nor WRITER");
	return KIND_READ;
}

void
rumpuser_rw_enter(int lk, struct rumpuser_rw *rw)
{
	int kind = rw_kind(lk, "rumpuser_rw_enter");
	int nlocks;

	if (RH_LIKELY(rw_try(rw, kind)))
		return;
	rumphost_unsched(&nlocks, NULL);
	rw_block(rw, kind);
	rumphost_sched(nlocks, NULL);
}

int
rumpuser_rw_tryenter(int lk, struct rumpuser_rw *rw)
{

	return rw_try(rw, rw_kind(lk, "rumpuser_rw_tryenter")) ? 0 : RH_EBUSY;
}

int
rumpuser_rw_tryupgrade(struct rumpuser_rw *rw)
{
	unsigned long s = __atomic_load_n(&rw->r_state, __ATOMIC_RELAXED);

	/* Only the sole reader may become the writer. */
	do {
		if ((s & RW_HOLDERS) != RW_READER)
			return RH_EBUSY;
	} while (!rw_cas(rw, &s, (s & RW_WAITERS) | RW_WRITER));
	__atomic_store_n(&rw->r_writer, rumphost_curlwp(), __ATOMIC_RELAXED);
	return 0;
}

void
rumpuser_rw_downgrade(struct rumpuser_rw *rw)
{
	unsigned long s = __atomic_load_n(&rw->r_state, __ATOMIC_RELAXED);
	struct rumphost_wakes wk = RUMPHOST_WAKES_INIT;
	struct rumphost_hlock *lk;

	__atomic_store_n(&rw->r_writer, NULL, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(&rw->r_state, &s,
	    (s & RW_WAITERS) | RW_READER, false, __ATOMIC_RELEASE,
	    __ATOMIC_RELAXED))
		continue;
	if (s & RW_WAITERS) {
		lk = rumphost_wq_lock(rw);
		rw_wake(rw, true, &wk);
		rumphost_wq_unlock_wake(lk, &wk);
	}
}

void
rumpuser_rw_exit(struct rumpuser_rw *rw)
{
	unsigned long s = __atomic_load_n(&rw->r_state, __ATOMIC_RELAXED);
	unsigned long n;
	struct rumphost_wakes wk = RUMPHOST_WAKES_INIT;
	struct rumphost_hlock *lk;

	if (s & RW_WRITER)
		__atomic_store_n(&rw->r_writer, NULL, __ATOMIC_RELAXED);
	do {
		n = (s & RW_WRITER) ? s & ~RW_WRITER : s - RW_READER;
	} while (!__atomic_compare_exchange_n(
	    &rw->r_state, &s, n, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	if (n == RW_WAITERS) {
		lk = rumphost_wq_lock(rw);
		rw_wake(rw, false, &wk);
		rumphost_wq_unlock_wake(lk, &wk);
	}
}

void
rumpuser_rw_held(int lk, struct rumpuser_rw *rw, int *heldp)
{
	unsigned long s = __atomic_load_n(&rw->r_state, __ATOMIC_RELAXED);

	if (rw_kind(lk, "rumpuser_rw_held") == KIND_WRITE)
		*heldp = (s & RW_WRITER) &&
		    __atomic_load_n(&rw->r_writer, __ATOMIC_RELAXED) ==
			rumphost_curlwp();
	else
		*heldp = (s / RW_READER) > 0;
}
