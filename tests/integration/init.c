/*
 * init.c: the rump kernel boots on the librumpuser under test.
 *
 * Tests: rump_init() returns 0; rump_sys_getpid() answers (the first
 * rump process is pid 1 in every rump kernel we know of, but we only
 * insist on a positive pid); a second getpid agrees with the first;
 * rump_sys_mkdir and rump_sys_rmdir work on the root file system
 * (rumpfs), and failing ones set errno (EEXIST and ENOENT have the same
 * numbers on NetBSD and Linux).
 * Assumes: links against librump and librumpvfs only.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#include "rumptest.h"

int
main(void)
{
	pid_t p1, p2;

	rt_begin("init");
	rt_boot();
	if ((p1 = rump_sys_getpid()) <= 0)
		rt_fail("rump_sys_getpid() = %d", (int)p1);
	if ((p2 = rump_sys_getpid()) != p1)
		rt_fail(
		    "rump_sys_getpid() changed: %d then %d", (int)p1, (int)p2);
	rt_info("rump_init() = 0, rump_sys_getpid() = %d", (int)p1);
	if (rump_sys_mkdir("/rt_dir", 0755) == -1)
		rt_fail("rump_sys_mkdir(/rt_dir): errno %d", errno);
	if (rump_sys_mkdir("/rt_dir", 0755) != -1 || errno != EEXIST)
		rt_fail("second rump_sys_mkdir(/rt_dir): want EEXIST, "
			"got errno %d",
		    errno);
	if (rump_sys_rmdir("/rt_dir") == -1)
		rt_fail("rump_sys_rmdir(/rt_dir): errno %d", errno);
	if (rump_sys_rmdir("/rt_dir") != -1 || errno != ENOENT)
		rt_fail("second rump_sys_rmdir(/rt_dir): want ENOENT, "
			"got errno %d",
		    errno);
	rt_pass();
}
