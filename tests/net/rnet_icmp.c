/*
 * rnet_icmp.c: ICMP and ICMPv6 echo from inside the rump kernel, over a
 * raw socket (the rump kernel has no ping program): sends echo
 * requests one after another, matches replies by identifier and
 * sequence number and reports the round-trip times.
 *
 * Assumes: the rump process has the superuser credentials rump_init()
 * gives it (raw sockets); an IPv4 raw socket delivers the IP header
 * before the ICMP message, an ICMPv6 one does not and computes the
 * ICMPv6 checksum itself (NetBSD behaviour).
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <errno.h>
#include <stdint.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#define RNET_RUMP
#include "rnet.h"

#define ICMP_ECHO	8
#define ICMP_ECHOREPLY	0
#define ICMP6_ECHO	128
#define ICMP6_ECHOREPLY 129
#define PROTO_ICMP	1
#define PROTO_ICMPV6	58
#define PAYLOAD		56
#define FIRST_WAIT	15.0 /* s: ARP/ND and IPv6 DAD may delay the first */

static int last_err; /* of the last sendto that failed */

static uint16_t
cksum(const unsigned char *p, size_t len)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)(p[len - 1] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

/* An echo request: type, code, checksum, id, seq, then payload. */
static size_t
echo_make(unsigned char *p, int v6, uint16_t id, uint16_t seq)
{
	uint16_t c, nid = htons(id), nseq = htons(seq);
	size_t i;

	memset(p, 0, 8);
	p[0] = v6 ? ICMP6_ECHO : ICMP_ECHO;
	memcpy(p + 4, &nid, 2);
	memcpy(p + 6, &nseq, 2);
	for (i = 0; i < PAYLOAD; i++)
		p[8 + i] = (unsigned char)(seq + i);
	if (!v6) {
		c = cksum(p, 8 + PAYLOAD);
		memcpy(p + 2, &c, 2);
	}
	return 8 + PAYLOAD;
}

/* Is buf (as received) the reply to request req? */
static int
is_reply(const unsigned char *buf, ssize_t n, int v6, const unsigned char *req)
{
	size_t off = 0;

	if (!v6) {
		if (n < 20)
			return 0;
		off = (size_t)(buf[0] & 0x0f) * 4;
	}
	if ((size_t)n < off + 8 + PAYLOAD)
		return 0;
	buf += off;
	return buf[0] == (v6 ? ICMP6_ECHOREPLY : ICMP_ECHOREPLY) &&
	    memcmp(buf + 4, req + 4, 4) == 0 &&
	    memcmp(buf + 8, req + 8, PAYLOAD) == 0;
}

/* One echo; wait up to `wait` s for the reply.  RTT in ms, or -1. */
static double
echo_once(
    int fd, const struct nb_addr *a, uint16_t id, uint16_t seq, double wait)
{
	unsigned char req[8 + PAYLOAD], buf[2048];
	struct pollfd pfd = {fd, POLLIN, 0};
	struct timespec ts = {0, 10 * 1000 * 1000};
	int v6 = a->family == RUMP_AF_INET6;
	double t0 = rnet_now(), left;
	size_t len;
	ssize_t n;

	len = echo_make(req, v6, id, seq);
	if (rump_sys_sendto(fd, req, len, 0,
		(const struct sockaddr *)(const void *)&a->u,
		a->len) != (ssize_t)len) {
		/* Not sent (address not usable yet): do not spin. */
		last_err = errno;
		nanosleep(&ts, NULL);
		return -1;
	}
	while ((left = t0 + wait - rnet_now()) > 0) {
		if (rump_sys_poll(&pfd, 1, (int)(left * 1000) + 1) != 1)
			break;
		n = rump_sys_recvfrom(fd, buf, sizeof(buf), 0, NULL, NULL);
		if (n > 0 && is_reply(buf, n, v6, req))
			return (rnet_now() - t0) * 1000;
	}
	return -1;
}

/*
 * count echoes, each answered within a second; the first one (address
 * resolution, tentative IPv6 addresses) is retried for FIRST_WAIT s.
 */
int
rnet_ping(const struct nb_addr *a, unsigned count)
{
	int v6 = a->family == RUMP_AF_INET6, fd;
	uint16_t id = (uint16_t)getpid(), seq = 0;
	double rtt, first = -1, min = 1e9, max = 0, sum = 0, t0 = rnet_now(),
		    tfirst;
	unsigned got = 0, lost = 0, tries;

	fd = rnet_socket(
	    a->family, RUMP_SOCK_RAW, v6 ? PROTO_ICMPV6 : PROTO_ICMP);
	if (fd == -1)
		return -1;
	for (last_err = 0; first < 0 && rnet_now() < t0 + FIRST_WAIT; seq++)
		first = echo_once(fd, a, id, seq, 1.0);
	tries = seq;
	tfirst = rnet_now() - t0;
	if (first < 0) {
		printf("FAIL ping%s: no echo reply in %.0f s (last send error: "
		       "NetBSD errno %d)\n",
		    v6 ? "6" : "", FIRST_WAIT, last_err);
		rump_sys_close(fd);
		return -1;
	}
	for (; got < count && lost < 3; seq++) {
		if ((rtt = echo_once(fd, a, id, seq, 1.0)) < 0) {
			lost++;
			continue;
		}
		got++;
		sum += rtt;
		min = rtt < min ? rtt : min;
		max = rtt > max ? rtt : max;
	}
	rump_sys_close(fd);
	printf("# ping%s: first reply %.3f s after start (try %u, rtt %.3f ms, "
	       "last send error %d); then %u/%u replies, rtt min/avg/max "
	       "%.3f/%.3f/%.3f ms\n",
	    v6 ? "6" : "", tfirst, tries, first, last_err, got, got + lost, min,
	    got ? sum / got : 0, max);
	if (got < count) {
		printf("FAIL ping%s: %u of %u echoes lost\n", v6 ? "6" : "",
		    lost, got + lost);
		return -1;
	}
	return 0;
}
