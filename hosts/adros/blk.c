/*
 * blk.c: block devices on AdrOS's ATA and virtio-blk drivers.
 *
 * Names: "ata0".."ata3" (also AdrOS's own "hda".."hdd") are ATA drives
 * 0..3 (primary master .. secondary slave), "vblk0" the one virtio-blk
 * device.  Only disks AdrOS probed exist; CREATE of anything else is
 * EOPNOTSUPP, EXCL on a disk EEXIST.  fileinfo says BLK with the size.
 *
 * Both drivers move whole 512-byte sectors: transfers are split into
 * sectors, and a sector only partly covered by the request, or one whose
 * memory is not a plain aligned sector of the caller's, goes through a
 * bounce sector (read, modify, write for partial writes).  The ATA PIO
 * path has no lock of its own, so each channel (two drives) is serialised
 * by a kmutex of ours; the read-modify-write of a partial sector happens
 * under it too.  virtio-blk hands V2P(buf) (buf - 0xC0000000) to the
 * device, which is right only inside the kernel image's linear mapping:
 * every virtio transfer goes through a static bounce sector in our .bss,
 * under our lock.  ATA writes wait for the drive's cache flush
 * (ata_pio_write28 issues it), so fsync has nothing left to do; virtio
 * writes complete when the device reports them.
 *
 * Retries.  AdrOS's ATA driver waits for the drive by counting status
 * reads, not by time, and ignores a cache flush still running when its
 * count runs out: the next command then finds the drive busy and fails
 * with EIO although nothing is wrong (under QEMU a flush is a host fsync,
 * as slow as the host's disk).  An EIO from an ATA sector transfer is
 * therefore retried, after a tick's sleep, up to ATA_TRIES times, still
 * under the channel lock (the drive is busy for everyone).  Sector
 * transfers are idempotent, so a retry after a real error only costs
 * time.  This matters because NetBSD's fsync drops the error of a page
 * write (vflushbuf ignores VOP_PUTPAGES's result): an EIO here was lost
 * file data with fsync returning 0 (docs/adros.md, section 10).
 */
#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "adros.h"
#include "adros_api.h"

#define SECSZ	  512u
#define NDISK	  5 /* ata0..3, vblk0 */
#define VBLK	  4
#define MAXOPEN	  32
#define ATA_TRIES 50   /* 10 ms apart: half a second of a busy drive */
#define ADROS_EIO (-5) /* AdrOS's -EIO (include/errno.h) */

static kmutex_t chanmtx[3]; /* ATA channel 0, 1; virtio */
static _Alignas(SECSZ) uint8_t vbounce[SECSZ];

static struct {
	int o_disk; /* -1: free */
	int o_flags;
} opens[MAXOPEN];
static kmutex_t openmtx;

static const char *const names[NDISK][2] = {
    {"ata0", "hda"},
    {"ata1", "hdb"},
    {"ata2", "hdc"},
    {"ata3", "hdd"},
    {"vblk0", "vda"},
};

void
rumphost_adros_blk_init(void)
{
	int i;

	for (i = 0; i < 3; i++)
		kmutex_init(&chanmtx[i]);
	kmutex_init(&openmtx);
	for (i = 0; i < MAXOPEN; i++)
		opens[i].o_disk = -1;
}

static int
diskbyname(const char *name)
{
	int i;

	for (i = 0; i < NDISK; i++)
		if (rumphost_adros_strcmp(name, names[i][0]) == 0 ||
		    rumphost_adros_strcmp(name, names[i][1]) == 0)
			return i;
	return -1;
}

static uint64_t
disksectors(int d)
{
	uint64_t n;

	if (d == VBLK)
		return virtio_blk_capacity();
	if (!ata_pio_drive_present(d))
		return 0;
	n = ata_pio_sector_count(d);
	/* 28-bit LBA: the driver refuses anything beyond. */
	return n > (1u << 28) ? (1u << 28) : n;
}

int
rumphost_host_fileinfo(const char *name, uint64_t *size, int *type)
{
	uint64_t n;
	int d;

	if ((d = diskbyname(name)) < 0 || (n = disksectors(d)) == 0)
		return RH_ENOENT;
	if (size != NULL)
		*size = n * SECSZ;
	if (type != NULL)
		*type = RUMPHOST_FT_BLK;
	return 0;
}

int
rumphost_host_open(const char *name, int flags, int *fdp)
{
	int d, i;

	if ((d = diskbyname(name)) < 0 || disksectors(d) == 0)
		return (flags & RUMPHOST_OPEN_CREATE) ? RH_EOPNOTSUPP
						      : RH_ENOENT;
	if ((flags & (RUMPHOST_OPEN_CREATE | RUMPHOST_OPEN_EXCL)) ==
	    (RUMPHOST_OPEN_CREATE | RUMPHOST_OPEN_EXCL))
		return RH_EEXIST;
	kmutex_lock(&openmtx);
	for (i = 0; i < MAXOPEN; i++)
		if (opens[i].o_disk < 0) {
			opens[i].o_disk = d;
			opens[i].o_flags = flags;
			break;
		}
	kmutex_unlock(&openmtx);
	if (i == MAXOPEN)
		return RH_EMFILE;
	*fdp = i;
	return 0;
}

