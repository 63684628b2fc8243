/*
 * rumpuser_malloc/free/anonmmap: every power-of-two alignment up to 64 KiB
 * is honoured, the whole length is usable (ASan sees an overrun), free is
 * given the exact length, and page-sized page-aligned allocations (the hot
 * path) are distinct.  A non-power-of-two alignment is EINVAL (22): that is
 * rumphost's stated behaviour for a request the contract leaves undefined.
 */
#include "fakekernel.h"
#include "tests.h"

static const size_t lens[] = {1, 7, 64, 100, 4096, 4097, 65536 + 3};

static void
aligned(size_t from, size_t to)
{
	size_t a, i;
	void *p;
	int rv;

	for (a = from; a <= to; a <<= 1) {
		for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			p = NULL;
			rv = HC(rumpuser_malloc(lens[i], (int)a, &p));
			CHECKF(rv == 0 && p != NULL, "malloc(%zu, %zu) = %d",
			    lens[i], a, rv);
			if (rv != 0 || p == NULL)
				continue;
			CHECKF(((uintptr_t)p & (a - 1)) == 0,
			    "malloc(%zu, align %zu) gave %p", lens[i], a, p);
			memset(p, 0x5a, lens[i]);
			HCV(rumpuser_free(p, lens[i]));
		}
	}
}

void
t_mem_align(void)
{
	void *p;
	int rv;

	aligned(sizeof(void *), 65536);
	/* Alignment 0: no requirement beyond what a pointer needs. */
	rv = HC(rumpuser_malloc(24, 0, &p));
	CHECK_EQ(rv, 0);
	if (rv == 0) {
		CHECK(((uintptr_t)p & (sizeof(void *) - 1)) == 0);
		memset(p, 1, 24);
		rumpuser_free(p, 24);
	}
}

/*
 * NetBSD defect: its rumpuser_malloc() passes the alignment to
 * posix_memalign(), which refuses powers of two below sizeof(void *), and
 * then abort()s: rumpuser_malloc(len, 1/2/4) kills the kernel.
 */
void
t_mem_align_small(void)
{

	aligned(1, sizeof(void *) / 2);
}

/*
 * NetBSD defect: its rumpuser_malloc() abort()s on an alignment that is
 * not a power of two (posix_memalign's EINVAL becomes a panic) instead of
 * returning EINVAL.
 */
void
t_mem_align_npot(void)
{
	static const int bad[] = {3, 24, 4097};
	void *p;
	size_t i;
	int rv;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = NULL;
		rv = HC(rumpuser_malloc(64, bad[i], &p));
		CHECKF(rv == 22, "malloc(64, align %d) = %d, want EINVAL (22)",
		    bad[i], rv);
		if (rv == 0 && p != NULL)
			rumpuser_free(p, 64);
	}
}

#define NPAGES 512
void
t_mem_pages(void)
{
	static void *pg[NPAGES];
	size_t i;
	int rv;

	for (i = 0; i < NPAGES; i++) {
		rv = HC(rumpuser_malloc(4096, 4096, &pg[i]));
		REQUIREF(rv == 0, "page %zu: malloc = %d", i, rv);
		CHECK(((uintptr_t)pg[i] & 4095) == 0);
		memset(pg[i], (int)(i & 0xff), 4096);
	}
	for (i = 0; i < NPAGES; i++) {
		CHECKF(((unsigned char *)pg[i])[4095] == (i & 0xff),
		    "page %zu overwritten: pages overlap", i);
		rumpuser_free(pg[i], 4096);
	}
	/* A large one. */
	rv = HC(rumpuser_malloc(8 << 20, 4096, &pg[0]));
	CHECK_EQ(rv, 0);
	if (rv == 0) {
		memset(pg[0], 0, 8 << 20);
		rumpuser_free(pg[0], 8 << 20);
	}
}

void
t_mem_anonmmap(void)
{
	void *p = NULL;
	size_t len = 1 << 20;
	int rv;

	rv = HC(rumpuser_anonmmap(NULL, len, 0, 0, &p));
	CHECK_EQ(rv, 0);
	if (rv == 0) {
		CHECK(((uintptr_t)p & 4095) == 0);
		memset(p, 0x33, len);
		HCV(rumpuser_unmap(p, len));
	}
}

/*
 * A request the host cannot satisfy fails with NetBSD's ENOMEM (12), and
 * the library goes on working.  Three quarters of the address space is more
 * than any host gives one allocation here.  ASan's allocator aborts on
 * such requests instead of failing them, so the test skips there.
 */
void
t_mem_enomem(void)
{
	size_t huge = (size_t)3 << (sizeof(size_t) * 8 - 2);
	void *p = NULL;

	if (h_sanitizer() != NULL)
		t_skip("the %s allocator aborts on impossible requests",
		    h_sanitizer());
	CHECK_EQ(HC(rumpuser_malloc(huge, 0, &p)), 12);
	CHECK_EQ(HC(rumpuser_malloc(huge, 4096, &p)), 12);
	CHECK_EQ(HC(rumpuser_malloc(64, 0, &p)), 0);
	rumpuser_free(p, 64);
}

/*
 * A failed allocation leaves NULL in the result: rump_hypermalloc()
 * returns that variable as it is when the caller may not sleep, so an
 * untouched one hands the rump kernel a stale pointer (seen in AdrOS as
 * "pool_prime_page: unaligned page").  NetBSD's library leaves it as
 * posix_memalign(3) does: untouched.
 */
void
t_mem_enomem_clears(void)
{
	size_t huge = (size_t)3 << (sizeof(size_t) * 8 - 2);
	void *p;

	if (h_sanitizer() != NULL)
		t_skip("the %s allocator aborts on impossible requests",
		    h_sanitizer());
	p = &p;
	CHECK_EQ(HC(rumpuser_malloc(huge, 0, &p)), 12);
	CHECKF(p == NULL, "failed malloc left %p, want NULL", p);
	p = &p;
	CHECK_EQ(HC(rumpuser_malloc(4096, 4096 * 3, &p)), 22);
	CHECKF(p == NULL, "failed malloc left %p, want NULL", p);
}
