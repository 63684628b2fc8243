/*
 * mount.c: open an image for nbfs: check it on the host, probe its
 * superblock, boot the rump kernel, register the image as a block
 * device with etfs, mount it at NBFS_MNT with the argument block its
 * file system wants, and on the way out sync and unmount it.  Also the
 * error reporting shared by the commands (NetBSD errno values, which
 * rump_sys_*() leave in errno, turned into host ones) and the signal
 * thread that makes SIGINT/SIGTERM stop work cleanly.
 *
 * Assumes the rump kernel components are linked in (mk/nbfs.mk) and
 * that NetBSD's errno values are those of rump/rumpdefs.h.
 */

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdint.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#include "nbfs.h"

volatile sig_atomic_t nbfs_stop;
static volatile sig_atomic_t stopsig;
static void (*onstop)(void);

static const struct {
	int nb, host;
} errmap[] = {
    {RUMP_EAGAIN, EAGAIN},
    {RUMP_EINPROGRESS, EINPROGRESS},
    {RUMP_EALREADY, EALREADY},
    {RUMP_ENOTSOCK, ENOTSOCK},
    {RUMP_EOPNOTSUPP, EOPNOTSUPP},
    {RUMP_ELOOP, ELOOP},
    {RUMP_ENAMETOOLONG, ENAMETOOLONG},
    {RUMP_ENOTEMPTY, ENOTEMPTY},
    {RUMP_EDQUOT, EDQUOT},
    {RUMP_ESTALE, ESTALE},
    {RUMP_ENOLCK, ENOLCK},
    {RUMP_ENOSYS, ENOSYS},
    {RUMP_EFTYPE, EINVAL},
    {RUMP_EOVERFLOW, EOVERFLOW},
    {RUMP_EILSEQ, EILSEQ},
    {RUMP_ENOTSUP, ENOTSUP},
    {RUMP_ENOATTR, ENODATA},
    {RUMP_ETIMEDOUT, ETIMEDOUT},
};

/* A NetBSD errno value as the host's. */
int
nbfs_host_errno(int e)
{
	size_t i;

	if (e <= 34)
		return e;
	for (i = 0; i < sizeof(errmap) / sizeof(errmap[0]); i++)
		if (errmap[i].nb == e)
			return errmap[i].host;
	return EIO;
}

const char *
nbfs_strerror(int nberr)
{
	if (nberr == RUMP_EFTYPE)
		return "Inappropriate file type or format";
	return strerror(nbfs_host_errno(nberr));
}

/* "IMAGE:PATH" style report of a failed rump call (NetBSD errno). */
void
nbfs_err(
    const struct nbfs_ctx *c, const char *path, const char *what, int nberr)
{
	fprintf(stderr, "nbfs: %s%s%s:%s%s: %s", c->cmd ? c->cmd : "",
	    c->cmd ? ": " : "", c->image, path[0] == '/' ? "" : "/", path,
	    nbfs_strerror(nberr));
	if (what != NULL)
		fprintf(stderr, " (%s)", what);
	if (nberr == RUMP_EROFS && !c->writable)
		fprintf(stderr,
		    "; the image is opened read-only, writing "
		    "needs -w");
	fputc('\n', stderr);
}

void
nbfs_errx(const struct nbfs_ctx *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nbfs: %s%s", c->cmd ? c->cmd : "", c->cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* An image path ("/a/b", "a/b", "") as a path in the rump kernel. */
char *
nbfs_rpath(const char *p)
{
	size_t n;
	char *r;

	while (p[0] == '/')
		p++;
	n = strlen(NBFS_MNT) + strlen(p) + 2;
	if ((r = malloc(n)) == NULL) {
		perror("nbfs: malloc");
		exit(NBFS_EX_FAIL);
	}
	snprintf(r, n, "%s%s%s", NBFS_MNT, p[0] ? "/" : "", p);
	/* Trailing slashes would make "a/" differ from "a". */
	n = strlen(r);
	while (n > strlen(NBFS_MNT) + 1 && r[n - 1] == '/')
		r[--n] = '\0';
	return r;
}

static void *
sigthread(void *arg)
{
	sigset_t *set = arg;
	int sig;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		stopsig = sig;
		nbfs_stop = 1;
		if (onstop != NULL)
			onstop();
	}
	return NULL;
}

/*
 * Block SIGINT, SIGTERM and SIGHUP in every thread (the rump kernel's
 * threads inherit the mask) and take them in one thread that asks the
 * work in progress to stop; the command then unmounts and syncs.
 */
void
nbfs_signals_init(void)
{
	static sigset_t set;
	pthread_t t;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&t, NULL, sigthread, &set) == 0)
		pthread_detach(t);
}

void
nbfs_signals_onstop(void (*fn)(void))
{
	onstop = fn;
}

int
nbfs_stopsig(void)
{
	return stopsig;
}

