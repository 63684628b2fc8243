/*
 * host_posix: unit tests of the POSIX host, through <rumphost/host.h>
 * alone, linked with librumpuser.a.  Prints TAP.
 *
 * The core's rumphost_thread_gone() is what the archive provides, so no
 * test thread ends with a non-NULL slot: the core would take a test
 * pointer for one of its own.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#define MS  1000000ull
#define SEC (1000 * MS)

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			printf("# %s:%d: %s\n", __FILE__, __LINE__, #c);       \
			return 0;                                              \
		}                                                              \
	} while (0)

static char tmpdir[64];

static uint64_t
now(void)
{

	return rumphost_host_mono_ns();
}

/*
 * Wait, parked, until *v reaches want or 10 s pass.  Workers unpark the
 * main thread after every change they make.
 */
static int
waitfor(atomic_int *v, int want)
{
	uint64_t limit = now() + 10 * SEC;

	while (atomic_load(v) != want) {
		if (now() > limit)
			return 0;
		(void)rumphost_host_park(now() + 100 * MS);
	}
	return 1;
}

/* --- init, memory, clocks ---------------------------------------------- */

static int
t_init(void)
{
	struct rumphost_host_info hi;
	long pages, pagesz;

	memset(&hi, 0xa5, sizeof(hi));
	CHECK(rumphost_host_init(&hi) == 0);
	CHECK(hi.hi_version == RUMPHOST_HOST_VERSION);
	CHECK(hi.hi_ncpu >= 1 && hi.hi_ncpu <= 65536);
	CHECK(hi.hi_minalign >= 2 * sizeof(void *));
	CHECK((hi.hi_minalign & (hi.hi_minalign - 1)) == 0);
	CHECK(hi.hi_name != NULL && strcmp(hi.hi_name, "posix") == 0);
	pages = sysconf(_SC_PHYS_PAGES);
	pagesz = sysconf(_SC_PAGESIZE);
	CHECK(hi.hi_membudget <= (uint64_t)pages * (uint64_t)pagesz);
	printf("# ncpu %u, membudget %llu MiB, minalign %zu\n", hi.hi_ncpu,
	    (unsigned long long)(hi.hi_membudget >> 20), hi.hi_minalign);
	return 1;
}

static int
t_alloc(void)
{
	static const size_t sizes[] = {1, 7, 16, 100, 4096, 4097, 1 << 20};
	struct rumphost_host_info hi;
	unsigned char *p;
	size_t i;

	CHECK(rumphost_host_init(&hi) == 0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		CHECK((p = rumphost_host_alloc(sizes[i])) != NULL);
		CHECK((uintptr_t)p % hi.hi_minalign == 0);
		memset(p, 0x5a, sizes[i]);
		rumphost_host_free(p, sizes[i]);
	}
	return 1;
}

static int
t_map(void)
{
	size_t len = 3 * (size_t)sysconf(_SC_PAGESIZE), i;
	unsigned char *p;
	void *v;
	int r;

	CHECK(rumphost_host_map(len, 0, &v) == 0);
	p = v;
	CHECK((uintptr_t)p % (size_t)sysconf(_SC_PAGESIZE) == 0);
	for (i = 0; i < len; i++)
		CHECK(p[i] == 0);
	memset(p, 1, len);
	rumphost_host_unmap(p, len);
	r = rumphost_host_map(len, 1, &v);
	CHECK(r == 0 || r == RH_EOPNOTSUPP);
	if (r == 0)
		rumphost_host_unmap(v, len);
	return 1;
}

static int
t_clock(void)
{
	uint64_t a, b;
	int64_t sec;
	long nsec;

	a = now();
	b = now();
	CHECK(b >= a);
	CHECK(rumphost_host_wall(&sec, &nsec) == 0);
	CHECK(sec > 1600000000 && nsec >= 0 && nsec < 1000000000);
	return 1;
}

