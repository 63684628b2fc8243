/*
 * limits.c: the same operations done by the host without rump, the
 * floor each rump workload is compared against: getpid(2), a one-byte
 * pipe ping-pong between two threads, pread of 4 KiB at random offsets
 * of a 64 MiB file with the page cache warm and cold (posix_fadvise
 * DONTNEED first; cold only if the file system honours it), memcpy of
 * 64 MiB, pthread create+join, and a one-byte TCP round trip over
 * 127.0.0.1.  Result lines say impl=host.
 * Assumes: $WORKDIR (else $TMPDIR, /tmp) has 64 MiB free; loopback TCP.
 */

#include <sys/socket.h>
#include <sys/syscall.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../bench.h"

#define FILESZ (64UL * 1024 * 1024)

static int ping[2], pong[2];
static unsigned long n;

static void *
pipe_partner(void *arg)
{
	unsigned long i;
	char c;

	(void)arg;
	for (i = 0; i < n; i++)
		if (read(ping[0], &c, 1) != 1 || write(pong[1], &c, 1) != 1)
			bn_die("pipe partner");
	return NULL;
}

static void *
nothing(void *arg)
{

	return arg;
}

static int lsock;

static void *
tcp_partner(void *arg)
{
	unsigned long i;
	int s, one = 1;
	char c;

	(void)arg;
	if ((s = accept(lsock, NULL, NULL)) == -1)
		bn_die("accept");
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (i = 0; i < n; i++)
		if (read(s, &c, 1) != 1 || write(s, &c, 1) != 1)
			bn_die("tcp partner");
	close(s);
	return NULL;
}

static void
preads(int fd, const char *name)
{
	unsigned long i, x = 12345;
	char buf[4096];
	double t0;

	t0 = bn_now();
	for (i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		if (pread(fd, buf, 4096, (off_t)(x % (FILESZ / 4096)) * 4096) !=
		    4096)
			bn_die("pread");
	}
	bn_result(name, "us/op", (bn_now() - t0) / n / 1e3, n);
}

int
main(void)
{
	struct sockaddr_in sin;
	socklen_t sl;
	unsigned long i;
	const char *dir;
	char *src, *dst, *path, c = 'x';
	pthread_t t;
	double t0;
	int fd, s, one = 1;

	n = bn_iters(2000000);
	t0 = bn_now();
	for (i = 0; i < n; i++)
		(void)syscall(SYS_getpid);
	bn_result("host_getpid", "ns/op", (bn_now() - t0) / n, n);

	n = bn_iters(50000);
	if (pipe(ping) == -1 || pipe(pong) == -1)
		bn_die("pipe");
	pthread_create(&t, NULL, pipe_partner, NULL);
	t0 = bn_now();
	for (i = 0; i < n; i++)
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			bn_die("pipe");
	bn_result("host_pipe_pingpong", "ns/op", (bn_now() - t0) / n, n);
	pthread_join(t, NULL);

	if ((dir = getenv("WORKDIR")) == NULL &&
	    (dir = getenv("TMPDIR")) == NULL)
		dir = "/tmp";
	if (asprintf(&path, "%s/rumphost-limits.%ld", dir, (long)getpid()) ==
	    -1)
		bn_die("asprintf");
	if ((src = malloc(FILESZ)) == NULL || (dst = malloc(FILESZ)) == NULL)
		bn_die("malloc");
	memset(src, 0x3c, FILESZ);
	memset(dst, 0, FILESZ);
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) == -1)
		bn_die("create %s", path);
	unlink(path);
	if (write(fd, src, FILESZ) != (ssize_t)FILESZ)
		bn_die("write %s", path);
	fsync(fd);
	n = bn_iters(100000);
	preads(fd, "host_pread_4k_warm");
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	n = bn_iters(2000 * 100) / 100;
	preads(fd, "host_pread_4k_cold");
	close(fd);

	t0 = bn_now();
	memcpy(dst, src, bn_quick() ? FILESZ / 64 : FILESZ);
	__asm__ volatile("" : : "r"(dst) : "memory");
	bn_result("host_memcpy_64m", "ms", (bn_now() - t0) / 1e6, 1);

	n = bn_iters(20000);
	t0 = bn_now();
	for (i = 0; i < n; i++) {
		if (pthread_create(&t, NULL, nothing, NULL) != 0)
			bn_die("pthread_create");
		pthread_join(t, NULL);
	}
	bn_result("host_thread_create_join", "ns/op", (bn_now() - t0) / n, n);

	n = bn_iters(50000);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sl = sizeof(sin);
	if ((lsock = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(lsock, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lsock, 1) == -1 ||
	    getsockname(lsock, (struct sockaddr *)&sin, &sl) == -1)
		bn_die("listen on loopback");
	pthread_create(&t, NULL, tcp_partner, NULL);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(s, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		bn_die("connect");
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	t0 = bn_now();
	for (i = 0; i < n; i++)
		if (write(s, &c, 1) != 1 || read(s, &c, 1) != 1)
			bn_die("tcp");
	bn_result("host_tcp_rtt_lo", "ns/op", (bn_now() - t0) / n, n);
	pthread_join(t, NULL);
	close(s);
	close(lsock);
	return 0;
}
