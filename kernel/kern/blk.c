/*
 * blk.c: the block device registry drivers fill (kblk_register) and the
 * host port's open() searches (kblk_lookup), and a RAM disk driver the
 * kernel uses for tests.  Devices are never unregistered; the registry
 * is protected by interrupts off.
 */
#include <kern/kernel.h>

#include <rumphost/nberrno.h>

#define MAXBLK 64

static struct kblkdev *devs[MAXBLK];
static int ndevs;

int
kblk_register(struct kblkdev *d)
{
	uint64_t s = intr_disable();

	if (ndevs == MAXBLK) {
		intr_restore(s);
		return RH_ENOSPC;
	}
	devs[ndevs++] = d;
	intr_restore(s);
	kprintf("blk: %s, %lu bytes, %u-byte sectors\n", d->name,
	    (unsigned long)d->size, d->secsize);
	return 0;
}

struct kblkdev *
kblk_lookup(const char *name)
{
	int i, n = __atomic_load_n(&ndevs, __ATOMIC_ACQUIRE);

	for (i = 0; i < n; i++)
		if (strcmp(devs[i]->name, name) == 0)
			return devs[i];
	return NULL;
}

int
kblk_count(void)
{

	return __atomic_load_n(&ndevs, __ATOMIC_ACQUIRE);
}

/* RAM disk: the bytes are the softc; transfers are copies. */
static int
ram_rw(struct kblkdev *d, int write, uint64_t off, void *buf, size_t len)
{

	uint64_t end = (d->size + d->secsize - 1) / d->secsize * d->secsize;

	/* The last sector may be partial: its storage is a whole page. */
	if (off > end || len > end - off)
		return RH_EIO;
	if (write)
		memcpy((char *)d->softc + off, buf, len);
	else
		memcpy(buf, (char *)d->softc + off, len);
	return 0;
}

static int
ram_flush(struct kblkdev *d)
{

	(void)d;
	return 0;
}

struct kblkdev *
kblk_ramdisk(const char *name, uint64_t size)
{
	struct kblkdev *d;
	char *nm;
	size_t nl = strlen(name) + 1;

	if ((d = kmalloc(sizeof(*d))) == NULL)
		return NULL;
	if ((nm = kmalloc(nl)) == NULL ||
	    (size > 0 &&
		(d->softc = page_alloc((size + PAGE_SIZE - 1) / PAGE_SIZE)) ==
		    NULL)) {
		kfree(nm, nl);
		kfree(d, sizeof(*d));
		return NULL;
	}
	memcpy(nm, name, nl);
	d->name = nm;
	d->size = size;
	d->secsize = 512;
	d->rw = ram_rw;
	d->flush = ram_flush;
	if (kblk_register(d) != 0)
		return NULL;
	return d;
}
