/*
 * NetBSD errno values.  rumpuser(3) returns these, never a host's; hosts
 * translate their own values into these once, at the host edge.  The
 * numbers are NetBSD's <sys/errno.h> ABI.
 */
#ifndef RUMPHOST_NBERRNO_H
#define RUMPHOST_NBERRNO_H

#define RH_EPERM	   1
#define RH_ENOENT	   2
#define RH_ESRCH	   3
#define RH_EINTR	   4
#define RH_EIO		   5
#define RH_ENXIO	   6
#define RH_E2BIG	   7
#define RH_ENOEXEC	   8
#define RH_EBADF	   9
#define RH_ECHILD	   10
#define RH_EDEADLK	   11
#define RH_ENOMEM	   12
#define RH_EACCES	   13
#define RH_EFAULT	   14
#define RH_ENOTBLK	   15
#define RH_EBUSY	   16
#define RH_EEXIST	   17
#define RH_EXDEV	   18
#define RH_ENODEV	   19
#define RH_ENOTDIR	   20
#define RH_EISDIR	   21
#define RH_EINVAL	   22
#define RH_ENFILE	   23
#define RH_EMFILE	   24
#define RH_ENOTTY	   25
#define RH_ETXTBSY	   26
#define RH_EFBIG	   27
#define RH_ENOSPC	   28
#define RH_ESPIPE	   29
#define RH_EROFS	   30
#define RH_EMLINK	   31
#define RH_EPIPE	   32
#define RH_EDOM		   33
#define RH_ERANGE	   34
#define RH_EAGAIN	   35
#define RH_EINPROGRESS	   36
#define RH_EALREADY	   37
#define RH_ENOTSOCK	   38
#define RH_EDESTADDRREQ	   39
#define RH_EMSGSIZE	   40
#define RH_EPROTOTYPE	   41
#define RH_ENOPROTOOPT	   42
#define RH_EPROTONOSUPPORT 43
#define RH_ESOCKTNOSUPPORT 44
#define RH_EOPNOTSUPP	   45
#define RH_EPFNOSUPPORT	   46
#define RH_EAFNOSUPPORT	   47
#define RH_EADDRINUSE	   48
#define RH_EADDRNOTAVAIL   49
#define RH_ENETDOWN	   50
#define RH_ENETUNREACH	   51
#define RH_ENETRESET	   52
#define RH_ECONNABORTED	   53
#define RH_ECONNRESET	   54
#define RH_ENOBUFS	   55
#define RH_EISCONN	   56
#define RH_ENOTCONN	   57
#define RH_ESHUTDOWN	   58
#define RH_ETOOMANYREFS	   59
#define RH_ETIMEDOUT	   60
#define RH_ECONNREFUSED	   61
#define RH_ELOOP	   62
#define RH_ENAMETOOLONG	   63
#define RH_EHOSTDOWN	   64
#define RH_EHOSTUNREACH	   65
#define RH_ENOTEMPTY	   66
#define RH_EPROCLIM	   67
#define RH_EUSERS	   68
#define RH_EDQUOT	   69
#define RH_ESTALE	   70
#define RH_EREMOTE	   71
#define RH_EBADRPC	   72
#define RH_ERPCMISMATCH	   73
#define RH_EPROGUNAVAIL	   74
#define RH_EPROGMISMATCH   75
#define RH_EPROCUNAVAIL	   76
#define RH_ENOLCK	   77
#define RH_ENOSYS	   78
#define RH_EFTYPE	   79
#define RH_EAUTH	   80
#define RH_ENEEDAUTH	   81
#define RH_EIDRM	   82
#define RH_ENOMSG	   83
#define RH_EOVERFLOW	   84
#define RH_EILSEQ	   85
#define RH_ENOTSUP	   86
#define RH_ECANCELED	   87
#define RH_EBADMSG	   88
#define RH_ENODATA	   89
#define RH_ENOSR	   90
#define RH_ENOSTR	   91
#define RH_ETIME	   92
#define RH_ENOATTR	   93
#define RH_EMULTIHOP	   94
#define RH_ENOLINK	   95
#define RH_EPROTO	   96

#endif /* RUMPHOST_NBERRNO_H */
