/*
 * names.c: paths and directory listings inside the mounted image, shared
 * by the commands: joining a directory and a name, and reading a whole
 * directory (without "." and "..", sorted) through the rump kernel's
 * getdents, with every record bounds-checked against what it returned.
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

int
nbfs_readdir(const char *rp, char ***namesp, size_t *np)
{
	char *buf, **names = NULL;
	size_t n = 0, cap = 0;
	int fd, got, off;

	if ((fd = rump_sys_open(rp, RUMP_O_RDONLY | RUMP_O_DIRECTORY)) == -1)
		return -1;
	if ((buf = malloc(65536)) == NULL)
		abort();
	while ((got = rump_sys_getdents(fd, buf, 65536)) > 0) {
		for (off = 0; off < got;) {
			struct nb_dirent *d = (void *)(buf + off);

			if (d->d_reclen == 0 || off + d->d_reclen > got)
				break;
			off += d->d_reclen;
			if (d->d_fileno == 0 || d->d_namlen == 0 ||
			    strcmp(d->d_name, ".") == 0 ||
			    strcmp(d->d_name, "..") == 0)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				names = realloc(names, cap * sizeof(*names));
				if (names == NULL)
					abort();
			}
			if ((names[n++] = strdup(d->d_name)) == NULL)
				abort();
		}
	}
	free(buf);
	if (got < 0) {
		int e = errno;

		rump_sys_close(fd);
		while (n > 0)
			free(names[--n]);
		free(names);
		errno = e;
		return -1;
	}
	rump_sys_close(fd);
	if (n > 1)
		qsort(names, n, sizeof(*names), namecmp);
	*namesp = names;
	*np = n;
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
