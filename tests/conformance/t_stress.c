/*
 * Races and stress (the slow set): lost-wakeup hunts on cv (a ping-pong
 * and a broadcasting herd that hang if a wakeup is lost, and the
 * scheduler-interlock pattern),
 * rwlock downgrade under contention (a writer slipping into a downgrade
 * changes a value the downgrader must still see), nested rwlock writers
 * (a lost wakeup on the inner lock stops both), and many
 * mutex/rwlock/cv/thread lifecycles.  Iteration counts shrink under a
 * sanitizer; each runs for TOL_STRESS_NS and is bounded by its watchdog.
 */
#include "fakekernel.h"
#include "tests.h"
#include "tolerance.h"

static uint64_t deadline;

static bool
over(void)
{

	return h_mono_ns() > deadline;
}

struct pp {
	struct rumpuser_mtx *m;
	struct rumpuser_cv *cv;
	long turn;
	int stop;
	int timed;
};

/* Take turns; a lost wakeup leaves both waiting: the watchdog fires. */
static void
pinger(void *arg, long me)
{
	struct pp *p = arg;
	long i;

	for (i = 0;; i++) {
		HCV(rumpuser_mutex_enter(p->m));
		while (p->turn % 2 != me && !p->stop) {
			if (p->timed)
				(void)HC(rumpuser_cv_timedwait(
				    p->cv, p->m, 0, (int64_t)(i % 3) * 1000));
			else
				HCV(rumpuser_cv_wait(p->cv, p->m));
		}
		if (p->stop) {
			rumpuser_mutex_exit(p->m);
			break;
		}
		__atomic_add_fetch(&p->turn, 1, __ATOMIC_SEQ_CST);
		if (me == 0 && (i & 255) == 0 && over())
			p->stop = 1;
		HCV(rumpuser_cv_signal(p->cv));
		rumpuser_mutex_exit(p->m);
	}
}

static void
ping0(void *arg)
{

	pinger(arg, 0);
}

static void
ping1(void *arg)
{

	pinger(arg, 1);
}

static bool
all_done(struct fk_thread **t, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!fk_done(t[i]))
			return false;
	return true;
}

/* Every thread waits forever after a lost wakeup: say so, by name. */
static void
monitor(struct fk_thread **t, int n, long *progress)
{
	uint64_t last = h_mono_ns();
	long seen = -1, now;

	while (!all_done(t, n)) {
		fk_pause(10 * TOL_MS);
		now = __atomic_load_n(progress, __ATOMIC_SEQ_CST);
		if (now != seen) {
			seen = now;
			last = h_mono_ns();
		} else if (h_mono_ns() - last > TOL_SETTLE_NS) {
			t_abort(__FILE__, __LINE__,
			    "no progress for %llu ms"
			    " after %ld handoffs: a lost wakeup",
			    (unsigned long long)(TOL_SETTLE_NS / TOL_MS), now);
		}
	}
}

/* Run two threads on arg until both end, watching *progress. */
static void
run_pair(const char *n0, void (*f0)(void *), const char *n1, void (*f1)(void *),
    void *arg, long *progress)
{
	struct fk_thread *t[2];

	t[0] = fk_spawn(n0, f0, arg);
	t[1] = fk_spawn(n1, f1, arg);
	monitor(t, 2, progress);
	fk_join(t[0]);
	fk_join(t[1]);
}

static void
pingpong(int timed)
{
	struct pp p;

	memset(&p, 0, sizeof(p));
	deadline = h_mono_ns() + TOL_STRESS_NS;
	p.timed = timed;
	rumpuser_mutex_init(&p.m, RUMPUSER_MTX_KMUTEX);
	rumpuser_cv_init(&p.cv);
	run_pair("ping", ping0, "pong", ping1, &p, &p.turn);
	t_note("%ld handoffs", p.turn);
	CHECK(p.turn > 1000);
	rumpuser_cv_destroy(p.cv);
	rumpuser_mutex_destroy(p.m);
}

