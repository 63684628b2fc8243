/*
 * console.c: console output and halt on AdrOS.
 *
 * Both channels go to console_write_buf (AdrOS's console: UART and VGA).
 * A spin flag of our own keeps whole calls from interleaving with each
 * other (AdrOS's console has no lock across a buffer); it works before
 * init and needs no AdrOS object.  halt prints the status, masks
 * interrupts and idles forever: -1 (RUMPUSER_PANIC) leaves the machine
 * stopped for a debugger, anything else too (AdrOS has no way back).
 */
#include <rumphost/host.h>

#include "adros.h"
#include "adros_api.h"

static int conbusy;

void
rumphost_host_console_write(int chan, const char *s, size_t len)
{

	(void)chan;
	while (__atomic_exchange_n(&conbusy, 1, __ATOMIC_ACQUIRE))
		__builtin_ia32_pause();
	while (len > 0) {
		uint32_t n = len > 0x10000 ? 0x10000 : (uint32_t)len;

		console_write_buf(s, n);
		s += n;
		len -= n;
	}
	__atomic_store_n(&conbusy, 0, __ATOMIC_RELEASE);
}

static void
say(const char *s)
{

	rumphost_host_console_write(
	    RUMPHOST_CONSOLE_DIAG, s, rumphost_adros_strlen(s));
}

void
rumphost_host_halt(int status)
{

	say(status == -1 ? "rumphost: rump kernel panic, halting\n"
			 : "rumphost: rump kernel exited, halting\n");
	hal_cpu_disable_interrupts();
	for (;;)
		hal_cpu_idle();
}

void
rumphost_adros_fatal(const char *what)
{

	say("rumphost/adros: ");
	say(what);
	say("\n");
	rumphost_host_halt(-1);
}
