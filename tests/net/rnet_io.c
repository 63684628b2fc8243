/*
 * rnet_io.c: socket helpers over the rump kernel's system calls for the
 * networking tests: a socket with large buffers, a connect that waits
 * for the peer to come up, and whole-buffer reads and writes.
 *
 * Assumes: the calling host thread is bound to a rump lwp (the main
 * thread after rump_init()); errno holds NetBSD values after a failed
 * rump_sys_*() call.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#define RNET_RUMP
#include "rnet.h"

#define RNET_SOCKBUF (512 * 1024)

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
rnet_socket(int family, int type, int proto)
{
	int fd, sz = RNET_SOCKBUF;

	if ((fd = rump_sys_socket(family, type, proto)) == -1) {
		printf("FAIL socket(%d, %d, %d): NetBSD errno %d\n", family,
		    type, proto, errno);
		return -1;
	}
	/* Larger windows than the default 32 KiB: best effort. */
	(void)rump_sys_setsockopt(
	    fd, RUMP_SOL_SOCKET, RUMP_SO_SNDBUF, &sz, sizeof(sz));
	(void)rump_sys_setsockopt(
	    fd, RUMP_SOL_SOCKET, RUMP_SO_RCVBUF, &sz, sizeof(sz));
	return fd;
}

/*
 * Connect a TCP socket, retrying while the peer is not listening yet
 * or its address is still tentative (IPv6 duplicate detection).
 */
int
rnet_connect(const struct nb_addr *a, double wait)
{
	double end = now() + wait;
	struct timespec ts = {0, 100 * 1000 * 1000};
	int fd, err;

	for (;;) {
		if ((fd = rnet_socket(a->family, RUMP_SOCK_STREAM, 0)) == -1)
			return -1;
		if (rump_sys_connect(fd,
			(const struct sockaddr *)(const void *)&a->u,
			a->len) == 0)
			return fd;
		err = errno;
		rump_sys_close(fd);
		if ((err != NB_ECONNREFUSED && err != NB_EADDRNOTAVAIL &&
			err != NB_EHOSTUNREACH && err != NB_ENETUNREACH) ||
		    now() > end) {
			printf("FAIL connect: NetBSD errno %d\n", err);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
}

int
rnet_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = rump_sys_write(fd, p, len)) <= 0) {
			if (n == -1 && errno == NB_EINTR)
				continue;
			printf("FAIL write: %zd, NetBSD errno %d\n", n, errno);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* 0: all read; 1: EOF first; -1: error. */
int
rnet_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = rump_sys_read(fd, p, len)) == 0)
			return 1;
		if (n < 0) {
			if (errno == NB_EINTR)
				continue;
			printf("FAIL read: NetBSD errno %d\n", errno);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
