/*
 * rumpuser(3): the hypercall interface a NetBSD rump kernel calls, as
 * rumphost declares it.  Written from the rumpuser(3) manual page and the
 * binary interface the rump kernel libraries expect; interface version 17.
 *
 * Two revisions of version 17 exist.  The default is the one that NetBSD's
 * buildrump.sh tree (2016) was compiled against.  Define
 * RUMPHOST_NETBSD_CURRENT before including this header to get the later
 * revision: rumpuser_mutex_spin_p() and a fourth (event counter) argument
 * to rumpuser_dl_bootstrap().  The two are not link compatible, so the
 * library is built for one of them (make REVISION=current).
 *
 * The header includes nothing.  The includer supplies size_t, int64_t,
 * uint64_t and pid_t (freestanding: <stddef.h>, <stdint.h> and a pid_t).
 * Every int-returning call returns 0 or a NetBSD errno value.
 */
#ifndef RUMP_RUMPUSER_H
#define RUMP_RUMPUSER_H

#define RUMPUSER_VERSION 17

struct lwp;
struct modinfo;
struct rump_component;
struct evcnt;

/* Calls back into the rump kernel, handed over once by rumpuser_init(). */
struct rumpuser_hyperup {
	void (*hyp_schedule)(void);
	void (*hyp_unschedule)(void);
	/* release: (giant locks to drop or 0 for all, count dropped, lock) */
	void (*hyp_backend_unschedule)(int, int *, void *);
	/* reacquire: (giant locks to retake, interlock) */
	void (*hyp_backend_schedule)(int, void *);
	void (*hyp_lwproc_switch)(struct lwp *);
	void (*hyp_lwproc_release)(void);
	int (*hyp_lwproc_rfork)(void *, int, const char *);
	int (*hyp_lwproc_newlwp)(pid_t);
	struct lwp *(*hyp_lwproc_curlwp)(void);
	int (*hyp_syscall)(int, void *, long *);
	void (*hyp_lwpexit)(void);
	void (*hyp_execnotify)(const char *);
	pid_t (*hyp_getpid)(void);
	void *hyp__extra[8];
};

int rumpuser_init(int, const struct rumpuser_hyperup *);

/* Memory. */
int rumpuser_malloc(size_t, int, void **);
void rumpuser_free(void *, size_t);
int rumpuser_anonmmap(void *, size_t, int, int, void **);
void rumpuser_unmap(void *, size_t);

/* Files and I/O. */
#define RUMPUSER_OPEN_RDONLY  0x0000
#define RUMPUSER_OPEN_WRONLY  0x0001
#define RUMPUSER_OPEN_RDWR    0x0002
#define RUMPUSER_OPEN_ACCMODE 0x0003
#define RUMPUSER_OPEN_CREATE  0x0004
#define RUMPUSER_OPEN_EXCL    0x0008
#define RUMPUSER_OPEN_BIO     0x0010
int rumpuser_open(const char *, int, int *);
int rumpuser_close(int);

#define RUMPUSER_FT_OTHER 0
#define RUMPUSER_FT_DIR	  1
#define RUMPUSER_FT_REG	  2
#define RUMPUSER_FT_BLK	  3
#define RUMPUSER_FT_CHR	  4
int rumpuser_getfileinfo(const char *, uint64_t *, int *);

#define RUMPUSER_BIO_READ  0x01
#define RUMPUSER_BIO_WRITE 0x02
#define RUMPUSER_BIO_SYNC  0x04
typedef void (*rump_biodone_fn)(void *, size_t, int);
void rumpuser_bio(int, int, void *, size_t, int64_t, rump_biodone_fn, void *);

/* Same layout as the kernel's struct iovec. */
struct rumpuser_iovec {
	void *iov_base;
	size_t iov_len;
};
#define RUMPUSER_IOV_NOSEEK (-1)
int rumpuser_iovread(int, struct rumpuser_iovec *, size_t, int64_t, size_t *);
int rumpuser_iovwrite(
    int, const struct rumpuser_iovec *, size_t, int64_t, size_t *);

#define RUMPUSER_SYNCFD_READ	0x01
#define RUMPUSER_SYNCFD_WRITE	0x02
#define RUMPUSER_SYNCFD_BOTH	(RUMPUSER_SYNCFD_READ | RUMPUSER_SYNCFD_WRITE)
#define RUMPUSER_SYNCFD_BARRIER 0x04
#define RUMPUSER_SYNCFD_SYNC	0x08
int rumpuser_syncfd(int, int, uint64_t, uint64_t);

/* Clocks: wall time, and a monotonic clock from an arbitrary origin. */
enum rumpclock { RUMPUSER_CLOCK_RELWALL, RUMPUSER_CLOCK_ABSMONO };
int rumpuser_clock_gettime(int, int64_t *, long *);
int rumpuser_clock_sleep(int, int64_t, long);

/* Parameters; a leading underscore marks a mandatory one. */
#define RUMPUSER_PARAM_NCPU	"_RUMPUSER_NCPU"
#define RUMPUSER_PARAM_HOSTNAME "_RUMPUSER_HOSTNAME"
int rumpuser_getparam(const char *, void *, size_t);

