/*
 * kern/dev.h: what the reference kernel gives its device drivers (PCI,
 * virtio-blk) and what those drivers give back (block devices).
 *
 * This is the contract between the kernel proper (boot, memory,
 * interrupts, threads) and kernel/dev/.  Drivers see nothing else of the
 * kernel.  Model: one CPU, kernel threads, interrupts delivered through
 * the local APIC (MSI/MSI-X) or the I/O APIC (legacy INTx lines).
 */
#ifndef KERN_DEV_H
#define KERN_DEV_H

#include <stddef.h>
#include <stdint.h>

/* Every int-returning function: 0 or a NetBSD errno (<rumphost/nberrno.h>). */

/* Port I/O. */
static inline void
outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t
inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void
outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint16_t
inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline void
outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint32_t
inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/*
 * Memory for DMA: physically contiguous, page aligned, zeroed, mapped
 * write-back.  NULL when there is no such run of pages.  *pa receives the
 * physical address of the first byte.
 */
void *kdma_alloc(size_t len, uint64_t *pa);
void kdma_free(void *va, size_t len);
/* The kernel's monotonic clock, in ns (for drivers' statistics). */
uint64_t clock_mono_ns(void);
/* Physical address of any kernel virtual address (heap, stacks, data). */
uint64_t kvtophys(const void *va);
/* An uncached kernel mapping of device registers (BARs).  Never fails. */
volatile void *kmap_device(uint64_t pa, size_t len);

/*
 * Interrupts.  A handler runs in interrupt context: interrupts off, on no
 * thread, it must not block; it may call kevent_signal().
 *
 * kintr_alloc_vector: a free IDT vector bound to fn(arg), for MSI/MSI-X;
 * *addr and *data are what the device writes (message address and data)
 * to raise it on this CPU.  Returns 0 or an errno (ENOSPC).
 * kintr_establish_line: fn(arg) on legacy INTx line `line' (the PCI
 * interrupt line register), level triggered, shared lines allowed.
 */
int kintr_alloc_vector(
    void (*fn)(void *), void *arg, uint64_t *addr, uint32_t *data);
int kintr_establish_line(unsigned line, void (*fn)(void *), void *arg);

/*
 * A one-shot event a thread waits for and an interrupt handler signals
 * (a binary semaphore): signal before wait makes wait return at once.
 */
struct kevent;
struct kevent *kevent_create(void);
void kevent_destroy(struct kevent *);
void kevent_wait(struct kevent *);
void kevent_signal(struct kevent *);

/* Console output for drivers' boot messages (printf subset: %d %u %x %lx
 * %llx %s %p %c and widths). */
void
kprintf(const char *fmt, ...) __attribute__((__format__(__printf__, 1, 2)));

/*
 * Block devices, as drivers register them.  The host port's open() finds
 * one by name ("vblk0"), so a rump kernel sees it as a host file.
 * rw transfers len bytes (a multiple of secsize) at byte offset off,
 * blocking the calling thread until done; 0 or an errno (EIO).
 * Callable from several threads at once.
 */
struct kblkdev {
	const char *name;
	uint64_t size; /* bytes */
	unsigned secsize;
	unsigned flags; /* KBLK_* */
	int (*rw)(
	    struct kblkdev *, int write, uint64_t off, void *buf, size_t len);
	int (*flush)(struct kblkdev *);
	void *softc;
};
#define KBLK_RDONLY 0x1 /* writes fail; open for writing is EROFS */
int kblk_register(struct kblkdev *);
struct kblkdev *kblk_lookup(const char *name);

#endif /* !KERN_DEV_H */
