/*
 * vblktest.c: the virtio-blk driver under several threads at once, run by
 * the rump demo kernel (rumpdemo.c) after the file system test.
 *
 * 1. vblk0 (the file system disk, only read): one thread reads the first
 *    VT_SPAN bytes in VT_CHUNK pieces and keeps each piece's CRC-32; then
 *    VT_NTHR threads read the same pieces, interleaved, at once, each into
 *    its own buffer placed off page alignment, and compare.
 * 2. vblk1 (a scratch disk, if attached): VT_NTHR threads write a known
 *    pattern over the whole disk at once, flush, then read it back at
 *    once and compare.  The host checks the image file afterwards
 *    (tests/qemu/t_rump.sh), so the data really reached the device.
 * The rates printed (PARREAD+CRC, PARWRITE+FILL) include the workers'
 * CRC or pattern work: they show concurrency works, not device speed.
 * Then the driver's statistics (requests, interrupts, most requests in
 * flight at once) are printed, one VBLKSTATS line per disk.
 *
 * Assumes the kernel API of kern/kernel.h (threads, kevents) and that a
 * worker's buffer is private to it.  Prints PARREAD / SCRATCH lines;
 * returns the number of errors.
 */
#include <kern/kernel.h>

#include "dev/kdev.h"
#include "rumpdemo.h"

#define VT_NTHR	 6
#define VT_CHUNK 65536u
#define VT_SPAN	 (16u << 20)
#define VT_MAXCH (VT_SPAN / VT_CHUNK)

struct vt_worker {
	struct kblkdev *b;
	unsigned id;
	unsigned nchunks;
	int write; /* 1: write the pattern, 0: read and check */
	int errors;
	struct kevent *done;
	uint8_t *buf; /* VT_CHUNK bytes, 512 * id past a page boundary */
};

static uint32_t vt_crc[VT_MAXCH];
static uint8_t vt_seqbuf[VT_CHUNK];
static uint8_t vt_bufs[VT_NTHR][VT_CHUNK + 4096]
    __attribute__((__aligned__(4096)));
static struct vt_worker vt_w[VT_NTHR];

/* The scratch disk's byte at offset o (t_rump.sh computes the same). */
static uint8_t
vt_pattern(uint64_t o)
{
	return (uint8_t)((o / 4096) * 13 + o % 251);
}

static void
vt_fill(uint8_t *p, uint64_t off, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = vt_pattern(off + i);
}

static int
vt_check(const uint8_t *p, uint64_t off, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != vt_pattern(off + i))
			return 1;
	return 0;
}

/* Chunks id, id + VT_NTHR, ...: read and compare, or write. */
static void
vt_work(void *arg)
{
	struct vt_worker *w = arg;
	uint64_t off;
	unsigned c;
	int error;

	for (c = w->id; c < w->nchunks; c += VT_NTHR) {
		off = (uint64_t)c * VT_CHUNK;
		if (w->write == 1)
			vt_fill(w->buf, off, VT_CHUNK);
		error = w->b->rw(w->b, w->write == 1, off, w->buf, VT_CHUNK);
		if (error != 0) {
			kprintf("VBLKTEST %s chunk %u: error %d\n", w->b->name,
			    c, error);
			w->errors++;
		} else if (w->write == 0 &&
		    demo_crc32(0, w->buf, VT_CHUNK) != vt_crc[c]) {
			kprintf("VBLKTEST %s chunk %u: crc differs\n",
			    w->b->name, c);
			w->errors++;
		} else if (w->write == 2 && vt_check(w->buf, off, VT_CHUNK)) {
			kprintf("VBLKTEST %s chunk %u: pattern differs\n",
			    w->b->name, c);
			w->errors++;
		}
	}
	kevent_signal(w->done);
}

/* Run VT_NTHR workers over nchunks of b; returns errors, sets *ns. */
static int
vt_run(struct kblkdev *b, unsigned nchunks, int write, uint64_t *ns)
{
	unsigned i;
	int errors = 0;
	uint64_t t = clock_mono_ns();

	for (i = 0; i < VT_NTHR; i++) {
		vt_w[i] = (struct vt_worker){.b = b,
		    .id = i,
		    .nchunks = nchunks,
		    .write = write,
		    .done = kevent_create(),
		    .buf = vt_bufs[i] + 512 * i};
		if (vt_w[i].done == NULL ||
		    kthread_create(vt_work, &vt_w[i], "vblktest", NULL) != 0) {
			kprintf("VBLKTEST cannot start worker %u\n", i);
			return errors + 1;
		}
	}
	for (i = 0; i < VT_NTHR; i++) {
		kevent_wait(vt_w[i].done);
		kevent_destroy(vt_w[i].done);
		errors += vt_w[i].errors;
	}
	*ns = clock_mono_ns() - t;
	return errors;
}

static void
vt_stats(const char *name)
{
	struct vblk_stats st;

	if (virtio_blk_stats(name, &st) != 0)
		return;
	kprintf("VBLKSTATS %s requests=%lu flushes=%lu interrupts=%lu "
		"maxinflight=%u slots=%u slotwaits=%lu %s\n",
	    name, st.requests, st.flushes, st.interrupts, st.maxinflight,
	    st.slots, st.slotwaits, st.msix ? "msi-x" : "intx");
}

static int
vt_parread(void)
{
	struct kblkdev *b = kblk_lookup("vblk0");
	unsigned c, n;
	uint64_t ns;
	int errors = 0;

	if (b == NULL)
		return 1;
	n = (unsigned)((b->size < VT_SPAN ? b->size : VT_SPAN) / VT_CHUNK);
	for (c = 0; c < n; c++) {
		if (b->rw(b, 0, (uint64_t)c * VT_CHUNK, vt_seqbuf, VT_CHUNK) !=
		    0)
			return 1;
		vt_crc[c] = demo_crc32(0, vt_seqbuf, VT_CHUNK);
	}
	errors = vt_run(b, n, 0, &ns);
	demo_rate("PARREAD+CRC", (uint64_t)n * VT_CHUNK, ns);
	return errors;
}

static int
vt_scratch(void)
{
	struct kblkdev *b = kblk_lookup("vblk1");
	unsigned n;
	uint64_t ns;
	int errors, error;

	if (b == NULL) {
		kprintf("SCRATCH no vblk1: skipped\n");
		return 0;
	}
	n = (unsigned)(b->size / VT_CHUNK);
	errors = vt_run(b, n, 1, &ns);
	demo_rate("PARWRITE+FILL", (uint64_t)n * VT_CHUNK, ns);
	if ((error = b->flush(b)) != 0) {
		kprintf("SCRATCH flush error %d\n", error);
		errors++;
	}
	errors += vt_run(b, n, 2, &ns);
	kprintf("SCRATCH %s %llu bytes written by %d threads, flushed, read "
		"back: %s\n",
	    b->name, (unsigned long long)n * VT_CHUNK, VT_NTHR,
	    errors ? "ERRORS" : "ok");
	return errors;
}

int
vblktest_run(void)
{
	int errors = vt_parread() + vt_scratch();

	vt_stats("vblk0");
	vt_stats("vblk1");
	vt_stats("vblk2");
	return errors;
}
