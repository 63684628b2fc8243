/*
 * rumpuser condition variables: wait/signal/broadcast, has_waiters,
 * timedwait (relative, monotonic: 0 when signalled, ETIMEDOUT 60 on
 * timeout, never early, not much late, unmoved by the wall clock being
 * set), cv_wait handing its interlock to backend_unschedule, the reacquire
 * order (SPIN|KMUTEX: CPU then mutex; pure SPIN: mutex then CPU), the
 * scheduler-interlock pattern of rump_schedlock_cv_wait (the caller does
 * NOT hold the scheduler mutex; the upcalls take and drop it), and
 * cv_wait_nowrap never touching the CPU.
 */
#include "fakekernel.h"
#include "tests.h"
#include "tolerance.h"

struct cvt {
	struct rumpuser_cv *cv;
	struct rumpuser_mtx *m;
	int flag;
	int woke;
	int nowrap;
	int timed;
	void *interlock;
	struct lwp *lwp;
};

static void
waiter(void *arg)
{
	struct cvt *c = arg;

	if (c->nowrap) {
		HCNOWRAP(rumpuser_mutex_enter_nowrap(c->m));
		while (!c->flag)
			HCNOWRAP(rumpuser_cv_wait_nowrap(c->cv, c->m));
	} else {
		HCV(rumpuser_mutex_enter(c->m));
		c->lwp = fk_curlwp();
		while (!c->flag) {
			HCV(rumpuser_cv_wait(c->cv, c->m));
			c->interlock = fk_last_interlock();
		}
	}
	__atomic_add_fetch(&c->woke, 1, __ATOMIC_SEQ_CST);
	rumpuser_mutex_exit(c->m);
}

static int nwaiting_want;
static struct rumpuser_cv *nwaiting_cv;

static bool
pred_waiters(void *arg)
{
	int n;

	(void)arg;
	rumpuser_cv_has_waiters(nwaiting_cv, &n);
	return n == nwaiting_want;
}

static void
setflag(struct cvt *c, bool all)
{

	HCV(rumpuser_mutex_enter(c->m));
	c->flag = 1;
	if (all)
		HCV(rumpuser_cv_broadcast(c->cv));
	else
		HCV(rumpuser_cv_signal(c->cv));
	rumpuser_mutex_exit(c->m);
}

/* Works with NCPU=1 only if cv_wait releases the CPU. */
void
t_cv_signal(void)
{
	struct fk_thread *t;
	struct cvt c;
	int n;

	memset(&c, 0, sizeof(c));
	rumpuser_cv_init(&c.cv);
	rumpuser_mutex_init(&c.m, RUMPUSER_MTX_KMUTEX);
	HCV(rumpuser_cv_has_waiters(c.cv, &n));
	CHECK_EQ(n, 0);
	t = fk_spawn("waiter", waiter, &c);
	nwaiting_cv = c.cv;
	nwaiting_want = 1;
	CHECKF(fk_settle(pred_waiters, NULL), "has_waiters never said 1");
	setflag(&c, false);
	fk_join(t);
	CHECK_EQ(c.woke, 1);
	HCV(rumpuser_cv_has_waiters(c.cv, &n));
	CHECK_EQ(n, 0);
	CHECKF(c.interlock == c.m,
	    "cv_wait passed interlock %p to"
	    " backend_unschedule, not its mutex %p",
	    c.interlock, (void *)c.m);
	rumpuser_mutex_destroy(c.m);
	rumpuser_cv_destroy(c.cv);
}

void
t_cv_broadcast(void)
{
	struct fk_thread *t[3];
	struct cvt c;
	int i;

	memset(&c, 0, sizeof(c));
	rumpuser_cv_init(&c.cv);
	rumpuser_mutex_init(&c.m, RUMPUSER_MTX_KMUTEX);
	for (i = 0; i < 3; i++)
		t[i] = fk_spawn("waiter", waiter, &c);
	nwaiting_cv = c.cv;
	nwaiting_want = 3;
	CHECKF(fk_settle(pred_waiters, NULL), "has_waiters never said 3");
	setflag(&c, true);
	for (i = 0; i < 3; i++)
		fk_join(t[i]);
	CHECK_EQ(c.woke, 3);
	rumpuser_mutex_destroy(c.m);
	rumpuser_cv_destroy(c.cv);
}

