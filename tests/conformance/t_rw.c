/*
 * rumpuser rwlocks: readers share, a writer excludes (tryenter EBUSY 16,
 * enter blocks releasing the CPU), tryupgrade succeeds for the sole reader
 * and fails with another reader, downgrade is atomic (a waiting writer
 * cannot get in between; a reader can), rw_held reports READER and, for
 * WRITER, only to the owning thread.
 */
#include "fakekernel.h"
#include "tests.h"
#include "tolerance.h"

struct rwt {
	struct rumpuser_rw *rw;
	int op;
	int got;
	int release;
	int tryrv;
	int heldw;
	int heldr;
};

static void
taker(void *arg)
{
	struct rwt *r = arg;

	HCV(rumpuser_rw_enter(r->op, r->rw));
	__atomic_store_n(&r->got, 1, __ATOMIC_SEQ_CST);
	fk_settle(fk_pred_flag, &r->release);
	HCV(rumpuser_rw_exit(r->rw));
}

static void
trier(void *arg)
{
	struct rwt *r = arg;

	r->tryrv = HC(rumpuser_rw_tryenter(r->op, r->rw));
	HCV(rumpuser_rw_held(RUMPUSER_RW_WRITER, r->rw, &r->heldw));
	HCV(rumpuser_rw_held(RUMPUSER_RW_READER, r->rw, &r->heldr));
	if (r->tryrv == 0)
		HCV(rumpuser_rw_exit(r->rw));
}

static int
try_elsewhere(struct rumpuser_rw *rw, int op, int *heldw)
{
	struct rwt r;

	memset(&r, 0, sizeof(r));
	r.rw = rw;
	r.op = op;
	fk_join(fk_spawn("trier", trier, &r));
	if (heldw != NULL)
		*heldw = r.heldw;
	return r.tryrv;
}

void
t_rw_basic(void)
{
	struct rumpuser_rw *rw;
	int held, hw;

	rumpuser_rw_init(&rw);
	HCV(rumpuser_rw_held(RUMPUSER_RW_READER, rw, &held));
	CHECK_EQ(held, 0);
	HCV(rumpuser_rw_held(RUMPUSER_RW_WRITER, rw, &held));
	CHECK_EQ(held, 0);

	/* Readers share. */
	HCV(rumpuser_rw_enter(RUMPUSER_RW_READER, rw));
	HCV(rumpuser_rw_held(RUMPUSER_RW_READER, rw, &held));
	CHECK(held != 0);
	HCV(rumpuser_rw_held(RUMPUSER_RW_WRITER, rw, &held));
	CHECK_EQ(held, 0);
	CHECK_EQ(try_elsewhere(rw, RUMPUSER_RW_READER, NULL), 0);
	CHECK_EQ(try_elsewhere(rw, RUMPUSER_RW_WRITER, NULL), 16);
	HCV(rumpuser_rw_exit(rw));

	/* A writer excludes; rw_held(WRITER) is about the owner. */
	HCV(rumpuser_rw_enter(RUMPUSER_RW_WRITER, rw));
	HCV(rumpuser_rw_held(RUMPUSER_RW_WRITER, rw, &held));
	CHECK(held != 0);
	CHECK_EQ(try_elsewhere(rw, RUMPUSER_RW_READER, &hw), 16);
	CHECKF(hw == 0,
	    "rw_held(WRITER) true in a thread that is not the"
	    " owner");
	CHECK_EQ(try_elsewhere(rw, RUMPUSER_RW_WRITER, NULL), 16);
	HCV(rumpuser_rw_exit(rw));
	HCV(rumpuser_rw_held(RUMPUSER_RW_WRITER, rw, &held));
	CHECK_EQ(held, 0);
	CHECK_EQ(HC(rumpuser_rw_tryenter(RUMPUSER_RW_WRITER, rw)), 0);
	HCV(rumpuser_rw_exit(rw));
	rumpuser_rw_destroy(rw);
}

