/*
 * contention.c: two host threads hammer the same rump kernel directories
 * for a while without deadlock, starvation or confusion of identities.
 *
 * Tests: each of two host threads becomes its own rump process
 * (rump_pub_lwproc_rfork) and loops, alternating between a shared
 * directory on tmpfs and one on a read-write ext2 image: create a file,
 * write 512 B to 32 KiB, fsync, close, rename it over a name both
 * threads use, stat it, unlink it (ENOENT is fine: the other thread
 * may have got there first), create and unlink a private file, and call
 * rump_sys_getpid 20 times, which must always return the thread's own
 * pid (a wrong curlwp would show here).  A watchdog in the main thread
 * fails the test, with every thread's backtrace when gdb is present, if
 * either thread makes no progress for 10 s.  After the run (60 s, or
 * $RUMP_CONTENTION_SECONDS) both threads must have done at least 20
 * iterations; the file systems are unmounted and e2fsck -fn must find
 * the ext2 image clean.
 * Assumes: mke2fs and e2fsck (else SKIP); NetBSD LP64 layouts from
 * rumptest.h.
 */

#include <sys/types.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

#include "rumptest.h"

#define NWORKERS 2
#define STALL	 10.0 /* seconds without progress = deadlock */
#define MINITER	 20

struct worker {
	pthread_t thr;
	int id;
	unsigned long progress; /* bumped after every syscall group */
	unsigned long iters;
	const char *step; /* what it is doing now */
	pid_t pid;
	int done;
	char err[256];
};

static struct worker wk[NWORKERS];
static int stop;

static void
setstep(struct worker *w, const char *s)
{

	__atomic_store_n(&w->step, s, __ATOMIC_RELAXED);
	__atomic_fetch_add(&w->progress, 1, __ATOMIC_RELAXED);
}

#define WFAIL(w, ...)                                                          \
	do {                                                                   \
		snprintf((w)->err, sizeof((w)->err), __VA_ARGS__);             \
		goto out;                                                      \
	} while (0)

static void *
work(void *arg)
{
	static const char *const dirs[] = {"/t/shared", "/e/shared"};
	struct worker *w = arg;
	char name[64], priv[64], common[64], buf[32768];
	struct nb_stat st;
	struct rt_prng r;
	const char *d;
	size_t len;
	int fd, rv, i;

	rt_prng_seed(&r, (uint64_t)w->id + 1);
	rt_prng_fill(&r, buf, sizeof(buf));
	if ((rv = rump_pub_lwproc_rfork(RUMP_RFCFDG)) != 0) {
		snprintf(w->err, sizeof(w->err), "rfork: %d", rv);
		goto done;
	}
	w->pid = rump_sys_getpid();
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		d = dirs[w->iters % 2];
		snprintf(name, sizeof(name), "%s/w%d_%lu", d, w->id, w->iters);
		snprintf(priv, sizeof(priv), "%s/p%d", d, w->id);
		snprintf(common, sizeof(common), "%s/common", d);

		setstep(w, "create");
		fd = rump_sys_open(
		    name, RUMP_O_RDWR | RUMP_O_CREAT | RUMP_O_TRUNC, 0644);
		if (fd == -1)
			WFAIL(w, "create %s: errno %d", name, errno);
		len = 512 + rt_prng_next(&r) % (sizeof(buf) - 512);
		setstep(w, "write");
		if (rump_sys_write(fd, buf, len) != (ssize_t)len)
			WFAIL(w, "write %s: errno %d", name, errno);
		setstep(w, "fsync");
		if (rump_sys_fsync(fd) == -1)
			WFAIL(w, "fsync %s: errno %d", name, errno);
		setstep(w, "close");
		if (rump_sys_close(fd) == -1)
			WFAIL(w, "close %s: errno %d", name, errno);
		setstep(w, "rename");
		if (rump_sys_rename(name, common) == -1)
			WFAIL(w, "rename %s -> %s: errno %d", name, common,
			    errno);
		setstep(w, "stat");
		if (rump_sys_stat(common, RT_STAT(&st)) == -1 &&
		    errno != ENOENT)
			WFAIL(w, "stat %s: errno %d", common, errno);
		setstep(w, "unlink");
		if (rump_sys_unlink(common) == -1 && errno != ENOENT)
			WFAIL(w, "unlink %s: errno %d", common, errno);
		setstep(w, "private");
		fd = rump_sys_open(
		    priv, RUMP_O_WRONLY | RUMP_O_CREAT | RUMP_O_EXCL, 0600);
		if (fd == -1)
			WFAIL(w, "create %s: errno %d", priv, errno);
		if (rump_sys_write(fd, buf, 100) != 100 ||
		    rump_sys_close(fd) == -1 || rump_sys_unlink(priv) == -1)
			WFAIL(
			    w, "write/close/unlink %s: errno %d", priv, errno);
		setstep(w, "getpid");
		for (i = 0; i < 20; i++)
			if ((rv = rump_sys_getpid()) != w->pid)
				WFAIL(w,
				    "rump_sys_getpid() = %d, this "
				    "thread's rump process is %d",
				    rv, (int)w->pid);
		setstep(w, "loop");
		w->iters++;
	}
