/*
 * Process-level calls: rumpuser_kill, rumpuser_exit, rumpuser_daemonize_*
 * and rumpuser_dl_bootstrap.  Each is a thin, checked pass to the host.
 *
 * dl_bootstrap hands the host typed trampolines, so the rump kernel's
 * callbacks are always called through their own types.
 *
 * The symbol table is loaded on a thread of its own, while the boot goes
 * on.  The rump kernel's symload (rump_kernelfsym_load, ksyms_addsyms_
 * explicit) sorts the whole table, ~11 M instructions for 3700 symbols,
 * half of a boot with the file system components, and nothing else at
 * boot reads the table: its readers (module loading from a file with
 * undefined symbols, sysctl's CTL_CREATESYM, /dev/ksyms) are driven by
 * system calls after rump_init.  rump_init asks for the mandatory
 * HOSTNAME parameter after the whole boot (components, built-in modules)
 * and before it returns; rumpuser_getparam joins the loading thread
 * there (rumphost_dl_settle), so the table is complete, and its writes
 * visible, when rump_init returns (that is where NetBSD's rump_init asks
 * in the revisions looked at; a kernel that asked nothing after
 * dl_bootstrap would leave the load to finish on its own, unjoined:
 * tests/integration/ksyms.c would catch that).  The kernel code run by that
 * thread (addsymtab: kheapsort, list insertion) takes no lock, needs no CPU or
 * lwp and prints only for tables of KSYMS_MAX_ID (98304) symbols or more:
 * larger tables (DL_ASYNC_MAXSYMS) are loaded synchronously, as is every
 * table when the thread cannot be created.  The tables belong to the rump
 * kernel from the call on; if its symload fails on the thread they are
 * not freed (it fails only for a second load, which one bootstrap never
 * makes).  DL_ASYNC_SYMLOAD=0 builds the synchronous load.
 *
 * Assumes: host kill, halt, daemonize, dl_bootstrap; threads with join.
 */
#include "core.h"

int
rumpuser_kill(int64_t pid, int sig)
{

	return rumphost_host_kill(pid, sig);
}

void
rumpuser_exit(int status)
{

	rumphost_console_flush();
	rumphost_host_halt(status);
}

int
rumpuser_daemonize_begin(void)
{

	return rumphost_host_daemonize_begin();
}

int
rumpuser_daemonize_done(int error)
{

	return rumphost_host_daemonize_done(error);
}

/* The rump kernel's callbacks, set for the duration of one bootstrap. */
static rump_modinit_fn dl_modinit;
static rump_symload_fn dl_symload;
static rump_compload_fn dl_compload;
#ifdef RUMPHOST_NETBSD_CURRENT
static rump_evcntattach_fn dl_evcntattach;
#endif

static void
dl_modinit_tramp(const void *const *mi, size_t n)
{

	dl_modinit((const struct modinfo *const *)mi, n);
}

#ifndef DL_ASYNC_SYMLOAD
#define DL_ASYNC_SYMLOAD 1
#endif
/* Above this many bytes of Elf64_Sym the kernel may print: load in line. */
#define DL_ASYNC_MAXSYMS (65536 * 24)

/*
 * The table being loaded by the symload thread; written before the
 * thread is created, read by it.  dl_symcookie is the join cookie while a
 * load may be running, else NULL; dl_symowner the thread that started it
 * (the one running rump_init), the only one that joins: another thread
 * asking for HOSTNAME may hold no rump CPU to give up while it waits.
 * Both are atomic: any thread may read them.
 */
static struct {
	void *sj_symtab;
	uint64_t sj_symsize;
	char *sj_strtab;
	uint64_t sj_strsize;
} dl_symjob;
static void *dl_symcookie;
static struct rumphost_hthread *dl_symowner;

static void *
dl_symload_thread(void *arg)
{

	(void)arg;
	(void)dl_symload(dl_symjob.sj_symtab, dl_symjob.sj_symsize,
	    dl_symjob.sj_strtab, dl_symjob.sj_strsize);
	return NULL;
}

static int
dl_symload_tramp(void *symtab, uint64_t symsize, char *strtab, uint64_t strsize)
{
	void *cookie;

	if (DL_ASYNC_SYMLOAD &&
	    __atomic_load_n(&dl_symcookie, __ATOMIC_ACQUIRE) == NULL &&
	    symsize < DL_ASYNC_MAXSYMS) {
		dl_symjob.sj_symtab = symtab;
		dl_symjob.sj_symsize = symsize;
		dl_symjob.sj_strtab = strtab;
		dl_symjob.sj_strsize = strsize;
		if (rumpuser_thread_create(dl_symload_thread, NULL, "symload",
			1, -1, -1, &cookie) == 0) {
			__atomic_store_n(&dl_symowner,
			    rumphost_host_thread_self(), __ATOMIC_RELAXED);
			__atomic_store_n(
			    &dl_symcookie, cookie, __ATOMIC_RELEASE);
			return 0;
		}
	}
	return dl_symload(symtab, symsize, strtab, strsize);
}

void
rumphost_dl_settle(void)
{
	void *cookie = __atomic_load_n(&dl_symcookie, __ATOMIC_ACQUIRE);

	if (cookie == NULL ||
	    rumphost_host_thread_self() !=
		__atomic_load_n(&dl_symowner, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&dl_symcookie, NULL, __ATOMIC_RELAXED);
	(void)rumpuser_thread_join(cookie);
}

static void
dl_compload_tramp(const void *comp)
{

	dl_compload(comp);
}

#ifdef RUMPHOST_NETBSD_CURRENT
static void
dl_evcntattach_tramp(void *ev)
{

	dl_evcntattach(ev);
}

void
rumpuser_dl_bootstrap(rump_modinit_fn modinit, rump_symload_fn symload,
    rump_compload_fn compload, rump_evcntattach_fn evcntattach)
#else
void
rumpuser_dl_bootstrap(
    rump_modinit_fn modinit, rump_symload_fn symload, rump_compload_fn compload)
#endif
{
	struct rumphost_dl_ops ops = {
	    .modinit = dl_modinit_tramp,
	    .symload = dl_symload_tramp,
	    .compload = dl_compload_tramp,
	    .evcntattach = NULL,
	};

	dl_modinit = modinit;
	dl_symload = symload;
	dl_compload = compload;
#ifdef RUMPHOST_NETBSD_CURRENT
	dl_evcntattach = evcntattach;
	if (evcntattach != NULL)
		ops.evcntattach = dl_evcntattach_tramp;
#endif
	rumphost_host_dl_bootstrap(&ops);
}
