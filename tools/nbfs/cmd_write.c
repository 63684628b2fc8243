/*
 * cmd_write.c: the commands that change the image (all need -w, which
 * main.c checks before anything is mounted): put (recursive copy in,
 * keeping modes, times, symlinks, hard links within the copy and
 * holes), mkdir [-p], rm [-r], mv and ln [-s].  A file that cannot be
 * written completely (no space left, say) is removed again, so the
 * image holds no half copies; the error names the image path.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdint.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#include "nbfs.h"

#define CHUNK (1024 * 1024)

struct hlink {
	dev_t dev;
	ino_t ino;
	char *rp;
};

/* Errors after which the rest of a copy cannot succeed either. */
#define FATAL(e)                                                               \
	((e) == RUMP_ENOSPC || (e) == RUMP_EDQUOT || (e) == RUMP_EIO ||        \
	    (e) == RUMP_EROFS)

struct putstate {
	struct nbfs_ctx *c;
	struct nbfs_progress pg;
	char *buf;
	struct hlink *hl;
	size_t nhl, caphl;
	int abort; /* a FATAL() error happened */
};

static const char *
ipath(const char *rp)
{
	const char *p = rp + strlen(NBFS_MNT);

	return p[0] ? p : "/";
}

static void
rump_times(const char *rp, const struct stat *st, int link)
{
	struct nb_timeval tv[2];

	memset(tv, 0, sizeof(tv));
	tv[0].tv_sec = st->st_atim.tv_sec;
	tv[0].tv_usec = (int32_t)(st->st_atim.tv_nsec / 1000);
	tv[1].tv_sec = st->st_mtim.tv_sec;
	tv[1].tv_usec = (int32_t)(st->st_mtim.tv_nsec / 1000);
	if (link)
		rump_sys_lutimes(rp, (const struct timeval *)(void *)tv);
	else
		rump_sys_utimes(rp, (const struct timeval *)(void *)tv);
}

static int
put_file(
    struct putstate *ps, const char *hp, const char *rp, const struct stat *st)
{
	int in, out, e;
	ssize_t n = 0, w;
	off_t off = 0;
	size_t done;

	if ((in = open(hp, O_RDONLY)) == -1) {
		nbfs_errx(ps->c, "%s: %s", hp, strerror(errno));
		return -1;
	}
	out = rump_sys_open(rp, RUMP_O_WRONLY | RUMP_O_CREAT | RUMP_O_TRUNC,
	    (int)(st->st_mode & 07777));
	if (out == -1) {
		ps->abort |= FATAL(errno);
		nbfs_err(ps->c, ipath(rp), NULL, errno);
		close(in);
		return -1;
	}
	while (!nbfs_stop && (n = read(in, ps->buf, CHUNK)) > 0) {
		if (n == CHUNK && nbfs_allzero(ps->buf, (size_t)n)) {
			if (rump_sys_lseek(out, n, SEEK_CUR) == -1)
				goto rumperr;
		} else {
			for (done = 0; done < (size_t)n; done += (size_t)w)
				if ((w = rump_sys_write(out, ps->buf + done,
					 (size_t)n - done)) <= 0)
					goto rumperr;
		}
		off += n;
		nbfs_progress_add(&ps->pg, (uint64_t)n, 0);
	}
	if (n < 0) {
		nbfs_errx(ps->c, "%s: %s", hp, strerror(errno));
		goto undo;
	}
	if (nbfs_stop)
		goto undo;
	if (rump_sys_ftruncate(out, off) == -1 || rump_sys_fsync(out) == -1)
		goto rumperr;
	close(in);
	if (rump_sys_close(out) == -1) {
		nbfs_err(ps->c, ipath(rp), "close", errno);
		return -1;
	}
	rump_times(rp, st, 0);
	nbfs_progress_add(&ps->pg, 0, 1);
	return 0;
rumperr:
	e = errno;
	nbfs_err(ps->c, ipath(rp), "write", e);
	ps->abort |= FATAL(e);
undo:
	close(in);
	rump_sys_close(out);
	/* Leave no partial copy behind. */
	rump_sys_unlink(rp);
	return -1;
}

