/*
 * dev/virtio_pci.h: the virtio PCI transport, legacy (I/O port, virtio
 * 0.9.5) and modern (virtio 1.0, memory BARs found through vendor
 * capabilities), behind one set of calls, for one virtqueue (queue 0).
 *
 * Order of use, as the virtio specification sets it: vpci_init (reset,
 * ACKNOWLEDGE, DRIVER), vpci_features, vpci_cfg32 reads, vpci_intr,
 * vpci_queue_size, vpci_queue_enable, vpci_ready (DRIVER_OK).  vpci_fail
 * marks the device FAILED after an error at any step.
 *
 * The queue memory has the legacy layout for every transport: descriptor
 * table, avail ring, used ring on the next 4 KiB boundary
 * (vpci_ring_bytes / vpci_used_offset), physically contiguous.
 */
#ifndef DEV_VIRTIO_PCI_H
#define DEV_VIRTIO_PCI_H

#include <stddef.h>
#include <stdint.h>

#include "pci.h"

#define VIRTIO_PCI_VENDOR 0x1af4
/* Transitional devices: 0x1000 + type - 1 ... ; modern: 0x1040 + type. */
#define VIRTIO_F_VERSION_1 (1ull << 32)

struct vpci {
	const struct pci_dev *pd;
	int modern;
	/* legacy */
	uint16_t iob;	 /* BAR0 I/O base */
	uint16_t cfgoff; /* device config offset (0x14, 0x18 with MSI-X) */
	/* modern: mapped capability windows */
	volatile uint8_t *common, *isr, *devcfg, *notify_base;
	uint32_t notify_mul, notify_len;
	volatile uint16_t *notify; /* queue 0's doorbell */
	/* interrupts */
	struct pci_msix msix;
	int use_msix;
	void (*fn)(void *); /* the driver's completion handler */
	void *arg;
};

/* Find the transport of pd (modern when it has the capabilities and
 * prefer_modern or no legacy BAR), reset the device, ACK + DRIVER. */
int vpci_init(struct vpci *, const struct pci_dev *pd, int prefer_modern);
/* Offer want (device-specific bits; VERSION_1 is added for modern);
 * *got: what both sides support.  ENXIO when the device refuses. */
int vpci_features(struct vpci *, uint64_t want, uint64_t *got);
uint32_t vpci_cfg32(struct vpci *, unsigned off);
/* Completion interrupt for queue 0: MSI-X vector 0 if possible, else
 * INTx (then the ISR register is read to see if it was ours). */
int vpci_intr(struct vpci *, void (*fn)(void *), void *arg);
/* Queue 0's size (legacy: the device's; modern: at most max). */
int vpci_queue_size(struct vpci *, unsigned max, unsigned *qsize);
void vpci_queue_enable(struct vpci *, unsigned qsize, uint64_t pa);
void vpci_notify(struct vpci *);
void vpci_ready(struct vpci *);
void vpci_fail(struct vpci *);

size_t vpci_used_offset(unsigned qsize);
size_t vpci_ring_bytes(unsigned qsize);

#endif /* !DEV_VIRTIO_PCI_H */
