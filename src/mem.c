/*
 * Memory: rumpuser_malloc/free and rumpuser_anonmmap/unmap.
 *
 * Model: the host allocates with one fixed minimum alignment and wants the
 * exact length back at free.  Every block we hand out carries a header
 * just below it recording the host block it was cut from; any power-of-two
 * alignment is served by asking the host for len + alignment bytes and
 * rounding up inside.  The header costs hi_minalign bytes per block (or
 * up to the alignment for aligned ones).
 *
 * One-page blocks, the rump kernel's hot path, have no header: they come
 * from pages.c, and free recognises them by the length it is given (which
 * rumpuser(3) says is the allocation's).  The rare one-page block asked
 * with an alignment above a page takes the header path and is recorded
 * on odd_list, which free searches only while it is non-empty.
 *
 * anonmmap asks the host for zeroed pages and over-maps for alignments
 * beyond a page; a short list remembers what unmap must give back.
 *
 * Assumes: host alloc/free/map/unmap.
 */
#include "core.h"

/* Below every block: where its host allocation starts, and its length. */
struct mem_hdr {
	void *h_raw;
	size_t h_rawlen;
};

/*
 * A block free or unmap must recognise by its address: a one-page block
 * with a header (alignment above a page; odd_list) or a mapping whose
 * start was moved for alignment (map_list; r_raw, r_rawlen say what to
 * give back).  Each list is protected by the wait queue lock of its head.
 */
struct mem_rec {
	struct mem_rec *r_next;
	void *r_addr;
	void *r_raw;
	size_t r_rawlen;
};

static struct mem_rec *odd_list;
static unsigned odd_count; /* atomic; entries on odd_list */
static struct mem_rec *map_list;

static inline uintptr_t
roundup_pow2(uintptr_t v, uintptr_t align)
{

	return (v + align - 1) & ~(align - 1);
}

/* Put r, its r_addr set, on the list *listp. */
static void
rec_put(struct mem_rec **listp, struct mem_rec *r)
{
	struct rumphost_hlock *lk;

	lk = rumphost_wq_lock(listp);
	r->r_next = *listp;
	*listp = r;
	rumphost_wq_unlock(lk);
}

/* Take the record of addr off the list *listp; NULL if it has none. */
static struct mem_rec *
rec_take(struct mem_rec **listp, void *addr)
{
	struct mem_rec **rp, *r = NULL;
	struct rumphost_hlock *lk;

	lk = rumphost_wq_lock(listp);
	for (rp = listp; *rp != NULL; rp = &(*rp)->r_next) {
		if ((*rp)->r_addr == addr) {
			r = *rp;
			*rp = r->r_next;
			break;
		}
	}
	rumphost_wq_unlock(lk);
	return r;
}

static int mem_hdr_alloc(size_t len, size_t align, void **memp);
static void mem_hdr_free(void *mem);

/* Note a one-page block with a header, for free to find. */
static int
odd_alloc(size_t align, void **memp)
{
	struct mem_rec *r;
	int error;

	if ((r = rumphost_host_alloc(sizeof(*r))) == NULL)
		return RH_ENOMEM;
	if ((error = mem_hdr_alloc(RH_PAGE_SIZE, align, memp)) != 0) {
		rumphost_host_free(r, sizeof(*r));
		return error;
	}
	r->r_addr = *memp;
	__atomic_add_fetch(&odd_count, 1, __ATOMIC_RELAXED);
	rec_put(&odd_list, r);
	return 0;
}

/* Was mem (one page long) made by odd_alloc?  Then it is freed here. */
static bool
odd_free(void *mem)
{
	struct mem_rec *r;

	if (RH_LIKELY(__atomic_load_n(&odd_count, __ATOMIC_RELAXED) == 0) ||
	    (r = rec_take(&odd_list, mem)) == NULL)
		return false;
	__atomic_sub_fetch(&odd_count, 1, __ATOMIC_RELAXED);
	rumphost_host_free(r, sizeof(*r));
	mem_hdr_free(mem);
	return true;
}

int
rumpuser_malloc(size_t len, int alignment, void **memp)
{
	size_t align = (size_t)alignment;

	/* A failure leaves NULL: rump_hypermalloc() may return *memp as is. */
	*memp = NULL;
	if (alignment < 0 || (align & (align - 1)) != 0)
		return RH_EINVAL;
	if (len == RH_PAGE_SIZE) {
		if (align > RH_PAGE_SIZE)
			return odd_alloc(align, memp);
		if ((*memp = rumphost_page_alloc()) == NULL)
			return RH_ENOMEM;
		return 0;
	}
	return mem_hdr_alloc(len, align, memp);
}

void
rumpuser_free(void *mem, size_t len)
{

	if (mem == NULL)
		return;
	if (len != RH_PAGE_SIZE)
		mem_hdr_free(mem);
	else if (!odd_free(mem))
		rumphost_page_free(mem);
}

static int
mem_hdr_alloc(size_t len, size_t align, void **memp)
{
	size_t minalign = rumphost_info.hi_minalign;
	size_t rawlen;
	uintptr_t raw, p;

	if (align < minalign)
		align = minalign;
	/* The header needs room below the block: at least minalign. */
	if (len > SIZE_MAX - 2 * align)
		return RH_ENOMEM;
	rawlen = len + align;
	if ((raw = (uintptr_t)rumphost_host_alloc(rawlen)) == 0)
		return RH_ENOMEM;
	/* raw is minalign-aligned, so p - raw is in [minalign, align]. */
	p = roundup_pow2(raw + 1, align);
	((struct mem_hdr *)p)[-1].h_raw = (void *)raw;
	((struct mem_hdr *)p)[-1].h_rawlen = rawlen;
	*memp = (void *)p;
	return 0;
}

static void
mem_hdr_free(void *mem)
{
	struct mem_hdr *h;

	h = (struct mem_hdr *)mem - 1;
	rumphost_host_free(h->h_raw, h->h_rawlen);
}

int
rumpuser_anonmmap(
    void *prefaddr, size_t size, int alignbit, int exec, void **memp)
{
	size_t align, len;
	struct mem_rec *r;
	void *raw;
	int error;

	(void)prefaddr; /* a hint; the host picks the place */
	if (size == 0 || alignbit < 0 ||
	    alignbit >= (int)sizeof(size_t) * 8 - 1)
		return RH_EINVAL;
	align = (size_t)1 << alignbit;
	len = roundup_pow2(size, RH_PAGE_SIZE);
	if (align <= RH_PAGE_SIZE)
		return rumphost_host_map(len, exec, memp);
	if (len > SIZE_MAX - align)
		return RH_ENOMEM;
	if ((r = rumphost_host_alloc(sizeof(*r))) == NULL)
		return RH_ENOMEM;
	if ((error = rumphost_host_map(len + align, exec, &raw)) != 0) {
		rumphost_host_free(r, sizeof(*r));
		return error;
	}
	r->r_raw = raw;
	r->r_rawlen = len + align;
	r->r_addr = (void *)roundup_pow2((uintptr_t)raw, align);
	*memp = r->r_addr;
	rec_put(&map_list, r);
	return 0;
}

void
rumpuser_unmap(void *addr, size_t size)
{
	struct mem_rec *r;

	if ((r = rec_take(&map_list, addr)) == NULL) {
		rumphost_host_unmap(addr, roundup_pow2(size, RH_PAGE_SIZE));
		return;
	}
	rumphost_host_unmap(r->r_raw, r->r_rawlen);
	rumphost_host_free(r, sizeof(*r));
}
