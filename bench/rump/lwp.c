/*
 * lwp.c: lwp churn from two host threads at once: each repeatedly
 * creates an lwp in the rump process (rump_pub_lwproc_newlwp) and
 * releases it; then rfork churn: each repeatedly forks a new rump
 * process (rump_pub_lwproc_rfork(RUMP_RFCFDG)) and releases its lwp,
 * which ends the process.  ns/op is wall time per create+release,
 * counting both threads' operations.
 * Assumes: nothing beyond librumpvfs.
 */

#include <sys/types.h>
#include <stdint.h>

#include <pthread.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "../bench.h"

#define LWP_N 50000UL
#define RF_N  10000UL

static unsigned long n;
static int rpid, rforking;

static void *
churn(void *arg)
{
	unsigned long i;

	(void)arg;
	for (i = 0; i < n; i++) {
		if (rforking) {
			if (rump_pub_lwproc_rfork(RUMP_RFCFDG) != 0)
				bn_die("rfork");
		} else if (rump_pub_lwproc_newlwp(rpid) != 0)
			bn_die("newlwp");
		rump_pub_lwproc_releaselwp();
	}
	return NULL;
}

static void
run(const char *name, unsigned long full)
{
	pthread_t t[2];
	double t0;
	int i;

	n = bn_iters(full);
	t0 = bn_now();
	for (i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, churn, NULL) != 0)
			bn_die("pthread_create");
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	bn_result(name, "ns/op", (bn_now() - t0) / (2 * n), 2 * n);
}

int
main(void)
{

	if (rump_init() != 0)
		bn_die("rump_init");
	rpid = rump_sys_getpid();
	run("rump_lwp_churn", LWP_N);
	rforking = 1;
	run("rump_rfork_churn", RF_N);
	return 0;
}
