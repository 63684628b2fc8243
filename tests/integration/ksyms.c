/*
 * ksyms.c: after rump_init() the rump kernel's symbol table holds the
 * symbols of the component libraries, as module loading needs them.
 *
 * Tests: ksyms_getval (the lookup the kernel's module linker uses, only
 * global symbols) finds names from librump and librumpvfs, including the
 * first and last in sort order of each, at the address the dynamic
 * linker gives them; an unknown name is ENOENT.  rumphost loads the
 * table on a thread of its own and waits for it before rump_init()
 * returns, and pads the names of its string table: this checks that the
 * table is in, and sorted, when rump_init() returns.
 * Assumes: librump exports ksyms_getval with the rumpns_ prefix
 * (buildrump.sh); prototype and KSYMS_EXTERN (0) after NetBSD's
 * sys/ksyms.h; ENOENT is 2 on NetBSD and Linux.
 */

#include <sys/types.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include <rump/rump.h>

#include "rumptest.h"

#define NB_KSYMS_EXTERN 0

int rumpns_ksyms_getval(const char *, const char *, unsigned long *, int);

static const char *const names[] = {
    "rumpns_kthread_create",	    /* librump */
    "__cpu_simple_lock",	    /* librump, first in order */
    "rumpns_zombproc",		    /* librump, last */
    "rump_schedule",		    /* librump, not renamed */
    "rumpns_NSM_FOLLOW_NOEMULROOT", /* librumpvfs, first */
    "rumpns_wapbl_write",	    /* librumpvfs, last */
    "rumpns_vfs_busy",		    /* librumpvfs */
};

int
main(void)
{
	unsigned long val;
	void *want;
	size_t i;
	int error;

	rt_begin("ksyms");
	rt_boot();
	rump_schedule();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((want = dlsym(RTLD_DEFAULT, names[i])) == NULL)
			rt_skip("%s is not exported here", names[i]);
		val = 0;
		error =
		    rumpns_ksyms_getval(NULL, names[i], &val, NB_KSYMS_EXTERN);
		if (error != 0)
			rt_fail("ksyms_getval(%s) = %d", names[i], error);
		if (val != (unsigned long)(uintptr_t)want)
			rt_fail("ksyms_getval(%s): %#lx, dlsym says %p",
			    names[i], val, want);
	}
	error = rumpns_ksyms_getval(
	    NULL, "rumpns_no_such_symbol_here", &val, NB_KSYMS_EXTERN);
	if (error != ENOENT)
		rt_fail(
		    "ksyms_getval of an unknown name = %d, want ENOENT", error);
	rump_unschedule();
	rt_info("%zu symbols found at their addresses",
	    sizeof(names) / sizeof(names[0]));
	rt_pass();
}
