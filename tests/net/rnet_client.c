/*
 * rnet_client.c: the active side of the rump networking tests over the
 * rump kernel's sockets: the protocol of proto.c (a TCP transfer of a
 * generated stream whose checksum the receiver reports back, a UDP
 * exchange whose echoes are checked byte for byte, the request that
 * ends the server) on a table of rump_sys_*() calls.
 *
 * Assumes: a peer running rnet_serve() (or tests/net/hostpeer) on
 * RNET_PORT_TCP / RNET_PORT_UDP; NetBSD errno values from rump_sys_*();
 * the calling host thread is bound to a rump lwp.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#define RNET_RUMP
#include "rnet.h"

static int
r_stream(const void *p, int *err)
{
	const struct nb_addr *a = p;
	int fd;

	*err = 0;
	if ((fd = rnet_socket(a->family, RUMP_SOCK_STREAM, 0)) == -1)
		return -1;
	if (rump_sys_connect(
		fd, (const struct sockaddr *)(const void *)&a->u, a->len) == 0)
		return fd;
	*err = errno;
	rump_sys_close(fd);
	return -1;
}

static int
r_transient(int err)
{

	return err == NB_ECONNREFUSED || err == NB_EADDRNOTAVAIL ||
	    err == NB_EHOSTUNREACH || err == NB_ENETUNREACH;
}

/* A UDP socket connected to the UDP port of a's host. */
static int
r_dgram(const void *p)
{
	const struct nb_addr *a = p;
	struct nb_addr u = *a;
	int fd;

	u.u.v4.sin_port = htons(RNET_PORT_UDP); /* same offset in v6 */
	if ((fd = rnet_socket(a->family, RUMP_SOCK_DGRAM, 0)) == -1)
		return -1;
	if (rump_sys_connect(
		fd, (const struct sockaddr *)(const void *)&u.u, u.len) == -1) {
		printf("FAIL udp connect: NetBSD errno %d\n", errno);
		rump_sys_close(fd);
		return -1;
	}
	return fd;
}

static int
r_pollin(int fd, int ms)
{
	struct pollfd pfd = {fd, POLLIN, 0};

	return rump_sys_poll(&pfd, 1, ms);
}

static const char *
r_fam(const void *p)
{
	const struct nb_addr *a = p;

	return a->family == RUMP_AF_INET6 ? "v6" : "v4";
}

static const char *
r_errstr(int err)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "NetBSD errno %d", err);
	return buf;
}

const struct rnet_sockops rnet_rump_ops = {
    .who = "",
    .peer = "",
    .eintr = NB_EINTR,
    .stream = r_stream,
    .transient = r_transient,
    .dgram = r_dgram,
    .read = rump_sys_read,
    .write = rump_sys_write,
    .pollin = r_pollin,
    .close = rump_sys_close,
    .fam = r_fam,
    .errstr = r_errstr,
};

int
rnet_tcp_send(const struct nb_addr *a, uint64_t len, uint64_t seed)
{

	return rnet_proto_tcp_send(&rnet_rump_ops, a, len, seed);
}

int
rnet_udp_echo_run(const struct nb_addr *a, unsigned count)
{

	return rnet_proto_udp_run(&rnet_rump_ops, a, count);
}

int
rnet_quit(const struct nb_addr *a)
{

	return rnet_proto_quit(&rnet_rump_ops, a);
}
