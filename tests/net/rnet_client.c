/*
 * rnet_client.c: the active side of the rump networking tests: a TCP
 * transfer of a generated stream whose checksum the receiver reports
 * back, a UDP exchange whose echoes are checked byte for byte, and the
 * request that ends the server.
 *
 * Assumes: a peer running rnet_serve() (or tests/net/hostpeer) on
 * RNET_PORT_TCP / RNET_PORT_UDP; NetBSD errno values from rump_sys_*().
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <errno.h>
#include <stdint.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#define RNET_RUMP
#include "rnet.h"

#define CHUNK	  (64 * 1024)
#define UDP_TRIES 5

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
send_hdr(int fd, uint32_t kind, uint64_t len, uint64_t seed)
{
	struct rnet_hdr h;

	h.magic = htonl(RNET_MAGIC);
	h.kind = htonl(kind);
	h.len = rnet_hton64(len);
	h.seed = rnet_hton64(seed);
	return rnet_write_all(fd, &h, sizeof(h));
}

static int
get_result(int fd, struct rnet_result *r)
{

	if (rnet_read_all(fd, r, sizeof(*r)) != 0) {
		printf("FAIL tcp: no result record from the receiver\n");
		return -1;
	}
	r->got = rnet_ntoh64(r->got);
	r->hash = rnet_ntoh64(r->hash);
	r->bad_at = rnet_ntoh64(r->bad_at);
	return 0;
}

/* Send len bytes of the stream keyed by seed; compare the checksums. */
int
rnet_tcp_send(const struct nb_addr *a, uint64_t len, uint64_t seed)
{
	struct rnet_gen g;
	struct rnet_result r;
	uint64_t hash = RNET_FNV_INIT, left = len;
	unsigned char *buf;
	double t0, t;
	size_t n;
	int fd, rv = -1;

	if ((fd = rnet_connect(a, 15.0)) == -1)
		return -1;
	buf = malloc(CHUNK);
	rnet_gen_init(&g, seed);
	t0 = now();
	if (buf == NULL || send_hdr(fd, RNET_DATA, len, seed) != 0)
		goto out;
	while (left > 0) {
		n = left < CHUNK ? (size_t)left : CHUNK;
		rnet_gen_fill(&g, buf, n);
		hash = rnet_fnv(hash, buf, n);
		if (rnet_write_all(fd, buf, n) != 0)
			goto out;
		left -= n;
	}
	if (get_result(fd, &r) != 0)
		goto out;
	t = now() - t0;
	printf("# tcp %s: sent %llu bytes in %.2f s = %.1f MB/s; "
	       "fnv sender %016llx receiver %016llx\n",
	    a->family == RUMP_AF_INET6 ? "v6" : "v4", (unsigned long long)len,
	    t, len / t / 1e6, (unsigned long long)hash,
	    (unsigned long long)r.hash);
	if (r.got != len)
		printf("FAIL tcp: receiver got %llu of %llu bytes\n",
		    (unsigned long long)r.got, (unsigned long long)len);
	else if (r.bad_at != ~(uint64_t)0)
		printf("FAIL tcp: receiver saw a wrong byte at offset %llu\n",
		    (unsigned long long)r.bad_at);
	else if (r.hash != hash)
		printf("FAIL tcp: checksums differ\n");
	else
		rv = 0;
out:
	free(buf);
	rump_sys_close(fd);
	return rv;
}

/* Datagram i: its length, and its bytes (seq, then stream keyed by i). */
static size_t
udp_make(unsigned i, unsigned char *p)
{
	struct rnet_gen g;
	size_t len;
	uint32_t seq = htonl(i);

	/* Mostly small, every 16th one needs IP fragmentation. */
	len = i % 16 == 15 ? RNET_UDP_MAX : 4 + (i * 797u) % 1400;
	memcpy(p, &seq, 4);
	rnet_gen_init(&g, i);
	rnet_gen_fill(&g, p + 4, len - 4);
	return len;
}

/* Wait up to 1 s for the echo of datagram i: 0 got it, 1 not yet. */
static int
udp_await(int fd, unsigned i, const unsigned char *want, size_t len,
    unsigned char *got)
{
	struct pollfd pfd = {fd, POLLIN, 0};
	uint32_t seq;
	ssize_t n;

	for (;;) {
		if (rump_sys_poll(&pfd, 1, 1000) != 1)
			return 1;
		if ((n = rump_sys_recvfrom(
			 fd, got, RNET_UDP_MAX, 0, NULL, NULL)) < 4)
			return -1;
		memcpy(&seq, got, 4);
		if (ntohl(seq) < i)
			continue; /* late echo of a retransmission */
		if ((size_t)n != len || memcmp(got, want, len) != 0) {
			printf("FAIL udp: echo of datagram %u differs "
			       "(%zd bytes, want %zu)\n",
			    i, n, len);
			return -1;
		}
		return 0;
	}
}

int
rnet_udp_echo_run(const struct nb_addr *a, unsigned count)
{
	unsigned char out[RNET_UDP_MAX], in[RNET_UDP_MAX];
	struct nb_addr u = *a;
	unsigned i, tries, resent = 0;
	uint64_t bytes = 0;
	double t0 = now();
	size_t len;
	int fd, rv;

	u.u.v4.sin_port = htons(RNET_PORT_UDP); /* same offset in v6 */
	if ((fd = rnet_socket(a->family, RUMP_SOCK_DGRAM, 0)) == -1)
		return -1;
	if (rump_sys_connect(
		fd, (const struct sockaddr *)(const void *)&u.u, u.len) == -1) {
		printf("FAIL udp connect: NetBSD errno %d\n", errno);
		rump_sys_close(fd);
		return -1;
	}
	for (i = 0; i < count; i++) {
		len = udp_make(i, out);
		for (tries = 0, rv = 1; rv == 1 && tries < UDP_TRIES; tries++) {
			if (rump_sys_sendto(fd, out, len, 0, NULL, 0) !=
			    (ssize_t)len) {
				printf("FAIL udp send %u: NetBSD errno %d\n", i,
				    errno);
				rv = -1;
				break;
			}
			rv = udp_await(fd, i, out, len, in);
		}
		resent += tries - 1;
		if (rv != 0) {
			if (rv == 1)
				printf("FAIL udp: no echo of datagram %u after "
				       "%u tries\n",
				    i, UDP_TRIES);
			rump_sys_close(fd);
			return -1;
		}
		bytes += len;
	}
	rump_sys_close(fd);
	printf("# udp %s: %u datagrams (%llu bytes, 4..%d bytes each) echoed "
	       "intact in %.2f s, %u resent\n",
	    a->family == RUMP_AF_INET6 ? "v6" : "v4", count,
	    (unsigned long long)bytes, RNET_UDP_MAX, now() - t0, resent);
	return 0;
}

int
rnet_quit(const struct nb_addr *a)
{
	struct rnet_result r;
	int fd, rv;

	if ((fd = rnet_connect(a, 5.0)) == -1)
		return -1;
	rv = send_hdr(fd, RNET_QUIT, 0, 0);
	if (rv == 0)
		rv = get_result(fd, &r);
	rump_sys_close(fd);
	return rv;
}
