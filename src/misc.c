/*
 * Process-level calls: rumpuser_kill, rumpuser_exit, rumpuser_daemonize_*
 * and rumpuser_dl_bootstrap.  Each is a thin, checked pass to the host.
 *
 * dl_bootstrap hands the host typed trampolines, so the rump kernel's
 * callbacks are always called through their own types.
 *
 * Assumes: host kill, halt, daemonize, dl_bootstrap.
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

static int
dl_symload_tramp(void *symtab, uint64_t symsize, char *strtab, uint64_t strsize)
{

	return dl_symload(symtab, symsize, strtab, strsize);
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
