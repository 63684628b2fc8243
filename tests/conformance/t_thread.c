/*
 * rumpuser_thread_create/exit/join.  A thread body behaves like the rump
 * kernel's (threads.c): it starts with no curlwp, enters the rump kernel
 * (hyp_schedule), runs holding a CPU, leaves (hyp_unschedule) and calls
 * rumpuser_thread_exit().  Joinable (mustjoin) threads give a cookie;
 * thread_join must release the CPU while it waits: with NCPU=1 the joined
 * thread needs that CPU to get to its exit, so a join that keeps it hangs
 * (and the watchdog names the test).
 */
#include "fakekernel.h"
#include "tests.h"
#include "tolerance.h"

struct body {
	int ran;
	int boundatstart;
	uint64_t hold;
};

static void *
body(void *arg)
{
	struct body *b = arg;

	if (rumpuser_curlwp() != NULL)
		__atomic_store_n(&b->boundatstart, 1, __ATOMIC_SEQ_CST);
	fk_enter("kthread");
	if (b->hold)
		h_sleep_ns(b->hold); /* busy in the kernel, CPU held */
	__atomic_add_fetch(&b->ran, 1, __ATOMIC_SEQ_CST);
	fk_leave();
	rumpuser_thread_exit();
}

void
t_thread_join(void)
{
	struct body b = {0, 0, 50 * TOL_MS};
	void *cookie = NULL;

	CHECK_EQ(HC(rumpuser_thread_create(
		     body, &b, "rhconf-join", 1, 0, -1, &cookie)),
	    0);
	CHECK(cookie != NULL);
	CHECK_EQ(HC(rumpuser_thread_join(cookie)), 0);
	CHECK_EQ(__atomic_load_n(&b.ran, __ATOMIC_SEQ_CST), 1);
	CHECKF(!b.boundatstart, "a new thread starts with a curlwp set");
}

void
t_thread_detached(void)
{
	struct body b = {0, 0, 0};
	void *cookie = NULL;

	CHECK_EQ(HC(rumpuser_thread_create(
		     body, &b, "rhconf-detached", 0, 0, -1, &cookie)),
	    0);
	CHECKF(fk_settle(fk_pred_flag, &b.ran), "detached thread never ran");
	CHECKF(!b.boundatstart, "a new thread starts with a curlwp set");
}

#define NTHR 32
void
t_thread_many(void)
{
	static struct body b[NTHR];
	static void *cookie[NTHR];
	int i;

	for (i = 0; i < NTHR; i++) {
		CHECK_EQ(HC(rumpuser_thread_create(body, &b[i], "rhconf-many",
			     1, i % 3 == 0 ? -1 : 220, i % 2 == 0 ? -1 : 0,
			     &cookie[i])),
		    0);
	}
	for (i = 0; i < NTHR; i++)
		CHECK_EQ(HC(rumpuser_thread_join(cookie[i])), 0);
	for (i = 0; i < NTHR; i++)
		CHECKF(b[i].ran == 1, "thread %d ran %d times", i, b[i].ran);
}

static int nquick;

static void *
quick(void *arg)
{

	(void)arg;
	__atomic_add_fetch(&nquick, 1, __ATOMIC_SEQ_CST);
	rumpuser_thread_exit();
}

static int nthreads0;

static bool
pred_gone(void *arg)
{
	int n;

	if (__atomic_load_n(&nquick, __ATOMIC_SEQ_CST) < *(int *)arg)
		return false;
	return h_thread_count(&n) && n <= nthreads0;
}

/*
 * Detached threads that exit at once, many of them: all run, and all go
 * away.  NetBSD defect: its rumpuser_thread_create() names the new thread
 * with pthread_setname_np(*ptidp) after pthread_create() returns; a
 * detached thread may have exited and been freed by then, and the call
 * crashes (SIGSEGV in __pthread_setname_np), a few times in a thousand.
 */
void
t_thread_detached_storm(void)
{
	struct body b = {0, 0, 0};
	int i, n = (int)TOL_ITERS(3000);
	void *c;

	/* warm up: the host may start helper threads at the first create */
	CHECK_EQ(HC(rumpuser_thread_create(body, &b, "warm", 1, 0, -1, &c)), 0);
	CHECK_EQ(HC(rumpuser_thread_join(c)), 0);
	if ((nthreads0 = fk_threads_settled()) < 0)
		nthreads0 = 1 << 30;
	for (i = 0; i < n; i++)
		REQUIRE(HC(rumpuser_thread_create(
			    quick, NULL, "storm", 0, 0, -1, NULL)) == 0);
	CHECKF(fk_settle(pred_gone, &n),
	    "%d of %d detached threads ran, or"
	    " they did not go away",
	    __atomic_load_n(&nquick, __ATOMIC_SEQ_CST), n);
}
