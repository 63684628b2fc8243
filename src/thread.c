/*
 * Host threads for the rump kernel, the per-thread record, curlwp and
 * errno.
 *
 * Model: every host thread that needs state of ours (a bound lwp, a
 * console line, a join record) gets a struct rumphost_thr in the host's
 * one thread-local slot.  rumpuser_curlwp() is a slot read and a load:
 * the rump kernel calls it constantly.
 *
 * Join is built here, not asked of the host: a joinable thread shares a
 * join record with its creator.  The exiting thread marks it done and
 * wakes the joiner under the record's queue lock and never touches it
 * again; the joiner frees it.  rumpuser_thread_join releases the rump CPU
 * while it waits, because with one CPU the exiting thread may need it.
 *
 * Assumes: host threads, thread-local slot, wait queues.
 */
#include "core.h"

/* A joinable thread's fate; fields protected by the queue lock of this. */
struct rumphost_join {
	int j_done;
	struct rumphost_waitq j_waitq;
};

struct thr_start {
	void *(*ts_fn)(void *);
	void *ts_arg;
	struct rumphost_join *ts_join;
};

struct rumphost_thr *
rumphost_thr_self(void)
{
	struct rumphost_thr *t = rumphost_host_tls_get();

	if (RH_LIKELY(t != NULL))
		return t;
	if ((t = rumphost_host_alloc(sizeof(*t))) == NULL)
		return NULL;
	t->t_lwp = NULL;
	t->t_join = NULL;
	t->t_coremade = false;
	t->t_linelen = 0;
	t->t_pages = NULL;
	t->t_npages = 0;
	t->t_mtxs = NULL;
	t->t_nmtxs = 0;
	rumphost_host_tls_set(t);
	return t;
}

/* Called by the host when a thread with a record ends without exiting. */
void
rumphost_thread_gone(void *slot)
{

	rumphost_pages_flush(slot);
	rumphost_mtx_flush(slot);
	rumphost_host_free(slot, sizeof(struct rumphost_thr));
}

static void
thr_trampoline(void *arg)
{
	struct thr_start ts = *(struct thr_start *)arg;
	struct rumphost_thr *t;

	rumphost_host_free(arg, sizeof(ts));
	if ((t = rumphost_thr_self()) == NULL)
		rumphost_fatal("rumpuser_thread_create", "out of memory");
	t->t_join = ts.ts_join;
	t->t_coremade = true;
	ts.ts_fn(ts.ts_arg);
	rumpuser_thread_exit();
}

int
rumpuser_thread_create(void *(*fn)(void *), void *arg, const char *name,
    int mustjoin, int prio, int cpu, void **cookie)
{
	struct thr_start *ts;
	struct rumphost_join *j = NULL;
	int error;

	if ((ts = rumphost_host_alloc(sizeof(*ts))) == NULL)
		return RH_ENOMEM;
	if (mustjoin && (j = rumphost_host_alloc(sizeof(*j))) == NULL) {
		rumphost_host_free(ts, sizeof(*ts));
		return RH_ENOMEM;
	}
	if (j != NULL) {
		j->j_done = 0;
		j->j_waitq.q_head = j->j_waitq.q_tail = NULL;
	}
	ts->ts_fn = fn;
	ts->ts_arg = arg;
	ts->ts_join = j;
	error = rumphost_host_thread_create(
	    thr_trampoline, ts, name != NULL ? name : "rump", prio, cpu);
	if (error != 0) {
		rumphost_host_free(ts, sizeof(*ts));
		if (j != NULL)
			rumphost_host_free(j, sizeof(*j));
		return error;
	}
	if (mustjoin && cookie != NULL)
		*cookie = j;
	return 0;
}

void
rumpuser_thread_exit(void)
{
	struct rumphost_thr *t = rumphost_host_tls_get();
	struct rumphost_join *j = NULL;
	struct rumphost_wakes wk = RUMPHOST_WAKES_INIT;
	struct rumphost_hlock *lk;

	if (t != NULL) {
		rumphost_console_flush();
		j = t->t_join;
		rumphost_host_tls_set(NULL);
		rumphost_thread_gone(t);
	}
	if (j != NULL) {
		lk = rumphost_wq_lock(j);
		j->j_done = 1;
		rumphost_wq_wake_one(&j->j_waitq, &wk);
		rumphost_wq_unlock_wake(lk, &wk);
	}
	rumphost_host_thread_exit();
}

int
rumpuser_thread_join(void *cookie)
{
	struct rumphost_join *j = cookie;
	struct rumphost_waiter w;
	struct rumphost_hlock *lk;
	int nlocks;

	if (j == NULL)
		return RH_EINVAL;
	rumphost_unsched(&nlocks, NULL);
	lk = rumphost_wq_lock(j);
	while (!j->j_done) {
		rumphost_wq_insert(&j->j_waitq, &w, 0);
		rumphost_wq_unlock(lk);
		rumphost_wq_park(&w, 0);
		lk = rumphost_wq_lock(j);
	}
	rumphost_wq_unlock(lk);
	rumphost_sched(nlocks, NULL);
	rumphost_host_free(j, sizeof(*j));
	return 0;
}

struct lwp *
rumpuser_curlwp(void)
{

	return rumphost_curlwp();
}

void
rumpuser_curlwpop(int op, struct lwp *l)
{
	struct rumphost_thr *t;

	switch (op) {
	case RUMPUSER_LWP_CREATE:
	case RUMPUSER_LWP_DESTROY:
		/* Informational: nothing is kept per lwp. */
		return;
	case RUMPUSER_LWP_SET:
		if ((t = rumphost_thr_self()) == NULL)
			rumphost_fatal("rumpuser_curlwpop", "out of memory");
		if (t->t_lwp != NULL)
			rumphost_fatal("rumpuser_curlwpop",
			    "SET on a thread that already has an lwp");
		t->t_lwp = l;
		return;
	case RUMPUSER_LWP_CLEAR:
		if ((t = rumphost_host_tls_get()) != NULL)
			t->t_lwp = NULL;
		return;
	default: rumphost_fatal("rumpuser_curlwpop", "unknown operation");
	}
}

void
rumpuser_seterrno(int error)
{

	rumphost_host_seterrno(error);
}