/* hi_mono_ts is the monotonic clock of mono_ns, split. */
static int
t_clock_ts(void)
{
	struct rumphost_host_info hi;
	uint64_t a, b, ts;
	int64_t sec;
	long nsec;

	memset(&hi, 0, sizeof(hi));
	CHECK(rumphost_host_init(&hi) == 0);
	CHECK(hi.hi_mono_ts != NULL);
	a = now();
	CHECK(hi.hi_mono_ts(&sec, &nsec) == 0);
	b = now();
	CHECK(sec >= 0 && nsec >= 0 && nsec < 1000000000);
	ts = (uint64_t)sec * 1000000000u + (uint64_t)nsec;
	CHECK(a <= ts && ts <= b);
	return 1;
}

/* hi_single_threaded, where there is one, is set only while one thread. */
static void *
nothing(void *arg)
{

	return arg;
}

static int
t_single_threaded(void)
{
	struct rumphost_host_info hi;
	pthread_t t;

	memset(&hi, 0, sizeof(hi));
	CHECK(rumphost_host_init(&hi) == 0);
	if (hi.hi_single_threaded == NULL) {
		printf("# SKIP: no single-thread flag in this C library\n");
		return 1;
	}
	CHECK(pthread_create(&t, NULL, nothing, NULL) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(*hi.hi_single_threaded == 0);
	return 1;
}

/* --- park and unpark ------------------------------------------------------ */

static int
t_park_timeout(void)
{
	uint64_t dl, after;

	dl = now() + 50 * MS;
	CHECK(rumphost_host_park(dl) == RH_ETIMEDOUT);
	after = now();
	CHECK(after >= dl);
	/* A deadline already past times out at once. */
	CHECK(rumphost_host_park(1) == RH_ETIMEDOUT);
	return 1;
}

static int
t_unpark_first(void)
{
	struct rumphost_hthread *me = rumphost_host_thread_self();
	uint64_t t0;

	CHECK(me != NULL && me == rumphost_host_thread_self());
	rumphost_host_unpark(me);
	rumphost_host_unpark(me); /* tokens do not add up */
	t0 = now();
	CHECK(rumphost_host_park(t0 + 5 * SEC) == 0);
	CHECK(now() - t0 < 1 * SEC);
	/* The token was consumed: the next park waits for its deadline. */
	CHECK(rumphost_host_park(now() + 20 * MS) == RH_ETIMEDOUT);
	return 1;
}

struct parker {
	struct rumphost_hthread *p_main;
	_Atomic(struct rumphost_hthread *) p_self;
	atomic_int p_state;
	int p_result;
	uint64_t p_elapsed;
};

static void
parkworker(void *arg)
{
	struct parker *p = arg;
	uint64_t t0;

	atomic_store(&p->p_self, rumphost_host_thread_self());
	t0 = now();
	p->p_result = rumphost_host_park(t0 + 5 * SEC);
	p->p_elapsed = now() - t0;
	atomic_store(&p->p_state, 1);
	rumphost_host_unpark(p->p_main);
}

static int
t_cross_unpark(void)
{
	struct parker p;
	uint64_t limit;

	memset(&p, 0, sizeof(p));
	p.p_main = rumphost_host_thread_self();
	CHECK(
	    rumphost_host_thread_create(parkworker, &p, "parker", 0, -1) == 0);
	limit = now() + 5 * SEC;
	while (atomic_load(&p.p_self) == NULL && now() < limit)
		rumphost_host_yield();
	CHECK(atomic_load(&p.p_self) != NULL);
	usleep(20000); /* let it fall asleep */
	rumphost_host_unpark(atomic_load(&p.p_self));
	CHECK(waitfor(&p.p_state, 1));
	CHECK(p.p_result == 0);
	CHECK(p.p_elapsed < 4 * SEC);
	return 1;
}

/* --- threads, slot, lock ---------------------------------------------- */

struct tlsarg {
	struct rumphost_hthread *t_main;
	atomic_int t_state;
	void *t_initial, *t_after;
	char t_name[32];
};

static void
tlsworker(void *arg)
{
	struct tlsarg *a = arg;
	int dummy;

	a->t_initial = rumphost_host_tls_get();
	rumphost_host_tls_set(&dummy);
	a->t_after = rumphost_host_tls_get() == &dummy ? &dummy : NULL;
	rumphost_host_tls_set(NULL);
	(void)prctl(PR_GET_NAME, a->t_name, 0, 0, 0);
	atomic_store(&a->t_state, 1);
	rumphost_host_unpark(a->t_main);
	rumphost_host_thread_exit();
}

/*
 * Late unpark (host interface version 2): a handle stays valid after its
 * thread ended.  This port recycles the handle for the next thread, whose
 * park may then return spuriously, but must still return.
 */
static void *
handleworker(void *arg)
{

	*(struct rumphost_hthread **)arg = rumphost_host_thread_self();
	return NULL;
}

static void *
lateparker(void *arg)
{
	int *r = arg;

	r[0] = rumphost_host_park(now() + 20 * MS);
	return NULL;
}

static int
t_late_unpark(void)
{
	struct rumphost_hthread *h[20];
	pthread_t pt;
	int i, j, distinct, r[1] = {-1};

	/*
	 * One thread at a time, each unparked after it ended (under ASan a
	 * freed handle is a use-after-free).  Handles are recycled: at most
	 * a few distinct ones (other tests' threads may still be ending).
	 */
	for (i = 0, distinct = 0; i < 20; i++) {
		h[i] = NULL;
		CHECK(pthread_create(&pt, NULL, handleworker, &h[i]) == 0);
		CHECK(pthread_join(pt, NULL) == 0);
		CHECK(h[i] != NULL);
		rumphost_host_unpark(h[i]);
		for (j = 0; j < i && h[j] != h[i]; j++)
			continue;
		distinct += j == i;
	}
	CHECK(distinct <= 4);
	/* The next owner of a late-unparked handle: its park still returns. */
	CHECK(pthread_create(&pt, NULL, lateparker, r) == 0);
	CHECK(pthread_join(pt, NULL) == 0);
	CHECK(r[0] == 0 || r[0] == RH_ETIMEDOUT);
	return 1;
}

static int
t_tls(void)
{
	struct tlsarg a;
	int mine;

	memset(&a, 0, sizeof(a));
	a.t_main = rumphost_host_thread_self();
	rumphost_host_tls_set(&mine);
	CHECK(rumphost_host_tls_get() == &mine);
	CHECK(rumphost_host_thread_create(tlsworker, &a,
		  "rhunit-name-longer-than-fifteen", 0, -1) == 0);
	CHECK(waitfor(&a.t_state, 1));
	CHECK(a.t_initial == NULL);
	CHECK(a.t_after != NULL);
	CHECK(rumphost_host_tls_get() == &mine);
	rumphost_host_tls_set(NULL);
	CHECK(rumphost_host_tls_get() == NULL);
	/* The name was set from the thread, cut to the kernel's 15. */
	CHECK(strcmp(a.t_name, "rhunit-name-lon") == 0);
	return 1;
}

#define NLOCKERS 4
#define NLOOPS	 20000

struct lockarg {
	struct rumphost_hthread *l_main;
	struct rumphost_hlock *l_lock;
	long l_count;
	atomic_int l_done;
};

static void
lockworker(void *arg)
{
	struct lockarg *a = arg;
	int i;

	for (i = 0; i < NLOOPS; i++) {
		rumphost_host_lock_enter(a->l_lock);
		a->l_count++;
		rumphost_host_lock_exit(a->l_lock);
	}
	atomic_fetch_add(&a->l_done, 1);
	rumphost_host_unpark(a->l_main);
}

static int
t_lock(void)
{
	struct lockarg a;
	int i;

	memset(&a, 0, sizeof(a));
	a.l_main = rumphost_host_thread_self();
	CHECK(rumphost_host_lock_create(&a.l_lock) == 0);
	for (i = 0; i < NLOCKERS; i++)
		CHECK(rumphost_host_thread_create(
			  lockworker, &a, "locker", 0, i) == 0);
	CHECK(waitfor(&a.l_done, NLOCKERS));
	rumphost_host_lock_enter(a.l_lock);
	CHECK(a.l_count == (long)NLOCKERS * NLOOPS);
	rumphost_host_lock_exit(a.l_lock);
	rumphost_host_lock_destroy(a.l_lock);
	return 1;
}

/* --- files -------------------------------------------------------------- */

static char *
tpath(const char *name)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s/%s", tmpdir, name);
	return buf;
}

