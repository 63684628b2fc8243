/*
 * heap.c: the kernel heap.  Callers give the size back to kfree (the
 * host interface does), so there are no headers: sizes up to 2 KiB come
 * from power-of-two size classes carved out of whole pages, larger ones
 * are page runs.  Every block is 16-byte aligned and zeroed (but those of
 * kmalloc_nozero, which the host port's rumpuser_malloc uses: the rump
 * kernel zeroes what it needs zeroed).  Class free
 * lists and the byte count are protected by interrupts off.  Pages given
 * to a class stay there (small objects are recycled, not returned).
 */
#include <kern/kernel.h>

#define NCLASS	 8 /* 16 .. 2048 */
#define MINSHIFT 4

struct freeblk {
	struct freeblk *next;
};

static struct freeblk *freelist[NCLASS];
static size_t inuse;

static int
sizeclass(size_t len)
{
	int c = 0;

	while (((size_t)1 << (c + MINSHIFT)) < len)
		c++;
	return c;
}

static void *heap_alloc(size_t len, int zero);

void *
kmalloc(size_t len)
{

	return heap_alloc(len, 1);
}

/* kmalloc without the zeroing, for callers that fill the block anyway. */
void *
kmalloc_nozero(size_t len)
{

	return heap_alloc(len, 0);
}

static void *
heap_alloc(size_t len, int zero)
{
	struct freeblk *b;
	size_t sz, off;
	uint64_t s;
	char *pg;
	int c;

	if (len == 0)
		len = 1;
	if (len > 2048) {
		b = zero ? page_alloc((len + PAGE_SIZE - 1) / PAGE_SIZE)
			 : page_alloc_nozero((len + PAGE_SIZE - 1) / PAGE_SIZE);
		if (b != NULL)
			__atomic_add_fetch(&inuse, len, __ATOMIC_RELAXED);
		return b;
	}
	c = sizeclass(len);
	sz = (size_t)1 << (c + MINSHIFT);
	s = intr_disable();
	if (freelist[c] == NULL) {
		intr_restore(s);
		if ((pg = page_alloc(1)) == NULL)
			return NULL;
		s = intr_disable();
		for (off = 0; off < PAGE_SIZE; off += sz) {
			b = (struct freeblk *)(pg + off);
			b->next = freelist[c];
			freelist[c] = b;
		}
	}
	b = freelist[c];
	freelist[c] = b->next;
	inuse += len;
	intr_restore(s);
	if (zero)
		memset(b, 0, sz);
	return b;
}

void
kfree(void *p, size_t len)
{
	struct freeblk *b = p;
	uint64_t s;
	int c;

	if (p == NULL)
		return;
	if (len == 0)
		len = 1;
	if (len > 2048) {
		page_free(p, (len + PAGE_SIZE - 1) / PAGE_SIZE);
		__atomic_sub_fetch(&inuse, len, __ATOMIC_RELAXED);
		return;
	}
	c = sizeclass(len);
	s = intr_disable();
	b->next = freelist[c];
	freelist[c] = b;
	inuse -= len;
	intr_restore(s);
}

size_t
heap_bytes_in_use(void)
{

	return __atomic_load_n(&inuse, __ATOMIC_RELAXED);
}
