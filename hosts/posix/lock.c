/*
 * lock.c: the host sleeping lock, a default (non-recursive, unchecked)
 * pthread mutex in memory of its own.
 *
 * Assumes pthreads.  The core holds these only across a few instructions
 * and never nests them, so no owner, trylock or priority protocol is
 * needed; a failing lock or unlock is a broken lock and halts.
 */
#include <pthread.h>
#include <stdlib.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "posix.h"

struct rumphost_hlock {
	pthread_mutex_t hl_mtx;
};

int
rumphost_host_lock_create(struct rumphost_hlock **lp)
{
	struct rumphost_hlock *l;
	int error;

	if ((l = malloc(sizeof(*l))) == NULL)
		return RH_ENOMEM;
	if ((error = pthread_mutex_init(&l->hl_mtx, NULL)) != 0) {
		free(l);
		return rumphost_posix_errno(error);
	}
	*lp = l;
	return 0;
}

void
rumphost_host_lock_destroy(struct rumphost_hlock *l)
{

	pthread_mutex_destroy(&l->hl_mtx);
	free(l);
}

void
rumphost_host_lock_enter(struct rumphost_hlock *l)
{
	int error;

	if ((error = pthread_mutex_lock(&l->hl_mtx)) != 0)
		rumphost_posix_fatal("rumphost_host_lock_enter", error);
}

void
rumphost_host_lock_exit(struct rumphost_hlock *l)
{
	int error;

	if ((error = pthread_mutex_unlock(&l->hl_mtx)) != 0)
		rumphost_posix_fatal("rumphost_host_lock_exit", error);
}
