/*
 * sched.c: kernel threads and the scheduler, for one CPU.
 *
 * Model: a FIFO run queue, round robin with a 10 ms slice (priorities
 * are ignored); a thread blocks on a wait queue (sync.c) or parks on its
 * own wakeup token, either with an absolute deadline kept in a list
 * sorted by deadline.  The local APIC timer is one-shot and armed only
 * for the next event (the earliest deadline, or the end of the slice
 * when another thread is runnable): with nothing to do the CPU halts in
 * the idle loop and takes no timer interrupts at all.
 *
 * Every switch, voluntary or preemptive, saves and restores the FPU/SSE
 * state (fxsave/fxrstor), because threads run SysV userland ABI code
 * that keeps values in XMM registers.  Preemption happens in the timer
 * interrupt on the interrupted thread's own stack (vectors.S).
 *
 * Stacks have no guard page; a canary in each stack's lowest word is
 * checked whenever its thread is switched away from.
 *
 * Thread structures and stacks are never freed: a thread that ends goes
 * on a free list and is reused by a later kthread_create, so a handle
 * (struct kthread *) stays valid memory forever and a late unpark is
 * harmless (at most a spurious wakeup of the thread reusing it).
 *
 * All scheduler state (run queue, timed list, thread states, tokens) is
 * protected by interrupts off.
 */
#include <kern/kernel.h>

#include <rumphost/nberrno.h>

#define STACK_SIZE (64 * 1024)
#define SLICE_NS   10000000ULL
#define CANARY	   0x5a5aa5a5deadbeefULL /* the lowest word of a stack */

enum { T_FREE, T_RUN, T_SLEEP };

struct kthread {
	uint64_t rsp; /* saved by cpu_switch */
	char *stack;  /* STACK_SIZE bytes */
	int state;
	struct kthread *next;	       /* run queue, wait queue, free list */
	struct kthread *tnext, *tprev; /* timed list */
	int intimed;
	uint64_t deadline;
	int timedout;
	struct waitq *waitingon; /* when sleeping on a wait queue */
	int parked;		 /* sleeping in kthread_park */
	int token;		 /* park wakeup token */
	void (*fn)(void *);
	void *arg;
	void *tls;  /* the host port's slot (the core's) */
	void *tls2; /* a second slot, for the test harness */
	int err;
	char name[24];
	uint8_t fx[512] __attribute__((__aligned__(16)));
};

void cpu_switch(uint64_t *, uint64_t);
void (*kthread_exit_hook)(void *);
void (*kthread_exit_hook2)(void *);

static struct kthread idle_thread = {.state = T_RUN, .name = "idle"};
static struct kthread *curthread = &idle_thread;
static struct kthread_link runq;
static struct kthread *timed; /* sorted by deadline */
static struct kthread *freethreads;
static uint8_t fx_init[512] __attribute__((__aligned__(16)));
static uint64_t slice_end;
static int nlive;

static void
link_append(struct kthread_link *l, struct kthread *t)
{

	t->next = NULL;
	if (l->tail != NULL)
		l->tail->next = t;
	else
		l->head = t;
	l->tail = t;
}

static struct kthread *
link_pop(struct kthread_link *l)
{
	struct kthread *t = l->head;

	if (t != NULL) {
		l->head = t->next;
		if (l->head == NULL)
			l->tail = NULL;
	}
	return t;
}

static void
link_remove(struct kthread_link *l, struct kthread *t)
{
	struct kthread **pp, *prev = NULL;

	for (pp = &l->head; *pp != NULL; prev = *pp, pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			if (l->tail == t)
				l->tail = prev;
			return;
		}
	}
}

static void
timed_remove(struct kthread *t)
{

	if (!t->intimed)
		return;
	if (t->tprev != NULL)
		t->tprev->tnext = t->tnext;
	else
		timed = t->tnext;
	if (t->tnext != NULL)
		t->tnext->tprev = t->tprev;
	t->intimed = 0;
}

static void
timed_insert(struct kthread *t)
{
	struct kthread *p = timed, *prev = NULL;

	while (p != NULL && p->deadline <= t->deadline) {
		prev = p;
		p = p->tnext;
	}
	t->tprev = prev;
	t->tnext = p;
	if (p != NULL)
		p->tprev = t;
	if (prev != NULL)
		prev->tnext = t;
	else
		timed = t;
	t->intimed = 1;
}

