/*
 * stream.c: the deterministic byte stream, its FNV-1a 64 checksum and
 * the incremental checker that the ends of every transfer in the rump
 * networking tests use, plus address parsing into NetBSD layouts and
 * the monotonic clock they time with.
 *
 * Model: the sender produces the stream keyed by a seed; the receiver
 * regenerates it and compares every byte as it arrives, so a
 * corruption is reported with its offset, and both ends also compute
 * the checksum of what they sent or received and compare the two.
 * Assumes: nothing about the transport; host-side code only (no rump).
 */

#include <arpa/inet.h>

#include <string.h>
#include <time.h>

#include "rnet.h"

void
rnet_gen_init(struct rnet_gen *g, uint64_t seed)
{

	g->s = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	if (g->s == 0)
		g->s = 1;
	g->left = 0;
}

static uint64_t
rnet_gen_next(struct rnet_gen *g)
{

	g->s ^= g->s >> 12;
	g->s ^= g->s << 25;
	g->s ^= g->s >> 27;
	return g->s * 0x2545f4914f6cdd1dULL;
}

/* The stream does not depend on how the caller splits its reads. */
void
rnet_gen_fill(struct rnet_gen *g, void *buf, size_t len)
{
	unsigned char *p = buf;
	uint64_t v;

	while (len > 0 && g->left > 0) {
		*p++ = g->buf[8 - g->left--];
		len--;
	}
	while (len >= 8) {
		v = rnet_gen_next(g);
		memcpy(p, &v, 8);
		p += 8;
		len -= 8;
	}
	if (len > 0) {
		v = rnet_gen_next(g);
		memcpy(g->buf, &v, 8);
		g->left = 8;
		while (len > 0) {
			*p++ = g->buf[8 - g->left--];
			len--;
		}
	}
}

uint64_t
rnet_fnv(uint64_t h, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len-- > 0) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void
rnet_check_init(struct rnet_check *c, uint64_t seed)
{

	rnet_gen_init(&c->gen, seed);
	c->off = 0;
	c->hash = RNET_FNV_INIT;
	c->bad_at = ~(uint64_t)0;
}

void
rnet_check_feed(struct rnet_check *c, const void *buf, size_t len)
{
	unsigned char want[4096];
	const unsigned char *p = buf;
	size_t n, i;

	c->hash = rnet_fnv(c->hash, buf, len);
	while (len > 0) {
		n = len < sizeof(want) ? len : sizeof(want);
		rnet_gen_fill(&c->gen, want, n);
		if (c->bad_at == ~(uint64_t)0 && memcmp(want, p, n) != 0) {
			for (i = 0; want[i] == p[i]; i++)
				continue;
			c->bad_at = c->off + i;
		}
		c->off += n;
		p += n;
		len -= n;
	}
}

uint64_t
rnet_hton64(uint64_t v)
{

	unsigned char b[8];
	uint64_t r;
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (56 - 8 * i));
	memcpy(&r, b, sizeof(r));
	return r;
}

int
rnet_parse_addr(const char *s, uint16_t port, struct nb_addr *a)
{

	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->u.v4.sin_addr) == 1) {
		a->u.v4.sin_len = sizeof(a->u.v4);
		a->u.v4.sin_family = 2; /* RUMP_AF_INET */
		a->u.v4.sin_port = htons(port);
		a->len = sizeof(a->u.v4);
		a->family = 2;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->u.v6.sin6_addr) == 1) {
		a->u.v6.sin6_len = sizeof(a->u.v6);
		a->u.v6.sin6_family = 24; /* RUMP_AF_INET6 */
		a->u.v6.sin6_port = htons(port);
		a->len = sizeof(a->u.v6);
		a->family = 24;
		return 0;
	}
	return -1;
}

double
rnet_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
