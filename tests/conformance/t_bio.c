/*
 * rumpuser_bio: returns at once with many requests in flight; each
 * completion is called exactly once, with the request's length and error
 * 0 (or a NetBSD errno and length 0), on a thread that holds a CPU and an
 * lwp but not the giant lock; the data is in the file when a write
 * completes (BIO_SYNC writes are durable by then; we can only see that
 * they are visible).  The caller holds the giant lock while issuing, as a
 * rump kernel may, and gets its holds back.
 */
#include "fakekernel.h"
#include "tests.h"
#include "tolerance.h"

#define NREQ 64
#define BLK  4096

struct req {
	int calls;
	size_t len;
	int error;
	size_t want;
	bool cpu;
	bool giant;
	bool lwp;
};

static int ndone;

static void
done(void *arg, size_t len, int error)
{
	struct req *r = arg;

	r->len = len;
	r->error = error;
	r->cpu = fk_have_cpu();
	r->giant = fk_giant_held() != 0;
	r->lwp = fk_curlwp() != NULL;
	__atomic_add_fetch(&r->calls, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&ndone, 1, __ATOMIC_SEQ_CST);
}

static int ndone_want;

static bool
pred_done(void *arg)
{

	(void)arg;
	return __atomic_load_n(&ndone, __ATOMIC_SEQ_CST) >= ndone_want;
}

static void
check_reqs(struct req *r, int n, int wanterr)
{
	int i;

	for (i = 0; i < n; i++) {
		CHECKF(r[i].calls == 1, "request %d completed %d times", i,
		    r[i].calls);
		CHECKF(r[i].error == wanterr, "request %d: error %d, want %d",
		    i, r[i].error, wanterr);
		if (wanterr == 0)
			CHECKF(r[i].len == r[i].want,
			    "request %d: length"
			    " %zu, want %zu",
			    i, r[i].len, r[i].want);
		CHECKF(r[i].cpu, "request %d completed without a CPU", i);
		CHECKF(!r[i].giant,
		    "request %d completed holding the giant"
		    " lock",
		    i);
		CHECKF(r[i].lwp, "request %d completed with no lwp", i);
	}
}

static void
issue_len(int fd, int op, unsigned char *buf, struct req *r, int n, size_t len)
{
	int i;

	__atomic_store_n(&ndone, 0, __ATOMIC_SEQ_CST);
	memset(r, 0, sizeof(*r) * (size_t)n);
	fk_giant_enter(1);
	for (i = 0; i < n; i++) {
		r[i].want = len;
		/* reverse order of offsets */
		HCV(rumpuser_bio(fd, op, buf + (size_t)i * len, len,
		    (int64_t)(n - 1 - i) * (int64_t)len, done, &r[i]));
	}
	fk_giant_exit();
	ndone_want = n;
	CHECKF(fk_settle(pred_done, NULL), "only %d of %d completions",
	    __atomic_load_n(&ndone, __ATOMIC_SEQ_CST), n);
	/* none completes twice later */
	fk_pause(TOL_QUIET_NS);
}

static void
issue(int fd, int op, unsigned char *buf, struct req *r, int n)
{

	issue_len(fd, op, buf, r, n, BLK);
}

void
t_bio_many(void)
{
	static unsigned char wbuf[NREQ * BLK], rbuf[NREQ * BLK];
	static unsigned char fbuf[NREQ * BLK];
	static struct req r[NREQ];
	char p[256];
	size_t i;
	int fd, k;

	for (i = 0; i < sizeof(wbuf); i++)
		wbuf[i] = (unsigned char)(i / BLK * 7 + i);
	h_path(p, sizeof(p), "disk");
	REQUIRE(h_file_put(p, fbuf, sizeof(fbuf)));
	REQUIRE(HC(rumpuser_open(
		    p, RUMPUSER_OPEN_RDWR | RUMPUSER_OPEN_BIO, &fd)) == 0);

	for (k = 0; k < 2; k++) {
		issue(fd, RUMPUSER_BIO_WRITE | (k ? RUMPUSER_BIO_SYNC : 0),
		    wbuf, r, NREQ);
		check_reqs(r, NREQ, 0);
		CHECK_EQ(
		    h_file_get(p, 0, fbuf, sizeof(fbuf)), (long)sizeof(fbuf));
		for (i = 0; i < NREQ; i++)
			CHECKF(memcmp(fbuf + (NREQ - 1 - i) * BLK,
				   wbuf + i * BLK, BLK) == 0,
			    "block %zu not written", i);
	}
	issue(fd, RUMPUSER_BIO_READ, rbuf, r, NREQ);
	check_reqs(r, NREQ, 0);
	CHECK(memcmp(rbuf, wbuf, sizeof(rbuf)) == 0);
	CHECK_EQ(HC(rumpuser_close(fd)), 0);
}

