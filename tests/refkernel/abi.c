/*
 * abi.c: a ring-0 check of what the kernel promises code built for the
 * SysV userland ABI (the core, rump kernels, this suite): that an
 * interrupt never clobbers the 128-byte red zone below %rsp, and that
 * XMM registers survive preemption by a thread using them too.
 *
 * Two threads, each with its own pattern, fill the red zone and
 * %xmm0-%xmm15, spin for a few milliseconds (the timer preempts them:
 * both are runnable, the slice is 10 ms), then compare.  They go on for
 * RUN_NS and until both have done MIN_ROUNDS rounds: a slow or loaded
 * host (a stalled QEMU) gives fewer rounds in the same time, so the
 * count, not the time, says the check saw enough; MAX_NS bounds it.
 * Built with the userland ABI, like the tests.
 */
#include <kern/kernel.h>

int abi_check(void);

#define RUN_NS	   400000000ULL
#define MAX_NS	   20000000000ULL
#define MIN_ROUNDS 8

struct worker {
	uint64_t pattern;
	uint64_t rounds; /* written by its thread, read by the other */
	uint64_t bad;
	struct kevent *done;
	struct worker *other;
	uint64_t t0;
};

/* One round: fill, spin, count the red zone and XMM slots that changed. */
static uint64_t
round_once(uint64_t pat)
{
	uint64_t bad;

	__asm__ volatile("xorq %%rdx, %%rdx\n\t"
			 "movq %[p], %%rax\n\t"
			 "movl $16, %%ecx\n\t"
			 "1: movq %%rax, -136(%%rsp,%%rcx,8)\n\t"
			 "incq %%rax\n\t"
			 "decl %%ecx\n\t"
			 "jnz 1b\n\t"
			 "movq %[p], %%rax\n\t"
			 ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
			 "movq %%rax, %%xmm\\r\n\t"
			 "incq %%rax\n\t"
			 ".endr\n\t"
			 "movl $3000000, %%ecx\n\t"
			 "2: decl %%ecx\n\t"
			 "jnz 2b\n\t"
			 "movq %[p], %%rax\n\t"
			 "movl $16, %%ecx\n\t"
			 "3: cmpq %%rax, -136(%%rsp,%%rcx,8)\n\t"
			 "je 4f\n\t"
			 "incq %%rdx\n\t"
			 "4: incq %%rax\n\t"
			 "decl %%ecx\n\t"
			 "jnz 3b\n\t"
			 "movq %[p], %%rax\n\t"
			 ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
			 "movq %%xmm\\r, %%rcx\n\t"
			 "cmpq %%rax, %%rcx\n\t"
			 "setne %%cl\n\t"
			 "movzbq %%cl, %%rcx\n\t"
			 "addq %%rcx, %%rdx\n\t"
			 "incq %%rax\n\t"
			 ".endr\n\t"
			 "movq %%rdx, %[bad]\n\t"
			 : [bad] "=m"(bad)
			 : [p] "r"(pat)
			 : "rax", "rcx", "rdx", "xmm0", "xmm1", "xmm2", "xmm3",
			 "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
			 "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
			 "memory", "cc");
	return bad;
}

static void
worker(void *arg)
{
	struct worker *w = arg;
	uint64_t el;

	do {
		w->bad += round_once(w->pattern);
		__atomic_store_n(&w->rounds, w->rounds + 1, __ATOMIC_RELAXED);
		el = clock_mono_ns() - w->t0;
	} while (el < MAX_NS &&
	    (el < RUN_NS || w->rounds < MIN_ROUNDS ||
		__atomic_load_n(&w->other->rounds, __ATOMIC_RELAXED) <
		    MIN_ROUNDS));
	kevent_signal(w->done);
}

int
abi_check(void)
{
	struct worker w[2] = {{0x1111111100000000ULL, 0, 0, NULL, NULL, 0},
	    {0x2222222200000000ULL, 0, 0, NULL, NULL, 0}};
	int i, ok;

	for (i = 0; i < 2; i++) {
		w[i].other = &w[1 - i];
		w[i].t0 = clock_mono_ns();
		w[i].done = kevent_create();
		kthread_create(worker, &w[i], "abi", NULL);
	}
	for (i = 0; i < 2; i++) {
		kevent_wait(w[i].done);
		kevent_destroy(w[i].done);
	}
	ok = w[0].bad == 0 && w[1].bad == 0 && w[0].rounds >= MIN_ROUNDS &&
	    w[1].rounds >= MIN_ROUNDS;
	kprintf("# rounds %lu %lu, clobbered red zone/XMM slots %lu %lu\n",
	    (unsigned long)w[0].rounds, (unsigned long)w[1].rounds,
	    (unsigned long)w[0].bad, (unsigned long)w[1].bad);
	return ok;
}
