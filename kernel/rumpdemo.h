/*
 * rumpdemo.h: the rump-in-ring-0 demonstration (rumpdemo.c), present in
 * kernels built with RUMP_KERNEL_PREFIX.  rumpdemo_main() runs in a kernel
 * thread after dev_init() and leaves QEMU with code 0 when every check
 * passed, 1 otherwise (machine_exit); with the boot parameter rumpidle=1
 * it returns after a pass, the rump kernel left booted.
 */
#ifndef RUMPDEMO_H
#define RUMPDEMO_H

#include <stddef.h>
#include <stdint.h>

void rumpdemo_main(void);

/* zlib's CRC-32 of p[0..n) continuing from crc (0 to start). */
uint32_t demo_crc32(uint32_t crc, const void *p, size_t n);
/* Print "<what> <bytes> bytes in <us> us: <MB/s> MB/s". */
void demo_rate(const char *what, uint64_t bytes, uint64_t ns);

/* vblktest.c: the driver under several threads; returns the errors. */
int vblktest_run(void);

#endif /* !RUMPDEMO_H */