void
t_stress_cv_pingpong(void)
{

	pingpong(0);
}

void
t_stress_cv_timed_pingpong(void)
{

	pingpong(1);
}

/*
 * A herd taking turns round-robin, each broadcasting under the mutex: the
 * waiters signalled while the mutex is held move to its queue (cv.c), and
 * each release must wake the next, also when the broadcaster takes the
 * mutex again first.  One in four waits has a timeout (those are woken
 * at once instead of moved).  A lost wakeup hangs: the watchdog fires.
 */
#define HERD_N 4

struct herd {
	struct rumpuser_mtx *m;
	struct rumpuser_cv *cv;
	long turn;
	int stop;
};

struct herd_me {
	struct herd *h;
	long me;
};

static void
herder(void *arg)
{
	struct herd_me *hm = arg;
	struct herd *h = hm->h;
	long i;

	for (i = 0;; i++) {
		HCV(rumpuser_mutex_enter(h->m));
		while (h->turn % HERD_N != hm->me && !h->stop) {
			if ((i & 3) == hm->me)
				(void)HC(rumpuser_cv_timedwait(
				    h->cv, h->m, 0, 1000000));
			else
				HCV(rumpuser_cv_wait(h->cv, h->m));
		}
		if (h->stop) {
			rumpuser_mutex_exit(h->m);
			break;
		}
		__atomic_add_fetch(&h->turn, 1, __ATOMIC_SEQ_CST);
		if (hm->me == 0 && (i & 255) == 0 && over())
			h->stop = 1;
		HCV(rumpuser_cv_broadcast(h->cv));
		rumpuser_mutex_exit(h->m);
	}
}

void
t_stress_cv_herd(void)
{
	struct fk_thread *t[HERD_N];
	struct herd_me me[HERD_N];
	struct herd h;
	int i;

	memset(&h, 0, sizeof(h));
	deadline = h_mono_ns() + TOL_STRESS_NS;
	rumpuser_mutex_init(&h.m, RUMPUSER_MTX_KMUTEX);
	rumpuser_cv_init(&h.cv);
	for (i = 0; i < HERD_N; i++) {
		me[i].h = &h;
		me[i].me = i;
		t[i] = fk_spawn("herder", herder, &me[i]);
	}
	monitor(t, HERD_N, &h.turn);
	for (i = 0; i < HERD_N; i++)
		fk_join(t[i]);
	t_note("%ld turns", h.turn);
	CHECK(h.turn > 1000);
	rumpuser_cv_destroy(h.cv);
	rumpuser_mutex_destroy(h.m);
}

/*
 * Two threads take two rwlocks as writers, nested in one order.  A
 * writer that queues on the inner lock just as its holder lets go, and
 * is not woken, holds the outer lock forever: both stop (the watchdog).
 */
struct nest {
	struct rumpuser_rw *outer, *inner;
	long n;
	int stop;
};

static void
nester(void *arg)
{
	struct nest *ns = arg;
	long i;

	for (i = 0; !__atomic_load_n(&ns->stop, __ATOMIC_SEQ_CST); i++) {
		HCV(rumpuser_rw_enter(RUMPUSER_RW_WRITER, ns->outer));
		HCV(rumpuser_rw_enter(RUMPUSER_RW_WRITER, ns->inner));
		rumpuser_rw_exit(ns->inner);
		rumpuser_rw_exit(ns->outer);
		/* The inner lock alone, so that it is contended too. */
		HCV(rumpuser_rw_enter(RUMPUSER_RW_WRITER, ns->inner));
		__atomic_add_fetch(&ns->n, 1, __ATOMIC_SEQ_CST);
		rumpuser_rw_exit(ns->inner);
		if ((i & 255) == 0 && over())
			__atomic_store_n(&ns->stop, 1, __ATOMIC_SEQ_CST);
	}
}

