/*
 * bench.h: what every benchmark program shares.
 *
 * Result lines (one per workload, on stdout, nothing else starts with
 * "bench "):
 *
 *	bench NAME impl=IMPL unit=UNIT value=V iters=N
 *
 * NAME is [a-z0-9_.@]+; IMPL is $BENCH_IMPL (the runner's label for the
 * librumpuser.so.0 in use) or "host" for the no-rump limits; UNIT is
 * ns/op, us/op or ms (one whole pass over the data); V is a decimal
 * number, always a time, so smaller is better; N is how many operations
 * V is averaged over.  Anything else a program prints starts with "# ".
 * $BENCH_QUICK=1 divides every iteration count by 100 (at least 1).
 */

#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>

/* Monotonic clock in nanoseconds. */
double bn_now(void);
/* full, or full/100 (at least 1) when $BENCH_QUICK is set. */
unsigned long bn_iters(unsigned long);
int bn_quick(void);
const char *bn_impl(void);
/* Print one result line. */
void bn_result(const char *, const char *, double, unsigned long);
void bn_die(const char *, ...)
    __attribute__((__noreturn__, __format__(__printf__, 1, 2)));

#endif /* BENCH_H */
