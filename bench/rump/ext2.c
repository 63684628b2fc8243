/*
 * ext2.c: ext2 through the block I/O hypercalls (rumpuser_bio on an
 * image attached with rump_pub_etfs_register(RUMP_ETFS_BLK)).  A
 * 64 MiB file of PRNG bytes is put into a 160 MiB image by mke2fs -d.
 * Results: sequential read of the file in 64 KiB reads right after
 * mount (rump's cache cold, the host's page cache warm: the image was
 * just written), ms per pass; 2000 random 4 KiB preads after a
 * remount, us/op; a new 16 MiB file written in 64 KiB writes, fsync'd,
 * and the file system unmounted, ms for the whole.
 * Assumes: mke2fs with -d (e2fsprogs); $WORKDIR with 250 MB free;
 * struct ufs_args is rump_ufs_args from rump/rumpdefs.h.
 */

#include <sys/types.h>
#include <stdint.h>

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#include "../bench.h"
#include "rumptest.h"

#define FILESZ (64UL * 1024 * 1024)
#define WSZ    (16UL * 1024 * 1024)
#define CHUNK  (64 * 1024)
#define RAND_N 2000UL

static char fspec[] = "/dev/bench_ext2";

static void
do_mount(void)
{
	struct rump_ufs_args args;

	memset(&args, 0, sizeof(args));
	args.fspec = fspec;
	if (rump_sys_mount(RUMP_MOUNT_EXT2FS, "/mnt", 0, &args, sizeof(args)) ==
	    -1)
		bn_die("mount ext2fs: errno %d", errno);
}

int
main(void)
{
	unsigned long off, i, n, size;
	struct rt_prng r;
	char *tree, *img, *buf;
	double t0;
	int fd;

	size = bn_quick() ? FILESZ / 16 : FILESZ;
	tree = rt_path("%s/tree", rt_workdir());
	img = rt_path("%s/bench.img", rt_workdir());
	if (mkdir(tree, 0755) == -1 && errno != EEXIST)
		bn_die("mkdir %s", tree);
	if ((buf = malloc(CHUNK)) == NULL)
		bn_die("malloc");
	rt_prng_seed(&r, 1);
	{
		FILE *f;

		if ((f = fopen(rt_path("%s/big", tree), "w")) == NULL)
			bn_die("create big");
		for (off = 0; off < size; off += CHUNK) {
			rt_prng_fill(&r, buf, CHUNK);
			if (fwrite(buf, 1, CHUNK, f) != CHUNK)
				bn_die("write big");
		}
		fclose(f);
	}
	rt_mkext2(img, tree, 160);
	if (rump_init() != 0)
		bn_die("rump_init");
	if (rump_pub_etfs_register(fspec, img, RUMP_ETFS_BLK) != 0)
		bn_die("etfs_register");
	if (rump_sys_mkdir("/mnt", 0755) == -1)
		bn_die("mkdir /mnt");

	do_mount();
	if ((fd = rump_sys_open("/mnt/big", RUMP_O_RDONLY)) == -1)
		bn_die("open big: errno %d", errno);
	t0 = bn_now();
	for (off = 0; off < size; off += CHUNK)
		if (rump_sys_read(fd, buf, CHUNK) != CHUNK)
			bn_die("read big");
	bn_result("rump_ext2_seqread_64m_cold", "ms", (bn_now() - t0) / 1e6, 1);
	rump_sys_close(fd);
	if (rump_sys_unmount("/mnt", 0) == -1)
		bn_die("unmount");

	do_mount();
	if ((fd = rump_sys_open("/mnt/big", RUMP_O_RDONLY)) == -1)
		bn_die("open big");
	n = bn_iters(RAND_N * 100) / 100;
	t0 = bn_now();
	for (i = 0; i < n; i++) {
		off = (rt_prng_next(&r) % (size / 4096)) * 4096;
		if (rump_sys_pread(fd, buf, 4096, (off_t)off) != 4096)
			bn_die("pread");
	}
	bn_result(
	    "rump_ext2_randread_4k", "us/op", (bn_now() - t0) / n / 1e3, n);
	rump_sys_close(fd);

	size = bn_quick() ? WSZ / 16 : WSZ;
	t0 = bn_now();
	if ((fd = rump_sys_open(
		 "/mnt/new", RUMP_O_RDWR | RUMP_O_CREAT, 0644)) == -1)
		bn_die("create new: errno %d", errno);
	for (off = 0; off < size; off += CHUNK)
		if (rump_sys_write(fd, buf, CHUNK) != CHUNK)
			bn_die("write new: errno %d", errno);
	if (rump_sys_fsync(fd) == -1)
		bn_die("fsync: errno %d", errno);
	rump_sys_close(fd);
	if (rump_sys_unmount("/mnt", 0) == -1)
		bn_die("unmount: errno %d", errno);
	bn_result(
	    "rump_ext2_write_16m_fsync_umount", "ms", (bn_now() - t0) / 1e6, 1);
	return 0;
}