/* NCPU=2: nowrap waiter spins on no CPU release; we signal from the other. */
void
t_cv_nowrap(void)
{
	struct fk_thread *t;
	struct cvt c;

	memset(&c, 0, sizeof(c));
	c.nowrap = 1;
	rumpuser_cv_init(&c.cv);
	rumpuser_mutex_init(&c.m, RUMPUSER_MTX_SPIN);
	t = fk_spawn("waiter", waiter, &c);
	nwaiting_cv = c.cv;
	nwaiting_want = 1;
	CHECKF(fk_settle(pred_waiters, NULL), "has_waiters never said 1");
	HCNOWRAP(rumpuser_mutex_enter_nowrap(c.m));
	c.flag = 1;
	HCV(rumpuser_cv_signal(c.cv));
	rumpuser_mutex_exit(c.m);
	fk_join(t);
	CHECK_EQ(c.woke, 1);
	rumpuser_mutex_destroy(c.m);
	rumpuser_cv_destroy(c.cv);
}

static int
timedwait(
    struct rumpuser_cv *cv, struct rumpuser_mtx *m, uint64_t ns, uint64_t *el)
{
	uint64_t t0;
	int rv;

	t0 = h_mono_ns();
	rv = HC(rumpuser_cv_timedwait(
	    cv, m, (int64_t)(ns / TOL_SEC), (int64_t)(ns % TOL_SEC)));
	*el = h_mono_ns() - t0;
	return rv;
}

void
t_cv_timedwait_timeout(void)
{
	static const uint64_t d[] = {200 * TOL_MS, 1200 * TOL_MS, 1000};
	struct rumpuser_cv *cv;
	struct rumpuser_mtx *m;
	struct lwp *o;
	uint64_t el;
	size_t i;
	int rv;

	rumpuser_cv_init(&cv);
	rumpuser_mutex_init(&m, RUMPUSER_MTX_KMUTEX);
	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		HCV(rumpuser_mutex_enter(m));
		rv = timedwait(cv, m, d[i], &el);
		CHECKF(rv == 60,
		    "timedwait(%llu ns) = %d, want ETIMEDOUT"
		    " (60)",
		    (unsigned long long)d[i], rv);
		CHECKF(el + TOL_EARLY(d[i]) >= d[i],
		    "timed out after %llu ns"
		    " of %llu",
		    (unsigned long long)el, (unsigned long long)d[i]);
		CHECKF(el <= d[i] + TOL_LATE_NS,
		    "timed out after %llu ns"
		    " of %llu",
		    (unsigned long long)el, (unsigned long long)d[i]);
		HCV(rumpuser_mutex_owner(m, &o));
		CHECKF(o == fk_curlwp(), "mutex not ours after timedwait");
		rumpuser_mutex_exit(m);
	}
	rumpuser_mutex_destroy(m);
	rumpuser_cv_destroy(cv);
}

struct sig {
	struct rumpuser_cv *cv;
	struct rumpuser_mtx *m;
	int go;
};

static void
signaller(void *arg)
{
	struct sig *s = arg;

	fk_settle(fk_pred_flag, &s->go);
	fk_pause(50 * TOL_MS);
	HCV(rumpuser_mutex_enter(s->m));
	HCV(rumpuser_cv_signal(s->cv));
	rumpuser_mutex_exit(s->m);
}

