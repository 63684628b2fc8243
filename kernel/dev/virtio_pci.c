/*
 * dev/virtio_pci.c: the virtio PCI transport (see virtio_pci.h).
 *
 * Legacy: every register in BAR0's I/O ports; the device config follows
 * the header, 4 bytes further once MSI-X is enabled; the queue is given
 * as one page frame number and its size is the device's.  Modern (virtio
 * 1.0): vendor capabilities (type 1 common, 2 notify, 3 ISR, 4 device
 * config) name a BAR window each, mapped with kmap_device; 64-bit
 * features with VERSION_1 and FEATURES_OK; the queue's three parts are
 * given separately and its size may be lowered.  Both use queue 0 only,
 * MSI-X table entry 0 for it and no configuration-change interrupt.
 *
 * Assumes the caller serialises set-up (one thread, before the device is
 * registered).  Afterwards only vpci_notify (any thread, its write is
 * atomic) and the interrupt path touch the device.
 */
#include <kern/dev.h>
#include <rumphost/nberrno.h>

#include "virtio_pci.h"

/* Legacy registers (BAR0 I/O offsets). */
#define VL_HOST_FEATURES  0x00
#define VL_GUEST_FEATURES 0x04
#define VL_QUEUE_PFN	  0x08
#define VL_QUEUE_SIZE	  0x0c
#define VL_QUEUE_SEL	  0x0e
#define VL_QUEUE_NOTIFY	  0x10
#define VL_STATUS	  0x12
#define VL_ISR		  0x13
#define VL_MSI_CONFIG	  0x14 /* only while MSI-X is enabled */
#define VL_MSI_QUEUE	  0x16
#define VL_CFG_MSIX	  0x18
#define VL_CFG_NOMSIX	  0x14

/* Modern common configuration structure offsets. */
#define VM_DFSELECT   0x00
#define VM_DF	      0x04
#define VM_GFSELECT   0x08
#define VM_GF	      0x0c
#define VM_MSIX_CFG   0x10
#define VM_STATUS     0x14
#define VM_Q_SELECT   0x16
#define VM_Q_SIZE     0x18
#define VM_Q_MSIX     0x1a
#define VM_Q_ENABLE   0x1c
#define VM_Q_NOTIFOFF 0x1e
#define VM_Q_DESC     0x20
#define VM_Q_AVAIL    0x28
#define VM_Q_USED     0x30

#define VCAP_COMMON 1
#define VCAP_NOTIFY 2
#define VCAP_ISR    3
#define VCAP_DEVICE 4

#define VS_ACK	       0x01
#define VS_DRIVER      0x02
#define VS_DRIVER_OK   0x04
#define VS_FEATURES_OK 0x08
#define VS_FAILED      0x80
#define V_NO_VECTOR    0xffff
#define VRING_ALIGN    4096u

static void
w16(volatile uint8_t *base, unsigned off, uint16_t v)
{
	*(volatile uint16_t *)(base + off) = v;
}

static uint16_t
r16(volatile uint8_t *base, unsigned off)
{
	return *(volatile uint16_t *)(base + off);
}

static void
w32(volatile uint8_t *base, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}

static uint32_t
r32(volatile uint8_t *base, unsigned off)
{
	return *(volatile uint32_t *)(base + off);
}

static void
w64(volatile uint8_t *base, unsigned off, uint64_t v)
{
	w32(base, off, (uint32_t)v);
	w32(base, off + 4, (uint32_t)(v >> 32));
}

static uint8_t
vpci_status(struct vpci *vp)
{
	return vp->modern ? vp->common[VM_STATUS]
			  : inb((uint16_t)(vp->iob + VL_STATUS));
}

static void
vpci_set_status(struct vpci *vp, uint8_t st)
{
	if (vp->modern)
		vp->common[VM_STATUS] = st;
	else
		outb((uint16_t)(vp->iob + VL_STATUS), st);
}

/* Map the window of vendor capability cap; NULL if it is not usable. */
static volatile uint8_t *
vpci_map_cap(const struct pci_dev *pd, unsigned cap, uint32_t minlen)
{
	unsigned bar = pci_read8(pd, cap + 4);
	uint32_t off = pci_read32(pd, cap + 8), len = pci_read32(pd, cap + 12);
	const struct pci_bar *b;

	if (bar > 5)
		return NULL;
	b = &pd->bar[bar];
	if (b->io || b->size == 0 || len < minlen ||
	    off + (uint64_t)len > b->size)
		return NULL;
	return (volatile uint8_t *)kmap_device(b->base + off, len);
}

