/*
 * file.c: the kernel's namespace for rump is its block devices
 * (kblk_lookup: "vblk0", RAM disks): open finds one by name, fileinfo
 * says BLK and its size; there are no regular files, so CREATE of a
 * missing name is EOPNOTSUPP and CREATE|EXCL of a device EEXIST; a
 * read-only device (KBLK_RDONLY) opens for reading only (else EROFS).
 *
 * Transfers are clamped at the device's end (short, no error: end of
 * file).  Devices move whole sectors at sector offsets: the aligned
 * middle of each piece goes straight to the device, a partial sector at
 * either end through a bounce sector (read, modify, write for writes,
 * under rmwlock so that two partial writes of one sector do not lose
 * each other's bytes).  Access modes are enforced (EBADF).
 *
 * Reads go through a block cache (bcache.c: rump reads its read-ahead
 * twice), which also serves the core's hi_rw_nowait; writes invalidate
 * what they touch.
 *
 * The descriptor table is protected by fdlock; a descriptor's device and
 * flags never change while it is open, its position (off == -1) is
 * updated under fdlock.
 */
#include <kern/kernel.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "bcache.h"

#define MAXFD  64
#define MAXSEC 4096

static struct {
	struct kblkdev *dev; /* NULL: free */
	int flags;
	uint64_t pos;
} fds[MAXFD];
static struct klock fdlock, rmwlock;
static uint8_t bounce[MAXSEC] __attribute__((__aligned__(64)));

int
rumphost_host_fileinfo(const char *name, uint64_t *size, int *type)
{
	struct kblkdev *d;

	if ((d = kblk_lookup(name)) == NULL)
		return RH_ENOENT;
	if (size != NULL)
		*size = d->size;
	if (type != NULL)
		*type = RUMPHOST_FT_BLK;
	return 0;
}

int
rumphost_host_open(const char *name, int flags, int *fdp)
{
	struct kblkdev *d;
	int i;

	if ((d = kblk_lookup(name)) == NULL)
		return (flags & RUMPHOST_OPEN_CREATE) ? RH_EOPNOTSUPP
						      : RH_ENOENT;
	if ((flags & (RUMPHOST_OPEN_CREATE | RUMPHOST_OPEN_EXCL)) ==
	    (RUMPHOST_OPEN_CREATE | RUMPHOST_OPEN_EXCL))
		return RH_EEXIST;
	if (d->secsize == 0 || d->secsize > MAXSEC)
		return RH_ENXIO;
	if ((d->flags & KBLK_RDONLY) &&
	    (flags & RUMPHOST_OPEN_ACCMODE) != RUMPHOST_OPEN_RDONLY)
		return RH_EROFS;
	klock_enter(&fdlock);
	for (i = 0; i < MAXFD && fds[i].dev != NULL; i++)
		continue;
	if (i < MAXFD) {
		fds[i].dev = d;
		fds[i].flags = flags;
		fds[i].pos = 0;
	}
	klock_exit(&fdlock);
	if (i == MAXFD)
		return RH_EMFILE;
	*fdp = i;
	return 0;
}

static struct kblkdev *
fd_dev(int fd, int *flags)
{
	struct kblkdev *d;

	if (fd < 0 || fd >= MAXFD)
		return NULL;
	klock_enter(&fdlock);
	d = fds[fd].dev;
	*flags = fds[fd].flags;
	klock_exit(&fdlock);
	return d;
}

int
rumphost_host_close(int fd)
{
	struct kblkdev *d;
	int fl, i, others = 0;

	if ((d = fd_dev(fd, &fl)) == NULL)
		return RH_EBADF;
	klock_enter(&fdlock);
	fds[fd].dev = NULL;
	for (i = 0; i < MAXFD; i++)
		others += fds[i].dev == d;
	klock_exit(&fdlock);
	if (others == 0)
		bcache_forget(d);
	return 0;
}

