/*
 * hyp.h: the hypercall micro-benchmarks (hypbench), which drive a
 * librumpuser.so.0 directly, with no rump kernel: fake.c hands
 * rumpuser_init() an upcall table whose scheduling upcalls do nothing,
 * so what is timed is the library's own work.
 */

#ifndef BENCH_HYP_H
#define BENCH_HYP_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include <rump/rumpuser.h>

/* Boot the library (once) and give the calling thread an lwp. */
void hb_boot(void);
/* Give / take away the calling host thread's lwp. */
void hb_lwp_enter(void);
void hb_lwp_leave(void);

/* A host thread made with rumpuser_thread_create (joinable). */
void *hb_spawn(void *(*)(void *), void *);
void hb_join(void *);

/* The workloads: each prints its result line(s). */
void hb_mutex_uncontended(void);
void hb_mutex_contended(void);
void hb_cv_pingpong(void);
void hb_thread_create_join(void);
void hb_malloc_free(void);
void hb_clock_gettime(void);
void hb_bio_read(void);
void hb_bio_pool(void);

#endif /* BENCH_HYP_H */