static int
t_open(void)
{
	const char *p = tpath("open");
	int fd, fd2;

	CHECK(rumphost_host_open(p, RUMPHOST_OPEN_RDWR, &fd) == RH_ENOENT);
	CHECK(rumphost_host_open(
		  p, RUMPHOST_OPEN_RDWR | RUMPHOST_OPEN_CREATE, &fd) == 0);
	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK(
	    rumphost_host_open(p,
		RUMPHOST_OPEN_RDWR | RUMPHOST_OPEN_CREATE | RUMPHOST_OPEN_EXCL,
		&fd2) == RH_EEXIST);
	CHECK(rumphost_host_close(fd) == 0);
	CHECK(rumphost_host_close(fd) == RH_EBADF);
	CHECK(rumphost_host_open(p, RUMPHOST_OPEN_RDONLY, &fd) == 0);
	CHECK(write(fd, "x", 1) == -1);
	CHECK(rumphost_host_close(fd) == 0);
	return 1;
}

static int
t_rwoffset(void)
{
	char a[] = "hello ", b[] = "world", r1[5], r2[10];
	struct rumphost_iovec wv[3] = {
	    {a, 6},
	    {b, 0},
	    {b, 5},
	};
	struct rumphost_iovec rv[2] = {{r1, 5}, {r2, 10}};
	uint64_t size;
	size_t done;
	int fd, type;

	CHECK(rumphost_host_open(tpath("rw"),
		  RUMPHOST_OPEN_RDWR | RUMPHOST_OPEN_CREATE, &fd) == 0);
	CHECK(rumphost_host_pwritev(fd, wv, 3, 100, &done) == 0);
	CHECK(done == 11);
	CHECK(rumphost_host_fileinfo(tpath("rw"), &size, &type) == 0);
	CHECK(size == 111 && type == RUMPHOST_FT_REG);
	/* Short only at end of file. */
	CHECK(rumphost_host_preadv(fd, rv, 2, 100, &done) == 0);
	CHECK(done == 11);
	CHECK(memcmp(r1, "hello", 5) == 0 && memcmp(r2, " world", 6) == 0);
	CHECK(rumphost_host_preadv(fd, rv, 2, 5000, &done) == 0);
	CHECK(done == 0);
	/* Explicit offsets leave the descriptor's position alone. */
	CHECK(lseek(fd, 0, SEEK_CUR) == 0);
	CHECK(rumphost_host_fsync(fd) == 0);
	CHECK(rumphost_host_preadv(-1, rv, 2, 0, &done) == RH_EBADF);
	CHECK(rumphost_host_close(fd) == 0);
	return 1;
}

