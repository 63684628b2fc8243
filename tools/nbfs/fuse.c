/*
 * fuse.c: nbfs mount IMAGE DIR: the mounted image as a FUSE 3 file
 * system (libfuse3's high-level API), so any program can use it.  Every
 * FUSE operation becomes the rump_sys_*() call on the same path under
 * NBFS_MNT; open files keep their rump descriptor in fi->fh.  Runs in
 * the foreground, single-threaded (the rump kernel serialises most of
 * the work anyway), read-only unless nbfs -w was given.
 *
 * Stopping: fusermount3 -u DIR ends the loop; so do SIGINT, SIGTERM and
 * SIGHUP, which the signal thread of mount.c turns into
 * fuse_session_exit() plus a SIGUSR1 that interrupts the loop's read.
 * Either way main.c then syncs and unmounts the image in the rump
 * kernel, after fuse_unmount() has detached DIR.
 * Assumes FUSE_USE_VERSION 31 and NetBSD's errno values in errno after
 * a failed rump call.
 */

#define FUSE_USE_VERSION 31

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#include "nbfs.h"

static struct fuse *fuse;
static pthread_t loop_thread;

#define RP(path) char *rp = nbfs_rpath(path)
#define FAIL()	 (-nbfs_host_errno(errno))

static void
conv_stat(const struct nb_stat *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = n->st_dev;
	st->st_ino = n->st_ino;
	st->st_mode = n->st_mode; /* same type and permission bits */
	st->st_nlink = n->st_nlink;
	st->st_uid = n->st_uid;
	st->st_gid = n->st_gid;
	st->st_rdev = n->st_rdev;
	st->st_size = n->st_size;
	st->st_blksize = n->st_blksize;
	st->st_blocks = n->st_blocks;
	st->st_atim.tv_sec = n->st_atim.tv_sec;
	st->st_atim.tv_nsec = n->st_atim.tv_nsec;
	st->st_mtim.tv_sec = n->st_mtim.tv_sec;
	st->st_mtim.tv_nsec = n->st_mtim.tv_nsec;
	st->st_ctim.tv_sec = n->st_ctim.tv_sec;
	st->st_ctim.tv_nsec = n->st_ctim.tv_nsec;
}

static int
nb_flags(int fl)
{
	int r = 0;

	switch (fl & O_ACCMODE) {
	case O_WRONLY: r = RUMP_O_WRONLY; break;
	case O_RDWR: r = RUMP_O_RDWR; break;
	default: r = RUMP_O_RDONLY; break;
	}
	if (fl & O_APPEND)
		r |= RUMP_O_APPEND;
	if (fl & O_CREAT)
		r |= RUMP_O_CREAT;
	if (fl & O_TRUNC)
		r |= RUMP_O_TRUNC;
	if (fl & O_EXCL)
		r |= RUMP_O_EXCL;
	return r;
}

static int
f_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct nb_stat n;
	int rv;

	if (fi != NULL)
		rv = rump_sys_fstat((int)fi->fh, (struct stat *)(void *)&n);
	else {
		RP(path);
		rv = nbfs_lstat(rp, &n);
		free(rp);
	}
	if (rv == -1)
		return FAIL();
	conv_stat(&n, st);
	return 0;
}

static int
f_readlink(const char *path, char *buf, size_t size)
{
	ssize_t n;
	RP(path);

	n = rump_sys_readlink(rp, buf, size > 0 ? size - 1 : 0);
	free(rp);
	if (n < 0)
		return FAIL();
	buf[n] = '\0';
	return 0;
}

/* A rump system call's result as FUSE wants it: 0 or a negative errno. */
static int
result(int rv)
{

	return rv == -1 ? FAIL() : 0;
}

/* Calls on one path, and on two, resolved into the rump namespace. */
static int
path1(const char *path, int (*op)(const char *))
{
	int rv;
	RP(path);

	rv = op(rp);
	free(rp);
	return result(rv);
}

static int
path2(const char *from, const char *to, int (*op)(const char *, const char *))
{
	char *a, *b;
	int rv;

	a = nbfs_rpath(from);
	b = nbfs_rpath(to);
	rv = op(a, b);
	free(a);
	free(b);
	return result(rv);
}

