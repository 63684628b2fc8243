/*
 * tmpfs.c: a tmpfs mounted in the rump kernel keeps what is written.
 *
 * Tests: mount tmpfs (struct tmpfs_args version 1, no limits); write
 * files of 1 B, 123457 B and 6 MiB + 3 B of PRNG bytes in writes of
 * random lengths; check fstat sizes; read each back in reads of random
 * lengths and with preads at random offsets, comparing every byte;
 * append to one and read the tail; unmount (fails with EBUSY while a
 * file is open, as a sanity check that the mount is live).
 * Assumes: librumpfs_tmpfs; NetBSD LP64 layouts from rumptest.h.
 */

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#include "rumptest.h"

#define MIB	 (1024 * 1024)
#define CHUNKMAX 200000

static struct rt_prng rng;
static unsigned long long nbytes;

static size_t
chunk(size_t left)
{
	size_t n;

	n = 1 + rt_prng_next(&rng) % CHUNKMAX;
	return n < left ? n : left;
}

static void
one_file(const char *path, size_t size, uint64_t seed)
{
	unsigned char *data, *buf;
	struct nb_stat st;
	struct rt_prng r;
	size_t off, n;
	ssize_t got;
	int fd, i;

	data = rt_xmalloc(size + 100);
	buf = rt_xmalloc(size + 100);
	rt_prng_seed(&r, seed);
	rt_prng_fill(&r, data, size + 100);

	fd =
	    rump_sys_open(path, RUMP_O_RDWR | RUMP_O_CREAT | RUMP_O_EXCL, 0600);
	if (fd == -1)
		rt_fail("rump create %s: errno %d", path, errno);
	for (off = 0; off < size; off += (size_t)got) {
		n = chunk(size - off);
		if ((got = rump_sys_write(fd, data + off, n)) <= 0)
			rt_fail(
			    "rump write %s at %zu: errno %d", path, off, errno);
	}
	if (rump_sys_fstat(fd, RT_STAT(&st)) == -1)
		rt_fail("rump fstat %s: errno %d", path, errno);
	if (st.st_size != (int64_t)size ||
	    (st.st_mode & NB_S_IFMT) != NB_S_IFREG)
		rt_fail("%s: size %lld mode %o after writing %zu bytes", path,
		    (long long)st.st_size, st.st_mode, size);
	if (rump_sys_lseek(fd, 0, SEEK_SET) != 0)
		rt_fail("rump lseek %s: errno %d", path, errno);
	for (off = 0; off < size; off += (size_t)got) {
		n = chunk(size - off);
		if ((got = rump_sys_read(fd, buf + off, n)) <= 0)
			rt_fail("rump read %s at %zu: %zd, errno %d", path, off,
			    got, errno);
	}
	if (rump_sys_read(fd, buf, 1) != 0)
		rt_fail("%s: no EOF after %zu bytes", path, size);
	if (memcmp(buf, data, size) != 0)
		rt_fail("%s: read-back differs from what was written", path);
	for (i = 0; i < 50 && size > 0; i++) {
		off = rt_prng_next(&rng) % size;
		n = chunk(size - off);
		if (rump_sys_pread(fd, buf, n, (off_t)off) != (ssize_t)n ||
		    memcmp(buf, data + off, n) != 0)
			rt_fail("%s: pread(%zu @ %zu) differs", path, n, off);
	}
	if (rump_sys_close(fd) == -1)
		rt_fail("rump close %s: errno %d", path, errno);

	/* Append the 100 bytes beyond size and read the tail back. */
	if ((fd = rump_sys_open(path, RUMP_O_RDWR | RUMP_O_APPEND)) == -1)
		rt_fail("rump open %s for append: errno %d", path, errno);
	if (rump_sys_write(fd, data + size, 100) != 100)
		rt_fail("rump append %s: errno %d", path, errno);
	if (rump_sys_pread(fd, buf, 200, (off_t)size) != 100 ||
	    memcmp(buf, data + size, 100) != 0)
		rt_fail("%s: appended bytes differ", path);
	rump_sys_close(fd);
	nbytes += size + 100;
	free(data);
	free(buf);
}

int
main(void)
{
	struct nb_tmpfs_args ta;
	int fd;

	rt_begin("tmpfs");
	rt_prng_seed(&rng, 99);
	rt_boot();
	if (rump_sys_mkdir("/t", 0755) == -1)
		rt_fail("rump mkdir /t: errno %d", errno);
	memset(&ta, 0, sizeof(ta));
	ta.ta_version = NB_TMPFS_ARGS_VERSION;
	ta.ta_root_mode = 01777;
	if (rump_sys_mount(RUMP_MOUNT_TMPFS, "/t", 0, &ta, sizeof(ta)) == -1)
		rt_fail("rump mount tmpfs: errno %d", errno);
	if (rump_sys_mkdir("/t/d", 0755) == -1)
		rt_fail("rump mkdir /t/d: errno %d", errno);
	one_file("/t/one", 1, 1);
	one_file("/t/d/odd", 123457, 2);
	one_file("/t/d/big", 6 * MIB + 3, 3);
	rt_info("tmpfs: %llu bytes written and read back", nbytes);

	if ((fd = rump_sys_open("/t/d/big", RUMP_O_RDONLY)) == -1)
		rt_fail("rump open: errno %d", errno);
	if (rump_sys_unmount("/t", 0) != -1 || errno != EBUSY)
		rt_fail("unmount with a file open: want EBUSY, got errno %d",
		    errno);
	rump_sys_close(fd);
	if (rump_sys_unmount("/t", 0) == -1)
		rt_fail("rump unmount tmpfs: errno %d", errno);
	if (rump_sys_open("/t/d/big", RUMP_O_RDONLY) != -1)
		rt_fail("file still reachable after unmount");
	rt_pass();
}
