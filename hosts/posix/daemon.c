/*
 * daemon.c: daemonize_begin and daemonize_done.
 *
 * Assumes POSIX fork, setsid and AF_UNIX socket pairs.
 *
 * Model.  begin forks.  The parent stays in the foreground, holding the
 * user's shell, until the child reports how its start went: it then exits
 * with that status, so "rump_server ... && next" sees a failure.  The
 * child becomes a session leader and carries on; it keeps the terminal as
 * stdin/stdout/stderr until done(0), so errors while the rump kernel boots
 * are still visible, and only then points them at /dev/null.  done(error)
 * with error != 0 leaves them alone: the child usually exits right after
 * printing why.
 *
 * The report is an int written on a socket pair rather than a pipe:
 * MSG_NOSIGNAL keeps a parent that died (was killed) from raising SIGPIPE
 * in the child.  If the child dies before reporting, the parent sees end
 * of file and exits with a failure.  begin is meant to be called before
 * the rump kernel starts threads: fork keeps only the calling thread.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "posix.h"

enum { NONE, STARTED, DONE };

static int dstate = NONE;
static int dsock[2] = {-1, -1};

/* The exit status for a child's report: nonzero for any failure. */
static int
exitstatus(int error)
{

	if (error == 0)
		return 0;
	return (error > 0 && error < 256) ? error : 1;
}

/* In the parent: wait for the child's report and exit with it. */
static void __attribute__((__noreturn__)) waitchild(void)
{
	ssize_t n;
	size_t got;
	int error;

	close(dsock[1]);
	got = 0;
	while (got < sizeof(error)) {
		n = recv(
		    dsock[0], (char *)&error + got, sizeof(error) - got, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(exitstatus(RH_ESRCH));
		got += (size_t)n;
	}
	_exit(exitstatus(error));
}

int
rumphost_host_daemonize_begin(void)
{
	pid_t pid;

	if (dstate != NONE)
		return dstate == STARTED ? RH_EINPROGRESS : RH_EALREADY;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, dsock) == -1)
		return rumphost_posix_errno(errno);
	/* Buffered output must not be written twice, once by each side. */
	fflush(NULL);
	if ((pid = fork()) == -1) {
		int error = rumphost_posix_errno(errno);

		close(dsock[0]);
		close(dsock[1]);
		return error;
	}
	if (pid != 0)
		waitchild();
	close(dsock[0]);
	dstate = STARTED;
	if (setsid() == -1) {
		int error = rumphost_posix_errno(errno);

		rumphost_host_daemonize_done(error);
		return error;
	}
	return 0;
}

static int
detachstdio(void)
{
	int fd, error;

	fflush(NULL);
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		return rumphost_posix_errno(errno);
	error = 0;
	if (dup2(fd, STDIN_FILENO) == -1 || dup2(fd, STDOUT_FILENO) == -1 ||
	    dup2(fd, STDERR_FILENO) == -1)
		error = rumphost_posix_errno(errno);
	if (fd > STDERR_FILENO)
		close(fd);
	return error;
}

int
rumphost_host_daemonize_done(int error)
{
	ssize_t n;
	int rv;

	if (dstate != STARTED)
		return RH_ENOENT;
	dstate = DONE;
	if (error == 0)
		error = detachstdio();
	rv = 0;
	do
		n = send(dsock[1], &error, sizeof(error), MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		rv = rumphost_posix_errno(errno);
	else if ((size_t)n != sizeof(error))
		rv = RH_EPIPE;
	close(dsock[1]);
	dsock[1] = -1;
	return rv;
}
