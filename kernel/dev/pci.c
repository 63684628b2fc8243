/*
 * dev/pci.c: PCI enumeration and configuration for the reference kernel.
 *
 * Configuration mechanism #1: the address (enable bit, bus, device,
 * function, dword offset) goes to port 0xCF8, the dword at 0xCFC.  The
 * scan starts at bus 0 and follows PCI-to-PCI bridges to their secondary
 * buses (the firmware, SeaBIOS under QEMU, has numbered them), so it
 * costs a few hundred port accesses instead of 65536.  BARs are sized by
 * the write-ones-and-read-back rule with decoding turned off meanwhile.
 *
 * Assumes: one CPU, firmware-assigned BARs and bus numbers, at most
 * PCI_MAXDEV functions.  The table is written by pci_init() before any
 * driver runs and only read afterwards (no lock).
 */
#include <kern/dev.h>
#include <rumphost/nberrno.h>

#include "irqsave.h"
#include "pci.h"

#define PCI_ADDR_PORT 0xcf8
#define PCI_DATA_PORT 0xcfc
#define PCI_MAXDEV    64
#define PCI_MAXBUS    256

static struct pci_dev pci_devs[PCI_MAXDEV];
static unsigned pci_ndevs;
static uint8_t pci_bus_seen[PCI_MAXBUS]; /* loop guard for odd bridges */

static uint32_t
pci_addr(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
	return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (off & 0xfc);
}

static uint32_t
cfg_read(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
	uint64_t s = irq_save();
	uint32_t v;

	outl(PCI_ADDR_PORT, pci_addr(bus, dev, fn, off));
	v = inl(PCI_DATA_PORT);
	irq_restore(s);
	return v;
}

static void
cfg_write(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint32_t v)
{
	uint64_t s = irq_save();

	outl(PCI_ADDR_PORT, pci_addr(bus, dev, fn, off));
	outl(PCI_DATA_PORT, v);
	irq_restore(s);
}

uint32_t
pci_read32(const struct pci_dev *pd, unsigned off)
{
	return cfg_read(pd->bus, pd->dev, pd->fn, off);
}

uint16_t
pci_read16(const struct pci_dev *pd, unsigned off)
{
	return (uint16_t)(pci_read32(pd, off) >> ((off & 2) * 8));
}

uint8_t
pci_read8(const struct pci_dev *pd, unsigned off)
{
	return (uint8_t)(pci_read32(pd, off) >> ((off & 3) * 8));
}

void
pci_write32(const struct pci_dev *pd, unsigned off, uint32_t v)
{
	cfg_write(pd->bus, pd->dev, pd->fn, off, v);
}

/* Sub-dword writes: the data port is byte addressable (0xCFC + off % 4). */
void
pci_write16(const struct pci_dev *pd, unsigned off, uint16_t v)
{
	uint64_t s = irq_save();

	outl(PCI_ADDR_PORT, pci_addr(pd->bus, pd->dev, pd->fn, off));
	outw((uint16_t)(PCI_DATA_PORT + (off & 2)), v);
	irq_restore(s);
}

void
pci_write8(const struct pci_dev *pd, unsigned off, uint8_t v)
{
	uint64_t s = irq_save();

	outl(PCI_ADDR_PORT, pci_addr(pd->bus, pd->dev, pd->fn, off));
	outb((uint16_t)(PCI_DATA_PORT + (off & 3)), v);
	irq_restore(s);
}

void
pci_command(const struct pci_dev *pd, uint16_t set, uint16_t clear)
{
	uint16_t cmd = pci_read16(pd, PCI_COMMAND);

	pci_write16(pd, PCI_COMMAND, (uint16_t)((cmd & ~clear) | set));
}

unsigned
pci_find_cap(const struct pci_dev *pd, uint8_t id, unsigned after)
{
	unsigned off, guard;

	if (!(pci_read16(pd, PCI_STATUS) & PCI_STATUS_CAPLIST))
		return 0;
	off = after ? pci_read8(pd, after + 1) : pci_read8(pd, PCI_CAPPTR);
	for (guard = 0; off >= 0x40 && guard < 48; guard++) {
		off &= 0xfc;
		if (pci_read8(pd, off) == id)
			return off;
		off = pci_read8(pd, off + 1);
	}
	return 0;
}