static int
f_mkdir(const char *path, mode_t mode)
{
	int rv;
	RP(path);

	rv = rump_sys_mkdir(rp, (int)mode);
	free(rp);
	return result(rv);
}

static int
f_unlink(const char *path)
{

	return path1(path, rump_sys_unlink);
}

static int
f_rmdir(const char *path)
{

	return path1(path, rump_sys_rmdir);
}

static int
f_symlink(const char *target, const char *path)
{
	int rv;
	RP(path);

	rv = rump_sys_symlink(target, rp);
	free(rp);
	return result(rv);
}

static int
f_rename(const char *from, const char *to, unsigned int flags)
{

	if (flags != 0)
		return -EINVAL;
	return path2(from, to, rump_sys_rename);
}

static int
f_link(const char *from, const char *to)
{

	return path2(from, to, rump_sys_link);
}

static int
f_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	char *rp;
	int rv;

	if (fi != NULL)
		return result(rump_sys_fchmod((int)fi->fh, (int)mode));
	rp = nbfs_rpath(path);
	rv = rump_sys_chmod(rp, (int)mode);
	free(rp);
	return result(rv);
}

static int
f_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	int rv;
	RP(path);

	(void)fi;
	rv = rump_sys_lchown(rp, uid, gid);
	free(rp);
	return result(rv);
}

static int
f_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	char *rp;
	int rv;

	if (fi != NULL)
		return result(rump_sys_ftruncate((int)fi->fh, size));
	rp = nbfs_rpath(path);
	rv = rump_sys_truncate(rp, size);
	free(rp);
	return result(rv);
}

/* Open path with open(2) flags fl (creating it with mode) into fi->fh. */
static int
open_fh(const char *path, int fl, mode_t mode, struct fuse_file_info *fi)
{
	int fd;
	RP(path);

	fd = rump_sys_open(rp, fl, (int)mode);
	free(rp);
	if (fd == -1)
		return FAIL();
	fi->fh = (uint64_t)fd;
	return 0;
}

static int
f_open(const char *path, struct fuse_file_info *fi)
{

	return open_fh(path, nb_flags(fi->flags), 0, fi);
}

static int
f_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{

	return open_fh(path, nb_flags(fi->flags) | RUMP_O_CREAT, mode, fi);
}

static int
f_read(const char *path, char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	ssize_t n;

	(void)path;
	n = rump_sys_pread((int)fi->fh, buf, size, off);
	return n < 0 ? FAIL() : (int)n;
}

static int
f_write(const char *path, const char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	ssize_t n;

	(void)path;
	n = rump_sys_pwrite((int)fi->fh, buf, size, off);
	return n < 0 ? FAIL() : (int)n;
}

static int
f_statfs(const char *path, struct statvfs *sv)
{
	struct nb_statvfs n;

	(void)path;
	if (rump_sys_statvfs1(
		NBFS_MNT, (struct statvfs *)(void *)&n, NB_ST_WAIT) == -1)
		return FAIL();
	memset(sv, 0, sizeof(*sv));
	sv->f_bsize = n.f_bsize;
	sv->f_frsize = n.f_frsize;
	sv->f_blocks = n.f_blocks;
	sv->f_bfree = n.f_bfree;
	sv->f_bavail = n.f_bavail;
	sv->f_files = n.f_files;
	sv->f_ffree = n.f_ffree;
	sv->f_favail = n.f_favail;
	sv->f_namemax = n.f_namemax;
	return 0;
}

static int
f_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	rump_sys_close((int)fi->fh);
	return 0;
}

static int
f_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	(void)datasync;
	return result(rump_sys_fsync((int)fi->fh));
}

struct fillstate {
	void *buf;
	fuse_fill_dir_t fill;
};

static void
fill_one(void *arg, const char *name)
{
	struct fillstate *fs = arg;

	fs->fill(fs->buf, name, NULL, 0, 0);
}

static int
f_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
    struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct fillstate fs = {buf, fill};
	int rv;
	RP(path);

	(void)off;
	(void)fi;
	(void)flags;
	rv = nbfs_dirents(rp, fill_one, &fs);
	free(rp);
	return result(rv);
}