void rumpuser_seterrno(int);

#define RUMPUSER_PID_SELF ((int64_t)-1)
int rumpuser_kill(int64_t, int);
#define RUMPUSER_PANIC (-1)
void rumpuser_exit(int) __attribute__((__noreturn__));

void rumpuser_putchar(int);
void rumpuser_dprintf(const char *, ...)
    __attribute__((__format__(__printf__, 1, 2)));

#define RUMPUSER_RANDOM_HARD   0x01
#define RUMPUSER_RANDOM_NOWAIT 0x02
int rumpuser_getrandom(void *, size_t, int, size_t *);

/* Host threads. */
int rumpuser_thread_create(
    void *(*)(void *), void *, const char *, int, int, int, void **);
void rumpuser_thread_exit(void) __attribute__((__noreturn__));
int rumpuser_thread_join(void *);

enum rumplwpop {
	RUMPUSER_LWP_CREATE,
	RUMPUSER_LWP_DESTROY,
	RUMPUSER_LWP_SET,
	RUMPUSER_LWP_CLEAR
};
void rumpuser_curlwpop(int, struct lwp *);
struct lwp *rumpuser_curlwp(void);

/* Locks and condition variables; the structures are ours alone. */
struct rumpuser_mtx;
#define RUMPUSER_MTX_SPIN   0x01
#define RUMPUSER_MTX_KMUTEX 0x02
void rumpuser_mutex_init(struct rumpuser_mtx **, int);
void rumpuser_mutex_enter(struct rumpuser_mtx *);
void rumpuser_mutex_enter_nowrap(struct rumpuser_mtx *);
int rumpuser_mutex_tryenter(struct rumpuser_mtx *);
void rumpuser_mutex_exit(struct rumpuser_mtx *);
void rumpuser_mutex_destroy(struct rumpuser_mtx *);
void rumpuser_mutex_owner(struct rumpuser_mtx *, struct lwp **);
#ifdef RUMPHOST_NETBSD_CURRENT
int rumpuser_mutex_spin_p(struct rumpuser_mtx *);
#endif

struct rumpuser_rw;
enum rumprwlock { RUMPUSER_RW_READER, RUMPUSER_RW_WRITER };
void rumpuser_rw_init(struct rumpuser_rw **);
void rumpuser_rw_enter(int, struct rumpuser_rw *);
int rumpuser_rw_tryenter(int, struct rumpuser_rw *);
int rumpuser_rw_tryupgrade(struct rumpuser_rw *);
void rumpuser_rw_downgrade(struct rumpuser_rw *);
void rumpuser_rw_exit(struct rumpuser_rw *);
void rumpuser_rw_destroy(struct rumpuser_rw *);
void rumpuser_rw_held(int, struct rumpuser_rw *, int *);

struct rumpuser_cv;
void rumpuser_cv_init(struct rumpuser_cv **);
void rumpuser_cv_destroy(struct rumpuser_cv *);
void rumpuser_cv_wait(struct rumpuser_cv *, struct rumpuser_mtx *);
void rumpuser_cv_wait_nowrap(struct rumpuser_cv *, struct rumpuser_mtx *);
int rumpuser_cv_timedwait(
    struct rumpuser_cv *, struct rumpuser_mtx *, int64_t, int64_t);
void rumpuser_cv_signal(struct rumpuser_cv *);
void rumpuser_cv_broadcast(struct rumpuser_cv *);
void rumpuser_cv_has_waiters(struct rumpuser_cv *, int *);

/* Component discovery in the objects the program is made of. */
typedef void (*rump_modinit_fn)(const struct modinfo *const *, size_t);
typedef int (*rump_symload_fn)(void *, uint64_t, char *, uint64_t);
typedef void (*rump_compload_fn)(const struct rump_component *);
#ifdef RUMPHOST_NETBSD_CURRENT
typedef void (*rump_evcntattach_fn)(struct evcnt *);
void rumpuser_dl_bootstrap(
    rump_modinit_fn, rump_symload_fn, rump_compload_fn, rump_evcntattach_fn);
#else
void rumpuser_dl_bootstrap(rump_modinit_fn, rump_symload_fn, rump_compload_fn);
#endif

int rumpuser_daemonize_begin(void);
int rumpuser_daemonize_done(int);

/*
 * The syscall proxy server (rump_sp(7)): librumpkern_sysproxy serves
 * system calls to remote clients through these.  arg is the server's
 * handle of the client process (what it passed to hyp_lwproc_rfork).
 * The copy calls return EFAULT when the client cannot be reached.
 */
int rumpuser_sp_init(const char *, const char *, const char *, const char *);
int rumpuser_sp_copyin(void *, const void *, void *, size_t);
int rumpuser_sp_copyinstr(void *, const void *, void *, size_t *);
int rumpuser_sp_copyout(void *, const void *, void *, size_t);
int rumpuser_sp_copyoutstr(void *, const void *, void *, size_t *);
int rumpuser_sp_anonmmap(void *, size_t, void **);
int rumpuser_sp_raise(void *, int);
void rumpuser_sp_fini(void *);

#endif /* RUMP_RUMPUSER_H */
