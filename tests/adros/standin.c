/*
 * standin.c: a stand-in for the AdrOS kernel functions the AdrOS port
 * calls (hosts/adros/adros_api.h), on Linux with pthreads, for -m32.  It
 * follows AdrOS's semantics and limits and records every violation of
 * its calling rules, failing loudly (message and abort):
 *	- a kernel thread's entry (no argument) returning: AdrOS idles it
 *	  forever;
 *	- kmutex_lock by the holder (self-deadlock on AdrOS), unlock by a
 *	  non-holder or of an unlocked kmutex;
 *	- a ksem/kmutex not initialised; a timed ksem wait when the
 *	  64-entry waiter array is full (AdrOS fails it at once);
 *	- kfree of a pointer kmalloc did not return, double kfree;
 *	- ATA calls on one channel from two threads at once (the PIO path
 *	  has no lock), bad drive, LBA beyond the disk or 28 bits, NULL;
 *	- virtio calls with count 0 or beyond the capacity.
 * Like AdrOS's driver under a slow drive (its waits count status reads,
 * so a long cache flush makes the next command fail), an ATA transfer
 * fails with EIO, moving nothing, while rumphost_adros_standin_atabusy()
 * transfers remain.
 * ksem_wait_timeout rounds ms up to 10 ms ticks counted from the last
 * tick boundary, as AdrOS does, so it may return up to a tick early.
 * The heap is limited to RH_ADROS_HEAP bytes of buddy blocks (default
 * 8 MiB, AdrOS's).  Disks: RH_ADROS_ATA0..3 and RH_ADROS_VBLK name files;
 * the kernel command line's unknown key=value words come from
 * RH_ADROS_CMDLINE.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "adros_api.h"

#define MAXW   64
#define TICKNS 10000000ull

static void
violation(const char *fmt, const char *a)
{
	fprintf(stderr, "adros stand-in: VIOLATION: ");
	fprintf(stderr, fmt, a);
	fprintf(stderr, "\n");
	abort();
}

/* --- tasks ---------------------------------------------------------- */

struct process {
	int p_magic;
};
static __thread struct process *cur;

struct process *
rumphost_adros_curproc(void)
{
	if (cur == NULL) {
		cur = calloc(1, sizeof(*cur));
		cur->p_magic = 0x7a5c;
	}
	return cur;
}

static void *
ktramp(void *v)
{
	void (*entry)(void);

	memcpy(&entry, v, sizeof(entry));
	free(v);
	rumphost_adros_curproc();
	entry();
	violation(
	    "kernel thread entry %s returned (AdrOS idles it forever)", "");
	return NULL;
}

static int nkthreads;

struct process *
process_create_kernel(void (*entry_point)(void))
{
	pthread_attr_t a;
	pthread_t t;
	void *v;

	if (entry_point == NULL)
		violation("process_create_kernel(NULL)%s", "");
	if (__atomic_add_fetch(&nkthreads, 1, __ATOMIC_RELAXED) > 2000)
		return NULL;
	v = malloc(sizeof(entry_point));
	memcpy(v, &entry_point, sizeof(entry_point));
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &a, ktramp, v) != 0) {
		free(v);
		return NULL;
	}
	pthread_attr_destroy(&a);
	return (struct process *)1;
}

void
schedule(void)
{
	sched_yield();
}

void
process_sleep(uint32_t ticks)
{
	usleep(10000u * (ticks ? ticks : 1));
}

/* --- ksem / kmutex ---------------------------------------------------- */

struct sem {
	int s_magic;
	int s_count;
	int s_nw;
	int s_signals;		  /* pending handoffs to waiters */
	struct process *s_holder; /* kmutex use */
	pthread_mutex_t s_m;
	pthread_cond_t s_c;
};
_Static_assert(sizeof(struct sem) <= sizeof(ksem_t), "ksem storage");

#define SMAGIC 0x5e3a

static struct sem *
S(ksem_t *k)
{
	struct sem *s = (struct sem *)(void *)k;

	if (s->s_magic != SMAGIC)
		violation("ksem/kmutex %s used without init", "");
	return s;
}

void
ksem_init(ksem_t *k, int32_t n)
{
	struct sem *s = (struct sem *)(void *)k;
	pthread_condattr_t ca;

	memset(s, 0, sizeof(*s));
	s->s_magic = SMAGIC;
	s->s_count = n;
	pthread_mutex_init(&s->s_m, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->s_c, &ca);
}

