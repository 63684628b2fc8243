/*
 * Asynchronous block I/O: rumpuser_bio.
 *
 * The common path has no handoff: when the host can do a transfer at once
 * (hi_rw_nowait: the data is in its cache, or a write fits its cache), the
 * caller does it with its rump CPU released and then completes it itself,
 * holding a CPU but not the giant lock (its giant holds are given back
 * after).  Requests from several threads so proceed in parallel, each on
 * its own thread.  BIO_SYNC writes, transfers that would wait for a device
 * and the rest of a partial one go to the pool below.
 *
 * Model: a bounded FIFO ring of requests and a pool of I/O threads.  The
 * caller queues a request and returns at once; an I/O thread takes it,
 * does the transfer with the host's positional I/O and calls biodone, then
 * takes the next one without sleeping while the ring holds any.  The pool
 * grows on demand up to BIO_MAXTHREADS; a thread idle for BIO_IDLE_NS
 * ends.
 *
 * Wakeup policy.  Waking a parked thread costs a host context switch on
 * each side (5-60 us when the thread's CPU is halted, on a VM), far more
 * than a cached 4 KiB transfer, so a thread is woken (or started) only
 * when the requests queued need one more.  Each queued request is of one
 * of two kinds:
 *  - blocking: it waits for a device (the host said EAGAIN: not cached, or
 *    a BIO_SYNC write, or the host cannot tell at all: no hi_rw_nowait).
 *    It gets a thread of its own, so such transfers overlap up to the pool
 *    size;
 *  - quick: the host answered anything else: it cannot try this transfer
 *    without perhaps waiting (POSIX: a file system that refuses
 *    RWF_NOWAIT for reads, or buffered writes while the host seems to
 *    throttle them), which nearly always means a memory copy.  These
 *    share threads: one thread that is awake and not in a blocking
 *    transfer works through all of them in order, as NetBSD's single I/O
 *    thread does with every request.
 * So a thread is woken when the awake threads not in a blocking transfer
 * ("serving") are fewer than the queued blocking requests plus one for
 * the quick ones.  A quick transfer that blocks after all would hold up the
 * ones queued behind it: when requests are queued and no thread has taken
 * one for BIO_STALL_NS (b_progress), the next submission or take wakes
 * another thread regardless.
 *
 * Each I/O thread owns an lwp (made at start through the upcalls, as a
 * kernel thread would) and calls biodone holding a rump CPU but not the
 * giant lock.  A write with BIO_SYNC is made durable before its biodone.
 * Errors reach biodone as NetBSD errno values; a short transfer (end of
 * the device) reports the length actually moved.  After biodone the
 * request's buffer is never touched again.
 *
 * A full ring makes the submitter wait with its rump CPU released.
 *
 * Every field of struct bio_pool is protected by the wait queue lock of
 * &bio.
 *
 * Assumes: host threads, positional I/O, fsync; the upcalls.
 */
#include "core.h"

#define BIO_RING       128
#define BIO_MAXTHREADS 16
#define BIO_IDLE_NS    (10 * RH_NS)
#define BIO_STALL_NS   (100 * 1000)

struct bio_req {
	int r_fd;
	int r_op;
	void *r_data;
	size_t r_len;
	int64_t r_off;
	size_t r_moved; /* of r_len, done already on the caller's thread */
	bool r_blocks;	/* expected to wait for a device (see above) */
	rump_biodone_fn r_done;
	void *r_donearg;
};

struct bio_pool {
	struct bio_req b_ring[BIO_RING];
	unsigned b_head;      /* next request to take */
	unsigned b_count;     /* requests in the ring */
	unsigned b_inflight;  /* in the ring or being done */
	unsigned b_threads;   /* I/O threads alive */
	unsigned b_idle;      /* of those, parked on b_idleq */
	unsigned b_blocking;  /* of those, in a blocking transfer */
	unsigned b_qblocking; /* blocking requests in the ring */
	uint64_t b_progress;  /* when a thread last took or was woken */
	struct rumphost_waitq b_idleq;	/* I/O threads waiting for work */
	struct rumphost_waitq b_fullq;	/* submitters waiting for room */
	struct rumphost_waitq b_drainq; /* waiting for b_inflight == 0 */
};

static struct bio_pool bio;

static void bio_thread(void *);

