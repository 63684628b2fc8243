/*
 * dev/virtio_blk.c: virtio block devices (QEMU's -device virtio-blk-pci)
 * as struct kblkdev "vblk0", "vblk1", ...
 *
 * Interface choice: the legacy (transitional, virtio 0.9.5) I/O-port
 * interface when the device has it (QEMU's default for virtio-blk-pci on
 * the pc and q35 root buses): it needs nothing from the kernel but port
 * I/O and DMA pages, and is the path every QEMU since 2008 offers.
 * Modern-only devices (1af4:1042: disable-legacy=on, or behind a PCIe
 * root port) use the virtio 1.0 capabilities instead.  Both transports
 * are in virtio_pci.c; this file is the block protocol.
 *
 * Model: one split virtqueue (queue 0).  The queue's descriptors are cut
 * into nslot fixed runs of D = maxseg + 2 (header, data segments, status);
 * a request takes a free slot, so a slot number is also the index of its
 * run and the head descriptor id names the slot on completion.  Up to
 * nslot requests from as many threads are in flight at once; a thread
 * finding no slot queues a waiter and sleeps.  Data is transferred in
 * place: each page of the caller's buffer is translated with kvtophys and
 * physically adjacent pages are merged into one segment, so a chunk of
 * (maxseg - 1) pages always fits in one request.
 *
 * Completion is by interrupt: an MSI-X vector (kintr_alloc_vector) when
 * the device has the capability and accepts the vector, else the INTx line
 * (kintr_establish_line, shared: the ISR register says whether it was us).
 * The handler walks the used ring and signals each finished slot's kevent.
 *
 * Locking (see irqsave.h, one CPU): the free-slot list, the waiter queue,
 * the avail ring and the statistics are changed with interrupts off; the
 * used ring and vb_slot.done are written only by the interrupt handler; a
 * slot's header, status byte and descriptor run belong to the thread
 * holding the slot.
 */
#include <kern/dev.h>
#include <rumphost/nberrno.h>

#include "irqsave.h"
#include "kdev.h"
#include "pci.h"
#include "virtio_pci.h"

/* virtio-blk feature bits and device configuration. */
#define VBF_SIZE_MAX (1u << 1)
#define VBF_SEG_MAX  (1u << 2)
#define VBF_RO	     (1u << 5)
#define VBF_BLK_SIZE (1u << 6)
#define VBF_FLUSH    (1u << 9)
#define VBC_CAPACITY 0
#define VBC_SIZE_MAX 8
#define VBC_SEG_MAX  12
#define VBC_BLK_SIZE 20

#define VB_T_IN	   0
#define VB_T_OUT   1
#define VB_T_FLUSH 4
#define VB_S_OK	   0
#define VB_S_IOERR 1

/* Split virtqueue layout (legacy: used ring on the next 4 KiB boundary). */
#define VRING_DESC_F_NEXT  1
#define VRING_DESC_F_WRITE 2

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

struct vb_hdr {
	uint32_t type;
	uint32_t ioprio;
	uint64_t sector; /* 512-byte units whatever the block size */
};

#define PAGE	      4096u
#define VB_MAXSEG     17 /* data segments per request: 64 KiB anywhere */
#define VB_NSLOT      32
#define VB_MAXDEV     8
#define VB_SECTOR     512u
#define VB_PCI_LEGACY 0x1001
#define VB_PCI_MODERN 0x1042

struct vb_slot {
	struct kevent *ev;    /* signalled once per completion */
	volatile int done;    /* set by the handler */
	struct vb_slot *next; /* free list */
};

struct vb_waiter {
	struct kevent *ev;
	struct vb_waiter *next;
};

struct vb_softc {
	struct kblkdev blk;
	char name[8];
	struct vpci vp;
	int rdonly, canflush;
	unsigned qsize, nslot, maxseg;
	uint64_t maxchunk; /* bytes per request */
	uint64_t segmax;   /* bytes per segment */
	volatile struct vring_desc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[qsize] */
	volatile uint16_t *used;  /* flags, idx, then elems */
	uint16_t used_last;	  /* interrupt handler only */
	struct vb_hdr *hdr;	  /* [nslot], DMA */
	volatile uint8_t *status; /* [nslot], DMA */
	uint64_t hdr_pa, status_pa;
	struct vb_slot slot[VB_NSLOT];
	struct vb_slot *freeslot;	  /* irq off */
	struct vb_waiter *whead, **wtail; /* irq off */
	struct vblk_stats st; /* irq off, but st.interrupts: handler */
};

