/*
 * vm.c: address translation.  The boot page tables (boot.S) identity map
 * 0-4 GiB with 2 MiB pages, 3-4 GiB uncached; kvtophys walks them (so a
 * later non-identity mapping stays correct), kmap_device identity maps
 * device memory uncached, adding 2 MiB mappings above 4 GiB on demand.
 * Page table updates happen with interrupts off.
 */
#include <kern/kernel.h>

#define PTE_P  0x001ULL
#define PTE_W  0x002ULL
#define PTE_WT 0x008ULL
#define PTE_CD 0x010ULL
#define PTE_PS 0x080ULL
#define PTE_A  0x000ffffffffff000ULL

static uint64_t *
table(uint64_t e)
{

	return (uint64_t *)(uintptr_t)(e & PTE_A);
}

void
vm_init(void)
{
	uint64_t cr0, cr4;

	/* SSE for the userland-ABI code the kernel runs (core, rump). */
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 &= ~(1ULL << 2);		  /* EM */
	cr0 |= (1ULL << 1) | (1ULL << 5); /* MP, NE */
	__asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= (1ULL << 9) | (1ULL << 10); /* OSFXSR, OSXMMEXCPT */
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	__asm__ volatile("fninit");
}

uint64_t
kvtophys(const void *va)
{
	uint64_t v = (uintptr_t)va, e;
	uint64_t *t = table(read_cr3());

	e = t[(v >> 39) & 511];
	if (!(e & PTE_P))
		panic("kvtophys(%p): not mapped", va);
	e = table(e)[(v >> 30) & 511];
	if (!(e & PTE_P))
		panic("kvtophys(%p): not mapped", va);
	if (e & PTE_PS)
		return (e & PTE_A & ~0x3fffffffULL) | (v & 0x3fffffff);
	e = table(e)[(v >> 21) & 511];
	if (!(e & PTE_P))
		panic("kvtophys(%p): not mapped", va);
	if (e & PTE_PS)
		return (e & PTE_A & ~0x1fffffULL) | (v & 0x1fffff);
	e = table(e)[(v >> 12) & 511];
	if (!(e & PTE_P))
		panic("kvtophys(%p): not mapped", va);
	return (e & PTE_A) | (v & 0xfff);
}

static uint64_t *
next_level(uint64_t *t, unsigned i)
{
	void *n;

	if (!(t[i] & PTE_P)) {
		if ((n = page_alloc(1)) == NULL)
			panic("kmap_device: no page for a page table");
		t[i] = (uintptr_t)n | PTE_P | PTE_W;
	}
	return table(t[i]);
}

volatile void *
kmap_device(uint64_t pa, size_t len)
{
	uint64_t a, s, *pd;

	if (pa + len <= (4ULL << 30))
		return (volatile void *)(uintptr_t)pa; /* boot mapping */
	s = intr_disable();
	for (a = pa & ~0x1fffffULL; a < pa + len; a += 0x200000) {
		pd = next_level(
		    next_level(table(read_cr3()), (unsigned)((a >> 39) & 511)),
		    (unsigned)((a >> 30) & 511));
		pd[(a >> 21) & 511] =
		    a | PTE_P | PTE_W | PTE_PS | PTE_CD | PTE_WT;
		invlpg(a);
	}
	intr_restore(s);
	return (volatile void *)(uintptr_t)pa;
}
