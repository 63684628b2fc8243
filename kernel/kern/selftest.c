/*
 * selftest.c: a boot-time check of the kernel's own primitives, printed
 * on the console: preemption (two threads that never yield both make
 * progress), a timed park that times out near its deadline, unpark
 * before park, sleeping-lock exclusion, the heap's physical addresses
 * and the page allocator's accounting.  Any failure panics.  Takes about
 * 60 ms.
 *
 * Assumes the host may stall this virtual CPU between any two
 * instructions for a while (a loaded machine, software emulation): the
 * TSC runs on meanwhile, so a stall looks like a long wait.  The time
 * bounds that a stall can break (a wait too long, a thread that did not
 * run yet) are therefore checked again rather than failed at once; the
 * bounds no stall can break (a park returning early) panic at once.
 */
#include <kern/kernel.h>

#include <rumphost/nberrno.h>

static uint64_t spins[2];
static volatile int stop;
static struct klock lk;
static int inlock, shared;
static struct kevent *done[5]; /* one per thread: binary events */

static void
spinner(void *arg)
{
	uint64_t *c = arg;

	while (!stop)
		__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
	kevent_signal(done[c - spins]);
}

static void
locker(void *arg)
{
	int i, v;

	for (i = 0; i < 200; i++) {
		klock_enter(&lk);
		if (inlock++ != 0)
			panic("selftest: two threads in a lock");
		v = shared;
		kthread_yield();
		shared = v + 1;
		inlock--;
		klock_exit(&lk);
	}
	kevent_signal(arg);
}

/*
 * Both spinners must count: the boot thread sleeps and the timer
 * preempts whichever spins.  A stall can eat the first 40 ms, so wait
 * on, up to SPIN_WAIT_NS, for both to have run.
 */
#define SPIN_WAIT_NS 5000000000ULL

static void
check_preempt(void)
{
	uint64_t t0 = clock_mono_ns();

	kthread_create(spinner, &spins[0], "spin0", NULL);
	kthread_create(spinner, &spins[1], "spin1", NULL);
	kthread_sleep_until(t0 + 40000000);
	while ((__atomic_load_n(&spins[0], __ATOMIC_RELAXED) == 0 ||
		   __atomic_load_n(&spins[1], __ATOMIC_RELAXED) == 0) &&
	    clock_mono_ns() - t0 < SPIN_WAIT_NS)
		kthread_sleep_until(clock_mono_ns() + 10000000);
	stop = 1;
	kevent_wait(done[0]);
	kevent_wait(done[1]);
	if (spins[0] == 0 || spins[1] == 0)
		panic("selftest: preemption: %lu %lu", spins[0], spins[1]);
}

/*
 * A 5 ms timed park must time out, never early, and wake within 50 ms.
 * A stall of the host during the park overshoots that: a late wake-up
 * is tried again, up to PARK_TRIES times (a park that never wakes hangs
 * the boot; one that always wakes late panics).  Returns the time taken.
 */
#define PARK_TRIES 20

static uint64_t
check_park(void)
{
	uint64_t t0, dt = 0;
	int rv, i;

	for (i = 0; i < PARK_TRIES; i++) {
		t0 = clock_mono_ns();
		rv = kthread_park(t0 + 5000000);
		dt = clock_mono_ns() - t0;
		if (rv != RH_ETIMEDOUT || dt < 5000000)
			panic("selftest: park: %d after %lu ns", rv, dt);
		if (dt <= 50000000)
			return dt;
		kprintf("selftest: park woke after %lu us (a host stall?); "
			"again\n",
		    dt / 1000);
	}
	panic("selftest: park: %d wake-ups over 50 ms, the last after %lu ns",
	    PARK_TRIES, dt);
}

static void
check_sched(void)
{
	uint64_t t0;
	int i;

	for (i = 0; i < 5; i++)
		done[i] = kevent_create();
	check_preempt();
	t0 = check_park();
	kthread_unpark(kthread_self());
	if (kthread_park(clock_mono_ns() + 1000000000) != 0)
		panic("selftest: unpark before park was lost");
	klock_init(&lk);
	for (i = 0; i < 3; i++)
		kthread_create(locker, done[2 + i], "locker", NULL);
	for (i = 0; i < 3; i++)
		kevent_wait(done[2 + i]);
	if (shared != 600)
		panic("selftest: lock lost updates: %d", shared);
	for (i = 0; i < 5; i++)
		kevent_destroy(done[i]);
	kprintf("selftest: preemption ok (%lu/%lu spins), park timeout "
		"%lu us, lock ok\n",
	    spins[0], spins[1], t0 / 1000);
}

static void
check_mem(void)
{
	uint64_t f0 = mem_free_bytes(), pa;
	void *p, *d;

	p = kmalloc(100000);
	d = kdma_alloc(3 * PAGE_SIZE, &pa);
	if (p == NULL || d == NULL || kvtophys(p) != (uintptr_t)p ||
	    pa != (uintptr_t)d || kvtophys((char *)d + 5000) != pa + 5000)
		panic("selftest: memory");
	kfree(p, 100000);
	kdma_free(d, 3 * PAGE_SIZE);
	if (mem_free_bytes() != f0)
		panic("selftest: pages leak");
	kprintf("selftest: memory ok, %lu MiB free\n",
	    (unsigned long)(mem_free_bytes() >> 20));
}

void
selftest(void)
{

	check_mem();
	check_sched();
}
