/*
 * Pages: the fast path of rumpuser_malloc/free for blocks of exactly one
 * page, which is what the rump kernel's page allocator asks for (every
 * page of its page cache, anonymous memory and tmpfs data).
 *
 * Model: pages are cut from chunks the host maps (page-aligned, so no
 * header is needed: a one-page block costs one page, not two), and a
 * freed page goes on a free list threaded through the pages themselves.
 * Each thread with a core record (struct rumphost_thr) keeps a private
 * list of up to PG_TCACHE pages, so the hot path is a thread-local slot
 * read and two stores, with no atomic operation; it trades PG_BATCH
 * pages at a time with the global list, which the wait queue lock of &pg
 * protects.  A thread's pages go back to the global list when its record
 * is freed (rumphost_pages_flush).
 *
 * Freed pages are reused, never given back to the host: the rump kernel
 * bounds its own page use (RUMP_MEMLIMIT, its pagedaemon), so what it
 * freed it will ask for again.  Chunks are PG_CHUNK bytes; a chunk still
 * being cut is handed out page by page, so its untouched pages cost the
 * host nothing until used.
 *
 * Freeing is keyed on the length given at free (rumpuser(3) passes the
 * allocation's length): mem.c routes every one-page block here, except
 * those asked with an alignment above a page, which it records.
 *
 * Assumes: host map (zeroed page-aligned memory), the thread-local slot,
 * wait queue locks.
 */
#include "core.h"

#define PG_CHUNK  (64 * RH_PAGE_SIZE) /* one host mapping */
#define PG_TCACHE 64		      /* pages a thread keeps */
#define PG_BATCH  32		      /* pages moved at once */

struct rumphost_pgfree {
	struct rumphost_pgfree *f_next;
};

/* Every field under the wait queue lock of &pg. */
static struct {
	struct rumphost_pgfree *p_free; /* freed pages */
	char *p_cut;			/* next page of the chunk being cut */
	size_t p_left;			/* bytes left in it */
} pg;

/*
 * With the lock held: up to n pages onto *listp, from the free list or
 * the chunk being cut.  Returns how many (0: both empty).
 */
static unsigned
pg_take(struct rumphost_pgfree **listp, unsigned n)
{
	struct rumphost_pgfree *f;
	unsigned i;

	for (i = 0; i < n; i++) {
		if ((f = pg.p_free) != NULL) {
			pg.p_free = f->f_next;
		} else if (pg.p_left > 0) {
			f = (struct rumphost_pgfree *)pg.p_cut;
			pg.p_cut += RH_PAGE_SIZE;
			pg.p_left -= RH_PAGE_SIZE;
		} else {
			break;
		}
		f->f_next = *listp;
		*listp = f;
	}
	return i;
}

/* A new chunk to cut from; the host call is made without the lock. */
static int
pg_grow(void)
{
	struct rumphost_hlock *lk;
	struct rumphost_pgfree *f;
	void *chunk;
	int error;

	if ((error = rumphost_host_map(PG_CHUNK, 0, &chunk)) != 0)
		return error;
	lk = rumphost_wq_lock(&pg);
	/* Another thread grew meanwhile: free what is left of its chunk. */
	while (pg.p_left > 0) {
		f = (struct rumphost_pgfree *)pg.p_cut;
		f->f_next = pg.p_free;
		pg.p_free = f;
		pg.p_cut += RH_PAGE_SIZE;
		pg.p_left -= RH_PAGE_SIZE;
	}
	pg.p_cut = chunk;
	pg.p_left = PG_CHUNK;
	rumphost_wq_unlock(lk);
	return 0;
}

/* Up to n pages onto *listp, growing if needed; 0 only without memory. */
static unsigned
pg_refill(struct rumphost_pgfree **listp, unsigned n)
{
	struct rumphost_hlock *lk;
	unsigned got;

	for (;;) {
		lk = rumphost_wq_lock(&pg);
		got = pg_take(listp, n);
		rumphost_wq_unlock(lk);
		if (got > 0 || pg_grow() != 0)
			return got;
	}
}

/* Give n pages of the list *listp back to the global list. */
static void
pg_give(struct rumphost_pgfree **listp, unsigned n)
{
	struct rumphost_hlock *lk;
	struct rumphost_pgfree *f;

	lk = rumphost_wq_lock(&pg);
	while (n-- > 0 && (f = *listp) != NULL) {
		*listp = f->f_next;
		f->f_next = pg.p_free;
		pg.p_free = f;
	}
	rumphost_wq_unlock(lk);
}

void *
rumphost_page_alloc(void)
{
	struct rumphost_thr *t = rumphost_thr_self();
	struct rumphost_pgfree *f = NULL;

	if (RH_UNLIKELY(t == NULL)) {
		(void)pg_refill(&f, 1);
		return f;
	}
	if (RH_UNLIKELY(t->t_pages == NULL))
		t->t_npages += pg_refill(&t->t_pages, PG_BATCH);
	if ((f = t->t_pages) != NULL) {
		t->t_pages = f->f_next;
		t->t_npages--;
	}
	return f;
}

void
rumphost_page_free(void *p)
{
	struct rumphost_thr *t = rumphost_host_tls_get();
	struct rumphost_pgfree *f = p;

	if (RH_UNLIKELY(t == NULL)) {
		f->f_next = NULL;
		pg_give(&f, 1);
		return;
	}
	if (RH_UNLIKELY(t->t_npages >= PG_TCACHE)) {
		pg_give(&t->t_pages, PG_BATCH);
		t->t_npages -= PG_BATCH;
	}
	f->f_next = t->t_pages;
	t->t_pages = f;
	t->t_npages++;
}

void
rumphost_pages_flush(struct rumphost_thr *t)
{

	if (t->t_npages > 0)
		pg_give(&t->t_pages, t->t_npages);
	t->t_pages = NULL;
	t->t_npages = 0;
}
