/*
 * Mutants: an LD_PRELOAD shim that breaks one rule of the rumpuser(3)
 * contract in whatever librumpuser.so.0 is under it, chosen by
 * RHCONF_MUTANT=<name>, so that run.sh can show each conformance test
 * failing when the behaviour it checks is broken.  Not part of rhconf
 * (the Makefile compiles only tests/conformance/*.c).  POSIX/glibc only.
 */
#include <sys/types.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rumpuser.h>

#define EXPORT __attribute__((__visibility__("default")))
#define REAL(f)                                                                \
	static __typeof__(f) *real_##f;                                        \
	if (real_##f == NULL)                                                  \
	real_##f = (__typeof__(f) *)dlsym(RTLD_NEXT, #f)

static struct rumpuser_hyperup realhyp, myhyp;
static __thread int suppress;
static __thread int nullil;

static int
is(const char *name)
{
	const char *m = getenv("RHCONF_MUTANT");

	return m != NULL && strcmp(m, name) == 0;
}

static void
m_unsched(int n, int *c, void *il)
{

	if (suppress) {
		if (c != NULL)
			*c = 0;
		return;
	}
	realhyp.hyp_backend_unschedule(n, c, nullil ? NULL : il);
}

static void
m_sched(int n, void *il)
{

	if (suppress)
		return;
	if (is("wrong_nlocks") && n > 0)
		n--;
	realhyp.hyp_backend_schedule(n, nullil ? NULL : il);
}

EXPORT int
rumpuser_init(int v, const struct rumpuser_hyperup *h)
{
	REAL(rumpuser_init);

	realhyp = *h;
	myhyp = *h;
	myhyp.hyp_backend_unschedule = m_unsched;
	myhyp.hyp_backend_schedule = m_sched;
	return real_rumpuser_init(v, &myhyp);
}

/* --- scheduling ------------------------------------------------------- */

EXPORT int
rumpuser_thread_join(void *c)
{
	REAL(rumpuser_thread_join);
	int rv;

	if (is("join_no_wait"))
		return 0;
	suppress = is("join_keeps_cpu");
	rv = real_rumpuser_thread_join(c);
	suppress = 0;
	return rv;
}

EXPORT int
rumpuser_clock_sleep(int clk, int64_t sec, long nsec)
{
	REAL(rumpuser_clock_sleep);
	int64_t t;
	int rv, n;

	suppress = is("sleep_keeps_cpu");
	if (is("sleep_short") && clk == RUMPUSER_CLOCK_RELWALL) {
		t = (sec * 1000000000 + nsec) / 2;
		sec = t / 1000000000;
		nsec = (long)(t % 1000000000);
	}
	if (is("abs_early") && clk == RUMPUSER_CLOCK_ABSMONO) {
		t = sec * 1000000000 + nsec - 50000000;
		sec = t / 1000000000;
		nsec = (long)(t % 1000000000);
	}
	rv = real_rumpuser_clock_sleep(clk, sec, nsec);
	suppress = 0;
	if (is("sleep_no_resched"))
		realhyp.hyp_backend_unschedule(0, &n, NULL);
	return rv;
}

static struct {
	struct rumpuser_mtx *m;
	int flags;
} mtab[4096];

EXPORT void
rumpuser_mutex_init(struct rumpuser_mtx **mp, int flags)
{
	REAL(rumpuser_mutex_init);
	size_t i;

	real_rumpuser_mutex_init(mp, flags);
	i = ((uintptr_t)*mp >> 4) % 4096;
	mtab[i].m = *mp;
	mtab[i].flags = flags;
}

EXPORT void
rumpuser_mutex_enter(struct rumpuser_mtx *m)
{
	REAL(rumpuser_mutex_enter);
	size_t i = ((uintptr_t)m >> 4) % 4096;
	int n;

	if (is("spin_unschedules") && mtab[i].m == m &&
	    (mtab[i].flags & RUMPUSER_MTX_SPIN)) {
		realhyp.hyp_backend_unschedule(0, &n, NULL);
		realhyp.hyp_backend_schedule(n, NULL);
	}
	suppress = is("mutex_keeps_cpu");
	real_rumpuser_mutex_enter(m);
	suppress = 0;
}

EXPORT void
rumpuser_mutex_enter_nowrap(struct rumpuser_mtx *m)
{
	REAL(rumpuser_mutex_enter_nowrap);
	int n;

	if (is("nowrap_unschedules")) {
		realhyp.hyp_backend_unschedule(0, &n, NULL);
		realhyp.hyp_backend_schedule(n, NULL);
	}
	real_rumpuser_mutex_enter_nowrap(m);
}

EXPORT void
rumpuser_mutex_destroy(struct rumpuser_mtx *m)
{
	REAL(rumpuser_mutex_destroy);

	if (!is("leak_mutex"))
		real_rumpuser_mutex_destroy(m);
}

EXPORT int
rumpuser_mutex_tryenter(struct rumpuser_mtx *m)
{
	REAL(rumpuser_mutex_tryenter);
	int rv, n;

	if (is("tryenter_unschedules")) {
		realhyp.hyp_backend_unschedule(0, &n, NULL);
		realhyp.hyp_backend_schedule(n, NULL);
	}
	rv = real_rumpuser_mutex_tryenter(m);

	if (is("tryenter_errno") && rv != 0)
		return 11;
	return rv;
}

EXPORT void
rumpuser_mutex_owner(struct rumpuser_mtx *m, struct lwp **l)
{
	REAL(rumpuser_mutex_owner);

	real_rumpuser_mutex_owner(m, l);
	if (is("owner_null"))
		*l = NULL;
}

/* --- rwlocks --------------------------------------------------------- */

EXPORT void
rumpuser_rw_held(int op, struct rumpuser_rw *rw, int *held)
{
	REAL(rumpuser_rw_held);
	REAL(rumpuser_rw_tryenter);
	REAL(rumpuser_rw_exit);

	if (is("rw_held_anyone") && op == RUMPUSER_RW_WRITER) {
		/* "held as writer" = "not enterable as reader" */
		if (real_rumpuser_rw_tryenter(RUMPUSER_RW_READER, rw) == 0) {
			real_rumpuser_rw_exit(rw);
			*held = 0;
		} else {
			*held = 1;
		}
		return;
	}
	real_rumpuser_rw_held(op, rw, held);
}

EXPORT void
rumpuser_rw_downgrade(struct rumpuser_rw *rw)
{
	REAL(rumpuser_rw_downgrade);
	REAL(rumpuser_rw_exit);
	REAL(rumpuser_rw_enter);
	struct timespec ts = {0, 20 * 1000 * 1000};
	int n;

	if (!is("downgrade_gap")) {
		real_rumpuser_rw_downgrade(rw);
		return;
	}
	real_rumpuser_rw_exit(rw);
	realhyp.hyp_backend_unschedule(0, &n, NULL);
	nanosleep(&ts, NULL);
	realhyp.hyp_backend_schedule(n, NULL);
	real_rumpuser_rw_enter(RUMPUSER_RW_READER, rw);
}

/* --- condition variables ------------------------------------------------ */

EXPORT void
rumpuser_cv_wait(struct rumpuser_cv *cv, struct rumpuser_mtx *m)
{
	REAL(rumpuser_cv_wait);

	nullil = is("cv_no_interlock");
	real_rumpuser_cv_wait(cv, m);
	nullil = 0;
}

EXPORT int
rumpuser_cv_timedwait(
    struct rumpuser_cv *cv, struct rumpuser_mtx *m, int64_t sec, int64_t nsec)
{
	REAL(rumpuser_cv_timedwait);
	int64_t t;
	int rv;

	if (is("timedwait_short")) {
		t = (sec * 1000000000 + nsec) / 2;
		sec = t / 1000000000;
		nsec = t % 1000000000;
	}
	rv = real_rumpuser_cv_timedwait(cv, m, sec, nsec);
	if (is("timedwait_errno") && rv == 60)
		rv = ETIMEDOUT;
	return rv;
}

EXPORT void
rumpuser_cv_has_waiters(struct rumpuser_cv *cv, int *n)
{
	REAL(rumpuser_cv_has_waiters);

	real_rumpuser_cv_has_waiters(cv, n);
	if (is("has_waiters_zero"))
		*n = 0;
}

/* --- curlwp ---------------------------------------------------------- */

static struct lwp *globallwp;

EXPORT void
rumpuser_curlwpop(int op, struct lwp *l)
{
	REAL(rumpuser_curlwpop);

	if (is("curlwp_global")) {
		if (op == RUMPUSER_LWP_SET)
			globallwp = l;
		else if (op == RUMPUSER_LWP_CLEAR)
			globallwp = NULL;
		return;
	}
	real_rumpuser_curlwpop(op, l);
}

EXPORT struct lwp *
rumpuser_curlwp(void)
{
	REAL(rumpuser_curlwp);

	if (is("curlwp_global"))
		return globallwp;
	return real_rumpuser_curlwp();
}

/* --- misc ------------------------------------------------------------ */

EXPORT int
rumpuser_getrandom(void *buf, size_t len, int flags, size_t *ret)
{
	REAL(rumpuser_getrandom);

	if (is("random_constant")) {
		memset(buf, 0x42, len);
		*ret = len;
		return 0;
	}
	if (is("random_zero_success")) {
		*ret = 0;
		return 0;
	}
	return real_rumpuser_getrandom(buf, len, flags, ret);
}

EXPORT int
rumpuser_clock_gettime(int clk, int64_t *sec, long *nsec)
{
	REAL(rumpuser_clock_gettime);
	static unsigned calls;
	int rv;

	if (is("relwall_mono"))
		clk = RUMPUSER_CLOCK_ABSMONO;
	rv = real_rumpuser_clock_gettime(clk, sec, nsec);
	if (is("mono_backwards") && clk == RUMPUSER_CLOCK_ABSMONO &&
	    ++calls % 1000 == 0 && *sec > 0)
		(*sec)--;
	return rv;
}

EXPORT int
rumpuser_open(const char *path, int flags, int *fd)
{
	REAL(rumpuser_open);
	int rv;

	if (is("open_noexcl"))
		flags &= ~RUMPUSER_OPEN_EXCL;
	rv = real_rumpuser_open(path, flags, fd);
	if (is("errno_host")) {
		if (rv == 62)
			rv = ELOOP;
		if (rv == 63)
			rv = ENAMETOOLONG;
	}
	return rv;
}

EXPORT int
rumpuser_getfileinfo(const char *path, uint64_t *size, int *type)
{
	REAL(rumpuser_getfileinfo);
	int rv = real_rumpuser_getfileinfo(path, size, type);

	if (is("fileinfo_type") && type != NULL)
		*type = RUMPUSER_FT_REG;
	return rv;
}

EXPORT int
rumpuser_iovwrite(int fd, const struct rumpuser_iovec *iov, size_t n,
    int64_t off, size_t *ret)
{
	REAL(rumpuser_iovwrite);

	if (is("iov_noseek_offset0") && off == RUMPUSER_IOV_NOSEEK)
		off = 0;
	return real_rumpuser_iovwrite(fd, iov, n, off, ret);
}

EXPORT void
rumpuser_seterrno(int e)
{
	REAL(rumpuser_seterrno);

	if (!is("seterrno_noop"))
		real_rumpuser_seterrno(e);
}

struct bw {
	rump_biodone_fn fn;
	void *arg;
};

static void
biowrap(void *arg, size_t len, int err)
{
	struct bw w = *(struct bw *)arg;
	int n;

	free(arg);
	if (is("bio_twice")) {
		w.fn(w.arg, len, err);
		w.fn(w.arg, len, err);
	} else if (is("bio_nocpu")) {
		realhyp.hyp_backend_unschedule(0, &n, NULL);
		w.fn(w.arg, len, err);
		realhyp.hyp_backend_schedule(n, NULL);
	} else if (is("bio_wrong_len")) {
		w.fn(w.arg, len / 2, err);
	} else {
		w.fn(w.arg, len, err);
	}
}

EXPORT void
rumpuser_bio(int fd, int op, void *data, size_t len, int64_t off,
    rump_biodone_fn fn, void *arg)
{
	REAL(rumpuser_bio);
	struct bw *w = malloc(sizeof(*w));

	w->fn = fn;
	w->arg = arg;
	real_rumpuser_bio(fd, op, data, len, off, biowrap, w);
}

EXPORT void
rumpuser_cv_signal(struct rumpuser_cv *cv)
{
	REAL(rumpuser_cv_signal);
	static unsigned n;

	if (is("signal_lost") &&
	    __atomic_add_fetch(&n, 1, __ATOMIC_RELAXED) % 20000 == 0)
		return;
	real_rumpuser_cv_signal(cv);
}