/* Arm the one-shot timer for the next event after now, or stop it. */
static void
sched_rearm(uint64_t now)
{
	uint64_t next = kprof_deadline(now); /* UINT64_MAX: no profile */

	if (timed != NULL && timed->deadline < next)
		next = timed->deadline;
	if (runq.head != NULL && curthread != &idle_thread && slice_end < next)
		next = slice_end;
	if (next == UINT64_MAX)
		lapic_timer_arm(0);
	else
		lapic_timer_arm(next > now + 20000 ? next - now : 20000);
}

/* Put a sleeping thread on the run queue; the timer is left alone. */
static void
wake(struct kthread *t)
{

	timed_remove(t);
	if (t->waitingon != NULL)
		link_remove(&t->waitingon->wq_list, t);
	t->waitingon = NULL;
	t->parked = 0;
	t->state = T_RUN;
	link_append(&runq, t);
}

/*
 * Make a sleeping thread runnable (interrupts off).  The first thread
 * queued behind a running one needs the end of the slice armed.
 */
static void
make_runnable(struct kthread *t)
{

	wake(t);
	if (curthread != &idle_thread && runq.head == t)
		sched_rearm(clock_mono_ns());
}

/* Switch to the next runnable thread (interrupts off). */
static void
sched_switch(void)
{
	struct kthread *prev = curthread, *next;
	uint64_t now;

	if ((next = link_pop(&runq)) == NULL)
		next = &idle_thread;
	if (next == prev) {
		sched_rearm(clock_mono_ns());
		return;
	}
	if (prev->stack != NULL && *(uint64_t *)(void *)prev->stack != CANARY)
		panic("thread %s overflowed its %u-byte stack", prev->name,
		    STACK_SIZE);
	__asm__ volatile("fxsave %0" : "=m"(prev->fx));
	curthread = next;
	now = clock_mono_ns();
	slice_end = now + SLICE_NS;
	sched_rearm(now);
	__asm__ volatile("fxrstor %0" : : "m"(next->fx));
	cpu_switch(&prev->rsp, next->rsp);
}

/* Sleep (interrupts off): on wq if not NULL, until woken or deadline. */
static int
sched_block(struct waitq *wq, uint64_t deadline)
{
	struct kthread *t = curthread;

	if (t == &idle_thread)
		panic("the idle loop blocked");
	t->state = T_SLEEP;
	t->waitingon = wq;
	t->timedout = 0;
	t->deadline = deadline;
	if (deadline != 0)
		timed_insert(t);
	sched_switch();
	return t->timedout ? RH_ETIMEDOUT : 0;
}

void
sched_clock_intr(void)
{
	uint64_t now = clock_mono_ns();
	struct kthread *t;

	/* The timer is armed once, below, for whatever runs next. */
	while ((t = timed) != NULL && t->deadline <= now) {
		wake(t);
		t->timedout = 1;
	}
	if (runq.head != NULL &&
	    (curthread == &idle_thread || now >= slice_end)) {
		if (curthread != &idle_thread)
			link_append(&runq, curthread);
		sched_switch();
	} else
		sched_rearm(clock_mono_ns());
}

static void
thread_start(void)
{

	intr_enable();
	curthread->fn(curthread->arg);
	kthread_exit();
}

static struct kthread *
thread_get(void)
{
	struct kthread *t;
	uint64_t s;

	s = intr_disable();
	if ((t = freethreads) != NULL)
		freethreads = t->next;
	intr_restore(s);
	if (t != NULL)
		return t;
	if ((t = kmalloc(sizeof(*t))) == NULL)
		return NULL;
	if ((t->stack = page_alloc(STACK_SIZE / PAGE_SIZE)) == NULL) {
		kfree(t, sizeof(*t));
		return NULL;
	}
	return t;
}

