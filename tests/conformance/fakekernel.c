/*
 * The fake rump kernel (see fakekernel.h for what it checks).
 *
 * Model, after NetBSD's rumpkern (semantics only):
 *  - NCPU virtual CPUs; a host thread holds at most one.  The CPU pool is
 *    kept with the harness's host locks, not with the implementation's, so
 *    that a broken implementation cannot corrupt the referee.
 *  - The giant lock is a RUMPUSER_MTX_SPIN rumpuser mutex taken with
 *    tryenter; on contention the CPU is released and the host thread
 *    blocks in mutex_enter_nowrap (klock.c).
 *  - backend_unschedule(nlocks, &count, interlock): drop giant holds
 *    (nlocks 0: all, count gets how many), then the CPU.  If interlock is
 *    the scheduler's own SPIN mutex, the fake takes it (enter_nowrap)
 *    before releasing the CPU; backend_schedule(nlocks, interlock) with it
 *    releases it once the CPU is back (it is released while waiting for a
 *    busy CPU, as the real scheduler's cv_wait_nowrap does).  That is how
 *    the real kernel calls rumpuser_cv_wait(cv, rcpu_mtx) without holding
 *    rcpu_mtx.
 *  - hyp_schedule gives an lwp-less host thread a temporary lwp
 *    (curlwpop CREATE then SET) which hyp_unschedule destroys (CLEAR then
 *    DESTROY); hyp_lwproc_newlwp gives the thread a lasting one.
 * Assumes: rumpuser_curlwp() works (it is how the fake tells threads'
 * lwps apart, as RUMP_CURLWP=hypercall kernels do).
 */
#include "fakekernel.h"
#include "tolerance.h"

struct fk_thr {
	char name[32];
	int cpu; /* held, or -1 */
	int lastcpu;
	int inhc;     /* between backend_(un)schedule */
	int released; /* giant holds dropped, not yet
			 taken back by a schedule */
	const char *forbid;
	void *last_interlock;
	unsigned nunsched;
	unsigned nsched;
	struct lwp *temp;
	bool release_lwp;
	bool waitnoted;
};

struct fk_thread {
	char name[32];
	void (*fn)(void *);
	void *arg;
	struct fk_thr *thr;
	struct h_thread *ht;
	int done;
};

static struct rumpuser_hyperup hyp;
static int ncpu;
static struct h_lock *cpulock;
static struct h_cond *cpucv;
static struct fk_thr *cpuholder[FK_MAXCPU];
static struct rumpuser_mtx *giant;
static struct rumpuser_mtx *schedmtx;
static struct fk_thr *giantowner;
static int giantcnt;
static int nviolations;
static int lwpseq;
static int lwplive;
static void (*schedhook)(int, void *);

/* --- per-thread state -------------------------------------------------- */

static void
thr_dtor(void *p)
{

	h_free(p);
}

static struct fk_thr *
thr_named(const char *name)
{
	struct fk_thr *t;

	if ((t = h_tls_get()) != NULL)
		return t;
	t = h_malloc(sizeof(*t));
	h_snprintf(t->name, sizeof(t->name), "%s", name);
	t->cpu = -1;
	t->lastcpu = 0;
	h_tls_set(t);
	return t;
}

/* A thread the implementation made (bio, kthread) is met in an upcall. */
static struct fk_thr *
self(void)
{

	return thr_named("impl-thread");
}

void
fk_violation(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	h_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	__atomic_add_fetch(&nviolations, 1, __ATOMIC_SEQ_CST);
	h_printf("# VIOLATION [thread %s]: %s\n", self()->name, buf);
}

int
fk_violations(void)
{

	return __atomic_load_n(&nviolations, __ATOMIC_SEQ_CST);
}

/* --- virtual CPUs ----------------------------------------------------- */

static void
cpu_note_holders(struct fk_thr *t, uint64_t waited)
{
	int i;

	h_printf("# fake kernel: thread %s has waited %llu ms for a CPU;"
		 " holders:",
	    t->name, (unsigned long long)(waited / TOL_MS));
	for (i = 0; i < ncpu; i++)
		h_printf(" cpu%d=%s", i,
		    cpuholder[i] ? cpuholder[i]->name : "(free)");
	h_printf(" (a CPU held while blocking?)\n");
}