static uint64_t
nowns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int
ksem_wait_timeout(ksem_t *k, uint32_t ms)
{
	struct sem *s = S(k);
	struct timespec ts;
	uint64_t wake;
	int rv = 0;

	pthread_mutex_lock(&s->s_m);
	if (s->s_count > 0) {
		s->s_count--;
		pthread_mutex_unlock(&s->s_m);
		return 0;
	}
	if (s->s_nw >= MAXW) {
		pthread_mutex_unlock(&s->s_m);
		violation("ksem_wait_timeout: %s64 waiters already", "");
	}
	s->s_nw++;
	wake = 0;
	if (ms > 0) /* ticks from the current tick boundary */
		wake = (nowns() / TICKNS + (ms + 9) / 10) * TICKNS;
	while (s->s_signals == 0) {
		if (wake == 0) {
			pthread_cond_wait(&s->s_c, &s->s_m);
			continue;
		}
		ts.tv_sec = (time_t)(wake / 1000000000ull);
		ts.tv_nsec = (long)(wake % 1000000000ull);
		if (pthread_cond_timedwait(&s->s_c, &s->s_m, &ts) ==
			ETIMEDOUT &&
		    s->s_signals == 0) {
			rv = 1;
			break;
		}
	}
	if (rv == 0)
		s->s_signals--;
	s->s_nw--;
	pthread_mutex_unlock(&s->s_m);
	return rv;
}

void
ksem_wait(ksem_t *k)
{
	while (ksem_wait_timeout(k, 0) != 0)
		usleep(10000);
}

void
ksem_signal(ksem_t *k)
{
	struct sem *s = S(k);

	pthread_mutex_lock(&s->s_m);
	if (s->s_nw > s->s_signals) {
		s->s_signals++;
		pthread_cond_broadcast(&s->s_c);
	} else
		s->s_count++;
	pthread_mutex_unlock(&s->s_m);
}

void
kmutex_init(kmutex_t *m)
{
	ksem_init(&m->km_sem, 1);
}

void
kmutex_lock(kmutex_t *m)
{
	struct sem *s = S(&m->km_sem);
	struct process *me = rumphost_adros_curproc();

	if (__atomic_load_n(&s->s_holder, __ATOMIC_RELAXED) == me)
		violation("kmutex_lock by its holder%s (self-deadlock)", "");
	ksem_wait(&m->km_sem);
	__atomic_store_n(&s->s_holder, me, __ATOMIC_RELAXED);
}

void
kmutex_unlock(kmutex_t *m)
{
	struct sem *s = S(&m->km_sem);

	if (__atomic_load_n(&s->s_holder, __ATOMIC_RELAXED) !=
	    rumphost_adros_curproc())
		violation(
		    "kmutex_unlock by a thread that %s does not hold it", "");
	__atomic_store_n(&s->s_holder, NULL, __ATOMIC_RELAXED);
	ksem_signal(&m->km_sem);
}

/* --- heap ---------------------------------------------------------- */

#define HMAGIC 0xBD00CAFEu
static uint64_t heapused, heaplimit;

static uint64_t
buddy(size_t n)
{
	uint64_t b = 32;

	while (b < n + 16)
		b <<= 1;
	return b;
}

void *
kmalloc(size_t n)
{
	uint32_t *h;
	uint64_t b;

	if (heaplimit == 0) {
		const char *e = getenv("RH_ADROS_HEAP");

		heaplimit = e ? strtoull(e, NULL, 0) : 8u << 20;
	}
	if (n == 0)
		return NULL;
	b = buddy(n);
	if (__atomic_add_fetch(&heapused, b, __ATOMIC_RELAXED) > heaplimit) {
		__atomic_sub_fetch(&heapused, b, __ATOMIC_RELAXED);
		return NULL;
	}
	if ((h = aligned_alloc(16, (size_t)((n + 16 + 15) & ~15u))) == NULL)
		return NULL;
	h[0] = HMAGIC;
	h[1] = (uint32_t)b;
	return h + 4;
}

void
kfree(void *p)
{
	uint32_t *h;

	if (p == NULL)
		return;
	h = (uint32_t *)p - 4;
	if (((uintptr_t)p & 15) != 0 || h[0] != HMAGIC)
		violation("kfree of %s a pointer kmalloc did not return "
			  "(or a double kfree)",
		    "");
	h[0] = 0;
	__atomic_sub_fetch(&heapused, h[1], __ATOMIC_RELAXED);
	free(h);
}

/* --- console, cpu, clocks, csprng, cmdline -------------------------- */

void
console_write_buf(const char *buf, uint32_t len)
{
	fwrite(buf, 1, len, stderr);
}

void
hal_cpu_disable_interrupts(void)
{
}

void
hal_cpu_idle(void)
{
	/* The port halts: that is the process's end here. */
	fflush(NULL);
	_exit(getenv("RH_ADROS_HALT_STATUS") ? 0 : 99);
}

uint64_t
clock_gettime_ns(void)
{
	return nowns();
}

uint32_t
rtc_unix_timestamp(void)
{
	return (uint32_t)time(NULL);
}

void
csprng_get_bytes(uint8_t *out, uint32_t len)
{
	if (out == NULL)
		violation("csprng_get_bytes(NULL)%s", "");
	while (len > 0) {
		ssize_t n = getrandom(out, len, 0);

		if (n > 0)
			out += n, len -= (uint32_t)n;
	}
}

