/*
 * tmpfs.c: write a 64 MiB file to a rump tmpfs in 64 KiB writes, then
 * read it back in 64 KiB reads; each result is the time of one whole
 * pass in milliseconds.  Mostly the rump kernel's copies and page
 * allocation (rumpuser_malloc), little else of the library.
 * Assumes: librumpfs_tmpfs; struct tmpfs_args from rumptest.h (LP64).
 */

#include <sys/types.h>
#include <stdint.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#include "../bench.h"
#include "rumptest.h"

#define FILESZ (64UL * 1024 * 1024)
#define CHUNK  (64 * 1024)

int
main(void)
{
	struct nb_tmpfs_args ta;
	unsigned long off, size;
	char *buf;
	double t0;
	int fd;

	if (rump_init() != 0)
		bn_die("rump_init");
	size = bn_quick() ? FILESZ / 64 : FILESZ;
	if ((buf = malloc(CHUNK)) == NULL)
		bn_die("malloc");
	memset(buf, 0xa5, CHUNK);
	memset(&ta, 0, sizeof(ta));
	ta.ta_version = NB_TMPFS_ARGS_VERSION;
	ta.ta_root_mode = 0777;
	if (rump_sys_mkdir("/t", 0755) == -1 ||
	    rump_sys_mount(RUMP_MOUNT_TMPFS, "/t", 0, &ta, sizeof(ta)) == -1)
		bn_die("mount tmpfs");
	if ((fd = rump_sys_open("/t/f", RUMP_O_RDWR | RUMP_O_CREAT, 0600)) ==
	    -1)
		bn_die("open");
	t0 = bn_now();
	for (off = 0; off < size; off += CHUNK)
		if (rump_sys_write(fd, buf, CHUNK) != CHUNK)
			bn_die("write");
	bn_result("rump_tmpfs_write_64m", "ms", (bn_now() - t0) / 1e6, 1);
	if (rump_sys_lseek(fd, 0, SEEK_SET) != 0)
		bn_die("lseek");
	t0 = bn_now();
	for (off = 0; off < size; off += CHUNK)
		if (rump_sys_read(fd, buf, CHUNK) != CHUNK)
			bn_die("read");
	bn_result("rump_tmpfs_read_64m", "ms", (bn_now() - t0) / 1e6, 1);
	rump_sys_close(fd);
	return 0;
}
