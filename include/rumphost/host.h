/*
 * The rumphost host interface: everything the portable core needs from the
 * kernel (or process) it runs on.  A port implements each function below,
 * and nothing else; the core builds the whole rumpuser(3) interface on top
 * (locks with owners, rwlocks, condition variables, join, aligned memory,
 * asynchronous block I/O, per-thread console buffers, errno conventions).
 *
 * The interface asks no more than a small kernel offers: an allocator with
 * a fixed minimum alignment, threads that take an argument (a port whose
 * threads take none passes it through a queue of its own), a way to end the
 * calling thread (a port whose threads cannot exit returns them to a pool),
 * one per-thread pointer, a sleeping lock without trylock or owner, and a
 * per-thread park/unpark with an absolute deadline (a counting semaphore
 * with a timeout is enough).
 *
 * Conventions:
 * - Every int-returning function returns 0 or a NetBSD errno value
 *   (<rumphost/nberrno.h>); the port translates its own values.
 * - Times are nanoseconds.  "Monotonic" is one clock that never goes back,
 *   from an arbitrary origin; deadlines are absolute values of it.
 * - "May block" means the call may put the calling thread to sleep.  The
 *   core never calls a function that may block while the calling thread
 *   holds a rump kernel virtual CPU, unless noted as short (a lock held only
 *   across a few instructions by the core itself).
 * - void functions cannot fail.  A port that cannot honour one calls
 *   rumphost_host_halt() with a message naming the function.
 * - All functions may be called from any thread the port runs, including
 *   threads the core did not create (an application thread making rump
 *   system calls), unless noted.
 */
#ifndef RUMPHOST_HOST_H
#define RUMPHOST_HOST_H

#include <stddef.h>
#include <stdint.h>

/*
 * Bumped on every incompatible change.  A port fills in the version it was
 * written for at init; the core refuses to run with any other.
 */
#define RUMPHOST_HOST_VERSION 2 /* 2: unpark may come late (below) */

struct rumphost_hthread; /* a host thread, as the port knows it */
struct rumphost_hlock;	 /* a host sleeping lock */

/* What the port tells the core once, at init. */
struct rumphost_host_info {
	int hi_version;	       /* RUMPHOST_HOST_VERSION */
	unsigned hi_ncpu;      /* host CPUs available to rump, >= 1 */
	uint64_t hi_membudget; /* memory ceiling of the whole host (the
				  core gives rump 3/4); 0: none known */
	size_t hi_minalign;    /* alignment of every alloc result; 2^n,
				  >= 2 * sizeof(void *) */
	const char *hi_name;   /* port name, for messages ("posix") */
	/*
	 * Optional (leave NULL if the port has none): one transfer like
	 * rumphost_host_preadv (write == 0) or pwritev (write != 0) of len
	 * bytes at offset off >= 0, that never waits for a device: it moves
	 * what the host can move at once (from its cache) and returns 0
	 * with *done, possibly short (even 0), or an error (EAGAIN: nothing
	 * can be moved at once; any other: not possible this way) with
	 * nothing moved.  Never blocks for long; block I/O calls it on the
	 * calling thread so that cached transfers need no handoff.
	 */
	int (*hi_rw_nowait)(int fd, int write, void *buf, size_t len,
	    int64_t off, size_t *done);
	/*
	 * Optional: rumphost_host_mono_ns()'s clock as seconds and
	 * nanoseconds (0 <= nsec < 10^9), returning 0.  Never blocks.  Saves
	 * rumpuser_clock_gettime splitting ns with a 64-bit division where
	 * the host's own clock comes in that form.
	 */
	int (*hi_mono_ts)(int64_t *sec, long *nsec);
	/*
	 * Optional: a flag that is nonzero only while the process has a
	 * single thread, and that only that thread's own actions (starting
	 * a thread) clear (glibc's __libc_single_threaded).  While it is
	 * set, no other thread can be touching a lock, so a mutex release
	 * needs no atomic read-modify-write.
	 */
	const volatile char *hi_single_threaded;
};

/*
 * Initialise the port and describe it.  Called once, by rumpuser_init(),
 * before any other function below except console_write, halt and the
 * thread-local slot.  May block.
 */
int rumphost_host_init(struct rumphost_host_info *);

/* --- memory -------------------------------------------------------- */

/*
 * Allocate len > 0 bytes aligned to hi_minalign.  Returns NULL when there
 * is no memory; never halts for that.  May block (short).
 */
void *rumphost_host_alloc(size_t len);
/* Free what alloc returned; len is exactly what was asked for. */
void rumphost_host_free(void *, size_t len);

/*
 * Map len bytes (a multiple of the page size) of zeroed, page-aligned
 * memory, executable if exec is nonzero, and unmap it again (with the same
 * len).  Returns ENOMEM, or EOPNOTSUPP for exec on a port that cannot.
 */
int rumphost_host_map(size_t len, int exec, void **);
void rumphost_host_unmap(void *, size_t len);

