/*
 * dev/kdev.h: entry points of kernel/dev/ for the kernel proper.
 *
 * dev_init() enumerates PCI and attaches the drivers; kernel/main.c calls it
 * once from a thread, with interrupts and the scheduler running (drivers
 * wait for interrupts while attaching).
 */
#ifndef DEV_KDEV_H
#define DEV_KDEV_H

void dev_init(void);

/* Drivers' probe functions, called by dev_init() after pci_init(). */
void virtio_blk_probe(void);
/* QEMU's edu device, if present: a check of plain MSI (edu.c). */
void edu_probe(void);

/* What a virtio disk has done so far (for tests and measurements). */
struct vblk_stats {
	unsigned long requests; /* reads, writes and flushes */
	unsigned long flushes;
	unsigned long interrupts;
	unsigned long slotwaits; /* times a thread found no free slot */
	unsigned long bytes;	 /* data moved by reads and writes */
	uint64_t wait_ns;	 /* submit to completion, summed */
	unsigned long size[6]; /* data requests <= 4, 8, 16, 32, 64, > 64 KiB */
	unsigned inflight;     /* requests in flight now */
	unsigned maxinflight;  /* most ever in flight at once */
	unsigned slots;	       /* requests the queue holds at once */
	int msix;	       /* completion by MSI-X, else INTx */
};
int virtio_blk_stats(const char *name, struct vblk_stats *);

#endif /* !DEV_KDEV_H */
