/*
 * thread.c: threads of the POSIX host: create and exit, the per-thread
 * slot, park/unpark, yield.
 *
 * Assumes Linux with glibc: pthreads, __thread storage, futex(2) and
 * prctl(PR_SET_NAME).
 *
 * Model.  Every thread, whatever created it (this file, the application,
 * the main thread), owns one struct rumphost_hthread while it runs, found
 * through a __thread pointer.  Handles are type-stable (host.h): taken
 * from a free list (or malloc'd) by a thread's first thread_self or park,
 * given back by a pthread key destructor when the thread ends, and never
 * freed.  So an unpark that comes after its target ended writes to a live
 * handle: at worst a spurious return of the next owner's park.  (The main
 * thread ending the process with exit() never gives its handle back.)
 * A handle holds a 32-bit futex word with three states:
 *	IDLE	no token, nobody asleep
 *	TOKEN	an unpark arrived that no park has consumed yet
 *	ASLEEP	the owner is (about to be) in futex_wait
 * Only the owner moves the word to IDLE or ASLEEP; unpark only stores
 * TOKEN, and issues FUTEX_WAKE only if it replaced ASLEEP, so unparking a
 * thread that is not asleep costs no system call.  The transitions are C11
 * atomics with release (unpark) and acquire (park) ordering: that is the
 * happens-before edge the core relies on, and the one ThreadSanitizer sees
 * (it cannot see into the futex system call).
 *
 * The slot.  tls_get reads a __thread pointer.  tls_set also stores the
 * value under a pthread key whose destructor hands it to
 * rumphost_thread_gone() when a thread ends through pthread_exit or by
 * returning from its start routine.  The main thread ending the process
 * with exit() runs no destructors; nothing is leaked that the process's
 * end does not reclaim.
 *
 * prio and cpu of thread_create are ignored: scheduling priorities need
 * privileges here, and the host scheduler places threads better than a
 * hint does.
 *
 * Workers.  A thread made by thread_create does not end at thread_exit:
 * it goes back to the top of its start routine (longjmp over the frames
 * of the code it ran, which hold nothing to release: the core's and the
 * rump kernel's C), gives back what a thread end gives back (the slot's
 * record through rumphost_thread_gone, as the key destructor would), and
 * waits, parked, on the idle list for the next thread_create, which hands
 * it fn and arg and unparks it instead of making a thread
 * (pthread_create with its stack mapping and clone costs 10-15 us; the
 * handoff is an unpark).  So it starts each job like a new thread: slot
 * NULL, no lwp of ours; the rump kernel's own thread-local curlwp is
 * cleared by the kernel before its threads exit.  What a reused thread
 * keeps: its park handle (a late unpark aimed at its previous job is a
 * spurious return, which the core tolerates, as for recycled handles), its
 * signal mask and its stack.  At most IDLE_MAX wait; one that waited
 * IDLE_NS (1 s) without work ends, so a process that stopped making
 * threads goes back to the threads it uses.  A fork child has none of the
 * parent's threads: an atfork handler empties its list.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/futex.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "posix.h"

enum { IDLE = 0, TOKEN = 1, ASLEEP = 2 };

/*
 * A 32-bit build with a 64-bit time_t (_TIME_BITS=64) must pass its
 * timespec to the time64 variant of the system call.
 */
#if defined(SYS_futex_time64)
#define FUTEXCALL (sizeof(time_t) > sizeof(long) ? SYS_futex_time64 : SYS_futex)
#else
#define FUTEXCALL SYS_futex
#endif

struct rumphost_hthread {
	_Atomic uint32_t ht_word;
	struct rumphost_hthread *ht_next; /* free list; under poollock */
};
_Static_assert(sizeof(_Atomic uint32_t) == sizeof(uint32_t),
    "the futex word must be a plain 32-bit word");

/*
 * initial-exec: a plain %fs-relative load, not a __tls_get_addr call per
 * access (the library is loaded with the program, or dlopen'ed into the
 * small static TLS surplus glibc keeps for that).
 */
