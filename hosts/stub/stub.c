/*
 * stub.c: a host that implements every function of <rumphost/host.h> by
 * stopping the machine.  It runs nothing; it exists so that the core links
 * against it alone, without a C library (-nostdlib -Wl,-z,defs), which
 * proves the host interface is complete: a port that defines these
 * functions has defined everything the core needs.
 *
 * Freestanding: besides the host interface it supplies only the four
 * memory functions a compiler may emit calls to.  Their loops go through
 * volatile pointers so the compiler cannot turn them back into calls to
 * themselves.
 *
 * A real port's park state must be type-stable (host.h, unpark): the stub
 * has none, as it never runs a thread.
 */
#include <stddef.h>
#include <stdint.h>

#include <rumphost/host.h>

#define STOP() __builtin_trap()

int
rumphost_host_init(struct rumphost_host_info *hi)
{

	(void)hi;
	STOP();
}

void *
rumphost_host_alloc(size_t len)
{

	(void)len;
	STOP();
}

void
rumphost_host_free(void *p, size_t len)
{

	(void)p;
	(void)len;
	STOP();
}

int
rumphost_host_map(size_t len, int exec, void **p)
{

	(void)len;
	(void)exec;
	(void)p;
	STOP();
}

void
rumphost_host_unmap(void *p, size_t len)
{

	(void)p;
	(void)len;
	STOP();
}

void
rumphost_host_console_write(int chan, const char *buf, size_t len)
{

	(void)chan;
	(void)buf;
	(void)len;
	STOP();
}

void
rumphost_host_halt(int status)
{

	(void)status;
	STOP();
}

uint64_t
rumphost_host_mono_ns(void)
{

	STOP();
}

int
rumphost_host_wall(int64_t *sec, long *nsec)
{

	(void)sec;
	(void)nsec;
	STOP();
}

int
rumphost_host_thread_create(
    void (*fn)(void *), void *arg, const char *name, int prio, int cpu)
{

	(void)fn;
	(void)arg;
	(void)name;
	(void)prio;
	(void)cpu;
	STOP();
}

void
rumphost_host_thread_exit(void)
{

	STOP();
}

struct rumphost_hthread *
rumphost_host_thread_self(void)
{

	STOP();
}

void *
rumphost_host_tls_get(void)
{

	STOP();
}

void
rumphost_host_tls_set(void *v)
{

	(void)v;
	STOP();
}

int
rumphost_host_park(uint64_t deadline)
{

	(void)deadline;
	STOP();
}

void
rumphost_host_unpark(struct rumphost_hthread *t)
{

	(void)t;
	STOP();
}

void
rumphost_host_yield(void)
{

	STOP();
}

int
rumphost_host_lock_create(struct rumphost_hlock **lp)
{

	(void)lp;
	STOP();
}

void
rumphost_host_lock_destroy(struct rumphost_hlock *l)
{

	(void)l;
	STOP();
}

void
rumphost_host_lock_enter(struct rumphost_hlock *l)
{

	(void)l;
	STOP();
}

void
rumphost_host_lock_exit(struct rumphost_hlock *l)
{

	(void)l;
	STOP();
}

int
rumphost_host_entropy(void *buf, size_t len, int nowait, size_t *got)
{

	(void)buf;
	(void)len;
	(void)nowait;
	(void)got;
	STOP();
}

int
rumphost_host_open(const char *name, int flags, int *fd)
{

	(void)name;
	(void)flags;
	(void)fd;
	STOP();
}

int
rumphost_host_close(int fd)
{

	(void)fd;
	STOP();
}

int
rumphost_host_fileinfo(const char *name, uint64_t *size, int *type)
{

	(void)name;
	(void)size;
	(void)type;
	STOP();
}

int
rumphost_host_preadv(int fd, const struct rumphost_iovec *iov, size_t n,
    int64_t off, size_t *done)
{

	(void)fd;
	(void)iov;
	(void)n;
	(void)off;
	(void)done;
	STOP();
}

int
rumphost_host_pwritev(int fd, const struct rumphost_iovec *iov, size_t n,
    int64_t off, size_t *done)
{

	(void)fd;
	(void)iov;
	(void)n;
	(void)off;
	(void)done;
	STOP();
}

int
rumphost_host_fsync(int fd)
{

	(void)fd;
	STOP();
}

int
rumphost_host_errno(int hosterr)
{

	(void)hosterr;
	STOP();
}

void
rumphost_host_seterrno(int value)
{

	(void)value;
	STOP();
}

int
rumphost_host_kill(int64_t pid, int sig)
{

	(void)pid;
	(void)sig;
	STOP();
}

int
rumphost_host_getenv(const char *name, char *buf, size_t len)
{

	(void)name;
	(void)buf;
	(void)len;
	STOP();
}

int
rumphost_host_hostname(char *buf, size_t len)
{

	(void)buf;
	(void)len;
	STOP();
}

int
rumphost_host_daemonize_begin(void)
{

	STOP();
}

int
rumphost_host_daemonize_done(int error)
{

	(void)error;
	STOP();
}

void
rumphost_host_dl_bootstrap(const struct rumphost_dl_ops *ops)
{

	(void)ops;
	STOP();
}

/* --- what a compiler may call ------------------------------------------ */

void *memcpy(void *, const void *, size_t);
void *memmove(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);

void *
memcpy(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const volatile unsigned char *s = src;

	while (n-- > 0)
		*d++ = *s++;
	return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const volatile unsigned char *s = src;

	if ((uintptr_t)d <= (uintptr_t)s || (uintptr_t)d >= (uintptr_t)s + n) {
		while (n-- > 0)
			*d++ = *s++;
	} else {
		while (n-- > 0)
			d[n] = s[n];
	}
	return dst;
}

void *
memset(void *dst, int c, size_t n)
{
	volatile unsigned char *d = dst;

	while (n-- > 0)
		*d++ = (unsigned char)c;
	return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *p = a, *q = b;

	for (; n > 0; n--, p++, q++)
		if (*p != *q)
			return *p < *q ? -1 : 1;
	return 0;
}
