/*
 * mem.c: physical memory.  The boot loader's memory map (multiboot
 * mmap) gives the usable RAM below 4 GiB (all that the boot page tables
 * map); one bit per 4 KiB page says whether it is free.  Allocation is a
 * first-fit search for n contiguous free pages from a rotating hint,
 * which also serves DMA (contiguous by construction, identity mapped).
 * The kernel image, the first MiB and the multiboot data are never
 * free.  All fields are protected by interrupts off.
 */
#include <kern/kernel.h>

#define MAXPAGES (3UL << 18) /* 3 GiB: above, boot.S maps uncached */

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
};
struct mb_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((__packed__));

extern char _end[];

static uint64_t bitmap[MAXPAGES / 64]; /* 1 = used */
static size_t npages;		       /* pages below the top of RAM */
static size_t nfree, ntotal;
static size_t hint;

const char *boot_cmdline = "";

static void
mark(size_t pg, size_t n, int used)
{
	for (; n > 0; n--, pg++) {
		if (pg >= MAXPAGES)
			return;
		if (used)
			bitmap[pg / 64] |= 1ULL << (pg % 64);
		else
			bitmap[pg / 64] &= ~(1ULL << (pg % 64));
	}
}

static int
isfree(size_t pg)
{

	return (bitmap[pg / 64] & (1ULL << (pg % 64))) == 0;
}

void
mem_init(uint32_t mbaddr)
{
	const struct mb_info *mb = (const void *)(uintptr_t)mbaddr;
	const char *p, *end;
	const struct mb_mmap *m;
	uint64_t a, e, reserved;
	size_t pg;

	memset(bitmap, 0xff, sizeof(bitmap));
	if ((mb->flags & (1 << 6)) == 0)
		panic("boot loader gave no memory map");
	if (mb->flags & (1 << 2)) {
		/* Boot loaders put the kernel's own path first: skip it. */
		boot_cmdline = (const char *)(uintptr_t)mb->cmdline;
		while (*boot_cmdline != '\0' && *boot_cmdline != ' ')
			boot_cmdline++;
		while (*boot_cmdline == ' ')
			boot_cmdline++;
	}
	p = (const char *)(uintptr_t)mb->mmap_addr;
	end = p + mb->mmap_length;
	for (; p < end; p += m->size + 4) {
		m = (const void *)p;
		kprintf("mem: %016lx-%016lx %s\n", (unsigned long)m->addr,
		    (unsigned long)(m->addr + m->len),
		    m->type == 1 ? "usable" : "reserved");
		if (m->type != 1)
			continue;
		a = (m->addr + PAGE_SIZE - 1) / PAGE_SIZE;
		e = (m->addr + m->len) / PAGE_SIZE;
		if (e > MAXPAGES)
			e = MAXPAGES;
		if (a < e) {
			mark(a, e - a, 0);
			if (e > npages)
				npages = e;
		}
	}
	/* Never: the first MiB, the image, the boot data (below 1 MiB or
	   just after the image in QEMU's loader: keep a margin). */
	reserved = ((uintptr_t)_end + PAGE_SIZE - 1) / PAGE_SIZE;
	mark(0, reserved, 1);
	if (mb->flags & (1 << 2)) /* the command line page */
		mark(mb->cmdline / PAGE_SIZE, 1, 1);
	mark(mbaddr / PAGE_SIZE, 1, 1);
	mark(mb->mmap_addr / PAGE_SIZE, 1, 1);
	for (pg = 0; pg < npages; pg++)
		if (isfree(pg))
			nfree++;
	ntotal = nfree;
	hint = reserved;
	kprintf("mem: %lu KiB free of RAM below %lu MiB\n",
	    (unsigned long)(nfree * 4), (unsigned long)(npages / 256));
}

static size_t
find_run(size_t from, size_t to, size_t n)
{
	size_t pg, run = 0;

	for (pg = from; pg < to; pg++) {
		if (!isfree(pg)) {
			run = 0;
			continue;
		}
		if (++run == n)
			return pg + 1 - n;
	}
	return (size_t)-1;
}

void *
page_alloc(size_t n)
{
	void *p = page_alloc_nozero(n);

	if (p != NULL)
		memset(p, 0, n * PAGE_SIZE);
	return p;
}

/* A run of n pages, not zeroed. */
void *
page_alloc_nozero(size_t n)
{
	uint64_t s;
	size_t pg;

	if (n == 0)
		return NULL;
	s = intr_disable();
	pg = find_run(hint, npages, n);
	if (pg == (size_t)-1)
		pg = find_run(0, npages, n);
	if (pg == (size_t)-1) {
		intr_restore(s);
		return NULL;
	}
	mark(pg, n, 1);
	nfree -= n;
	hint = pg + n;
	intr_restore(s);
	return (void *)(pg * PAGE_SIZE);
}

void
page_free(void *p, size_t n)
{
	size_t pg = (uintptr_t)p / PAGE_SIZE;
	uint64_t s;
	size_t i;

	s = intr_disable();
	for (i = 0; i < n; i++)
		if (isfree(pg + i))
			panic("page_free: page %lx is free", pg + i);
	mark(pg, n, 0);
	nfree += n;
	intr_restore(s);
}

uint64_t
mem_total_bytes(void)
{

	return (uint64_t)ntotal * PAGE_SIZE;
}

uint64_t
mem_free_bytes(void)
{

	return (uint64_t)nfree * PAGE_SIZE;
}

void *
kdma_alloc(size_t len, uint64_t *pa)
{
	void *p = page_alloc((len + PAGE_SIZE - 1) / PAGE_SIZE);

	if (p != NULL)
		*pa = kvtophys(p);
	return p;
}

void
kdma_free(void *va, size_t len)
{

	page_free(va, (len + PAGE_SIZE - 1) / PAGE_SIZE);
}