static int
f_utimens(
    const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	struct nb_timespec ts[2];
	int i, rv;
	RP(path);

	(void)fi;
	for (i = 0; i < 2; i++) {
		ts[i].tv_sec = tv[i].tv_sec;
		ts[i].tv_nsec = tv[i].tv_nsec;
		/* NetBSD's UTIME_NOW / UTIME_OMIT differ from Linux's. */
		if (tv[i].tv_nsec == UTIME_NOW)
			ts[i].tv_nsec = NB_UTIME_NOW;
		else if (tv[i].tv_nsec == UTIME_OMIT)
			ts[i].tv_nsec = NB_UTIME_OMIT;
	}
	rv = rump_sys_utimensat(NB_AT_FDCWD, rp,
	    (const struct timespec *)(void *)ts, NB_AT_SYMLINK_NOFOLLOW);
	free(rp);
	return result(rv);
}

static void *
f_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->use_ino = 1;
	cfg->entry_timeout = 1.0;
	cfg->attr_timeout = 1.0;
	return NULL;
}

static const struct fuse_operations ops = {
    .init = f_init,
    .getattr = f_getattr,
    .readlink = f_readlink,
    .mkdir = f_mkdir,
    .unlink = f_unlink,
    .rmdir = f_rmdir,
    .symlink = f_symlink,
    .rename = f_rename,
    .link = f_link,
    .chmod = f_chmod,
    .chown = f_chown,
    .truncate = f_truncate,
    .open = f_open,
    .create = f_create,
    .read = f_read,
    .write = f_write,
    .statfs = f_statfs,
    .release = f_release,
    .fsync = f_fsync,
    .readdir = f_readdir,
    .utimens = f_utimens,
};

static void
nop(int sig)
{
	(void)sig;
}

static void
stop_loop(void)
{
	if (fuse != NULL) {
		fuse_session_exit(fuse_get_session(fuse));
		pthread_kill(loop_thread, SIGUSR1);
	}
}

int
cmd_mount(struct nbfs_ctx *c, int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct sigaction sa;
	sigset_t set;
	char opts[4200];
	const char *dir;
	int rv;

	if (argc != 2) {
		nbfs_errx(c, "usage: nbfs [-w] mount [-o FUSEOPTS] IMAGE DIR");
		return NBFS_EX_USAGE;
	}
	dir = argv[1];
	if (access(dir, F_OK) == -1) {
		nbfs_errx(c, "%s: %s", dir, strerror(errno));
		return NBFS_EX_FAIL;
	}
	snprintf(opts, sizeof(opts),
	    "fsname=nbfs:%s,subtype=nbfs,"
	    "default_permissions%s%s%s",
	    c->image, c->writable ? "" : ",ro", c->oarg ? "," : "",
	    c->oarg ? c->oarg : "");
	if (fuse_opt_add_arg(&args, "nbfs") == -1 ||
	    fuse_opt_add_arg(&args, "-o") == -1 ||
	    fuse_opt_add_arg(&args, opts) == -1)
		return NBFS_EX_FAIL;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = nop; /* no SA_RESTART: interrupt the read */
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	loop_thread = pthread_self();

	if ((fuse = fuse_new(&args, &ops, sizeof(ops), c)) == NULL) {
		nbfs_errx(c, "fuse_new failed (bad -o options?)");
		fuse_opt_free_args(&args);
		return NBFS_EX_FAIL;
	}
	if (fuse_mount(fuse, dir) != 0) {
		nbfs_errx(c,
		    "%s: FUSE mount failed (is /dev/fuse there, "
		    "and fusermount3 installed?)",
		    dir);
		fuse_destroy(fuse);
		fuse = NULL;
		fuse_opt_free_args(&args);
		return NBFS_EX_FAIL;
	}
	nbfs_signals_onstop(stop_loop);
	if (nbfs_stop)
		stop_loop();
	if (!c->quiet)
		fprintf(stderr,
		    "nbfs: %s mounted %s on %s; stop with "
		    "fusermount3 -u %s or Ctrl-C\n",
		    c->image, c->writable ? "read-write" : "read-only", dir,
		    dir);
	rv = fuse_loop(fuse);
	nbfs_signals_onstop(NULL);
	fuse_unmount(fuse);
	fuse_destroy(fuse);
	fuse = NULL;
	fuse_opt_free_args(&args);
	if (nbfs_stop)
		return 128 + nbfs_stopsig();
	return rv == 0 ? NBFS_EX_OK : NBFS_EX_FAIL;
}
