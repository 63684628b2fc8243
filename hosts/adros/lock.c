/*
 * lock.c: the host sleeping lock on AdrOS's kmutex (a binary ksem: no
 * owner, no trylock, which is all the host interface asks).  The core
 * never nests these nor re-enters one, so kmutex's self-deadlock on
 * re-entry cannot happen.
 */
#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "adros.h"
#include "adros_api.h"

struct rumphost_hlock {
	kmutex_t hl_m;
};

int
rumphost_host_lock_create(struct rumphost_hlock **lp)
{
	struct rumphost_hlock *l;

	if ((l = kmalloc(sizeof(*l))) == NULL)
		return RH_ENOMEM;
	kmutex_init(&l->hl_m);
	*lp = l;
	return 0;
}

void
rumphost_host_lock_destroy(struct rumphost_hlock *l)
{

	kfree(l);
}

void
rumphost_host_lock_enter(struct rumphost_hlock *l)
{

	kmutex_lock(&l->hl_m);
}

void
rumphost_host_lock_exit(struct rumphost_hlock *l)
{

	kmutex_unlock(&l->hl_m);
}
