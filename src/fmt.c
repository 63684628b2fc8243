/*
 * rumphost_vsnprintf: the printf formatting the core needs for
 * rumpuser_dprintf and its own messages, without libc.
 *
 * Supported: %d %i %u %x %X %o %c %s %p %%, the flags - 0 + space #,
 * field width and precision (numbers or *), and the length modifiers
 * hh h l ll j z t.  Anything else is copied out as written, so a format
 * this does not know shows up visibly instead of consuming arguments.
 *
 * Assumes nothing.
 */
#include "core.h"

struct out {
	char *o_buf;
	size_t o_size;
	size_t o_len; /* what the whole output would take */
};

struct spec {
	bool s_left, s_zero, s_plus, s_space, s_alt;
	int s_width;
	int s_prec; /* -1: none */
	int s_len;  /* 'H' hh, 'h', 'l', 'L' ll, 'j', 'z', 't' */
};

static void
out_c(struct out *o, char c)
{

	if (o->o_len + 1 < o->o_size)
		o->o_buf[o->o_len] = c;
	o->o_len++;
}

static void
out_pad(struct out *o, char c, int n)
{

	while (n-- > 0)
		out_c(o, c);
}

static void
out_str(struct out *o, const struct spec *sp, const char *s)
{
	int n = 0;

	if (s == NULL)
		s = "(null)";
	while (s[n] != '\0' && (sp->s_prec < 0 || n < sp->s_prec))
		n++;
	if (!sp->s_left)
		out_pad(o, ' ', sp->s_width - n);
	for (int i = 0; i < n; i++)
		out_c(o, s[i]);
	if (sp->s_left)
		out_pad(o, ' ', sp->s_width - n);
}

static void
out_num(struct out *o, const struct spec *sp, uint64_t v, bool neg,
    unsigned base, bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, zeros, plen, sign;

	while (v != 0) {
		tmp[n++] = digits[v % base];
		v /= base;
	}
	if (n == 0 && sp->s_prec != 0)
		tmp[n++] = '0';
	zeros = sp->s_prec > n ? sp->s_prec - n : 0;
	sign = neg || sp->s_plus || sp->s_space;
	plen = prefix != NULL ? (int)rumphost_strlen(prefix) : 0;
	if (sp->s_zero && !sp->s_left && sp->s_prec < 0 &&
	    sp->s_width > n + sign + plen)
		zeros = sp->s_width - n - sign - plen;
	if (!sp->s_left)
		out_pad(o, ' ', sp->s_width - n - zeros - sign - plen);
	if (sign)
		out_c(o, neg ? '-' : sp->s_plus ? '+' : ' ');
	for (int i = 0; i < plen; i++)
		out_c(o, prefix[i]);
	out_pad(o, '0', zeros);
	while (n > 0)
		out_c(o, tmp[--n]);
	if (sp->s_left)
		out_pad(o, ' ', sp->s_width - n - zeros - sign - plen);
}

static int64_t
arg_signed(va_list *ap, int len)
{

	switch (len) {
	case 'L': return va_arg(*ap, long long);
	case 'l': return va_arg(*ap, long);
	case 'j': return va_arg(*ap, intmax_t);
	case 'z': return (int64_t)va_arg(*ap, size_t);
	case 't': return va_arg(*ap, ptrdiff_t);
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	default: return va_arg(*ap, int);
	}
}

static uint64_t
arg_unsigned(va_list *ap, int len)
{

	switch (len) {
	case 'L': return va_arg(*ap, unsigned long long);
	case 'l': return va_arg(*ap, unsigned long);
	case 'j': return va_arg(*ap, uintmax_t);
	case 'z': return va_arg(*ap, size_t);
	case 't': return (uint64_t)va_arg(*ap, ptrdiff_t);
	case 'H': return (unsigned char)va_arg(*ap, unsigned);
	case 'h': return (unsigned short)va_arg(*ap, unsigned);
	default: return va_arg(*ap, unsigned);
	}
}