#define TLS_IE __attribute__((__tls_model__("initial-exec")))
static __thread struct rumphost_hthread *self TLS_IE;
static __thread void *slot TLS_IE;

/* Handles of ended threads, for reuse; never freed. */
static pthread_mutex_t poollock = PTHREAD_MUTEX_INITIALIZER;
static struct rumphost_hthread *pool; /* under poollock */
static pthread_key_t selfkey;
static pthread_once_t selfonce = PTHREAD_ONCE_INIT;

static pthread_key_t slotkey;
static pthread_once_t slotonce = PTHREAD_ONCE_INIT;

/*
 * One thread made by thread_create, for its whole life.  wk_fn is the job:
 * set (release) by the creator, taken (acquire) by the worker; NULL while
 * idle.  wk_arg and wk_name are written before wk_fn.  wk_next is under
 * idlelock.  wk_top is the worker's own.
 */
struct worker {
	struct worker *wk_next;
	struct rumphost_hthread *wk_h; /* its park handle, set before idling */
	void (*_Atomic wk_fn)(void *);
	void *wk_arg;
	char wk_name[16]; /* the kernel's limit (TASK_COMM_LEN) */
	char wk_cur[16];  /* the name the thread has */
	jmp_buf wk_top;
};

#define IDLE_MAX 16
#define IDLE_NS	 ((uint64_t)1000000000)

static __thread struct worker *me TLS_IE;
static pthread_mutex_t idlelock = PTHREAD_MUTEX_INITIALIZER;
static struct worker *idle; /* under idlelock */
static unsigned nidle;	    /* under idlelock */
static pthread_once_t forkonce = PTHREAD_ONCE_INIT;

static void
forkchild(void)
{

	pthread_mutex_init(&idlelock, NULL);
	idle = NULL;
	nidle = 0;
}

static void
forkinit(void)
{

	(void)pthread_atfork(NULL, NULL, forkchild);
}

static void
setname(struct worker *w)
{

	if (strcmp(w->wk_name, w->wk_cur) == 0)
		return;
	memcpy(w->wk_cur, w->wk_name, sizeof(w->wk_cur));
	if (w->wk_cur[0] != '\0')
		(void)prctl(PR_SET_NAME, w->wk_cur, 0, 0, 0);
}

/* What ending the job's thread would give back (see slotgone). */
static void
jobgone(void)
{
	void *v = slot;

	if (v == NULL)
		return;
	rumphost_host_tls_set(NULL);
	rumphost_thread_gone(v);
}

/* Take w off the idle list if it is still there: 1 if it was. */
static int
unidle(struct worker *w)
{
	struct worker **pp;

	for (pp = &idle; *pp != NULL; pp = &(*pp)->wk_next)
		if (*pp == w) {
			*pp = w->wk_next;
			nidle--;
			return 1;
		}
	return 0;
}

/* Wait on the idle list for the next job: 0 when the thread should end. */
static int
waitjob(struct worker *w)
{
	uint64_t deadline;

	atomic_store_explicit(&w->wk_fn, NULL, memory_order_relaxed);
	pthread_mutex_lock(&idlelock);
	if (nidle >= IDLE_MAX) {
		pthread_mutex_unlock(&idlelock);
		return 0;
	}
	w->wk_next = idle;
	idle = w;
	nidle++;
	pthread_mutex_unlock(&idlelock);
	deadline = rumphost_host_mono_ns() + IDLE_NS;
	while (atomic_load_explicit(&w->wk_fn, memory_order_acquire) == NULL) {
		if (rumphost_host_park(deadline) != RH_ETIMEDOUT)
			continue;
		pthread_mutex_lock(&idlelock);
		if (unidle(w)) {
			pthread_mutex_unlock(&idlelock);
			return 0;
		}
		/* A creator took w off the list: its job is on the way. */
		pthread_mutex_unlock(&idlelock);
		deadline = 0;
	}
	return 1;
}

