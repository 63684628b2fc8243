/*
 * file.c: files and block devices of the POSIX host.
 *
 * Assumes Linux: 64-bit file offsets everywhere (_FILE_OFFSET_BITS, so
 * 32-bit builds reach past 2 GiB), BLKGETSIZE64 for the size of a block
 * device, preadv/pwritev, fdatasync, preadv2/pwritev2 with RWF_NOWAIT
 * (glibc 2.26) for the cached-only transfer.  Names are host paths.
 *
 * Descriptors are opened close-on-exec, so a rump kernel's disk images do
 * not leak into programs the application runs.  Transfers loop until the
 * request is complete, end of file (reads) or an error, restarting after
 * signals, so the core never sees a short count it has to resume itself.
 */
#define _FILE_OFFSET_BITS 64

#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <linux/fs.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "posix.h"

_Static_assert(sizeof(off_t) == 8, "64-bit file offsets needed");

/* At most this many vectors and bytes go to the kernel in one call. */
#define WINVEC 64
#define WINLEN ((size_t)1 << 30)

int
rumphost_host_open(const char *name, int flags, int *fdp)
{
	int fd, oflags;

	switch (flags & RUMPHOST_OPEN_ACCMODE) {
	case RUMPHOST_OPEN_WRONLY: oflags = O_WRONLY; break;
	case RUMPHOST_OPEN_RDWR: oflags = O_RDWR; break;
	default: oflags = O_RDONLY; break;
	}
	oflags |= O_CLOEXEC;
	if (flags & RUMPHOST_OPEN_CREATE)
		oflags |= O_CREAT;
	if (flags & RUMPHOST_OPEN_EXCL)
		oflags |= O_EXCL;
	do
		fd = open(name, oflags, 0644);
	while (fd == -1 && errno == EINTR);
	if (fd == -1)
		return rumphost_posix_errno(errno);
	*fdp = fd;
	return 0;
}

/* Linux releases the descriptor even when close reports EINTR. */
int
rumphost_host_close(int fd)
{

	if (close(fd) == -1 && errno != EINTR)
		return rumphost_posix_errno(errno);
	return 0;
}

static int
blksize(const char *name, uint64_t *size)
{
	uint64_t sz;
	int error, fd;

	if ((fd = open(name, O_RDONLY | O_CLOEXEC)) == -1)
		return rumphost_posix_errno(errno);
	error = 0;
	if (ioctl(fd, BLKGETSIZE64, &sz) == -1)
		error = rumphost_posix_errno(errno);
	else
		*size = sz;
	close(fd);
	return error;
}

int
rumphost_host_fileinfo(const char *name, uint64_t *size, int *type)
{
	struct stat st;
	int ft;

	if (stat(name, &st) == -1)
		return rumphost_posix_errno(errno);
	if (S_ISREG(st.st_mode))
		ft = RUMPHOST_FT_REG;
	else if (S_ISDIR(st.st_mode))
		ft = RUMPHOST_FT_DIR;
	else if (S_ISBLK(st.st_mode))
		ft = RUMPHOST_FT_BLK;
	else if (S_ISCHR(st.st_mode))
		ft = RUMPHOST_FT_CHR;
	else
		ft = RUMPHOST_FT_OTHER;
	if (size != NULL) {
		if (ft == RUMPHOST_FT_BLK) {
			int error = blksize(name, size);

			if (error != 0)
				return error;
		} else
			*size = (uint64_t)st.st_size;
	}
	if (type != NULL)
		*type = ft;
	return 0;
}

/*
 * Where a transfer stands: vector vi, of which skip bytes are done.
 */
struct xfer {
	const struct rumphost_iovec *x_iov;
	size_t x_n;
	size_t x_vi;
	size_t x_skip;
};

/* Fill win with what remains, within WINVEC vectors and WINLEN bytes. */
static int
fillwin(const struct xfer *x, struct iovec *win)
{
	size_t vi, skip, len, total;
	int k;

	total = 0;
	for (k = 0, vi = x->x_vi, skip = x->x_skip;
	     k < WINVEC && vi < x->x_n && total < WINLEN; vi++, skip = 0) {
		len = x->x_iov[vi].iov_len - skip;
		if (len == 0)
			continue;
		if (len > WINLEN - total)
			len = WINLEN - total;
		win[k].iov_base = (char *)x->x_iov[vi].iov_base + skip;
		win[k].iov_len = len;
		total += len;
		k++;
	}
	return k;
}

