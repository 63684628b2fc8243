/*
 * The fake rump kernel: the upcall table a real rump kernel hands to
 * rumpuser_init(), modelling NCPU virtual CPUs and the giant lock the way
 * NetBSD's rumpkern scheduler.c and klock.c do, and recording every
 * violation of the hypercall contract it can see:
 *  - a hypercall returning without a CPU or with other giant holds,
 *  - backend_unschedule without a CPU, or while releasing is forbidden
 *    (SPIN mutexes, the nowrap calls),
 *  - backend_schedule while holding a CPU, with the wrong nlocks, or on a
 *    thread with no lwp,
 *  - the scheduler interlock not held when it must be,
 *  - hyp_schedule/hyp_unschedule/lwproc calls from the wrong state.
 * A CPU held while blocking shows up as a hang in the NCPU=1 tests; the
 * fake then says who holds the CPU.
 */
#ifndef RHCONF_FAKEKERNEL_H
#define RHCONF_FAKEKERNEL_H

#include "harness.h"

#define FK_MAXCPU    8
#define FK_LWP_MAGIC 0x4c575021u

/* struct lwp is opaque to rumpuser; this is the fake kernel's own. */
struct lwp {
	uint32_t magic;
	int id;
	bool temp; /* made by hyp_schedule, dies at unschedule */
	char name[24];
};

/* Boot: rumpuser_init(), the giant and scheduler mutexes, and the
 * calling thread entered with a CPU and an lwp. */
void fk_boot(int);
/* The main thread leaves the rump kernel at the end of a test. */
void fk_finish(void);
/* Only rumpuser_init(version, table); its return value. */
int fk_init_only(int);
int fk_ncpu(void);

void fk_violation(const char *, ...) H_PRINTF(1, 2);
int fk_violations(void);

/* The calling host thread enters (hyp_schedule) and leaves. */
void fk_enter(const char *);
void fk_leave(void);

/* A host thread that runs fn inside the rump kernel (holding a CPU). */
struct fk_thread;
struct fk_thread *fk_spawn(const char *, void (*)(void *), void *);
/* Wait for it to end; releases the caller's CPU meanwhile. */
void fk_join(struct fk_thread *);
/* Has its body returned? */
bool fk_done(const struct fk_thread *);
/* Is it (now) inside a hypercall with its CPU released? */
bool fk_blocked(const struct fk_thread *);
unsigned fk_thread_unscheds(const struct fk_thread *);
/* Poll until pred(arg) holds, CPU released; false after TOL_SETTLE_NS. */
bool fk_settle(bool (*)(void *), void *);
/* Predicates for fk_settle: an int flag is non-zero; a thread blocked. */
bool fk_pred_flag(void *);
bool fk_pred_blocked(void *);
/* Host threads once the count has stopped changing; -1 if unknown. */
int fk_threads_settled(void);
/* Sleep ns with the CPU released (other threads may run). */
void fk_pause(uint64_t);

/* The calling thread's state. */
bool fk_have_cpu(void);
int fk_cpus_busy(void);
int fk_giant_held(void);
void fk_giant_enter(int);
void fk_giant_exit(void);
unsigned fk_unscheds(void);
void *fk_last_interlock(void);
struct lwp *fk_curlwp(void);
struct rumpuser_mtx *fk_schedmtx(void);
struct rumpuser_mtx *fk_giant(void);
const struct rumpuser_hyperup *fk_hyp(void);

/* Calls between these may not release the CPU. */
void fk_forbid_unsched(const char *);
void fk_allow_unsched(void);

/* Called at the top of every backend_schedule (nlocks, interlock). */
void fk_set_sched_hook(void (*)(int, void *));

/* Allocate an lwp the fake kernel knows (and free it). */
struct lwp *fk_lwp_new(const char *);
void fk_lwp_free(struct lwp *);
int fk_lwps_live(void);

/* After a hypercall: the CPU is held and the giant holds are unchanged. */
int fk_after(int, int, const char *, const char *, int);
#define HC(e)                                                                  \
	__extension__({                                                        \
		int hc_g_ = fk_giant_held();                                   \
		int hc_r_ = (e);                                               \
		fk_after(hc_g_, hc_r_, #e, __FILE__, __LINE__);                \
	})
#define HCV(e)                                                                 \
	do {                                                                   \
		int hc_g_ = fk_giant_held();                                   \
		e;                                                             \
		(void)fk_after(hc_g_, 0, #e, __FILE__, __LINE__);              \
	} while (0)
/* A call that must not release the CPU at all (SPIN, nowrap). */
#define HCNOWRAP(e)                                                            \
	do {                                                                   \
		int hc_g_ = fk_giant_held();                                   \
		fk_forbid_unsched(#e);                                         \
		e;                                                             \
		fk_allow_unsched();                                            \
		(void)fk_after(hc_g_, 0, #e, __FILE__, __LINE__);              \
	} while (0)

#endif /* RHCONF_FAKEKERNEL_H */
