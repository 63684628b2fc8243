/*
 * kern/kernel.h: the reference kernel's internal interfaces, one section
 * per subsystem (kernel/kern/<subsystem>.c).  Drivers use kern/dev.h
 * only; the host port (hosts/refkernel) and the test harness use this.
 *
 * Model: one CPU; every address the kernel uses is identity mapped
 * (virtual == physical below 4 GiB); code runs in ring 0 only.  Mutual
 * exclusion between threads and interrupt handlers is interrupts off
 * (intr_disable/intr_restore); threads block on wait queues.
 */
#ifndef KERN_KERNEL_H
#define KERN_KERNEL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <kern/cpu.h>
#include <kern/dev.h>

#define PAGE_SIZE 4096UL
#define KDEAD	  __attribute__((__noreturn__))

/* --- console.c / fmt.c ------------------------------------------------ */
void cons_init(void);
void cons_write(const char *, size_t);
int kvsnprintf(char *, size_t, const char *, va_list)
    __attribute__((__format__(__printf__, 3, 0)));
int ksnprintf(char *, size_t, const char *, ...)
    __attribute__((__format__(__printf__, 3, 4)));
void
kvprintf(const char *, va_list) __attribute__((__format__(__printf__, 1, 0)));
/* Formats %f (the kernel has no floating point); set by SSE-enabled code. */
extern void (*kfmt_float_hook)(char *, size_t, int, va_list *);

/* --- panic / halt (trap.c) ---------------------------------------------- */
void
panic(const char *, ...) __attribute__((__format__(__printf__, 1, 2))) KDEAD;
/* Leave QEMU through isa-debug-exit with code (status (code<<1)|1). */
void machine_exit(int code) KDEAD;
void backtrace(uint64_t rbp);

/* --- multiboot / params (main.c) ---------------------------------------- */
extern const char *boot_cmdline;

/* --- mem.c: physical pages ---------------------------------------------- */
void mem_init(uint32_t mbinfo);
/* n contiguous zeroed pages, or NULL. */
void *page_alloc(size_t n);
void *page_alloc_nozero(size_t n);
void page_free(void *, size_t n);
uint64_t mem_total_bytes(void);
uint64_t mem_free_bytes(void);

/* --- heap.c: kmalloc, sized frees --------------------------------------- */
/* 16-byte aligned, zeroed. */
void *kmalloc(size_t);
void *kmalloc_nozero(size_t);
void kfree(void *, size_t);
size_t heap_bytes_in_use(void);

/* --- vm.c ------------------------------------------------------------------
 */
void vm_init(void);

/* --- gdt/idt (trap.c) --------------------------------------------------- */
struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vec, err, rip, cs, rflags, rsp, ss;
};
void trap_init(void);
/* Bind a handler to an IDT vector (interrupt context). */
void intr_set_handler(unsigned vec, void (*)(void *), void *);
int intr_alloc(void (*)(void *), void *);

/* --- apic.c --------------------------------------------------------------- */
void apic_init(void);
void lapic_eoi(void);
/* One-shot local APIC timer in ns (0: stop). */
void lapic_timer_arm(uint64_t ns);
/* Calibration: count down from 2^32-1 (masked); read; stop at hz. */
void lapic_timer_count_start(void);
uint32_t lapic_timer_count(void);
void lapic_timer_count_stop(uint64_t hz);
uint64_t lapic_timer_hz(void);
#define VEC_TIMER    0xf0
#define VEC_SPURIOUS 0xff
#define VEC_LINE0    0x30 /* I/O APIC pins 0..23 */
#define VEC_DYN0     0x50 /* MSI vectors: 0x50..0xdf */
#define VEC_DYNEND   0xe0

/* --- clock.c ------------------------------------------------------------- */
void clock_init(void);
uint64_t clock_mono_ns(void);
/*
 * Wall clock: the RTC's reading at boot (to within half a second), then,
 * from about three seconds after boot, monotonic time since an edge of
 * the RTC's second (one step), plus a settable shift.  Never blocks.
 */
void clock_wall(int64_t *sec, long *nsec);
/*
 * Wait until the wall clock is anchored at an RTC edge (and the TSC's
 * rate refined), or the absolute deadline: 0 and the step the anchoring
 * made to the wall clock (ns), or RH_ETIMEDOUT.
 */
