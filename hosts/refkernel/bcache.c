/*
 * bcache.c: a small cache of device blocks read by the rump kernel, the
 * host's counterpart of the page cache a POSIX host has below its files.
 *
 * Why: the rump kernel (NetBSD 7/8's rump VM) reads every read-ahead
 * range a second time: its asynchronous read completion unbusies the
 * pages without marking them valid (PG_FAKE stays), so the demand read
 * that follows finds them invalid and reads them again.  On a POSIX host
 * the second read is a copy from Linux's page cache; here it would be a
 * second device request.  This cache makes it a copy again, and lets the
 * core complete such reads on the caller's thread (hi_rw_nowait).
 *
 * Model: BC_BLOCK-byte blocks keyed by (device, block number), found by
 * hash, replaced first in first out; bcache=<KiB> of them (a boot
 * parameter; default 0, no cache: under QEMU's software emulation the
 * copies into the cache cost about what the saved requests did, see
 * docs/architecture.md).  Only whole aligned blocks are kept, and a
 * device's are dropped when its last descriptor closes (as a POSIX host
 * drops a block device's cache).  Coherence: every write through the
 * port invalidates the blocks it touches and advances the write
 * generation; a read fills the cache only if no write happened since it
 * started (so a read racing a write never leaves old data behind).
 * Assumes every write to a device the rump kernel has open goes through
 * the port (file.c): the kernel's own users of a device (vblktest) never
 * write one rump uses.
 *
 * Everything is protected by bclock (a sleeping lock; copies of a block
 * are made holding it: one CPU).
 */
#include <kern/kernel.h>

#include "bcache.h"

#define BC_BLOCK   4096u
#define BC_DEFAULT 0 /* KiB: no cache unless asked for */
#define BC_MAXBLK  65536u
#define BC_NONE	   0xffffffffu

struct bc_ent {
	struct kblkdev *dev; /* NULL: free */
	uint64_t blk;
	uint32_t next; /* hash chain */
};

static struct klock bclock;
static int bc_state; /* 0: not set up, 1: on, -1: off */
static uint32_t bc_nblk, bc_nhash, bc_hand;
static struct bc_ent *bc_ent;
static uint32_t *bc_hash;
static char *bc_data;
static uint64_t bc_gen;

static uint32_t
bc_slot(const struct kblkdev *d, uint64_t blk)
{
	uint64_t h = (blk ^ ((uintptr_t)d >> 4)) * 0x9e3779b97f4a7c15ULL;

	return (uint32_t)(h >> 40) & (bc_nhash - 1);
}

/* Set up on first use (bclock held); false when there is no cache. */
static int
bc_setup(void)
{
	const char *v;
	uint64_t kib = BC_DEFAULT;
	uint32_t i;

	if (bc_state != 0)
		return bc_state > 0;
	bc_state = -1;
	if (param_get("bcache", &v) == 0)
		for (kib = 0; *v >= '0' && *v <= '9'; v++)
			kib = kib * 10 + (uint64_t)(*v - '0');
	bc_nblk = (uint32_t)(kib * 1024 / BC_BLOCK);
	if (bc_nblk > BC_MAXBLK)
		bc_nblk = BC_MAXBLK;
	if (bc_nblk == 0)
		return 0;
	for (bc_nhash = 1; bc_nhash < 2 * bc_nblk; bc_nhash <<= 1)
		continue;
	bc_ent =
	    page_alloc((bc_nblk * sizeof(*bc_ent) + PAGE_SIZE - 1) / PAGE_SIZE);
	bc_hash = page_alloc(
	    (bc_nhash * sizeof(*bc_hash) + PAGE_SIZE - 1) / PAGE_SIZE);
	bc_data = page_alloc_nozero(bc_nblk * (BC_BLOCK / PAGE_SIZE));
	if (bc_ent == NULL || bc_hash == NULL || bc_data == NULL) {
		kprintf("bcache: no memory for %u blocks: off\n", bc_nblk);
		return 0;
	}
	for (i = 0; i < bc_nhash; i++)
		bc_hash[i] = BC_NONE;
	bc_state = 1;
	return 1;
}

