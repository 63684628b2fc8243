/*
 * adros.h: what the files of the AdrOS port share.  Every global name
 * carries the rumphost_adros_ prefix: the port is linked into AdrOS's
 * kernel image.
 */
#ifndef RUMPHOST_ADROS_H
#define RUMPHOST_ADROS_H

#include <stddef.h>
#include <stdint.h>

/* AdrOS's negative or positive errno value -> NetBSD errno (errno.c). */
int rumphost_adros_errno(int);

/* A void host call cannot go on: say which, then halt (console.c). */
void rumphost_adros_fatal(const char *) __attribute__((__noreturn__));

/* clock.c: the wall-clock offset estimator, started by init. */
void rumphost_adros_clock_init(void);

/* blk.c: find the disks AdrOS has probed. */
void rumphost_adros_blk_init(void);

/* thread.c: set up the thread table and the pool. */
int rumphost_adros_thread_init(void);

/* lib: small freestanding helpers. */
size_t rumphost_adros_strlen(const char *);
int rumphost_adros_strcmp(const char *, const char *);

/* Deadline arithmetic (thread.c), exposed for the unit test. */
uint32_t rumphost_adros_deadline_ms(uint64_t now, uint64_t deadline);
#define RUMPHOST_ADROS_MAXWAIT_MS 3600000u /* one wait at most an hour */

#endif /* RUMPHOST_ADROS_H */
