/*
 * Internal interface shared by the files of the POSIX (Linux, glibc) host.
 * Nothing here is exported from librumpuser: the library is built with
 * hidden visibility and a version script, and every name carries the
 * rumphost_posix_ prefix so that the static archive cannot clash either.
 */
#ifndef RUMPHOST_POSIX_H
#define RUMPHOST_POSIX_H

/*
 * Translate a Linux errno value into NetBSD's numbering.  The one table
 * lives in errno.c; every host function translates through it, once, at
 * the point where a Linux call failed.
 */
int rumphost_posix_errno(int);
/* The hi_rw_nowait of the host info (file.c). */
int rumphost_posix_rw_nowait(
    int fd, int write, void *buf, size_t len, int64_t off, size_t *done);
/* The one with RUMPHOST_BIO_INLINE=0: refuses every transfer (file.c). */
int rumphost_posix_rw_refuse(
    int fd, int write, void *buf, size_t len, int64_t off, size_t *done);
/* The hi_mono_ts of the host info (clock.c). */
int rumphost_posix_mono_ts(int64_t *sec, long *nsec);

/*
 * A void host function met a failure it cannot report: print what failed
 * and why on the diagnostics channel, then halt with RUMPUSER_PANIC.
 */
void rumphost_posix_fatal(const char *, int) __attribute__((__noreturn__));

#endif /* RUMPHOST_POSIX_H */