static bool
cpu_get(struct fk_thr *t, bool block)
{
	uint64_t t0;
	int i, c;

	t0 = h_mono_ns();
	h_lock_enter(cpulock);
	for (;;) {
		c = -1;
		if (cpuholder[t->lastcpu] == NULL)
			c = t->lastcpu;
		for (i = 0; c == -1 && i < ncpu; i++)
			if (cpuholder[i] == NULL)
				c = i;
		if (c != -1)
			break;
		if (!block) {
			h_lock_exit(cpulock);
			return false;
		}
		if (!h_cond_timedwait(cpucv, cpulock, 100 * TOL_MS) &&
		    !t->waitnoted && h_mono_ns() - t0 > TOL_CPU_WAIT_NOTE_NS) {
			t->waitnoted = true;
			cpu_note_holders(t, h_mono_ns() - t0);
		}
	}
	cpuholder[c] = t;
	__atomic_store_n(&t->cpu, c, __ATOMIC_SEQ_CST);
	t->lastcpu = c;
	t->waitnoted = false;
	h_lock_exit(cpulock);
	return true;
}

static void
cpu_put(struct fk_thr *t)
{

	h_lock_enter(cpulock);
	if (t->cpu < 0 || cpuholder[t->cpu] != t) {
		h_lock_exit(cpulock);
		fk_violation("releases a CPU it does not hold");
		return;
	}
	cpuholder[t->cpu] = NULL;
	__atomic_store_n(&t->cpu, -1, __ATOMIC_SEQ_CST);
	h_cond_broadcast(cpucv);
	h_lock_exit(cpulock);
}

int
fk_cpus_busy(void)
{
	int i, n = 0;

	h_lock_enter(cpulock);
	for (i = 0; i < ncpu; i++)
		if (cpuholder[i] != NULL)
			n++;
	h_lock_exit(cpulock);
	return n;
}

/* --- the giant lock (klock.c) --------------------------------------------- */

static void
giant_lock(struct fk_thr *t, int nlocks)
{
	const char *f;

	while (nlocks > 0) {
		if (__atomic_load_n(&giantowner, __ATOMIC_SEQ_CST) == t) {
			giantcnt += nlocks;
			return;
		}
		f = t->forbid;
		t->forbid = "rumpuser_mutex_tryenter/enter_nowrap (giant)";
		if (rumpuser_mutex_tryenter(giant) != 0) {
			cpu_put(t);
			rumpuser_mutex_enter_nowrap(giant);
			cpu_get(t, true);
		}
		t->forbid = f;
		__atomic_store_n(&giantowner, t, __ATOMIC_SEQ_CST);
		giantcnt = 1;
		nlocks--;
	}
}

/* nlocks 0: all.  Returns how many were held. */
static int
giant_unlock(struct fk_thr *t, int nlocks)
{
	int had;

	if (__atomic_load_n(&giantowner, __ATOMIC_SEQ_CST) != t) {
		if (nlocks != 0)
			fk_violation(
			    "releases %d giant holds it lacks", nlocks);
		return 0;
	}
	had = giantcnt;
	if (nlocks == 0 || nlocks > giantcnt)
		nlocks = giantcnt;
	giantcnt -= nlocks;
	if (giantcnt == 0) {
		__atomic_store_n(&giantowner, NULL, __ATOMIC_SEQ_CST);
		rumpuser_mutex_exit(giant);
	}
	return had;
}

int
fk_giant_held(void)
{
	struct fk_thr *t = self();

	if (__atomic_load_n(&giantowner, __ATOMIC_SEQ_CST) != t)
		return 0;
	return giantcnt;
}

void
fk_giant_enter(int n)
{

	giant_lock(self(), n);
}

void
fk_giant_exit(void)
{

	giant_unlock(self(), 0);
}

/* --- lwps ----------------------------------------------------------- */

struct lwp *
fk_lwp_new(const char *name)
{
	struct lwp *l = h_malloc(sizeof(*l));

	l->magic = FK_LWP_MAGIC;
	l->id = __atomic_add_fetch(&lwpseq, 1, __ATOMIC_SEQ_CST);
	h_snprintf(l->name, sizeof(l->name), "%s", name);
	__atomic_add_fetch(&lwplive, 1, __ATOMIC_SEQ_CST);
	return l;
}

void
fk_lwp_free(struct lwp *l)
{

	if (l->magic != FK_LWP_MAGIC)
		fk_violation("lwp %p corrupted", (void *)l);
	l->magic = 0;
	__atomic_sub_fetch(&lwplive, 1, __ATOMIC_SEQ_CST);
	h_free(l);
}

int
fk_lwps_live(void)
{

	return __atomic_load_n(&lwplive, __ATOMIC_SEQ_CST);
}

struct lwp *
fk_curlwp(void)
{
	struct lwp *l = rumpuser_curlwp();

	if (l != NULL && l->magic != FK_LWP_MAGIC)
		fk_violation(
		    "rumpuser_curlwp() returned %p, not an lwp", (void *)l);
	return l;
}