/* Find and map the modern capabilities; 0 or ENXIO. */
static int
vpci_find_modern(struct vpci *vp)
{
	const struct pci_dev *pd = vp->pd;
	unsigned cap = 0;
	uint8_t type;

	while ((cap = pci_find_cap(pd, PCI_CAP_VENDOR, cap)) != 0) {
		type = pci_read8(pd, cap + 3);
		if (type == VCAP_COMMON && vp->common == NULL)
			vp->common = vpci_map_cap(pd, cap, 0x38);
		else if (type == VCAP_NOTIFY && vp->notify_base == NULL) {
			vp->notify_base = vpci_map_cap(pd, cap, 2);
			vp->notify_mul = pci_read32(pd, cap + 16);
			vp->notify_len = pci_read32(pd, cap + 12);
		} else if (type == VCAP_ISR && vp->isr == NULL)
			vp->isr = vpci_map_cap(pd, cap, 1);
		else if (type == VCAP_DEVICE && vp->devcfg == NULL)
			vp->devcfg = vpci_map_cap(pd, cap, 4);
	}
	if (vp->common == NULL || vp->notify_base == NULL || vp->isr == NULL ||
	    vp->devcfg == NULL)
		return RH_ENXIO;
	return 0;
}

int
vpci_init(struct vpci *vp, const struct pci_dev *pd, int prefer_modern)
{
	int haslegacy = pd->bar[0].io && pd->bar[0].size >= 0x18;

	vp->pd = pd;
	pci_command(pd, PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER, 0);
	if ((prefer_modern || !haslegacy) && vpci_find_modern(vp) == 0)
		vp->modern = 1;
	else if (!haslegacy)
		return RH_ENXIO;
	vp->iob = (uint16_t)pd->bar[0].base;
	vp->cfgoff = VL_CFG_NOMSIX;
	vpci_set_status(vp, 0); /* reset; modern: wait until it reads 0 */
	while (vp->modern && vpci_status(vp) != 0)
		;
	vpci_set_status(vp, VS_ACK);
	vpci_set_status(vp, VS_ACK | VS_DRIVER);
	return 0;
}

int
vpci_features(struct vpci *vp, uint64_t want, uint64_t *got)
{
	uint64_t dev;

	if (!vp->modern) {
		dev = inl((uint16_t)(vp->iob + VL_HOST_FEATURES));
		*got = dev & want & 0xffffffffu;
		outl((uint16_t)(vp->iob + VL_GUEST_FEATURES), (uint32_t)*got);
		return 0;
	}
	w32(vp->common, VM_DFSELECT, 0);
	dev = r32(vp->common, VM_DF);
	w32(vp->common, VM_DFSELECT, 1);
	dev |= (uint64_t)r32(vp->common, VM_DF) << 32;
	if (!(dev & VIRTIO_F_VERSION_1))
		return RH_ENXIO;
	*got = dev & (want | VIRTIO_F_VERSION_1);
	w32(vp->common, VM_GFSELECT, 0);
	w32(vp->common, VM_GF, (uint32_t)*got);
	w32(vp->common, VM_GFSELECT, 1);
	w32(vp->common, VM_GF, (uint32_t)(*got >> 32));
	vpci_set_status(vp, VS_ACK | VS_DRIVER | VS_FEATURES_OK);
	if (!(vpci_status(vp) & VS_FEATURES_OK))
		return RH_ENXIO;
	return 0;
}

uint32_t
vpci_cfg32(struct vpci *vp, unsigned off)
{
	if (vp->modern)
		return r32(vp->devcfg, off);
	return inl((uint16_t)(vp->iob + vp->cfgoff + off));
}

static void
vpci_intr_line(void *arg)
{
	struct vpci *vp = arg;
	uint8_t isr;

	/* Reading ISR acknowledges and deasserts the line. */
	isr = vp->modern ? *vp->isr : inb((uint16_t)(vp->iob + VL_ISR));
	if (isr & 1)
		vp->fn(vp->arg);
}

