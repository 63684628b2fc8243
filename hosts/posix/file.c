/*
 * file.c: files and block devices of the POSIX host.
 *
 * Assumes Linux: 64-bit file offsets everywhere (_FILE_OFFSET_BITS, so
 * 32-bit builds reach past 2 GiB), BLKGETSIZE64 for the size of a block
 * device, preadv/pwritev, fdatasync, preadv2/pwritev2 with RWF_NOWAIT
 * (glibc 2.26) for the cached-only transfer, fstatfs to tell memory file
 * systems, sync_file_range to start writeback early.  Names are host
 * paths.
 *
 * Descriptors are opened close-on-exec, so a rump kernel's disk images do
 * not leak into programs the application runs.  Transfers loop until the
 * request is complete, end of file (reads) or an error, restarting after
 * signals, so the core never sees a short count it has to resume itself.
 */
#define _FILE_OFFSET_BITS 64

#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/uio.h>

#include <linux/fs.h>
#include <linux/magic.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "posix.h"

_Static_assert(sizeof(off_t) == 8, "64-bit file offsets needed");

/* At most this many vectors and bytes go to the kernel in one call. */
#define WINVEC 64
#define WINLEN ((size_t)1 << 30)

/*
 * What is learnt about a descriptor, for descriptors below NOWAIT_FDS;
 * every field atomic, all zero while the descriptor is closed.
 */
#define NOWAIT_FDS 1024

struct fdstate {
	unsigned char fs_noread;  /* reads refused RWF_NOWAIT */
	unsigned char fs_memfs;	  /* a file on a memory file system */
	unsigned long fs_written; /* bytes since writeback last started */
	uint64_t fs_backoff;	  /* monotonic ns: no plain writes before */
	uint64_t fs_slow; /* monotonic ns: a plain write last was slow */
};

static struct fdstate fds[NOWAIT_FDS];

static void nowait_learn(int);
static void nowait_forget(int);

/* fd's state, or NULL for a descriptor beyond the table. */
static struct fdstate *
fdstate(int fd)
{

	return fd >= 0 && fd < NOWAIT_FDS ? &fds[fd] : NULL;
}

static bool
fd_memfs(const struct fdstate *f)
{

	return f != NULL && __atomic_load_n(&f->fs_memfs, __ATOMIC_RELAXED);
}

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
	nowait_learn(fd);
	*fdp = fd;
	return 0;
}