static void
bio_transfer(const struct bio_req *r)
{
	struct rumphost_iovec iov = {
	    (char *)r->r_data + r->r_moved, r->r_len - r->r_moved};
	int64_t off = r->r_off + (int64_t)r->r_moved; /* moved 0 if off < 0 */
	size_t done = 0;
	int error, nlocks;

	if (r->r_op & RUMPUSER_BIO_READ) {
		error = rumphost_host_preadv(r->r_fd, &iov, 1, off, &done);
	} else {
		error = rumphost_host_pwritev(r->r_fd, &iov, 1, off, &done);
		if (error == 0 && (r->r_op & RUMPUSER_BIO_SYNC))
			error = rumphost_host_fsync(r->r_fd);
	}
	done += r->r_moved;
	rumphost_sched(0, NULL);
	r->r_done(r->r_donearg, done, error);
	rumphost_unsched(&nlocks, NULL);
}

/*
 * With the pool locked: does the ring need one more thread awake?  *nowp
 * is the monotonic clock if the caller read it, else 0; it is read here
 * only for the stall check.
 */
static bool
bio_needs_thread(uint64_t *nowp)
{
	unsigned serving = bio.b_threads - bio.b_idle - bio.b_blocking;
	unsigned need = bio.b_qblocking + (bio.b_count > bio.b_qblocking);

	if (bio.b_count == 0)
		return false;
	if (serving < need)
		return true;
	if (*nowp == 0)
		*nowp = rumphost_host_mono_ns();
	return *nowp - bio.b_progress > BIO_STALL_NS;
}

/*
 * With the pool locked: wake an idle thread if the ring needs one more.
 * True if a thread should be started instead (counted in b_threads
 * already): the caller starts it with bio_start after dropping the lock.
 * now: the monotonic clock if the caller has read it, else 0.
 */
static bool
bio_kick(struct rumphost_wakes *wk, uint64_t now)
{

	if (!bio_needs_thread(&now))
		return false;
	bio.b_progress = now != 0 ? now : rumphost_host_mono_ns();
	if (bio.b_idle > 0) {
		rumphost_wq_wake_one(&bio.b_idleq, wk);
		bio.b_idle--;
		return false;
	}
	if (bio.b_threads < BIO_MAXTHREADS) {
		bio.b_threads++;
		return true;
	}
	return false;
}

/* Start the thread bio_kick counted; without it the pool must not be empty. */
static void
bio_start(void)
{
	struct rumphost_hlock *lk;

	if (rumphost_host_thread_create(
		bio_thread, NULL, "rumphost-bio", 0, -1) == 0)
		return;
	lk = rumphost_wq_lock(&bio);
	if (--bio.b_threads == 0)
		rumphost_fatal("rumpuser_bio", "cannot start an I/O thread");
	rumphost_wq_unlock(lk);
}

/*
 * With the pool locked: take the next request, waiting for one.  Wakeups
 * noted in wk are delivered whenever the lock is dropped; *spawn says a
 * thread is to be started (bio_kick).
 */
static bool
bio_take(struct bio_req *r, struct rumphost_hlock **lkp,
    struct rumphost_wakes *wk, bool *spawn)
{
	struct rumphost_waiter w;
	uint64_t deadline;

	while (bio.b_count == 0) {
		deadline = rumphost_host_mono_ns() + BIO_IDLE_NS;
		rumphost_wq_insert(&bio.b_idleq, &w, 0);
		bio.b_idle++;
		rumphost_wq_unlock_wake(*lkp, wk);
		if (!rumphost_wq_park(&w, deadline)) {
			*lkp = rumphost_wq_lock(&bio);
			if (!rumphost_wq_woken(&w)) {
				rumphost_wq_remove(&bio.b_idleq, &w);
				bio.b_idle--;
				if (bio.b_count == 0)
					return false;
			}
			continue;
		}
		*lkp = rumphost_wq_lock(&bio);
	}
	*r = bio.b_ring[bio.b_head];
	bio.b_head = (bio.b_head + 1) % BIO_RING;
	bio.b_count--;
	if (r->r_blocks) {
		bio.b_qblocking--;
		bio.b_blocking++;
	}
	bio.b_progress = rumphost_host_mono_ns();
	rumphost_wq_wake_one(&bio.b_fullq, wk);
	/* This thread may have left the quick requests to no one. */
	*spawn = bio_kick(wk, bio.b_progress);
	return true;
}