/* Parse flags, width, precision and length; returns the conversion char. */
static const char *
parse_spec(const char *f, struct spec *sp, va_list *ap)
{

	*sp = (struct spec){.s_prec = -1};
	for (;; f++) {
		if (*f == '-')
			sp->s_left = true;
		else if (*f == '0')
			sp->s_zero = true;
		else if (*f == '+')
			sp->s_plus = true;
		else if (*f == ' ')
			sp->s_space = true;
		else if (*f == '#')
			sp->s_alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->s_width = va_arg(*ap, int);
		if (sp->s_width < 0) {
			sp->s_left = true;
			sp->s_width = -sp->s_width;
		}
		f++;
	}
	for (; *f >= '0' && *f <= '9'; f++)
		sp->s_width = sp->s_width * 10 + (*f - '0');
	if (*f == '.') {
		f++;
		sp->s_prec = 0;
		if (*f == '*') {
			sp->s_prec = va_arg(*ap, int);
			f++;
		}
		for (; *f >= '0' && *f <= '9'; f++)
			sp->s_prec = sp->s_prec * 10 + (*f - '0');
	}
	if (f[0] == 'h' && f[1] == 'h') {
		sp->s_len = 'H';
		f += 2;
	} else if (f[0] == 'l' && f[1] == 'l') {
		sp->s_len = 'L';
		f += 2;
	} else if (*f == 'h' || *f == 'l' || *f == 'j' || *f == 'z' ||
	    *f == 't')
		sp->s_len = *f++;
	return f;
}

/* Format one conversion; false if c is not one this knows. */
static bool
convert(struct out *o, const struct spec *sp, char c, va_list *ap)
{
	int64_t sv;
	char ch;

	switch (c) {
	case 'd':
	case 'i':
		sv = arg_signed(ap, sp->s_len);
		out_num(o, sp, sv < 0 ? -(uint64_t)sv : (uint64_t)sv, sv < 0,
		    10, false, NULL);
		return true;
	case 'u':
		out_num(
		    o, sp, arg_unsigned(ap, sp->s_len), false, 10, false, NULL);
		return true;
	case 'x':
	case 'X':
		sv = (int64_t)arg_unsigned(ap, sp->s_len);
		out_num(o, sp, (uint64_t)sv, false, 16, c == 'X',
		    sp->s_alt && sv != 0 ? (c == 'X' ? "0X" : "0x") : NULL);
		return true;
	case 'o':
		out_num(o, sp, arg_unsigned(ap, sp->s_len), false, 8, false,
		    sp->s_alt ? "0" : NULL);
		return true;
	case 'p':
		out_num(o, sp, (uintptr_t)va_arg(*ap, void *), false, 16, false,
		    "0x");
		return true;
	case 'c':
		ch = (char)va_arg(*ap, int);
		out_pad(o, ' ', sp->s_left ? 0 : sp->s_width - 1);
		out_c(o, ch);
		out_pad(o, ' ', sp->s_left ? sp->s_width - 1 : 0);
		return true;
	case 's': out_str(o, sp, va_arg(*ap, const char *)); return true;
	default: return false;
	}
}

int
rumphost_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap0)
{
	struct out o = {buf, size, 0};
	const char *start;
	struct spec sp;
	va_list ap;

	va_copy(ap, ap0);
	while (*fmt != '\0') {
		if (*fmt != '%') {
			out_c(&o, *fmt++);
			continue;
		}
		start = fmt++;
		if (*fmt == '%') {
			out_c(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt, &sp, &ap);
		if (*fmt != '\0' && convert(&o, &sp, *fmt, &ap)) {
			fmt++;
			continue;
		}
		/* Unknown: show the directive as written. */
		while (start < fmt)
			out_c(&o, *start++);
	}
	va_end(ap);
	if (size > 0)
		buf[o.o_len < size ? o.o_len : size - 1] = '\0';
	return o.o_len > INT32_MAX ? INT32_MAX : (int)o.o_len;
}
