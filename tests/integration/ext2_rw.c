/*
 * ext2_rw.c: what the rump kernel writes to an ext2 image is what
 * e2fsprogs finds there afterwards.
 *
 * Tests: an image made by mke2fs -d from a small tree is mounted ext2fs
 * read-write; in the rump kernel we create files of 0 B to 3 MiB with
 * writes of random lengths, rename within and across directories,
 * unlink, mkdir/rmdir, pwrite into the middle of a file, ftruncate, and
 * read back one file before unmounting.  After rump_sys_unmount(),
 * e2fsck -fn must find the image clean, debugfs 'ls -p' must list
 * exactly the expected names and sizes, and debugfs 'cat' must return
 * every file's expected bytes.
 * Assumes: mke2fs with -d, e2fsck and debugfs (e2fsprogs), else SKIP;
 * NetBSD LP64 layouts from rumptest.h.
 */

#include <sys/stat.h>
#include <sys/types.h>

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

#define IMG_MB 64
#define MIB    (1024 * 1024)

struct expect {
	const char *path; /* in the image */
	size_t size;
	unsigned char *data;
};

static struct rt_prng rng;
static const char *img;

static unsigned char *
gen(uint64_t seed, size_t size)
{
	struct rt_prng r;
	unsigned char *p;

	p = rt_xmalloc(size);
	rt_prng_seed(&r, seed);
	rt_prng_fill(&r, p, size);
	return p;
}

static void
host_file(const char *path, uint64_t seed, size_t size)
{
	unsigned char *p;
	FILE *f;

	p = gen(seed, size);
	if ((f = fopen(path, "w")) == NULL || fwrite(p, 1, size, f) != size ||
	    fclose(f) != 0)
		rt_fail("host write %s: %s", path, strerror(errno));
	free(p);
}

static void
rump_write_file(const char *path, const unsigned char *p, size_t size)
{
	size_t off, n;
	ssize_t w;
	int fd;

	fd = rump_sys_open(
	    path, RUMP_O_WRONLY | RUMP_O_CREAT | RUMP_O_EXCL, 0644);
	if (fd == -1)
		rt_fail("rump create %s: errno %d", path, errno);
	for (off = 0; off < size; off += (size_t)w) {
		n = 1 + rt_prng_next(&rng) % 100000;
		if (n > size - off)
			n = size - off;
		if ((w = rump_sys_write(fd, p + off, n)) <= 0)
			rt_fail(
			    "rump write %s at %zu: errno %d", path, off, errno);
	}
	if (rump_sys_close(fd) == -1)
		rt_fail("rump close %s: errno %d", path, errno);
}

static void
rump_check_file(const char *path, const unsigned char *p, size_t size)
{
	unsigned char *buf;
	ssize_t r;
	int fd;

	buf = rt_xmalloc(size + 1);
	if ((fd = rump_sys_open(path, RUMP_O_RDONLY)) == -1)
		rt_fail("rump open %s: errno %d", path, errno);
	if ((r = rump_sys_read(fd, buf, size + 1)) != (ssize_t)size ||
	    memcmp(buf, p, size) != 0)
		rt_fail(
		    "rump read-back of %s: got %zd bytes, differing", path, r);
	rump_sys_close(fd);
	free(buf);
}

#define R(call, what)                                                          \
	do {                                                                   \
		if ((call) == -1)                                              \
			rt_fail("rump %s: errno %d", what, errno);             \
	} while (0)