/* Size BAR i (and i+1 for a 64-bit one); returns the slots it used. */
static unsigned
pci_size_bar(struct pci_dev *pd, unsigned i)
{
	struct pci_bar *b = &pd->bar[i];
	unsigned off = PCI_BAR0 + 4 * i;
	uint32_t lo = pci_read32(pd, off), szlo, hi = 0, szhi = 0xffffffffu;
	uint64_t mask;

	pci_write32(pd, off, 0xffffffffu);
	szlo = pci_read32(pd, off);
	pci_write32(pd, off, lo);
	if (szlo == 0 || szlo == 0xffffffffu)
		return 1;
	if (lo & 1) {
		b->io = 1;
		b->base = lo & ~3u;
		mask = (szlo & ~3u) | 0xffff0000u;
		b->size = (uint32_t)(~mask + 1);
		return 1;
	}
	b->prefetch = (lo >> 3) & 1;
	if (((lo >> 1) & 3) == 2 && i < 5) {
		b->is64 = 1;
		hi = pci_read32(pd, off + 4);
		pci_write32(pd, off + 4, 0xffffffffu);
		szhi = pci_read32(pd, off + 4);
		pci_write32(pd, off + 4, hi);
	}
	mask = (uint64_t)szhi << 32 | (szlo & ~0xfu);
	b->base = (uint64_t)hi << 32 | (lo & ~0xfu);
	b->size = ~mask + 1;
	return b->is64 ? 2 : 1;
}

static void
pci_read_bars(struct pci_dev *pd)
{
	uint16_t cmd = pci_read16(pd, PCI_COMMAND);
	unsigned i;

	/* No decoding while a BAR holds all ones. */
	pci_write16(
	    pd, PCI_COMMAND, (uint16_t)(cmd & ~(PCI_CMD_IO | PCI_CMD_MEM)));
	for (i = 0; i < 6;)
		i += pci_size_bar(pd, i);
	pci_write16(pd, PCI_COMMAND, cmd);
}

static void pci_scan_bus(unsigned bus);

static void
pci_print(const struct pci_dev *pd)
{
	unsigned i;

	kprintf("pci %02x:%02x.%x %04x:%04x class %02x%02x%02x irq %u", pd->bus,
	    pd->dev, pd->fn, pd->vendor, pd->device, pd->class, pd->subclass,
	    pd->progif, pd->intpin ? pd->intline : 0);
	for (i = 0; i < 6; i++) {
		if (pd->bar[i].size == 0)
			continue;
		kprintf(" bar%u %s %lx/%lx", i, pd->bar[i].io ? "io" : "mem",
		    (unsigned long)pd->bar[i].base,
		    (unsigned long)pd->bar[i].size);
	}
	kprintf("\n");
}

static void
pci_add(unsigned bus, unsigned dev, unsigned fn, uint32_t id)
{
	struct pci_dev *pd;
	uint32_t cls;

	if (pci_ndevs == PCI_MAXDEV) {
		kprintf(
		    "pci: table full, %02x:%02x.%x ignored\n", bus, dev, fn);
		return;
	}
	pd = &pci_devs[pci_ndevs++];
	pd->bus = (uint8_t)bus;
	pd->dev = (uint8_t)dev;
	pd->fn = (uint8_t)fn;
	pd->vendor = (uint16_t)id;
	pd->device = (uint16_t)(id >> 16);
	cls = pci_read32(pd, PCI_REVISION);
	pd->revision = (uint8_t)cls;
	pd->progif = (uint8_t)(cls >> 8);
	pd->subclass = (uint8_t)(cls >> 16);
	pd->class = (uint8_t)(cls >> 24);
	pd->hdrtype = pci_read8(pd, PCI_HDRTYPE) & 0x7f;
	if (pd->hdrtype == 0) {
		pd->subvendor = pci_read16(pd, PCI_SUBSYS_VENDOR);
		pd->subdevice = pci_read16(pd, PCI_SUBSYS_ID);
		pd->intline = pci_read8(pd, PCI_INTLINE);
		pd->intpin = pci_read8(pd, PCI_INTPIN);
		pci_read_bars(pd);
	}
	pci_print(pd);
	if (pd->hdrtype == 1)
		pci_scan_bus(pci_read8(pd, PCI_SECBUS));
}

