/*
 * rumpuser mutexes.  tryenter on a held mutex is EBUSY (16); enter tries
 * first and keeps the CPU when uncontended, releases it when it must block
 * (an NCPU=1 test hangs otherwise); a SPIN mutex never releases the CPU,
 * not even from enter; enter_nowrap blocks the host thread and never
 * touches the CPU; KMUTEX mutexes report their owner (curlwp at acquire);
 * mutual exclusion holds; the giant-lock pattern of klock.c works.
 */
#include "fakekernel.h"
#include "tests.h"
#include "tolerance.h"

static const int kinds[] = {RUMPUSER_MTX_KMUTEX, RUMPUSER_MTX_SPIN,
    RUMPUSER_MTX_SPIN | RUMPUSER_MTX_KMUTEX};
#define NKINDS (int)(sizeof(kinds) / sizeof(kinds[0]))

struct holder {
	struct rumpuser_mtx *m;
	int kind;
	int have;
	int release;
	struct lwp *lwp;
};

/* Take m, say so, hold it (CPU released) until told, let go. */
static void
hold(void *arg)
{
	struct holder *h = arg;

	if (h->kind & RUMPUSER_MTX_SPIN)
		HCNOWRAP(rumpuser_mutex_enter(h->m));
	else
		HCV(rumpuser_mutex_enter(h->m));
	h->lwp = fk_curlwp();
	__atomic_store_n(&h->have, 1, __ATOMIC_SEQ_CST);
	fk_settle(fk_pred_flag, &h->release);
	rumpuser_mutex_exit(h->m);
}

void
t_mutex_tryenter(void)
{
	struct holder h;
	struct fk_thread *t;
	struct lwp *o;
	int k, rv;

	for (k = 0; k < NKINDS; k++) {
		memset(&h, 0, sizeof(h));
		h.kind = kinds[k];
		rumpuser_mutex_init(&h.m, kinds[k]);
		/* Free: tryenter succeeds and does not release the CPU. */
		fk_forbid_unsched("rumpuser_mutex_tryenter");
		rv = HC(rumpuser_mutex_tryenter(h.m));
		fk_allow_unsched();
		CHECKF(rv == 0, "tryenter(free, flags %d) = %d", kinds[k], rv);
		if (kinds[k] & RUMPUSER_MTX_KMUTEX) {
			HCV(rumpuser_mutex_owner(h.m, &o));
			CHECKF(o == fk_curlwp(), "owner %p, curlwp %p",
			    (void *)o, (void *)fk_curlwp());
		}
		rumpuser_mutex_exit(h.m);
		if (kinds[k] & RUMPUSER_MTX_KMUTEX) {
			HCV(rumpuser_mutex_owner(h.m, &o));
			CHECKF(o == NULL, "owner %p after exit", (void *)o);
		}
		/* Held elsewhere: EBUSY, at once. */
		t = fk_spawn("holder", hold, &h);
		CHECK(fk_settle(fk_pred_flag, &h.have));
		fk_forbid_unsched("rumpuser_mutex_tryenter");
		rv = HC(rumpuser_mutex_tryenter(h.m));
		fk_allow_unsched();
		CHECKF(rv == 16,
		    "tryenter(held, flags %d) = %d, want EBUSY"
		    " (16)",
		    kinds[k], rv);
		if (rv == 0)
			rumpuser_mutex_exit(h.m);
		if (kinds[k] & RUMPUSER_MTX_KMUTEX) {
			HCV(rumpuser_mutex_owner(h.m, &o));
			CHECKF(o == h.lwp && o != fk_curlwp(),
			    "owner %p, holder's lwp %p", (void *)o,
			    (void *)h.lwp);
		}
		__atomic_store_n(&h.release, 1, __ATOMIC_SEQ_CST);
		fk_join(t);
		rumpuser_mutex_destroy(h.m);
	}
}

/* NCPU=1: a contended enter must release the CPU (the holder needs it). */
void
t_mutex_enter_blocks(void)
{
	struct holder h;
	struct fk_thread *t;
	unsigned u0;

	memset(&h, 0, sizeof(h));
	h.kind = RUMPUSER_MTX_KMUTEX;
	rumpuser_mutex_init(&h.m, RUMPUSER_MTX_KMUTEX);
	/* Uncontended: try first, keep the CPU. */
	u0 = fk_unscheds();
	HCV(rumpuser_mutex_enter(h.m));
	CHECKF(fk_unscheds() == u0, "uncontended mutex_enter released the CPU");
	rumpuser_mutex_exit(h.m);

	t = fk_spawn("holder", hold, &h);
	CHECK(fk_settle(fk_pred_flag, &h.have));
	__atomic_store_n(&h.release, 1, __ATOMIC_SEQ_CST);
	/* The holder needs our CPU to reach its exit: we must let go. */
	u0 = fk_unscheds();
	HCV(rumpuser_mutex_enter(h.m));
	CHECKF(fk_unscheds() > u0, "contended mutex_enter kept the CPU");
	rumpuser_mutex_exit(h.m);
	fk_join(t);
	rumpuser_mutex_destroy(h.m);
}