void
t_stress_rw_nested(void)
{
	struct nest ns;

	memset(&ns, 0, sizeof(ns));
	deadline = h_mono_ns() + TOL_STRESS_NS;
	rumpuser_rw_init(&ns.outer);
	rumpuser_rw_init(&ns.inner);
	run_pair("nest0", nester, "nest1", nester, &ns, &ns.n);
	t_note("%ld rounds", ns.n);
	CHECK(ns.n > 1000);
	rumpuser_rw_destroy(ns.inner);
	rumpuser_rw_destroy(ns.outer);
}

/* NCPU=1 scheduler-interlock ping-pong: a lost wakeup hangs. */
struct slp {
	struct rumpuser_cv *cv;
	long seq;
	long ack;
};

static void
sl_wait(void *arg)
{
	struct slp *s = arg;
	long i, seq;

	for (i = 1;; i++) {
		while (
		    (seq = __atomic_load_n(&s->seq, __ATOMIC_SEQ_CST)) >= 0 &&
		    seq < i)
			HCV(rumpuser_cv_wait(s->cv, fk_schedmtx()));
		if (seq < 0)
			break;
		__atomic_store_n(&s->ack, i, __ATOMIC_SEQ_CST);
	}
}

static bool
pred_ack(void *arg)
{
	struct slp *s = arg;

	return __atomic_load_n(&s->ack, __ATOMIC_SEQ_CST) ==
	    __atomic_load_n(&s->seq, __ATOMIC_SEQ_CST);
}

void
t_stress_schedlock(void)
{
	struct fk_thread *t;
	struct slp s;
	long i;

	memset(&s, 0, sizeof(s));
	deadline = h_mono_ns() + TOL_STRESS_NS;
	rumpuser_cv_init(&s.cv);
	t = fk_spawn("schedwaiter", sl_wait, &s);
	for (i = 1;; i++) {
		HCNOWRAP(rumpuser_mutex_enter_nowrap(fk_schedmtx()));
		__atomic_store_n(&s.seq, over() ? -1 : i, __ATOMIC_SEQ_CST);
		HCV(rumpuser_cv_broadcast(s.cv));
		rumpuser_mutex_exit(fk_schedmtx());
		if (__atomic_load_n(&s.seq, __ATOMIC_SEQ_CST) < 0)
			break;
		if (!fk_settle(pred_ack, &s)) {
			t_abort(
			    __FILE__, __LINE__, "round %ld: wakeup lost", i);
		}
	}
	fk_join(t);
	t_note("%ld rounds", i);
	rumpuser_cv_destroy(s.cv);
}

struct dg {
	struct rumpuser_rw *rw;
	long value;
	int slipped;
	int stop;
};

static void
downgrader(void *arg)
{
	struct dg *d = arg;
	long i, v;
	int held;

	for (i = 0; (i & 63) != 0 || !over(); i++) {
		HCV(rumpuser_rw_enter(RUMPUSER_RW_WRITER, d->rw));
		v = __atomic_add_fetch(&d->value, 1, __ATOMIC_SEQ_CST);
		HCV(rumpuser_rw_downgrade(d->rw));
		h_yield();
		if (__atomic_load_n(&d->value, __ATOMIC_SEQ_CST) != v)
			__atomic_store_n(&d->slipped, 1, __ATOMIC_SEQ_CST);
		HCV(rumpuser_rw_held(RUMPUSER_RW_WRITER, d->rw, &held));
		if (held)
			__atomic_store_n(&d->slipped, 2, __ATOMIC_SEQ_CST);
		HCV(rumpuser_rw_exit(d->rw));
	}
	t_note("%ld downgrades", i);
	__atomic_store_n(&d->stop, 1, __ATOMIC_SEQ_CST);
}

static void
writer(void *arg)
{
	struct dg *d = arg;

	while (!__atomic_load_n(&d->stop, __ATOMIC_SEQ_CST)) {
		HCV(rumpuser_rw_enter(RUMPUSER_RW_WRITER, d->rw));
		__atomic_add_fetch(&d->value, 1000000, __ATOMIC_SEQ_CST);
		HCV(rumpuser_rw_exit(d->rw));
	}
}