/* --- console and termination ---------------------------------------- */

#define RUMPHOST_CONSOLE_OUT  0 /* the rump kernel's console */
#define RUMPHOST_CONSOLE_DIAG 1 /* diagnostics (rumpuser_dprintf) */
/*
 * Write len bytes to the console or the diagnostics channel (they may be
 * the same).  Whole calls are not interleaved with each other.  Usable
 * before init, from any thread.
 */
void rumphost_host_console_write(int chan, const char *, size_t len);

/*
 * Stop everything: status is an exit code, or -1 (RUMPUSER_PANIC) for an
 * abnormal end that should leave what a debugger needs (a core dump, a
 * register dump).  Usable before init, from any thread.  Never returns.
 */
void rumphost_host_halt(int status) __attribute__((__noreturn__));

/* --- clocks ---------------------------------------------------------- */

/* The monotonic clock, ns.  Never blocks. */
uint64_t rumphost_host_mono_ns(void);
/* Wall-clock time since 1970-01-01 UTC.  Never blocks. */
int rumphost_host_wall(int64_t *sec, long *nsec);

/* --- threads ---------------------------------------------------------- */

/*
 * Start a thread that calls fn(arg).  The thread ends when fn returns or
 * calls rumphost_host_thread_exit().  name is a hint (the port may
 * truncate or ignore it), as are prio (higher is more urgent; rump kernel
 * priorities) and cpu (a host CPU index, or -1 for any).  Returns EAGAIN or
 * ENOMEM when no thread can be made.  May block (short).
 */
int rumphost_host_thread_create(
    void (*fn)(void *), void *arg, const char *name, int prio, int cpu);
/* End the calling thread, which the port created.  Never returns. */
void rumphost_host_thread_exit(void) __attribute__((__noreturn__));

/*
 * The calling thread, as a handle for unpark.  Works for every thread,
 * including ones the port did not create through this interface.  The
 * handle stays a valid argument of unpark for the life of the port, also
 * after its thread ended (see unpark).  Never blocks.
 */
struct rumphost_hthread *rumphost_host_thread_self(void);

/*
 * One pointer per thread, for the core, NULL in a new thread.  When a
 * thread that has a non-NULL slot ends (without the core having cleared
 * it), the port calls rumphost_thread_gone() with the slot's value, from
 * that thread or later; a port that cannot notice threads ending documents
 * the leak.  Never blocks; tls_get is on the hottest path there is.
 */
void *rumphost_host_tls_get(void);
void rumphost_host_tls_set(void *);

/*
 * Park the calling thread until another thread unparks it or the monotonic
 * clock reaches deadline (0: no deadline).  Each thread has one wakeup
 * token: unpark sets it, park consumes it, so an unpark that comes first
 * makes the next park return at once.  Spurious returns are allowed; the
 * core always rechecks its own condition.  Returns 0 when woken (or
 * spuriously), ETIMEDOUT when the deadline passed.  Blocks.
 */
int rumphost_host_park(uint64_t deadline);
/*
 * Give t its wakeup token.  Never blocks (it may take a short internal
 * lock); callable while holding an hlock.
 *
 * Late unparks (since RUMPHOST_HOST_VERSION 2): the core may call unpark
 * after the thread t stands for has stopped waiting, returned, or even
 * ended.  The port keeps park state type-stable: a handle's memory stays
 * park state for as long as the port runs (recycled for later threads,
 * never given back to a general allocator or unmapped), so a late unpark
 * writes to live state and causes at most a spurious return of some
 * thread's park (t's, or that of the thread the handle was reused for).
 * This lets a waker publish "woken" before unparking, with no window in
 * which the woken thread must wait for the waker to finish.
 */
void rumphost_host_unpark(struct rumphost_hthread *t);

/* Let other runnable threads run.  May block (briefly). */
void rumphost_host_yield(void);

/*
 * A sleeping lock with no owner tracking and no trylock.  The core holds
 * one only across a few instructions of its own, never across another
 * host call that may block, and never takes two at once.  create returns
 * ENOMEM; enter may block (short).
 */
int rumphost_host_lock_create(struct rumphost_hlock **);
void rumphost_host_lock_destroy(struct rumphost_hlock *);
void rumphost_host_lock_enter(struct rumphost_hlock *);
void rumphost_host_lock_exit(struct rumphost_hlock *);

/* --- entropy ---------------------------------------------------------- */

/*
 * Fill up to len (> 0) bytes of buf from the host's entropy source (a
 * real one: a CSPRNG seeded from hardware or the host kernel's pool, never
 * a clock).  With nowait set, return what is available without blocking,
 * EAGAIN if nothing is.  *got is the count written; on success it is > 0.
 * May block unless nowait.
 */
int rumphost_host_entropy(void *buf, size_t len, int nowait, size_t *got);

/* --- files and block devices ----------------------------------------- */

