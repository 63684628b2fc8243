/*
 * dl.c: rumphost_host_dl_bootstrap, finding the rump kernel components a
 * dynamically linked program is made of.
 *
 * Assumes glibc on Linux: dl_iterate_phdr reports the main program first,
 * then the shared objects in load order (a breadth-first walk of the
 * DT_NEEDED graph), then objects opened later with dlopen; every object is
 * of the native ELF class; the dynamic section of a loaded object holds
 * addresses already relocated by ld.so (on ports where it stays read-only,
 * values below the load address are taken as offsets and relocated here).
 *
 * Two jobs, over the same list of objects:
 * 1. Symbols.  The .dynsym of the main program and of every object whose
 *    name contains "librump" is filtered to defined symbols of the rump
 *    kernel's namespaces (names starting "rump", "RUMP" or "__") and merged
 *    into one Elf_Sym table with its own string table, values relocated to
 *    run-time addresses, for the rump kernel's symbol table (symload).
 * 2. Link sets.  NetBSD code registers modules, components and event
 *    counters by putting pointers into sections named link_set_<set>.  For
 *    every object the set is found through its __start_/__stop_ symbols
 *    in the object's own .dynsym (not dlsym, which would also search the
 *    object's dependencies and find their sets); linkers that make those
 *    symbols hidden leave them out, so the fallback reads the object's
 *    section headers from its file (/proc/self/exe for the program) and
 *    takes the section's address and size.  The file is first checked to
 *    be the object that is loaded (same program headers).
 *
 * Order.  Objects are visited last to first: a library comes after every
 * object that needs it in the load order, so the reverse visits librump
 * before librumpvfs before a file system, dependencies before dependents,
 * and the main program last.  That is NetBSD's order too.
 *
 * Everything read, in memory or in a file, is bounds-checked: an address
 * must lie inside one of the object's loaded segments, a file offset
 * inside the file.  Anything malformed skips that object quietly.  The
 * tables handed to symload are malloc'd and stay with the rump kernel.
 * Called once, at bootstrap, while objects are not being unloaded.
 */
#define _FILE_OFFSET_BITS 64

#include <sys/auxv.h>
#include <sys/stat.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rumphost/host.h>

#include "posix.h"

#if __SIZEOF_POINTER__ == 8
#define NATIVECLASS ELFCLASS64
#else
#define NATIVECLASS ELFCLASS32
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVEDATA ELFDATA2LSB
#else
#define NATIVEDATA ELFDATA2MSB
#endif

/* One loaded object, as dl_iterate_phdr described it. */
struct obj {
	uintptr_t o_base; /* load bias */
	const ElfW(Phdr) * o_phdr;
	size_t o_phnum;
	const char *o_name; /* path, "" for the program */
	int o_main;
};

/* An object's dynamic symbol table, once found and checked. */
struct dsyms {
	const ElfW(Sym) * d_sym;
	size_t d_nsym;
	const char *d_str;
	size_t d_strsz;
};

/* The merged table for symload. */
struct symtab {
	ElfW(Sym) * t_sym;
	size_t t_nsym, t_capsym;
	char *t_str;
	size_t t_strsz, t_capstr;
	int t_err;
};

/* The link sets looked for, in the order their callbacks run. */
enum { SET_MODULES, SET_COMPONENTS, SET_EVCNTS, NSETS };
static const char *const setnames[NSETS] = {
    "link_set_modules",
    "link_set_rump_components",
    "link_set_evcnts",
};

struct lset {
	void *const *l_start;
	size_t l_count;
	int l_found;
};

/* --- the objects -------------------------------------------------------- */

/* Is [addr, addr+len) inside one loaded segment of o? */
static int
inimage(const struct obj *o, uintptr_t addr, size_t len)
{
	const ElfW(Phdr) * ph;
	uintptr_t start;
	size_t i;

	for (i = 0; i < o->o_phnum; i++) {
		ph = &o->o_phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		start = o->o_base + ph->p_vaddr;
		if (addr >= start && len <= ph->p_memsz &&
		    addr - start <= ph->p_memsz - len)
			return 1;
	}
	return 0;
}

