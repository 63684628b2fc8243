/*
 * adros_api.h: our own prototypes of exactly the AdrOS kernel functions
 * the AdrOS port calls, written from AdrOS's public headers (no AdrOS code
 * is copied here).  The port includes this instead of AdrOS's headers, so
 * that it compiles for i386 outside the AdrOS tree and links against the
 * stand-in in tests/adros/standin.c; inside AdrOS it links against the
 * real functions.  docs/adros.md says how to check these against AdrOS's
 * own headers when rumphost is built in its tree.
 *
 * Types are opaque wherever AdrOS only hands out pointers.  The two
 * synchronisation objects the port embeds (ksem_t, kmutex_t) are given as
 * storage of an upper-bound size: a ksem_t is a spinlock_t, an int32_t
 * count, KSEM_MAX_WAITERS (64) process pointers and a uint32_t count,
 * 268 bytes on i386 (280 with SPINLOCK_DEBUG); a kmutex_t is one ksem_t.
 *
 * Source of each declaration (AdrOS repository, tadryanom/AdrOS):
 *	include/heap.h		kmalloc, kfree
 *	include/console.h	console_write_buf
 *	include/hal/cpu.h	hal_cpu_disable_interrupts, hal_cpu_idle
 *	include/timer.h		clock_gettime_ns
 *	include/rtc.h		rtc_unix_timestamp
 *	include/process.h	process_create_kernel, schedule, process_sleep
 *	include/sync.h		ksem_*, kmutex_*
 *	include/csprng.h	csprng_get_bytes
 *	include/ata_pio.h	ata_pio_drive_present, ata_pio_sector_count,
 *				ata_pio_read28, ata_pio_write28
 *	include/virtio_blk.h	virtio_blk_capacity, virtio_blk_read,
 *				virtio_blk_write
 *	include/kernel/cmdline.h cmdline_init_envp
 *	include/arch/x86/percpu.h percpu_current() is a static inline that
 *				reads the current task from %gs:12; the port
 *				has its own copy of that one load (curproc.c),
 *				declared below as rumphost_adros_curproc.
 */
#ifndef RUMPHOST_ADROS_API_H
#define RUMPHOST_ADROS_API_H

#include <stddef.h>
#include <stdint.h>

/* include/process.h: a task (kernel thread or process); opaque to us. */
struct process;

/* Upper bound of sizeof(ksem_t) == sizeof(kmutex_t) on i386. */
#define RUMPHOST_ADROS_KSEM_SIZE 288

typedef struct ksem {
	_Alignas(8) unsigned char ks_opaque[RUMPHOST_ADROS_KSEM_SIZE];
} ksem_t;
typedef struct kmutex {
	ksem_t km_sem;
} kmutex_t;

/* include/heap.h: buddy allocator, 16-byte header, results 16-aligned. */
void *kmalloc(size_t size);
void kfree(void *ptr);

/* include/console.h */
void console_write_buf(const char *buf, uint32_t len);

/* include/hal/cpu.h */
void hal_cpu_disable_interrupts(void);
void hal_cpu_idle(void);

/* include/timer.h: ns since boot (TSC, else 10 ms ticks). */
uint64_t clock_gettime_ns(void);

/* include/rtc.h: wall clock, whole seconds since 1970 (CMOS RTC). */
uint32_t rtc_unix_timestamp(void);

/*
 * include/process.h: a kernel thread running entry(), which takes no
 * argument and must never return (AdrOS idles the thread forever if it
 * does); NULL on failure.  No exit, no join.
 */
struct process *process_create_kernel(void (*entry_point)(void));
/* Give up the CPU voluntarily. */
void schedule(void);
/* Sleep for ticks timer ticks (10 ms each). */
void process_sleep(uint32_t ticks);

/*
 * include/sync.h: counting semaphore with at most KSEM_MAX_WAITERS (64)
 * waiters.  ksem_wait_timeout: ms, 0 = forever; 0 acquired, 1 timed out
 * (or the waiter array was full), -1 woken by a signal.
 */
void ksem_init(ksem_t *s, int32_t initial_count);
void ksem_wait(ksem_t *s);
int ksem_wait_timeout(ksem_t *s, uint32_t timeout_ms);
void ksem_signal(ksem_t *s);

/* include/sync.h: a binary semaphore; no owner, no trylock. */
void kmutex_init(kmutex_t *m);
void kmutex_lock(kmutex_t *m);
void kmutex_unlock(kmutex_t *m);

/* include/csprng.h: ChaCha20 DRBG seeded at boot; never blocks. */
void csprng_get_bytes(uint8_t *out, uint32_t len);

/*
 * include/ata_pio.h: drives 0..3 (primary master .. secondary slave),
 * 512-byte sectors, 28-bit LBA, one sector per call; negative AdrOS
 * errno on failure.  DMA is used inside when the channel has it.
 */
int ata_pio_drive_present(int drive);
uint32_t ata_pio_sector_count(int drive);
int ata_pio_read28(int drive, uint32_t lba, uint8_t *buf512);
int ata_pio_write28(int drive, uint32_t lba, const uint8_t *buf512);

/*
 * include/virtio_blk.h: the one legacy virtio-blk device; count sectors
 * of 512 bytes; -1 on failure.  The driver hands the device V2P(buf),
 * i.e. buf - 0xC0000000: buf must lie in the kernel's linear mapping.
 */
uint64_t virtio_blk_capacity(void);
int virtio_blk_read(uint64_t sector, void *buf, uint32_t count);
int virtio_blk_write(uint64_t sector, const void *buf, uint32_t count);

/*
 * include/kernel/cmdline.h: NULL-terminated "key=value" strings of the
 * kernel command line that the kernel did not recognise (cmdline_get()
 * only answers for the kernel's own keys).
 */
const char *const *cmdline_init_envp(int *envc_out);

/* Ours: the calling task, as percpu_current() returns it (curproc.c). */
struct process *rumphost_adros_curproc(void);

#endif /* RUMPHOST_ADROS_API_H */