/* NCPU=2: a contended SPIN enter, and enter_nowrap, keep the CPU. */
void
t_mutex_spin(void)
{
	struct holder h;
	struct fk_thread *t;
	int k;

	for (k = 1; k < NKINDS; k++) {
		memset(&h, 0, sizeof(h));
		h.kind = kinds[k];
		rumpuser_mutex_init(&h.m, kinds[k]);
		t = fk_spawn("holder", hold, &h);
		CHECK(fk_settle(fk_pred_flag, &h.have));
		/* The holder lets go on the other CPU while we spin. */
		__atomic_store_n(&h.release, 1, __ATOMIC_SEQ_CST);
		HCNOWRAP(rumpuser_mutex_enter(h.m));
		rumpuser_mutex_exit(h.m);
		fk_join(t);

		h.have = h.release = 0;
		t = fk_spawn("holder", hold, &h);
		CHECK(fk_settle(fk_pred_flag, &h.have));
		__atomic_store_n(&h.release, 1, __ATOMIC_SEQ_CST);
		HCNOWRAP(rumpuser_mutex_enter_nowrap(h.m));
		rumpuser_mutex_exit(h.m);
		fk_join(t);
		rumpuser_mutex_destroy(h.m);
	}
}

struct excl {
	struct rumpuser_mtx *m;
	long counter;
	long iters;
	int spin;
};

static void
bump(void *arg)
{
	struct excl *e = arg;
	long i, v;

	for (i = 0; i < e->iters; i++) {
		if (e->spin)
			HCNOWRAP(rumpuser_mutex_enter(e->m));
		else
			HCV(rumpuser_mutex_enter(e->m));
		v = e->counter;
		if ((i & 63) == 0)
			h_yield();
		e->counter = v + 1;
		rumpuser_mutex_exit(e->m);
	}
}

void
t_mutex_exclusion(void)
{
	struct fk_thread *t[3];
	struct excl e;
	int i, s;

	for (s = 0; s < 2; s++) {
		memset(&e, 0, sizeof(e));
		e.iters = (long)TOL_ITERS(20000);
		e.spin = s;
		rumpuser_mutex_init(
		    &e.m, s ? RUMPUSER_MTX_SPIN : RUMPUSER_MTX_KMUTEX);
		for (i = 0; i < 3; i++)
			t[i] = fk_spawn("bump", bump, &e);
		for (i = 0; i < 3; i++)
			fk_join(t[i]);
		CHECKF(e.counter == 3 * e.iters, "counter %ld, want %ld",
		    e.counter, 3 * e.iters);
		rumpuser_mutex_destroy(e.m);
	}
}

struct gi {
	long iters;
	long inside;
	int bad;
};

static void
giantloop(void *arg)
{
	struct gi *g = arg;
	long i;

	for (i = 0; i < g->iters; i++) {
		fk_giant_enter(1);
		if (__atomic_add_fetch(&g->inside, 1, __ATOMIC_SEQ_CST) != 1)
			__atomic_store_n(&g->bad, 1, __ATOMIC_SEQ_CST);
		if ((i & 15) == 0) {
			/* A blocking hypercall lets the giant go meanwhile. */
			__atomic_sub_fetch(&g->inside, 1, __ATOMIC_SEQ_CST);
			HC(rumpuser_clock_sleep(RUMPUSER_CLOCK_RELWALL, 0, 0));
			if (__atomic_add_fetch(
				&g->inside, 1, __ATOMIC_SEQ_CST) != 1)
				__atomic_store_n(&g->bad, 1, __ATOMIC_SEQ_CST);
		}
		__atomic_sub_fetch(&g->inside, 1, __ATOMIC_SEQ_CST);
		fk_giant_exit();
	}
}

/* klock.c's pattern: tryenter, else CPU released and enter_nowrap. */
void
t_mutex_giant(void)
{
	struct fk_thread *t[3];
	struct gi g = {(long)TOL_ITERS(3000), 0, 0};
	int i;

	for (i = 0; i < 3; i++)
		t[i] = fk_spawn("giant", giantloop, &g);
	for (i = 0; i < 3; i++)
		fk_join(t[i]);
	CHECKF(!g.bad, "two threads held the giant lock at once");
}

#ifdef RUMPHOST_NETBSD_CURRENT
/* The NetBSD-current revision's rumpuser_mutex_spin_p. */
void
t_mutex_spin_p(void)
{
	int k;

	for (k = 0; k < NKINDS; k++) {
		struct rumpuser_mtx *m;

		rumpuser_mutex_init(&m, kinds[k]);
		CHECKF((rumpuser_mutex_spin_p(m) != 0) ==
			((kinds[k] & RUMPUSER_MTX_SPIN) != 0),
		    "mutex_spin_p(flags %d) = %d", kinds[k],
		    rumpuser_mutex_spin_p(m));
		rumpuser_mutex_destroy(m);
	}
}
#endif