/* The same for n elements of size sz. */
static int
inimagen(const struct obj *o, uintptr_t addr, size_t n, size_t sz)
{

	return n <= SIZE_MAX / sz && inimage(o, addr, n * sz);
}

struct objlist {
	struct obj *l_v;
	size_t l_n, l_cap;
	int l_err;
};

static int
collect(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct objlist *l = arg;
	struct obj *o, *nv;

	(void)size;
	if (l->l_n == l->l_cap) {
		l->l_cap = l->l_cap ? 2 * l->l_cap : 16;
		if ((nv = realloc(l->l_v, l->l_cap * sizeof(*nv))) == NULL) {
			l->l_err = 1;
			return 1;
		}
		l->l_v = nv;
	}
	o = &l->l_v[l->l_n];
	o->o_base = info->dlpi_addr;
	o->o_phdr = info->dlpi_phdr;
	o->o_phnum = info->dlpi_phnum;
	o->o_name = info->dlpi_name != NULL ? info->dlpi_name : "";
	o->o_main = l->l_n == 0;
	l->l_n++;
	return 0;
}

/* The kernel's vDSO is an object without a file and without components. */
static int
isvdso(const struct obj *o)
{
	uintptr_t vdso;

	vdso = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
	return vdso != 0 && inimage(o, vdso, 1);
}

static const ElfW(Dyn) * dynamic(const struct obj *o, size_t *ndyn)
{
	const ElfW(Phdr) * ph;
	uintptr_t addr;
	size_t i, n;

	for (i = 0; i < o->o_phnum; i++) {
		ph = &o->o_phdr[i];
		if (ph->p_type != PT_DYNAMIC)
			continue;
		addr = o->o_base + ph->p_vaddr;
		n = ph->p_memsz / sizeof(ElfW(Dyn));
		if (n == 0 || !inimagen(o, addr, n, sizeof(ElfW(Dyn))))
			return NULL;
		*ndyn = n;
		return (const ElfW(Dyn) *)addr;
	}
	return NULL;
}

/* --- dynamic symbol tables ---------------------------------------------- */

static uintptr_t
dynptr(const struct obj *o, ElfW(Addr) v)
{

	return v < o->o_base ? o->o_base + v : v;
}

/* Symbol count from a DT_HASH table: its nchain word. */
static size_t
hashcount(const struct obj *o, uintptr_t h)
{

	if (!inimagen(o, h, 2, sizeof(uint32_t)))
		return 0;
	return ((const uint32_t *)h)[1];
}

/*
 * Symbol count from a DT_GNU_HASH table, which does not record it: past
 * the unhashed first symoffset symbols, every bucket starts a chain and
 * a chain ends at a word with the low bit set; the highest symbol is at
 * the end of the chain that starts highest.
 */
static size_t
gnuhashcount(const struct obj *o, uintptr_t h)
{
	const uint32_t *hdr, *bucket, *chain;
	uint32_t nbucket, symoff, nbloom, maxb, i;

	if (!inimagen(o, h, 4, sizeof(uint32_t)))
		return 0;
	hdr = (const uint32_t *)h;
	nbucket = hdr[0];
	symoff = hdr[1];
	nbloom = hdr[2];
	if (!inimagen(o, h + 4 * sizeof(uint32_t), nbloom, sizeof(ElfW(Addr))))
		return 0;
	bucket = (const uint32_t *)(h + 4 * sizeof(uint32_t) +
	    (size_t)nbloom * sizeof(ElfW(Addr)));
	if (!inimagen(o, (uintptr_t)bucket, nbucket, sizeof(uint32_t)))
		return 0;
	maxb = 0;
	for (i = 0; i < nbucket; i++)
		if (bucket[i] > maxb)
			maxb = bucket[i];
	if (maxb < symoff)
		return symoff;
	chain = bucket + nbucket;
	for (i = maxb - symoff;; i++) {
		if (!inimage(o, (uintptr_t)&chain[i], sizeof(uint32_t)))
			return 0;
		if (chain[i] & 1)
			return (size_t)symoff + i + 1;
	}
}