/* A softc whose attach failed stays used: its interrupt may be bound. */
static struct vb_softc vb_sc[VB_MAXDEV];
static unsigned vb_nsc;	 /* softcs used */
static unsigned vb_ndev; /* disks registered: the next unit number */

static inline void
vb_barrier(void)
{
	__asm__ volatile("mfence" : : : "memory");
}

static volatile struct vring_used_elem *
vb_used_ring(struct vb_softc *sc)
{
	return (volatile struct vring_used_elem *)(sc->used + 2);
}

static int
strcmp_dev(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a != *b;
}

/* --- completion ------------------------------------------------------- */

static void
vb_complete(struct vb_softc *sc)
{
	uint16_t idx = sc->used[1];
	uint32_t id;
	struct vb_slot *s;

	__asm__ volatile("" : : : "memory");
	while (sc->used_last != idx) {
		id = vb_used_ring(sc)[sc->used_last % sc->qsize].id;
		sc->used_last++;
		if (id >= sc->nslot * (sc->maxseg + 2) ||
		    id % (sc->maxseg + 2) != 0) {
			kprintf("%s: bogus used id %u\n", sc->name, id);
			continue;
		}
		s = &sc->slot[id / (sc->maxseg + 2)];
		s->done = 1;
		kevent_signal(s->ev);
		if (sc->used_last == idx)
			idx = sc->used[1];
	}
}

static void
vb_intr(void *arg)
{
	struct vb_softc *sc = arg;

	sc->st.interrupts++;
	vb_complete(sc);
}

/* --- slots -------------------------------------------------------------- */

static int
vb_slot_get(struct vb_softc *sc, struct vb_slot **sp)
{
	struct vb_waiter w;
	uint64_t fl;

	w.ev = NULL;
	for (;;) {
		fl = irq_save();
		if (sc->freeslot != NULL) {
			*sp = sc->freeslot;
			sc->freeslot = (*sp)->next;
			if (++sc->st.inflight > sc->st.maxinflight)
				sc->st.maxinflight = sc->st.inflight;
			sc->st.requests++;
			irq_restore(fl);
			break;
		}
		if (w.ev == NULL) {
			irq_restore(fl);
			if ((w.ev = kevent_create()) == NULL)
				return RH_ENOMEM;
			continue;
		}
		sc->st.slotwaits++;
		w.next = NULL;
		*sc->wtail = &w;
		sc->wtail = &w.next;
		irq_restore(fl);
		kevent_wait(w.ev);
	}
	if (w.ev != NULL)
		kevent_destroy(w.ev);
	return 0;
}

static void
vb_slot_put(struct vb_softc *sc, struct vb_slot *s)
{
	struct vb_waiter *w;
	uint64_t fl = irq_save();

	s->next = sc->freeslot;
	sc->freeslot = s;
	sc->st.inflight--;
	if ((w = sc->whead) != NULL) {
		sc->whead = w->next;
		if (sc->whead == NULL)
			sc->wtail = &sc->whead;
		kevent_signal(w->ev);
	}
	irq_restore(fl);
}

/* --- requests ----------------------------------------------------------- */

static void
vb_desc(
    struct vb_softc *sc, unsigned i, uint64_t pa, uint32_t len, uint16_t flags)
{
	sc->desc[i].addr = pa;
	sc->desc[i].len = len;
	sc->desc[i].flags = flags;
	sc->desc[i].next = (uint16_t)(i + 1);
}

