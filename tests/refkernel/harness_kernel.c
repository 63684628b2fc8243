/*
 * harness_kernel.c: the conformance harness (tests/conformance/harness.h)
 * inside the reference kernel, in ring 0: kernel threads, sleeping locks
 * and conditions, the TSC clock, output on the serial console, the
 * kernel heap and thread counts for the balance tests.
 *
 * Isolation: one test per boot.  The kernel's command line says
 * "rhconf NAME" (or "rhconf --list"); rhconf_kmain runs the suite's own
 * runner (main.c) on it, and h_isolate runs the test in a kernel thread
 * under a watchdog (a deadline on the wait for its end).  The machine
 * then exits through isa-debug-exit; tests/refkernel/run.sh boots once
 * per test and gathers the TAP.  A test that ends the machine (panic,
 * exception) shows as a missing TAP line there.  "A fresh copy of the
 * program state" (h_in_child, h_child_status) is not available.
 *
 * Files: the kernel's namespace is its block devices.  h_file_put makes
 * (or rewrites) a RAM disk of exactly that content under the given name,
 * h_file_get reads one back, h_blockdev is a 1 MiB RAM disk; there are
 * no directories, symbolic links or FIFOs.  Tests that need regular
 * files are skipped by name with the reason (skips[] below).
 *
 * Built with the userland ABI (SSE, red zone), like the tests; it formats
 * %f for the kernel's printf.  One test of the kernel's own runs here
 * too: kernel.abi_preempt (abi.c), kernel.wall_rtc_edge (wall.c).
 */
#include <kern/kernel.h>

#include <rumphost/nberrno.h>

#include "harness.h"

int main(int, char **);
int rhconf_kmain(const char *);
int abi_check(void);
int wall_check(void);
int clockrate_check(void);

/* Tests that cannot run in this kernel, and why. */
static const struct {
	const char *name, *reason;
} skips[] = {
    {"file.open_flags",
	"needs CREATE of regular files: the kernel's"
	" namespace is its block devices"},
    {"file.info",
	"needs regular files, directories and /dev/null: the"
	" kernel's namespace is its block devices"},
    {"iov.offset",
	"needs CREATE of a growing regular file: the kernel's"
	" files are fixed-size block devices"},
    {"iov.noseek",
	"needs CREATE of a growing regular file: the kernel's"
	" files are fixed-size block devices"},
};

/* --- output (h_printf, h_snprintf: harness_common.c) ------------------ */

static void
fmt_float(char *buf, size_t len, int prec, va_list *ap)
{
	double d = va_arg(*ap, double);
	unsigned long long ip, fp, scale = 1;
	int i;

	if (prec < 0)
		prec = 6;
	if (prec > 9)
		prec = 9;
	for (i = 0; i < prec; i++)
		scale *= 10;
	if (d < 0) {
		*buf++ = '-';
		len--;
		d = -d;
	}
	ip = (unsigned long long)d;
	fp = (unsigned long long)((d - (double)ip) * (double)scale + 0.5);
	if (fp >= scale) {
		ip++;
		fp -= scale;
	}
	if (prec == 0)
		ksnprintf(buf, len, "%llu", ip);
	else
		ksnprintf(buf, len, "%llu.%0*llu", ip, prec, fp);
}

void
h_vprintf(const char *fmt, va_list ap)
{

	kvprintf(fmt, ap);
}

int
h_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{

	return kvsnprintf(buf, len, fmt, ap);
}

/* --- memory: the size lives in a 16-byte header -------------------------- */

void *
h_malloc(size_t len)
{
	size_t *p;

	if ((p = kmalloc(len + 16)) == NULL)
		panic("harness: out of memory");
	*p = len + 16;
	return (char *)p + 16;
}

void
h_free(void *p)
{
	size_t *h;

	if (p == NULL)
		return;
	h = (size_t *)((char *)p - 16);
	kfree(h, *h);
}

/* --- clocks ------------------------------------------------------------ */

static int64_t wall_shift;

uint64_t
h_mono_ns(void)
{

	return clock_mono_ns();
}