/* NCPU=1: a blocked rw_enter releases the CPU, for both kinds. */
void
t_rw_enter_blocks(void)
{
	struct rumpuser_rw *rw;
	struct fk_thread *t;
	struct rwt r;
	int k;

	rumpuser_rw_init(&rw);
	for (k = 0; k < 2; k++) {
		memset(&r, 0, sizeof(r));
		r.rw = rw;
		r.op = RUMPUSER_RW_WRITER;
		t = fk_spawn("writer", taker, &r);
		CHECK(fk_settle(fk_pred_flag, &r.got));
		__atomic_store_n(&r.release, 1, __ATOMIC_SEQ_CST);
		HCV(rumpuser_rw_enter(
		    k ? RUMPUSER_RW_WRITER : RUMPUSER_RW_READER, rw));
		HCV(rumpuser_rw_exit(rw));
		fk_join(t);
	}
	rumpuser_rw_destroy(rw);
}

void
t_rw_tryupgrade_two_readers(void)
{
	struct rumpuser_rw *rw;
	struct fk_thread *t;
	struct rwt r;
	int rv;

	rumpuser_rw_init(&rw);
	memset(&r, 0, sizeof(r));
	r.rw = rw;
	r.op = RUMPUSER_RW_READER;
	t = fk_spawn("reader", taker, &r);
	CHECK(fk_settle(fk_pred_flag, &r.got));
	HCV(rumpuser_rw_enter(RUMPUSER_RW_READER, rw));
	rv = HC(rumpuser_rw_tryupgrade(rw));
	CHECKF(rv != 0, "tryupgrade succeeded with another reader inside");
	HCV(rumpuser_rw_exit(rw));
	__atomic_store_n(&r.release, 1, __ATOMIC_SEQ_CST);
	fk_join(t);
	rumpuser_rw_destroy(rw);
}

/*
 * NetBSD defect: its rumpuser_rw_tryupgrade() always returns EBUSY
 * (rumpuser_pth.c: "not supported by pthreads"), so a sole reader can
 * never upgrade.
 */
void
t_rw_tryupgrade_sole(void)
{
	struct rumpuser_rw *rw;
	int rv, held;

	rumpuser_rw_init(&rw);
	HCV(rumpuser_rw_enter(RUMPUSER_RW_READER, rw));
	rv = HC(rumpuser_rw_tryupgrade(rw));
	CHECKF(rv == 0, "tryupgrade of the sole reader = %d", rv);
	if (rv == 0) {
		HCV(rumpuser_rw_held(RUMPUSER_RW_WRITER, rw, &held));
		CHECK(held != 0);
		CHECK_EQ(try_elsewhere(rw, RUMPUSER_RW_READER, NULL), 16);
	}
	HCV(rumpuser_rw_exit(rw));
	rumpuser_rw_destroy(rw);
}

/* NCPU=2: a writer waits; we downgrade; it must not get in. */
void
t_rw_downgrade(void)
{
	struct rumpuser_rw *rw;
	struct fk_thread *t;
	struct rwt w;
	int held;

	rumpuser_rw_init(&rw);
	memset(&w, 0, sizeof(w));
	w.rw = rw;
	w.op = RUMPUSER_RW_WRITER;
	HCV(rumpuser_rw_enter(RUMPUSER_RW_WRITER, rw));
	t = fk_spawn("writer", taker, &w);
	CHECK(fk_settle(fk_pred_blocked, t));
	HCV(rumpuser_rw_downgrade(rw));
	CHECKF(!__atomic_load_n(&w.got, __ATOMIC_SEQ_CST),
	    "a writer got in during the downgrade");
	HCV(rumpuser_rw_held(RUMPUSER_RW_READER, rw, &held));
	CHECK(held != 0);
	HCV(rumpuser_rw_held(RUMPUSER_RW_WRITER, rw, &held));
	CHECKF(held == 0, "still a writer after downgrade");
	fk_pause(TOL_QUIET_NS);
	CHECKF(!__atomic_load_n(&w.got, __ATOMIC_SEQ_CST),
	    "a writer got in while we held the downgraded lock");
	HCV(rumpuser_rw_exit(rw));
	__atomic_store_n(&w.release, 1, __ATOMIC_SEQ_CST);
	fk_join(t);
	CHECK(w.got);
	rumpuser_rw_destroy(rw);
}
