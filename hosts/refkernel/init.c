/*
 * init.c: the reference kernel's description to the core, its
 * configuration (the kernel's parameter table: boot command line words
 * and defaults, see kernel/kern/param.c), the console, halting, errno,
 * and the process-level calls that mean nothing in a kernel.
 *
 * Assumes the kernel is up (memory, clock, threads) before
 * rumpuser_init; console_write and halt work at any time.
 */
#include <kern/kernel.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "bcache.h"

int
rumphost_host_init(struct rumphost_host_info *hi)
{

	/* Threads that end with a core slot set tell the core. */
	kthread_exit_hook = rumphost_thread_gone;
	hi->hi_version = RUMPHOST_HOST_VERSION;
	hi->hi_ncpu = 1;
	hi->hi_membudget = mem_total_bytes();
	hi->hi_minalign = 16;
	hi->hi_name = "refkernel";
	if (bcache_on()) /* bcache=<KiB>: cached reads need no handoff */
		hi->hi_rw_nowait = refkernel_rw_nowait;
	return 0;
}

static int
copyout(const char *v, char *buf, size_t len)
{
	size_t n = strlen(v);

	if (n + 1 > len) {
		if (len > 0) {
			memcpy(buf, v, len - 1);
			buf[len - 1] = '\0';
		}
		return RH_ERANGE;
	}
	memcpy(buf, v, n + 1);
	return 0;
}

int
rumphost_host_getenv(const char *name, char *buf, size_t len)
{
	const char *v;
	int error;

	if ((error = param_get(name, &v)) != 0)
		return error;
	return copyout(v, buf, len);
}

int
rumphost_host_hostname(char *buf, size_t len)
{
	int error;

	if ((error = rumphost_host_getenv("RUMP_HOSTNAME", buf, len)) !=
	    RH_ENOENT)
		return error;
	return copyout("refkernel", buf, len);
}

void
rumphost_host_console_write(int chan, const char *s, size_t len)
{

	(void)chan; /* one serial line for both */
	cons_write(s, len);
}

/* -1 (a panic) leaves a register-level trail: the backtrace. */
void
rumphost_host_halt(int status)
{

	if (status == -1) {
		kprintf("rumphost: halt after a panic\n");
		backtrace((uintptr_t)__builtin_frame_address(0));
		machine_exit(3);
	}
	kprintf("rumphost: halt, status %d\n", status);
	machine_exit(status & 0x7f);
}

/* The kernel's errors are NetBSD numbers already. */
int
rumphost_host_errno(int hosterr)
{

	return hosterr;
}

void
rumphost_host_seterrno(int e)
{

	*kthread_errno(kthread_self()) = e;
}

/* There is no hosting process to signal. */
int
rumphost_host_kill(int64_t pid, int sig)
{

	(void)pid;
	(void)sig;
	return RH_EOPNOTSUPP;
}

int
rumphost_host_daemonize_begin(void)
{

	return RH_EOPNOTSUPP;
}

int
rumphost_host_daemonize_done(int error)
{

	(void)error;
	return RH_EOPNOTSUPP;
}

/* One static image: rump's link sets are reached by symbol. */
void
rumphost_host_dl_bootstrap(const struct rumphost_dl_ops *ops)
{

	(void)ops;
}
