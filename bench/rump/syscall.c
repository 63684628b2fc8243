/*
 * syscall.c: rump_sys_getpid(), a system call that does no work in
 * the kernel, from a thread bound to an lwp (the main thread after
 * rump_init) and from a host thread with no lwp, for which every call
 * makes and destroys a temporary lwp (rump_schedule/unschedule through
 * rumpuser_curlwpop).  ns/op is one call.
 * Assumes: nothing beyond librump.
 */

#include <sys/types.h>
#include <stdint.h>

#include <pthread.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "../bench.h"

#define BOUND_N	  2000000UL
#define UNBOUND_N 200000UL

static void
loop(const char *name, unsigned long full)
{
	unsigned long i, n;
	double t0;

	n = bn_iters(full);
	t0 = bn_now();
	for (i = 0; i < n; i++)
		(void)rump_sys_getpid();
	bn_result(name, "ns/op", (bn_now() - t0) / n, n);
}

static void *
unbound(void *arg)
{

	(void)arg;
	loop("rump_syscall_unbound", UNBOUND_N);
	return NULL;
}

int
main(void)
{
	pthread_t t;

	if (rump_init() != 0)
		bn_die("rump_init");
	loop("rump_syscall_bound", BOUND_N);
	if (pthread_create(&t, NULL, unbound, NULL) != 0)
		bn_die("pthread_create");
	pthread_join(t, NULL);
	return 0;
}