/* Run one debugfs request on the image, return all of its output. */
static unsigned char *
debugfs(size_t *lenp, const char *req, const char *arg)
{
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, n;
	char *cmd;
	FILE *f;
	int st;

	cmd = rt_path("debugfs -R '%s %s' '%s' 2>/dev/null", req, arg, img);
	if ((f = popen(cmd, "r")) == NULL)
		rt_fail("popen %s", cmd);
	for (;;) {
		if (cap - len < 65536) {
			cap = cap * 2 + 65536;
			if ((buf = realloc(buf, cap + 1)) == NULL)
				rt_fail("realloc");
		}
		if ((n = fread(buf + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	if ((st = pclose(f)) != 0)
		rt_fail("'%s' failed (status %d)", cmd, st);
	free(cmd);
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

/*
 * debugfs 'ls -p DIR' prints /ino/mode/uid/gid/name/size/ per entry;
 * insist that the names other than . and .. are exactly those given
 * (as "name:size" for files, "name:" for directories).
 */
static void
check_listing(const char *dir, const char *const *want, size_t nwant)
{
	char *out, *line, *save, *f[6], *s, got[4096];
	size_t len, i, n = 0, nf;

	out = (char *)debugfs(&len, "ls -p", dir);
	got[0] = '\0';
	for (line = strtok_r(out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != '/')
			continue;
		s = line + 1;
		for (nf = 0; nf < 6 && s != NULL; nf++)
			f[nf] = strsep(&s, "/");
		/* Fields: ino mode uid gid name size. */
		if (nf < 6)
			rt_fail("debugfs ls -p %s: odd line", dir);
		if (strcmp(f[4], ".") == 0 || strcmp(f[4], "..") == 0)
			continue;
		snprintf(got + strlen(got), sizeof(got) - strlen(got), " %s:%s",
		    f[4], f[1][0] == '4' ? "" : f[5]);
		for (i = 0; i < nwant; i++) {
			char e[600];

			snprintf(e, sizeof(e), "%s:%s", f[4],
			    f[1][0] == '4' ? "" : f[5]);
			if (strcmp(e, want[i]) == 0)
				break;
		}
		if (i == nwant)
			rt_fail("debugfs: %s has unexpected entry %s:%s "
				"(listing:%s)",
			    dir, f[4], f[5], got);
		n++;
	}
	if (n != nwant)
		rt_fail("debugfs: %s lists %zu entries, want %zu (listing:%s)",
		    dir, n, nwant, got);
	rt_info("debugfs ls -p %s:%s", dir, got);
	free(out);
}

int
main(void)
{
	static char fspec[] = "/rw.img";
	static const char *dirl[] = {
	    "keep_a:10000",
	    "overwrite_me:300000",
	    "truncate_me:12345",
	    "new_4097:4097",
	    "new_1m:1048593",
	    "new_3m:3145733",
	    "renamed_1:1",
	    "sub1:",
	};
	static const char *otherl[] = {"moved:5000"};
	static const char *sub1l[] = {"deeper:"};
	static const char *deeperl[] = {"f:1234"};
	struct expect ex[16];
	struct rump_ufs_args args;
	struct nb_stat st;
	unsigned char *patch, *got;
	const char *tree;
	size_t nex = 0, i, len;
	int fd, rv;

	rt_begin("ext2_rw");
	if (!rt_have_tool("e2fsck") || !rt_have_tool("debugfs"))
		rt_skip("e2fsck or debugfs not found (install e2fsprogs)");
	rt_prng_seed(&rng, 777);
	tree = rt_path("%s/tree", rt_workdir());
	img = rt_path("%s/rw.img", rt_workdir());
	if (mkdir(tree, 0755) == -1 ||
	    mkdir(rt_path("%s/dir", tree), 0755) == -1 ||
	    mkdir(rt_path("%s/dir/olddir", tree), 0755) == -1 ||
	    mkdir(rt_path("%s/other", tree), 0755) == -1)
		rt_fail("host mkdir: %s", strerror(errno));
	host_file(rt_path("%s/dir/keep_a", tree), 1, 10000);
	host_file(rt_path("%s/dir/rename_me", tree), 2, 5000);
	host_file(rt_path("%s/dir/remove_me", tree), 3, 7000);
	host_file(rt_path("%s/dir/overwrite_me", tree), 4, 300000);
	host_file(rt_path("%s/dir/truncate_me", tree), 5, 200000);
	rt_mkext2(img, tree, IMG_MB);

	rt_boot();
	if ((rv = rump_pub_etfs_register(fspec, img, RUMP_ETFS_BLK)) != 0)
		rt_fail("rump_pub_etfs_register: %d", rv);
	R(rump_sys_mkdir("/mnt", 0755), "mkdir /mnt");
	memset(&args, 0, sizeof(args));
	args.fspec = fspec;
	R(rump_sys_mount(RUMP_MOUNT_EXT2FS, "/mnt", 0, &args, sizeof(args)),
	    "mount ext2fs read-write");

	/* New files. */
	{
		static const struct {
			const char *n;
			size_t sz;
		} nf[] = {
		    {"new_0", 0},
		    {"new_1", 1},
		    {"new_4097", 4097},
		    {"new_1m", MIB + 17},
		    {"new_3m", 3 * MIB + 5},
		};
		for (i = 0; i < sizeof(nf) / sizeof(nf[0]); i++) {
			ex[nex].path = rt_path("/dir/%s", nf[i].n);
			ex[nex].size = nf[i].sz;
			ex[nex].data = gen(100 + i, nf[i].sz);
			rump_write_file(rt_path("/mnt%s", ex[nex].path),
			    ex[nex].data, ex[nex].size);
			nex++;
		}
	}
	/* ex[0] new_0 is removed below, ex[1] new_1 renamed. */
	rump_check_file("/mnt/dir/new_3m", ex[4].data, ex[4].size);
	R(rump_sys_rename("/mnt/dir/new_1", "/mnt/dir/renamed_1"),
	    "rename new_1");
	ex[1].path = "/dir/renamed_1";
	R(rump_sys_rename("/mnt/dir/rename_me", "/mnt/other/moved"),
	    "rename across directories");
	ex[nex].path = "/other/moved";
	ex[nex].size = 5000;
	ex[nex++].data = gen(2, 5000);
	R(rump_sys_unlink("/mnt/dir/remove_me"), "unlink remove_me");
	R(rump_sys_unlink("/mnt/dir/new_0"), "unlink new_0");
	ex[0] = ex[--nex];
	if (rump_sys_unlink("/mnt/dir/remove_me") != -1 || errno != ENOENT)
		rt_fail("second unlink: want ENOENT, got errno %d", errno);
	R(rump_sys_mkdir("/mnt/dir/sub1", 0755), "mkdir sub1");
	R(rump_sys_mkdir("/mnt/dir/sub2", 0700), "mkdir sub2");
	R(rump_sys_mkdir("/mnt/dir/sub1/deeper", 0755), "mkdir deeper");
	ex[nex].path = "/dir/sub1/deeper/f";
	ex[nex].size = 1234;
	ex[nex].data = gen(200, 1234);
	rump_write_file("/mnt/dir/sub1/deeper/f", ex[nex].data, 1234);
	nex++;
	R(rump_sys_rmdir("/mnt/dir/sub2"), "rmdir sub2");
	R(rump_sys_rmdir("/mnt/dir/olddir"), "rmdir olddir");
	if (rump_sys_rmdir("/mnt/dir/sub1") != -1 || errno != NB_ENOTEMPTY)
		rt_fail("rmdir of a non-empty directory: want NetBSD's "
			"ENOTEMPTY (%d), got errno %d",
		    NB_ENOTEMPTY, errno);

	/* Overwrite 10000 bytes in the middle, unaligned. */
	ex[nex].path = "/dir/overwrite_me";
	ex[nex].size = 300000;
	ex[nex].data = gen(4, 300000);
	patch = gen(300, 10000);
	memcpy(ex[nex].data + 4095, patch, 10000);
	nex++;
	R(fd = rump_sys_open("/mnt/dir/overwrite_me", RUMP_O_RDWR),
	    "open overwrite_me");
	if (rump_sys_pwrite(fd, patch, 10000, 4095) != 10000)
		rt_fail("rump pwrite: errno %d", errno);
	R(rump_sys_fsync(fd), "fsync");
	R(rump_sys_close(fd), "close");

	ex[nex].path = "/dir/truncate_me";
	ex[nex].size = 12345;
	ex[nex++].data = gen(5, 12345);
	R(fd = rump_sys_open("/mnt/dir/truncate_me", RUMP_O_RDWR),
	    "open truncate_me");
	R(rump_sys_ftruncate(fd, 12345), "ftruncate");
	R(rump_sys_fstat(fd, RT_STAT(&st)), "fstat");
	if (st.st_size != 12345)
		rt_fail("size after ftruncate: %lld", (long long)st.st_size);
	R(rump_sys_close(fd), "close");

	ex[nex].path = "/dir/keep_a";
	ex[nex].size = 10000;
	ex[nex++].data = gen(1, 10000);

	R(rump_sys_unmount("/mnt", 0), "unmount");

	/* The host's view. */
	if ((rv = rt_system("e2fsck -fn '%s' >'%s/e2fsck.out' 2>&1", img,
		 rt_workdir())) != 0) {
		rt_system("cat '%s/e2fsck.out'", rt_workdir());
		rt_fail("e2fsck -fn: exit %d, the image is not clean", rv);
	}
	rt_info("e2fsck -fn: clean");
	check_listing("/dir", dirl, sizeof(dirl) / sizeof(dirl[0]));
	check_listing("/other", otherl, 1);
	check_listing("/dir/sub1", sub1l, 1);
	check_listing("/dir/sub1/deeper", deeperl, 1);
	for (i = 0; i < nex; i++) {
		got = debugfs(&len, "cat", ex[i].path);
		if (len != ex[i].size || memcmp(got, ex[i].data, len) != 0)
			rt_fail("debugfs cat %s: %zu bytes, want %zu, %s",
			    ex[i].path, len, ex[i].size,
			    len == ex[i].size ? "contents differ" : "");
		free(got);
	}
	rt_info("debugfs cat: %zu files byte-equal", nex);
	rt_pass();
}