static int
getdsyms(const struct obj *o, struct dsyms *ds)
{
	const ElfW(Dyn) * dyn;
	uintptr_t sym, str, hash, gnuhash;
	size_t i, ndyn, strsz, syment, nsym;

	if ((dyn = dynamic(o, &ndyn)) == NULL)
		return 0;
	sym = str = hash = gnuhash = 0;
	strsz = 0;
	syment = sizeof(ElfW(Sym));
	for (i = 0; i < ndyn && dyn[i].d_tag != DT_NULL; i++) {
		switch (dyn[i].d_tag) {
		case DT_SYMTAB: sym = dynptr(o, dyn[i].d_un.d_ptr); break;
		case DT_STRTAB: str = dynptr(o, dyn[i].d_un.d_ptr); break;
		case DT_STRSZ: strsz = dyn[i].d_un.d_val; break;
		case DT_SYMENT: syment = dyn[i].d_un.d_val; break;
		case DT_HASH: hash = dynptr(o, dyn[i].d_un.d_ptr); break;
		case DT_GNU_HASH: gnuhash = dynptr(o, dyn[i].d_un.d_ptr); break;
		}
	}
	if (sym == 0 || str == 0 || strsz == 0 || syment != sizeof(ElfW(Sym)) ||
	    !inimage(o, str, strsz))
		return 0;
	nsym = hash != 0   ? hashcount(o, hash)
	    : gnuhash != 0 ? gnuhashcount(o, gnuhash)
			   : 0;
	if (nsym == 0 || !inimagen(o, sym, nsym, sizeof(ElfW(Sym))))
		return 0;
	ds->d_sym = (const ElfW(Sym) *)sym;
	ds->d_nsym = nsym;
	ds->d_str = (const char *)str;
	ds->d_strsz = strsz;
	return 1;
}

/* Name of symbol s, or NULL if it does not end inside the table. */
static const char *
symname(const struct dsyms *ds, const ElfW(Sym) * s)
{
	const char *name;

	if (s->st_name >= ds->d_strsz)
		return NULL;
	name = ds->d_str + s->st_name;
	if (memchr(name, '\0', ds->d_strsz - s->st_name) == NULL)
		return NULL;
	return name;
}

static uintptr_t
symvalue(const struct obj *o, const ElfW(Sym) * s)
{

	return s->st_shndx == SHN_ABS ? s->st_value : o->o_base + s->st_value;
}

/* --- the merged symbol table --------------------------------------------- */

/*
 * Defined, nonzero, not thread-local (a TLS value is an offset in a block,
 * not an address) and in the rump kernel's namespace.  ELF32_ST_TYPE and
 * ELF64_ST_TYPE are the same: the type is the low four bits of st_info.
 */
static int
wanted(const ElfW(Sym) * s, const char *name)
{

	if (s->st_shndx == SHN_UNDEF || s->st_value == 0 ||
	    ELF32_ST_TYPE(s->st_info) == STT_TLS)
		return 0;
	return strncmp(name, "rump", 4) == 0 || strncmp(name, "RUMP", 4) == 0 ||
	    strncmp(name, "__", 2) == 0;
}

static void *
grow(void *p, size_t *cap, size_t need, size_t elsz)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return p;
	for (ncap = *cap ? *cap : 256; ncap < need; ncap *= 2)
		if (ncap > SIZE_MAX / 2 / elsz)
			return NULL;
	if ((np = realloc(p, ncap * elsz)) == NULL)
		return NULL;
	*cap = ncap;
	return np;
}

/*
 * Every name starts at a multiple of NAMEALIGN in the string table (the
 * table itself is malloc'd, so at least as aligned).  The rump kernel
 * sorts the table it is handed (kheapsort, about 46 k comparisons for
 * 3700 symbols), comparing names with its strcmp, which compares a word
 * at a time only when both names are word-aligned and a byte at a time
 * otherwise; every name shares the "rumpns_" prefix.  Padding costs 3.5
 * bytes per name on average.
 */
#define NAMEALIGN sizeof(uint64_t)

