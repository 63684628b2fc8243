/*
 * errno.c: translation of Linux errno values into NetBSD's, and the
 * errno hypercalls (rumphost_host_errno, rumphost_host_seterrno).
 *
 * Assumes Linux's errno numbering as <errno.h> defines it (the generic
 * table, shared by x86, arm and most other ports).  The table is indexed
 * by name, not by number, so a port with different numbers still gets a
 * correct table; a value the table has no entry for is unknown.
 *
 * Choices:
 * - Unknown or negative values become EIO: the operation failed for a
 *   reason NetBSD has no word for, and EIO is what a NetBSD caller is
 *   prepared to see from any I/O path.
 * - Linux has one value for ENOTSUP and EOPNOTSUPP; it becomes NetBSD's
 *   EOPNOTSUPP (45), which is what the NetBSD kernel itself returns for
 *   unsupported operations and what the host interface promises for map.
 * - Linux-only values map to the nearest NetBSD meaning where one exists
 *   (EBADFD to EBADF, ENOMEDIUM to ENXIO, ...), else to the EIO default.
 */
#include <errno.h>
#include <stddef.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "posix.h"

static const unsigned char nbtab[] = {
    [EPERM] = RH_EPERM,
    [ENOENT] = RH_ENOENT,
    [ESRCH] = RH_ESRCH,
    [EINTR] = RH_EINTR,
    [EIO] = RH_EIO,
    [ENXIO] = RH_ENXIO,
    [E2BIG] = RH_E2BIG,
    [ENOEXEC] = RH_ENOEXEC,
    [EBADF] = RH_EBADF,
    [ECHILD] = RH_ECHILD,
    [EAGAIN] = RH_EAGAIN,
    [ENOMEM] = RH_ENOMEM,
    [EACCES] = RH_EACCES,
    [EFAULT] = RH_EFAULT,
    [ENOTBLK] = RH_ENOTBLK,
    [EBUSY] = RH_EBUSY,
    [EEXIST] = RH_EEXIST,
    [EXDEV] = RH_EXDEV,
    [ENODEV] = RH_ENODEV,
    [ENOTDIR] = RH_ENOTDIR,
    [EISDIR] = RH_EISDIR,
    [EINVAL] = RH_EINVAL,
    [ENFILE] = RH_ENFILE,
    [EMFILE] = RH_EMFILE,
    [ENOTTY] = RH_ENOTTY,
    [ETXTBSY] = RH_ETXTBSY,
    [EFBIG] = RH_EFBIG,
    [ENOSPC] = RH_ENOSPC,
    [ESPIPE] = RH_ESPIPE,
    [EROFS] = RH_EROFS,
    [EMLINK] = RH_EMLINK,
    [EPIPE] = RH_EPIPE,
    [EDOM] = RH_EDOM,
    [ERANGE] = RH_ERANGE,
    [EDEADLK] = RH_EDEADLK,
    [ENAMETOOLONG] = RH_ENAMETOOLONG,
    [ENOLCK] = RH_ENOLCK,
    [ENOSYS] = RH_ENOSYS,
    [ENOTEMPTY] = RH_ENOTEMPTY,
    [ELOOP] = RH_ELOOP,
    [ENOMSG] = RH_ENOMSG,
    [EIDRM] = RH_EIDRM,
    [ENOSTR] = RH_ENOSTR,
    [ENODATA] = RH_ENODATA,
    [ETIME] = RH_ETIME,
    [ENOSR] = RH_ENOSR,
    [ENONET] = RH_ENETUNREACH,
    [EREMOTE] = RH_EREMOTE,
    [ENOLINK] = RH_ENOLINK,
    [EPROTO] = RH_EPROTO,
    [EMULTIHOP] = RH_EMULTIHOP,
    [EBADMSG] = RH_EBADMSG,
    [EOVERFLOW] = RH_EOVERFLOW,
    [EBADFD] = RH_EBADF,
    [ELIBACC] = RH_ENOEXEC,
    [ELIBBAD] = RH_ENOEXEC,
    [ELIBSCN] = RH_ENOEXEC,
    [ELIBMAX] = RH_ENOEXEC,
    [ELIBEXEC] = RH_ENOEXEC,
    [EILSEQ] = RH_EILSEQ,
    [ERESTART] = RH_EINTR,
    [ESTRPIPE] = RH_EPIPE,
    [EUSERS] = RH_EUSERS,
    [ENOTSOCK] = RH_ENOTSOCK,
    [EDESTADDRREQ] = RH_EDESTADDRREQ,
    [EMSGSIZE] = RH_EMSGSIZE,
    [EPROTOTYPE] = RH_EPROTOTYPE,
    [ENOPROTOOPT] = RH_ENOPROTOOPT,
    [EPROTONOSUPPORT] = RH_EPROTONOSUPPORT,
    [ESOCKTNOSUPPORT] = RH_ESOCKTNOSUPPORT,
    [EOPNOTSUPP] = RH_EOPNOTSUPP,
    [EPFNOSUPPORT] = RH_EPFNOSUPPORT,
    [EAFNOSUPPORT] = RH_EAFNOSUPPORT,
    [EADDRINUSE] = RH_EADDRINUSE,
    [EADDRNOTAVAIL] = RH_EADDRNOTAVAIL,
    [ENETDOWN] = RH_ENETDOWN,
    [ENETUNREACH] = RH_ENETUNREACH,
    [ENETRESET] = RH_ENETRESET,
    [ECONNABORTED] = RH_ECONNABORTED,
    [ECONNRESET] = RH_ECONNRESET,
    [ENOBUFS] = RH_ENOBUFS,
    [EISCONN] = RH_EISCONN,
    [ENOTCONN] = RH_ENOTCONN,
    [ESHUTDOWN] = RH_ESHUTDOWN,
    [ETOOMANYREFS] = RH_ETOOMANYREFS,
    [ETIMEDOUT] = RH_ETIMEDOUT,
    [ECONNREFUSED] = RH_ECONNREFUSED,
    [EHOSTDOWN] = RH_EHOSTDOWN,
    [EHOSTUNREACH] = RH_EHOSTUNREACH,
    [EALREADY] = RH_EALREADY,
    [EINPROGRESS] = RH_EINPROGRESS,
    [ESTALE] = RH_ESTALE,
    [EDQUOT] = RH_EDQUOT,
    [ENOMEDIUM] = RH_ENXIO,
    [EMEDIUMTYPE] = RH_EFTYPE,
    [ECANCELED] = RH_ECANCELED,
    [EKEYREJECTED] = RH_EAUTH,
    [EKEYREVOKED] = RH_EAUTH,
    [EKEYEXPIRED] = RH_EAUTH,
    [ENOKEY] = RH_ENEEDAUTH,
#ifdef ERFKILL
    [ERFKILL] = RH_ENETDOWN,
#endif
};

int
rumphost_posix_errno(int e)
{

	if (e == 0)
		return 0;
	if (e < 0 || (size_t)e >= sizeof(nbtab) || nbtab[e] == 0)
		return RH_EIO;
	return nbtab[e];
}

int
rumphost_host_errno(int hosterr)
{

	return rumphost_posix_errno(hosterr);
}

/*
 * The value is already in NetBSD's numbering: the rump kernel's clients
 * on this host read it through the rump system call wrappers, which speak
 * NetBSD, not through libc's strerror.
 */
void
rumphost_host_seterrno(int value)
{

	errno = value;
}
