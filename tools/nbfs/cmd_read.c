/*
 * cmd_read.c: the commands that only read the image: ls, cat, get
 * (recursive copy out, keeping modes, times, symlinks and holes),
 * stat and df.  Paths name files in the image; errors name the image
 * and the path.  Long operations stop at the next file or chunk once
 * nbfs_stop is set (SIGINT/SIGTERM), and the caller unmounts.
 */

#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <stdint.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#include "nbfs.h"

#define CHUNK (1024 * 1024)

int
nbfs_lstat(const char *rp, struct nb_stat *st)
{
	return rump_sys_lstat(rp, (struct stat *)(void *)st);
}

void
nbfs_modestr(uint32_t m, char *s)
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	switch (m & NB_S_IFMT) {
	case NB_S_IFDIR: s[0] = 'd'; break;
	case NB_S_IFLNK: s[0] = 'l'; break;
	case NB_S_IFCHR: s[0] = 'c'; break;
	case NB_S_IFBLK: s[0] = 'b'; break;
	case NB_S_IFIFO: s[0] = 'p'; break;
	case NB_S_IFSOCK: s[0] = 's'; break;
	default: s[0] = '-'; break;
	}
	for (i = 0; i < 9; i++)
		s[1 + i] = (m & (0400u >> i)) ? rwx[i] : '-';
	if (m & 04000)
		s[3] = (m & 0100) ? 's' : 'S';
	if (m & 02000)
		s[6] = (m & 010) ? 's' : 'S';
	if (m & 01000)
		s[9] = (m & 01) ? 't' : 'T';
	s[10] = '\0';
}

static void
timestr(int64_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t, now = time(NULL);
	struct tm tm;

	localtime_r(&tt, &tm);
	if (tt > now - 182 * 86400 && tt < now + 86400)
		strftime(buf, n, "%b %e %H:%M", &tm);
	else
		strftime(buf, n, "%b %e  %Y", &tm);
}

static void
print_long(const char *rp, const char *name, const struct nb_stat *st)
{
	char mode[12], tb[32], tgt[PATH_MAX];
	ssize_t n;

	nbfs_modestr(st->st_mode, mode);
	timestr(st->st_mtim.tv_sec, tb, sizeof(tb));
	fprintf(nbfs_out, "%s %3u %5u %5u %12lld %s %s", mode, st->st_nlink,
	    st->st_uid, st->st_gid, (long long)st->st_size, tb, name);
	if ((st->st_mode & NB_S_IFMT) == NB_S_IFLNK &&
	    (n = rump_sys_readlink(rp, tgt, sizeof(tgt) - 1)) >= 0) {
		tgt[n] = '\0';
		fprintf(nbfs_out, " -> %s", tgt);
	}
	fputc('\n', nbfs_out);
}