/* Flags of open, the same bits as RUMPUSER_OPEN_*. */
#define RUMPHOST_OPEN_RDONLY  0x0000
#define RUMPHOST_OPEN_WRONLY  0x0001
#define RUMPHOST_OPEN_RDWR    0x0002
#define RUMPHOST_OPEN_ACCMODE 0x0003
#define RUMPHOST_OPEN_CREATE  0x0004
#define RUMPHOST_OPEN_EXCL    0x0008
#define RUMPHOST_OPEN_BIO     0x0010 /* will be used for block I/O */

/* File types of fileinfo, the same values as RUMPUSER_FT_*. */
#define RUMPHOST_FT_OTHER 0
#define RUMPHOST_FT_DIR	  1
#define RUMPHOST_FT_REG	  2
#define RUMPHOST_FT_BLK	  3
#define RUMPHOST_FT_CHR	  4

/* Same layout as struct rumpuser_iovec (the core checks). */
struct rumphost_iovec {
	void *iov_base;
	size_t iov_len;
};

/*
 * Open name (in the port's own namespace: a path, a disk name) and return
 * a descriptor >= 0.  The core has checked the flags (a valid access mode,
 * known bits only).  CREATE makes a missing file (permissions are the
 * port's choice), EXCL with CREATE fails with EEXIST if it exists.  May
 * block.
 */
int rumphost_host_open(const char *name, int flags, int *fd);
int rumphost_host_close(int fd);
/* Size in bytes and RUMPHOST_FT_* type of name; either may be NULL. */
int rumphost_host_fileinfo(const char *name, uint64_t *size, int *type);

/*
 * Scatter/gather transfer at byte offset off, or at and advancing the
 * descriptor's own position when off is -1.  Transfers as much as it can,
 * retrying partial transfers and interruptions; *done is the byte count,
 * short only at end of file or on an error (then the error is returned
 * and *done says what was moved before it).  Safe to call from several
 * threads at once on one descriptor with explicit offsets.  May block.
 */
int rumphost_host_preadv(
    int fd, const struct rumphost_iovec *, size_t n, int64_t off, size_t *done);
int rumphost_host_pwritev(
    int fd, const struct rumphost_iovec *, size_t n, int64_t off, size_t *done);

/*
 * Make completed writes on fd durable (on stable storage, or as close as
 * the port can get).  May block.
 */
int rumphost_host_fsync(int fd);

/* --- process and environment ----------------------------------------- */

/*
 * Translate one of the port's own error values into a NetBSD errno (for
 * rumpuser_component_errtrans; ports without their own numbering return
 * the value as it is).  Never blocks.
 */
int rumphost_host_errno(int hosterr);

/*
 * Set the calling thread's errno, as seen by the rump kernel's clients
 * (NetBSD numbering, as given).  Never blocks.
 */
void rumphost_host_seterrno(int);

/*
 * Raise NetBSD signal sig in the process hosting the rump kernel (pid is
 * a hint, or -1).  Returns EINVAL for a signal the port cannot map.
 */
int rumphost_host_kill(int64_t pid, int sig);

/*
 * Look up a configuration value by name (environment variable, boot
 * option): copy it with its terminating NUL into buf.  Returns ENOENT
 * when unset, ERANGE when it does not fit in len.  Never blocks.
 */
int rumphost_host_getenv(const char *name, char *buf, size_t len);

/*
 * An instance name for this rump kernel, preferably unique, with its NUL;
 * ERANGE (and a NUL-terminated prefix) when it does not fit in len.
 */
int rumphost_host_hostname(char *buf, size_t len);

/*
 * Detach from the controlling terminal and parent (begin), and let the
 * parent exit with error's status (done).  Returns EOPNOTSUPP where this
 * means nothing (a kernel); a port's errors for calls out of order (done
 * before begin, begin twice) are its own, documented with the port.
 */
int rumphost_host_daemonize_begin(void);
int rumphost_host_daemonize_done(int error);

/*
 * Find rump kernel components in the objects the program is made of.  A
 * statically linked image does nothing: its link sets are reached by
 * symbol.  The callbacks mirror rumpuser_dl_bootstrap's; evcntattach is
 * NULL for the older header revision.  The tables given to symload belong
 * to the rump kernel once it returns 0 (it keeps using them); on an error
 * they are the port's to free.
 */
struct rumphost_dl_ops {
	void (*modinit)(const void *const *mi, size_t n);
	int (*symload)(
	    void *symtab, uint64_t symsize, char *strtab, uint64_t strsize);
	void (*compload)(const void *component);
	void (*evcntattach)(void *evcnt);
};
void rumphost_host_dl_bootstrap(const struct rumphost_dl_ops *);

/* --- the core's entry point for ports --------------------------------- */

/* A thread whose thread-local slot held slot has ended (see tls_get). */
void rumphost_thread_gone(void *slot);

#endif /* RUMPHOST_HOST_H */