static void
addsym(struct symtab *t, const struct obj *o, const ElfW(Sym) * s,
    const char *name)
{
	size_t nlen = strlen(name) + 1, pad;
	ElfW(Sym) * ns;
	void *p;

	if ((p = grow(t->t_sym, &t->t_capsym, t->t_nsym + 1, sizeof(*ns))) ==
	    NULL) {
		t->t_err = 1;
		return;
	}
	t->t_sym = p;
	pad = (NAMEALIGN - t->t_strsz % NAMEALIGN) % NAMEALIGN;
	if ((p = grow(t->t_str, &t->t_capstr, t->t_strsz + pad + nlen, 1)) ==
	    NULL) {
		t->t_err = 1;
		return;
	}
	t->t_str = p;
	memset(t->t_str + t->t_strsz, '\0', pad);
	t->t_strsz += pad;
	ns = &t->t_sym[t->t_nsym++];
	*ns = *s;
	ns->st_name = (ElfW(Word))t->t_strsz;
	ns->st_value = (ElfW(Addr))symvalue(o, s);
	memcpy(t->t_str + t->t_strsz, name, nlen);
	t->t_strsz += nlen;
}

static void
addsyms(struct symtab *t, const struct obj *o, const struct dsyms *ds)
{
	const char *name;
	size_t i;

	for (i = 0; i < ds->d_nsym && !t->t_err; i++) {
		name = symname(ds, &ds->d_sym[i]);
		if (name != NULL && wanted(&ds->d_sym[i], name))
			addsym(t, o, &ds->d_sym[i], name);
	}
}

/* Give back the unused tail of the tables; they live as long as rump. */
static void
shrink(struct symtab *t)
{
	void *p;

	if ((p = realloc(t->t_sym, t->t_nsym * sizeof(ElfW(Sym)))) != NULL)
		t->t_sym = p;
	if ((p = realloc(t->t_str, t->t_strsz)) != NULL)
		t->t_str = p;
}

static void
symload(const struct rumphost_dl_ops *ops, const struct objlist *l)
{
	struct symtab t;
	struct dsyms ds;
	const struct obj *o;
	size_t i;

	memset(&t, 0, sizeof(t));
	/* String offset 0 is the empty name, as in any ELF string table. */
	if ((t.t_str = grow(NULL, &t.t_capstr, 1, 1)) == NULL)
		return;
	t.t_str[t.t_strsz++] = '\0';
	for (i = l->l_n; i-- > 0 && !t.t_err;) {
		o = &l->l_v[i];
		if ((o->o_main || strstr(o->o_name, "librump") != NULL) &&
		    getdsyms(o, &ds))
			addsyms(&t, o, &ds);
	}
	if (t.t_err || t.t_nsym == 0) {
		free(t.t_sym);
		free(t.t_str);
		return;
	}
	shrink(&t);
	/* On success the tables belong to the rump kernel. */
	if (ops->symload(t.t_sym, t.t_nsym * sizeof(ElfW(Sym)), t.t_str,
		t.t_strsz) != 0) {
		free(t.t_sym);
		free(t.t_str);
	}
}

/* --- link sets from section headers ------------------------------------- */

static int
readat(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n;
	size_t got;

	for (got = 0; got < len; got += (size_t)n) {
		n = pread(fd, (char *)buf + got, len - got, off + (off_t)got);
		if (n == -1 && errno == EINTR)
			n = 0;
		else if (n <= 0)
			return -1;
	}
	return 0;
}

/* Is [off, off+len) inside a file of fsize bytes? */
static int
infile(uint64_t fsize, uint64_t off, uint64_t len)
{

	return off <= fsize && len <= fsize - off;
}

/* The file on disk is the object in memory: same ELF kind and headers. */
static int
sameobject(const struct obj *o, int fd, uint64_t fsize, const ElfW(Ehdr) * eh)
{
	ElfW(Phdr) * ph;
	size_t len;
	int same;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != NATIVECLASS ||
	    eh->e_ident[EI_DATA] != NATIVEDATA ||
	    eh->e_phentsize != sizeof(ElfW(Phdr)) ||
	    eh->e_shentsize != sizeof(ElfW(Shdr)) || eh->e_phnum != o->o_phnum)
		return 0;
	len = o->o_phnum * sizeof(ElfW(Phdr));
	if (!infile(fsize, eh->e_phoff, len) || (ph = malloc(len)) == NULL)
		return 0;
	same = readat(fd, ph, len, (off_t)eh->e_phoff) == 0 &&
	    memcmp(ph, o->o_phdr, len) == 0;
	free(ph);
	return same;
}

