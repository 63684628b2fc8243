/*
 * Console output: rumpuser_putchar and rumpuser_dprintf.
 *
 * Model: putchar collects characters into a line buffer in the calling
 * thread's record and hands whole lines to the host, so lines printed by
 * concurrent threads never interleave.  A line longer than the buffer goes
 * out in pieces.  dprintf formats into a stack buffer and writes it to the
 * diagnostics channel in one host call.
 *
 * Assumes: the host console; nothing else, so it works before init.
 */
#include "core.h"

#define DPRINTF_MAX 512

static void
console_flush_thr(struct rumphost_thr *t)
{

	if (t->t_linelen == 0)
		return;
	rumphost_host_console_write(
	    RUMPHOST_CONSOLE_OUT, t->t_line, t->t_linelen);
	t->t_linelen = 0;
}

void
rumphost_console_flush(void)
{
	struct rumphost_thr *t = rumphost_host_tls_get();

	if (t != NULL)
		console_flush_thr(t);
}

void
rumpuser_putchar(int c)
{
	struct rumphost_thr *t = rumphost_thr_self();
	char ch = (char)c;

	if (RH_UNLIKELY(t == NULL)) {
		/* No memory for a line buffer: unbuffered is still output. */
		rumphost_host_console_write(RUMPHOST_CONSOLE_OUT, &ch, 1);
		return;
	}
	t->t_line[t->t_linelen++] = ch;
	if (ch == '\n' || t->t_linelen == sizeof(t->t_line))
		console_flush_thr(t);
}

void
rumpuser_dprintf(const char *fmt, ...)
{
	static const char cut[] = "[...]\n";
	char buf[DPRINTF_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rumphost_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf)) {
		/* Say that the message was cut rather than lose that fact. */
		__builtin_memcpy(
		    buf + sizeof(buf) - sizeof(cut), cut, sizeof(cut));
		n = sizeof(buf) - 1;
	}
	rumphost_host_console_write(RUMPHOST_CONSOLE_DIAG, buf, (size_t)n);
}