/* Queue 0 on MSI-X table entry 0; config changes on no vector. */
static int
vpci_msix(struct vpci *vp)
{
	uint64_t addr;
	uint32_t data;
	uint16_t back;
	int error;

	if ((error = pci_msix_map(vp->pd, &vp->msix)) != 0)
		return error;
	if ((error = kintr_alloc_vector(vp->fn, vp->arg, &addr, &data)) != 0)
		return error;
	pci_msix_set(&vp->msix, 0, addr, data);
	pci_msix_enable(&vp->msix, 1);
	if (vp->modern) {
		w16(vp->common, VM_MSIX_CFG, V_NO_VECTOR);
		w16(vp->common, VM_Q_SELECT, 0);
		w16(vp->common, VM_Q_MSIX, 0);
		back = r16(vp->common, VM_Q_MSIX);
	} else {
		vp->cfgoff = VL_CFG_MSIX;
		outw((uint16_t)(vp->iob + VL_MSI_CONFIG), V_NO_VECTOR);
		outw((uint16_t)(vp->iob + VL_QUEUE_SEL), 0);
		outw((uint16_t)(vp->iob + VL_MSI_QUEUE), 0);
		back = inw((uint16_t)(vp->iob + VL_MSI_QUEUE));
	}
	if (back != 0) {
		pci_msix_enable(&vp->msix, 0);
		vp->cfgoff = VL_CFG_NOMSIX;
		return RH_ENOSPC;
	}
	vp->use_msix = 1;
	return 0;
}

int
vpci_intr(struct vpci *vp, void (*fn)(void *), void *arg)
{
	vp->fn = fn;
	vp->arg = arg;
	if (vpci_msix(vp) == 0)
		return 0;
	if (vp->pd->intpin == 0)
		return RH_ENXIO;
	return kintr_establish_line(vp->pd->intline, vpci_intr_line, vp);
}

int
vpci_queue_size(struct vpci *vp, unsigned max, unsigned *qsize)
{
	unsigned n;

	if (!vp->modern) {
		outw((uint16_t)(vp->iob + VL_QUEUE_SEL), 0);
		n = inw((uint16_t)(vp->iob + VL_QUEUE_SIZE));
		if (inl((uint16_t)(vp->iob + VL_QUEUE_PFN)) != 0)
			return RH_EBUSY;
		*qsize = n;
		return n == 0 ? RH_ENXIO : 0;
	}
	w16(vp->common, VM_Q_SELECT, 0);
	n = r16(vp->common, VM_Q_SIZE);
	if (n == 0 || r16(vp->common, VM_Q_ENABLE) != 0 ||
	    (uint64_t)r16(vp->common, VM_Q_NOTIFOFF) * vp->notify_mul + 2 >
		vp->notify_len)
		return RH_ENXIO;
	/* Sizes are powers of two: halve down to max. */
	while (n > max && n > 1)
		n /= 2;
	w16(vp->common, VM_Q_SIZE, (uint16_t)n);
	*qsize = n;
	return 0;
}

size_t
vpci_used_offset(unsigned qsize)
{
	return (16u * qsize + 2u * (3 + qsize) + VRING_ALIGN - 1) &
	    ~(size_t)(VRING_ALIGN - 1);
}

size_t
vpci_ring_bytes(unsigned qsize)
{
	return vpci_used_offset(qsize) +
	    ((6u + 8u * qsize + VRING_ALIGN - 1) & ~(size_t)(VRING_ALIGN - 1));
}

void
vpci_queue_enable(struct vpci *vp, unsigned qsize, uint64_t pa)
{
	if (!vp->modern) {
		outw((uint16_t)(vp->iob + VL_QUEUE_SEL), 0);
		outl((uint16_t)(vp->iob + VL_QUEUE_PFN),
		    (uint32_t)(pa / VRING_ALIGN));
		return;
	}
	w16(vp->common, VM_Q_SELECT, 0);
	w64(vp->common, VM_Q_DESC, pa);
	w64(vp->common, VM_Q_AVAIL, pa + 16u * qsize);
	w64(vp->common, VM_Q_USED, pa + vpci_used_offset(qsize));
	vp->notify = (volatile uint16_t *)(vp->notify_base +
	    (uint64_t)r16(vp->common, VM_Q_NOTIFOFF) * vp->notify_mul);
	w16(vp->common, VM_Q_ENABLE, 1);
}

void
vpci_notify(struct vpci *vp)
{
	if (vp->modern)
		*vp->notify = 0;
	else
		outw((uint16_t)(vp->iob + VL_QUEUE_NOTIFY), 0);
}

void
vpci_ready(struct vpci *vp)
{
	vpci_set_status(vp,
	    (uint8_t)(VS_ACK | VS_DRIVER | VS_DRIVER_OK |
		(vp->modern ? VS_FEATURES_OK : 0)));
}

void
vpci_fail(struct vpci *vp)
{
	vpci_set_status(vp, VS_FAILED);
}
