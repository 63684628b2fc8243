/*
 * thread.c: threads of the AdrOS port: create/exit through a pool, the
 * per-thread record (slot and park semaphore), park/unpark, yield.
 *
 * Assumes AdrOS's process_create_kernel (entry takes no argument and must
 * never return; no exit, no join), ksem with millisecond timeouts and at
 * most 64 waiters, kmutex without owner or trylock, and the current task
 * pointer as the identity of a thread (curproc.c).
 *
 * Records.  Every thread that needs one gets a record, found by hashing
 * its struct process pointer into a fixed open-addressed table; only the
 * thread itself inserts its record (a CAS on an empty cell), lookups take
 * no lock.  Records are never removed: a task that exits leaves its
 * record behind (AdrOS kernel threads never exit; a user process making
 * rump calls that then exits leaks one record, and a later task reusing
 * the same struct process address would inherit it).  That also makes
 * park state type-stable, as the host interface requires: an unpark that
 * arrives after its target stopped waiting or ended posts a semaphore
 * that still exists, and costs at most a spurious return of a later park.
 *
 * Park.  Each record owns one ksem that only its own thread waits on, so
 * the 64-waiter limit is never approached.  unpark posts it; repeated
 * posts accumulate and make later parks return early, which the host
 * interface allows (spurious returns).  A deadline becomes a relative
 * millisecond count rounded up (never 0, which means forever to AdrOS),
 * at most an hour per wait; AdrOS rounds to 10 ms ticks and may wake up
 * to a tick early, so park loops until the monotonic clock has passed the
 * deadline.
 *
 * Pool.  A start record (function, argument) goes to an idle worker, or
 * to the tail of a queue that a freshly created AdrOS thread pops.  The
 * creation happens with the pool lock held, so when AdrOS cannot make a
 * thread our record is still the tail and is withdrawn.  A worker runs
 * fn(arg) under __builtin_setjmp; thread_exit __builtin_longjmps back,
 * and a worker whose function ended goes back to the idle list.
 */
#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "adros.h"
#include "adros_api.h"

#define NREC	    1024 /* power of two */
#define POOL_YIELDS 4	 /* before a new AdrOS thread */

struct worker;

struct rumphost_hthread {
	struct process *ht_proc;
	void *ht_slot;
	struct worker *ht_worker; /* non-NULL for pool threads */
	ksem_t ht_park;
};

struct worker {
	struct worker *w_next;
	void (*w_fn)(void *);
	void *w_arg;
	void *w_jb[5];
	ksem_t w_go;
};

static struct rumphost_hthread *recs[NREC];
static kmutex_t poolmtx;
static struct worker *idle;
static struct worker *qhead, *qtail;

static unsigned
hash(const struct process *p)
{
	uintptr_t v = (uintptr_t)p;

	v ^= v >> 13;
	v *= 0x9e3779b1u;
	return (unsigned)(v >> 7) & (NREC - 1);
}

static struct rumphost_hthread *
lookup(struct process *p)
{
	struct rumphost_hthread *r;
	unsigned i, n;

	for (i = hash(p), n = 0; n < NREC; n++, i = (i + 1) & (NREC - 1)) {
		r = __atomic_load_n(&recs[i], __ATOMIC_ACQUIRE);
		if (r == NULL)
			return NULL;
		if (r->ht_proc == p)
			return r;
	}
	return NULL;
}

static struct rumphost_hthread *
selfrec(void)
{
	struct rumphost_hthread *r, *expect;
	struct process *p;
	unsigned i, n;

	p = rumphost_adros_curproc();
	if ((r = lookup(p)) != NULL)
		return r;
	if ((r = kmalloc(sizeof(*r))) == NULL)
		rumphost_adros_fatal("thread record: kmalloc failed");
	r->ht_proc = p;
	r->ht_slot = NULL;
	r->ht_worker = NULL;
	ksem_init(&r->ht_park, 0);
	for (i = hash(p), n = 0; n < NREC; n++, i = (i + 1) & (NREC - 1)) {
		expect = NULL;
		if (__atomic_compare_exchange_n(&recs[i], &expect, r, 0,
			__ATOMIC_RELEASE, __ATOMIC_ACQUIRE))
			return r;
	}
	rumphost_adros_fatal("thread record: table full");
}

int
rumphost_adros_thread_init(void)
{

	kmutex_init(&poolmtx);
	return 0;
}

uint32_t
rumphost_adros_deadline_ms(uint64_t now, uint64_t deadline)
{
	uint64_t ms;

	if (deadline <= now)
		return 0;
	ms = (deadline - now) / 1000000u + ((deadline - now) % 1000000u != 0);
	if (ms > RUMPHOST_ADROS_MAXWAIT_MS)
		ms = RUMPHOST_ADROS_MAXWAIT_MS;
	return (uint32_t)ms;
}

