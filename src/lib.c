/*
 * The few string and number routines the freestanding core needs.
 * Assumes nothing.
 */
#include "core.h"

size_t
rumphost_strlen(const char *s)
{
	const char *p = s;

	while (*p != '\0')
		p++;
	return (size_t)(p - s);
}

int
rumphost_strncmp(const char *a, const char *b, size_t n)
{

	for (; n > 0; a++, b++, n--) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (*a == '\0')
			return 0;
	}
	return 0;
}

int
rumphost_strcmp(const char *a, const char *b)
{

	return rumphost_strncmp(a, b, SIZE_MAX);
}

int
rumphost_strlcpy(char *dst, const char *src, size_t len)
{
	size_t n = rumphost_strlen(src);

	if (len == 0)
		return RH_ERANGE;
	if (n >= len) {
		dst[0] = '\0';
		return RH_ERANGE;
	}
	__builtin_memcpy(dst, src, n + 1);
	return 0;
}

int
rumphost_utoa(uint64_t v, char *buf, size_t len)
{
	char tmp[24];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (n >= len) {
		if (len > 0)
			buf[0] = '\0';
		return RH_ERANGE;
	}
	for (size_t i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return 0;
}
