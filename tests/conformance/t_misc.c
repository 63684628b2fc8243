/*
 * The rest: rumpuser_exit (a value is the process's exit status;
 * RUMPUSER_PANIC, -1, ends it abnormally, "akin to a core dump"), and the
 * console calls (they return; the text goes to the host's console, so the
 * test writes TAP comment lines).  Assumes the POSIX meaning of an exit
 * status, through h_child_status().
 */
#include "fakekernel.h"
#include "tests.h"

static void
exit7(void)
{

	fk_boot(1);
	rumpuser_exit(7);
}

static void
exitpanic(void)
{

	fk_boot(1);
	rumpuser_exit(RUMPUSER_PANIC);
}

void
t_misc_exit(void)
{
	int st;

	if ((st = h_child_status(exit7)) == -1000)
		t_skip("cannot run a child here");
	CHECKF(st == 7, "rumpuser_exit(7) ended the process with %d", st);
	st = h_child_status(exitpanic);
	CHECKF(st < 0 || (st != 0 && st != 255),
	    "rumpuser_exit(RUMPUSER_PANIC) ended the process normally (%d)",
	    st);
}

void
t_misc_console(void)
{
	const char *s = "# rhconf: rumpuser_putchar\n";

	while (*s != '\0')
		HCV(rumpuser_putchar(*s++));
	HCV(rumpuser_dprintf("# rhconf: rumpuser_dprintf %d %s\n", 42, "ok"));
}
