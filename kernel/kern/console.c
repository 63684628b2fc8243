/*
 * console.c: the serial console on COM1 (0x3f8, 115200 8N1, polled) and
 * kprintf.  A whole write runs with interrupts off, so writes from
 * threads and interrupt handlers never interleave.  Assumes a 16550.
 */
#include <kern/kernel.h>

#define COM1 0x3f8

void
cons_init(void)
{

	outb(COM1 + 1, 0x00); /* no interrupts */
	outb(COM1 + 3, 0x80); /* DLAB */
	outb(COM1 + 0, 0x01); /* 115200 */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 2, 0xc7); /* FIFO on */
	outb(COM1 + 4, 0x03);
}

static void
cons_putc(char c)
{
	int spin;

	for (spin = 0; spin < 100000 && (inb(COM1 + 5) & 0x20) == 0; spin++)
		continue;
	outb(COM1, (uint8_t)c);
}

void
cons_write(const char *s, size_t len)
{
	uint64_t st = intr_disable();
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n')
			cons_putc('\r');
		cons_putc(s[i]);
	}
	intr_restore(st);
}

void
kvprintf(const char *fmt, va_list ap)
{
	char buf[1024]; /* a line of the conformance TAP (harness_kernel.c) */
	int n;

	n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	cons_write(buf, (size_t)n);
}

void
kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}
