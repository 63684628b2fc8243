/* sys/types.h for code built against the kernel: the types it names. */
#ifndef KLIBC_SYS_TYPES_H
#define KLIBC_SYS_TYPES_H

#include <stdint.h>

typedef long ssize_t;
typedef int64_t off_t;
typedef int pid_t;

#endif /* !KLIBC_SYS_TYPES_H */
