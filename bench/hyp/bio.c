/*
 * bio.c: rumpuser_bio reads of 4 KiB at random aligned offsets of a
 * 16 MiB file on a RAM-backed file system (/dev/shm, else $TMPDIR), so
 * no device is timed.  Two results: one request at a time (issue, wait
 * for the completion callback; ns/op is the round trip), and 32 in
 * flight (ns/op is wall time per request).  The completion wakes the
 * issuer through a host pthread condition variable.  The callback
 * argument is non-NULL (NetBSD's library asserts that).  rumphost's
 * POSIX host counts a memory file system's data as cached, so it does
 * these reads on the caller's thread; RUMPHOST_BIO_INLINE=0 in the
 * environment sends them through its I/O threads instead, which is
 * what NetBSD's library does with every request.
 * Assumes: /dev/shm or $TMPDIR is writable with 16 MiB free.
 */

#include <sys/stat.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../bench.h"
#include "hyp.h"

#define FILESZ (16UL * 1024 * 1024)
#define BLK    4096
#define QD     32
#define Q1_N   20000UL
#define QD_N   200000UL

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static unsigned long ndone;
static int nerr;

static void
done(void *arg, size_t len, int error)
{

	(void)arg;
	pthread_mutex_lock(&lock);
	if (error != 0 || len != BLK)
		nerr++;
	ndone++;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
}

static void
wait_done(unsigned long want)
{

	pthread_mutex_lock(&lock);
	while (ndone < want)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
}

static char *
make_file(void)
{
	const char *dir;
	char *path, *buf;
	unsigned long off;
	int fd;

	dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
	if (dir == NULL)
		dir = "/tmp";
	if (asprintf(&path, "%s/rumphost-bio.%ld", dir, (long)getpid()) == -1)
		bn_die("asprintf");
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) == -1)
		bn_die("create %s", path);
	if ((buf = malloc(1024 * 1024)) == NULL)
		bn_die("malloc");
	memset(buf, 0x5a, 1024 * 1024);
	for (off = 0; off < FILESZ; off += 1024 * 1024)
		if (write(fd, buf, 1024 * 1024) != 1024 * 1024)
			bn_die("write %s", path);
	close(fd);
	free(buf);
	return path;
}

/* The two runs; result names are PREFIX_qd1 and PREFIX_qd32. */
static void
bio_run(const char *prefix)
{
	char name[64];
	unsigned long i, n, x = 88172645463325252UL;
	char *path, *bufs;
	double t0;
	int fd, rv, j;

	path = make_file();
	if ((rv = rumpuser_open(
		 path, RUMPUSER_OPEN_RDWR | RUMPUSER_OPEN_BIO, &fd)) != 0)
		bn_die("rumpuser_open %s: %d", path, rv);
	unlink(path);
	if ((bufs = aligned_alloc(BLK, (size_t)BLK * QD)) == NULL)
		bn_die("malloc");

	n = bn_iters(Q1_N);
	ndone = 0;
	t0 = bn_now();
	for (i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		rumpuser_bio(fd, RUMPUSER_BIO_READ, bufs, BLK,
		    (int64_t)(x % (FILESZ / BLK)) * BLK, done, &ndone);
		wait_done(i + 1);
	}
	snprintf(name, sizeof(name), "%s_qd1", prefix);
	bn_result(name, "ns/op", (bn_now() - t0) / n, n);

	n = bn_iters(QD_N / QD);
	ndone = 0;
	t0 = bn_now();
	for (i = 0; i < n; i++) {
		for (j = 0; j < QD; j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			rumpuser_bio(fd, RUMPUSER_BIO_READ, bufs + j * BLK, BLK,
			    (int64_t)(x % (FILESZ / BLK)) * BLK, done, &ndone);
		}
		wait_done((i + 1) * QD);
	}
	snprintf(name, sizeof(name), "%s_qd32", prefix);
	bn_result(name, "ns/op", (bn_now() - t0) / (n * QD), n * QD);
	if (nerr != 0)
		bn_die("bio: %d requests failed", nerr);
	rumpuser_close(fd);
	free(bufs);
	free(path);
}

void
hb_bio_read(void)
{

	bio_run("hyp_bio_read");
}

/* main.c set RUMPHOST_BIO_INLINE=0 before the library started. */
void
hb_bio_pool(void)
{

	bio_run("hyp_bio_pool");
}
