/*
 * proto.c: the test protocol of tests/net spoken over either socket
 * layer: the rump kernel's (rnet_client.c, rnet_server.c) or the host's
 * (hostclient.c, hostpeer.c).  The client sends a header and a
 * generated stream and compares checksums with the receiver's result
 * record, sends numbered datagrams and checks their echoes byte for
 * byte, and asks the server to quit; the receiver side checks a stream
 * or a datagram against the generator.
 *
 * Assumes: the ops table's calls behave like their POSIX namesakes (-1
 * and errno on failure, errno in the layer's own numbering, which only
 * ops->errstr, ops->eintr and ops->transient interpret); addresses are
 * opaque here.
 */

#include <arpa/inet.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rnet.h"

#define CHUNK	  (64 * 1024)
#define UDP_TRIES 5

int
rnet_io_write(const struct rnet_sockops *o, int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = o->write(fd, p, len)) <= 0) {
			if (n == -1 && errno == o->eintr)
				continue;
			printf("FAIL write: %s\n", o->errstr(errno));
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
rnet_io_read(const struct rnet_sockops *o, int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = o->read(fd, p, len)) == 0)
			return 1;
		if (n < 0) {
			if (errno == o->eintr)
				continue;
			printf("FAIL read: %s\n", o->errstr(errno));
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Connect a TCP socket, retrying while the peer is not listening yet
 * or its address is still tentative (IPv6 duplicate detection).
 */
static int
stream_connect(const struct rnet_sockops *o, const void *a, double wait)
{
	double end = rnet_now() + wait;
	struct timespec ts = {0, 100 * 1000 * 1000};
	int fd, err;

	while ((fd = o->stream(a, &err)) == -1) {
		if (err == 0)
			return -1;
		if (!o->transient(err) || rnet_now() > end) {
			printf(
			    "FAIL connect %s: %s\n", o->fam(a), o->errstr(err));
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	return fd;
}

static int
send_hdr(const struct rnet_sockops *o, int fd, uint32_t kind, uint64_t len,
    uint64_t seed)
{
	struct rnet_hdr h;

	h.magic = htonl(RNET_MAGIC);
	h.kind = htonl(kind);
	h.len = rnet_hton64(len);
	h.seed = rnet_hton64(seed);
	return rnet_io_write(o, fd, &h, sizeof(h));
}

static int
get_result(const struct rnet_sockops *o, int fd, struct rnet_result *r)
{

	if (rnet_io_read(o, fd, r, sizeof(*r)) != 0) {
		printf("FAIL tcp: no result record from the %sreceiver\n",
		    o->peer);
		return -1;
	}
	r->got = rnet_ntoh64(r->got);
	r->hash = rnet_ntoh64(r->hash);
	r->bad_at = rnet_ntoh64(r->bad_at);
	return 0;
}

/* Compare the receiver's result record with what was sent. */
static int
tcp_verdict(const struct rnet_sockops *o, const struct rnet_result *r,
    uint64_t len, uint64_t hash)
{

	if (r->got != len)
		printf("FAIL tcp: %sreceiver got %llu of %llu bytes\n", o->peer,
		    (unsigned long long)r->got, (unsigned long long)len);
	else if (r->bad_at != ~(uint64_t)0)
		printf("FAIL tcp: %sreceiver saw a wrong byte at offset %llu\n",
		    o->peer, (unsigned long long)r->bad_at);
	else if (r->hash != hash)
		printf("FAIL tcp: checksums differ\n");
	else
		return 0;
	return -1;
}

int
rnet_proto_tcp_send(
    const struct rnet_sockops *o, const void *a, uint64_t len, uint64_t seed)
{
	struct rnet_gen g;
	struct rnet_result r;
	uint64_t hash = RNET_FNV_INIT, left = len;
	unsigned char *buf;
	double t0, t;
	size_t n;
	int fd, rv = -1;

	if ((fd = stream_connect(o, a, 15.0)) == -1)
		return -1;
	buf = malloc(CHUNK);
	rnet_gen_init(&g, seed);
	t0 = rnet_now();
	if (buf == NULL || send_hdr(o, fd, RNET_DATA, len, seed) != 0)
		goto out;
	while (left > 0) {
		n = left < CHUNK ? (size_t)left : CHUNK;
		rnet_gen_fill(&g, buf, n);
		hash = rnet_fnv(hash, buf, n);
		if (rnet_io_write(o, fd, buf, n) != 0)
			goto out;
		left -= n;
	}
	if (get_result(o, fd, &r) != 0)
		goto out;
	t = rnet_now() - t0;
	printf("# %stcp %s: sent %llu bytes in %.2f s = %.1f MB/s; "
	       "fnv sender %016llx receiver %016llx\n",
	    o->who, o->fam(a), (unsigned long long)len, t, len / t / 1e6,
	    (unsigned long long)hash, (unsigned long long)r.hash);
	rv = tcp_verdict(o, &r, len, hash);
out:
	free(buf);
	o->close(fd);
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
udp_await(const struct rnet_sockops *o, int fd, unsigned i,
    const unsigned char *want, size_t len, unsigned char *got)
{
	uint32_t seq;
	ssize_t n;

	for (;;) {
		if (o->pollin(fd, 1000) != 1)
			return 1;
		if ((n = o->read(fd, got, RNET_UDP_MAX)) < 4)
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

/* Send datagram i until its echo comes: 0, or -1 after a FAIL line. */
static int
udp_one(const struct rnet_sockops *o, int fd, unsigned i, size_t *lenp,
    unsigned *resent)
{
	unsigned char out[RNET_UDP_MAX], in[RNET_UDP_MAX];
	size_t len = udp_make(i, out);
	unsigned tries;
	int rv;

	for (tries = 0, rv = 1; rv == 1 && tries < UDP_TRIES; tries++) {
		if (o->write(fd, out, len) != (ssize_t)len) {
			printf("FAIL udp send %u: %s\n", i, o->errstr(errno));
			return -1;
		}
		rv = udp_await(o, fd, i, out, len, in);
	}
	*resent += tries - 1;
	if (rv == 1)
		printf("FAIL udp: no echo of datagram %u after %u tries\n", i,
		    UDP_TRIES);
	*lenp = len;
	return rv == 0 ? 0 : -1;
}

int
rnet_proto_udp_run(const struct rnet_sockops *o, const void *a, unsigned count)
{
	unsigned i, resent = 0;
	uint64_t bytes = 0;
	double t0 = rnet_now();
	size_t len;
	int fd, rv = 0;

	if ((fd = o->dgram(a)) == -1)
		return -1;
	for (i = 0; i < count && rv == 0; i++) {
		rv = udp_one(o, fd, i, &len, &resent);
		bytes += len;
	}
	o->close(fd);
	if (rv != 0)
		return -1;
	printf("# %sudp %s: %u datagrams (%llu bytes, 4..%d bytes each) "
	       "echoed intact in %.2f s, %u resent\n",
	    o->who, o->fam(a), count, (unsigned long long)bytes, RNET_UDP_MAX,
	    rnet_now() - t0, resent);
	return 0;
}

int
rnet_proto_quit(const struct rnet_sockops *o, const void *a)
{
	struct rnet_result r;
	int fd, rv;

	if ((fd = stream_connect(o, a, 5.0)) == -1)
		return -1;
	rv = send_hdr(o, fd, RNET_QUIT, 0, 0);
	if (rv == 0)
		rv = get_result(o, fd, &r);
	o->close(fd);
	return rv;
}

int
rnet_proto_serve_stream(const struct rnet_sockops *o, int fd, int *quit)
{
	struct rnet_hdr h;
	struct rnet_result r;
	struct rnet_check c;
	unsigned char *buf;
	uint64_t len, left;
	double t0 = rnet_now(), t;
	ssize_t n;
	int rv;

	if (rnet_io_read(o, fd, &h, sizeof(h)) != 0 ||
	    ntohl(h.magic) != RNET_MAGIC) {
		printf("FAIL tcp: bad request header\n");
		return -1;
	}
	len = left = rnet_ntoh64(h.len);
	rnet_check_init(&c, rnet_ntoh64(h.seed));
	if (ntohl(h.kind) == RNET_QUIT)
		*quit = 1;
	if ((buf = malloc(CHUNK)) == NULL)
		return -1;
	while (left > 0 &&
	    (n = o->read(fd, buf, left < CHUNK ? (size_t)left : CHUNK)) > 0) {
		rnet_check_feed(&c, buf, (size_t)n);
		left -= (uint64_t)n;
	}
	free(buf);
	t = rnet_now() - t0;
	if (len > 0)
		printf("# %stcp receiver: %llu of %llu bytes in %.2f s, fnv "
		       "%016llx, %s\n",
		    o->who, (unsigned long long)c.off, (unsigned long long)len,
		    t, (unsigned long long)c.hash,
		    c.bad_at == ~(uint64_t)0 ? "every byte as generated"
					     : "CORRUPT");
	r.got = rnet_hton64(c.off);
	r.hash = rnet_hton64(c.hash);
	r.bad_at = rnet_hton64(c.bad_at);
	rv = rnet_io_write(o, fd, &r, sizeof(r));
	return c.off != len || c.bad_at != ~(uint64_t)0 ? -1 : rv;
}

int
rnet_proto_datagram_ok(const unsigned char *buf, size_t n)
{
	struct rnet_check c;
	uint32_t seq;

	if (n < 4)
		return 0;
	memcpy(&seq, buf, 4);
	rnet_check_init(&c, ntohl(seq));
	rnet_check_feed(&c, buf + 4, n - 4);
	return c.bad_at == ~(uint64_t)0;
}