static int
t_rwcurrent(void)
{
	char abc[] = "abc", de[] = "de", got[8];
	struct rumphost_iovec v;
	size_t done;
	int fd;

	CHECK(rumphost_host_open(tpath("cur"),
		  RUMPHOST_OPEN_RDWR | RUMPHOST_OPEN_CREATE, &fd) == 0);
	v.iov_base = abc;
	v.iov_len = 3;
	CHECK(rumphost_host_pwritev(fd, &v, 1, -1, &done) == 0 && done == 3);
	v.iov_base = de;
	v.iov_len = 2;
	CHECK(rumphost_host_pwritev(fd, &v, 1, -1, &done) == 0 && done == 2);
	CHECK(lseek(fd, 0, SEEK_CUR) == 5);
	CHECK(pread(fd, got, 5, 0) == 5 && memcmp(got, "abcde", 5) == 0);
	CHECK(lseek(fd, 1, SEEK_SET) == 1);
	v.iov_base = got;
	v.iov_len = 3;
	CHECK(rumphost_host_preadv(fd, &v, 1, -1, &done) == 0 && done == 3);
	CHECK(memcmp(got, "bcd", 3) == 0);
	CHECK(lseek(fd, 0, SEEK_CUR) == 4);
	CHECK(rumphost_host_close(fd) == 0);
	return 1;
}

