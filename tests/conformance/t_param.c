/*
 * rumpuser_getparam: the mandatory parameters (NCPU, HOSTNAME) succeed
 * with a NUL-terminated string, an unknown mandatory name (leading '_')
 * fails, and a buffer too small for the value fails without a byte written
 * past its end (canaries guard the rest of the buffer).
 */
#include "fakekernel.h"
#include "tests.h"

#define CANARY 0xa5

static bool
canaries_ok(const unsigned char *buf, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		if (buf[i] != CANARY)
			return false;
	return true;
}

static bool
terminated(const char *buf, size_t len)
{

	return memchr(buf, '\0', len) != NULL;
}

void
t_param_ncpu(void)
{
	char buf[64];
	int rv, n;
	size_t i;

	memset(buf, CANARY, sizeof(buf));
	rv = HC(rumpuser_getparam(RUMPUSER_PARAM_NCPU, buf, sizeof(buf)));
	REQUIRE(rv == 0);
	REQUIRE(terminated(buf, sizeof(buf)));
	CHECKF(buf[0] >= '1' && buf[0] <= '9', "NCPU \"%s\"", buf);
	for (i = 0, n = 0; buf[i] != '\0'; i++) {
		CHECKF(buf[i] >= '0' && buf[i] <= '9', "NCPU \"%s\"", buf);
		n = n * 10 + (buf[i] - '0');
	}
	CHECKF(n >= 1 && n <= 4096, "NCPU %d", n);
}

void
t_param_hostname(void)
{
	char buf[256];
	int rv;

	memset(buf, CANARY, sizeof(buf));
	rv = HC(rumpuser_getparam(RUMPUSER_PARAM_HOSTNAME, buf, sizeof(buf)));
	REQUIRE(rv == 0);
	REQUIRE(terminated(buf, sizeof(buf)));
	CHECK(buf[0] != '\0');
}

void
t_param_unknown(void)
{
	char buf[64];

	/*
	 * A leading underscore marks a mandatory parameter: one the library
	 * does not know is an error, even if the host's configuration (the
	 * environment, here) happens to have a value by that name.
	 */
	memset(buf, CANARY, sizeof(buf));
	(void)h_setenv("_RUMPUSER_RHCONF_NO_SUCH", "leaked");
	CHECK(HC(rumpuser_getparam(
		  "_RUMPUSER_RHCONF_NO_SUCH", buf, sizeof(buf))) != 0);
	CHECK(strcmp(buf, "leaked") != 0);
	CHECK(HC(rumpuser_getparam(
		  "RHCONF_NO_SUCH_PARAMETER_SET", buf, sizeof(buf))) != 0);
}

static void
small(const char *name, size_t len)
{
	unsigned char buf[64];
	int rv;

	memset(buf, CANARY, sizeof(buf));
	rv = HC(rumpuser_getparam(name, buf, len));
	CHECKF(canaries_ok(buf, len, sizeof(buf)),
	    "getparam(%s, buflen %zu) wrote past the buffer", name, len);
	CHECKF(rv != 0, "getparam(%s, buflen %zu) = 0 (truncated \"%.*s\")",
	    name, len, (int)len, (const char *)buf);
}

/*
 * NetBSD defect: with RUMP_NCPU unset its getparam writes "2" with
 * sprintf, ignoring the buffer length: a 1-byte buffer overflows.
 */
void
t_param_ncpu_small(void)
{

	small(RUMPUSER_PARAM_NCPU, 1);
}

/*
 * NetBSD defect: its getparam truncates the host name into a short buffer
 * (snprintf) and reports success, so the kernel uses a wrong name.
 */
void
t_param_hostname_small(void)
{

	small(RUMPUSER_PARAM_HOSTNAME, 4);
}