/* The calling worker's job. */
static void
calljob(void)
{
	struct worker *w = me;

	atomic_load_explicit(&w->wk_fn, memory_order_acquire)(w->wk_arg);
}

/*
 * Run the job; return when it returns or calls thread_exit.  No local
 * lives across the setjmp.
 */
static void runjob(void) __attribute__((__noinline__));

static void
runjob(void)
{

	if (setjmp(me->wk_top) == 0)
		calljob();
}

static void *
trampoline(void *p)
{
	struct worker *w = p;

	me = w;
	w->wk_h = rumphost_host_thread_self();
	do {
		setname(w);
		runjob();
		jobgone();
	} while (waitjob(w));
	me = NULL;
	free(w);
	return NULL;
}

/* An idle worker, off the list, or NULL. */
static struct worker *
takeidle(void)
{
	struct worker *w;

	pthread_mutex_lock(&idlelock);
	if ((w = idle) != NULL) {
		idle = w->wk_next;
		nidle--;
	}
	pthread_mutex_unlock(&idlelock);
	return w;
}

int
rumphost_host_thread_create(
    void (*fn)(void *), void *arg, const char *name, int prio, int cpu)
{
	pthread_attr_t attr;
	pthread_t pt;
	struct worker *w;
	int error, reuse;

	(void)prio;
	(void)cpu;
	reuse = (w = takeidle()) != NULL;
	if (!reuse) {
		if ((w = malloc(sizeof(*w))) == NULL)
			return RH_ENOMEM;
		w->wk_cur[0] = '\0';
		pthread_once(&forkonce, forkinit);
	}
	w->wk_arg = arg;
	w->wk_name[0] = '\0';
	if (name != NULL)
		strncat(w->wk_name, name, sizeof(w->wk_name) - 1);
	atomic_store_explicit(&w->wk_fn, fn, memory_order_release);
	if (reuse) {
		rumphost_host_unpark(w->wk_h);
		return 0;
	}
	if ((error = pthread_attr_init(&attr)) == 0) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		error = pthread_create(&pt, &attr, trampoline, w);
		pthread_attr_destroy(&attr);
	}
	if (error == 0)
		return 0;
	free(w);
	/* The contract knows two failures: no memory, or no thread. */
	return error == ENOMEM ? RH_ENOMEM : RH_EAGAIN;
}

void
rumphost_host_thread_exit(void)
{
	struct worker *w = me;

	if (w != NULL)
		longjmp(w->wk_top, 1);
	pthread_exit(NULL);
}

/* --- handles ----------------------------------------------------------- */

/* The ending thread's handle goes back to the pool (the word as it is). */
static void
selfgone(void *v)
{
	struct rumphost_hthread *h = v;

	self = NULL;
	pthread_mutex_lock(&poollock);
	h->ht_next = pool;
	pool = h;
	pthread_mutex_unlock(&poollock);
}

static void
selfinit(void)
{
	int error;

	if ((error = pthread_key_create(&selfkey, selfgone)) != 0)
		rumphost_posix_fatal("rumphost_host_thread_self: "
				     "pthread_key_create",
		    error);
}

static struct rumphost_hthread *
selfslow(void)
{
	struct rumphost_hthread *h;
	int error;

	pthread_once(&selfonce, selfinit);
	pthread_mutex_lock(&poollock);
	if ((h = pool) != NULL)
		pool = h->ht_next;
	pthread_mutex_unlock(&poollock);
	if (h == NULL) {
		if ((h = malloc(sizeof(*h))) == NULL)
			rumphost_posix_fatal("rumphost_host_thread_self: "
					     "malloc",
			    ENOMEM);
		atomic_init(&h->ht_word, IDLE);
	}
	h->ht_next = NULL;
	if ((error = pthread_setspecific(selfkey, h)) != 0)
		rumphost_posix_fatal("rumphost_host_thread_self: "
				     "pthread_setspecific",
		    error);
	self = h;
	return h;
}