/* More vectors than one system call takes, one byte each. */
static int
t_rwmany(void)
{
	enum { N = 300 };
	static struct rumphost_iovec v[N];
	static char wbuf[N], rbuf[N];
	size_t done, i;
	int fd;

	for (i = 0; i < N; i++) {
		wbuf[i] = (char)(i * 7 + 1);
		v[i].iov_base = &wbuf[i];
		v[i].iov_len = 1;
	}
	CHECK(rumphost_host_open(tpath("many"),
		  RUMPHOST_OPEN_RDWR | RUMPHOST_OPEN_CREATE, &fd) == 0);
	CHECK(rumphost_host_pwritev(fd, v, N, 4096, &done) == 0);
	CHECK(done == N);
	CHECK(pread(fd, rbuf, N, 4096) == N);
	CHECK(memcmp(rbuf, wbuf, N) == 0);
	memset(rbuf, 0, N);
	for (i = 0; i < N; i++)
		v[i].iov_base = &rbuf[N - 1 - i];
	CHECK(rumphost_host_preadv(fd, v, N, 4096, &done) == 0);
	CHECK(done == N);
	for (i = 0; i < N; i++)
		CHECK(rbuf[N - 1 - i] == wbuf[i]);
	CHECK(rumphost_host_close(fd) == 0);
	return 1;
}

static int
t_fileinfo(void)
{
	uint64_t size;
	int type;

	CHECK(rumphost_host_fileinfo(tmpdir, NULL, &type) == 0);
	CHECK(type == RUMPHOST_FT_DIR);
	CHECK(rumphost_host_fileinfo("/dev/null", &size, &type) == 0);
	CHECK(type == RUMPHOST_FT_CHR);
	CHECK(rumphost_host_fileinfo(tpath("none"), &size, &type) == RH_ENOENT);
	CHECK(rumphost_host_fileinfo(tmpdir, NULL, NULL) == 0);
	return 1;
}

/* The size of block device path from sysfs, or -1 if not openable. */
static int64_t
blksize(const char *path)
{
	char sys[128], num[32];
	struct stat st;
	FILE *f;
	int64_t size = -1;
	int fd;

	if (stat(path, &st) != 0 || !S_ISBLK(st.st_mode) ||
	    (fd = open(path, O_RDONLY)) == -1)
		return -1;
	close(fd);
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/size",
	    major(st.st_rdev), minor(st.st_rdev));
	if ((f = fopen(sys, "r")) == NULL)
		return -1;
	if (fgets(num, sizeof(num), f) != NULL)
		size = (int64_t)strtoull(num, NULL, 10) * 512;
	fclose(f);
	return size;
}

/* A block device this process can open, one with a size if any has. */
static int
findblk(char *path, size_t len, uint64_t *size)
{
	char p[300];
	struct dirent *d;
	int64_t sz, best = -1;
	DIR *dir;

	if ((dir = opendir("/dev")) == NULL)
		return 0;
	while (best <= 0 && (d = readdir(dir)) != NULL) {
		snprintf(p, sizeof(p), "/dev/%s", d->d_name);
		if ((sz = blksize(p)) > best) {
			best = sz;
			snprintf(path, len, "%s", p);
		}
	}
	closedir(dir);
	*size = (uint64_t)best;
	return best >= 0;
}

static int skipped;

static int
t_fileinfo_blk(void)
{
	char path[300];
	uint64_t want, size;
	int type;

	if (!findblk(path, sizeof(path), &want)) {
		skipped = 1;
		return 1;
	}
	printf("# %s: %llu bytes\n", path, (unsigned long long)want);
	CHECK(rumphost_host_fileinfo(path, &size, &type) == 0);
	CHECK(type == RUMPHOST_FT_BLK);
	CHECK(size == want);
	return 1;
}

/* --- errno, environment, process ----------------------------------------- */

static int
t_errno(void)
{

	CHECK(rumphost_host_errno(0) == 0);
	CHECK(rumphost_host_errno(ENOENT) == 2);
	CHECK(rumphost_host_errno(EAGAIN) == 35);
	CHECK(rumphost_host_errno(EDEADLK) == 11);
	CHECK(rumphost_host_errno(ETIMEDOUT) == 60);
	CHECK(rumphost_host_errno(ENOSYS) == 78);
	CHECK(rumphost_host_errno(ENAMETOOLONG) == 63);
	CHECK(rumphost_host_errno(EINPROGRESS) == 36);
	CHECK(rumphost_host_errno(ECONNREFUSED) == 61);
	CHECK(rumphost_host_errno(EOVERFLOW) == 84);
	/* Linux's one ENOTSUP/EOPNOTSUPP is NetBSD's EOPNOTSUPP. */
	CHECK(rumphost_host_errno(EOPNOTSUPP) == 45);
	CHECK(rumphost_host_errno(ENOTSUP) == 45);
	/* Unknown values are EIO. */
	CHECK(rumphost_host_errno(4000) == RH_EIO);
	CHECK(rumphost_host_errno(-1) == RH_EIO);
	rumphost_host_seterrno(RH_ETIMEDOUT);
	CHECK(errno == 60);
	return 1;
}