static void
reader(void *arg)
{
	struct dg *d = arg;

	while (!__atomic_load_n(&d->stop, __ATOMIC_SEQ_CST)) {
		HCV(rumpuser_rw_enter(RUMPUSER_RW_READER, d->rw));
		h_yield();
		HCV(rumpuser_rw_exit(d->rw));
	}
}

void
t_stress_downgrade(void)
{
	struct fk_thread *t[4];
	struct dg d;
	int i;

	memset(&d, 0, sizeof(d));
	deadline = h_mono_ns() + TOL_STRESS_NS;
	rumpuser_rw_init(&d.rw);
	t[0] = fk_spawn("downgrader", downgrader, &d);
	t[1] = fk_spawn("writer", writer, &d);
	t[2] = fk_spawn("writer", writer, &d);
	t[3] = fk_spawn("reader", reader, &d);
	for (i = 0; i < 4; i++)
		fk_join(t[i]);
	CHECKF(d.slipped != 1, "a writer got in during a downgrade");
	CHECKF(d.slipped != 2, "rw_held(WRITER) after downgrade");
	rumpuser_rw_destroy(d.rw);
}

static void
lifecycles(void *arg)
{
	long i;
	struct rumpuser_mtx *m;
	struct rumpuser_rw *rw;
	struct rumpuser_cv *cv;

	for (i = 0; (i & 255) != 0 || !over(); i++) {
		rumpuser_mutex_init(&m,
		    i % 3 == 0	     ? RUMPUSER_MTX_SPIN
			: i % 3 == 1 ? RUMPUSER_MTX_KMUTEX
				     : RUMPUSER_MTX_SPIN | RUMPUSER_MTX_KMUTEX);
		rumpuser_cv_init(&cv);
		rumpuser_rw_init(&rw);
		HCV(rumpuser_mutex_enter(m));
		if (i % 16 == 0)
			(void)HC(rumpuser_cv_timedwait(cv, m, 0, 1000));
		HCV(rumpuser_cv_broadcast(cv));
		rumpuser_mutex_exit(m);
		HCV(rumpuser_rw_enter(
		    i % 2 ? RUMPUSER_RW_READER : RUMPUSER_RW_WRITER, rw));
		HCV(rumpuser_rw_exit(rw));
		rumpuser_rw_destroy(rw);
		rumpuser_cv_destroy(cv);
		rumpuser_mutex_destroy(m);
	}
	*(long *)arg = i;
}

void
t_stress_lifecycles(void)
{
	struct fk_thread *t[2];
	long n[2];

	deadline = h_mono_ns() + TOL_STRESS_NS;
	t[0] = fk_spawn("life", lifecycles, &n[0]);
	t[1] = fk_spawn("life", lifecycles, &n[1]);
	fk_join(t[0]);
	fk_join(t[1]);
	t_note("%ld lifecycles of a mutex, a cv and an rwlock", n[0] + n[1]);
}

static int nran;

static void *
tbody(void *arg)
{

	(void)arg;
	fk_enter("kthread");
	__atomic_add_fetch(&nran, 1, __ATOMIC_SEQ_CST);
	fk_leave();
	rumpuser_thread_exit();
}

void
t_stress_threads(void)
{
	long i;
	void *c[8];
	int k;

	deadline = h_mono_ns() + TOL_STRESS_NS;
	for (i = 0; !over(); i += 8) {
		for (k = 0; k < 8; k++)
			REQUIRE(HC(rumpuser_thread_create(
				    tbody, NULL, "st", 1, 0, -1, &c[k])) == 0);
		for (k = 0; k < 8; k++)
			CHECK_EQ(HC(rumpuser_thread_join(c[k])), 0);
	}
	CHECK_EQ(__atomic_load_n(&nran, __ATOMIC_SEQ_CST), i);
	t_note("%ld threads created and joined", i);
}
