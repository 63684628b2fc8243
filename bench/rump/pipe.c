/*
 * pipe.c: a one-byte ping-pong over two rump pipes between two host
 * threads, each bound to an lwp of the same rump process
 * (rump_pub_lwproc_newlwp); ns/op is one round trip (two writes, two
 * reads, two sleeps and wakeups in the rump kernel).
 * Assumes: nothing beyond librumpvfs (pipes are in the vfs component).
 */

#include <sys/types.h>
#include <stdint.h>

#include <pthread.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "../bench.h"

#define PP_N 50000UL

static int ping[2], pong[2];
static unsigned long n;
static int rpid;

static void *
partner(void *arg)
{
	unsigned long i;
	char c;

	(void)arg;
	if (rump_pub_lwproc_newlwp(rpid) != 0)
		bn_die("newlwp");
	for (i = 0; i < n; i++) {
		if (rump_sys_read(ping[0], &c, 1) != 1 ||
		    rump_sys_write(pong[1], &c, 1) != 1)
			bn_die("partner read/write");
	}
	rump_pub_lwproc_releaselwp();
	return NULL;
}

int
main(void)
{
	unsigned long i;
	pthread_t t;
	double t0;
	char c = 'x';

	if (rump_init() != 0)
		bn_die("rump_init");
	rpid = rump_sys_getpid();
	if (rump_sys_pipe(ping) == -1 || rump_sys_pipe(pong) == -1)
		bn_die("rump pipe");
	n = bn_iters(PP_N);
	if (pthread_create(&t, NULL, partner, NULL) != 0)
		bn_die("pthread_create");
	t0 = bn_now();
	for (i = 0; i < n; i++) {
		if (rump_sys_write(ping[1], &c, 1) != 1 ||
		    rump_sys_read(pong[0], &c, 1) != 1)
			bn_die("read/write");
	}
	bn_result("rump_pipe_pingpong", "ns/op", (bn_now() - t0) / n, n);
	pthread_join(t, NULL);
	return 0;
}