/* Errors reach biodone: a write through a read-only descriptor. */
void
t_bio_error(void)
{
	static unsigned char buf[4 * BLK];
	static struct req r[4];
	char p[256];
	int fd;

	h_path(p, sizeof(p), "ro");
	REQUIRE(h_file_put(p, buf, sizeof(buf)));
	REQUIRE(HC(rumpuser_open(
		    p, RUMPUSER_OPEN_RDONLY | RUMPUSER_OPEN_BIO, &fd)) == 0);
	issue(fd, RUMPUSER_BIO_WRITE, buf, r, 4);
	check_reqs(r, 4, 9);
	CHECK_EQ(HC(rumpuser_close(fd)), 0);
}

/* A read past the end completes short, without an error. */
void
t_bio_eof(void)
{
	static unsigned char buf[BLK];
	static struct req r[1];
	char p[256];
	int fd;

	h_path(p, sizeof(p), "short");
	REQUIRE(h_file_put(p, buf, 1024));
	REQUIRE(HC(rumpuser_open(
		    p, RUMPUSER_OPEN_RDWR | RUMPUSER_OPEN_BIO, &fd)) == 0);
	__atomic_store_n(&ndone, 0, __ATOMIC_SEQ_CST);
	memset(r, 0, sizeof(r));
	HCV(rumpuser_bio(fd, RUMPUSER_BIO_READ, buf, BLK, 0, done, &r[0]));
	ndone_want = 1;
	CHECK(fk_settle(pred_done, NULL));
	CHECK_EQ(r[0].calls, 1);
	CHECK_EQ(r[0].error, 0);
	CHECK_EQ(r[0].len, 1024);
	CHECK_EQ(HC(rumpuser_close(fd)), 0);
}

/*
 * NCPU=1, far more requests than any sane queue holds: if submitting
 * blocks on a full queue while keeping the CPU, the completion thread
 * never gets the CPU it needs to drain the queue.
 */
#define NFLOOD 2048
void
t_bio_flood(void)
{
	static unsigned char buf[NFLOOD * 512];
	static struct req r[NFLOOD];
	char p[256];
	int fd;

	h_path(p, sizeof(p), "flood");
	REQUIRE(h_file_put(p, buf, sizeof(buf)));
	REQUIRE(HC(rumpuser_open(
		    p, RUMPUSER_OPEN_RDWR | RUMPUSER_OPEN_BIO, &fd)) == 0);
	issue_len(fd, RUMPUSER_BIO_WRITE, buf, r, NFLOOD, 512);
	check_reqs(r, NFLOOD, 0);
	issue_len(fd, RUMPUSER_BIO_READ, buf, r, NFLOOD, 512);
	check_reqs(r, NFLOOD, 0);
	CHECK_EQ(HC(rumpuser_close(fd)), 0);
}

/*
 * The same through the I/O threads alone: with RUMPHOST_BIO_INLINE=0 our
 * POSIX host tries no transfer on the caller's thread (other libraries
 * ignore the variable), so requests queue, share the I/O threads and fill
 * the ring, where otherwise cached reads and buffered writes would all be
 * done by the caller.
 */
static void
boot_pool(int ncpu)
{

	REQUIRE(h_setenv("RUMPHOST_BIO_INLINE", "0"));
	fk_boot(ncpu);
}

void
t_bio_many_pool(void)
{

	boot_pool(2);
	t_bio_many();
	fk_finish();
}

void
t_bio_flood_pool(void)
{

	boot_pool(1);
	t_bio_flood();
	fk_finish();
}
