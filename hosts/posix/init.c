/*
 * init.c: rumphost_host_init, the description of this host.
 *
 * Assumes Linux: sched_getaffinity for the CPUs this process may use,
 * sysconf for physical memory, and cgroup v2 mounted at /sys/fs/cgroup
 * (when it is not, or this process sits in a v1 hierarchy, cgroup limits
 * are simply not seen).
 *
 * The memory budget is the tightest hard ceiling this process is under:
 * the smallest of physical memory, the memory.max of its cgroup and of
 * every ancestor cgroup (a child's limit does not show its parents'),
 * RLIMIT_AS and RLIMIT_DATA, and for a 32-bit process the size of its
 * address space.  It is a ceiling, not a target: the whole process (libc,
 * thread stacks, the application) lives under it too, so the core decides
 * which share of it the rump kernel publishes as RUMP_MEMLIMIT.  Swap is
 * not counted: memory the rump kernel caches should not be pushed out to
 * disk.
 *
 * hi_single_threaded is glibc's __libc_single_threaded where the C library
 * has it (glibc 2.32 and later; set until the first thread is started),
 * else left NULL.
 */
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__has_include)
#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h> /* glibc 2.32 */
#define HAVE_SINGLE_THREADED 1
#endif
#endif

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "posix.h"

_Static_assert(_Alignof(max_align_t) >= 2 * sizeof(void *),
    "malloc alignment below the host interface's minimum");
_Static_assert((_Alignof(max_align_t) & (_Alignof(max_align_t) - 1)) == 0,
    "malloc alignment is not a power of two");

#define CGROOT "/sys/fs/cgroup"

static unsigned
countcpus(void)
{
	cpu_set_t *set;
	size_t ncpus, sz;
	int n;

	/* The mask may be wider than cpu_set_t on very large machines. */
	for (ncpus = CPU_SETSIZE; ncpus <= 65536; ncpus *= 2) {
		if ((set = CPU_ALLOC(ncpus)) == NULL)
			break;
		sz = CPU_ALLOC_SIZE(ncpus);
		if (sched_getaffinity(0, sz, set) == 0) {
			n = CPU_COUNT_S(sz, set);
			CPU_FREE(set);
			return n > 0 ? (unsigned)n : 1;
		}
		CPU_FREE(set);
		if (errno != EINVAL)
			break;
	}
	n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

/* Read a small file into buf as a string; -1 if it cannot be read. */
static ssize_t
readsmall(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	do
		n = read(fd, buf, len - 1);
	while (n == -1 && errno == EINTR);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* memory.max of the cgroup directory dir; UINT64_MAX for "max" or none. */
static uint64_t
cgmax(const char *dir)
{
	char path[4096 + 64], val[64];
	char *end;
	unsigned long long v;

	if ((size_t)snprintf(path, sizeof(path), CGROOT "%s/memory.max", dir) >=
	    sizeof(path))
		return UINT64_MAX;
	if (readsmall(path, val, sizeof(val)) <= 0)
		return UINT64_MAX;
	errno = 0;
	v = strtoull(val, &end, 10);
	if (end == val || errno != 0)
		return UINT64_MAX;
	return v;
}

/* The smallest memory.max from our cgroup v2 up to the root. */
static uint64_t
cgrouplimit(void)
{
	char buf[4096 + 8];
	char *path, *nl, *slash;
	uint64_t lim, v;

	if (readsmall("/proc/self/cgroup", buf, sizeof(buf)) <= 0)
		return UINT64_MAX;
	/* The v2 entry is the line "0::<path>". */
	if (strncmp(buf, "0::", 3) == 0)
		path = buf + 3;
	else if ((path = strstr(buf, "\n0::")) != NULL)
		path += 4;
	else
		return UINT64_MAX;
	if ((nl = strchr(path, '\n')) != NULL)
		*nl = '\0';
	lim = UINT64_MAX;
	while (path[0] == '/' && path[1] != '\0') {
		if ((v = cgmax(path)) < lim)
			lim = v;
		slash = strrchr(path, '/');
		*slash = '\0';
	}
	return lim;
}

static uint64_t
rlimitof(int res)
{
	struct rlimit rl;

	if (getrlimit(res, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return UINT64_MAX;
	return rl.rlim_cur;
}

static uint64_t
membudget(void)
{
	long pages, pagesz;
	uint64_t b, v;

	b = UINT64_MAX;
	pages = sysconf(_SC_PHYS_PAGES);
	pagesz = sysconf(_SC_PAGESIZE);
	if (pages > 0 && pagesz > 0)
		b = (uint64_t)pages * (uint64_t)pagesz;
	if ((v = cgrouplimit()) < b)
		b = v;
	if ((v = rlimitof(RLIMIT_AS)) < b)
		b = v;
	if ((v = rlimitof(RLIMIT_DATA)) < b)
		b = v;
	/* A 32-bit process cannot address more than its pointers reach. */
	if (sizeof(void *) < sizeof(uint64_t) && b > SIZE_MAX)
		b = SIZE_MAX;
	return b == UINT64_MAX ? 0 : b;
}

int
rumphost_host_init(struct rumphost_host_info *hi)
{
	const char *e;

	hi->hi_version = RUMPHOST_HOST_VERSION;
	hi->hi_ncpu = countcpus();
	hi->hi_membudget = membudget();
	hi->hi_minalign = _Alignof(max_align_t);
	hi->hi_name = "posix";
	hi->hi_rw_nowait = rumphost_posix_rw_nowait;
	if ((e = getenv("RUMPHOST_BIO_INLINE")) != NULL && strcmp(e, "0") == 0)
		hi->hi_rw_nowait = rumphost_posix_rw_refuse;
	hi->hi_mono_ts = rumphost_posix_mono_ts;
#ifdef HAVE_SINGLE_THREADED
	hi->hi_single_threaded = &__libc_single_threaded;
#endif
	return 0;
}