static void
pci_scan_bus(unsigned bus)
{
	unsigned dev, fn, nfn;
	uint32_t id;

	if (bus >= PCI_MAXBUS || pci_bus_seen[bus])
		return;
	pci_bus_seen[bus] = 1;
	for (dev = 0; dev < 32; dev++) {
		id = cfg_read(bus, dev, 0, PCI_VENDOR);
		if ((id & 0xffff) == 0xffff)
			continue;
		nfn = (cfg_read(bus, dev, 0, 0x0c) >> 16) & 0x80 ? 8 : 1;
		for (fn = 0; fn < nfn; fn++) {
			if (fn > 0)
				id = cfg_read(bus, dev, fn, PCI_VENDOR);
			if ((id & 0xffff) != 0xffff)
				pci_add(bus, dev, fn, id);
		}
	}
}

void
pci_init(void)
{
	if (pci_ndevs > 0)
		return;
	pci_scan_bus(0);
	kprintf("pci: %u functions\n", pci_ndevs);
}

unsigned
pci_count(void)
{
	return pci_ndevs;
}

struct pci_dev *
pci_get(unsigned i)
{
	return i < pci_ndevs ? &pci_devs[i] : NULL;
}

struct pci_dev *
pci_find(uint16_t vendor, uint16_t device, unsigned idx)
{
	unsigned i;

	for (i = 0; i < pci_ndevs; i++) {
		if (pci_devs[i].vendor != vendor ||
		    pci_devs[i].device != device)
			continue;
		if (idx-- == 0)
			return &pci_devs[i];
	}
	return NULL;
}

/* --- MSI-X and MSI ---------------------------------------------------- */

#define MSIX_CTL_ENABLE 0x8000
#define MSIX_CTL_FMASK	0x4000
#define MSIX_VEC_MASKED 0x1

int
pci_msix_map(const struct pci_dev *pd, struct pci_msix *mx)
{
	unsigned cap = pci_find_cap(pd, PCI_CAP_MSIX, 0), bir, i;
	uint32_t tbl;
	const struct pci_bar *b;

	if (cap == 0)
		return RH_ENOENT;
	mx->pd = pd;
	mx->cap = cap;
	mx->nvec = (pci_read16(pd, cap + 2) & 0x7ff) + 1u;
	tbl = pci_read32(pd, cap + 4);
	bir = tbl & 7;
	if (bir > 5)
		return RH_ENXIO;
	b = &pd->bar[bir];
	if (b->io || b->size == 0 || (tbl & ~7u) + mx->nvec * 16u > b->size)
		return RH_ENXIO;
	pci_command(pd, PCI_CMD_MEM, 0);
	mx->table = (volatile uint32_t *)kmap_device(
	    b->base + (tbl & ~7u), mx->nvec * 16u);
	for (i = 0; i < mx->nvec; i++)
		mx->table[i * 4 + 3] = MSIX_VEC_MASKED;
	return 0;
}

void
pci_msix_set(struct pci_msix *mx, unsigned vec, uint64_t addr, uint32_t data)
{
	volatile uint32_t *e = &mx->table[vec * 4];

	e[3] = MSIX_VEC_MASKED;
	e[0] = (uint32_t)addr;
	e[1] = (uint32_t)(addr >> 32);
	e[2] = data;
	e[3] = 0;
}

void
pci_msix_enable(struct pci_msix *mx, int on)
{
	uint16_t ctl = pci_read16(mx->pd, mx->cap + 2);

	ctl &= (uint16_t) ~(MSIX_CTL_ENABLE | MSIX_CTL_FMASK);
	if (on) {
		pci_command(mx->pd, PCI_CMD_INTX_OFF, 0);
		ctl |= MSIX_CTL_ENABLE;
	}
	pci_write16(mx->pd, mx->cap + 2, ctl);
	if (!on)
		pci_command(mx->pd, 0, PCI_CMD_INTX_OFF);
}

int
pci_msi_enable(const struct pci_dev *pd, uint64_t addr, uint32_t data)
{
	unsigned cap = pci_find_cap(pd, PCI_CAP_MSI, 0);
	uint16_t ctl;

	if (cap == 0)
		return RH_ENOENT;
	ctl = pci_read16(pd, cap + 2);
	pci_write32(pd, cap + 4, (uint32_t)addr);
	if (ctl & 0x80) { /* 64-bit address */
		pci_write32(pd, cap + 8, (uint32_t)(addr >> 32));
		pci_write16(pd, cap + 12, (uint16_t)data);
	} else {
		pci_write16(pd, cap + 8, (uint16_t)data);
	}
	ctl &= (uint16_t)~0x70; /* one message */
	pci_command(pd, PCI_CMD_INTX_OFF, 0);
	pci_write16(pd, cap + 2, (uint16_t)(ctl | 1));
	return 0;
}
