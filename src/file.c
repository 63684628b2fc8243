/*
 * Files: rumpuser_open, close, getfileinfo, iovread, iovwrite, syncfd.
 *
 * The core checks arguments (access mode, flag bits, offsets) and releases
 * the rump CPU around every host file call, since any of them may wait
 * for a disk.  Descriptors and names are the host's.
 *
 * syncfd: READ needs nothing (reads go to the host each time); WRITE and
 * SYNC make written data durable; BARRIER (and SYNC) first wait for block
 * I/O that is in flight, so nothing issued before it can land after it.
 *
 * Assumes: host file calls, bio.c's drain.
 */
#include "core.h"

_Static_assert(sizeof(struct rumpuser_iovec) == sizeof(struct rumphost_iovec),
    "iovec layouts differ");
_Static_assert(offsetof(struct rumpuser_iovec, iov_len) ==
	offsetof(struct rumphost_iovec, iov_len),
    "iovec layouts differ");

#define OPEN_KNOWN                                                             \
	(RUMPUSER_OPEN_ACCMODE | RUMPUSER_OPEN_CREATE | RUMPUSER_OPEN_EXCL |   \
	    RUMPUSER_OPEN_BIO)

int
rumpuser_open(const char *name, int mode, int *fdp)
{
	int error, nlocks;

	if (name == NULL || fdp == NULL || (mode & ~OPEN_KNOWN) != 0 ||
	    (mode & RUMPUSER_OPEN_ACCMODE) == RUMPUSER_OPEN_ACCMODE)
		return RH_EINVAL;
	rumphost_unsched(&nlocks, NULL);
	error = rumphost_host_open(name, mode, fdp);
	rumphost_sched(nlocks, NULL);
	return error;
}

int
rumpuser_close(int fd)
{
	int error, nlocks;

	if (fd < 0)
		return RH_EBADF;
	rumphost_unsched(&nlocks, NULL);
	error = rumphost_host_close(fd);
	rumphost_sched(nlocks, NULL);
	return error;
}

int
rumpuser_getfileinfo(const char *name, uint64_t *size, int *type)
{
	int error, nlocks;

	if (name == NULL)
		return RH_EINVAL;
	rumphost_unsched(&nlocks, NULL);
	error = rumphost_host_fileinfo(name, size, type);
	rumphost_sched(nlocks, NULL);
	return error;
}

static bool
iov_ok(int fd, const struct rumpuser_iovec *iov, size_t n, int64_t off,
    size_t *retv)
{

	return fd >= 0 && retv != NULL && (iov != NULL || n == 0) &&
	    (off >= 0 || off == RUMPUSER_IOV_NOSEEK);
}

int
rumpuser_iovread(
    int fd, struct rumpuser_iovec *iov, size_t n, int64_t off, size_t *retv)
{
	int error, nlocks;

	if (!iov_ok(fd, iov, n, off, retv))
		return RH_EINVAL;
	*retv = 0;
	rumphost_unsched(&nlocks, NULL);
	error = rumphost_host_preadv(
	    fd, (const struct rumphost_iovec *)iov, n, off, retv);
	rumphost_sched(nlocks, NULL);
	return error;
}

int
rumpuser_iovwrite(int fd, const struct rumpuser_iovec *iov, size_t n,
    int64_t off, size_t *retv)
{
	int error, nlocks;

	if (!iov_ok(fd, iov, n, off, retv))
		return RH_EINVAL;
	*retv = 0;
	rumphost_unsched(&nlocks, NULL);
	error = rumphost_host_pwritev(
	    fd, (const struct rumphost_iovec *)iov, n, off, retv);
	rumphost_sched(nlocks, NULL);
	return error;
}

int
rumpuser_syncfd(int fd, int flags, uint64_t start, uint64_t len)
{
	const int known = RUMPUSER_SYNCFD_BOTH | RUMPUSER_SYNCFD_BARRIER |
	    RUMPUSER_SYNCFD_SYNC;
	int error = 0, nlocks;

	(void)start; /* the whole descriptor is synced: a superset */
	(void)len;
	if (fd < 0)
		return RH_EBADF;
	if ((flags & ~known) != 0 || (flags & RUMPUSER_SYNCFD_BOTH) == 0)
		return RH_EINVAL;
	rumphost_unsched(&nlocks, NULL);
	if (flags & (RUMPUSER_SYNCFD_BARRIER | RUMPUSER_SYNCFD_SYNC))
		rumphost_bio_drain();
	if (flags & (RUMPUSER_SYNCFD_WRITE | RUMPUSER_SYNCFD_SYNC))
		error = rumphost_host_fsync(fd);
	rumphost_sched(nlocks, NULL);
	return error;
}