static int
put_one(struct putstate *ps, const char *hp, const char *rp)
{
	struct stat st;
	size_t i;
	int rv = 0;

	if (nbfs_stop || ps->abort)
		return -1;
	if (lstat(hp, &st) == -1) {
		nbfs_errx(ps->c, "%s: %s", hp, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		struct dirent **ents;
		int n, j;

		if (rump_sys_mkdir(rp, (int)(st.st_mode & 07777) | 0700) ==
			-1 &&
		    errno != RUMP_EEXIST) {
			ps->abort |= FATAL(errno);
			nbfs_err(ps->c, ipath(rp), "mkdir", errno);
			return -1;
		}
		if ((n = scandir(hp, &ents, NULL, alphasort)) == -1) {
			nbfs_errx(ps->c, "%s: %s", hp, strerror(errno));
			return -1;
		}
		for (j = 0; j < n; j++) {
			const char *nm = ents[j]->d_name;

			if (!nbfs_stop && strcmp(nm, ".") != 0 &&
			    strcmp(nm, "..") != 0) {
				char *h2 = nbfs_join(hp, nm),
				     *r2 = nbfs_join(rp, nm);

				if (put_one(ps, h2, r2) == -1)
					rv = -1;
				free(h2);
				free(r2);
			}
			free(ents[j]);
		}
		free(ents);
		rump_sys_chmod(rp, (int)(st.st_mode & 07777));
		rump_times(rp, &st, 0);
		return nbfs_stop ? -1 : rv;
	}
	if (S_ISLNK(st.st_mode)) {
		char tgt[PATH_MAX];
		ssize_t n;

		if ((n = readlink(hp, tgt, sizeof(tgt) - 1)) == -1) {
			nbfs_errx(ps->c, "%s: %s", hp, strerror(errno));
			return -1;
		}
		tgt[n] = '\0';
		if (rump_sys_symlink(tgt, rp) == -1) {
			ps->abort |= FATAL(errno);
			nbfs_err(ps->c, ipath(rp), "symlink", errno);
			return -1;
		}
		rump_times(rp, &st, 1);
		nbfs_progress_add(&ps->pg, 0, 1);
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		nbfs_errx(ps->c, "%s: special file not copied", hp);
		return -1;
	}
	if (st.st_nlink > 1) {
		for (i = 0; i < ps->nhl; i++)
			if (ps->hl[i].dev == st.st_dev &&
			    ps->hl[i].ino == st.st_ino) {
				if (rump_sys_link(ps->hl[i].rp, rp) == -1) {
					ps->abort |= FATAL(errno);
					nbfs_err(
					    ps->c, ipath(rp), "link", errno);
					return -1;
				}
				nbfs_progress_add(&ps->pg, 0, 1);
				return 0;
			}
	}
	if (put_file(ps, hp, rp, &st) == -1)
		return -1;
	if (st.st_nlink > 1) {
		if (ps->nhl == ps->caphl) {
			ps->caphl = ps->caphl ? ps->caphl * 2 : 16;
			ps->hl = realloc(ps->hl, ps->caphl * sizeof(*ps->hl));
			if (ps->hl == NULL)
				abort();
		}
		ps->hl[ps->nhl].dev = st.st_dev;
		ps->hl[ps->nhl].ino = st.st_ino;
		if ((ps->hl[ps->nhl++].rp = strdup(rp)) == NULL)
			abort();
	}
	return 0;
}

int
cmd_put(struct nbfs_ctx *c, int argc, char **argv)
{
	struct putstate ps;
	struct nb_stat st;
	const char *src, *base;
	char *rp, *tmp, *dst;
	size_t i;
	int rv;

	if (argc < 2 || argc > 3) {
		nbfs_errx(c, "usage: nbfs -w put IMAGE HOSTPATH [PATH]");
		return NBFS_EX_USAGE;
	}
	src = argv[1];
	tmp = strdup(src);
	if (tmp == NULL)
		abort();
	while (strlen(tmp) > 1 && tmp[strlen(tmp) - 1] == '/')
		tmp[strlen(tmp) - 1] = '\0';
	base = strrchr(tmp, '/') ? strrchr(tmp, '/') + 1 : tmp;
	rp = nbfs_rpath(argc == 3 ? argv[2] : "/");
	/* Into an existing directory: keep the name, as cp does. */
	if (nbfs_lstat(rp, &st) == 0 &&
	    (st.st_mode & NB_S_IFMT) == NB_S_IFDIR && base[0] != '\0' &&
	    strcmp(base, ".") != 0 && strcmp(base, "..") != 0 &&
	    strcmp(base, "/") != 0) {
		dst = nbfs_join(rp, base);
		free(rp);
	} else
		dst = rp;
	memset(&ps, 0, sizeof(ps));
	ps.c = c;
	if ((ps.buf = malloc(CHUNK)) == NULL)
		abort();
	nbfs_progress_init(&ps.pg, "put", c->quiet);
	rv = put_one(&ps, src, dst);
	nbfs_progress_done(&ps.pg);
	for (i = 0; i < ps.nhl; i++)
		free(ps.hl[i].rp);
	free(ps.hl);
	free(ps.buf);
	free(dst);
	free(tmp);
	if (nbfs_stop)
		return 128 + nbfs_stopsig();
	return rv == 0 ? NBFS_EX_OK : NBFS_EX_FAIL;
}

static int
mkdir_p(struct nbfs_ctx *c, char *rp)
{
	struct nb_stat st;
	char *s;

	for (s = rp + strlen(NBFS_MNT) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (rump_sys_mkdir(rp, 0755) == -1 && errno != RUMP_EEXIST) {
			nbfs_err(c, ipath(rp), "mkdir", errno);
			*s = '/';
			return -1;
		}
		*s = '/';
	}
	if (rump_sys_mkdir(rp, 0755) == -1) {
		if (errno == RUMP_EEXIST && nbfs_lstat(rp, &st) == 0 &&
		    (st.st_mode & NB_S_IFMT) == NB_S_IFDIR)
			return 0;
		nbfs_err(c, ipath(rp), "mkdir", errno);
		return -1;
	}
	return 0;
}

int
cmd_mkdir(struct nbfs_ctx *c, int argc, char **argv)
{
	int p = c->opt['p'], i, rv = NBFS_EX_OK;

	if (argc < 2) {
		nbfs_errx(c, "usage: nbfs -w mkdir [-p] IMAGE PATH...");
		return NBFS_EX_USAGE;
	}
	for (i = 1; i < argc; i++) {
		char *rp = nbfs_rpath(argv[i]);

		if (p) {
			if (mkdir_p(c, rp) == -1)
				rv = NBFS_EX_FAIL;
		} else if (rump_sys_mkdir(rp, 0755) == -1) {
			nbfs_err(c, argv[i], NULL, errno);
			rv = NBFS_EX_FAIL;
		}
		free(rp);
	}
	return rv;
}

static int
rm_tree(struct nbfs_ctx *c, const char *rp)
{
	struct nb_stat st;
	char **names, *p;
	size_t i, n;
	int rv = 0;

	if (nbfs_lstat(rp, &st) == -1) {
		nbfs_err(c, ipath(rp), NULL, errno);
		return -1;
	}
	if ((st.st_mode & NB_S_IFMT) != NB_S_IFDIR) {
		if (rump_sys_unlink(rp) == -1) {
			nbfs_err(c, ipath(rp), "unlink", errno);
			return -1;
		}
		return 0;
	}
	if (nbfs_readdir(rp, &names, &n) == -1) {
		nbfs_err(c, ipath(rp), NULL, errno);
		return -1;
	}
	for (i = 0; i < n && !nbfs_stop; i++) {
		p = nbfs_join(rp, names[i]);
		if (rm_tree(c, p) == -1)
			rv = -1;
		free(p);
	}
	nbfs_freenames(names, n);
	if (rv == 0 && !nbfs_stop && rump_sys_rmdir(rp) == -1) {
		nbfs_err(c, ipath(rp), "rmdir", errno);
		return -1;
	}
	return nbfs_stop ? -1 : rv;
}

int
cmd_rm(struct nbfs_ctx *c, int argc, char **argv)
{
	int r = c->opt['r'] || c->opt['R'], i, rv = NBFS_EX_OK;

	if (argc < 2) {
		nbfs_errx(c, "usage: nbfs -w rm [-r] IMAGE PATH...");
		return NBFS_EX_USAGE;
	}
	for (i = 1; i < argc; i++) {
		char *rp = nbfs_rpath(argv[i]);
		struct nb_stat st;

		if (strcmp(rp, NBFS_MNT) == 0) {
			nbfs_errx(
			    c, "%s:/: refusing to remove the root", c->image);
			rv = NBFS_EX_FAIL;
		} else if (r) {
			if (rm_tree(c, rp) == -1)
				rv = NBFS_EX_FAIL;
		} else if (nbfs_lstat(rp, &st) == -1) {
			nbfs_err(c, argv[i], NULL, errno);
			rv = NBFS_EX_FAIL;
		} else if ((st.st_mode & NB_S_IFMT) == NB_S_IFDIR
			? rump_sys_rmdir(rp) == -1
			: rump_sys_unlink(rp) == -1) {
			nbfs_err(c, argv[i], NULL, errno);
			rv = NBFS_EX_FAIL;
		}
		free(rp);
	}
	return nbfs_stop ? 128 + nbfs_stopsig() : rv;
}

int
cmd_mv(struct nbfs_ctx *c, int argc, char **argv)
{
	char *from, *to, *t2;
	struct nb_stat st;
	int rv = NBFS_EX_OK;

	if (argc != 3) {
		nbfs_errx(c, "usage: nbfs -w mv IMAGE FROM TO");
		return NBFS_EX_USAGE;
	}
	from = nbfs_rpath(argv[1]);
	to = nbfs_rpath(argv[2]);
	if (nbfs_lstat(to, &st) == 0 &&
	    (st.st_mode & NB_S_IFMT) == NB_S_IFDIR) {
		t2 = nbfs_join(to, strrchr(from, '/') + 1);
		free(to);
		to = t2;
	}
	if (rump_sys_rename(from, to) == -1) {
		int e = errno;

		if (nbfs_lstat(from, &st) == -1)
			nbfs_err(c, argv[1], NULL, errno);
		else
			nbfs_err(c, ipath(to), "rename", e);
		rv = NBFS_EX_FAIL;
	}
	free(from);
	free(to);
	return rv;
}

int
cmd_ln(struct nbfs_ctx *c, int argc, char **argv)
{
	int s = c->opt['s'], rv = NBFS_EX_OK, optind1 = 1;
	char *lp, *tp;

	if (argc != 3) {
		nbfs_errx(c, "usage: nbfs -w ln [-s] IMAGE TARGET LINK");
		return NBFS_EX_USAGE;
	}
	lp = nbfs_rpath(argv[optind1 + 1]);
	if (s) {
		if (rump_sys_symlink(argv[optind1], lp) == -1) {
			nbfs_err(c, argv[optind1 + 1], "symlink", errno);
			rv = NBFS_EX_FAIL;
		}
	} else {
		tp = nbfs_rpath(argv[optind1]);
		if (rump_sys_link(tp, lp) == -1) {
			nbfs_err(c, argv[optind1 + 1], "link", errno);
			rv = NBFS_EX_FAIL;
		}
		free(tp);
	}
	free(lp);
	return rv;
}
