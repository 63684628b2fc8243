/*
 * kern/cpu.h: x86_64 instructions the kernel uses, as inline functions.
 * Assumes a single CPU in long mode, ring 0.
 */
#ifndef KERN_CPU_H
#define KERN_CPU_H

#include <stdint.h>

static inline uint64_t
rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t
rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void
wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile(
	    "wrmsr"
	    :
	    : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void
cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

/* Interrupts off; returns the previous state for intr_restore. */
static inline uint64_t
intr_disable(void)
{
	uint64_t fl;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(fl) : : "memory");
	return fl & 0x200;
}

static inline void
intr_restore(uint64_t s)
{
	if (s)
		__asm__ volatile("sti" : : : "memory");
}

static inline void
intr_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline uint64_t
read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t
read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void
invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

#endif /* !KERN_CPU_H */
