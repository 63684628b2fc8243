/*
 * ext2_ro.c: a read-only ext2 mount in the rump kernel returns exactly
 * what e2fsprogs put into the image.
 *
 * Tests: a host tree (a few hundred files, directories eight levels
 * deep, 255-byte names, an empty file and directory, a 50 MiB file of
 * PRNG bytes, files of awkward sizes, a fast and a slow symlink) is
 * copied into an image by mke2fs -d; the image is attached with
 * rump_pub_etfs_register(RUMP_ETFS_BLK) and mounted ext2fs MNT_RDONLY;
 * then, walking the host tree, every directory listing (getdents),
 * every file type and size (lstat), every file's bytes (reads of
 * random lengths, plus preads at random offsets of the big file) and
 * every symlink target (readlink) must match.  Finally unmount.
 * Assumes: mke2fs with -d (e2fsprogs 1.43 or later), else SKIP; about
 * 250 MB free in $WORKDIR; NetBSD LP64 layouts from rumptest.h.
 */

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#include "rumptest.h"

#define NFILES	 300
#define DEPTH	 8
#define NWIDE	 10
#define BIGSIZE	 (50UL * 1024 * 1024)
#define CHUNKMAX (128 * 1024)
#define IMG_MB	 200

static const size_t oddsizes[] = {
    0,
    1,
    2,
    511,
    512,
    513,
    4095,
    4096,
    4097,
    8191,
    12289,
    65535,
    65536,
    65537,
    123457,
    1048575,
    1048577,
};

static struct rt_prng rng;
static unsigned long nfiles, ndirs, nents, nlinks;
static unsigned long long nbytes;
static unsigned char *hbuf, *rbuf;

static void
host_mkdir(const char *p)
{

	if (mkdir(p, 0755) == -1)
		rt_fail("host mkdir %s: %s", p, strerror(errno));
}

static void
host_file(const char *p, size_t size, uint64_t seed)
{
	struct rt_prng r;
	unsigned char *buf;
	size_t n;
	FILE *f;

	if ((f = fopen(p, "w")) == NULL)
		rt_fail("host create %s: %s", p, strerror(errno));
	buf = rt_xmalloc(CHUNKMAX);
	rt_prng_seed(&r, seed);
	while (size > 0) {
		n = size < CHUNKMAX ? size : CHUNKMAX;
		rt_prng_fill(&r, buf, n);
		if (fwrite(buf, 1, n, f) != n)
			rt_fail("host write %s: %s", p, strerror(errno));
		size -= n;
	}
	if (fclose(f) != 0)
		rt_fail("host close %s: %s", p, strerror(errno));
	free(buf);
}

static void
make_tree(const char *top)
{
	char *dirs[DEPTH + NWIDE + 2], *p, name[256];
	size_t size;
	int nd = 0, i, len;

	host_mkdir(top);
	dirs[nd++] = rt_path("%s", top);
	p = rt_path("%s", top);
	for (i = 1; i <= DEPTH; i++) {
		p = rt_path("%s/level%d", p, i);
		host_mkdir(p);
		dirs[nd++] = p;
	}
	for (i = 0; i < NWIDE; i++) {
		p = rt_path("%s/wide%02d", top, i);
		host_mkdir(p);
		dirs[nd++] = p;
	}
	memset(name, 'D', 255);
	name[255] = '\0';
	p = rt_path("%s/%s", top, name);
	host_mkdir(p);
	dirs[nd++] = p;
	host_mkdir(rt_path("%s/emptydir", top));

	for (i = 0; i < NFILES; i++) {
		/* Name lengths from 8 up to the 255-byte maximum. */
		len = (i % 7 == 0) ? 255 : 8 + (int)(rt_prng_next(&rng) % 120);
		snprintf(name, sizeof(name), "f%04d-", i);
		while ((int)strlen(name) < len)
			strcat(name, (i % 2) ? "x" : "name with space ");
		name[len] = '\0';
		if (i % 3 == 0)
			size = oddsizes[(i / 3) %
			    (sizeof(oddsizes) / sizeof(oddsizes[0]))];
		else
			size = rt_prng_next(&rng) % 200000;
		host_file(rt_path("%s/%s", dirs[i % nd], name), size, 1000 + i);
	}
	host_file(rt_path("%s/empty", top), 0, 1);
	host_file(rt_path("%s/big.bin", top), BIGSIZE, 50);
	host_file(rt_path("%s/level1/level2/caf\xc3\xa9.txt", top), 333, 7);
	if (symlink("level1/level2/level3", rt_path("%s/fastlink", top)) == -1)
		rt_fail("host symlink: %s", strerror(errno));
	memset(name, 'S', 200);
	memcpy(name, "../../nowhere/", 14);
	name[200] = '\0';
	if (symlink(name, rt_path("%s/level1/slowlink", top)) == -1)
		rt_fail("host symlink: %s", strerror(errno));
}

