/*
 * dev/edu.c: a probe of QEMU's "edu" teaching device (1234:11e8), present
 * only when a test adds -device edu, to check pci.c's plain MSI path
 * (virtio devices have MSI-X only).
 *
 * The device's BAR0 registers used: 0x04 liveness (reads back the
 * complement of what was written), 0x24 interrupt status, 0x60 raise
 * (ORs the value into the status and interrupts: an MSI message once MSI
 * is enabled), 0x64 acknowledge.  The probe binds a vector, enables MSI,
 * raises one interrupt and waits for the handler by spinning with
 * interrupts on (the handler runs on this same CPU), bounded so that a
 * lost message is reported, not a hang.  Prints "edu: MSI ok" or
 * "edu: MSI FAILED ...".
 */
#include <kern/dev.h>

#include "kdev.h"
#include "pci.h"

#define EDU_VENDOR   0x1234
#define EDU_DEVICE   0x11e8
#define EDU_LIVENESS 0x04
#define EDU_ISTATUS  0x24
#define EDU_IRAISE   0x60
#define EDU_IACK     0x64
#define EDU_MAGIC    0x5u
#define EDU_SPINS    200000000ul

struct edu_softc {
	volatile uint32_t *regs;
	volatile unsigned nintr;      /* written by the handler */
	volatile uint32_t laststatus; /* written by the handler */
};

static struct edu_softc edu_sc;

static void
edu_intr(void *arg)
{
	struct edu_softc *sc = arg;
	uint32_t st = sc->regs[EDU_ISTATUS / 4];

	sc->regs[EDU_IACK / 4] = st;
	sc->laststatus = st;
	sc->nintr++;
}

void
edu_probe(void)
{
	const struct pci_dev *pd = pci_find(EDU_VENDOR, EDU_DEVICE, 0);
	struct edu_softc *sc = &edu_sc;
	uint64_t addr;
	uint32_t data;
	unsigned long spins;
	int error;

	if (pd == NULL || pd->bar[0].io || pd->bar[0].size < 0x100)
		return;
	pci_command(pd, PCI_CMD_MEM | PCI_CMD_MASTER, 0);
	sc->regs = (volatile uint32_t *)kmap_device(pd->bar[0].base, 0x100);
	sc->regs[EDU_LIVENESS / 4] = 0x12345678u;
	if (sc->regs[EDU_LIVENESS / 4] != ~0x12345678u) {
		kprintf("edu: MSI FAILED: liveness register does not answer\n");
		return;
	}
	if ((error = kintr_alloc_vector(edu_intr, sc, &addr, &data)) != 0 ||
	    (error = pci_msi_enable(pd, addr, data)) != 0) {
		kprintf("edu: MSI FAILED: set-up error %d\n", error);
		return;
	}
	sc->regs[EDU_IRAISE / 4] = EDU_MAGIC;
	for (spins = 0; sc->nintr == 0 && spins < EDU_SPINS; spins++)
		__asm__ volatile("pause" : : : "memory");
	if (sc->nintr == 1 && sc->laststatus == EDU_MAGIC)
		kprintf("edu: MSI ok (message data %x, status %x)\n", data,
		    sc->laststatus);
	else
		kprintf("edu: MSI FAILED: %u interrupts, status %x\n",
		    sc->nintr, sc->laststatus);
}