static int
diskof(int fd, int *flags)
{
	int d;

	if (fd < 0 || fd >= MAXOPEN)
		return -1;
	kmutex_lock(&openmtx);
	d = opens[fd].o_disk;
	if (flags != NULL)
		*flags = opens[fd].o_flags;
	kmutex_unlock(&openmtx);
	return d;
}

int
rumphost_host_close(int fd)
{
	int error;

	if (fd < 0 || fd >= MAXOPEN)
		return RH_EBADF;
	kmutex_lock(&openmtx);
	error = opens[fd].o_disk < 0 ? RH_EBADF : 0;
	opens[fd].o_disk = -1;
	kmutex_unlock(&openmtx);
	return error;
}

/*
 * One whole ATA sector, the channel lock held.  An EIO may be a drive
 * still busy with an earlier flush: retried (see the top of the file).
 */
static int
ataio(int d, uint32_t lba, void *buf, int wr)
{
	int rv, tries;

	for (tries = 1;; tries++) {
		rv = wr ? ata_pio_write28(d, lba, buf)
			: ata_pio_read28(d, lba, buf);
		if (rv != ADROS_EIO || tries == ATA_TRIES)
			break;
		process_sleep(1);
	}
	return rv == 0 ? 0 : rumphost_adros_errno(rv);
}

/* One whole sector, d's channel lock held. */
static int
secio(int d, uint64_t lba, void *buf, int wr)
{
	int rv;

	if (d != VBLK)
		return ataio(d, (uint32_t)lba, buf, wr);
	if (wr) {
		__builtin_memcpy(vbounce, buf, SECSZ);
		rv = virtio_blk_write(lba, vbounce, 1);
	} else {
		rv = virtio_blk_read(lba, vbounce, 1);
		if (rv == 0)
			__builtin_memcpy(buf, vbounce, SECSZ);
	}
	return rv == 0 ? 0 : RH_EIO;
}

/*
 * Move len bytes at byte offset off between the disk and p.  Whole
 * aligned sectors go straight to p; the rest through a bounce sector.
 */
static int
span(int d, uint64_t off, uint8_t *p, size_t len, int wr, size_t *done)
{
	uint8_t bounce[SECSZ] __attribute__((aligned(16)));
	kmutex_t *m;
	uint64_t lba, nsec;
	size_t in, n;
	int error;

	nsec = disksectors(d);
	m = &chanmtx[d == VBLK ? 2 : d / 2];
	error = 0;
	while (len > 0) {
		lba = off / SECSZ;
		if (lba >= nsec)
			break; /* end of the disk */
		in = (size_t)(off % SECSZ);
		n = SECSZ - in < len ? SECSZ - in : len;
		kmutex_lock(m);
		if (n == SECSZ && ((uintptr_t)p & 1) == 0) {
			error = secio(d, lba, p, wr);
		} else {
			error = 0;
			if (!wr || n != SECSZ)
				error = secio(d, lba, bounce, 0);
			if (error == 0 && wr) {
				__builtin_memcpy(bounce + in, p, n);
				error = secio(d, lba, bounce, 1);
			} else if (error == 0)
				__builtin_memcpy(p, bounce + in, n);
		}
		kmutex_unlock(m);
		if (error != 0)
			break;
		off += n;
		p += n;
		len -= n;
		*done += n;
	}
	return error;
}

static int
xfer(int fd, const struct rumphost_iovec *iov, size_t niov, int64_t off,
    size_t *done, int wr)
{
	size_t i;
	int d, flags, error, mode;

	*done = 0;
	if ((d = diskof(fd, &flags)) < 0)
		return RH_EBADF;
	mode = flags & RUMPHOST_OPEN_ACCMODE;
	if (wr ? mode == RUMPHOST_OPEN_RDONLY : mode == RUMPHOST_OPEN_WRONLY)
		return RH_EBADF;
	if (off < 0)
		return RH_ESPIPE; /* disks have no position of their own */
	for (i = 0; i < niov; i++) {
		size_t before = *done;

		error = span(d, (uint64_t)off + before, iov[i].iov_base,
		    iov[i].iov_len, wr, done);
		if (error != 0)
			return error;
		if (*done - before < iov[i].iov_len)
			break; /* end of the disk */
	}
	return 0;
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

int
rumphost_host_fsync(int fd)
{

	return diskof(fd, NULL) < 0 ? RH_EBADF : 0;
}