struct rumphost_hthread *
rumphost_host_thread_self(void)
{
	struct rumphost_hthread *h = self;

	return __builtin_expect(h != NULL, 1) ? h : selfslow();
}

void
rumphost_host_yield(void)
{

	sched_yield();
}

/* --- the per-thread slot --------------------------------------------- */

static void
slotgone(void *v)
{

	slot = NULL;
	rumphost_thread_gone(v);
}

static void
slotinit(void)
{
	int error;

	if ((error = pthread_key_create(&slotkey, slotgone)) != 0)
		rumphost_posix_fatal("rumphost_host_tls_set: "
				     "pthread_key_create",
		    error);
}

void *
rumphost_host_tls_get(void)
{

	return slot;
}

void
rumphost_host_tls_set(void *v)
{
	int error;

	if (v == slot)
		return;
	slot = v;
	pthread_once(&slotonce, slotinit);
	if ((error = pthread_setspecific(slotkey, v)) != 0)
		rumphost_posix_fatal("rumphost_host_tls_set: "
				     "pthread_setspecific",
		    error);
}

/* --- park and unpark -------------------------------------------------- */

/*
 * Sleep while *w is ASLEEP, until the absolute CLOCK_MONOTONIC deadline
 * (FUTEX_WAIT_BITSET takes an absolute time, on the monotonic clock unless
 * FUTEX_CLOCK_REALTIME is given).  Returns 0 or a Linux errno.  The word
 * goes to the kernel as it is: an _Atomic uint32_t has the size and
 * representation of a uint32_t on every Linux ABI.
 */
static int
futexwait(_Atomic uint32_t *w, uint64_t deadline)
{
	struct timespec ts, *tsp;

	tsp = NULL;
	/* A deadline beyond time_t's range is no deadline. */
	if (deadline != 0 &&
	    (sizeof(time_t) >= 8 || deadline / 1000000000u <= INT32_MAX)) {
		ts.tv_sec = (time_t)(deadline / 1000000000u);
		ts.tv_nsec = (long)(deadline % 1000000000u);
		tsp = &ts;
	}
	if (syscall(FUTEXCALL, w, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG,
		(uint32_t)ASLEEP, tsp, NULL, FUTEX_BITSET_MATCH_ANY) == -1)
		return errno;
	return 0;
}

int
rumphost_host_park(uint64_t deadline)
{
	_Atomic uint32_t *w = &rumphost_host_thread_self()->ht_word;
	uint32_t expect;
	int error;

	if (atomic_exchange_explicit(w, IDLE, memory_order_acquire) == TOKEN)
		return 0;
	expect = IDLE;
	if (!atomic_compare_exchange_strong_explicit(w, &expect, ASLEEP,
		memory_order_acquire, memory_order_acquire)) {
		/* An unpark came in between: take its token. */
		atomic_store_explicit(w, IDLE, memory_order_relaxed);
		return 0;
	}
	/*
	 * A wakeup with the word still ASLEEP is a late FUTEX_WAKE from an
	 * unpark of an earlier park: sleep again.  EAGAIN means the word was
	 * no longer ASLEEP; EINTR is a spurious return.
	 */
	do
		error = futexwait(w, deadline);
	while (error == 0 &&
	    atomic_load_explicit(w, memory_order_relaxed) == ASLEEP);
	/* Woken, timed out or interrupted: leave ASLEEP either way. */
	if (atomic_exchange_explicit(w, IDLE, memory_order_acquire) == TOKEN)
		return 0;
	return error == ETIMEDOUT ? RH_ETIMEDOUT : 0;
}

void
rumphost_host_unpark(struct rumphost_hthread *t)
{
	_Atomic uint32_t *w = &t->ht_word;

	if (atomic_exchange_explicit(w, TOKEN, memory_order_release) == ASLEEP)
		(void)syscall(FUTEXCALL, w, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1,
		    NULL, NULL, 0);
}
