/*
 * rumpuser_getparam: configuration for the rump kernel.
 *
 * Names with a leading underscore are mandatory parameters the core
 * answers itself: the CPU count (RUMP_NCPU from the host's configuration
 * if set, "host" meaning the host's count, else the host's count but at
 * least 2) and the instance name.  Why at least 2: with one virtual CPU a
 * woken thread always finds the CPU held by its waker and must sleep again
 * until the waker leaves the kernel, two more host context switches per
 * handoff (rump pipe ping-pong pinned to one host CPU: 12.7 us with one
 * virtual CPU, 6.7 us with two); a second virtual CPU on one host CPU
 * costs only its idle softint and clock threads.  NetBSD's library gives
 * the online CPU count, which ignores affinity, so it is 2 or more there
 * too on this kind of machine.  An unknown mandatory name is an error, not a
 * pass-through.  RUMP_MEMLIMIT, unless configured, is three quarters of the
 * host's memory budget, in bytes, so the rump kernel's pagedaemon works
 * against a real limit instead of running the host out of memory; the
 * budget is a ceiling for everything (the rest of the process or kernel,
 * thread stacks, our own allocation headers), hence the quarter left.  It
 * is capped at PARAM_MEMCAP: the rump kernel sizes its caches' hash tables
 * from the limit and writes every bucket at boot, so an 18 GiB limit cost
 * about 1000 page faults (4 MiB touched) and a fifth of the CPU time of
 * each rump_init with the file system components; at 1 GiB it touches
 * what NetBSD's library (no limit: 512 MiB assumed) makes it touch.  Every
 * other name goes to the host's configuration (the environment on POSIX).
 *
 * HOSTNAME is also rump_init's last question (after the boot, before it
 * returns): it first waits for the symbol table load that dl_bootstrap
 * left running on a thread of its own (misc.c).
 *
 * Errors: EINVAL for a bad name, ENOENT for an unset parameter, ERANGE
 * when the value does not fit the buffer (which is then left holding a
 * NUL string, never an unterminated one).
 *
 * Assumes: host getenv and hostname, and the host info from init.
 */
#include "core.h"

#ifndef PARAM_MEMCAP
#define PARAM_MEMCAP ((uint64_t)1 << 30) /* default RUMP_MEMLIMIT at most */
#endif

static int
param_ncpu(char *buf, size_t len)
{
	char val[32];
	int error;

	error = rumphost_host_getenv("RUMP_NCPU", val, sizeof(val));
	if (error == 0 && rumphost_strcmp(val, "host") != 0)
		return rumphost_strlcpy(buf, val, len);
	if (error == 0) /* "host" */
		return rumphost_utoa(rumphost_info.hi_ncpu, buf, len);
	if (error != RH_ENOENT)
		return error;
	return rumphost_utoa(
	    rumphost_info.hi_ncpu < 2 ? 2 : rumphost_info.hi_ncpu, buf, len);
}

static int
param_memlimit(char *buf, size_t len)
{
	uint64_t lim;
	int error;

	error = rumphost_host_getenv("RUMP_MEMLIMIT", buf, len);
	if (error != RH_ENOENT || rumphost_info.hi_membudget == 0)
		return error;
	lim = rumphost_info.hi_membudget - rumphost_info.hi_membudget / 4;
	return rumphost_utoa(lim < PARAM_MEMCAP ? lim : PARAM_MEMCAP, buf, len);
}

int
rumpuser_getparam(const char *name, void *buf, size_t len)
{
	int error;

	if (name == NULL || buf == NULL || *name == '\0')
		return RH_EINVAL;
	if (len == 0)
		return RH_ERANGE;
	if (rumphost_strcmp(name, RUMPUSER_PARAM_NCPU) == 0)
		error = param_ncpu(buf, len);
	else if (rumphost_strcmp(name, RUMPUSER_PARAM_HOSTNAME) == 0) {
		/* rump_init's last question: the symbol table must be in. */
		rumphost_dl_settle();
		error = rumphost_host_hostname(buf, len);
	} else if (*name == '_')
		error = RH_EINVAL;
	else if (rumphost_strcmp(name, "RUMP_MEMLIMIT") == 0)
		error = param_memlimit(buf, len);
	else
		error = rumphost_host_getenv(name, buf, len);
	if (error != 0)
		*(char *)buf = '\0';
	return error;
}
