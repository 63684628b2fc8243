/*
 * dev/pci.h: PCI configuration space access (mechanism #1, ports
 * 0xCF8/0xCFC), the table of functions found at boot, BARs, the
 * capability list and MSI / MSI-X set-up.
 *
 * pci_init() fills the table once, before drivers probe; afterwards the
 * table is read-only and needs no lock.  Configuration cycles are two port
 * accesses (address, then data): each accessor runs them with interrupts
 * off so that an interrupt handler's own access cannot come in between.
 */
#ifndef DEV_PCI_H
#define DEV_PCI_H

#include <stdint.h>

/* Standard configuration header offsets. */
#define PCI_VENDOR	  0x00
#define PCI_DEVICE	  0x02
#define PCI_COMMAND	  0x04
#define PCI_STATUS	  0x06
#define PCI_REVISION	  0x08
#define PCI_HDRTYPE	  0x0e
#define PCI_BAR0	  0x10
#define PCI_SUBSYS_VENDOR 0x2c
#define PCI_SUBSYS_ID	  0x2e
#define PCI_CAPPTR	  0x34
#define PCI_INTLINE	  0x3c
#define PCI_INTPIN	  0x3d
#define PCI_SECBUS	  0x19 /* type 1 (bridge) header */

#define PCI_CMD_IO	   0x0001
#define PCI_CMD_MEM	   0x0002
#define PCI_CMD_MASTER	   0x0004
#define PCI_CMD_INTX_OFF   0x0400
#define PCI_STATUS_CAPLIST 0x0010

#define PCI_CAP_MSI    0x05
#define PCI_CAP_VENDOR 0x09
#define PCI_CAP_MSIX   0x11

struct pci_bar {
	uint64_t base; /* bus (= physical) address or I/O port */
	uint64_t size; /* 0: the device implements no such BAR */
	uint8_t io;    /* I/O space */
	uint8_t is64;  /* 64-bit memory BAR (uses the next slot too) */
	uint8_t prefetch;
};

struct pci_dev {
	uint8_t bus, dev, fn;
	uint8_t hdrtype; /* without the multi-function bit */
	uint16_t vendor, device;
	uint16_t subvendor, subdevice;
	uint8_t class, subclass, progif, revision;
	uint8_t intline, intpin; /* intpin 0: no INTx */
	struct pci_bar bar[6];	 /* type 0 headers only */
};

/* Enumerate every bus reachable from bus 0 (once); prints one line each. */
void pci_init(void);
unsigned pci_count(void);
struct pci_dev *pci_get(unsigned i);
/* The idx-th function with this vendor and device id, or NULL. */
struct pci_dev *pci_find(uint16_t vendor, uint16_t device, unsigned idx);

uint8_t pci_read8(const struct pci_dev *, unsigned off);
uint16_t pci_read16(const struct pci_dev *, unsigned off);
uint32_t pci_read32(const struct pci_dev *, unsigned off);
void pci_write8(const struct pci_dev *, unsigned off, uint8_t);
void pci_write16(const struct pci_dev *, unsigned off, uint16_t);
void pci_write32(const struct pci_dev *, unsigned off, uint32_t);

/* Set (and clear) bits of the command register. */
void pci_command(const struct pci_dev *, uint16_t set, uint16_t clear);

/* Offset of the first capability `id' after `after' (0: from the start),
 * or 0 when there is none. */
unsigned pci_find_cap(const struct pci_dev *, uint8_t id, unsigned after);

/*
 * MSI-X: pci_msix_map() finds the capability and maps the vector table
 * (all vectors masked, MSI-X still disabled); set entries, then enable.
 * Enabling turns INTx off.
 */
struct pci_msix {
	const struct pci_dev *pd;
	unsigned cap;		  /* capability offset */
	unsigned nvec;		  /* table size */
	volatile uint32_t *table; /* nvec entries of 4 words */
};
int pci_msix_map(const struct pci_dev *, struct pci_msix *);
void
pci_msix_set(struct pci_msix *, unsigned vec, uint64_t addr, uint32_t data);
void pci_msix_enable(struct pci_msix *, int on);

/* Plain MSI, one vector (ENOENT without the capability). */
int pci_msi_enable(const struct pci_dev *, uint64_t addr, uint32_t data);

#endif /* !DEV_PCI_H */