static int
t_getenv(void)
{
	char buf[16];

	CHECK(setenv("RHUNIT_VAR", "hello", 1) == 0);
	CHECK(rumphost_host_getenv("RHUNIT_VAR", buf, 6) == 0);
	CHECK(strcmp(buf, "hello") == 0);
	CHECK(rumphost_host_getenv("RHUNIT_VAR", buf, 5) == RH_ERANGE);
	CHECK(unsetenv("RHUNIT_VAR") == 0);
	CHECK(
	    rumphost_host_getenv("RHUNIT_VAR", buf, sizeof(buf)) == RH_ENOENT);
	return 1;
}

static int
t_hostname(void)
{
	char buf[512], want[64], small[8];

	CHECK(rumphost_host_hostname(buf, sizeof(buf)) == 0);
	snprintf(want, sizeof(want), "rump-%ld.", (long)getpid());
	CHECK(strncmp(buf, want, strlen(want)) == 0);
	CHECK(strlen(buf) > strlen(want));
	memset(small, 'x', sizeof(small));
	CHECK(rumphost_host_hostname(small, sizeof(small)) == RH_ERANGE);
	CHECK(strlen(small) == sizeof(small) - 1);
	CHECK(strncmp(small, "rump-", 5) == 0);
	CHECK(rumphost_host_hostname(buf, 0) == RH_ERANGE);
	return 1;
}

static int
t_entropy(void)
{
	unsigned char a[32], b[32], zero[32];
	size_t got;

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	memset(zero, 0, sizeof(zero));
	CHECK(rumphost_host_entropy(a, sizeof(a), 0, &got) == 0);
	CHECK(got == sizeof(a));
	CHECK(rumphost_host_entropy(b, sizeof(b), 0, &got) == 0);
	CHECK(got == sizeof(b));
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	CHECK(memcmp(a, zero, sizeof(a)) != 0);
	got = 0;
	CHECK(rumphost_host_entropy(a, sizeof(a), 1, &got) == 0);
	CHECK(got > 0 && got <= sizeof(a));
	CHECK(rumphost_host_entropy(a, 0, 1, &got) == RH_EINVAL);
	return 1;
}

static volatile sig_atomic_t gotusr1, gotusr2;

static void
onusr(int sig)
{

	if (sig == SIGUSR1)
		gotusr1 = 1;
	if (sig == SIGUSR2)
		gotusr2 = 1;
}

static int
t_kill(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onusr;
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
	CHECK(sigaction(SIGUSR2, &sa, NULL) == 0);
	CHECK(rumphost_host_kill(-1, 30) == 0); /* NetBSD SIGUSR1 */
	CHECK(gotusr1 && !gotusr2);
	CHECK(rumphost_host_kill(-1, 31) == 0); /* NetBSD SIGUSR2 */
	CHECK(gotusr2);
	CHECK(rumphost_host_kill(-1, 0) == 0);
	CHECK(rumphost_host_kill(-1, 7) == RH_EINVAL);	/* SIGEMT */
	CHECK(rumphost_host_kill(-1, 29) == RH_EINVAL); /* SIGINFO */
	CHECK(rumphost_host_kill(-1, 64) == RH_EINVAL);
	CHECK(rumphost_host_kill(-1, -3) == RH_EINVAL);
	return 1;
}

static int capfd;
static char early[64];

