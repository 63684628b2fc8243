/*
 * hostclient.c: the active side of the virtif test run from Linux, for
 * traffic that starts on the host and ends in the rump kernel (whose
 * rnet_serve() answers): a TCP transfer of a generated stream whose
 * checksum the rump receiver reports back, a UDP exchange whose echoes
 * are checked byte for byte, and the request that ends the server.
 *
 *   hostpeer run STEP...	STEP = tcp,ADDR,MB | udp,ADDR,N | quit,ADDR
 *
 * Assumes: the host's own sockets (run inside the test's network
 * namespace), a peer speaking rnet_server.c's protocol on RNET_PORT_TCP
 * and RNET_PORT_UDP; prints "# " details and "FAIL ..." itself.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rnet.h"

#define CHUNK	  (64 * 1024)
#define UDP_TRIES 5

struct haddr {
	struct sockaddr_storage ss;
	socklen_t len;
	const char *name;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
haddr_parse(const char *s, uint16_t port, struct haddr *a)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;

	memset(a, 0, sizeof(*a));
	a->name = s;
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		a->len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		a->len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

static const char *
fam(const struct haddr *a)
{

	return a->ss.ss_family == AF_INET6 ? "v6" : "v4";
}

/*
 * Connect, retrying while the rump side is not listening yet or its
 * address is still tentative (IPv6 duplicate detection).
 */
