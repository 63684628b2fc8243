/*
 * dev/irqsave.h: the drivers' only lock.  On the single CPU of the
 * reference kernel (kern/dev.h), turning interrupts off keeps out both
 * interrupt handlers and preemption (which only happens from an
 * interrupt), so a short section between irq_save() and irq_restore() is
 * mutually exclusive with every other.  Sections nest.
 */
#ifndef DEV_IRQSAVE_H
#define DEV_IRQSAVE_H

#include <stdint.h>

static inline uint64_t
irq_save(void)
{
	uint64_t fl;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(fl) : : "memory");
	return fl;
}

static inline void
irq_restore(uint64_t fl)
{
	if (fl & 0x200)
		__asm__ volatile("sti" : : : "memory");
}

#endif /* !DEV_IRQSAVE_H */