int
kthread_create(
    void (*fn)(void *), void *arg, const char *name, struct kthread **tp)
{
	struct kthread *t;
	uint64_t *sp, s;
	size_t i;

	if ((t = thread_get()) == NULL)
		return RH_ENOMEM;
	t->fn = fn;
	t->arg = arg;
	t->tls = NULL;
	t->tls2 = NULL;
	t->err = 0;
	t->token = 0;
	t->parked = 0;
	t->intimed = 0;
	t->waitingon = NULL;
	for (i = 0; name != NULL && name[i] != '\0' && i < sizeof(t->name) - 1;
	     i++)
		t->name[i] = name[i];
	t->name[i] = '\0';
	memcpy(t->fx, fx_init, sizeof(fx_init));
	*(uint64_t *)(void *)t->stack = CANARY;
	/* cpu_switch pops r15 r14 r13 r12 rbx rbp, then returns. */
	sp = (uint64_t *)(t->stack + STACK_SIZE) - 2;
	sp[0] = (uintptr_t)thread_start;
	sp[1] = 0;
	sp -= 6;
	for (i = 0; i < 6; i++)
		sp[i] = 0;
	t->rsp = (uintptr_t)sp;
	if (tp != NULL)
		*tp = t;
	s = intr_disable();
	nlive++;
	make_runnable(t);
	intr_restore(s);
	return 0;
}

void
kthread_exit(void)
{
	struct kthread *t = curthread;

	if (t->tls != NULL && kthread_exit_hook != NULL)
		kthread_exit_hook(t->tls);
	t->tls = NULL;
	if (t->tls2 != NULL && kthread_exit_hook2 != NULL)
		kthread_exit_hook2(t->tls2);
	t->tls2 = NULL;
	intr_disable();
	nlive--;
	t->state = T_FREE;
	t->next = freethreads;
	freethreads = t;
	sched_switch();
	panic("a dead thread ran");
}

struct kthread *
kthread_self(void)
{

	return curthread;
}

void
kthread_yield(void)
{
	uint64_t s = intr_disable();

	if (runq.head != NULL) {
		link_append(&runq, curthread);
		sched_switch();
	}
	intr_restore(s);
}

int
kthread_park(uint64_t deadline)
{
	uint64_t s = intr_disable();
	struct kthread *t = curthread;
	int rv = 0;

	if (t->token)
		t->token = 0;
	else if (deadline != 0 && deadline <= clock_mono_ns())
		rv = RH_ETIMEDOUT;
	else {
		t->parked = 1;
		rv = sched_block(NULL, deadline);
	}
	intr_restore(s);
	return rv;
}

void
kthread_unpark(struct kthread *t)
{
	uint64_t s = intr_disable();

	if (t->state == T_SLEEP && t->parked)
		make_runnable(t);
	else
		t->token = 1;
	intr_restore(s);
}

void
kthread_sleep_until(uint64_t deadline)
{
	uint64_t s = intr_disable();

	if (deadline > clock_mono_ns())
		sched_block(NULL, deadline);
	intr_restore(s);
}

int
waitq_sleep(struct waitq *wq, uint64_t deadline)
{

	if (deadline != 0 && deadline <= clock_mono_ns())
		return RH_ETIMEDOUT;
	link_append(&wq->wq_list, curthread);
	return sched_block(wq, deadline);
}

int
waitq_wakeup_one(struct waitq *wq)
{
	struct kthread *t = wq->wq_list.head;

	if (t == NULL)
		return 0;
	make_runnable(t);
	return 1;
}

void
waitq_wakeup_all(struct waitq *wq)
{

	while (waitq_wakeup_one(wq))
		continue;
}

void **
kthread_tls(struct kthread *t)
{

	return &t->tls;
}

void **
kthread_tls2(struct kthread *t)
{

	return &t->tls2;
}

int *
kthread_errno(struct kthread *t)
{

	return &t->err;
}

const char *
kthread_name(struct kthread *t)
{

	return t->name;
}

int
kthread_count(void)
{

	return __atomic_load_n(&nlive, __ATOMIC_RELAXED);
}

void
sched_init(void)
{
	uint32_t mxcsr = 0x1f80;

	__asm__ volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
	__asm__ volatile("fxsave %0" : "=m"(fx_init));
	memcpy(idle_thread.fx, fx_init, sizeof(fx_init));
}

void
sched_idle(void)
{

	for (;;) {
		intr_disable();
		if (runq.head != NULL) {
			sched_switch();
			intr_enable();
			continue;
		}
		/* sti takes effect after hlt starts: no lost wakeup. */
		__asm__ volatile("sti; hlt" : : : "memory");
	}
}
