/*
 * console.c: the console of the POSIX host.
 *
 * OUT is the process's stdout and DIAG its stderr, both written through
 * stdio so that the bytes stay in order with what the application itself
 * prints there.  Each call holds the stream's lock for the whole write and
 * flush, so whole calls never interleave with each other or with other
 * stdio users in this process.  Usable before init: stdio needs none.
 */
#include <stdio.h>

#include <rumphost/host.h>

#include "posix.h"

void
rumphost_host_console_write(int chan, const char *buf, size_t len)
{
	FILE *f;

	f = chan == RUMPHOST_CONSOLE_OUT ? stdout : stderr;
	flockfile(f);
	fwrite(buf, 1, len, f);
	fflush(f);
	funlockfile(f);
}