void
t_cv_timedwait_signalled(void)
{
	struct fk_thread *t;
	struct sig s;
	uint64_t el;
	int rv;

	rumpuser_cv_init(&s.cv);
	rumpuser_mutex_init(&s.m, RUMPUSER_MTX_KMUTEX);
	s.go = 0;
	t = fk_spawn("signaller", signaller, &s);
	HCV(rumpuser_mutex_enter(s.m));
	__atomic_store_n(&s.go, 1, __ATOMIC_SEQ_CST);
	rv = timedwait(s.cv, s.m, 10 * TOL_SEC, &el);
	CHECKF(rv == 0, "signalled timedwait = %d", rv);
	CHECKF(el < 5 * TOL_SEC, "signalled timedwait took %llu ms",
	    (unsigned long long)(el / TOL_MS));
	rumpuser_mutex_exit(s.m);
	fk_join(t);
	rumpuser_mutex_destroy(s.m);
	rumpuser_cv_destroy(s.cv);
}

/*
 * NetBSD defect: its rumpuser_cv_timedwait() turns the relative timeout
 * into a CLOCK_REALTIME deadline (rumpuser_pth.c), so setting the wall
 * clock back makes a wait end at once and setting it forward makes it
 * last longer.
 */
/* Does RELWALL show the shift? */
static bool
wall_moved(int64_t shift)
{
	int64_t s, d;
	long ns;

	if (HC(rumpuser_clock_gettime(RUMPUSER_CLOCK_RELWALL, &s, &ns)) != 0)
		return false;
	d = s * (int64_t)TOL_SEC + ns - (int64_t)h_wall_ns();
	return d > shift - (int64_t)TOL_SEC && d < shift + (int64_t)TOL_SEC;
}

void
t_cv_timedwait_wall_jump(void)
{
	static const int64_t shift[] = {
	    -(int64_t)TOL_WALL_JUMP_NS, 2 * (int64_t)TOL_SEC};
	struct rumpuser_cv *cv;
	struct rumpuser_mtx *m;
	uint64_t el, d = 300 * TOL_MS;
	size_t i;
	int rv;

	rumpuser_cv_init(&cv);
	rumpuser_mutex_init(&m, RUMPUSER_MTX_KMUTEX);
	for (i = 0; i < sizeof(shift) / sizeof(shift[0]); i++) {
		if (!h_wall_shift(shift[i]))
			t_skip("this harness cannot move the wall clock");
		if (!wall_moved(shift[i]))
			t_skip("the library's wall clock does not move with"
			       " clock_gettime()");
		HCV(rumpuser_mutex_enter(m));
		rv = timedwait(cv, m, d, &el);
		CHECK_EQ(rv, 60);
		CHECKF(el + TOL_EARLY(d) >= d && el <= d + TOL_LATE_NS,
		    "a %llu ms timedwait took %llu ms with the wall clock"
		    " moved %lld s: it measures on the wall clock",
		    (unsigned long long)(d / TOL_MS),
		    (unsigned long long)(el / TOL_MS),
		    (long long)(shift[i] / (int64_t)TOL_SEC));
		rumpuser_mutex_exit(m);
	}
	h_wall_shift(0);
	rumpuser_mutex_destroy(m);
	rumpuser_cv_destroy(cv);
}

/* --- reacquire order ------------------------------------------------- */

static struct rumpuser_mtx *probe_m;
static struct lwp *probe_lwp;
static int probe_done;
static int probe_held; /* 1 held, 0 free at backend_schedule */

static void
probe(int nlocks, void *interlock)
{

	(void)nlocks;
	(void)interlock;
	if (probe_m == NULL || rumpuser_curlwp() != probe_lwp || probe_done)
		return;
	probe_done = 1;
	if (rumpuser_mutex_tryenter(probe_m) == 0) {
		probe_held = 0;
		rumpuser_mutex_exit(probe_m);
	} else {
		probe_held = 1;
	}
}

static void
order_waiter(void *arg)
{
	struct cvt *c = arg;

	HCNOWRAP(rumpuser_mutex_enter(c->m));
	probe_lwp = fk_curlwp();
	__atomic_store_n(&c->woke, 1, __ATOMIC_SEQ_CST);
	while (!c->flag) {
		if (c->timed)
			(void)HC(rumpuser_cv_timedwait(c->cv, c->m, 30, 0));
		else
			HCV(rumpuser_cv_wait(c->cv, c->m));
	}
	rumpuser_mutex_exit(c->m);
}