/* Run fn with descriptor fd pointed at a file; return what was written. */
static int
capture(int fd, void (*fn)(void), char *out, size_t len)
{
	int save;
	ssize_t n;

	fflush(NULL);
	if ((capfd = open(
		 tpath("capture"), O_RDWR | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    (save = dup(fd)) == -1)
		return -1;
	dup2(capfd, fd);
	fn();
	fflush(NULL);
	dup2(save, fd);
	close(save);
	n = pread(capfd, out, len - 1, 0);
	close(capfd);
	if (n < 0)
		return -1;
	out[n] = '\0';
	return 0;
}

/* What the file holds right after console_write, before any flush. */
static void
peek(void)
{
	ssize_t n;

	n = pread(capfd, early, sizeof(early) - 1, 0);
	early[n > 0 ? n : 0] = '\0';
}

static void
writeout(void)
{

	printf("app ");
	rumphost_host_console_write(RUMPHOST_CONSOLE_OUT, "rumpxx", 4);
	peek();
	printf("app2");
}

static void
writediag(void)
{

	rumphost_host_console_write(RUMPHOST_CONSOLE_DIAG, "diag\n", 5);
}

static int
t_console(void)
{
	char buf[64];

	CHECK(capture(STDOUT_FILENO, writeout, buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, "app rumpapp2") == 0);
	CHECK(strcmp(early, "app rump") == 0);
	CHECK(capture(STDERR_FILENO, writediag, buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, "diag\n") == 0);
	return 1;
}

/*
 * daemonize in a child process; the child is the parent that waits, its
 * child the daemon.  how: 0 done(0), 1 done(7), 2 exit without done.
 * Returns the child's exit status; *report is what the daemon says.
 */
static int
daemonrun(int how, char *report)
{
	int p[2], status, r;
	pid_t pid;
	struct stat a, b;
	char c;

	if (pipe(p) == -1)
		return -1;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		close(p[0]);
		if (rumphost_host_daemonize_begin() != 0)
			_exit(100);
		c = rumphost_host_daemonize_begin() == RH_EINPROGRESS &&
			getsid(0) == getpid()
		    ? 'y'
		    : 'n';
		if (how == 2)
			_exit(0);
		r = rumphost_host_daemonize_done(how == 0 ? 0 : 7);
		if (r != 0 || rumphost_host_daemonize_done(0) != RH_ENOENT)
			c = 'n';
		if (how == 0 &&
		    (fstat(1, &a) != 0 || stat("/dev/null", &b) != 0 ||
			a.st_rdev != b.st_rdev))
			c = 'n';
		(void)write(p[1], &c, 1);
		_exit(0);
	}
	close(p[1]);
	if (pid == -1 || waitpid(pid, &status, 0) != pid) {
		close(p[0]);
		return -1;
	}
	if (read(p[0], report, 1) != 1)
		*report = '-';
	close(p[0]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
t_daemonize(void)
{
	char rep;

	CHECK(rumphost_host_daemonize_done(0) == RH_ENOENT);
	CHECK(daemonrun(0, &rep) == 0);
	CHECK(rep == 'y');
	CHECK(daemonrun(1, &rep) == 7);
	CHECK(rep == 'y');
	CHECK(daemonrun(2, &rep) != 0);
	CHECK(rep == '-');
	return 1;
}

/* --- dl_bootstrap: this program's own link sets ------------------------- */

static const int mod_a = 1, comp_a = 2, comp_b = 3;
static int ev_a;

#define LINKSET_ADD(set, sym)                                                  \
	static const void *const linkset_##set##_##sym                         \
	    __attribute__((__section__("link_set_" #set), __used__)) = &sym

LINKSET_ADD(modules, mod_a);
LINKSET_ADD(rump_components, comp_a);
LINKSET_ADD(rump_components, comp_b);
LINKSET_ADD(evcnts, ev_a);

static struct {
	int modcalls, modn, compn, evn, symcalls, symbad;
	const void *mod0, *comp[4], *ev0;
} dlr;

static void
dl_modinit(const void *const *mi, size_t n)
{

	dlr.modcalls++;
	dlr.modn += (int)n;
	dlr.mod0 = mi[0];
}

static int
dl_symload(void *symtab, uint64_t symsize, char *strtab, uint64_t strsize)
{
	const ElfW(Sym) *s = symtab;
	const char *n;
	size_t i;

	dlr.symcalls++;
	if (symsize % sizeof(*s) != 0 || strsize == 0 ||
	    strtab[strsize - 1] != '\0')
		dlr.symbad++;
	for (i = 0; i < symsize / sizeof(*s); i++) {
		if (s[i].st_name >= strsize || s[i].st_value == 0) {
			dlr.symbad++;
			continue;
		}
		n = strtab + s[i].st_name;
		if (strncmp(n, "rump", 4) != 0 && strncmp(n, "RUMP", 4) != 0 &&
		    strncmp(n, "__", 2) != 0)
			dlr.symbad++;
	}
	/* The tables are ours now. */
	free(symtab);
	free(strtab);
	return 0;
}

static void
dl_compload(const void *c)
{

	if (dlr.compn < 4)
		dlr.comp[dlr.compn] = c;
	dlr.compn++;
}

static void
dl_evcnt(void *e)
{

	dlr.evn++;
	dlr.ev0 = e;
}

static int
t_dl(void)
{
	struct rumphost_dl_ops ops = {
	    dl_modinit,
	    dl_symload,
	    dl_compload,
	    dl_evcnt,
	};

	rumphost_host_dl_bootstrap(&ops);
	printf("# symload calls %d; modules %d, components %d, evcnts %d\n",
	    dlr.symcalls, dlr.modn, dlr.compn, dlr.evn);
	CHECK(dlr.symbad == 0 && dlr.symcalls <= 1);
	CHECK(dlr.modcalls == 1 && dlr.modn == 1 && dlr.mod0 == &mod_a);
	CHECK(dlr.compn == 2);
	CHECK((dlr.comp[0] == &comp_a && dlr.comp[1] == &comp_b) ||
	    (dlr.comp[0] == &comp_b && dlr.comp[1] == &comp_a));
	CHECK(dlr.evn == 1 && dlr.ev0 == &ev_a);
	/* The older revision passes no evcntattach. */
	ops.evcntattach = NULL;
	rumphost_host_dl_bootstrap(&ops);
	CHECK(dlr.modn == 2 && dlr.compn == 4 && dlr.evn == 1);
	return 1;
}

/* ------------------------------------------------------------------------- */

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
    {"init describes the host", t_init},
    {"alloc is aligned to minalign", t_alloc},
    {"map gives zeroed page-aligned memory", t_map},
    {"clocks", t_clock},
    {"hi_mono_ts agrees with mono_ns", t_clock_ts},
    {"hi_single_threaded is clear once a thread was started",
	t_single_threaded},
    {"park times out no earlier than its deadline", t_park_timeout},
    {"unpark before park returns at once, once", t_unpark_first},
    {"unpark from another thread wakes a parked thread", t_cross_unpark},
    {"unpark after the thread ended is harmless; handles are reused",
	t_late_unpark},
    {"thread slot is per thread; thread name is set", t_tls},
    {"lock excludes", t_lock},
    {"open: create, excl, close-on-exec, errors", t_open},
    {"preadv/pwritev at offsets", t_rwoffset},
    {"preadv/pwritev at the current position (-1)", t_rwcurrent},
    {"preadv/pwritev with many vectors", t_rwmany},
    {"fileinfo types", t_fileinfo},
    {"fileinfo of a block device", t_fileinfo_blk},
    {"errno translation", t_errno},
    {"getenv ERANGE and ENOENT", t_getenv},
    {"hostname", t_hostname},
    {"entropy, blocking and nowait", t_entropy},
    {"kill maps NetBSD signals", t_kill},
    {"console write order and channels", t_console},
    {"daemonize parent exits with the child's status", t_daemonize},
    {"dl_bootstrap finds this program's link sets", t_dl},
};

int
main(void)
{
	size_t i, n = sizeof(tests) / sizeof(tests[0]);
	int ok, failed;

	setvbuf(stdout, NULL, _IOLBF, 0);
	strcpy(tmpdir, "/tmp/rhunit.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	printf("1..%zu\n", n);
	failed = 0;
	for (i = 0; i < n; i++) {
		skipped = 0;
		ok = tests[i].fn();
		failed += !ok;
		printf("%s %zu - %s%s\n", ok ? "ok" : "not ok", i + 1,
		    tests[i].name,
		    skipped ? " # SKIP no block device to open" : "");
	}
	unlink(tpath("open"));
	unlink(tpath("rw"));
	unlink(tpath("cur"));
	unlink(tpath("many"));
	unlink(tpath("capture"));
	rmdir(tmpdir);
	return failed != 0;
}
