/*
 * The harness layer (harness.h) on a POSIX host with glibc or musl: output
 * with write(2), pthreads, clock_gettime, one forked child per test with a
 * parent-side watchdog, a private scratch directory per test, and heap and
 * thread probes for the resource-balance tests.
 *
 * It also interposes clock_gettime() and gettimeofday(): the executable's
 * definitions take precedence over libc's for the library under test, which
 * lets h_wall_shift() move the wall clock that library sees (and only that
 * clock) the way an administrator setting the date would.  The harness's
 * own clocks read the kernel directly.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/fs.h>
#endif

#include "harness.h"
#include "tolerance.h"

/* --- output (h_printf, h_snprintf: harness_common.c) ------------------ */

void
h_vprintf(const char *fmt, va_list ap)
{
	char buf[1024];
	int n;
	ssize_t w;
	size_t off;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	for (off = 0; off < (size_t)n; off += (size_t)w) {
		w = write(STDOUT_FILENO, buf + off, (size_t)n - off);
		if (w <= 0) {
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			return;
		}
	}
}

int
h_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{

	return vsnprintf(buf, len, fmt, ap);
}

/* --- memory ------------------------------------------------------------ */

void *
h_malloc(size_t len)
{
	void *p;

	if ((p = calloc(1, len)) == NULL) {
		h_printf("# harness: out of memory\n");
		abort();
	}
	return p;
}

void
h_free(void *p)
{

	free(p);
}

/* --- clocks ---------------------------------------------------------- */

static int64_t wall_shift;

static int
kclock(clockid_t clk, struct timespec *ts)
{

	return (int)syscall(SYS_clock_gettime, clk, ts);
}

