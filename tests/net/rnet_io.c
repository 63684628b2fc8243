/*
 * rnet_io.c: socket helpers over the rump kernel's system calls for the
 * networking tests: a socket with large buffers (the connect that waits
 * for the peer and whole-buffer reads and writes are proto.c's, on
 * rnet_rump_ops).
 *
 * Assumes: the calling host thread is bound to a rump lwp (the main
 * thread after rump_init()); errno holds NetBSD values after a failed
 * rump_sys_*() call.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#define RNET_RUMP
#include "rnet.h"

#define RNET_SOCKBUF (512 * 1024)

int
rnet_socket(int family, int type, int proto)
{
	int fd, sz = RNET_SOCKBUF;

	if ((fd = rump_sys_socket(family, type, proto)) == -1) {
		printf("FAIL socket(%d, %d, %d): NetBSD errno %d\n", family,
		    type, proto, errno);
		return -1;
	}
	/* Larger windows than the default 32 KiB: best effort. */
	(void)rump_sys_setsockopt(
	    fd, RUMP_SOL_SOCKET, RUMP_SO_SNDBUF, &sz, sizeof(sz));
	(void)rump_sys_setsockopt(
	    fd, RUMP_SOL_SOCKET, RUMP_SO_RCVBUF, &sz, sizeof(sz));
	return fd;
}