static int
hconnect(const struct haddr *a, double wait)
{
	double end = now() + wait;
	struct timespec ts = {0, 100 * 1000 * 1000};
	int fd, err;

	for (;;) {
		if ((fd = socket(a->ss.ss_family, SOCK_STREAM, 0)) == -1) {
			printf("FAIL socket: %s\n", strerror(errno));
			return -1;
		}
		if (connect(fd, (const struct sockaddr *)&a->ss, a->len) == 0)
			return fd;
		err = errno;
		close(fd);
		if ((err != ECONNREFUSED && err != EHOSTUNREACH &&
			err != ENETUNREACH && err != ETIMEDOUT) ||
		    now() > end) {
			printf("FAIL connect %s: %s\n", a->name, strerror(err));
			return -1;
		}
		nanosleep(&ts, NULL);
	}
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			printf("FAIL write: %s\n", strerror(errno));
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
send_hdr(int fd, uint32_t kind, uint64_t len, uint64_t seed)
{
	struct rnet_hdr h;

	h.magic = htonl(RNET_MAGIC);
	h.kind = htonl(kind);
	h.len = rnet_hton64(len);
	h.seed = rnet_hton64(seed);
	return write_all(fd, &h, sizeof(h));
}

static int
get_result(int fd, struct rnet_result *r)
{
	char *p = (char *)r;
	size_t left = sizeof(*r);
	ssize_t n;

	while (left > 0) {
		if ((n = read(fd, p, left)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			printf("FAIL tcp: no result record from the rump "
			       "receiver\n");
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	r->got = rnet_ntoh64(r->got);
	r->hash = rnet_ntoh64(r->hash);
	r->bad_at = rnet_ntoh64(r->bad_at);
	return 0;
}

/* Send len bytes of the stream keyed by seed; compare the checksums. */
static int
tcp_send(const struct haddr *a, uint64_t len, uint64_t seed)
{
	static unsigned char buf[CHUNK];
	struct rnet_gen g;
	struct rnet_result r;
	uint64_t hash = RNET_FNV_INIT, left = len;
	double t0, t;
	size_t n;
	int fd, rv = -1;

	if ((fd = hconnect(a, 15.0)) == -1)
		return -1;
	rnet_gen_init(&g, seed);
	t0 = now();
	if (send_hdr(fd, RNET_DATA, len, seed) != 0)
		goto out;
	while (left > 0) {
		n = left < CHUNK ? (size_t)left : CHUNK;
		rnet_gen_fill(&g, buf, n);
		hash = rnet_fnv(hash, buf, n);
		if (write_all(fd, buf, n) != 0)
			goto out;
		left -= n;
	}
	if (get_result(fd, &r) != 0)
		goto out;
	t = now() - t0;
	printf("# host tcp %s -> rump: sent %llu bytes in %.2f s = %.1f MB/s; "
	       "fnv sender %016llx receiver %016llx\n",
	    fam(a), (unsigned long long)len, t, len / t / 1e6,
	    (unsigned long long)hash, (unsigned long long)r.hash);
	if (r.got != len)
		printf("FAIL tcp: rump receiver got %llu of %llu bytes\n",
		    (unsigned long long)r.got, (unsigned long long)len);
	else if (r.bad_at != ~(uint64_t)0)
		printf("FAIL tcp: rump receiver saw a wrong byte at offset "
		       "%llu\n",
		    (unsigned long long)r.bad_at);
	else if (r.hash != hash)
		printf("FAIL tcp: checksums differ\n");
	else
		rv = 0;
out:
	close(fd);
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
	len = i % 16 == 15 ? RNET_UDP_MAX : 4 + (i * 613u) % 1400;
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
		if (poll(&pfd, 1, 1000) != 1)
			return 1;
		if ((n = recv(fd, got, RNET_UDP_MAX, 0)) < 4)
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

static int
udp_run(const struct haddr *a, unsigned count)
{
	unsigned char out[RNET_UDP_MAX], in[RNET_UDP_MAX];
	unsigned i, tries, resent = 0;
	uint64_t bytes = 0;
	double t0 = now();
	size_t len;
	int fd, rv;

	if ((fd = socket(a->ss.ss_family, SOCK_DGRAM, 0)) == -1 ||
	    connect(fd, (const struct sockaddr *)&a->ss, a->len) == -1) {
		printf("FAIL udp socket/connect %s: %s\n", a->name,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < count; i++) {
		len = udp_make(i, out);
		for (tries = 0, rv = 1; rv == 1 && tries < UDP_TRIES; tries++) {
			if (send(fd, out, len, 0) != (ssize_t)len) {
				printf("FAIL udp send %u: %s\n", i,
				    strerror(errno));
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
			close(fd);
			return -1;
		}
		bytes += len;
	}
	close(fd);
	printf("# host udp %s -> rump: %u datagrams (%llu bytes, 4..%d bytes "
	       "each) echoed intact in %.2f s, %u resent\n",
	    fam(a), count, (unsigned long long)bytes, RNET_UDP_MAX, now() - t0,
	    resent);
	return 0;
}

static int
quit(const struct haddr *a)
{
	struct rnet_result r;
	int fd, rv;

	if ((fd = hconnect(a, 5.0)) == -1)
		return -1;
	rv = send_hdr(fd, RNET_QUIT, 0, 0);
	if (rv == 0)
		rv = get_result(fd, &r);
	close(fd);
	return rv;
}

/* One step "what,addr[,n]"; -2 if malformed. */
static int
step(const char *arg)
{
	static char s[128];
	char *what = s, *addr, *num;
	struct haddr a;
	unsigned long n = 0;

	if (strlen(arg) >= sizeof(s))
		return -2;
	strcpy(s, arg);
	if ((addr = strchr(what, ',')) == NULL)
		return -2;
	*addr++ = '\0';
	if ((num = strchr(addr, ',')) != NULL) {
		*num++ = '\0';
		n = strtoul(num, NULL, 10);
	}
	if (haddr_parse(addr,
		strcmp(what, "udp") == 0 ? RNET_PORT_UDP : RNET_PORT_TCP,
		&a) != 0)
		return -2;
	if (strcmp(what, "tcp") == 0)
		return tcp_send(&a, (uint64_t)n << 20, 0x4c780000 + n);
	if (strcmp(what, "udp") == 0)
		return udp_run(&a, (unsigned)n);
	if (strcmp(what, "quit") == 0)
		return quit(&a);
	return -2;
}

int
hostclient_run(int argc, char **argv)
{
	int i, rv;

	for (i = 0; i < argc; i++) {
		if ((rv = step(argv[i])) == -2) {
			fprintf(stderr, "hostpeer: bad step %s\n", argv[i]);
			return 2;
		}
		if (rv != 0) {
			printf("FAIL hostpeer: step %s failed\n", argv[i]);
			return 1;
		}
	}
	printf("hostpeer: pass\n");
	return 0;
}
