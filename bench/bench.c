/*
 * bench.c: clock, iteration counts and the result line (see bench.h).
 * Assumes: CLOCK_MONOTONIC.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

double
bn_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int
bn_quick(void)
{
	const char *q;

	q = getenv("BENCH_QUICK");
	return q != NULL && *q != '\0' && *q != '0';
}

unsigned long
bn_iters(unsigned long full)
{

	if (!bn_quick())
		return full;
	return full / 100 > 0 ? full / 100 : 1;
}

const char *
bn_impl(void)
{
	const char *i;

	if ((i = getenv("BENCH_IMPL")) == NULL || *i == '\0')
		return "unknown";
	return i;
}

void
bn_result(const char *name, const char *unit, double value, unsigned long iters)
{

	printf("bench %s impl=%s unit=%s value=%.1f iters=%lu\n", name,
	    bn_impl(), unit, value, iters);
	fflush(stdout);
}

void
bn_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("# FAILED: ", stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	_exit(1);
}