static int
namecmp(const void *a, const void *b)
{

	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
host_dtype(mode_t m)
{

	if (S_ISDIR(m))
		return NB_DT_DIR;
	if (S_ISREG(m))
		return NB_DT_REG;
	if (S_ISLNK(m))
		return NB_DT_LNK;
	return -1;
}

static void
readn_host(int fd, unsigned char *buf, size_t n, size_t *got, const char *p)
{
	ssize_t r;

	*got = 0;
	while (*got < n) {
		if ((r = read(fd, buf + *got, n - *got)) == -1)
			rt_fail("host read %s: %s", p, strerror(errno));
		if (r == 0)
			break;
		*got += (size_t)r;
	}
}

static void
readn_rump(int fd, unsigned char *buf, size_t n, size_t *got, const char *p)
{
	ssize_t r;

	*got = 0;
	while (*got < n) {
		if ((r = rump_sys_read(fd, buf + *got, n - *got)) == -1)
			rt_fail("rump read %s: errno %d", p, errno);
		if (r == 0)
			break;
		*got += (size_t)r;
	}
}

static void
compare_file(const char *hp, const char *rp, int64_t size)
{
	size_t want, hn, rn;
	off_t off = 0;
	int hfd, rfd, i;
	ssize_t r;

	if ((hfd = open(hp, O_RDONLY)) == -1)
		rt_fail("host open %s: %s", hp, strerror(errno));
	if ((rfd = rump_sys_open(rp, RUMP_O_RDONLY)) == -1)
		rt_fail("rump open %s: errno %d", rp, errno);
	for (;;) {
		want = 1 + rt_prng_next(&rng) % CHUNKMAX;
		readn_host(hfd, hbuf, want, &hn, hp);
		readn_rump(rfd, rbuf, want, &rn, rp);
		if (hn != rn)
			rt_fail("%s: short read at offset %lld: host %zu, "
				"rump %zu",
			    rp, (long long)off, hn, rn);
		if (memcmp(hbuf, rbuf, hn) != 0)
			rt_fail("%s: bytes differ in [%lld, %lld)", rp,
			    (long long)off, (long long)(off + (off_t)hn));
		off += (off_t)hn;
		nbytes += hn;
		if (hn < want)
			break;
	}
	if (off != size)
		rt_fail("%s: read %lld bytes, size is %lld", rp, (long long)off,
		    (long long)size);
	if (size > 8 * CHUNKMAX) {
		/* Random preads, unaligned in offset and length. */
		for (i = 0; i < 64; i++) {
			off = (off_t)(rt_prng_next(&rng) % (uint64_t)size);
			want = 1 + rt_prng_next(&rng) % CHUNKMAX;
			if ((r = pread(hfd, hbuf, want, off)) < 0)
				rt_fail("host pread %s", hp);
			hn = (size_t)r;
			if ((r = rump_sys_pread(rfd, rbuf, want, off)) < 0)
				rt_fail("rump pread %s: errno %d", rp, errno);
			if ((size_t)r != hn || memcmp(hbuf, rbuf, hn) != 0)
				rt_fail("%s: pread(%zu @ %lld) differs", rp,
				    want, (long long)off);
		}
	}
	close(hfd);
	if (rump_sys_close(rfd) == -1)
		rt_fail("rump close %s: errno %d", rp, errno);
	nfiles++;
}

static void
compare_tree(const char *hp, const char *rp, int top)
{
	char **hn = NULL, **rn = NULL, *hc, *rc, *dbuf, hl[1024], rl[1024];
	struct nb_dirent *d;
	struct nb_stat rst;
	struct stat hst;
	struct dirent *de;
	size_t nh = 0, nr = 0, i;
	int fd, n, off, sawdot = 0, sawdotdot = 0;
	ssize_t hlen, rlen;
	DIR *dir;

	/* Host listing. */
	if ((dir = opendir(hp)) == NULL)
		rt_fail("host opendir %s: %s", hp, strerror(errno));
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		hn = realloc(hn, (nh + 1) * sizeof(*hn));
		hn[nh++] = strdup(de->d_name);
	}
	closedir(dir);

	/* Rump listing, in the NetBSD getdents record format. */
	if ((fd = rump_sys_open(rp, RUMP_O_RDONLY | RUMP_O_DIRECTORY)) == -1)
		rt_fail("rump open dir %s: errno %d", rp, errno);
	dbuf = rt_xmalloc(4096);
	while ((n = rump_sys_getdents(fd, dbuf, 4096)) != 0) {
		if (n == -1)
			rt_fail("rump getdents %s: errno %d", rp, errno);
		for (off = 0; off < n; off += d->d_reclen) {
			d = (struct nb_dirent *)(void *)(dbuf + off);
			if (d->d_reclen == 0 || off + d->d_reclen > n ||
			    d->d_namlen != strlen(d->d_name))
				rt_fail("%s: malformed dirent at %d", rp, off);
			if (strcmp(d->d_name, ".") == 0) {
				sawdot++;
				continue;
			}
			if (strcmp(d->d_name, "..") == 0) {
				sawdotdot++;
				continue;
			}
			if (top && strcmp(d->d_name, "lost+found") == 0)
				continue;
			rc = rt_path("%s/%s", hp, d->d_name);
			if (lstat(rc, &hst) == -1)
				rt_fail("%s/%s: in rump listing only", rp,
				    d->d_name);
			if (d->d_type != NB_DT_UNKNOWN &&
			    d->d_type != host_dtype(hst.st_mode))
				rt_fail("%s/%s: d_type %d, host mode %o", rp,
				    d->d_name, d->d_type, hst.st_mode);
			free(rc);
			rn = realloc(rn, (nr + 1) * sizeof(*rn));
			rn[nr++] = strdup(d->d_name);
		}
	}
	free(dbuf);
	rump_sys_close(fd);
	if (sawdot != 1 || sawdotdot != 1)
		rt_fail("%s: '.' seen %d times, '..' %d times", rp, sawdot,
		    sawdotdot);
	if (nh != nr)
		rt_fail("%s: host has %zu entries, rump %zu", rp, nh, nr);
	qsort(hn, nh, sizeof(*hn), namecmp);
	qsort(rn, nr, sizeof(*rn), namecmp);
	for (i = 0; i < nh; i++)
		if (strcmp(hn[i], rn[i]) != 0)
			rt_fail("%s: entry '%s' on host, '%s' in rump", rp,
			    hn[i], rn[i]);
	ndirs++;
	nents += nh;

	for (i = 0; i < nh; i++) {
		hc = rt_path("%s/%s", hp, hn[i]);
		rc = rt_path("%s/%s", rp, hn[i]);
		if (lstat(hc, &hst) == -1)
			rt_fail("host lstat %s: %s", hc, strerror(errno));
		if (rump_sys_lstat(rc, RT_STAT(&rst)) == -1)
			rt_fail("rump lstat %s: errno %d", rc, errno);
		if ((rst.st_mode & NB_S_IFMT) != (hst.st_mode & S_IFMT) ||
		    (rst.st_mode & 07777) != (hst.st_mode & 07777))
			rt_fail("%s: mode %o, host %o", rc, rst.st_mode,
			    hst.st_mode);
		if (!S_ISDIR(hst.st_mode) && rst.st_size != hst.st_size)
			rt_fail("%s: size %lld, host %lld", rc,
			    (long long)rst.st_size, (long long)hst.st_size);
		if (S_ISDIR(hst.st_mode)) {
			compare_tree(hc, rc, 0);
		} else if (S_ISREG(hst.st_mode)) {
			compare_file(hc, rc, rst.st_size);
		} else if (S_ISLNK(hst.st_mode)) {
			if ((hlen = readlink(hc, hl, sizeof(hl))) == -1)
				rt_fail("host readlink %s", hc);
			if ((rlen = rump_sys_readlink(rc, rl, sizeof(rl))) ==
			    -1)
				rt_fail(
				    "rump readlink %s: errno %d", rc, errno);
			if (hlen != rlen || memcmp(hl, rl, (size_t)hlen) != 0)
				rt_fail("%s: link target '%.*s', host '%.*s'",
				    rc, (int)rlen, rl, (int)hlen, hl);
			nlinks++;
		} else {
			rt_fail("%s: unexpected host file type", hc);
		}
		free(hc);
		free(rc);
		free(hn[i]);
		free(rn[i]);
	}
	free(hn);
	free(rn);
}

