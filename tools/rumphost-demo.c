/*
 * rumphost-demo: boot a NetBSD rump kernel on whichever librumpuser.so.0
 * the dynamic linker picked (rumphost's, with LD_LIBRARY_PATH), and show
 * what it does: which hypercall library is loaded, how long the kernel
 * took to boot, what the kernel says about itself (sysctl), and a file
 * written and read back through its VFS.  Used by `make run`.
 *
 * Assumes: an install of NetBSD rump kernel components (librump,
 * librumpvfs); NetBSD's sysctl numbering (CTL_KERN 1: KERN_OSTYPE 1,
 * KERN_OSRELEASE 2, KERN_VERSION 4, KERN_HOSTNAME 10; CTL_HW 6: HW_NCPU 3).
 */
#define _GNU_SOURCE
#include <sys/types.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

int rumpuser_init(int, const void *);

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
show_sysctl(const char *what, int top, int leaf, int isint)
{
	int mib[2] = {top, leaf}, n = 0;
	char buf[512];
	size_t len = isint ? sizeof(n) : sizeof(buf) - 1;

	memset(buf, 0, sizeof(buf));
	if (rump_sys___sysctl(
		mib, 2, isint ? (void *)&n : buf, &len, NULL, 0) != 0) {
		printf("  %-10s (sysctl failed: errno %d)\n", what, errno);
		return;
	}
	if (isint)
		printf("  %-10s %d\n", what, n);
	else
		printf("  %-10s %s\n", what, strtok(buf, "\n"));
}

static int
file_roundtrip(void)
{
	static const char msg[] = "written and read back through the rump "
				  "kernel's VFS\n";
	char buf[sizeof(msg)];
	int fd;

	if (rump_sys_mkdir("/demo", 0755) != 0 ||
	    (fd = rump_sys_open(
		 "/demo/hello", RUMP_O_RDWR | RUMP_O_CREAT, 0644)) < 0)
		return -1;
	if (rump_sys_write(fd, msg, sizeof(msg)) != (ssize_t)sizeof(msg) ||
	    rump_sys_pread(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf) ||
	    memcmp(buf, msg, sizeof(msg)) != 0)
		return -1;
	rump_sys_close(fd);
	printf("  /demo/hello: %s", buf);
	return 0;
}

int
main(void)
{
	Dl_info dli;
	double t0;
	int error;

	if (dladdr((void *)rumpuser_init, &dli) != 0)
		printf("hypercall library: %s\n", dli.dli_fname);
	t0 = now();
	if ((error = rump_init()) != 0) {
		fprintf(stderr, "rump_init failed: %d\n", error);
		return 1;
	}
	printf("rump_init: %.1f ms\n", (now() - t0) * 1e3);
	printf("the rump kernel says:\n");
	show_sysctl("ostype", 1, 1, 0);
	show_sysctl("osrelease", 1, 2, 0);
	show_sysctl("version", 1, 4, 0);
	show_sysctl("hostname", 1, 10, 0);
	show_sysctl("ncpu", 6, 3, 1);
	if (file_roundtrip() != 0) {
		fprintf(stderr, "file round trip failed: errno %d\n", errno);
		return 1;
	}
	return 0;
}