uint64_t
h_wall_ns(void)
{
	int64_t s;
	long ns;

	clock_wall(&s, &ns);
	return (uint64_t)(s * 1000000000 + ns - wall_shift);
}

void
h_sleep_ns(uint64_t ns)
{

	kthread_sleep_until(clock_mono_ns() + ns);
}

void
h_yield(void)
{

	kthread_yield();
}

bool
h_wall_shift(int64_t ns)
{

	wall_shift = ns;
	clock_wall_shift(ns);
	return true;
}

/* --- threads, locks, conditions ------------------------------------------- */

struct h_thread {
	void (*fn)(void *);
	void *arg;
	struct kevent *done;
};

static void
h_thread_main(void *arg)
{
	struct h_thread *t = arg;

	t->fn(t->arg);
	kevent_signal(t->done);
}

struct h_thread *
h_thread_start(void (*fn)(void *), void *arg)
{
	struct h_thread *t = h_malloc(sizeof(*t));

	t->fn = fn;
	t->arg = arg;
	if ((t->done = kevent_create()) == NULL ||
	    kthread_create(h_thread_main, t, "h_thread", NULL) != 0)
		panic("harness: cannot start a thread");
	return t;
}

void
h_thread_wait(struct h_thread *t)
{

	kevent_wait(t->done);
	kevent_destroy(t->done);
	h_free(t);
}

struct h_lock {
	struct klock l;
};
struct h_cond {
	struct kcond c;
};

struct h_lock *
h_lock_new(void)
{
	struct h_lock *l = h_malloc(sizeof(*l));

	klock_init(&l->l);
	return l;
}

void
h_lock_free(struct h_lock *l)
{

	h_free(l);
}

void
h_lock_enter(struct h_lock *l)
{

	klock_enter(&l->l);
}

void
h_lock_exit(struct h_lock *l)
{

	klock_exit(&l->l);
}

struct h_cond *
h_cond_new(void)
{
	struct h_cond *c = h_malloc(sizeof(*c));

	kcond_init(&c->c);
	return c;
}

void
h_cond_free(struct h_cond *c)
{

	h_free(c);
}

void
h_cond_wait(struct h_cond *c, struct h_lock *l)
{

	kcond_wait(&c->c, &l->l, 0);
}

bool
h_cond_timedwait(struct h_cond *c, struct h_lock *l, uint64_t ns)
{

	return kcond_wait(&c->c, &l->l, clock_mono_ns() + ns) == 0;
}

void
h_cond_broadcast(struct h_cond *c)
{

	kcond_broadcast(&c->c);
}

void
h_tls_init(void (*dtor)(void *))
{

	kthread_exit_hook2 = dtor;
}

void *
h_tls_get(void)
{

	return *kthread_tls2(kthread_self());
}

void
h_tls_set(void *p)
{

	*kthread_tls2(kthread_self()) = p;
}

bool
h_errno_get(int *e)
{

	*e = *kthread_errno(kthread_self());
	return true;
}

void
h_errno_set(int e)
{

	*kthread_errno(kthread_self()) = e;
}

/* --- resources ----------------------------------------------------------- */

bool
h_heap_bytes(size_t *b)
{

	*b = heap_bytes_in_use();
	return true;
}

bool
h_thread_count(int *n)
{

	*n = kthread_count();
	return true;
}

const char *
h_sanitizer(void)
{

	return NULL;
}

unsigned
h_slowdown(void)
{
	const char *v;
	unsigned n = 0;

	if (param_get("RHCONF_SLOWDOWN", &v) != 0)
		return 1;
	for (; *v >= '0' && *v <= '9'; v++)
		n = n * 10 + (unsigned)(*v - '0');
	return n > 0 ? n : 1;
}

const char *
h_getenv(const char *name)
{
	const char *v;

	return param_get(name, &v) == 0 ? v : NULL;
}

bool
h_setenv(const char *name, const char *value)
{

	return param_set(name, value) == 0;
}

/* --- files: RAM disks ------------------------------------------------------
 */

const char *
h_scratch(void)
{

	return "/rh";
}

void
h_path(char *buf, size_t len, const char *name)
{

	ksnprintf(buf, len, "/rh/%s", name);
}