/* Linux releases the descriptor even when close reports EINTR. */
int
rumphost_host_close(int fd)
{

	nowait_forget(fd);
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

/*
 * Early writeback.  A flush (fdatasync) has to write out every page of the
 * file dirtied since the last one; the rump kernel asks for one with each
 * synchronous write (a new indirect block, an inode, fsync), and its
 * thread waits for it, alone.  So once WB_KICK bytes have been written to
 * a descriptor since the last start, the writer asks the host to start
 * writing the file's dirty pages out (sync_file_range WRITE: no wait for
 * the device, no cache flush), and the device works while the rump kernel
 * goes on; the next flush then finds little left to do.  Durability is
 * unchanged: only fdatasync makes anything durable.  The call may wait
 * for room in the device's queue (ext2's 16 MiB write: 16 calls, 1.7-2.3
 * ms in all; its flushes waited 5-10 ms instead of 15-30).  Starting
 * writeback after every write lost (many small device writes competing
 * with the copies); 1 MiB did better than 0.5 and 2 MiB.  Memory file
 * systems have nothing to write back.
 */
#define WB_KICK ((unsigned long)1 << 20)

static void
wb_note(struct fdstate *f, int fd, size_t n)
{

	if (f == NULL || fd_memfs(f) ||
	    __atomic_add_fetch(&f->fs_written, n, __ATOMIC_RELAXED) < WB_KICK)
		return;
	__atomic_store_n(&f->fs_written, 0, __ATOMIC_RELAXED);
	(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
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
	int error = xfer(fd, iov, n, off, done, 1);

	if (off != -1 && *done > 0)
		wb_note(fdstate(fd), fd, *done);
	return error;
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
 * tried again for writes, and after the first such read on a descriptor
 * not again for reads on that descriptor until it is closed.  A refused
 * call would cost a system call per request.
 *
 * Files on a memory file system (tmpfs, ramfs: /dev/shm, often /tmp) are
 * all "in the cache": their transfers are memory copies that never wait
 * for a device, but tmpfs refuses RWF_NOWAIT for reads and writes alike
 * (Linux 6.18).  For those descriptors, noted at open, the plain transfer
 * is the cached-only one.  (Where the host swaps, a tmpfs page may have
 * been swapped out; reading it then waits on the caller's thread, which
 * holds no rump CPU meanwhile, as a fault on swapped-out rump kernel
 * memory would.)
 *
 * Buffered writes where the flag is refused (ext4) are plain writes: a
 * buffered write only copies into the host's page cache, and waits only
 * when the host throttles a writer that dirties memory faster than its
 * devices take it.  Doing them on the caller's thread spares the handoff
 * and, in the rump kernel, the I/O threads' completions contending with
 * the writer for the giant lock (ext2's 16 MiB write+fsync, medians of 16
 * runs: 34 ms against 45-47 ms through the I/O threads).  A throttled
 * writer is paused again and again, a preempted one (this machine's CPUs
 * are shared) now and then: so when two plain writes to a descriptor
 * within WR_AGAIN_NS of each other each took WR_SLOW_NS or more, the
 * host is taken to be throttling, and the descriptor's writes go to the
 * I/O threads for WR_BACKOFF_NS, so a throttled host stalls I/O threads,
 * not the rump kernel's writers.  BIO_SYNC writes never come here
 * (bio.c).
 *
 * The per-descriptor flags cover descriptors below NOWAIT_FDS; others
 * try RWF_NOWAIT every time and have no plain writes.
 */
#define WR_SLOW_NS    ((uint64_t)1000 * 1000)
#define WR_AGAIN_NS   ((uint64_t)20 * 1000 * 1000)
#define WR_BACKOFF_NS ((uint64_t)1000 * 1000 * 1000)

static int nowait_nowrite; /* atomic: writes refused RWF_NOWAIT */

/* A descriptor was opened: is it a regular file in memory? */
static void
nowait_learn(int fd)
{
	struct statfs sfs;
	struct stat st;
	uint32_t type; /* magic numbers are 32 bits; f_type is int on i386 */

	type =
	    fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fstatfs(fd, &sfs) == 0
	    ? (uint32_t)sfs.f_type
	    : 0;
	struct fdstate *f = fdstate(fd);

	if (f != NULL)
		__atomic_store_n(&f->fs_memfs,
		    type == (uint32_t)TMPFS_MAGIC ||
			type == (uint32_t)RAMFS_MAGIC,
		    __ATOMIC_RELAXED);
}

static void
nowait_forget(int fd)
{

	struct fdstate *f = fdstate(fd);

	if (f == NULL)
		return;
	__atomic_store_n(&f->fs_noread, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&f->fs_memfs, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&f->fs_written, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&f->fs_backoff, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&f->fs_slow, 0, __ATOMIC_RELAXED);
}

/* A buffered write of a descriptor whose file system refuses RWF_NOWAIT. */
static int
plain_write(
    struct fdstate *f, int fd, const struct iovec *v, int64_t off, size_t *done)
{
	uint64_t t0, t1;
	ssize_t r;

	if (f == NULL)
		return RH_EOPNOTSUPP;
	t0 = rumphost_host_mono_ns();
	if (t0 < __atomic_load_n(&f->fs_backoff, __ATOMIC_RELAXED))
		return RH_EOPNOTSUPP;
	do
		r = pwritev(fd, v, 1, (off_t)off);
	while (r == -1 && errno == EINTR);
	t1 = rumphost_host_mono_ns();
	if (t1 - t0 >= WR_SLOW_NS &&
	    t1 - __atomic_exchange_n(&f->fs_slow, t1, __ATOMIC_RELAXED) <
		WR_AGAIN_NS)
		__atomic_store_n(
		    &f->fs_backoff, t1 + WR_BACKOFF_NS, __ATOMIC_RELAXED);
	if (r == -1)
		return RH_EOPNOTSUPP; /* the I/O thread reports the error */
	*done = (size_t)r;
	wb_note(f, fd, *done);
	return 0;
}

int
rumphost_posix_rw_nowait(
    int fd, int write, void *buf, size_t len, int64_t off, size_t *done)
{
	struct fdstate *f = fdstate(fd);
	struct iovec v = {buf, len};
	ssize_t r;
	int flags;

	*done = 0;
	flags = RWF_NOWAIT;
	if (fd_memfs(f))
		flags = 0;
	else if (write && __atomic_load_n(&nowait_nowrite, __ATOMIC_RELAXED))
		return plain_write(f, fd, &v, off, done);
	else if (!write && f != NULL &&
	    __atomic_load_n(&f->fs_noread, __ATOMIC_RELAXED))
		return RH_EOPNOTSUPP;
	do
		r = write ? pwritev2(fd, &v, 1, (off_t)off, flags)
			  : preadv2(fd, &v, 1, (off_t)off, flags);
	while (r == -1 && errno == EINTR);
	if (r == -1) {
		if (flags != 0 &&
		    (errno == EOPNOTSUPP || errno == ENOSYS ||
			errno == EINVAL)) {
			if (!write) {
				if (f != NULL)
					__atomic_store_n(
					    &f->fs_noread, 1, __ATOMIC_RELAXED);
				return RH_EOPNOTSUPP;
			}
			__atomic_store_n(&nowait_nowrite, 1, __ATOMIC_RELAXED);
			return plain_write(f, fd, &v, off, done);
		}
		return errno == EAGAIN ? RH_EAGAIN : RH_EOPNOTSUPP;
	}
	*done = (size_t)r;
	if (write)
		wb_note(f, fd, *done);
	return 0;
}

/*
 * With RUMPHOST_BIO_INLINE=0 in the environment at init, no transfer is
 * tried on the caller's thread: every request goes to the core's I/O
 * threads and shares them as the "quick" kind (bio.c), which is how
 * NetBSD's library does all of them.  For tests of that path and for
 * comparisons.
 */
int
rumphost_posix_rw_refuse(
    int fd, int write, void *buf, size_t len, int64_t off, size_t *done)
{

	(void)fd;
	(void)write;
	(void)buf;
	(void)len;
	(void)off;
	*done = 0;
	return RH_EOPNOTSUPP;
}