static void
order(int flags, int wantheld, int timed)
{
	struct fk_thread *t;
	struct cvt c;

	memset(&c, 0, sizeof(c));
	c.timed = timed;
	rumpuser_cv_init(&c.cv);
	rumpuser_mutex_init(&c.m, flags);
	probe_m = c.m;
	probe_done = 0;
	probe_held = -1;
	fk_set_sched_hook(probe);
	t = fk_spawn("waiter", order_waiter, &c);
	nwaiting_cv = c.cv;
	nwaiting_want = 1;
	CHECK(fk_settle(pred_waiters, NULL));
	HCNOWRAP(rumpuser_mutex_enter(c.m));
	c.flag = 1;
	rumpuser_mutex_exit(c.m);
	/*
	 * Signal with the interlock free: the probe cannot tell who holds
	 * it, and a waiter woken at once (a host that runs the woken
	 * thread on the waker's CPU right away) would otherwise find it
	 * still held by us.  The waiter is queued, so nothing is lost.
	 */
	HCV(rumpuser_cv_signal(c.cv));
	fk_join(t);
	fk_set_sched_hook(NULL);
	probe_m = NULL;
	CHECKF(probe_done, "cv_wait never called backend_schedule");
	if (probe_done)
		CHECKF(probe_held == wantheld,
		    "flags %#x: interlock %s when"
		    " cv_%swait reacquired the CPU; want %s",
		    flags, timed ? "timed" : "", probe_held ? "held" : "free",
		    wantheld ? "held (mutex first)" : "free (CPU first)");
	rumpuser_mutex_destroy(c.m);
	rumpuser_cv_destroy(c.cv);
}

void
t_cv_order(void)
{

	order(RUMPUSER_MTX_SPIN | RUMPUSER_MTX_KMUTEX, 0, 0);
	order(RUMPUSER_MTX_SPIN, 1, 0);
	order(RUMPUSER_MTX_SPIN | RUMPUSER_MTX_KMUTEX, 0, 1);
	order(RUMPUSER_MTX_SPIN, 1, 1);
}

/* --- the scheduler's interlock (rump_schedlock_cv_wait) ----------------- */

struct sl {
	struct rumpuser_cv *cv;
	int inwait;
	int woke;
	int rv;
};

static void
sl_waiter(void *arg)
{
	struct sl *s = arg;

	__atomic_store_n(&s->inwait, 1, __ATOMIC_SEQ_CST);
	/* Not holding the scheduler mutex: the upcalls manage it. */
	HCV(rumpuser_cv_wait(s->cv, fk_schedmtx()));
	s->rv = HC(
	    rumpuser_cv_timedwait(s->cv, fk_schedmtx(), 0, 20 * 1000 * 1000));
	__atomic_store_n(&s->woke, 1, __ATOMIC_SEQ_CST);
	if (rumpuser_mutex_tryenter(fk_schedmtx()) == 0)
		rumpuser_mutex_exit(fk_schedmtx());
	else
		t_fail(__FILE__, __LINE__,
		    "cv_wait on the scheduler"
		    " interlock returned with it held");
}

void
t_cv_schedlock(void)
{
	struct fk_thread *t;
	struct sl s;
	int n;

	memset(&s, 0, sizeof(s));
	rumpuser_cv_init(&s.cv);
	t = fk_spawn("schedwaiter", sl_waiter, &s);
	nwaiting_cv = s.cv;
	nwaiting_want = 1;
	CHECK(fk_settle(pred_waiters, NULL));
	HCNOWRAP(rumpuser_mutex_enter_nowrap(fk_schedmtx()));
	HCV(rumpuser_cv_signal(s.cv));
	rumpuser_mutex_exit(fk_schedmtx());
	fk_join(t);
	CHECK(s.woke);
	CHECKF(s.rv == 60,
	    "timedwait on the scheduler interlock = %d, want"
	    " ETIMEDOUT (60)",
	    s.rv);
	HCV(rumpuser_cv_has_waiters(s.cv, &n));
	CHECK_EQ(n, 0);
	rumpuser_cv_destroy(s.cv);
}