bool
h_file_put(const char *path, const void *data, size_t len)
{
	struct kblkdev *d;

	if (strncmp(path, "/rh/", 4) != 0)
		return false; /* only our RAM disks, never a driver's disk */
	d = kblk_lookup(path);
	if (d == NULL && (d = kblk_ramdisk(path, len)) == NULL)
		return false;
	if (d->rw != NULL && d->size != len)
		return false; /* a disk does not change size */
	if (len > 0)
		memcpy(d->softc, data, len);
	return true;
}

long
h_file_get(const char *path, uint64_t off, void *buf, size_t len)
{
	struct kblkdev *d = kblk_lookup(path);

	if (strncmp(path, "/rh/", 4) != 0 || d == NULL || off > d->size)
		return -1;
	if (len > d->size - off)
		len = d->size - off;
	memcpy(buf, (char *)d->softc + off, len);
	return (long)len;
}

bool
h_exists(const char *path)
{

	return kblk_lookup(path) != NULL;
}

bool
h_mkdir(const char *path)
{

	(void)path;
	return false;
}

bool
h_symlink(const char *target, const char *path)
{

	(void)target;
	(void)path;
	return false;
}

bool
h_mkfifo(const char *path)
{

	(void)path;
	return false;
}

const char *
h_blockdev(uint64_t *size)
{
	static const char name[] = "rd0";
	struct kblkdev *d = kblk_lookup(name);

	if (d == NULL && (d = kblk_ramdisk(name, 1 << 20)) == NULL)
		return NULL;
	*size = d->size;
	return name;
}

/* The kernel's errors are NetBSD's numbers. */
int
h_host_errno(const char *name)
{
	static const struct {
		const char *n;
		int v;
	} tab[] = {
	    {"ENOENT", RH_ENOENT},
	    {"EEXIST", RH_EEXIST},
	    {"ELOOP", RH_ELOOP},
	    {"ENAMETOOLONG", RH_ENAMETOOLONG},
	    {"ETIMEDOUT", RH_ETIMEDOUT},
	    {"EAGAIN", RH_EAGAIN},
	    {"EBUSY", RH_EBUSY},
	    {"ENOSYS", RH_ENOSYS},
	    {"ENOTDIR", RH_ENOTDIR},
	    {"EINVAL", RH_EINVAL},
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(tab[i].n, name) == 0)
			return tab[i].v;
	return -1;
}

/* --- isolation: a watched kernel thread ------------------------------------
 */

/* The running test's end; protected by endlock. */
static struct klock endlock;
static struct kcond endcond;
static bool ended;
static enum h_outcome endoutcome;
static char endreason[256];

static struct {
	void (*fn)(void *);
	void *arg;
} isol;

void
h_exit(int code)
{

	machine_exit(code);
}

void
h_child_end(enum h_outcome o, const char *reason)
{
	size_t n = 0;

	klock_enter(&endlock);
	if (!ended) {
		ended = true;
		endoutcome = o;
		if (reason != NULL)
			for (; reason[n] != '\0' && n < sizeof(endreason) - 1;
			     n++)
				endreason[n] = reason[n];
		endreason[n] = '\0';
		kcond_broadcast(&endcond);
	}
	klock_exit(&endlock);
	kthread_exit();
}

bool
h_in_child(void (*fn)(void *, size_t), void *buf, size_t len)
{

	(void)fn;
	(void)buf;
	(void)len;
	return false;
}

int
h_child_status(void (*fn)(void))
{

	(void)fn;
	return -1000;
}

static void
isolated(void *arg)
{

	(void)arg;
	isol.fn(isol.arg);
	h_child_end(H_PASS, NULL);
}