/* Section headers and their name table, read from an object's file. */
struct shtab {
	ElfW(Shdr) * s_sh;
	size_t s_n;
	char *s_names;
	size_t s_namesz;
};

static int
readshdrs(int fd, uint64_t fsize, const ElfW(Ehdr) * eh, struct shtab *st)
{
	ElfW(Shdr) sh0;
	const ElfW(Shdr) * nsh;
	size_t n, strndx;

	n = eh->e_shnum;
	strndx = eh->e_shstrndx;
	if (eh->e_shoff == 0 || !infile(fsize, eh->e_shoff, sizeof(sh0)) ||
	    readat(fd, &sh0, sizeof(sh0), (off_t)eh->e_shoff) != 0)
		return 0;
	/* Extended numbering: the counts live in section 0. */
	if (n == 0)
		n = sh0.sh_size;
	if (strndx == SHN_XINDEX)
		strndx = sh0.sh_link;
	if (n == 0 || strndx >= n ||
	    n > (fsize - eh->e_shoff) / sizeof(ElfW(Shdr)) ||
	    (st->s_sh = malloc(n * sizeof(ElfW(Shdr)))) == NULL)
		return 0;
	st->s_n = n;
	if (readat(fd, st->s_sh, n * sizeof(ElfW(Shdr)), (off_t)eh->e_shoff) !=
	    0)
		return 0;
	nsh = &st->s_sh[strndx];
	if (nsh->sh_type == SHT_NOBITS ||
	    !infile(fsize, nsh->sh_offset, nsh->sh_size) ||
	    (st->s_names = malloc(nsh->sh_size + 1)) == NULL)
		return 0;
	st->s_namesz = nsh->sh_size;
	st->s_names[st->s_namesz] = '\0';
	return readat(fd, st->s_names, st->s_namesz, (off_t)nsh->sh_offset) ==
	    0;
}

static void
setfromshdrs(
    const struct obj *o, const struct shtab *st, int set, struct lset *ls)
{
	const ElfW(Shdr) * sh;
	uintptr_t start;
	size_t i;

	for (i = 0; i < st->s_n; i++) {
		sh = &st->s_sh[i];
		if (sh->sh_name >= st->s_namesz ||
		    strcmp(st->s_names + sh->sh_name, setnames[set]) != 0)
			continue;
		start = o->o_base + sh->sh_addr;
		if (!(sh->sh_flags & SHF_ALLOC) || sh->sh_type == SHT_NOBITS ||
		    sh->sh_size % sizeof(void *) != 0 ||
		    !inimage(o, start, sh->sh_size))
			return;
		ls->l_start = (void *const *)start;
		ls->l_count = sh->sh_size / sizeof(void *);
		ls->l_found = 1;
		return;
	}
}

