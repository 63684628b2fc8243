/*
 * names.c: paths and directory listings inside the mounted image, shared
 * by the commands and fuse.c: joining a directory and a name, walking a
 * directory's entries through the rump kernel's getdents (every record
 * bounds-checked against what it returned), and reading a whole
 * directory that way (without "." and "..", sorted).
 * Allocation failure aborts: nbfs has nothing useful to do without memory.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdint.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#include "nbfs.h"

static int
namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Call fn(arg, name) for every entry of directory rp ("." and ".."
 * included, in the order getdents returns them).  Returns 0, or -1 with
 * a NetBSD errno in errno (open, memory or getdents failed).
 */
int
nbfs_dirents(const char *rp, void (*fn)(void *, const char *), void *arg)
{
	char *buf;
	int fd, got, off, e;

	if ((fd = rump_sys_open(rp, RUMP_O_RDONLY | RUMP_O_DIRECTORY)) == -1)
		return -1;
	if ((buf = malloc(65536)) == NULL) {
		rump_sys_close(fd);
		errno = 12; /* NetBSD's ENOMEM */
		return -1;
	}
	while ((got = rump_sys_getdents(fd, buf, 65536)) > 0) {
		for (off = 0; off < got;) {
			struct nb_dirent *d = (void *)(buf + off);

			if (d->d_reclen == 0 || off + d->d_reclen > got)
				break;
			off += d->d_reclen;
			if (d->d_fileno != 0 && d->d_namlen != 0)
				fn(arg, d->d_name);
		}
	}
	e = errno;
	free(buf);
	rump_sys_close(fd);
	errno = e;
	return got < 0 ? -1 : 0;
}

struct names {
	char **v;
	size_t n, cap;
};

static void
add_name(void *arg, const char *name)
{
	struct names *ns = arg;

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return;
	if (ns->n == ns->cap) {
		ns->cap = ns->cap ? ns->cap * 2 : 64;
		if ((ns->v = realloc(ns->v, ns->cap * sizeof(*ns->v))) == NULL)
			abort();
	}
	if ((ns->v[ns->n++] = strdup(name)) == NULL)
		abort();
}

int
nbfs_readdir(const char *rp, char ***namesp, size_t *np)
{
	struct names ns = {NULL, 0, 0};
	int e;

	if (nbfs_dirents(rp, add_name, &ns) == -1) {
		e = errno;
		nbfs_freenames(ns.v, ns.n);
		errno = e;
		return -1;
	}
	if (ns.n > 1)
		qsort(ns.v, ns.n, sizeof(*ns.v), namecmp);
	*namesp = ns.v;
	*np = ns.n;
	return 0;
}

void
nbfs_freenames(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

char *
nbfs_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *r = malloc(n);

	if (r == NULL)
		abort();
	snprintf(
	    r, n, "%s%s%s", a, a[0] && a[strlen(a) - 1] == '/' ? "" : "/", b);
	return r;
}