int
cmd_ls(struct nbfs_ctx *c, int argc, char **argv)
{
	int fl[2], i, rv = NBFS_EX_OK, nargs;
	static char root[] = "/";
	char *def[1] = {root};
	char **args;

	fl[0] = c->opt['l'];
	fl[1] = c->opt['a'];
	args = argv + 1;
	nargs = argc - 1;
	if (nargs == 0) {
		args = def;
		nargs = 1;
	}
	for (i = 0; i < nargs && !nbfs_stop; i++) {
		char *rp = nbfs_rpath(args[i]), **names;
		struct nb_stat st;
		size_t n, j;

		if (nbfs_lstat(rp, &st) == -1) {
			nbfs_err(c, args[i], NULL, errno);
			rv = NBFS_EX_FAIL;
		} else if ((st.st_mode & NB_S_IFMT) != NB_S_IFDIR) {
			if (fl[0])
				print_long(rp, args[i], &st);
			else
				fprintf(nbfs_out, "%s\n", args[i]);
		} else if (nbfs_readdir(rp, &names, &n) == -1) {
			nbfs_err(c, args[i], "reading directory", errno);
			rv = NBFS_EX_FAIL;
		} else {
			if (nargs > 1)
				fprintf(nbfs_out, "%s%s:\n", i ? "\n" : "",
				    args[i]);
			for (j = 0; j < n; j++) {
				char *ep = nbfs_join(rp, names[j]);
				struct nb_stat est;

				if (names[j][0] == '.' && !fl[1]) {
					free(ep);
					continue;
				}
				if (!fl[0])
					fprintf(nbfs_out, "%s\n", names[j]);
				else if (nbfs_lstat(ep, &est) == -1) {
					nbfs_err(c, ep + strlen(NBFS_MNT), NULL,
					    errno);
					rv = NBFS_EX_FAIL;
				} else
					print_long(ep, names[j], &est);
				free(ep);
			}
			nbfs_freenames(names, n);
		}
		free(rp);
	}
	return nbfs_stop ? 128 + nbfs_stopsig() : rv;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write all n bytes of p to fd at offset off (the host file of a get). */
int
nbfs_pwrite_all(int fd, const char *p, size_t n, off_t off)
{
	ssize_t w;

	while (n > 0) {
		if ((w = pwrite(fd, p, n, off)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		off += w;
		n -= (size_t)w;
	}
	return 0;
}

int
cmd_cat(struct nbfs_ctx *c, int argc, char **argv)
{
	int i, fd, rv = NBFS_EX_OK;
	char *buf;
	ssize_t n = 0;

	if (argc < 2) {
		nbfs_errx(c, "usage: nbfs cat IMAGE PATH...");
		return NBFS_EX_USAGE;
	}
	if ((buf = malloc(CHUNK)) == NULL)
		abort();
	for (i = 1; i < argc && !nbfs_stop; i++) {
		char *rp = nbfs_rpath(argv[i]);

		if ((fd = rump_sys_open(rp, RUMP_O_RDONLY)) == -1) {
			nbfs_err(c, argv[i], NULL, errno);
			rv = NBFS_EX_FAIL;
			free(rp);
			continue;
		}
		while (!nbfs_stop && (n = rump_sys_read(fd, buf, CHUNK)) > 0)
			if (write_all(nbfs_outfd, buf, (size_t)n) == -1) {
				nbfs_errx(c, "stdout: %s", strerror(errno));
				rump_sys_close(fd);
				free(rp);
				free(buf);
				return NBFS_EX_FAIL;
			}
		if (n < 0) {
			nbfs_err(c, argv[i], "read", errno);
			rv = NBFS_EX_FAIL;
		}
		rump_sys_close(fd);
		free(rp);
	}
	free(buf);
	return nbfs_stop ? 128 + nbfs_stopsig() : rv;
}

int
nbfs_allzero(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static void
set_times(const char *hp, const struct nb_stat *st, int link)
{
	struct timespec ts[2];

	ts[0].tv_sec = (time_t)st->st_atim.tv_sec;
	ts[0].tv_nsec = st->st_atim.tv_nsec;
	ts[1].tv_sec = (time_t)st->st_mtim.tv_sec;
	ts[1].tv_nsec = st->st_mtim.tv_nsec;
	utimensat(AT_FDCWD, hp, ts, link ? AT_SYMLINK_NOFOLLOW : 0);
}

/* Files with several links met during a get: image inode -> host path. */
static struct {
	uint64_t ino;
	char *hp;
} * seen;
static size_t nseen, capseen;

/* Block size for bmapcopy.c's fast path on this mount, or 0. */
static uint32_t get_bsize;

static const char *
seen_find(uint64_t ino)
{
	size_t i;

	for (i = 0; i < nseen; i++)
		if (seen[i].ino == ino)
			return seen[i].hp;
	return NULL;
}

static void
seen_add(uint64_t ino, const char *hp)
{
	if (nseen == capseen) {
		capseen = capseen ? capseen * 2 : 16;
		if ((seen = realloc(seen, capseen * sizeof(*seen))) == NULL)
			abort();
	}
	seen[nseen].ino = ino;
	if ((seen[nseen++].hp = strdup(hp)) == NULL)
		abort();
}

/*
 * The data of the regular file ip open as in, of stat st, into the host
 * file out: through bmapcopy.c where it applies, else with reads.
 * Holes (and all-zero chunks read) are skipped; *offp is set to how far
 * the copy got, for the caller to set the length.  Returns 0, or -1
 * with errno 0 when the error was reported here, else with the host
 * output error in errno.
 */
static int
copy_data(struct nbfs_ctx *c, const char *ip, int in, int out,
    const struct nb_stat *st, struct nbfs_progress *pg, char *buf, off_t *offp)
{
	uint64_t done;
	ssize_t n = 0;
	int rv, e;

	*offp = 0;
	if (get_bsize != 0 &&
	    (rv = nbfs_bmap_copy(c, in, out, (uint64_t)st->st_size, get_bsize,
		 pg, buf, CHUNK, &e, &done)) != 1) {
		*offp = (off_t)done;
		if (rv == -1 && e != 0)
			nbfs_err(c, ip, "block map", e);
		else if (rv == -1)
			nbfs_errx(c, "%s:%s: copying from the image: %s",
			    c->image, ip, strerror(errno));
		errno = 0;
		return rv;
	}
	while (!nbfs_stop && (n = rump_sys_read(in, buf, CHUNK)) > 0) {
		/* Keep holes: skip all-zero chunks. */
		if (!nbfs_allzero(buf, (size_t)n) &&
		    nbfs_pwrite_all(out, buf, (size_t)n, *offp) == -1)
			return -1;
		*offp += n;
		nbfs_progress_add(pg, (uint64_t)n, 0);
	}
	if (n < 0) {
		nbfs_err(c, ip, "read", errno);
		errno = 0;
		return -1;
	}
	return 0;
}

/*
 * Copy rp (in the image) to hp (on the host), recursively; hard links
 * within the copy stay hard links.
 */
static int
get_one(struct nbfs_ctx *c, const char *rp, const char *hp,
    struct nbfs_progress *pg, char *buf)
{
	const char *ip = rp + strlen(NBFS_MNT);
	struct nb_stat st;
	int rv = 0;

	if (nbfs_stop)
		return -1;
	if (nbfs_lstat(rp, &st) == -1) {
		nbfs_err(c, ip[0] ? ip : "/", NULL, errno);
		return -1;
	}
	switch (st.st_mode & NB_S_IFMT) {
	case NB_S_IFDIR: {
		char **names;
		size_t n, j;

		if (mkdir(hp, 0700) == -1 && errno != EEXIST) {
			nbfs_errx(c, "%s: %s", hp, strerror(errno));
			return -1;
		}
		if (nbfs_readdir(rp, &names, &n) == -1) {
			nbfs_err(
			    c, ip[0] ? ip : "/", "reading directory", errno);
			return -1;
		}
		for (j = 0; j < n && !nbfs_stop; j++) {
			char *r2 = nbfs_join(rp, names[j]),
			     *h2 = nbfs_join(hp, names[j]);

			if (get_one(c, r2, h2, pg, buf) == -1)
				rv = -1;
			free(r2);
			free(h2);
		}
		nbfs_freenames(names, n);
		chmod(hp, st.st_mode & 07777);
		set_times(hp, &st, 0);
		return nbfs_stop ? -1 : rv;
	}
	case NB_S_IFLNK: {
		char tgt[PATH_MAX];
		ssize_t n;

		if ((n = rump_sys_readlink(rp, tgt, sizeof(tgt) - 1)) < 0) {
			nbfs_err(c, ip, "readlink", errno);
			return -1;
		}
		tgt[n] = '\0';
		if (symlink(tgt, hp) == -1) {
			nbfs_errx(c, "%s: %s", hp, strerror(errno));
			return -1;
		}
		set_times(hp, &st, 1);
		nbfs_progress_add(pg, 0, 1);
		return 0;
	}
	case NB_S_IFREG: {
		const char *prev;
		int in, out;
		off_t off;

		if (st.st_nlink > 1 && (prev = seen_find(st.st_ino)) != NULL &&
		    link(prev, hp) == 0) {
			nbfs_progress_add(pg, 0, 1);
			return 0;
		}

		if ((in = rump_sys_open(rp, RUMP_O_RDONLY)) == -1) {
			nbfs_err(c, ip, NULL, errno);
			return -1;
		}
		if ((out = open(hp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) ==
		    -1) {
			nbfs_errx(c, "%s: %s", hp, strerror(errno));
			rump_sys_close(in);
			return -1;
		}
		if ((rv = copy_data(c, ip, in, out, &st, pg, buf, &off)) ==
			-1 &&
		    errno != 0)
			goto hosterr;
		if (ftruncate(out, off) == -1)
			goto hosterr;
		if (close(out) == -1) {
			out = -1;
			goto hosterr;
		}
		rump_sys_close(in);
		chmod(hp, st.st_mode & 07777);
		set_times(hp, &st, 0);
		if (st.st_nlink > 1 && rv == 0)
			seen_add(st.st_ino, hp);
		nbfs_progress_add(pg, 0, 1);
		return nbfs_stop ? -1 : rv;
	hosterr:
		nbfs_errx(c, "%s: %s", hp, strerror(errno));
		if (out >= 0)
			close(out);
		rump_sys_close(in);
		return -1;
	}
	default:
		nbfs_errx(c, "%s:%s: special file (mode %o) not copied",
		    c->image, ip, st.st_mode);
		return -1;
	}
}

int
cmd_get(struct nbfs_ctx *c, int argc, char **argv)
{
	struct nbfs_progress pg;
	const char *src, *dst, *base;
	char *rp, *buf, *hp = NULL;
	struct stat hst;
	int rv;

	if (argc < 2 || argc > 3) {
		nbfs_errx(c, "usage: nbfs get IMAGE PATH [HOSTPATH]");
		return NBFS_EX_USAGE;
	}
	src = argv[1];
	rp = nbfs_rpath(src);
	base = strrchr(rp, '/') + 1;
	if (base[0] == '\0' || strcmp(rp, NBFS_MNT) == 0)
		base = "root";
	dst = argc == 3 ? argv[2] : base;
	/* Into an existing directory: keep the name, as cp does. */
	if (stat(dst, &hst) == 0 && S_ISDIR(hst.st_mode))
		dst = hp = nbfs_join(dst, base);
	if ((buf = malloc(CHUNK)) == NULL)
		abort();
	nbfs_progress_init(&pg, "get", c->quiet);
	get_bsize = nbfs_bmap_bsize(c);
	rv = get_one(c, rp, dst, &pg, buf);
	nbfs_progress_done(&pg);
	while (nseen > 0)
		free(seen[--nseen].hp);
	free(seen);
	seen = NULL;
	capseen = 0;
	free(buf);
	free(rp);
	free(hp);
	if (nbfs_stop)
		return 128 + nbfs_stopsig();
	return rv == 0 ? NBFS_EX_OK : NBFS_EX_FAIL;
}

static const char *typename(uint32_t m)
{
	switch (m & NB_S_IFMT) {
	case NB_S_IFDIR: return "directory";
	case NB_S_IFREG: return "regular file";
	case NB_S_IFLNK: return "symbolic link";
	case NB_S_IFCHR: return "character device";
	case NB_S_IFBLK: return "block device";
	case NB_S_IFIFO: return "fifo";
	case NB_S_IFSOCK: return "socket";
	}
	return "unknown";
}

int
cmd_stat(struct nbfs_ctx *c, int argc, char **argv)
{
	int i, rv = NBFS_EX_OK;

	if (argc < 2) {
		nbfs_errx(c, "usage: nbfs stat IMAGE PATH...");
		return NBFS_EX_USAGE;
	}
	for (i = 1; i < argc; i++) {
		char *rp = nbfs_rpath(argv[i]), mode[12], tgt[PATH_MAX];
		const struct nb_timespec *t[3];
		static const char *tn[3] = {"Access", "Modify", "Change"};
		struct nb_stat st;
		ssize_t n;
		int k;

		if (nbfs_lstat(rp, &st) == -1) {
			nbfs_err(c, argv[i], NULL, errno);
			rv = NBFS_EX_FAIL;
			free(rp);
			continue;
		}
		nbfs_modestr(st.st_mode, mode);
		fprintf(nbfs_out, "  File: %s", argv[i]);
		if ((st.st_mode & NB_S_IFMT) == NB_S_IFLNK &&
		    (n = rump_sys_readlink(rp, tgt, sizeof(tgt) - 1)) >= 0) {
			tgt[n] = '\0';
			fprintf(nbfs_out, " -> %s", tgt);
		}
		fprintf(nbfs_out,
		    "\n  Size: %lld\tBlocks: %lld\tIO Block: %u\t%s\n",
		    (long long)st.st_size, (long long)st.st_blocks,
		    st.st_blksize, typename(st.st_mode));
		fprintf(nbfs_out, " Inode: %llu\tLinks: %u\n",
		    (unsigned long long)st.st_ino, st.st_nlink);
		fprintf(nbfs_out, "Access: (%04o/%s)  Uid: %u  Gid: %u\n",
		    st.st_mode & 07777, mode, st.st_uid, st.st_gid);
		t[0] = &st.st_atim;
		t[1] = &st.st_mtim;
		t[2] = &st.st_ctim;
		for (k = 0; k < 3; k++) {
			time_t tt = (time_t)t[k]->tv_sec;
			struct tm tm;
			char tb[64];

			localtime_r(&tt, &tm);
			strftime(tb, sizeof(tb), "%Y-%m-%d %H:%M:%S", &tm);
			fprintf(nbfs_out, "%s: %s.%09ld\n", tn[k], tb,
			    t[k]->tv_nsec);
		}
		free(rp);
	}
	return rv;
}

int
cmd_df(struct nbfs_ctx *c, int argc, char **argv)
{
	struct nb_statvfs sv;
	uint64_t fr;

	(void)argc;
	(void)argv;
	if (rump_sys_statvfs1(
		NBFS_MNT, (struct statvfs *)(void *)&sv, NB_ST_WAIT) == -1) {
		nbfs_err(c, "/", "statvfs", errno);
		return NBFS_EX_FAIL;
	}
	fr = sv.f_frsize ? sv.f_frsize : sv.f_bsize;
	fprintf(nbfs_out, "%-12s %-8s %12s %12s %12s %5s %10s %10s\n", "Image",
	    "Type", "1K-blocks", "Used", "Available", "Use%", "Inodes",
	    "IFree");
	fprintf(nbfs_out,
	    "%-12s %-8s %12llu %12llu %12llu %4llu%% %10llu %10llu\n", c->image,
	    sv.f_fstypename, (unsigned long long)(sv.f_blocks * fr / 1024),
	    (unsigned long long)((sv.f_blocks - sv.f_bfree) * fr / 1024),
	    (unsigned long long)(sv.f_bavail * fr / 1024),
	    (unsigned long long)(sv.f_blocks == 0
		    ? 0
		    : ((sv.f_blocks - sv.f_bfree) * 100 + sv.f_blocks - 1) /
			sv.f_blocks),
	    (unsigned long long)sv.f_files, (unsigned long long)sv.f_ffree);
	return NBFS_EX_OK;
}