static void
advance(struct xfer *x, size_t n)
{
	size_t left;

	while (n > 0 && x->x_vi < x->x_n) {
		left = x->x_iov[x->x_vi].iov_len - x->x_skip;
		if (n < left) {
			x->x_skip += n;
			return;
		}
		n -= left;
		x->x_vi++;
		x->x_skip = 0;
	}
}

static ssize_t
xferonce(int fd, const struct iovec *win, int k, int64_t off, int wr)
{

	if (off == -1)
		return wr ? writev(fd, win, k) : readv(fd, win, k);
	return wr ? pwritev(fd, win, k, (off_t)off)
		  : preadv(fd, win, k, (off_t)off);
}

static int
xfer(int fd, const struct rumphost_iovec *iov, size_t n, int64_t off,
    size_t *done, int wr)
{
	struct iovec win[WINVEC];
	struct xfer x = {iov, n, 0, 0};
	ssize_t r;
	int k, error;

	*done = 0;
	error = 0;
	while ((k = fillwin(&x, win)) > 0) {
		r = xferonce(fd, win, k, off, wr);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			error = rumphost_posix_errno(errno);
			break;
		}
		if (r == 0) {
			/* End of file; a write that moves nothing is stuck. */
			if (wr)
				error = RH_EIO;
			break;
		}
		*done += (size_t)r;
		if (off != -1)
			off += r;
		advance(&x, (size_t)r);
	}
	return error;
}

int
rumphost_host_preadv(int fd, const struct rumphost_iovec *iov, size_t n,
    int64_t off, size_t *done)
{

	return xfer(fd, iov, n, off, done, 0);
}

int
rumphost_host_pwritev(int fd, const struct rumphost_iovec *iov, size_t n,
    int64_t off, size_t *done)
{

	return xfer(fd, iov, n, off, done, 1);
}

/*
 * fdatasync writes the data and what is needed to read it back (the size),
 * which is all a disk image needs.  Some file systems and devices refuse
 * it with EINVAL but accept fsync.
 */
int
rumphost_host_fsync(int fd)
{
	int r;

	do
		r = fdatasync(fd);
	while (r == -1 && errno == EINTR);
	if (r == -1 && errno == EINVAL) {
		do
			r = fsync(fd);
		while (r == -1 && errno == EINTR);
	}
	if (r == -1)
		return rumphost_posix_errno(errno);
	return 0;
}

/*
 * The cached-only transfer of hi_rw_nowait: preadv2/pwritev2 with
 * RWF_NOWAIT (Linux 4.14; buffered writes from 5.9 on some file systems).
 * A file system or kernel that refuses the flag answers EOPNOTSUPP (or
 * ENOSYS, EINVAL) every time: after the first such write the flag is not
 * tried again for writes (reads are refused per file only where the file
 * system does not support it, which is rare).
 */
static int nowait_nowrite; /* atomic: writes refused RWF_NOWAIT */

int
rumphost_posix_rw_nowait(
    int fd, int write, void *buf, size_t len, int64_t off, size_t *done)
{
	struct iovec v = {buf, len};
	ssize_t r;

	*done = 0;
	if (write && __atomic_load_n(&nowait_nowrite, __ATOMIC_RELAXED))
		return RH_EOPNOTSUPP;
	do
		r = write ? pwritev2(fd, &v, 1, (off_t)off, RWF_NOWAIT)
			  : preadv2(fd, &v, 1, (off_t)off, RWF_NOWAIT);
	while (r == -1 && errno == EINTR);
	if (r == -1) {
		if (write &&
		    (errno == EOPNOTSUPP || errno == ENOSYS || errno == EINVAL))
			__atomic_store_n(&nowait_nowrite, 1, __ATOMIC_RELAXED);
		return errno == EAGAIN ? RH_EAGAIN : RH_EOPNOTSUPP;
	}
	*done = (size_t)r;
	return 0;
}
