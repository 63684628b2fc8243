/*
 * The conformance harness: the thin layer between the tests (and the fake
 * rump kernel) and whatever runs them.  Tests and fakekernel.c use only
 * this header, the rumpuser interface, <stdint.h>, <stddef.h>, <stdbool.h>,
 * <stdarg.h> and the memcpy/strcmp family that any kernel has.  Everything else
 * (threads, clocks, isolation of one test from the next, output, files,
 * resource probes) is behind the h_* functions below, implemented for
 * POSIX hosts in harness_posix.c, so that the same tests can later run
 * inside a bare kernel with a different harness_*.c.
 */
#ifndef RHCONF_HARNESS_H
#define RHCONF_HARNESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <rump/rumpuser.h>

#define H_PRINTF(f, a) __attribute__((__format__(__printf__, f, a)))
#define H_DEAD	       __attribute__((__noreturn__))

/* --- the test table (tests.c) --------------------------------------- */

#define T_SLOW	 0x01 /* only in --slow/--all, or by name */
#define T_NOBOOT 0x02 /* the fake kernel does not boot first */

struct t_case {
	const char *name; /* group.what[.nbsd-defect] */
	void (*fn)(void);
	int flags;
	int ncpu;    /* virtual CPUs; 0: the run's default */
	int timeout; /* seconds before unslowed; 0: default */
};
extern const struct t_case t_cases[];
extern const size_t t_ncases;

/* --- verdicts (main.c) ---------------------------------------------- */

/* Record a failure and go on. */
void t_fail(const char *, int, const char *, ...) H_PRINTF(3, 4);
/* Record a failure and end the test now (from any thread). */
void t_abort(const char *, int, const char *, ...) H_PRINTF(3, 4) H_DEAD;
/* End the test as skipped, with the reason. */
void t_skip(const char *, ...) H_PRINTF(1, 2) H_DEAD;
/* A diagnostic line ("# ...") in the TAP stream. */
void t_note(const char *, ...) H_PRINTF(1, 2);
int t_failures(void);

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c))                                                      \
			t_fail(__FILE__, __LINE__, "%s", #c);                  \
	} while (0)
#define CHECKF(c, ...)                                                         \
	do {                                                                   \
		if (!(c))                                                      \
			t_fail(__FILE__, __LINE__, __VA_ARGS__);               \
	} while (0)
#define REQUIRE(c)                                                             \
	do {                                                                   \
		if (!(c))                                                      \
			t_abort(__FILE__, __LINE__, "%s", #c);                 \
	} while (0)
#define REQUIREF(c, ...)                                                       \
	do {                                                                   \
		if (!(c))                                                      \
			t_abort(__FILE__, __LINE__, __VA_ARGS__);              \
	} while (0)
#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long ce_a_ = (long long)(a);                              \
		long long ce_b_ = (long long)(b);                              \
		if (ce_a_ != ce_b_)                                            \
			t_fail(__FILE__, __LINE__,                             \
			    "%s == %lld, want %s == %lld", #a, ce_a_, #b,      \
			    ce_b_);                                            \
	} while (0)

/* --- output ----------------------------------------------------------- */

void h_printf(const char *, ...) H_PRINTF(1, 2);
void h_vprintf(const char *, va_list) H_PRINTF(1, 0);
int h_snprintf(char *, size_t, const char *, ...) H_PRINTF(3, 4);
int h_vsnprintf(char *, size_t, const char *, va_list) H_PRINTF(3, 0);

/* --- memory (for harness and fake-kernel bookkeeping) ------------------ */

void *h_malloc(size_t);
void h_free(void *);

/* --- clocks: the host's, independent of the implementation under test -- */

uint64_t h_mono_ns(void);
uint64_t h_wall_ns(void);
void h_sleep_ns(uint64_t);
void h_yield(void);
/*
 * Make the wall clock the implementation sees run `ns' ahead of (or
 * behind, negative) the real one, as if an administrator had set it.
 * false if this harness cannot.
 */
bool h_wall_shift(int64_t);

/* --- host threads, locks and condition variables ----------------------- */

struct h_thread;
struct h_thread *h_thread_start(void (*)(void *), void *);
void h_thread_wait(struct h_thread *);

struct h_lock;
struct h_lock *h_lock_new(void);
void h_lock_free(struct h_lock *);
void h_lock_enter(struct h_lock *);
void h_lock_exit(struct h_lock *);
struct h_cond;
struct h_cond *h_cond_new(void);
void h_cond_free(struct h_cond *);
void h_cond_wait(struct h_cond *, struct h_lock *);
/* false on timeout */
bool h_cond_timedwait(struct h_cond *, struct h_lock *, uint64_t);
void h_cond_broadcast(struct h_cond *);

/* One per-thread pointer slot; the destructor runs at thread exit. */
void h_tls_init(void (*)(void *));
void *h_tls_get(void);
void h_tls_set(void *);

/* --- the per-thread errno that rumpuser_seterrno targets -------------- */

/* false if the host has no such thing */
bool h_errno_get(int *);
void h_errno_set(int);

/* --- resources ----------------------------------------------------------- */

/* Bytes the process has allocated from its heap; false if unknown. */
bool h_heap_bytes(size_t *);
/* Host threads in the process; false if unknown. */
bool h_thread_count(int *);
/* Sanitizer in use: "tsan", "asan" or NULL. */
const char *h_sanitizer(void);
/* How much slower than a plain build this one runs (tolerance.h). */
unsigned h_slowdown(void);

/* --- files: each test has a private scratch directory ------------------ */

const char *h_scratch(void);
/* path = scratch/name, into buf */
void h_path(char *, size_t, const char *);
bool h_file_put(const char *, const void *, size_t);
/* bytes read, -1 on error */
long h_file_get(const char *, uint64_t, void *, size_t);
bool h_exists(const char *);
bool h_mkdir(const char *);
bool h_symlink(const char *, const char *);
bool h_mkfifo(const char *);
/* A block device this process can open for reading, or NULL. */
const char *h_blockdev(uint64_t *);
/* errno numbers of this host, for translation tests */
int h_host_errno(const char *);

/* --- isolation (used by main.c only) ---------------------------------- */

enum h_outcome { H_PASS, H_FAIL, H_SKIP, H_HANG, H_CRASH };
struct h_result {
	enum h_outcome outcome;
	int signal; /* H_CRASH */
	double seconds;
	char reason[256]; /* H_SKIP */
};
/*
 * Run fn(arg) in isolation (a child process here); its verdict is given
 * by t_* calls or by returning (pass).  Kill it after timeout seconds.
 */
void h_isolate(void (*)(void *), void *, unsigned, struct h_result *);
/*
 * Run fn(buf, len) in a fresh copy of the program state as it is now (a
 * forked child here) and bring back the len bytes it leaves in buf.
 * false if the harness cannot or the copy failed.
 */
bool h_in_child(void (*)(void *, size_t), void *, size_t);
/*
 * Run fn() in a fresh copy of the program state; how it ended: its exit
 * status (0..255), or -(signal number) if it was killed, or -1000 if the
 * harness cannot.
 */
int h_child_status(void (*)(void));
/* Give the skip reason to the isolating parent; the child then ends. */
void h_child_end(enum h_outcome, const char *) H_DEAD;
const char *h_getenv(const char *);
/* Set a configuration value the library may read; false if this cannot. */
bool h_setenv(const char *, const char *);
void h_exit(int) H_DEAD;

#endif /* RHCONF_HARNESS_H */
