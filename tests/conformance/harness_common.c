/*
 * harness_common.c: the part of the harness layer (harness.h) that is
 * the same on every harness: the variadic output and formatting calls,
 * over each harness's own h_vprintf and h_vsnprintf.
 *
 * Assumes: only harness.h and <stdarg.h>, no libc, so that the POSIX
 * harness (harness_posix.c) and the reference kernel's
 * (tests/refkernel/harness_kernel.c) both link it.
 */
#include <stdarg.h>

#include "harness.h"

void
h_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	h_vprintf(fmt, ap);
	va_end(ap);
}

int
h_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = h_vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}
