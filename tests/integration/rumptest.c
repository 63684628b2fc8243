/*
 * rumptest.c: helpers shared by the real-rump-kernel test programs.
 *
 * Tests: nothing by itself; rt_begin() asserts that the librumpuser.so.0
 * mapped into the process is the file named by $RUMPTEST_LIB, so that a
 * run never silently tests NetBSD's library in place of ours.
 * Assumes: Linux-style /proc/self/maps; run.sh sets RUMPTEST_LIB and
 * WORKDIR (a scratch directory of our own).
 */

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rump/rump.h>

#include "rumptest.h"

static const char *rt_name = "?";

static void
rt_vline(const char *pfx, const char *fmt, va_list ap)
{

	fputs(pfx, stdout);
	vfprintf(stdout, fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void
rt_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_vline("# ", fmt, ap);
	va_end(ap);
}

void
rt_fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stderr);
	va_start(ap, fmt);
	rt_vline("", fmt, ap);
	va_end(ap);
	/* Other threads may still be inside the rump kernel: no atexit. */
	_exit(1);
}

void
rt_skip(const char *fmt, ...)
{
	va_list ap;

	fflush(stderr);
	va_start(ap, fmt);
	rt_vline("", fmt, ap);
	va_end(ap);
	_exit(RT_SKIP);
}

void
rt_pass(void)
{

	fflush(stderr);
	printf("%s: pass\n", rt_name);
	fflush(stdout);
	_exit(0);
}

void *
rt_xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		rt_fail("malloc(%zu) failed", n);
	return p;
}

const char *
rt_workdir(void)
{
	const char *w;

	if ((w = getenv("WORKDIR")) == NULL || *w == '\0')
		rt_fail("WORKDIR is not set");
	return w;
}

char *
rt_path(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) == -1)
		rt_fail("vasprintf failed");
	va_end(ap);
	return p;
}

int
rt_system(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int st;

	va_start(ap, fmt);
	if (vasprintf(&cmd, fmt, ap) == -1)
		rt_fail("vasprintf failed");
	va_end(ap);
	fflush(stdout);
	fflush(stderr);
	st = system(cmd);
	free(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int
rt_have_tool(const char *tool)
{

	return rt_system("command -v '%s' >/dev/null 2>&1", tool) == 0;
}

double
rt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

unsigned long
rt_env_ulong(const char *var, unsigned long dflt)
{
	const char *v;
	char *end;
	unsigned long n;

	if ((v = getenv(var)) == NULL || *v == '\0')
		return dflt;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || n == 0)
		rt_fail("bad value for %s: '%s'", var, v);
	return n;
}

void
rt_prng_seed(struct rt_prng *r, uint64_t seed)
{

	r->s = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	if (r->s == 0)
		r->s = 1;
}

uint64_t
rt_prng_next(struct rt_prng *r)
{

	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

void
rt_prng_fill(struct rt_prng *r, void *buf, size_t len)
{
	unsigned char *p = buf;
	uint64_t v;
	size_t n;

	while (len > 0) {
		v = rt_prng_next(r);
		n = len < sizeof(v) ? len : sizeof(v);
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
}

/*
 * Find every distinct file mapped whose name starts "librumpuser" and
 * insist that there is one, the one we were asked to test.
 */
static void
rt_check_lib(void)
{
	char want[PATH_MAX], got[PATH_MAX], line[PATH_MAX + 256];
	const char *lib, *path, *base;
	FILE *f;
	int n = 0;

	if ((lib = getenv("RUMPTEST_LIB")) == NULL || *lib == '\0')
		rt_fail("RUMPTEST_LIB is not set: cannot tell which "
			"librumpuser.so.0 is under test");
	if (realpath(lib, want) == NULL)
		rt_fail("RUMPTEST_LIB=%s: %s", lib, strerror(errno));
	if ((f = fopen("/proc/self/maps", "r")) == NULL)
		rt_fail("/proc/self/maps: %s", strerror(errno));
	got[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((path = strchr(line, '/')) == NULL)
			continue;
		base = strrchr(path, '/') + 1;
		if (strncmp(base, "librumpuser", 11) != 0)
			continue;
		if (got[0] != '\0' && strcmp(got, path) == 0)
			continue;
		if (got[0] != '\0')
			rt_fail("WRONG LIBRARY: two librumpusers mapped: %s "
				"and %s",
			    got, path);
		snprintf(got, sizeof(got), "%s", path);
		n++;
	}
	fclose(f);
	if (n == 0)
		rt_fail("WRONG LIBRARY: no librumpuser mapped at all");
	if (strcmp(got, want) != 0)
		rt_fail("WRONG LIBRARY: loaded %s, expected %s", got, want);
	rt_info("librumpuser under test: %s", got);
}

void
rt_begin(const char *name)
{

	rt_name = name;
	setvbuf(stdout, NULL, _IOLBF, 0);
	rt_check_lib();
}

void
rt_boot(void)
{
	int rv;

	if ((rv = rump_init()) != 0)
		rt_fail("rump_init() = %d", rv);
}

void
rt_mkext2(const char *img, const char *tree, unsigned size_mb)
{
	int rv;

	if (!rt_have_tool("mke2fs"))
		rt_skip("mke2fs not found (install e2fsprogs)");
	(void)unlink(img);
	if (tree != NULL)
		rv = rt_system("mke2fs -q -F -t ext2 -b 4096 -d '%s' '%s' %uM "
			       ">/dev/null",
		    tree, img, size_mb);
	else
		rv = rt_system("mke2fs -q -F -t ext2 -b 4096 '%s' %uM "
			       ">/dev/null",
		    img, size_mb);
	if (rv != 0)
		rt_fail("mke2fs of %s failed (exit %d)", img, rv);
}
