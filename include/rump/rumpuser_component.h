/*
 * Calls that host-side parts of rump kernel components (shmif, sockin,
 * virtif, ugenhc) make to step out of and back into the rump kernel around
 * host work, and to give their own host threads an lwp.
 */
#ifndef RUMP_RUMPUSER_COMPONENT_H
#define RUMP_RUMPUSER_COMPONENT_H

struct lwp;

/* Release the calling thread's CPU; the cookie brings it back. */
void *rumpuser_component_unschedule(void);
void rumpuser_component_schedule(void *);
/* A host errno value (from a host call a component made) in NetBSD's. */
int rumpuser_component_errtrans(int);

/* Give the calling host thread an lwp of its own, and drop it again. */
void rumpuser_component_kthread(void);
void rumpuser_component_kthread_release(void);
struct lwp *rumpuser_component_curlwp(void);
void rumpuser_component_switchlwp(struct lwp *);

#endif /* RUMP_RUMPUSER_COMPONENT_H */