out:
	rump_pub_lwproc_releaselwp();
done:
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void
dump_threads(void)
{

	if (rt_have_tool("gdb"))
		(void)rt_system("gdb -p %d -batch -ex 'info threads' "
				"-ex 'thread apply all bt' 2>&1",
		    (int)getpid());
}

int
main(void)
{
	static char fspec[] = "/c.img";
	struct nb_tmpfs_args ta;
	struct rump_ufs_args ua;
	unsigned long secs, last[NWORKERS];
	double lastt[NWORKERS], t0, now;
	char *img;
	int i, rv, ndone;

	rt_begin("contention");
	secs = rt_env_ulong("RUMP_CONTENTION_SECONDS", 60);
	if (!rt_have_tool("e2fsck"))
		rt_skip("e2fsck not found (install e2fsprogs)");
	img = rt_path("%s/c.img", rt_workdir());
	rt_mkext2(img, NULL, 64);

	rt_boot();
	if (rump_sys_mkdir("/t", 0755) == -1 ||
	    rump_sys_mkdir("/e", 0755) == -1)
		rt_fail("rump mkdir: errno %d", errno);
	memset(&ta, 0, sizeof(ta));
	ta.ta_version = NB_TMPFS_ARGS_VERSION;
	ta.ta_root_mode = 0777;
	if (rump_sys_mount(RUMP_MOUNT_TMPFS, "/t", 0, &ta, sizeof(ta)) == -1)
		rt_fail("rump mount tmpfs: errno %d", errno);
	if ((rv = rump_pub_etfs_register(fspec, img, RUMP_ETFS_BLK)) != 0)
		rt_fail("rump_pub_etfs_register: %d", rv);
	memset(&ua, 0, sizeof(ua));
	ua.fspec = fspec;
	if (rump_sys_mount(RUMP_MOUNT_EXT2FS, "/e", 0, &ua, sizeof(ua)) == -1)
		rt_fail("rump mount ext2fs: errno %d", errno);
	if (rump_sys_mkdir("/t/shared", 0777) == -1 ||
	    rump_sys_mkdir("/e/shared", 0777) == -1)
		rt_fail("rump mkdir shared: errno %d", errno);

	t0 = rt_now();
	for (i = 0; i < NWORKERS; i++) {
		wk[i].id = i;
		wk[i].step = "start";
		last[i] = 0;
		lastt[i] = t0;
		if ((rv = pthread_create(&wk[i].thr, NULL, work, &wk[i])) != 0)
			rt_fail("pthread_create: %d", rv);
	}
	/* Watchdog, until both workers are done. */
	for (;;) {
		usleep(200 * 1000);
		now = rt_now();
		if (now - t0 >= (double)secs)
			__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
		ndone = 0;
		for (i = 0; i < NWORKERS; i++) {
			unsigned long p;

			if (__atomic_load_n(&wk[i].done, __ATOMIC_SEQ_CST)) {
				ndone++;
				continue;
			}
			p = __atomic_load_n(&wk[i].progress, __ATOMIC_RELAXED);
			if (p != last[i]) {
				last[i] = p;
				lastt[i] = now;
			} else if (now - lastt[i] > STALL) {
				dump_threads();
				rt_fail("deadlock: worker %d made no progress "
					"for %.0f s, stuck in '%s' after %lu "
					"iterations (the other: %lu, in '%s')",
				    i, STALL, wk[i].step, wk[i].iters,
				    wk[1 - i].iters, wk[1 - i].step);
			}
		}
		if (ndone == NWORKERS)
			break;
	}
	for (i = 0; i < NWORKERS; i++) {
		pthread_join(wk[i].thr, NULL);
		if (wk[i].err[0] != '\0')
			rt_fail("worker %d: %s", i, wk[i].err);
	}
	if (wk[0].pid == wk[1].pid)
		rt_fail("both workers got rump pid %d", (int)wk[0].pid);
	rt_info("%lu s: worker 0 (rump pid %d) %lu iterations, worker 1 "
		"(rump pid %d) %lu iterations",
	    secs, (int)wk[0].pid, wk[0].iters, (int)wk[1].pid, wk[1].iters);
	for (i = 0; i < NWORKERS; i++)
		if (wk[i].iters < MINITER)
			rt_fail("worker %d did only %lu iterations (starved?)",
			    i, wk[i].iters);
	if (rump_sys_unmount("/e", 0) == -1 || rump_sys_unmount("/t", 0) == -1)
		rt_fail("rump unmount: errno %d", errno);
	if ((rv = rt_system("e2fsck -fn '%s' >'%s/e2fsck.out' 2>&1", img,
		 rt_workdir())) != 0) {
		(void)rt_system("cat '%s/e2fsck.out'", rt_workdir());
		rt_fail("e2fsck -fn after the run: exit %d", rv);
	}
	rt_info("e2fsck -fn: clean");
	rt_pass();
}