/* Interposed for the library under test; see the comment at the top. */
int
clock_gettime(clockid_t clk, struct timespec *ts)
{
	int64_t sh, ns;
	int rv;

	rv = kclock(clk, ts);
	sh = __atomic_load_n(&wall_shift, __ATOMIC_RELAXED);
	if (rv == 0 && sh != 0 &&
	    (clk == CLOCK_REALTIME || clk == CLOCK_REALTIME_COARSE)) {
		ns = (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec + sh;
		ts->tv_sec = ns / 1000000000;
		ts->tv_nsec = ns % 1000000000;
	}
	return rv;
}

int
gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;

	(void)tz;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return -1;
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

bool
h_wall_shift(int64_t ns)
{

	__atomic_store_n(&wall_shift, ns, __ATOMIC_RELAXED);
	return true;
}

uint64_t
h_mono_ns(void)
{
	struct timespec ts;

	kclock(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t
h_wall_ns(void)
{
	struct timespec ts;

	kclock(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
h_sleep_ns(uint64_t ns)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ns / 1000000000u);
	ts.tv_nsec = (long)(ns % 1000000000u);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

void
h_yield(void)
{

	sched_yield();
}

/* --- threads ------------------------------------------------------------ */

struct h_thread {
	pthread_t pt;
	void (*fn)(void *);
	void *arg;
};

static void *
h_thread_main(void *arg)
{
	struct h_thread *t = arg;

	t->fn(t->arg);
	return NULL;
}

struct h_thread *
h_thread_start(void (*fn)(void *), void *arg)
{
	struct h_thread *t;
	int rv;

	t = h_malloc(sizeof(*t));
	t->fn = fn;
	t->arg = arg;
	if ((rv = pthread_create(&t->pt, NULL, h_thread_main, t)) != 0) {
		h_printf("# harness: pthread_create: %s\n", strerror(rv));
		abort();
	}
	return t;
}

void
h_thread_wait(struct h_thread *t)
{

	pthread_join(t->pt, NULL);
	h_free(t);
}

struct h_lock {
	pthread_mutex_t m;
};
struct h_cond {
	pthread_cond_t c;
};

struct h_lock *
h_lock_new(void)
{
	struct h_lock *l = h_malloc(sizeof(*l));

	pthread_mutex_init(&l->m, NULL);
	return l;
}

void
h_lock_free(struct h_lock *l)
{

	pthread_mutex_destroy(&l->m);
	h_free(l);
}

void
h_lock_enter(struct h_lock *l)
{

	pthread_mutex_lock(&l->m);
}

void
h_lock_exit(struct h_lock *l)
{

	pthread_mutex_unlock(&l->m);
}

struct h_cond *
h_cond_new(void)
{
	struct h_cond *c = h_malloc(sizeof(*c));
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->c, &ca);
	pthread_condattr_destroy(&ca);
	return c;
}

void
h_cond_free(struct h_cond *c)
{

	pthread_cond_destroy(&c->c);
	h_free(c);
}

void
h_cond_wait(struct h_cond *c, struct h_lock *l)
{

	pthread_cond_wait(&c->c, &l->m);
}

bool
h_cond_timedwait(struct h_cond *c, struct h_lock *l, uint64_t ns)
{
	struct timespec ts;
	uint64_t t;

	t = h_mono_ns() + ns;
	ts.tv_sec = (time_t)(t / 1000000000u);
	ts.tv_nsec = (long)(t % 1000000000u);
	return pthread_cond_timedwait(&c->c, &l->m, &ts) != ETIMEDOUT;
}

void
h_cond_broadcast(struct h_cond *c)
{

	pthread_cond_broadcast(&c->c);
}

static pthread_key_t tlskey;

void
h_tls_init(void (*dtor)(void *))
{

	pthread_key_create(&tlskey, dtor);
}

void *
h_tls_get(void)
{

	return pthread_getspecific(tlskey);
}

void
h_tls_set(void *p)
{

	pthread_setspecific(tlskey, p);
}

bool
h_errno_get(int *e)
{

	*e = errno;
	return true;
}

void
h_errno_set(int e)
{

	errno = e;
}

/* --- resources ------------------------------------------------------------ */

extern size_t
__sanitizer_get_current_allocated_bytes(void) __attribute__((__weak__));

bool
h_heap_bytes(size_t *bytes)
{

	if (__sanitizer_get_current_allocated_bytes != NULL) {
		*bytes = __sanitizer_get_current_allocated_bytes();
		return true;
	}
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
	{
		struct mallinfo2 mi = mallinfo2();

		*bytes = mi.uordblks + mi.hblkhd;
		return true;
	}
#else
	return false;
#endif
}

bool
h_thread_count(int *n)
{
	DIR *d;
	struct dirent *de;
	int c = 0;

	if ((d = opendir("/proc/self/task")) == NULL)
		return false;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			c++;
	closedir(d);
	*n = c;
	return true;
}

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define __SANITIZE_THREAD__ 1
#endif
#if __has_feature(address_sanitizer)
#define __SANITIZE_ADDRESS__ 1
#endif
#endif

const char *
h_sanitizer(void)
{
#if defined(__SANITIZE_THREAD__)
	return "tsan";
#elif defined(__SANITIZE_ADDRESS__)
	return "asan";
#else
	return NULL;
#endif
}

unsigned
h_slowdown(void)
{
	const char *s = getenv("RHCONF_SLOWDOWN");
	const char *san = h_sanitizer();

	if (s != NULL && atoi(s) > 0)
		return (unsigned)atoi(s);
	if (san != NULL && strcmp(san, "tsan") == 0)
		return TOL_SLOWDOWN_TSAN;
	if (san != NULL)
		return TOL_SLOWDOWN_ASAN;
	return 1;
}

const char *
h_getenv(const char *name)
{

	return getenv(name);
}

bool
h_setenv(const char *name, const char *value)
{

	return setenv(name, value, 1) == 0;
}

/* --- files ------------------------------------------------------------ */

static char scratch[128];

const char *
h_scratch(void)
{

	return scratch;
}

void
h_path(char *buf, size_t len, const char *name)
{

	snprintf(buf, len, "%s/%s", scratch, name);
}

bool
h_file_put(const char *path, const void *data, size_t len)
{
	int fd;
	bool ok;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		return false;
	ok = write(fd, data, len) == (ssize_t)len;
	close(fd);
	return ok;
}

long
h_file_get(const char *path, uint64_t off, void *buf, size_t len)
{
	int fd;
	ssize_t n;

	if ((fd = open(path, O_RDONLY)) == -1)
		return -1;
	n = pread(fd, buf, len, (off_t)off);
	close(fd);
	return (long)n;
}

bool
h_exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

bool
h_mkdir(const char *path)
{

	return mkdir(path, 0755) == 0;
}

bool
h_symlink(const char *target, const char *path)
{

	return symlink(target, path) == 0;
}

bool
h_mkfifo(const char *path)
{

	return mkfifo(path, 0644) == 0;
}

const char *
h_blockdev(uint64_t *sizep)
{
	static const char *cand[] = {
	    "/dev/vda",
	    "/dev/sda",
	    "/dev/nvme0n1",
	    "/dev/xvda",
	    "/dev/loop0",
	    "/dev/loop1",
	    "/dev/loop2",
	    "/dev/loop3",
	    "/dev/loop4",
	    "/dev/loop5",
	    "/dev/loop6",
	    "/dev/loop7",
	    "/dev/sr0",
	};
	struct stat sb;
	uint64_t size;
	off_t end;
	size_t i;
	int fd;

	for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		if (stat(cand[i], &sb) == -1 || !S_ISBLK(sb.st_mode))
			continue;
		if ((fd = open(cand[i], O_RDONLY)) == -1)
			continue;
		size = 0;
#ifdef BLKGETSIZE64
		if (ioctl(fd, BLKGETSIZE64, &size) == -1)
			size = 0;
#endif
		if (size == 0 && (end = lseek(fd, 0, SEEK_END)) > 0)
			size = (uint64_t)end;
		close(fd);
		if (size > 0) {
			*sizep = size;
			return cand[i];
		}
	}
	return NULL;
}

int
h_host_errno(const char *name)
{
	static const struct {
		const char *n;
		int v;
	} tab[] = {
	    {"ENOENT", ENOENT},
	    {"EEXIST", EEXIST},
	    {"ELOOP", ELOOP},
	    {"ENAMETOOLONG", ENAMETOOLONG},
	    {"ETIMEDOUT", ETIMEDOUT},
	    {"EAGAIN", EAGAIN},
	    {"EBUSY", EBUSY},
	    {"ENOSYS", ENOSYS},
	    {"ENOTDIR", ENOTDIR},
	    {"EINVAL", EINVAL},
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(tab[i].n, name) == 0)
			return tab[i].v;
	return -1;
}

/* --- isolation ----------------------------------------------------------- */

static int reasonfd = -1;

void
h_exit(int code)
{

	exit(code);
}

void
h_child_end(enum h_outcome o, const char *reason)
{
	size_t len;

	if (reason != NULL && reasonfd != -1) {
		len = strlen(reason);
		if (write(reasonfd, reason, len) != (ssize_t)len)
			(void)0;
	}
	switch (o) {
	case H_PASS: exit(0);
	case H_SKIP: exit(77);
	default: exit(1);
	}
}

bool
h_in_child(void (*fn)(void *, size_t), void *buf, size_t len)
{
	int pfd[2], status;
	pid_t pid;
	size_t got;
	ssize_t n;

	if (pipe(pfd) == -1)
		return false;
	if ((pid = fork()) == -1) {
		close(pfd[0]);
		close(pfd[1]);
		return false;
	}
	if (pid == 0) {
		close(pfd[0]);
		reasonfd = -1;
		fn(buf, len);
		if (write(pfd[1], buf, len) != (ssize_t)len)
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	for (got = 0; got < len; got += (size_t)n) {
		n = read(pfd[0], (char *)buf + got, len - got);
		if (n <= 0)
			break;
	}
	close(pfd[0]);
	waitpid(pid, &status, 0);
	return got == len && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int
h_child_status(void (*fn)(void))
{
	int status;
	pid_t pid;

	if ((pid = fork()) == -1)
		return -1000;
	if (pid == 0) {
		reasonfd = -1;
		fn();
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1000;
	if (WIFSIGNALED(status))
		return -WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int
rmentry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{

	(void)sb;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

void
h_isolate(void (*fn)(void *), void *arg, unsigned timeout, struct h_result *res)
{
	uint64_t t0, limit;
	int pfd[2], status;
	pid_t pid, w;
	ssize_t n;

	memset(res, 0, sizeof(*res));
	snprintf(scratch, sizeof(scratch), "/tmp/rhconf.XXXXXX");
	if (mkdtemp(scratch) == NULL) {
		h_printf("# harness: mkdtemp: %s\n", strerror(errno));
		abort();
	}
	if (pipe(pfd) == -1)
		abort();
	t0 = h_mono_ns();
	limit = t0 + (uint64_t)timeout * 1000000000u;
	pid = fork();
	if (pid == -1) {
		h_printf("# harness: fork: %s\n", strerror(errno));
		abort();
	}
	if (pid == 0) {
		close(pfd[0]);
		reasonfd = pfd[1];
		fn(arg);
		h_child_end(H_PASS, NULL);
	}
	close(pfd[1]);
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (h_mono_ns() > limit) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			res->outcome = H_HANG;
			goto out;
		}
		h_sleep_ns(2 * 1000 * 1000);
	}
	if (WIFSIGNALED(status)) {
		res->outcome = H_CRASH;
		res->signal = WTERMSIG(status);
	} else if (WEXITSTATUS(status) == 0) {
		res->outcome = H_PASS;
	} else if (WEXITSTATUS(status) == 77) {
		res->outcome = H_SKIP;
	} else {
		res->outcome = H_FAIL;
		if (WEXITSTATUS(status) != 1)
			snprintf(res->reason, sizeof(res->reason),
			    "exit status %d (sanitizer report?)",
			    WEXITSTATUS(status));
	}
out:
	res->seconds = (double)(h_mono_ns() - t0) / 1e9;
	if (res->outcome == H_SKIP || res->outcome == H_FAIL) {
		n = read(pfd[0], res->reason, sizeof(res->reason) - 1);
		if (n > 0)
			res->reason[n] = '\0';
	}
	close(pfd[0]);
	nftw(scratch, rmentry, 16, FTW_DEPTH | FTW_PHYS);
}