int clock_wall_wait(uint64_t deadline, int64_t *step_ns);
/*
 * Wait (up to 1.5 s) for the RTC's seconds to change: the RTC's time
 * then, the monotonic time it was seen, and how long before that it was
 * last seen unchanged.  0, or -1 if the RTC did not tick.
 */
int clock_rtc_edge(int64_t *sec, uint64_t *mono, uint64_t *gap);
/* The wall clock is *sec seconds at monotonic time *mono (for tests). */
void clock_wall_anchor(int64_t *sec, uint64_t *mono);
void clock_wall_shift(int64_t ns);
uint64_t clock_tsc_hz(void);

/* --- sched.c: threads ------------------------------------------------------
 */
struct kthread;
void sched_init(void);
/* Returns 0, ENOMEM or EAGAIN. */
int kthread_create(void (*)(void *), void *, const char *, struct kthread **);
void kthread_exit(void) KDEAD;
struct kthread *kthread_self(void);
void kthread_yield(void);
/* Per-thread token park: 0, or ETIMEDOUT at the absolute deadline. */
int kthread_park(uint64_t deadline);
void kthread_unpark(struct kthread *);
void kthread_sleep_until(uint64_t deadline);
void **kthread_tls(struct kthread *);
void **kthread_tls2(struct kthread *);
int *kthread_errno(struct kthread *);
const char *kthread_name(struct kthread *);
int kthread_count(void);
/* Called when a thread ends, with its tls slot (the host port's hook). */
extern void (*kthread_exit_hook)(void *tls);
extern void (*kthread_exit_hook2)(void *tls2);
/* From interrupt context: the timer fired. */
void sched_clock_intr(void);
/* prof.c: sampling profiler (boot parameter kprof=<us>). */
uint64_t kprof_deadline(uint64_t now);
void kprof_sample(uint64_t rip);
int kprof_start(void);
void kprof_enable(int on);
void kprof_stop(void);
void kprof_dump(const char *what);
/* Run the idle loop on the boot stack; never returns. */
void sched_idle(void) KDEAD;

/* --- sync.c: wait queues, sleeping locks, events, conditions -------------- */
struct kthread_link {
	struct kthread *head, *tail;
};
struct waitq {
	struct kthread_link wq_list;
};
/* Interrupts must be off; sleeps until woken or deadline (0: none). */
int waitq_sleep(struct waitq *, uint64_t deadline);
int waitq_wakeup_one(struct waitq *);
void waitq_wakeup_all(struct waitq *);

struct klock {
	int kl_locked;	    /* interrupts off */
	struct waitq kl_wq; /* interrupts off */
};
void klock_init(struct klock *);
void klock_enter(struct klock *);
void klock_exit(struct klock *);

struct kcond {
	struct waitq kc_wq;
};
void kcond_init(struct kcond *);
/* ETIMEDOUT at deadline (0: none); the lock is held again on return. */
int kcond_wait(struct kcond *, struct klock *, uint64_t deadline);
void kcond_broadcast(struct kcond *);

/* --- entropy.c -------------------------------------------------------------
 */
void entropy_init(void);
/* Fills buf; never fails. */
void entropy_get(void *, size_t);
const char *entropy_source(void);

/* --- blk.c ------------------------------------------------------------------
 */
int kblk_count(void);
struct kblkdev *kblk_ramdisk(const char *name, uint64_t size);

/* --- lib.c --------------------------------------------------------------- */
void *memcpy(void *, const void *, size_t);
void *memmove(void *, const void *, size_t);
void *memset(void *, int, size_t);
int memcmp(const void *, const void *, size_t);
size_t strlen(const char *);
int strcmp(const char *, const char *);
int strncmp(const char *, const char *, size_t);
char *strchr(const char *, int);
void *memchr(const void *, int, size_t);

/* --- params (param.c): the boot's configuration table ------------------- */
void param_init(const char *cmdline);
int param_get(const char *name, const char **value);
int param_set(const char *name, const char *value);

/* --- selftest.c ------------------------------------------------------------
 */
void selftest(void);

/* Drivers' probe hook (kernel/dev/): weak, called from main.c. */
void dev_init(void);

#endif /* !KERN_KERNEL_H */
