/*
 * rumptest.h: shared helpers for the real-rump-kernel tier.  The NetBSD
 * (LP64) ABI layouts the tests pass through rump syscalls are in
 * tools/netbsd_abi.h, shared with tools/nbfs.
 *
 * Protocol of every test program: exit 0 = pass, 77 = skip, anything
 * else = fail; the last line of output says why.  Lines starting "# "
 * are details that run.sh repeats under the result line.
 */

#ifndef RUMPTEST_H
#define RUMPTEST_H

#include <stddef.h>
#include <stdint.h>

#include "../../tools/netbsd_abi.h"

#define RT_SKIP 77

/* Generic prototypes: tests pass NetBSD layouts to rump_sys_*(). */
#define RT_STAT(p) ((struct stat *)(void *)(p))

/*
 * Setup and verdicts.  rt_begin() checks that the librumpuser.so.0
 * mapped into this process is the one run.sh said to test
 * ($RUMPTEST_LIB) and boots nothing; rt_boot() calls rump_init().
 */
void rt_begin(const char *);
void rt_boot(void);
void rt_info(const char *, ...) __attribute__((__format__(__printf__, 1, 2)));
void rt_fail(const char *, ...)
    __attribute__((__noreturn__, __format__(__printf__, 1, 2)));
void rt_skip(const char *, ...)
    __attribute__((__noreturn__, __format__(__printf__, 1, 2)));
void rt_pass(void) __attribute__((__noreturn__));

/* Host-side helpers. */
const char *rt_workdir(void);
char *rt_path(const char *, ...) __attribute__((__format__(__printf__, 1, 2)));
int rt_have_tool(const char *);
int rt_system(const char *, ...) __attribute__((__format__(__printf__, 1, 2)));
void *rt_xmalloc(size_t);
double rt_now(void);
unsigned long rt_env_ulong(const char *, unsigned long);

/* Deterministic content: xorshift64* keyed by seed. */
struct rt_prng {
	uint64_t s;
};
void rt_prng_seed(struct rt_prng *, uint64_t);
uint64_t rt_prng_next(struct rt_prng *);
void rt_prng_fill(struct rt_prng *, void *, size_t);

/* Make an ext2 image of size_mb MiB from tree (NULL: empty). */
void rt_mkext2(const char *, const char *, unsigned);

/*
 * NetBSD kernel threads, reached through librump's rumpns_ exports (as
 * buildrump.sh builds it); prototypes after NetBSD's sys/kthread.h and
 * sys/proc.h (pri_t is int; PRI_NONE is -1).  Used by
 * tests/integration/kthreads.c and bench/rump/kthread.c.
 */
#define NB_PRI_NONE	    (-1)
#define NB_KTHREAD_MPSAFE   0x02
#define NB_KTHREAD_MUSTJOIN 0x10

struct lwp;
int rumpns_kthread_create(int, int, void *, void (*)(void *), void *,
    struct lwp **, const char *, ...);
int rumpns_kthread_join(struct lwp *);
void rumpns_kthread_exit(int) __attribute__((__noreturn__));

#endif /* RUMPTEST_H */
