/*
 * bmapcopy.c: the fast path of get for regular files on ext2
 * and FFS images mounted read-only.  NetBSD's file system is asked
 * where each block of the file lies in the image (FIOGETBMAP, which is
 * VOP_BMAP: the mapping its own read path, genfs_getpages, reads
 * through), and runs of contiguous blocks are copied from the image to
 * the host file by the host kernel (copy_file_range; pread/write where
 * the host cannot), without passing through the rump kernel's page
 * cache and three copies of every page there.  A block that maps to
 * nothing is a hole: zeros, left as a hole in the copy.
 *
 * Assumes what makes those bytes the ones rump_sys_read returns: the
 * mount is read-only (no dirty page in the rump kernel's cache), the
 * image is registered whole at offset 0 (mount.c), block addresses are
 * in DEV_BSIZE (512-byte) units, and logical blocks are f_iosize bytes
 * (ext2fs and ffs: the file system block), and no WAPBL log is being
 * replayed (FFS with FS_DOWAPBL is left to the read path; NetBSD's
 * ext2fs replays no journal).  Other file systems (FAT,
 * ISO 9660, NTFS, ...) map differently or keep data elsewhere and go
 * through rump_sys_read.  NBFS_NOBMAP=1 in the environment turns the
 * fast path off (for comparison and debugging).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>

#include "nbfs.h"

#define RUN_MAX	  (8 * 1024 * 1024) /* bytes per host copy */
#define DEV_BSIZE 512

/* The host cannot copy_file_range between these two files. */
static int no_cfr;

/* Is the fast path usable for files of this mount?  Block size or 0. */
uint32_t
nbfs_bmap_bsize(const struct nbfs_ctx *c)
{
	struct nb_statvfs sv;
	const char *e = getenv("NBFS_NOBMAP");

	if (c->writable || (e != NULL && e[0] != '\0' && e[0] != '0'))
		return 0;
	if (c->fstype != NBFS_FS_EXT2 && c->fstype != NBFS_FS_FFS)
		return 0;
	/*
	 * Forced to a type the superblock does not show, or FFS with a
	 * log: mounted read-only, NetBSD replays the log in memory and
	 * serves blocks it holds from there, not from the image.
	 */
	if (c->probe.type != c->fstype || c->probe.logged)
		return 0;
	if (rump_sys_statvfs1(
		NBFS_MNT, (struct statvfs *)(void *)&sv, NB_ST_NOWAIT) == -1)
		return 0;
	if (sv.f_iosize < DEV_BSIZE || sv.f_iosize > (1u << 20) ||
	    (sv.f_iosize & (sv.f_iosize - 1)) != 0)
		return 0;
	return (uint32_t)sv.f_iosize;
}

/* Copy n bytes at image offset ioff to output offset ooff. */
static int
copy_run(
    int img, int out, off_t ioff, off_t ooff, size_t n, char *buf, size_t bufsz)
{
	ssize_t r;

	while (n > 0 && !no_cfr) {
		r = copy_file_range(img, &ioff, out, &ooff, n, 0);
		if (r > 0) {
			n -= (size_t)r;
			continue;
		}
		if (r == 0) {
			errno = EIO; /* image shorter than the map says */
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
		    errno != EOPNOTSUPP && errno != EBADF)
			return -1;
		no_cfr = 1;
	}
	while (n > 0) {
		if ((r = pread(img, buf, n < bufsz ? n : bufsz, ioff)) <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			if (r == 0)
				errno = EIO;
			return -1;
		}
		if (nbfs_pwrite_all(out, buf, (size_t)r, ooff) == -1)
			return -1;
		ioff += r;
		ooff += r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * Copy the first size bytes of the file open as rfd in the rump kernel
 * to out (a fresh, empty host file), mapping bsize-byte blocks; holes
 * are skipped, so the caller sets out's length to *donep, how much of
 * the file was copied (less than size if stopped by a signal or an
 * error).  Returns 0, 1 if the file system refused the first mapping
 * (nothing written: the caller reads the file instead), or -1 with
 * *nberr a NetBSD errno (mapping, or a block beyond the image's end)
 * or 0 and the host's errno (the copy from the image to out).
 */
int
nbfs_bmap_copy(const struct nbfs_ctx *c, int rfd, int out, uint64_t size,
    uint32_t bsize, struct nbfs_progress *pg, char *buf, size_t bufsz,
    int *nberr, uint64_t *donep)
{
	uint64_t lbn, len, nblk = (size + bsize - 1) / bsize;
	int64_t d, start = -1, pend = -1; /* run: image bytes [start, pend) */
	uint64_t ostart = 0;		  /* its offset in the file */

	*nberr = 0;
	*donep = 0;
	for (lbn = 0; lbn <= nblk && !nbfs_stop; lbn++) {
		d = -1;
		len = 0;
		if (lbn < nblk) {
			len = size - lbn * bsize < bsize ? size - lbn * bsize
							 : bsize;
			d = (int64_t)lbn;
			if (rump_sys_ioctl(rfd, NB_FIOGETBMAP, &d) == -1) {
				if (lbn == 0)
					return 1;
				*nberr = errno;
				return -1;
			}
			if (d >= 0 && c->imgsize != 0 &&
			    (uint64_t)d * DEV_BSIZE + len > c->imgsize) {
				*nberr = RUMP_EIO;
				return -1;
			}
			d = d < 0 ? -1 : d * DEV_BSIZE;
		}
		/* Flush the run unless this block extends it. */
		if (start >= 0 &&
		    (d != pend || lbn == nblk ||
			(uint64_t)(pend - start) >= RUN_MAX)) {
			if (copy_run(c->lockfd, out, start, (off_t)ostart,
				(size_t)(pend - start), buf, bufsz) == -1)
				return -1;
			nbfs_progress_add(pg, (uint64_t)(pend - start), 0);
			start = -1;
		}
		*donep = start >= 0 ? ostart : lbn * bsize;
		if (d < 0) {
			nbfs_progress_add(pg, len, 0);
			continue;
		}
		if (start < 0) {
			start = d;
			ostart = lbn * bsize;
		}
		pend = d + (int64_t)len;
	}
	if (*donep > size)
		*donep = size;
	return 0;
}
