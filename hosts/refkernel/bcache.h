/*
 * bcache.h: the host port's block cache (bcache.c), used by file.c, and
 * file.c's cached-only transfer, which init.c gives the core.
 */
#ifndef REFKERNEL_BCACHE_H
#define REFKERNEL_BCACHE_H

#include <stddef.h>
#include <stdint.h>

struct kblkdev;

/* True if there is a cache (boot parameter bcache=<KiB>, not 0). */
int bcache_on(void);
/* The write generation: changes whenever a device is written. */
uint64_t bcache_gen(void);
/* Copy the leading cached blocks of d[off, off + len); bytes copied. */
size_t bcache_read(struct kblkdev *d, uint64_t off, char *buf, size_t len);
/* Keep d[off, off + len) as just read, unless gen is out of date. */
void bcache_fill(
    struct kblkdev *d, uint64_t off, const char *buf, size_t len, uint64_t gen);
/* d[off, off + len) was (perhaps partly) written: forget it. */
void bcache_invalidate(struct kblkdev *d, uint64_t off, size_t len);
/* Drop all of d's blocks (its last descriptor closed). */
void bcache_forget(struct kblkdev *d);

/* file.c: the core's hi_rw_nowait (reads from the cache only). */
int refkernel_rw_nowait(
    int fd, int write, void *buf, size_t len, int64_t off, size_t *done);

#endif /* !REFKERNEL_BCACHE_H */
