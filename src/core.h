/*
 * Internal interfaces of the rumphost core.  The core is freestanding C11:
 * it includes only compiler headers and the host interface, and calls
 * nothing but host functions (and the mem* routines a compiler may emit).
 *
 * Global (non-static) symbols outside the rumpuser(3) ABI carry the
 * rumphost_ prefix, because a kernel links this object into its image.
 */
#ifndef RUMPHOST_CORE_H
#define RUMPHOST_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

typedef int pid_t; /* only for the upcall table's declarations */
/* The ABI is what the library exports; everything else stays hidden. */
#pragma GCC visibility push(default)
#include <rump/rumpuser.h>
#include <rump/rumpuser_component.h>
#pragma GCC visibility pop

#define RH_LIKELY(x)   __builtin_expect(!!(x), 1)
#define RH_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define RH_NS	       1000000000ULL

/* --- init.c: the upcalls and what the host told us -------------------- */

/*
 * Written once by rumpuser_init() before the rump kernel makes any other
 * hypercall; read-only afterwards, so read without locks.
 */
extern struct rumpuser_hyperup rumphost_hyp;
extern struct rumphost_host_info rumphost_info;

/*
 * Release the calling thread's rump CPU (and every giant-lock hold, whose
 * count goes to *nlocks) before a host wait, and take them back after.
 * interlock is handed to the rump scheduler, which treats its own per-CPU
 * mutex specially (see cv.c).
 */
static inline void
rumphost_unsched(int *nlocks, void *interlock)
{

	rumphost_hyp.hyp_backend_unschedule(0, nlocks, interlock);
}

static inline void
rumphost_sched(int nlocks, void *interlock)
{

	rumphost_hyp.hyp_backend_schedule(nlocks, interlock);
}

/* sec and nsec (neither negative) as ns, saturating: "forever" stays so. */
static inline uint64_t
rumphost_ts_ns(uint64_t sec, uint64_t nsec)
{

	if (sec > (UINT64_MAX - nsec) / RH_NS)
		return UINT64_MAX;
	return sec * RH_NS + nsec;
}

/* A deadline rel ns after now, saturating instead of wrapping. */
static inline uint64_t
rumphost_deadline(uint64_t now, uint64_t rel)
{

	return rel > UINT64_MAX - now ? UINT64_MAX : now + rel;
}

/* One iteration of a busy wait: tell the CPU, where it has a way. */
static inline void
rumphost_cpu_relax(void)
{
#if defined(__i386__) || defined(__x86_64__)
	__asm__ __volatile__("pause");
#endif
}

/* Halt with a message naming the call that could not be honoured. */
void
rumphost_fatal(const char *call, const char *why) __attribute__((__noreturn__));

/* --- lib.c: the few string routines the core needs -------------------- */

size_t rumphost_strlen(const char *);
int rumphost_strcmp(const char *, const char *);
int rumphost_strncmp(const char *, const char *, size_t);
/* Copy a NUL-terminated string; ERANGE (nothing useful written) if short. */
int rumphost_strlcpy(char *, const char *, size_t);
/* Decimal text of v into buf; ERANGE if it does not fit. */
int rumphost_utoa(uint64_t v, char *buf, size_t len);

/* --- fmt.c: printf-style formatting ----------------------------------- */

/* Like vsnprintf: returns the length the whole output would have. */
int rumphost_vsnprintf(char *, size_t, const char *, va_list)
    __attribute__((__format__(__printf__, 3, 0)));

/* --- thread.c: the per-host-thread record ------------------------------ */

#define RH_LINEMAX 256

/*
 * One per host thread that has needed one, kept in the host's thread-local
 * slot.  Only its own thread touches it (no lock), except 'join', whose
 * fields are protected as described in thread.c.
 */
struct rumphost_thr {
	struct lwp *t_lwp;		 /* curlwp, or NULL when unbound */
	struct rumphost_join *t_join;	 /* joinable core thread, else NULL */
	bool t_coremade;		 /* created by rumpuser_thread_create */
	size_t t_linelen;		 /* bytes in t_line */
	struct rumphost_pgfree *t_pages; /* free one-page blocks (pages.c) */
	unsigned t_npages;		 /* how many */
	struct rumphost_mtxfree *t_mtxs; /* destroyed mutexes (mutex.c) */
	unsigned t_nmtxs;		 /* how many */
	char t_line[RH_LINEMAX];	 /* console line being assembled */
};

/* The calling thread's record, made on first use; NULL only without memory. */
struct rumphost_thr *rumphost_thr_self(void);

/* --- pages.c: one-page blocks without a header ------------------------ */

/* The page: the length mem.c routes to pages.c, and what pages.c cuts. */
#define RH_PAGE_SIZE 4096UL

/* A page-aligned page, or NULL without memory. */
void *rumphost_page_alloc(void);
/* Free what rumphost_page_alloc returned. */
void rumphost_page_free(void *);
/* Give t's cached pages back, before t is freed. */
void rumphost_pages_flush(struct rumphost_thr *t);

/*
 * curlwp for the core's own callers (owner tracking): inline, so they do
 * not call through the library's exported, interposable rumpuser_curlwp.
 */
static inline struct lwp *
rumphost_curlwp(void)
{
	struct rumphost_thr *t = rumphost_host_tls_get();

	return RH_LIKELY(t != NULL) ? t->t_lwp : NULL;
}

/* --- mutex.c: the per-thread cache of destroyed mutexes --------------- */

/* Give t's cached mutexes back, before t is freed. */
void rumphost_mtx_flush(struct rumphost_thr *t);

/* --- waitq.c: wait queues of parked threads ---------------------------- */

