/*
 * rumpuser_init: the version handshake.  rumpuser(3): "In case the
 * hypervisor cannot provide an exact match, this routine must return a
 * non-zero value."  Assumes nothing else has called rumpuser_init in the
 * process (each test is isolated).
 */
#include "fakekernel.h"
#include "tests.h"

void
t_init_version(void)
{
	struct rumpuser_mtx *m;

	CHECK_EQ(fk_init_only(RUMPUSER_VERSION), 0);
	/* The library is usable afterwards. */
	rumpuser_mutex_init(&m, RUMPUSER_MTX_SPIN);
	CHECK_EQ(rumpuser_mutex_tryenter(m), 0);
	rumpuser_mutex_exit(m);
	rumpuser_mutex_destroy(m);
}

/*
 * NetBSD defect: its rumpuser_init() abort()s on a version mismatch
 * (lib/librumpuser/rumpuser.c) instead of returning non-zero, so a kernel
 * cannot report the mismatch itself.
 */
void
t_init_version_mismatch(void)
{

	CHECKF(fk_init_only(RUMPUSER_VERSION - 1) != 0,
	    "rumpuser_init(%d) accepted a kernel of another version",
	    RUMPUSER_VERSION - 1);
}

void
t_init_version_newer(void)
{

	CHECKF(fk_init_only(RUMPUSER_VERSION + 1) != 0,
	    "rumpuser_init(%d) accepted a kernel of another version",
	    RUMPUSER_VERSION + 1);
}