void
h_isolate(void (*fn)(void *), void *arg, unsigned timeout, struct h_result *res)
{
	uint64_t t0 = clock_mono_ns(), limit;
	size_t i;

	memset(res, 0, sizeof(*res));
	limit = t0 + (uint64_t)timeout * 1000000000U;
	isol.fn = fn;
	isol.arg = arg;
	if (kthread_create(isolated, NULL, "test", NULL) != 0)
		panic("harness: cannot start the test");
	klock_enter(&endlock);
	while (!ended && clock_mono_ns() < limit)
		kcond_wait(&endcond, &endlock, limit);
	if (!ended) {
		ended = true; /* late ends are ignored */
		res->outcome = H_HANG;
	} else {
		res->outcome = endoutcome;
		for (i = 0; i < sizeof(res->reason) - 1 && endreason[i]; i++)
			res->reason[i] = endreason[i];
	}
	klock_exit(&endlock);
	res->seconds = (double)(clock_mono_ns() - t0) / 1e9;
}

/* --- the entry from kernel/main.c ---------------------------------------- */

static void
entropy_dump(void)
{
	uint8_t b[32];
	size_t i;

	entropy_get(b, sizeof(b));
	h_printf("# entropy (%s) ", entropy_source());
	for (i = 0; i < sizeof(b); i++)
		h_printf("%02x", b[i]);
	h_printf("\n");
}

/*
 * cmdline: "rhconf" then the runner's arguments, then name=value words
 * (parameters, already in the kernel's table, not passed on).
 */
int
rhconf_kmain(const char *cmdline)
{
	static char words[512];
	char *argv[16], *p;
	int argc = 0;
	size_t i;

	klock_init(&endlock);
	kcond_init(&endcond);
	kfmt_float_hook = fmt_float;
	for (i = 0; cmdline[i] != '\0' && i < sizeof(words) - 1; i++)
		words[i] = cmdline[i];
	for (p = words; *p != '\0' && argc < 15;) {
		while (*p == ' ')
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (strchr(p, '=') == NULL ||
		    (strchr(p, ' ') != NULL && strchr(p, '=') > strchr(p, ' ')))
			argv[argc++] = p;
		while (*p != '\0' && *p != ' ')
			p++;
	}
	argv[argc] = NULL;
	/* The kernel's own test of the userland ABI (abi.c). */
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		h_printf("%-44s quick\n", "kernel.abi_preempt");
		h_printf("%-44s quick\n", "kernel.wall_rtc_edge");
		h_printf("%-44s quick\n", "kernel.clock_rate");
	}
	/* 32 bytes of the entropy source, for run.sh's per-boot check. */
	if (argc == 2 && strcmp(argv[1], "kernel.entropy_dump") == 0) {
		entropy_dump();
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "kernel.wall_rtc_edge") == 0) {
		int wr = wall_check(); /* 1 pass, 0 fail, -1/-2 skip */

		h_printf("TAP version 13\n1..1\n%s 1 - %s%s\n",
		    wr == 0 ? "not ok" : "ok", argv[1],
		    wr == -1 ? " # SKIP the host stalls this machine too much"
			       " to see RTC edges within 2 ms"
			: wr == -2 ? " # SKIP the host delayed the RTC's"
				     " interrupts: the anchor is late"
				   : "");
		return wr == 0;
	}
	if (argc == 2 && strcmp(argv[1], "kernel.clock_rate") == 0) {
		int cr = clockrate_check(); /* 1 pass, 0 fail, -1 skip */

		h_printf("TAP version 13\n1..1\n%s 1 - %s%s\n",
		    cr == 0 ? "not ok" : "ok", argv[1],
		    cr < 0 ? " # SKIP the host stalls this machine too much"
			     " to see RTC edges within 0.5 ms"
			   : "");
		return cr == 0;
	}
	if (argc == 2 && strcmp(argv[1], "kernel.abi_preempt") == 0) {
		if (abi_check()) {
			h_printf("TAP version 13\n1..1\nok 1 - %s\n", argv[1]);
			return 0;
		}
		h_printf("TAP version 13\n1..1\nnot ok 1 - %s\n", argv[1]);
		return 1;
	}
	for (i = 0; argc == 2 && i < sizeof(skips) / sizeof(skips[0]); i++) {
		if (strcmp(argv[1], skips[i].name) == 0) {
			h_printf("TAP version 13\n1..1\nok 1 - %s # SKIP %s\n",
			    skips[i].name, skips[i].reason);
			return 0;
		}
	}
	return main(argc, argv);
}