/* Data segments of buf[0..len) from descriptor first on; returns count. */
static unsigned
vb_segments(struct vb_softc *sc, unsigned first, uint8_t *buf, size_t len,
    uint16_t flags)
{
	unsigned n = 0;
	uint64_t pa, seg_pa = 0, seg_len = 0, chunk;

	while (len > 0) {
		chunk = PAGE - ((uintptr_t)buf & (PAGE - 1));
		if (chunk > len)
			chunk = len;
		pa = kvtophys(buf);
		if (seg_len > 0 && seg_pa + seg_len == pa &&
		    seg_len + chunk <= sc->segmax) {
			seg_len += chunk;
		} else {
			if (seg_len > 0)
				vb_desc(sc, first + n++, seg_pa,
				    (uint32_t)seg_len, flags);
			seg_pa = pa;
			seg_len = chunk;
		}
		buf += chunk;
		len -= chunk;
	}
	vb_desc(sc, first + n++, seg_pa, (uint32_t)seg_len, flags);
	return n;
}

static void
vb_submit(struct vb_softc *sc, unsigned head)
{
	uint64_t fl = irq_save();
	uint16_t idx = sc->avail[1];

	sc->avail[2 + idx % sc->qsize] = (uint16_t)head;
	__asm__ volatile("" : : : "memory");
	sc->avail[1] = (uint16_t)(idx + 1);
	vb_barrier();
	vpci_notify(&sc->vp);
	irq_restore(fl);
}

/* The statistics' size class of a data request of len bytes. */
static unsigned
vb_sizeclass(size_t len)
{
	unsigned c = 0;

	while (c < 5 && len > (4096u << c))
		c++;
	return c;
}

/* One request of at most maxchunk bytes; blocks until it completes. */
static int
vb_request(
    struct vb_softc *sc, uint32_t type, uint64_t sector, void *buf, size_t len)
{
	struct vb_slot *s;
	unsigned si, head, n = 1;
	uint64_t t0, fl;
	uint8_t st;
	int error;

	if ((error = vb_slot_get(sc, &s)) != 0)
		return error;
	si = (unsigned)(s - sc->slot);
	head = si * (sc->maxseg + 2);
	sc->hdr[si].type = type;
	sc->hdr[si].ioprio = 0;
	sc->hdr[si].sector = sector;
	sc->status[si] = 0xff;
	vb_desc(sc, head, sc->hdr_pa + si * sizeof(struct vb_hdr),
	    sizeof(struct vb_hdr), VRING_DESC_F_NEXT);
	if (len > 0)
		n += vb_segments(sc, head + 1, buf, len,
		    (uint16_t)(VRING_DESC_F_NEXT |
			(type == VB_T_IN ? VRING_DESC_F_WRITE : 0)));
	vb_desc(sc, head + n, sc->status_pa + si, 1, VRING_DESC_F_WRITE);
	s->done = 0;
	t0 = clock_mono_ns();
	vb_submit(sc, head);
	while (!s->done)
		kevent_wait(s->ev);
	t0 = clock_mono_ns() - t0;
	fl = irq_save();
	sc->st.wait_ns += t0;
	sc->st.bytes += len;
	if (len > 0)
		sc->st.size[vb_sizeclass(len)]++;
	irq_restore(fl);
	st = sc->status[si];
	vb_slot_put(sc, s);
	if (st == VB_S_OK)
		return 0;
	return st == VB_S_IOERR ? RH_EIO : RH_EOPNOTSUPP;
}