static void
lwp_drop(struct fk_thr *t, struct lwp *l)
{

	rumpuser_curlwpop(RUMPUSER_LWP_CLEAR, l);
	if (l == t->temp || t->release_lwp) {
		rumpuser_curlwpop(RUMPUSER_LWP_DESTROY, l);
		if (l == t->temp)
			t->temp = NULL;
		t->release_lwp = false;
		fk_lwp_free(l);
	}
}

/* --- upcalls ------------------------------------------------------------ */

static void
up_schedule(void)
{
	struct fk_thr *t = self();
	struct lwp *l;

	if (t->cpu != -1)
		fk_violation("hyp_schedule while holding cpu%d", t->cpu);
	else
		cpu_get(t, true);
	if (fk_curlwp() == NULL) {
		l = fk_lwp_new("temp");
		l->temp = true;
		rumpuser_curlwpop(RUMPUSER_LWP_CREATE, l);
		rumpuser_curlwpop(RUMPUSER_LWP_SET, l);
		t->temp = l;
	}
}

static void
up_unschedule(void)
{
	struct fk_thr *t = self();
	struct lwp *l;

	if (t->cpu == -1) {
		fk_violation("hyp_unschedule without a CPU");
		return;
	}
	if (fk_giant_held())
		fk_violation("hyp_unschedule holding the giant lock");
	l = fk_curlwp();
	if (l != NULL && (l == t->temp || t->release_lwp))
		lwp_drop(t, l);
	cpu_put(t);
}

static void
up_backend_unschedule(int nlocks, int *countp, void *interlock)
{
	struct fk_thr *t = self();
	int had;

	if (t->forbid != NULL)
		fk_violation("%s released the CPU", t->forbid);
	if (t->cpu == -1) {
		fk_violation("backend_unschedule without a CPU");
		if (countp != NULL)
			*countp = 0;
		return;
	}
	if (fk_curlwp() == NULL)
		fk_violation("backend_unschedule on a thread with no lwp");
	had = giant_unlock(t, nlocks);
	if (countp != NULL)
		*countp = had;
	/*
	 * Holds are a count per lwp, as in rumpkern: a hypercall may take
	 * some back at a later schedule (HC's fk_after checks that all are
	 * back when it returns), never more than it released.
	 */
	t->released += nlocks == 0 ? had : nlocks;
	t->last_interlock = interlock;
	if (interlock != NULL && interlock == schedmtx)
		rumpuser_mutex_enter_nowrap(schedmtx);
	__atomic_add_fetch(&t->nunsched, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&t->inhc, 1, __ATOMIC_SEQ_CST);
	cpu_put(t);
}

static void
up_backend_schedule(int nlocks, void *interlock)
{
	struct fk_thr *t = self();

	if (schedhook != NULL)
		schedhook(nlocks, interlock);
	if (t->cpu != -1) {
		fk_violation("backend_schedule while holding cpu%d", t->cpu);
		if (interlock != NULL && interlock == schedmtx)
			rumpuser_mutex_exit(schedmtx);
		return;
	}
	if (fk_curlwp() == NULL)
		fk_violation("backend_schedule on a thread with no lwp"
			     " (a host thread needs hyp_lwproc_newlwp first)");
	if (__atomic_load_n(&t->inhc, __ATOMIC_SEQ_CST)) {
		if (nlocks > t->released)
			fk_violation("backend_schedule(nlocks %d), but"
				     " backend_unschedule released %d",
			    nlocks, t->released);
		else
			t->released -= nlocks;
	} else if (nlocks > t->released) {
		fk_violation("backend_schedule(nlocks %d) on a thread that"
			     " released %d",
		    nlocks, t->released);
	}
	__atomic_store_n(&t->inhc, 0, __ATOMIC_SEQ_CST);
	if (interlock != NULL && interlock == schedmtx) {
		/* A pure SPIN interlock is relocked before the CPU. */
		if (rumpuser_mutex_tryenter(schedmtx) == 0)
			fk_violation(
			    "scheduler interlock not held at"
			    " backend_schedule (a pure SPIN interlock is"
			    " reacquired before the CPU)");
		if (cpu_get(t, false)) {
			rumpuser_mutex_exit(schedmtx);
		} else {
			rumpuser_mutex_exit(schedmtx);
			cpu_get(t, true);
		}
	} else {
		cpu_get(t, true);
	}
	__atomic_add_fetch(&t->nsched, 1, __ATOMIC_SEQ_CST);
	if (nlocks > 0)
		giant_lock(t, nlocks);
}

