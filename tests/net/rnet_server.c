/*
 * rnet_server.c: the passive side of the rump networking tests.  One
 * loop polls a TCP listener and a UDP socket per address family: a TCP
 * client's stream is checked byte by byte against the generator as it
 * arrives and answered with a result record (count, checksum, first
 * bad offset); a UDP datagram's payload is checked, then echoed.  A
 * RNET_QUIT request, or `idle` seconds without traffic, ends the loop.
 *
 * Assumes: the interfaces are configured; single host thread (the one
 * rump_init() bound to the rump kernel).
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <errno.h>
#include <stdint.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#define RNET_RUMP
#include "rnet.h"

struct srv {
	struct pollfd pfd[4];
	int npfd;
	int isudp[4];
	unsigned long udp_ok, udp_bad;
	int quit;
};

static int
srv_add(struct srv *s, int family, int type, uint16_t port)
{
	struct nb_addr a;
	int fd, one = 1;

	memset(&a, 0, sizeof(a));
	rnet_parse_addr(family == RUMP_AF_INET ? "0.0.0.0" : "::", port, &a);
	if ((fd = rnet_socket(family, type, 0)) == -1)
		return -1;
	(void)rump_sys_setsockopt(
	    fd, RUMP_SOL_SOCKET, RUMP_SO_REUSEADDR, &one, sizeof(one));
	if (rump_sys_bind(
		fd, (const struct sockaddr *)(const void *)&a.u, a.len) == -1 ||
	    (type == RUMP_SOCK_STREAM && rump_sys_listen(fd, 4) == -1)) {
		printf("FAIL bind/listen (family %d port %u): NetBSD errno "
		       "%d\n",
		    family, port, errno);
		return -1;
	}
	s->pfd[s->npfd].fd = fd;
	s->pfd[s->npfd].events = POLLIN;
	s->isudp[s->npfd++] = type == RUMP_SOCK_DGRAM;
	return 0;
}

/* Receive and check one client's stream; send the result record. */
static int
srv_tcp(struct srv *s, int lfd)
{
	int fd, rv;

	if ((fd = rump_sys_accept(lfd, NULL, NULL)) == -1) {
		printf("FAIL accept: NetBSD errno %d\n", errno);
		return -1;
	}
	rv = rnet_proto_serve_stream(&rnet_rump_ops, fd, &s->quit);
	rump_sys_close(fd);
	return rv;
}

/* Check one datagram (seq, then stream keyed by seq) and echo it. */
static void
srv_udp(struct srv *s, int fd)
{
	unsigned char buf[RNET_UDP_MAX];
	struct nb_addr from;
	socklen_t flen = sizeof(from.u);
	ssize_t n;

	n = rump_sys_recvfrom(
	    fd, buf, sizeof(buf), 0, (struct sockaddr *)(void *)&from.u, &flen);
	if (n < 4)
		return;
	if (!rnet_proto_datagram_ok(buf, (size_t)n)) {
		s->udp_bad++;
		return; /* no echo: the sender will report it */
	}
	s->udp_ok++;
	(void)rump_sys_sendto(fd, buf, (size_t)n, 0,
	    (const struct sockaddr *)(const void *)&from.u, flen);
}

int
rnet_serve(int v6, double idle)
{
	struct srv s;
	double last = rnet_now();
	int i, rv = 0;

	memset(&s, 0, sizeof(s));
	if (srv_add(&s, RUMP_AF_INET, RUMP_SOCK_STREAM, RNET_PORT_TCP) ||
	    srv_add(&s, RUMP_AF_INET, RUMP_SOCK_DGRAM, RNET_PORT_UDP) ||
	    (v6 &&
		(srv_add(&s, RUMP_AF_INET6, RUMP_SOCK_STREAM, RNET_PORT_TCP) ||
		    srv_add(
			&s, RUMP_AF_INET6, RUMP_SOCK_DGRAM, RNET_PORT_UDP))))
		return -1;
	printf("ready\n");
	fflush(stdout);
	while (!s.quit && rnet_now() - last < idle) {
		if (rump_sys_poll(s.pfd, (u_int)s.npfd, 1000) <= 0)
			continue;
		last = rnet_now();
		for (i = 0; i < s.npfd; i++) {
			if (!(s.pfd[i].revents & POLLIN))
				continue;
			if (s.isudp[i])
				srv_udp(&s, s.pfd[i].fd);
			else if (srv_tcp(&s, s.pfd[i].fd) != 0)
				rv = -1;
		}
	}
	printf("# udp receiver: %lu datagrams with intact payload echoed, "
	       "%lu corrupt\n",
	    s.udp_ok, s.udp_bad);
	if (!s.quit) {
		printf("FAIL server: no request for %.0f s\n", idle);
		rv = -1;
	}
	if (s.udp_bad > 0)
		rv = -1;
	return rv;
}