static int
read_head(struct nbfs_ctx *c, int fd, uint64_t size)
{
	static unsigned char buf[NBFS_PROBE_LEN];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(buf)) {
		n = pread(fd, buf + got, sizeof(buf) - got, (off_t)got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			nbfs_errx(c, "%s: read: %s", c->image, strerror(errno));
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	nbfs_probe(buf, got, size, &c->probe);
	return 0;
}

static int
mount_fs(struct nbfs_ctx *c, enum nbfs_fstype t)
{
	static char fspec[] = NBFS_FSPEC;
	int flags = c->writable ? 0 : RUMP_MNT_RDONLY;
	const char *name = nbfs_fstype_rumpname(t);

	if (t == NBFS_FS_MSDOS) {
		struct nb_msdosfs_args a;

		memset(&a, 0, sizeof(a));
		a.fspec = fspec;
		a.uid = getuid();
		a.gid = getgid();
		a.mask = 0755;
		a.dirmask = 0755;
		a.version = NB_MSDOSFSMNT_VERSION;
		a.flags = NB_MSDOSFSMNT_VERSIONED | NB_MSDOSFSMNT_LONGNAME;
		return rump_sys_mount(name, NBFS_MNT, flags, &a, sizeof(a));
	}
	if (t == NBFS_FS_CD9660) {
		struct nb_iso_args a;

		memset(&a, 0, sizeof(a));
		a.fspec = fspec;
		a.flags = NB_ISOFSMNT_NOCASETRANS;
		return rump_sys_mount(name, NBFS_MNT, flags, &a, sizeof(a));
	}
	{
		struct nb_ufs_args a;

		memset(&a, 0, sizeof(a));
		a.fspec = fspec;
		return rump_sys_mount(name, NBFS_MNT, flags, &a, sizeof(a));
	}
}

/* Check, probe, boot, mount.  Returns 0 or an exit code. */
int
nbfs_open(struct nbfs_ctx *c)
{
	enum nbfs_fstype t;
	struct stat st;
	int fd, rv, e;

	if ((fd = open(c->image, c->writable ? O_RDWR : O_RDONLY)) == -1 ||
	    fstat(fd, &st) == -1) {
		nbfs_errx(c, "%s: %s", c->image, strerror(errno));
		return NBFS_EX_FAIL;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		nbfs_errx(
		    c, "%s: not a regular file or block device", c->image);
		close(fd);
		return NBFS_EX_FAIL;
	}
	/* One writer or many readers per image, across nbfs processes. */
	if (flock(fd, (c->writable ? LOCK_EX : LOCK_SH) | LOCK_NB) == -1) {
		nbfs_errx(c, "%s: in use by another nbfs%s", c->image,
		    c->writable ? "" : " that is writing to it");
		close(fd);
		return NBFS_EX_FAIL;
	}
	c->lockfd = fd;
	c->imgsize = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	if (read_head(c, fd, S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0) ==
	    -1)
		return NBFS_EX_FAIL;
	t = c->probe.type;
	if (c->forced != NBFS_FS_NONE) {
		if (t != c->forced && !c->quiet)
			fprintf(stderr,
			    "nbfs: warning: %s: forcing %s, the "
			    "superblock looks like %s\n",
			    c->image, nbfs_fstype_name(c->forced),
			    t == NBFS_FS_NONE ? "nothing nbfs knows"
					      : c->probe.desc);
		t = c->forced;
	} else if (t == NBFS_FS_NONE) {
		nbfs_errx(c,
		    "%s: not a file system nbfs recognises (no "
		    "ext2/3, FFS, FAT, ISO 9660, UDF, NTFS or HFS+ "
		    "superblock); -t TYPE forces one",
		    c->image);
		return NBFS_EX_FAIL;
	} else if (c->probe.damaged) {
		nbfs_errx(
		    c, "%s: damaged superblock: %s", c->image, c->probe.why);
		return NBFS_EX_FAIL;
	}
	if (c->writable && !nbfs_fstype_writable(t)) {
		nbfs_errx(c,
		    "%s: nbfs does not write %s file systems; "
		    "drop -w",
		    c->image, nbfs_fstype_name(t));
		return NBFS_EX_USAGE;
	}

	if ((rv = rump_init()) != 0) {
		nbfs_errx(
		    c, "rump kernel failed to boot: %s", nbfs_strerror(rv));
		return NBFS_EX_FAIL;
	}
	/*
	 * A thread without a rump lwp of its own gets a temporary one,
	 * made and freed, for every rump_sys_*() call.  Give this thread
	 * one for good, in the process such threads use (pid 1), so its
	 * descriptors stay shared with the FUSE threads.  Only a cost
	 * saving: without it calls work as before.
	 */
	(void)rump_pub_lwproc_newlwp(1);
	if ((rv = rump_pub_etfs_register(
		 NBFS_FSPEC, c->image, RUMP_ETFS_BLK)) != 0) {
		nbfs_errx(c,
		    "%s: cannot attach the image to the rump "
		    "kernel: %s",
		    c->image, nbfs_strerror(rv));
		return NBFS_EX_FAIL;
	}
	if (rump_sys_mkdir(NBFS_MNT, 0755) == -1) {
		nbfs_errx(c, "mkdir %s in the rump kernel: %s", NBFS_MNT,
		    nbfs_strerror(errno));
		return NBFS_EX_FAIL;
	}
	if (mount_fs(c, t) == -1) {
		e = errno;
		nbfs_errx(c, "%s: NetBSD's %s refused to mount it%s%s: %s",
		    c->image, nbfs_fstype_rumpname(t),
		    c->writable ? " read-write" : "",
		    c->probe.type == t ? "" : " (forced type)",
		    nbfs_strerror(e));
		if (t == NBFS_FS_EXT2 && c->probe.type == t)
			fprintf(stderr,
			    "nbfs: the image is %s; NetBSD's "
			    "ext2fs does not support ext4 features or "
			    "journal replay\n",
			    c->probe.desc);
		return NBFS_EX_FAIL;
	}
	c->mounted = 1;
	c->fstype = t;
	return NBFS_EX_OK;
}

/*
 * FAT32's FSInfo sector caches the free cluster count and a next-free
 * hint, which NetBSD's msdosfs does not keep up to date.  Both are
 * hints; after writing, mark them unknown (0xFFFFFFFF) so that no
 * reader (or fsck.vfat) trusts a stale count.
 */
static void
fat32_fsinfo_unknown(struct nbfs_ctx *c)
{
	unsigned char s[512];
	static const unsigned char ff[8] = {
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

	if (c->probe.fsinfo_off == 0 ||
	    pread(c->lockfd, s, sizeof(s), (off_t)c->probe.fsinfo_off) !=
		(ssize_t)sizeof(s))
		return;
	if (memcmp(s, "RRaA", 4) != 0 || memcmp(s + 484, "rrAa", 4) != 0)
		return;
	if (pwrite(c->lockfd, ff, sizeof(ff),
		(off_t)c->probe.fsinfo_off + 488) != (ssize_t)sizeof(ff))
		nbfs_errx(c, "%s: FAT32 FSInfo: %s", c->image, strerror(errno));
}

/* Sync and unmount.  Returns 0 or an exit code. */
int
nbfs_close(struct nbfs_ctx *c)
{
	int rv = NBFS_EX_OK;

	if (c->mounted) {
		if (c->writable)
			rump_sys_sync();
		if (rump_sys_unmount(NBFS_MNT, 0) == -1) {
			nbfs_errx(c, "%s: unmount: %s; forcing", c->image,
			    nbfs_strerror(errno));
			if (c->writable)
				rump_sys_sync();
			if (rump_sys_unmount(NBFS_MNT, RUMP_MNT_FORCE) == -1) {
				nbfs_errx(c, "%s: forced unmount: %s", c->image,
				    nbfs_strerror(errno));
				rv = NBFS_EX_FAIL;
			}
		}
		c->mounted = 0;
		if (c->writable && rv == NBFS_EX_OK &&
		    c->probe.type == NBFS_FS_MSDOS)
			fat32_fsinfo_unknown(c);
	}
	if (c->lockfd >= 0) {
		if (c->writable && fsync(c->lockfd) == -1) {
			nbfs_errx(
			    c, "%s: fsync: %s", c->image, strerror(errno));
			rv = NBFS_EX_FAIL;
		}
		close(c->lockfd);
		c->lockfd = -1;
	}
	return rv;
}

/* nbfs probe: print what the image holds; no rump kernel needed. */
int nbfs_probe_file(struct nbfs_ctx *);

int
nbfs_probe_file(struct nbfs_ctx *c)
{
	struct stat st;
	int fd, rv;

	if ((fd = open(c->image, O_RDONLY)) == -1 || fstat(fd, &st) == -1) {
		nbfs_errx(c, "%s: %s", c->image, strerror(errno));
		return NBFS_EX_FAIL;
	}
	rv = read_head(c, fd, S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0);
	close(fd);
	if (rv == -1)
		return NBFS_EX_FAIL;
	if (c->probe.type == NBFS_FS_NONE) {
		nbfs_errx(c, "%s: not a file system nbfs recognises", c->image);
		return NBFS_EX_FAIL;
	}
	fprintf(nbfs_out, "%s: %s: %s%s%s\n", c->image,
	    nbfs_fstype_name(c->probe.type), c->probe.desc,
	    c->probe.damaged ? ": DAMAGED: " : "",
	    c->probe.damaged ? c->probe.why : "");
	return c->probe.damaged ? NBFS_EX_FAIL : NBFS_EX_OK;
}