static uint32_t
bc_find(const struct kblkdev *d, uint64_t blk)
{
	uint32_t i;

	for (i = bc_hash[bc_slot(d, blk)]; i != BC_NONE; i = bc_ent[i].next)
		if (bc_ent[i].dev == d && bc_ent[i].blk == blk)
			return i;
	return BC_NONE;
}

static void
bc_unlink(uint32_t e)
{
	uint32_t *pp = &bc_hash[bc_slot(bc_ent[e].dev, bc_ent[e].blk)];

	while (*pp != e)
		pp = &bc_ent[*pp].next;
	*pp = bc_ent[e].next;
	bc_ent[e].dev = NULL;
}

int
bcache_on(void)
{
	int on;

	klock_enter(&bclock);
	on = bc_setup();
	klock_exit(&bclock);
	return on;
}

uint64_t
bcache_gen(void)
{

	return __atomic_load_n(&bc_gen, __ATOMIC_RELAXED);
}

size_t
bcache_read(struct kblkdev *d, uint64_t off, char *buf, size_t len)
{
	size_t done = 0;
	uint32_t e;

	if (off % BC_BLOCK != 0)
		return 0;
	klock_enter(&bclock);
	if (bc_setup()) {
		while (len - done >= BC_BLOCK &&
		    (e = bc_find(d, (off + done) / BC_BLOCK)) != BC_NONE) {
			memcpy(buf + done, bc_data + (size_t)e * BC_BLOCK,
			    BC_BLOCK);
			done += BC_BLOCK;
		}
	}
	klock_exit(&bclock);
	return done;
}

void
bcache_fill(
    struct kblkdev *d, uint64_t off, const char *buf, size_t len, uint64_t gen)
{
	uint64_t skip = (BC_BLOCK - off % BC_BLOCK) % BC_BLOCK, blk;
	uint32_t e;

	if (len < skip + BC_BLOCK)
		return;
	off += skip;
	buf += skip;
	len -= skip;
	klock_enter(&bclock);
	if (bc_setup() && gen == bc_gen) {
		for (; len >= BC_BLOCK;
		     off += BC_BLOCK, buf += BC_BLOCK, len -= BC_BLOCK) {
			blk = off / BC_BLOCK;
			if ((e = bc_find(d, blk)) == BC_NONE) {
				e = bc_hand;
				bc_hand = (bc_hand + 1) % bc_nblk;
				if (bc_ent[e].dev != NULL)
					bc_unlink(e);
				bc_ent[e].dev = d;
				bc_ent[e].blk = blk;
				bc_ent[e].next = bc_hash[bc_slot(d, blk)];
				bc_hash[bc_slot(d, blk)] = e;
			}
			memcpy(bc_data + (size_t)e * BC_BLOCK, buf, BC_BLOCK);
		}
	}
	klock_exit(&bclock);
}

void
bcache_invalidate(struct kblkdev *d, uint64_t off, size_t len)
{
	uint64_t blk, end = (off + len + BC_BLOCK - 1) / BC_BLOCK;
	uint32_t e;

	klock_enter(&bclock);
	__atomic_store_n(&bc_gen, bc_gen + 1, __ATOMIC_RELAXED);
	if (bc_state > 0)
		for (blk = off / BC_BLOCK; blk < end; blk++)
			if ((e = bc_find(d, blk)) != BC_NONE)
				bc_unlink(e);
	klock_exit(&bclock);
}

void
bcache_forget(struct kblkdev *d)
{
	uint32_t e;

	klock_enter(&bclock);
	__atomic_store_n(&bc_gen, bc_gen + 1, __ATOMIC_RELAXED);
	if (bc_state > 0)
		for (e = 0; e < bc_nblk; e++)
			if (bc_ent[e].dev == d)
				bc_unlink(e);
	klock_exit(&bclock);
}