int
main(void)
{
	static char fspec[] = "/ro.img";
	struct rump_ufs_args args;
	char *tree, *img;
	double t0;
	int rv;

	rt_begin("ext2_ro");
	rt_prng_seed(&rng, 4242);
	tree = rt_path("%s/tree", rt_workdir());
	img = rt_path("%s/ro.img", rt_workdir());
	t0 = rt_now();
	make_tree(tree);
	rt_mkext2(img, tree, IMG_MB);
	rt_info("tree and image made in %.1f s", rt_now() - t0);

	hbuf = rt_xmalloc(CHUNKMAX);
	rbuf = rt_xmalloc(CHUNKMAX);
	rt_boot();
	if ((rv = rump_pub_etfs_register("/ro.img", img, RUMP_ETFS_BLK)) != 0)
		rt_fail("rump_pub_etfs_register: %d", rv);
	if (rump_sys_mkdir("/mnt", 0755) == -1)
		rt_fail("rump mkdir /mnt: errno %d", errno);
	memset(&args, 0, sizeof(args));
	args.fspec = fspec;
	if (rump_sys_mount(RUMP_MOUNT_EXT2FS, "/mnt", RUMP_MNT_RDONLY, &args,
		sizeof(args)) == -1)
		rt_fail("rump mount ext2fs read-only: errno %d", errno);
	if (rump_sys_mkdir("/mnt/nope", 0755) != -1)
		rt_fail("mkdir on a read-only mount succeeded");
	t0 = rt_now();
	compare_tree(tree, "/mnt", 1);
	rt_info("compared %lu files (%llu bytes), %lu directories "
		"(%lu entries), %lu symlinks in %.1f s",
	    nfiles, nbytes, ndirs, nents, nlinks, rt_now() - t0);
	if (nfiles < NFILES || nlinks != 2 || ndirs < DEPTH + NWIDE)
		rt_fail("walk saw too little: %lu files, %lu links", nfiles,
		    nlinks);
	if (rump_sys_unmount("/mnt", 0) == -1)
		rt_fail("rump unmount: errno %d", errno);
	rt_pass();
}