/* Move len bytes at off (within the device) between buf and d. */
static int
xfer(struct kblkdev *d, int write, uint64_t off, char *buf, size_t len)
{
	uint64_t ss = d->secsize, head, n;
	int error;

	while (len > 0) {
		head = off % ss;
		if (head == 0 && len >= ss) {
			n = len - len % ss;
			if ((error = d->rw(d, write, off, buf, n)) != 0)
				return error;
		} else {
			n = ss - head < len ? ss - head : len;
			klock_enter(&rmwlock);
			error = d->rw(d, 0, off - head, bounce, ss);
			if (error == 0 && write) {
				memcpy(bounce + head, buf, n);
				error = d->rw(d, 1, off - head, bounce, ss);
			} else if (error == 0)
				memcpy(buf, bounce + head, n);
			klock_exit(&rmwlock);
			if (error != 0)
				return error;
		}
		off += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* xfer through the block cache (bcache.c): reads use and fill it. */
static int
xfer_cached(struct kblkdev *d, int write, uint64_t off, char *buf, size_t len)
{
	uint64_t gen;
	size_t hit;
	int error;

	if (write) {
		error = xfer(d, 1, off, buf, len);
		bcache_invalidate(d, off, len); /* even after an error */
		return error;
	}
	gen = bcache_gen();
	hit = bcache_read(d, off, buf, len);
	if (hit == len)
		return 0;
	error = xfer(d, 0, off + hit, buf + hit, len - hit);
	if (error == 0)
		bcache_fill(d, off + hit, buf + hit, len - hit, gen);
	return error;
}

static int
rw_iov(int fd, int write, const struct rumphost_iovec *iov, size_t niov,
    int64_t off, size_t *done)
{
	struct kblkdev *d;
	uint64_t pos, n;
	int fl, acc, error = 0;
	size_t i;

	*done = 0;
	if ((d = fd_dev(fd, &fl)) == NULL)
		return RH_EBADF;
	acc = fl & RUMPHOST_OPEN_ACCMODE;
	if ((write && acc == RUMPHOST_OPEN_RDONLY) ||
	    (!write && acc == RUMPHOST_OPEN_WRONLY))
		return RH_EBADF;
	if (off == -1) {
		klock_enter(&fdlock);
		pos = fds[fd].pos;
		klock_exit(&fdlock);
	} else
		pos = (uint64_t)off;
	for (i = 0; i < niov && error == 0 && pos < d->size; i++) {
		n = iov[i].iov_len;
		if (n > d->size - pos)
			n = d->size - pos;
		if ((error = xfer_cached(d, write, pos, iov[i].iov_base, n)) !=
		    0)
			break;
		pos += n;
		*done += n;
	}
	if (off == -1) {
		klock_enter(&fdlock);
		fds[fd].pos = pos;
		klock_exit(&fdlock);
	}
	return error;
}

int
rumphost_host_preadv(int fd, const struct rumphost_iovec *iov, size_t n,
    int64_t off, size_t *done)
{

	return rw_iov(fd, 0, iov, n, off, done);
}

int
rumphost_host_pwritev(int fd, const struct rumphost_iovec *iov, size_t n,
    int64_t off, size_t *done)
{

	return rw_iov(fd, 1, iov, n, off, done);
}

int
rumphost_host_fsync(int fd)
{
	struct kblkdev *d;
	int fl;

	if ((d = fd_dev(fd, &fl)) == NULL)
		return RH_EBADF;
	return d->flush != NULL ? d->flush(d) : 0;
}

/*
 * The core's hi_rw_nowait: reads served whole or in part by the block
 * cache, on the caller's thread; anything else is EAGAIN (the core then
 * hands the transfer to its I/O threads).
 */
int
refkernel_rw_nowait(
    int fd, int write, void *buf, size_t len, int64_t off, size_t *done)
{
	struct kblkdev *d;
	int fl;

	*done = 0;
	if (write || off < 0 || (d = fd_dev(fd, &fl)) == NULL ||
	    (fl & RUMPHOST_OPEN_ACCMODE) == RUMPHOST_OPEN_WRONLY ||
	    (uint64_t)off >= d->size)
		return RH_EAGAIN;
	if (len > d->size - (uint64_t)off)
		len = d->size - (uint64_t)off;
	*done = bcache_read(d, (uint64_t)off, buf, len);
	return *done > 0 ? 0 : RH_EAGAIN;
}
