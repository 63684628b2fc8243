/*
 * fmt.c: the kernel's printf formatting (kvsnprintf, ksnprintf): %d %i %u
 * %x %X %o %c %s %p %%, flags - 0 + space, width and precision (numbers
 * or *), length modifiers hh h l ll z j t.  %f is handed to
 * kfmt_float_hook when code that may use SSE has set it (the kernel
 * itself is built without floating point), else printed as "?".
 * Assumes nothing.
 */
#include <kern/kernel.h>

void (*kfmt_float_hook)(char *, size_t, int, va_list *);

struct fout {
	char *buf;
	size_t size;
	size_t len;
};

static void
put(struct fout *o, char c)
{

	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void
pad(struct fout *o, char c, int n)
{

	while (n-- > 0)
		put(o, c);
}

struct fspec {
	int left, zero, plus, space;
	int width, prec;
	int lmod; /* 0, 'H' hh, 'h', 'l', 'L' ll */
};

static void
emit(struct fout *o, const struct fspec *sp, const char *pre, const char *s,
    size_t n)
{
	int fill = sp->width - (int)(n + strlen(pre));

	if (!sp->left && !sp->zero)
		pad(o, ' ', fill);
	while (*pre)
		put(o, *pre++);
	if (!sp->left && sp->zero)
		pad(o, '0', fill);
	while (n-- > 0)
		put(o, *s++);
	if (sp->left)
		pad(o, ' ', fill);
}

static void
number(struct fout *o, struct fspec *sp, uint64_t v, int neg, unsigned base,
    int upper)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24], *p = tmp + sizeof(tmp);
	const char *pre = neg ? "-" : sp->plus ? "+" : sp->space ? " " : "";
	int nd = 0;

	do {
		*--p = dig[v % base];
		v /= base;
		nd++;
	} while (v != 0);
	while (sp->prec >= 0 && nd < sp->prec && p > tmp) {
		*--p = '0';
		nd++;
	}
	if (sp->prec >= 0)
		sp->zero = 0;
	emit(o, sp, pre, p, (size_t)(tmp + sizeof(tmp) - p));
}

static uint64_t
uarg(const struct fspec *sp, va_list *ap)
{

	switch (sp->lmod) {
	case 'l':
	case 'L': return va_arg(*ap, unsigned long long);
	case 'h': return (unsigned short)va_arg(*ap, unsigned);
	case 'H': return (unsigned char)va_arg(*ap, unsigned);
	default: return va_arg(*ap, unsigned);
	}
}

static int64_t
sarg(const struct fspec *sp, va_list *ap)
{

	switch (sp->lmod) {
	case 'l':
	case 'L': return va_arg(*ap, long long);
	case 'h': return (short)va_arg(*ap, int);
	case 'H': return (signed char)va_arg(*ap, int);
	default: return va_arg(*ap, int);
	}
}

static const char *
parse(const char *f, struct fspec *sp, va_list *ap)
{

	memset(sp, 0, sizeof(*sp));
	sp->prec = -1;
	for (;; f++) {
		if (*f == '-')
			sp->left = 1;
		else if (*f == '0')
			sp->zero = 1;
		else if (*f == '+')
			sp->plus = 1;
		else if (*f == ' ')
			sp->space = 1;
		else if (*f != '#')
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		f++;
	}
	for (; *f >= '0' && *f <= '9'; f++)
		sp->width = sp->width * 10 + (*f - '0');
	if (*f == '.') {
		sp->prec = 0;
		if (*++f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		}
		for (; *f >= '0' && *f <= '9'; f++)
			sp->prec = sp->prec * 10 + (*f - '0');
	}
	for (;; f++) {
		if (*f == 'h')
			sp->lmod = sp->lmod == 'h' ? 'H' : 'h';
		else if (*f == 'l')
			sp->lmod = sp->lmod == 'l' ? 'L' : 'l';
		else if (*f == 'z' || *f == 'j' || *f == 't')
			sp->lmod = 'l';
		else
			break;
	}
	return f;
}

static void
conv(struct fout *o, char c, struct fspec *sp, va_list *ap)
{
	const char *s;
	char ch, fbuf[64];
	int64_t v;
	size_t n;

	switch (c) {
	case 'd':
	case 'i':
		v = sarg(sp, ap);
		number(o, sp, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, 0);
		break;
	case 'u': number(o, sp, uarg(sp, ap), 0, 10, 0); break;
	case 'x':
	case 'X': number(o, sp, uarg(sp, ap), 0, 16, c == 'X'); break;
	case 'o': number(o, sp, uarg(sp, ap), 0, 8, 0); break;
	case 'p':
		sp->lmod = 'l';
		emit(o, sp, "0x", "", 0);
		sp->width = 0;
		number(o, sp, (uintptr_t)va_arg(*ap, void *), 0, 16, 0);
		break;
	case 'c':
		ch = (char)va_arg(*ap, int);
		emit(o, sp, "", &ch, 1);
		break;
	case 's':
		if ((s = va_arg(*ap, const char *)) == NULL)
			s = "(null)";
		for (n = 0; s[n] != '\0' && (sp->prec < 0 || (int)n < sp->prec);
		     n++)
			continue;
		emit(o, sp, "", s, n);
		break;
	case 'f':
	case 'g':
		if (kfmt_float_hook != NULL) {
			kfmt_float_hook(fbuf, sizeof(fbuf), sp->prec, ap);
			emit(o, sp, "", fbuf, strlen(fbuf));
		} else
			emit(o, sp, "", "?", 1);
		break;
	default: put(o, '%'); put(o, c);
	}
}

static int
format(char *buf, size_t size, const char *f, va_list *ap)
{
	struct fout o = {buf, size, 0};
	struct fspec sp;

	for (; *f != '\0'; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		if (*++f == '%') {
			put(&o, '%');
			continue;
		}
		f = parse(f, &sp, ap);
		if (*f == '\0')
			break;
		conv(&o, *f, &sp, ap);
	}
	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int
kvsnprintf(char *buf, size_t size, const char *f, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = format(buf, size, f, &aq);
	va_end(aq);
	return n;
}

int
ksnprintf(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = kvsnprintf(buf, size, f, ap);
	va_end(ap);
	return n;
}