static void
bio_thread(void *arg)
{
	struct rumphost_wakes wk = RUMPHOST_WAKES_INIT;
	struct rumphost_hlock *lk;
	struct bio_req r;
	bool spawn;

	(void)arg;
	rumphost_hyp.hyp_schedule();
	rumphost_hyp.hyp_lwproc_newlwp(0);
	rumphost_hyp.hyp_unschedule();

	lk = rumphost_wq_lock(&bio);
	while (bio_take(&r, &lk, &wk, &spawn)) {
		rumphost_wq_unlock_wake(lk, &wk);
		if (spawn)
			bio_start();
		bio_transfer(&r);
		lk = rumphost_wq_lock(&bio);
		if (r.r_blocks)
			bio.b_blocking--;
		if (--bio.b_inflight == 0)
			while (rumphost_wq_wake_one(&bio.b_drainq, &wk))
				continue;
	}
	bio.b_threads--;
	rumphost_wq_unlock_wake(lk, &wk);

	rumphost_hyp.hyp_schedule();
	rumphost_hyp.hyp_lwproc_release();
	rumphost_hyp.hyp_unschedule();
	rumphost_host_thread_exit();
}

/* With the pool locked: wait for room in the ring, CPU released. */
static struct rumphost_hlock *
bio_wait_room(struct rumphost_hlock *lk)
{
	struct rumphost_waiter w;
	int nlocks;

	while (bio.b_count == BIO_RING) {
		rumphost_wq_insert(&bio.b_fullq, &w, 0);
		rumphost_wq_unlock(lk);
		rumphost_unsched(&nlocks, NULL);
		rumphost_wq_park(&w, 0);
		rumphost_sched(nlocks, NULL);
		lk = rumphost_wq_lock(&bio);
	}
	return lk;
}

/*
 * The handoff-free path.  Called holding a CPU (and perhaps the giant
 * lock); returns holding them again.  True if the request was done and
 * completed here; else *moved says how much of it is done and *blocks
 * whether the rest is expected to wait for a device (the host said
 * EAGAIN or moved only part), not merely to be impossible to try without
 * waiting.
 */
static bool
bio_inline(int fd, int op, void *data, size_t len, int64_t off,
    rump_biodone_fn done, void *donearg, size_t *moved, bool *blocks)
{
	int error, nlocks, n0;

	rumphost_unsched(&nlocks, NULL);
	error = rumphost_info.hi_rw_nowait(
	    fd, !(op & RUMPUSER_BIO_READ), data, len, off, moved);
	if (error != 0 || *moved > len)
		*moved = 0;
	*blocks = error == RH_EAGAIN || (error == 0 && *moved < len);
	if (*moved == len) {
		rumphost_sched(0, NULL);
		done(donearg, len, 0);
		if (nlocks == 0)
			return true; /* holding what we were called with */
		rumphost_unsched(&n0, NULL);
	}
	rumphost_sched(nlocks, NULL);
	return *moved == len;
}

void
rumpuser_bio(int fd, int op, void *data, size_t len, int64_t off,
    rump_biodone_fn done, void *donearg)
{
	struct rumphost_wakes wk = RUMPHOST_WAKES_INIT;
	struct rumphost_hlock *lk;
	struct bio_req *r;
	bool blocks = true, spawn;
	size_t moved = 0;

	if (rumphost_info.hi_rw_nowait != NULL && off >= 0 && len > 0 &&
	    !(op & RUMPUSER_BIO_SYNC) &&
	    bio_inline(fd, op, data, len, off, done, donearg, &moved, &blocks))
		return;
	lk = bio_wait_room(rumphost_wq_lock(&bio));
	r = &bio.b_ring[(bio.b_head + bio.b_count) % BIO_RING];
	*r = (struct bio_req){
	    fd, op, data, len, off, moved, blocks, done, donearg};
	bio.b_count++;
	bio.b_inflight++;
	if (blocks)
		bio.b_qblocking++;
	spawn = bio_kick(&wk, 0);
	rumphost_wq_unlock_wake(lk, &wk);
	if (spawn)
		bio_start();
}

void
rumphost_bio_drain(void)
{
	struct rumphost_waiter w;
	struct rumphost_hlock *lk;

	lk = rumphost_wq_lock(&bio);
	while (bio.b_inflight > 0) {
		rumphost_wq_insert(&bio.b_drainq, &w, 0);
		rumphost_wq_unlock(lk);
		rumphost_wq_park(&w, 0);
		lk = rumphost_wq_lock(&bio);
	}
	rumphost_wq_unlock(lk);
}