/* --- the pool ----------------------------------------------------------- */

static void
pool_entry(void)
{
	struct rumphost_hthread *volatile ht;
	struct worker *volatile w;
	void *slot;

	ht = selfrec();
	kmutex_lock(&poolmtx);
	w = qhead;
	if (w == NULL) {
		kmutex_unlock(&poolmtx);
		rumphost_adros_fatal("thread pool: a thread without work");
	}
	if ((qhead = w->w_next) == NULL)
		qtail = NULL;
	kmutex_unlock(&poolmtx);
	ht->ht_worker = w;
	for (;;) {
		if (__builtin_setjmp(w->w_jb) == 0)
			w->w_fn(w->w_arg);
		if ((slot = ht->ht_slot) != NULL) {
			ht->ht_slot = NULL;
			rumphost_thread_gone(slot);
		}
		kmutex_lock(&poolmtx);
		w->w_next = idle;
		idle = w;
		kmutex_unlock(&poolmtx);
		ksem_wait(&w->w_go);
	}
}

int
rumphost_host_thread_create(
    void (*fn)(void *), void *arg, const char *name, int prio, int cpu)
{
	struct worker *w, *p;
	int tries;

	(void)name;
	(void)prio;
	(void)cpu;
	/*
	 * Before growing the pool, let a worker that is finishing come back:
	 * the core releases a joiner just before its thread ends, so a
	 * create right after a join would otherwise find the idle list empty
	 * and make a new AdrOS thread every time the race goes that way.
	 */
	kmutex_lock(&poolmtx);
	for (tries = 0; idle == NULL && tries < POOL_YIELDS; tries++) {
		kmutex_unlock(&poolmtx);
		schedule();
		kmutex_lock(&poolmtx);
	}
	if ((w = idle) != NULL) {
		idle = w->w_next;
		kmutex_unlock(&poolmtx);
		w->w_fn = fn;
		w->w_arg = arg;
		ksem_signal(&w->w_go);
		return 0;
	}
	if ((w = kmalloc(sizeof(*w))) == NULL) {
		kmutex_unlock(&poolmtx);
		return RH_ENOMEM;
	}
	w->w_next = NULL;
	w->w_fn = fn;
	w->w_arg = arg;
	ksem_init(&w->w_go, 0);
	if (qtail != NULL)
		qtail->w_next = w;
	else
		qhead = w;
	p = qtail;
	qtail = w;
	if (process_create_kernel(pool_entry) == NULL) {
		/* Nobody popped since we pushed: w is still the tail. */
		qtail = p;
		if (p != NULL)
			p->w_next = NULL;
		else
			qhead = NULL;
		kmutex_unlock(&poolmtx);
		kfree(w);
		return RH_EAGAIN;
	}
	kmutex_unlock(&poolmtx);
	return 0;
}

void
rumphost_host_thread_exit(void)
{
	struct rumphost_hthread *ht;

	ht = lookup(rumphost_adros_curproc());
	if (ht == NULL || ht->ht_worker == NULL)
		rumphost_adros_fatal("rumphost_host_thread_exit: "
				     "not a thread of the pool");
	__builtin_longjmp(ht->ht_worker->w_jb, 1);
}

struct rumphost_hthread *
rumphost_host_thread_self(void)
{

	return selfrec();
}

/*
 * AdrOS's schedule() switches only once the time slice is used up; a
 * voluntary call shortens the slice, which is as close to a yield as it
 * offers.
 */
void
rumphost_host_yield(void)
{

	schedule();
}

/* --- the slot ----------------------------------------------------------- */

void *
rumphost_host_tls_get(void)
{
	struct rumphost_hthread *r;

	r = lookup(rumphost_adros_curproc());
	return r != NULL ? r->ht_slot : NULL;
}

void
rumphost_host_tls_set(void *v)
{
	struct rumphost_hthread *r;

	r = lookup(rumphost_adros_curproc());
	if (r == NULL) {
		if (v == NULL)
			return;
		r = selfrec();
	}
	r->ht_slot = v;
}

/* --- park and unpark ------------------------------------------------------ */

int
rumphost_host_park(uint64_t deadline)
{
	struct rumphost_hthread *r;
	uint32_t ms;

	r = selfrec();
	if (deadline == 0) {
		/* Anything but 0 is a spurious return, which is allowed. */
		(void)ksem_wait_timeout(&r->ht_park, 0);
		return 0;
	}
	for (;;) {
		ms = rumphost_adros_deadline_ms(clock_gettime_ns(), deadline);
		if (ms == 0)
			return RH_ETIMEDOUT;
		if (ksem_wait_timeout(&r->ht_park, ms) == 0)
			return 0;
	}
}

void
rumphost_host_unpark(struct rumphost_hthread *t)
{

	ksem_signal(&t->ht_park);
}
