/*
 * Resource balance, measured from outside the implementation: after a
 * warm-up, thousands of create/destroy cycles of mutexes, rwlocks, cvs,
 * allocations and threads leave the process's heap bytes (mallinfo2, or
 * the sanitizer's allocator) and its host thread count where they were,
 * within TOL_HEAP_SLACK (tolerance.h).  Also the lwps the fake kernel
 * handed out are all given back.  These run last in the suite.
 */
#include "fakekernel.h"
#include "tests.h"
#include "tolerance.h"

static void
cycle(long n)
{
	struct rumpuser_mtx *m;
	struct rumpuser_rw *rw;
	struct rumpuser_cv *cv;
	void *p;
	long i;

	for (i = 0; i < n; i++) {
		rumpuser_mutex_init(
		    &m, i % 2 ? RUMPUSER_MTX_SPIN : RUMPUSER_MTX_KMUTEX);
		rumpuser_rw_init(&rw);
		rumpuser_cv_init(&cv);
		HCV(rumpuser_mutex_enter(m));
		(void)HC(rumpuser_cv_timedwait(cv, m, 0, 1));
		rumpuser_mutex_exit(m);
		HCV(rumpuser_rw_enter(RUMPUSER_RW_WRITER, rw));
		HCV(rumpuser_rw_exit(rw));
		rumpuser_cv_destroy(cv);
		rumpuser_rw_destroy(rw);
		rumpuser_mutex_destroy(m);
		if (HC(rumpuser_malloc((size_t)(i % 300) + 1,
			(int)sizeof(void *) << (i % 10), &p)) == 0)
			rumpuser_free(p, (size_t)(i % 300) + 1);
	}
}

void
t_balance_objects(void)
{
	size_t b0, b1;
	long n = (long)TOL_ITERS(10000);

	if (!h_heap_bytes(&b0))
		t_skip("no heap byte count on this host");
	cycle(100);
	REQUIRE(h_heap_bytes(&b0));
	cycle(n);
	REQUIRE(h_heap_bytes(&b1));
	CHECKF(b1 <= b0 + TOL_HEAP_SLACK,
	    "heap grew %zu bytes over %ld"
	    " cycles (%.1f per cycle)",
	    b1 - b0, n, (double)(b1 - b0) / (double)n);
}

static int ran;

static void *
tbody(void *arg)
{

	(void)arg;
	fk_enter("kthread");
	__atomic_add_fetch(&ran, 1, __ATOMIC_SEQ_CST);
	fk_leave();
	rumpuser_thread_exit();
}

static int nthreads0;

static bool
pred_threads(void *arg)
{
	int n;

	(void)arg;
	return h_thread_count(&n) && n <= nthreads0;
}

static bool
pred_ran(void *arg)
{

	return __atomic_load_n(&ran, __ATOMIC_SEQ_CST) >= *(int *)arg;
}

static void
threads(int n)
{
	void *c;
	int i, want;

	for (i = 0; i < n; i++) {
		REQUIRE(HC(rumpuser_thread_create(
			    tbody, NULL, "bal", 1, 0, -1, &c)) == 0);
		CHECK_EQ(HC(rumpuser_thread_join(c)), 0);
	}
	/* Detached ones: thread.detached_storm (a NetBSD defect). */
	want = __atomic_load_n(&ran, __ATOMIC_SEQ_CST);
	CHECK(fk_settle(pred_ran, &want));
}

void
t_balance_threads(void)
{
	size_t b0, b1;
	int t1, lwps;
	int n = (int)TOL_ITERS(400);

	if (!h_thread_count(&nthreads0) || !h_heap_bytes(&b0))
		t_skip("no thread or heap count on this host");
	threads(4);
	nthreads0 = fk_threads_settled();
	REQUIRE(h_heap_bytes(&b0));
	lwps = fk_lwps_live();
	threads(n);
	CHECKF(fk_settle(pred_threads, NULL),
	    "threads did not go away:"
	    " %d, was %d",
	    (h_thread_count(&t1), t1), nthreads0);
	REQUIRE(h_heap_bytes(&b1));
	CHECKF(b1 <= b0 + TOL_HEAP_SLACK,
	    "heap grew %zu bytes over %d"
	    " threads",
	    b1 - b0, n);
	CHECKF(fk_lwps_live() == lwps, "%d lwps not given back",
	    fk_lwps_live() - lwps);
}
