/*
 * lib.c: the memory and string functions the compiler, the core, the
 * tests and drivers call.  rep movs/stos and byte loops; assumes
 * nothing.
 */
#include <kern/kernel.h>

/*
 * Whole 8-byte words first, then the tail bytes: under emulation (QEMU's
 * TCG runs a rep string instruction one element per iteration) rep
 * movsq/stosq is about eight times faster than the byte forms.
 */
void *
memcpy(void *d, const void *s, size_t n)
{
	void *r = d;
	size_t w = n / 8;

	n %= 8;
	__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(w) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return r;
}

void *
memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n-- > 0)
		dp[n] = sp[n];
	return d;
}

void *
memset(void *d, int c, size_t n)
{
	void *r = d;
	size_t w = n / 8;
	uint64_t v = (uint8_t)c * 0x0101010101010101ULL;

	n %= 8;
	__asm__ volatile("rep stosq" : "+D"(d), "+c"(w) : "a"(v) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(v) : "memory");
	return r;
}

int
memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n > 0; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

void *
memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n > 0; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)(uintptr_t)p;
	return NULL;
}

size_t
strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

int
strcmp(const char *a, const char *b)
{

	for (; *a != '\0' && *a == *b; a++, b++)
		continue;
	return (unsigned char)*a - (unsigned char)*b;
}

int
strncmp(const char *a, const char *b, size_t n)
{

	for (; n > 0; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (*a == '\0')
			break;
	}
	return 0;
}

char *
strchr(const char *s, int c)
{

	for (;; s++) {
		if (*s == (char)c)
			return (char *)(uintptr_t)s;
		if (*s == '\0')
			return NULL;
	}
}
