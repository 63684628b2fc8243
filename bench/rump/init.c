/*
 * init.c: rump_init() latency.  Built three times, linked with the
 * minimal (librump), file system (+ vfs, tmpfs, ext2fs, ffs, disk) and
 * network (+ net, netinet, netinet6, shmif, config) component sets; the
 * set's name is argv[1].  Each of N forked children calls rump_init()
 * once and reports the time it took through a pipe; the result is the
 * mean, in microseconds.  Components load as constructors before main,
 * so library loading is not in the number.
 * Assumes: fork() before any rump_init() in the parent.
 */

#include <sys/types.h>
#include <stdint.h>

#include <sys/wait.h>

#include <stdio.h>
#include <unistd.h>

#include <rump/rump.h>

#include "../bench.h"

#define INIT_N 20UL

int
main(int argc, char **argv)
{
	unsigned long i, n;
	double t, sum = 0;
	char name[64];
	int p[2], st;
	pid_t pid;

	if (argc != 2)
		bn_die("usage: %s SETNAME", argv[0]);
	n = bn_iters(INIT_N * 100) / 100;
	if (n == 0)
		n = 1;
	for (i = 0; i < n; i++) {
		if (pipe(p) == -1)
			bn_die("pipe");
		if ((pid = fork()) == -1)
			bn_die("fork");
		if (pid == 0) {
			close(p[0]);
			t = bn_now();
			if (rump_init() != 0)
				_exit(1);
			t = bn_now() - t;
			if (write(p[1], &t, sizeof(t)) != sizeof(t))
				_exit(1);
			_exit(0);
		}
		close(p[1]);
		if (read(p[0], &t, sizeof(t)) != sizeof(t))
			bn_die("child %ld reported nothing", (long)pid);
		close(p[0]);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			bn_die("child %ld failed", (long)pid);
		sum += t;
	}
	snprintf(name, sizeof(name), "rump_init_%s", argv[1]);
	bn_result(name, "us/op", sum / n / 1e3, n);
	return 0;
}
