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

#define PAGE_SIZE 4096UL

/* Below every block: where its host allocation starts, and its length. */
struct mem_hdr {
	void *h_raw;
	size_t h_rawlen;
};

/* One-page blocks that have a header after all (alignment > a page). */
struct odd_rec {
	struct odd_rec *o_next;
	void *o_mem;
};

static struct odd_rec *odd_list; /* wait queue lock of &odd_list */
static unsigned odd_count;	 /* atomic; entries on odd_list */

static inline uintptr_t
roundup_pow2(uintptr_t v, uintptr_t align)
{

	return (v + align - 1) & ~(align - 1);
}

static int mem_hdr_alloc(size_t len, size_t align, void **memp);
static void mem_hdr_free(void *mem);

/* Note a one-page block with a header, for free to find. */
static int
odd_alloc(size_t align, void **memp)
{
	struct rumphost_hlock *lk;
	struct odd_rec *o;
	int error;

	if ((o = rumphost_host_alloc(sizeof(*o))) == NULL)
		return RH_ENOMEM;
	if ((error = mem_hdr_alloc(PAGE_SIZE, align, memp)) != 0) {
		rumphost_host_free(o, sizeof(*o));
		return error;
	}
	o->o_mem = *memp;
	lk = rumphost_wq_lock(&odd_list);
	o->o_next = odd_list;
	odd_list = o;
	__atomic_add_fetch(&odd_count, 1, __ATOMIC_RELAXED);
	rumphost_wq_unlock(lk);
	return 0;
}

/* Was mem (one page long) made by odd_alloc?  Then it is freed here. */
static bool
odd_free(void *mem)
{
	struct odd_rec **op, *o = NULL;
	struct rumphost_hlock *lk;

	if (RH_LIKELY(__atomic_load_n(&odd_count, __ATOMIC_RELAXED) == 0))
		return false;
	lk = rumphost_wq_lock(&odd_list);
	for (op = &odd_list; *op != NULL; op = &(*op)->o_next) {
		if ((*op)->o_mem == mem) {
			o = *op;
			*op = o->o_next;
			__atomic_sub_fetch(&odd_count, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	rumphost_wq_unlock(lk);
	if (o == NULL)
		return false;
	rumphost_host_free(o, sizeof(*o));
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
	if (len == PAGE_SIZE) {
		if (align > PAGE_SIZE)
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
	if (len != PAGE_SIZE)
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

/* Mappings whose start was moved for alignment: what to give back. */
struct map_rec {
	struct map_rec *m_next;
	void *m_addr, *m_raw;
	size_t m_rawlen;
};

static struct map_rec *map_list; /* wait queue lock of &map_list */

int
rumpuser_anonmmap(
    void *prefaddr, size_t size, int alignbit, int exec, void **memp)
{
	size_t align, len;
	struct map_rec *r;
	struct rumphost_hlock *lk;
	void *raw;
	int error;

	(void)prefaddr; /* a hint; the host picks the place */
	if (size == 0 || alignbit < 0 ||
	    alignbit >= (int)sizeof(size_t) * 8 - 1)
		return RH_EINVAL;
	align = (size_t)1 << alignbit;
	len = roundup_pow2(size, PAGE_SIZE);
	if (align <= PAGE_SIZE)
		return rumphost_host_map(len, exec, memp);
	if (len > SIZE_MAX - align)
		return RH_ENOMEM;
	if ((r = rumphost_host_alloc(sizeof(*r))) == NULL)
		return RH_ENOMEM;
	if ((error = rumphost_host_map(len + align, exec, &raw)) != 0) {
		rumphost_host_free(r, sizeof(*r));
		return error;
	}
	r->m_raw = raw;
	r->m_rawlen = len + align;
	r->m_addr = (void *)roundup_pow2((uintptr_t)raw, align);
	lk = rumphost_wq_lock(&map_list);
	r->m_next = map_list;
	map_list = r;
	rumphost_wq_unlock(lk);
	*memp = r->m_addr;
	return 0;
}

void
rumpuser_unmap(void *addr, size_t size)
{
	struct map_rec **rp, *r = NULL;
	struct rumphost_hlock *lk;

	lk = rumphost_wq_lock(&map_list);
	for (rp = &map_list; *rp != NULL; rp = &(*rp)->m_next) {
		if ((*rp)->m_addr == addr) {
			r = *rp;
			*rp = r->m_next;
			break;
		}
	}
	rumphost_wq_unlock(lk);
	if (r == NULL) {
		rumphost_host_unmap(addr, roundup_pow2(size, PAGE_SIZE));
		return;
	}
	rumphost_host_unmap(r->m_raw, r->m_rawlen);
	rumphost_host_free(r, sizeof(*r));
}