static void
up_lwproc_switch(struct lwp *l)
{
	struct fk_thr *t = self();
	struct lwp *old;

	if (t->cpu == -1)
		fk_violation("hyp_lwproc_switch without a CPU");
	if (l != NULL && l->magic != FK_LWP_MAGIC)
		fk_violation("hyp_lwproc_switch to a non-lwp %p", (void *)l);
	if ((old = fk_curlwp()) != NULL)
		lwp_drop(t, old);
	if (l != NULL)
		rumpuser_curlwpop(RUMPUSER_LWP_SET, l);
}

static void
up_lwproc_release(void)
{
	struct fk_thr *t = self();

	if (t->cpu == -1)
		fk_violation("hyp_lwproc_release without a CPU");
	t->release_lwp = true;
}

static int
up_lwproc_newlwp(pid_t pid)
{
	struct fk_thr *t = self();
	struct lwp *l;

	(void)pid;
	if (t->cpu == -1)
		fk_violation("hyp_lwproc_newlwp without a CPU");
	l = fk_lwp_new("newlwp");
	rumpuser_curlwpop(RUMPUSER_LWP_CREATE, l);
	up_lwproc_switch(l);
	return 0;
}

static struct lwp *
up_lwproc_curlwp(void)
{

	if (self()->cpu == -1)
		fk_violation("hyp_lwproc_curlwp without a CPU");
	return fk_curlwp();
}

static int
up_rfork(void *p, int f, const char *c)
{

	(void)p;
	(void)f;
	(void)c;
	fk_violation("hyp_lwproc_rfork called (syscall proxy only)");
	return 78;
}

static int
up_syscall(int n, void *a, long *r)
{

	(void)n;
	(void)a;
	(void)r;
	fk_violation("hyp_syscall called (syscall proxy only)");
	return 78;
}

static void
up_lwpexit(void)
{

	fk_violation("hyp_lwpexit called (syscall proxy only)");
}

static void
up_execnotify(const char *c)
{

	(void)c;
	fk_violation("hyp_execnotify called (syscall proxy only)");
}

static pid_t
up_getpid(void)
{

	return 1;
}

/* --- boot and threads ----------------------------------------------------- */

static void
fill(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	h_tls_init(thr_dtor);
	cpulock = h_lock_new();
	cpucv = h_cond_new();
	hyp.hyp_schedule = up_schedule;
	hyp.hyp_unschedule = up_unschedule;
	hyp.hyp_backend_unschedule = up_backend_unschedule;
	hyp.hyp_backend_schedule = up_backend_schedule;
	hyp.hyp_lwproc_switch = up_lwproc_switch;
	hyp.hyp_lwproc_release = up_lwproc_release;
	hyp.hyp_lwproc_rfork = up_rfork;
	hyp.hyp_lwproc_newlwp = up_lwproc_newlwp;
	hyp.hyp_lwproc_curlwp = up_lwproc_curlwp;
	hyp.hyp_syscall = up_syscall;
	hyp.hyp_lwpexit = up_lwpexit;
	hyp.hyp_execnotify = up_execnotify;
	hyp.hyp_getpid = up_getpid;
}

int
fk_init_only(int version)
{

	fill();
	if (ncpu == 0)
		ncpu = 1;
	(void)thr_named("main");
	return rumpuser_init(version, &hyp);
}

const struct rumpuser_hyperup *
fk_hyp(void)
{

	fill();
	return &hyp;
}

int
fk_ncpu(void)
{

	return ncpu;
}

void
fk_boot(int n)
{
	int rv;

	if (n < 1 || n > FK_MAXCPU)
		n = 2;
	ncpu = n;
	rv = fk_init_only(RUMPUSER_VERSION);
	REQUIREF(rv == 0, "rumpuser_init(%d) = %d", RUMPUSER_VERSION, rv);
	rumpuser_mutex_init(&giant, RUMPUSER_MTX_SPIN);
	rumpuser_mutex_init(&schedmtx, RUMPUSER_MTX_SPIN);
	fk_enter("main");
}

void
fk_finish(void)
{
	struct fk_thr *t = self();

	if (t->cpu == -1) {
		fk_violation("test ended without a CPU");
		return;
	}
	if (fk_giant_held())
		giant_unlock(t, 0);
	up_unschedule();
}

void
fk_enter(const char *name)
{
	struct fk_thr *t = thr_named(name);

	h_snprintf(t->name, sizeof(t->name), "%s", name);
	up_schedule();
}

void
fk_leave(void)
{

	up_unschedule();
}