/*
 * A waiter: one parked thread, on one queue.  Lives on the waiting thread's
 * stack.  w_next/w_prev and w_woken are protected by the lock of the queue
 * (rumphost_wq_lock); w_woken is also read without it by the parked thread.
 */
struct rumphost_waiter {
	struct rumphost_waiter *w_next, *w_prev;
	struct rumphost_hthread *w_thread;
	int w_kind;  /* the queue owner's business */
	int w_woken; /* atomic: waiting (0), woken (1) */
};

/* A FIFO of waiters; all fields protected by rumphost_wq_lock(owner). */
struct rumphost_waitq {
	struct rumphost_waiter *q_head, *q_tail;
};

int rumphost_wq_init(void);
/*
 * Lock and unlock the queue(s) of the object at addr.  Queue locks are a
 * fixed hashed set of host locks: objects need none of their own.  Never
 * take two at once.
 */
struct rumphost_hlock *rumphost_wq_lock(const void *addr);
void rumphost_wq_unlock(struct rumphost_hlock *);

/* With the queue locked: append w (for the calling thread) / remove it. */
void
rumphost_wq_insert(struct rumphost_waitq *, struct rumphost_waiter *, int kind);
void rumphost_wq_remove(struct rumphost_waitq *, struct rumphost_waiter *);
/*
 * Wakeups decided under a queue lock and delivered after it is dropped, so
 * a woken thread does not run into the lock its waker still holds.  Lives
 * on the waker's stack; start it with RUMPHOST_WAKES_INIT.  When full,
 * further wakeups are delivered at once (still correct, just under the
 * lock).
 */
#define RUMPHOST_WAKES_MAX 8
struct rumphost_wakes {
	unsigned wk_n;
	struct rumphost_hthread *wk_t[RUMPHOST_WAKES_MAX];
};
#define RUMPHOST_WAKES_INIT                                                    \
	{                                                                      \
		0,                                                             \
		{                                                              \
			NULL                                                   \
		}                                                              \
	}

/*
 * With the queue locked: dequeue the first waiter, mark it woken and note
 * its thread in wk for unparking.  Returns false if the queue was empty.
 */
bool rumphost_wq_wake_one(struct rumphost_waitq *, struct rumphost_wakes *wk);
/* Drop the queue lock, then unpark every thread noted in wk. */
void rumphost_wq_unlock_wake(struct rumphost_hlock *, struct rumphost_wakes *);
/* With no queue lock: unpark every thread noted in wk. */
void rumphost_wq_deliver(struct rumphost_wakes *);
/*
 * Moving a waiter between queues (condition variable to mutex, cv.c): a
 * waiter taken off one queue without being woken, which parks without a
 * deadline (so it cannot leave by itself), and which therefore belongs to
 * whoever took it off until it is requeued or woken.
 *
 * With q locked: append w, keeping its thread, still waiting; its w_kind
 * becomes kind.
 */
void rumphost_wq_requeue(
    struct rumphost_waitq *q, struct rumphost_waiter *w, int kind);
/* With no queue lock: mark w (on no queue) woken and note it in wk. */
void
rumphost_wq_wake_detached(struct rumphost_waiter *w, struct rumphost_wakes *wk);

/*
 * Without the queue lock: park until w is woken or the monotonic clock
 * reaches deadline (0: none).  Returns true if woken.  A waiter that was
 * not woken is still queued: the caller removes it under the lock after
 * rechecking rumphost_wq_woken() there (a wakeup may have raced the
 * deadline).
 */
bool rumphost_wq_park(struct rumphost_waiter *, uint64_t deadline);

/* With the queue locked: has w been woken (and so left its queue)? */
static inline bool
rumphost_wq_woken(const struct rumphost_waiter *w)
{

	return __atomic_load_n(&w->w_woken, __ATOMIC_ACQUIRE) != 0;
}

static inline bool
rumphost_wq_empty(const struct rumphost_waitq *q)
{

	return q->q_head == NULL;
}

/* --- mutex.c: used by cv.c --------------------------------------------- */

/* Host-level acquire and release: no CPU handling, owner bookkeeping done. */
void rumphost_mtx_lock(struct rumpuser_mtx *);
void rumphost_mtx_unlock(struct rumpuser_mtx *);
int rumphost_mtx_flags(const struct rumpuser_mtx *);
/*
 * w's kind once rumphost_mtx_requeue moved it to a mutex's queue: woken
 * from there, its thread must take the mutex with rumphost_mtx_lock_moved.
 */
#define RUMPHOST_WQ_MOVED (-1)
/*
 * Move w (a detached waiter, see rumphost_wq_requeue) to m's queue if m is
 * held, so that m's release wakes it; false if m is free (the caller then
 * wakes w).
 */
bool rumphost_mtx_requeue(struct rumpuser_mtx *, struct rumphost_waiter *w);
/* rumphost_mtx_lock for a thread woken from m's queue after a requeue. */
void rumphost_mtx_lock_moved(struct rumpuser_mtx *);

/* --- bio.c: used by file.c --------------------------------------------- */

/* Wait until no block I/O started before this call is in flight. */
void rumphost_bio_drain(void);

/* --- misc.c: used by param.c ------------------------------------------- */

/*
 * Wait for a symbol table load that dl_bootstrap left running, if any.
 * Called holding a rump CPU (it is released while waiting).
 */
void rumphost_dl_settle(void);

/* --- console.c ---------------------------------------------------------- */

/* Flush the calling thread's partial console line, if any. */
void rumphost_console_flush(void);

#endif /* RUMPHOST_CORE_H */