const char *const *
cmdline_init_envp(int *envc)
{
	static const char *env[17];
	static char buf[512];
	static int n = -1;
	char *t, *sv;

	if (n < 0) {
		const char *c = getenv("RH_ADROS_CMDLINE");

		n = 0;
		snprintf(buf, sizeof(buf), "%s", c ? c : "");
		for (t = strtok_r(buf, " ", &sv); t && n < 16;
		     t = strtok_r(NULL, " ", &sv))
			if (strchr(t, '=') != NULL)
				env[n++] = t;
	}
	if (envc)
		*envc = n;
	return env;
}

/* --- disks ---------------------------------------------------------- */

static int diskfd[5] = {-2, -2, -2, -2, -2};
static uint64_t disksec[5];
static int chanbusy[2];
static int atabusy; /* transfers still to fail with EIO */

static int
disk(int i)
{
	static const char *const ev[5] = {"RH_ADROS_ATA0", "RH_ADROS_ATA1",
	    "RH_ADROS_ATA2", "RH_ADROS_ATA3", "RH_ADROS_VBLK"};
	struct stat st;
	const char *p;

	if (diskfd[i] == -2) {
		diskfd[i] = -1;
		if ((p = getenv(ev[i])) != NULL &&
		    (diskfd[i] = open(p, O_RDWR)) >= 0 &&
		    fstat(diskfd[i], &st) == 0)
			disksec[i] = (uint64_t)st.st_size / 512;
	}
	return diskfd[i];
}

int
ata_pio_drive_present(int d)
{
	if (d < 0 || d > 3)
		return 0;
	return disk(d) >= 0;
}

uint32_t
ata_pio_sector_count(int d)
{
	if (!ata_pio_drive_present(d))
		return 0;
	return (uint32_t)disksec[d];
}

static int
ataio(int d, uint32_t lba, void *buf, int wr)
{
	ssize_t n;

	if (buf == NULL)
		violation("ATA call with a NULL buffer%s", "");
	if (d < 0 || d > 3 || disk(d) < 0)
		return -19;
	if (lba & 0xF0000000u)
		return -22;
	if (lba >= disksec[d])
		violation(
		    "ATA %s beyond the end of the disk", wr ? "write" : "read");
	if (__atomic_exchange_n(&chanbusy[d / 2], 1, __ATOMIC_ACQUIRE))
		violation("two ATA transfers at once on one channel%s "
			  "(AdrOS's PIO path has no lock)",
		    "");
	usleep(50); /* let a racing caller show itself */
	if (__atomic_load_n(&atabusy, __ATOMIC_RELAXED) > 0 &&
	    __atomic_fetch_sub(&atabusy, 1, __ATOMIC_RELAXED) > 0) {
		__atomic_store_n(&chanbusy[d / 2], 0, __ATOMIC_RELEASE);
		return -5; /* EIO: the drive is still busy */
	}
	n = wr ? pwrite(diskfd[d], buf, 512, (off_t)lba * 512)
	       : pread(diskfd[d], buf, 512, (off_t)lba * 512);
	__atomic_store_n(&chanbusy[d / 2], 0, __ATOMIC_RELEASE);
	return n == 512 ? 0 : -5;
}

int
ata_pio_read28(int d, uint32_t lba, uint8_t *buf)
{
	return ataio(d, lba, buf, 0);
}

int
ata_pio_write28(int d, uint32_t lba, const uint8_t *buf)
{
	return ataio(d, lba, (void *)(uintptr_t)buf, 1);
}

uint64_t
virtio_blk_capacity(void)
{
	return disk(4) >= 0 ? disksec[4] : 0;
}

static int
vio(uint64_t sec, void *buf, uint32_t count, int wr)
{
	ssize_t n;

	if (buf == NULL || count == 0)
		violation("virtio_blk call with NULL buffer or count 0%s", "");
	if (disk(4) < 0)
		return -1;
	if (sec + count > disksec[4])
		violation(
		    "virtio_blk %s beyond the capacity", wr ? "write" : "read");
	n = wr ? pwrite(diskfd[4], buf, 512u * count, (off_t)sec * 512)
	       : pread(diskfd[4], buf, 512u * count, (off_t)sec * 512);
	return n == (ssize_t)(512u * count) ? 0 : -1;
}

int
virtio_blk_read(uint64_t sec, void *buf, uint32_t count)
{
	return vio(sec, buf, count, 0);
}

int
virtio_blk_write(uint64_t sec, const void *buf, uint32_t count)
{
	return vio(sec, (void *)(uintptr_t)buf, count, 1);
}

/* For t_adros.c: how many AdrOS kernel threads the port has made. */
int rumphost_adros_standin_nkthreads(void);
int
rumphost_adros_standin_nkthreads(void)
{
	return __atomic_load_n(&nkthreads, __ATOMIC_RELAXED);
}

/* For t_adros.c: make the next n ATA transfers fail as a busy drive does. */
void rumphost_adros_standin_atabusy(int n);
void
rumphost_adros_standin_atabusy(int n)
{
	__atomic_store_n(&atabusy, n, __ATOMIC_RELAXED);
}
