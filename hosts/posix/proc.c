/*
 * proc.c: the process around the rump kernel: halt, signals, the
 * environment, the instance name.
 *
 * Assumes a Linux process with glibc: exit() and abort(), raise(), the
 * environment, gethostname().  Daemonizing is in daemon.c.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "posix.h"

/*
 * -1 (RUMPUSER_PANIC) aborts, leaving a core dump where the process is
 * allowed one; anything else is the process's exit status.  stdio is
 * flushed first: a panic message must not be lost in a buffer.
 */
void
rumphost_host_halt(int status)
{

	fflush(NULL);
	if (status == -1)
		abort();
	exit(status);
}

void
rumphost_posix_fatal(const char *what, int error)
{

	fprintf(stderr, "rumphost: %s: %s\n", what, strerror(error));
	rumphost_host_halt(-1);
}

/*
 * NetBSD signal numbers, index, to Linux's.  0 is "no such signal":
 * SIGEMT and SIGINFO have no Linux counterpart.  Signal 0 itself is the
 * harmless probe and passes through.
 */
static const unsigned char sigtab[] = {
    [1] = SIGHUP,
    [2] = SIGINT,
    [3] = SIGQUIT,
    [4] = SIGILL,
    [5] = SIGTRAP,
    [6] = SIGABRT,
    [8] = SIGFPE,
    [9] = SIGKILL,
    [10] = SIGBUS,
    [11] = SIGSEGV,
    [12] = SIGSYS,
    [13] = SIGPIPE,
    [14] = SIGALRM,
    [15] = SIGTERM,
    [16] = SIGURG,
    [17] = SIGSTOP,
    [18] = SIGTSTP,
    [19] = SIGCONT,
    [20] = SIGCHLD,
    [21] = SIGTTIN,
    [22] = SIGTTOU,
    [23] = SIGIO,
    [24] = SIGXCPU,
    [25] = SIGXFSZ,
    [26] = SIGVTALRM,
    [27] = SIGPROF,
    [28] = SIGWINCH,
    [30] = SIGUSR1,
    [31] = SIGUSR2,
    [32] = SIGPWR,
};

/*
 * The signal goes to this process whatever pid says: a rump kernel only
 * ever signals the process it lives in.  raise() delivers it to the
 * calling thread, as a synchronous signal would be.
 */
int
rumphost_host_kill(int64_t pid, int sig)
{
	int hsig;

	(void)pid;
	if (sig == 0)
		return 0;
	if (sig < 0 || (size_t)sig >= sizeof(sigtab) || sigtab[sig] == 0)
		return RH_EINVAL;
	hsig = sigtab[sig];
	if (raise(hsig) != 0)
		return rumphost_posix_errno(errno);
	return 0;
}

int
rumphost_host_getenv(const char *name, char *buf, size_t len)
{
	const char *v;
	size_t vlen;

	if ((v = getenv(name)) == NULL)
		return RH_ENOENT;
	vlen = strlen(v) + 1;
	if (vlen > len)
		return RH_ERANGE;
	memcpy(buf, v, vlen);
	return 0;
}

/*
 * "rump-<pid>.<host name>": unique among the rump kernels of one machine
 * and telling where each runs.  A buffer too short is an error (ERANGE,
 * like getenv: a cut name may no longer be unique); it still receives a
 * terminated prefix, never more than len bytes.
 */
int
rumphost_host_hostname(char *buf, size_t len)
{
	char host[HOST_NAME_MAX + 1];
	int n;

	if (len == 0)
		return RH_ERANGE;
	if (gethostname(host, sizeof(host)) == -1)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	n = snprintf(buf, len, "rump-%ld.%s", (long)getpid(), host);
	if (n < 0)
		return RH_EINVAL;
	return (size_t)n < len ? 0 : RH_ERANGE;
}