/* Fill the sets not found yet from the object's section headers. */
static void
setsfromfile(const struct obj *o, struct lset *ls)
{
	struct shtab st = {NULL, 0, NULL, 0};
	ElfW(Ehdr) eh;
	struct stat sb;
	const char *path;
	int fd, set;

	path = o->o_main ? "/proc/self/exe" : o->o_name;
	if (path[0] == '\0' || (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    infile((uint64_t)sb.st_size, 0, sizeof(eh)) &&
	    readat(fd, &eh, sizeof(eh), 0) == 0 &&
	    sameobject(o, fd, (uint64_t)sb.st_size, &eh) &&
	    readshdrs(fd, (uint64_t)sb.st_size, &eh, &st)) {
		for (set = 0; set < NSETS; set++)
			if (!ls[set].l_found)
				setfromshdrs(o, &st, set, &ls[set]);
	}
	free(st.s_sh);
	free(st.s_names);
	close(fd);
}

/* --- link sets ---------------------------------------------------------- */

/*
 * One pass over ds for the __start_ and __stop_ symbols of every set
 * (first definition wins), instead of a scan per name: the sets' bounds
 * were 5% of a rump_init's instructions when looked up one at a time.
 */
static void
scansets(const struct obj *o, const struct dsyms *ds, uintptr_t *start,
    uintptr_t *stop)
{
	const ElfW(Sym) * s;
	const char *n, *rest;
	uintptr_t *v;
	size_t i;
	int set;

	for (i = 0; i < ds->d_nsym; i++) {
		s = &ds->d_sym[i];
		if (s->st_shndx == SHN_UNDEF || s->st_name >= ds->d_strsz ||
		    ds->d_str[s->st_name] != '_' ||
		    (n = symname(ds, s)) == NULL)
			continue;
		if (strncmp(n, "__start_", 8) == 0) {
			rest = n + 8;
			v = start;
		} else if (strncmp(n, "__stop_", 7) == 0) {
			rest = n + 7;
			v = stop;
		} else
			continue;
		for (set = 0; set < NSETS; set++)
			if (v[set] == 0 && strcmp(rest, setnames[set]) == 0)
				v[set] = symvalue(o, s);
	}
}

static void
setfromsyms(
    const struct obj *o, uintptr_t start, uintptr_t stop, struct lset *ls)
{

	if (start == 0 || stop == 0 || stop < start ||
	    (stop - start) % sizeof(void *) != 0 ||
	    (stop > start && !inimage(o, start, stop - start)))
		return;
	ls->l_start = (void *const *)start;
	ls->l_count = (stop - start) / sizeof(void *);
	ls->l_found = 1;
}

static void
findsets(const struct obj *o, struct lset *ls)
{
	uintptr_t start[NSETS] = {0}, stop[NSETS] = {0};
	struct dsyms ds;
	int set, missing;

	memset(ls, 0, NSETS * sizeof(*ls));
	if (getdsyms(o, &ds)) {
		scansets(o, &ds, start, stop);
		for (set = 0; set < NSETS; set++)
			setfromsyms(o, start[set], stop[set], &ls[set]);
	}
	missing = 0;
	for (set = 0; set < NSETS; set++)
		missing |= !ls[set].l_found;
	if (missing)
		setsfromfile(o, ls);
}

static void
loadsets(const struct rumphost_dl_ops *ops, const struct obj *o)
{
	struct lset ls[NSETS];
	size_t i;

	findsets(o, ls);
	if (ls[SET_MODULES].l_count > 0)
		ops->modinit((const void *const *)ls[SET_MODULES].l_start,
		    ls[SET_MODULES].l_count);
	for (i = 0; i < ls[SET_COMPONENTS].l_count; i++)
		ops->compload(ls[SET_COMPONENTS].l_start[i]);
	if (ops->evcntattach == NULL)
		return;
	for (i = 0; i < ls[SET_EVCNTS].l_count; i++)
		ops->evcntattach(ls[SET_EVCNTS].l_start[i]);
}

/* --- the entry point ---------------------------------------------------- */

/*
 * A statically linked program has no dynamic section, or no object but
 * itself (and the vDSO): nothing to find, its sets are linked in by name.
 */
static int
isdynamic(const struct objlist *l)
{
	size_t i, n, ndyn;

	if (l->l_n == 0 || dynamic(&l->l_v[0], &ndyn) == NULL)
		return 0;
	for (i = n = 0; i < l->l_n; i++)
		if (!isvdso(&l->l_v[i]))
			n++;
	return n >= 2;
}

void
rumphost_host_dl_bootstrap(const struct rumphost_dl_ops *ops)
{
	struct objlist l = {NULL, 0, 0, 0};
	size_t i;

	dl_iterate_phdr(collect, &l);
	if (!l.l_err && isdynamic(&l)) {
		symload(ops, &l);
		for (i = l.l_n; i-- > 0;)
			if (!isvdso(&l.l_v[i]))
				loadsets(ops, &l.l_v[i]);
	}
	free(l.l_v);
}