static int
vb_rw(struct kblkdev *b, int write, uint64_t off, void *buf, size_t len)
{
	struct vb_softc *sc = b->softc;
	uint8_t *p = buf;
	size_t n;
	int error;

	if (write && sc->rdonly)
		return RH_EROFS;
	if (off % b->secsize != 0 || len % b->secsize != 0 || off > b->size ||
	    len > b->size - off)
		return RH_EINVAL;
	while (len > 0) {
		n = len < sc->maxchunk ? len : sc->maxchunk;
		error = vb_request(
		    sc, write ? VB_T_OUT : VB_T_IN, off / VB_SECTOR, p, n);
		if (error != 0)
			return error;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int
vb_flush(struct kblkdev *b)
{
	struct vb_softc *sc = b->softc;

	/* Without VIRTIO_BLK_F_FLUSH the device has no volatile cache. */
	if (!sc->canflush || sc->rdonly)
		return 0;
	sc->st.flushes++; /* a statistic: a lost update is harmless */
	return vb_request(sc, VB_T_FLUSH, 0, NULL, 0);
}

/* --- attachment --------------------------------------------------------- */

static int
vb_setup_queue(struct vb_softc *sc)
{
	size_t ringlen;
	uint64_t pa;
	uint8_t *mem;
	unsigned i;
	int error;

	if ((error = vpci_queue_size(&sc->vp, 256, &sc->qsize)) != 0)
		return error;
	if (sc->qsize < sc->maxseg + 2)
		return RH_ENXIO;
	ringlen = vpci_ring_bytes(sc->qsize);
	if ((mem = kdma_alloc(ringlen + PAGE, &pa)) == NULL)
		return RH_ENOMEM;
	sc->desc = (volatile struct vring_desc *)mem;
	sc->avail = (volatile uint16_t *)(mem + 16u * sc->qsize);
	sc->used = (volatile uint16_t *)(mem + vpci_used_offset(sc->qsize));
	/* One more page for the request headers and status bytes. */
	sc->hdr = (struct vb_hdr *)(mem + ringlen);
	sc->hdr_pa = pa + ringlen;
	sc->status = (volatile uint8_t *)(mem + ringlen +
	    VB_NSLOT * sizeof(struct vb_hdr));
	sc->status_pa = sc->hdr_pa + VB_NSLOT * sizeof(struct vb_hdr);
	sc->nslot = sc->qsize / (sc->maxseg + 2);
	if (sc->nslot > VB_NSLOT)
		sc->nslot = VB_NSLOT;
	sc->freeslot = NULL;
	sc->whead = NULL;
	sc->wtail = &sc->whead;
	for (i = sc->nslot; i-- > 0;) {
		if ((sc->slot[i].ev = kevent_create()) == NULL)
			return RH_ENOMEM;
		sc->slot[i].next = sc->freeslot;
		sc->freeslot = &sc->slot[i];
	}
	vpci_queue_enable(&sc->vp, sc->qsize, pa);
	return 0;
}

/* Take the features we use and read the limits they carry. */
static int
vb_negotiate(struct vb_softc *sc)
{
	uint64_t got;
	uint32_t v;
	int error;

	if ((error = vpci_features(&sc->vp,
		 VBF_SIZE_MAX | VBF_SEG_MAX | VBF_RO | VBF_BLK_SIZE | VBF_FLUSH,
		 &got)) != 0)
		return error;
	sc->maxseg = VB_MAXSEG;
	if ((got & VBF_SEG_MAX) &&
	    (v = vpci_cfg32(&sc->vp, VBC_SEG_MAX)) < sc->maxseg)
		sc->maxseg = v < 2 ? 2 : v;
	sc->segmax = 1u << 22;
	if ((got & VBF_SIZE_MAX) &&
	    (v = vpci_cfg32(&sc->vp, VBC_SIZE_MAX)) >= PAGE)
		sc->segmax = v;
	sc->blk.secsize = VB_SECTOR;
	if (got & VBF_BLK_SIZE)
		sc->blk.secsize = vpci_cfg32(&sc->vp, VBC_BLK_SIZE);
	if (sc->blk.secsize < VB_SECTOR || sc->blk.secsize > PAGE ||
	    (sc->blk.secsize & (sc->blk.secsize - 1)) != 0)
		sc->blk.secsize = VB_SECTOR;
	sc->rdonly = (got & VBF_RO) != 0;
	sc->canflush = (got & VBF_FLUSH) != 0;
	return 0;
}

static int
vb_attach(struct vb_softc *sc, const struct pci_dev *pd, unsigned unit)
{
	uint64_t sectors;
	int error;

	if ((error = vpci_init(&sc->vp, pd, 0)) != 0)
		return error;
	if ((error = vb_negotiate(sc)) != 0 ||
	    (error = vpci_intr(&sc->vp, vb_intr, sc)) != 0 ||
	    (error = vb_setup_queue(sc)) != 0) {
		vpci_fail(&sc->vp);
		return error;
	}
	sectors = vpci_cfg32(&sc->vp, VBC_CAPACITY) |
	    (uint64_t)vpci_cfg32(&sc->vp, VBC_CAPACITY + 4) << 32;
	sc->maxchunk = (uint64_t)(sc->maxseg - 1) * PAGE;
	sc->maxchunk -= sc->maxchunk % sc->blk.secsize;
	vpci_ready(&sc->vp);
	sc->name[0] = 'v';
	sc->name[1] = 'b';
	sc->name[2] = 'l';
	sc->name[3] = 'k';
	sc->name[4] = (char)('0' + unit);
	sc->name[5] = '\0';
	sc->blk.name = sc->name;
	sc->blk.size = sectors * VB_SECTOR;
	sc->blk.rw = vb_rw;
	sc->blk.flush = vb_flush;
	sc->blk.softc = sc;
#ifdef KBLK_RDONLY
	sc->blk.flags = sc->rdonly ? KBLK_RDONLY : 0;
#endif
	kprintf("%s: virtio-blk (%s) at pci %02x:%02x.%x, %lu sectors of %u "
		"bytes, queue %u, %u slots, %s%s%s\n",
	    sc->name, sc->vp.modern ? "virtio 1.0" : "legacy", pd->bus, pd->dev,
	    pd->fn, (unsigned long)sectors, sc->blk.secsize, sc->qsize,
	    sc->nslot, sc->vp.use_msix ? "msi-x" : "intx",
	    sc->rdonly ? ", read-only" : "", sc->canflush ? ", flush" : "");
	return 0;
}

/*
 * Sector 0 read through the interrupt path: proves completion works.  Its
 * FNV-1a hash is printed so that a test can check the data too.
 */
static int
vb_selftest(struct vb_softc *sc)
{
	uint64_t pa;
	uint8_t *page = kdma_alloc(PAGE, &pa);
	uint32_t h = 2166136261u;
	unsigned i;
	int error;

	if (page == NULL)
		return RH_ENOMEM;
	error = vb_rw(&sc->blk, 0, 0, page, sc->blk.secsize);
	for (i = 0; i < VB_SECTOR; i++)
		h = (h ^ page[i]) * 16777619u;
	kdma_free(page, PAGE);
	kprintf("%s: test read %s (%lu interrupts), sector 0 fnv1a %08x\n",
	    sc->name, error == 0 ? "ok" : "FAILED", sc->st.interrupts, h);
	return error;
}

/* A virtio block device: transitional 1af4:1001 (subsystem id 2, the
 * virtio type) or modern 1af4:1042. */
static int
vb_match(const struct pci_dev *pd)
{
	if (pd->vendor != VIRTIO_PCI_VENDOR)
		return 0;
	return (pd->device == VB_PCI_LEGACY && pd->subdevice == 2) ||
	    pd->device == VB_PCI_MODERN;
}

void
virtio_blk_probe(void)
{
	const struct pci_dev *pd;
	struct vb_softc *sc;
	unsigned i;
	int error;

	for (i = 0; (pd = pci_get(i)) != NULL; i++) {
		if (!vb_match(pd))
			continue;
		if (vb_nsc == VB_MAXDEV) {
			kprintf("virtio-blk: more than %d disks\n", VB_MAXDEV);
			break;
		}
		sc = &vb_sc[vb_nsc++];
		error = vb_attach(sc, pd, vb_ndev);
		if (error == 0)
			error = vb_selftest(sc);
		if (error == 0)
			error = kblk_register(&sc->blk);
		if (error != 0) {
			kprintf("virtio-blk %02x:%02x.%x: attach failed, "
				"error %d\n",
			    pd->bus, pd->dev, pd->fn, error);
			continue;
		}
		vb_ndev++;
	}
}

int
virtio_blk_stats(const char *name, struct vblk_stats *st)
{
	unsigned i;
	uint64_t fl;

	for (i = 0; i < vb_nsc; i++) {
		if (strcmp_dev(vb_sc[i].name, name) != 0)
			continue;
		fl = irq_save();
		*st = vb_sc[i].st;
		irq_restore(fl);
		st->slots = vb_sc[i].nslot;
		st->msix = vb_sc[i].vp.use_msix;
		return 0;
	}
	return RH_ENODEV;
}
