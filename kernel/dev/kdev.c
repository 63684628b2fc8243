/*
 * dev/kdev.c: attach every driver of kernel/dev/ (PCI first).  Assumes
 * the caller's context described in kdev.h.
 */
#include <kern/dev.h>

#include "kdev.h"
#include "pci.h"

void
dev_init(void)
{
	pci_init();
	virtio_blk_probe();
	edu_probe();
}