static void
fk_thread_main(void *arg)
{
	struct fk_thread *ft = arg;

	fk_enter(ft->name);
	__atomic_store_n(&ft->thr, self(), __ATOMIC_SEQ_CST);
	ft->fn(ft->arg);
	if (fk_giant_held())
		giant_unlock(self(), 0);
	if (self()->cpu == -1)
		fk_violation("thread body ended without a CPU");
	else
		fk_leave();
	__atomic_store_n(&ft->done, 1, __ATOMIC_SEQ_CST);
}

struct fk_thread *
fk_spawn(const char *name, void (*fn)(void *), void *arg)
{
	struct fk_thread *ft = h_malloc(sizeof(*ft));

	h_snprintf(ft->name, sizeof(ft->name), "%s", name);
	ft->fn = fn;
	ft->arg = arg;
	ft->ht = h_thread_start(fk_thread_main, ft);
	return ft;
}

/* Release the CPU (and giant) around a host-side wait of the fake's. */
static int
fk_out(void)
{
	struct fk_thr *t = self();
	int had;

	had = giant_unlock(t, 0);
	cpu_put(t);
	return had;
}

static void
fk_in(int had)
{
	struct fk_thr *t = self();

	cpu_get(t, true);
	if (had)
		giant_lock(t, had);
}

void
fk_join(struct fk_thread *ft)
{
	int had;

	had = fk_out();
	h_thread_wait(ft->ht);
	fk_in(had);
	h_free(ft);
}

bool
fk_done(const struct fk_thread *ft)
{

	return __atomic_load_n(&ft->done, __ATOMIC_SEQ_CST) != 0;
}

bool
fk_blocked(const struct fk_thread *ft)
{
	struct fk_thr *t = __atomic_load_n(&ft->thr, __ATOMIC_SEQ_CST);

	return t != NULL && __atomic_load_n(&t->inhc, __ATOMIC_SEQ_CST);
}

unsigned
fk_thread_unscheds(const struct fk_thread *ft)
{
	struct fk_thr *t = __atomic_load_n(&ft->thr, __ATOMIC_SEQ_CST);

	return t == NULL ? 0 : __atomic_load_n(&t->nunsched, __ATOMIC_SEQ_CST);
}

bool
fk_settle(bool (*pred)(void *), void *arg)
{
	uint64_t limit = h_mono_ns() + TOL_SETTLE_NS;
	bool ok;
	int had;

	had = fk_out();
	while (!(ok = pred(arg)) && h_mono_ns() < limit)
		h_sleep_ns(TOL_MS / 2);
	fk_in(had);
	return ok;
}

bool
fk_pred_flag(void *arg)
{

	return __atomic_load_n((int *)arg, __ATOMIC_SEQ_CST) != 0;
}

bool
fk_pred_blocked(void *arg)
{

	return fk_blocked(arg);
}

int
fk_threads_settled(void)
{
	uint64_t limit = h_mono_ns() + TOL_SETTLE_NS;
	int n, prev = -1, stable = 0, had;

	had = fk_out();
	while (h_mono_ns() < limit && stable < 20) {
		if (!h_thread_count(&n)) {
			n = -1;
			break;
		}
		stable = n == prev ? stable + 1 : 0;
		prev = n;
		h_sleep_ns(5 * TOL_MS);
	}
	fk_in(had);
	return n;
}

void
fk_pause(uint64_t ns)
{
	int had;

	had = fk_out();
	h_sleep_ns(ns);
	fk_in(had);
}

bool
fk_have_cpu(void)
{

	return self()->cpu != -1;
}

unsigned
fk_unscheds(void)
{

	return self()->nunsched;
}

void *
fk_last_interlock(void)
{

	return self()->last_interlock;
}

struct rumpuser_mtx *
fk_schedmtx(void)
{

	return schedmtx;
}

struct rumpuser_mtx *
fk_giant(void)
{

	return giant;
}

void
fk_forbid_unsched(const char *why)
{

	self()->forbid = why;
}

void
fk_allow_unsched(void)
{

	self()->forbid = NULL;
}

void
fk_set_sched_hook(void (*fn)(int, void *))
{

	schedhook = fn;
}

int
fk_after(int giantbefore, int rv, const char *what, const char *file, int line)
{
	struct fk_thr *t = self();

	if (t->cpu == -1 || t->inhc)
		fk_violation(
		    "%s:%d: %s returned without a CPU", file, line, what);
	if (fk_giant_held() != giantbefore)
		fk_violation("%s:%d: %s returned with %d giant holds, not %d",
		    file, line, what, fk_giant_held(), giantbefore);
	return rv;
}
