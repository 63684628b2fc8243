/*
 * rumpuser_getrandom: draws real entropy.  Callers loop until they have
 * what they asked for, so a call may return fewer bytes, but never 0 bytes
 * with success; NOWAIT (alone or with HARD) never blocks: it returns bytes
 * or EAGAIN (35).  The output is not constant, not reproducible across two
 * boots of the same program (a fixed-seed PRNG is "fake randomness"), and
 * looks like noise (byte histogram).
 */
#include "fakekernel.h"
#include "tests.h"
#include "tolerance.h"

/* Fill buf as a rump kernel does: loop over short reads. */
static int
fill(void *buf, size_t len, int flags)
{
	size_t got = 0, n;
	int rv, calls = 0;

	while (got < len) {
		n = 0;
		rv = HC(rumpuser_getrandom(
		    (char *)buf + got, len - got, flags, &n));
		if (rv != 0)
			return rv;
		if (n == 0 || n > len - got) {
			t_fail(__FILE__, __LINE__,
			    "getrandom(%zu) succeeded with %zu bytes",
			    len - got, n);
			return -1;
		}
		got += n;
		if (++calls > 100000) {
			t_fail(__FILE__, __LINE__, "getrandom: no progress");
			return -1;
		}
	}
	return 0;
}

void
t_random_basic(void)
{
	unsigned char a[64], b[64], big[4096];
	int seen[256] = {0}, distinct = 0;
	size_t i;

	REQUIRE(fill(a, sizeof(a), 0) == 0);
	REQUIRE(fill(b, sizeof(b), 0) == 0);
	CHECKF(memcmp(a, b, sizeof(a)) != 0, "two draws are equal");
	REQUIRE(fill(big, sizeof(big), 0) == 0);
	for (i = 0; i < sizeof(big); i++)
		if (seen[big[i]]++ == 0)
			distinct++;
	/* 4096 random bytes miss a given value with p = 1e-7. */
	CHECKF(
	    distinct >= 250, "only %d distinct byte values in 4096", distinct);
	for (i = 0; i < 256; i++)
		CHECKF(seen[i] < 64, "byte %zu appears %d times in 4096", i,
		    seen[i]);
}

void
t_random_flags(void)
{
	static const int fl[] = {RUMPUSER_RANDOM_HARD, RUMPUSER_RANDOM_NOWAIT,
	    RUMPUSER_RANDOM_HARD | RUMPUSER_RANDOM_NOWAIT};
	unsigned char buf[256];
	size_t i, n;
	uint64_t t0;
	int rv;

	for (i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
		n = 0;
		t0 = h_mono_ns();
		rv = HC(rumpuser_getrandom(buf, sizeof(buf), fl[i], &n));
		if (fl[i] & RUMPUSER_RANDOM_NOWAIT)
			CHECKF(
			    h_mono_ns() - t0 < TOL_LATE_NS, "NOWAIT blocked");
		CHECKF(
		    rv == 0 || (rv == 35 && (fl[i] & RUMPUSER_RANDOM_NOWAIT)),
		    "getrandom(flags %#x) = %d", fl[i], rv);
		if (rv == 0)
			CHECKF(n > 0 && n <= sizeof(buf),
			    "getrandom(flags %#x) success with %zu bytes",
			    fl[i], n);
	}
	/* A huge request is served (partly), not refused. */
	{
		static unsigned char huge[1 << 20];

		n = 0;
		rv = HC(rumpuser_getrandom(huge, sizeof(huge), 0, &n));
		CHECK_EQ(rv, 0);
		CHECK(n > 0 && n <= sizeof(huge));
	}
}

static void
draw(void *buf, size_t len)
{

	fk_boot(1);
	if (fill(buf, len, 0) != 0)
		h_exit(1);
	fk_finish();
}

void
t_random_fresh_per_boot(void)
{
	unsigned char a[32], b[32];

	if (!h_in_child(draw, a, sizeof(a)) || !h_in_child(draw, b, sizeof(b)))
		t_skip("cannot run two boots from one program state here");
	CHECKF(memcmp(a, b, sizeof(a)) != 0,
	    "two boots drew the same bytes: a fixed-seed generator");
}
