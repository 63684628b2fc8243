/*
 * rumpuser_init: check the interface versions, take the upcalls, start
 * the host.
 *
 * Both versions are checked: the rump kernel's hypercall version (17) and
 * the host port's interface version.  A mismatch fails with a message
 * saying which, and nothing is started.  An upcall table missing any
 * upcall the core relies on is refused the same way.
 *
 * Assumes: host init and console.
 */
#include "core.h"

struct rumpuser_hyperup rumphost_hyp;
struct rumphost_host_info rumphost_info;

static void
init_complain(const char *, ...) __attribute__((__format__(__printf__, 1, 2)));

static void
init_complain(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rumphost_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		rumphost_host_console_write(RUMPHOST_CONSOLE_DIAG, buf,
		    (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void
rumphost_fatal(const char *call, const char *why)
{

	init_complain("rumphost: %s: %s\n", call, why);
	rumphost_host_halt(RUMPUSER_PANIC);
}

static bool
hyp_complete(const struct rumpuser_hyperup *h)
{

	return h->hyp_schedule != NULL && h->hyp_unschedule != NULL &&
	    h->hyp_backend_unschedule != NULL &&
	    h->hyp_backend_schedule != NULL && h->hyp_lwproc_switch != NULL &&
	    h->hyp_lwproc_release != NULL && h->hyp_lwproc_newlwp != NULL &&
	    h->hyp_lwproc_curlwp != NULL;
}

static int
host_start(void)
{
	struct rumphost_host_info hi = {0};
	int error;

	if ((error = rumphost_host_init(&hi)) != 0) {
		init_complain("rumphost: host initialisation failed "
			      "(NetBSD errno %d)\n",
		    error);
		return error;
	}
	if (hi.hi_version != RUMPHOST_HOST_VERSION) {
		init_complain(
		    "rumphost: host port \"%s\" implements host "
		    "interface version %d, the core needs version %d\n",
		    hi.hi_name ? hi.hi_name : "?", hi.hi_version,
		    RUMPHOST_HOST_VERSION);
		return RH_EPROGMISMATCH;
	}
	if (hi.hi_ncpu < 1 || hi.hi_minalign < 2 * sizeof(void *) ||
	    (hi.hi_minalign & (hi.hi_minalign - 1)) != 0) {
		init_complain("rumphost: host port reports an invalid "
			      "CPU count or allocation alignment\n");
		return RH_EINVAL;
	}
	rumphost_info = hi;
	return rumphost_wq_init();
}

int
rumpuser_init(int version, const struct rumpuser_hyperup *hyp)
{
	int error;

	if (version != RUMPUSER_VERSION) {
		init_complain(
		    "rumphost: the rump kernel uses hypercall "
		    "interface version %d, this library implements version "
		    "%d\n",
		    version, RUMPUSER_VERSION);
		return RH_EPROGMISMATCH;
	}
	if (hyp == NULL || !hyp_complete(hyp)) {
		init_complain("rumphost: rumpuser_init: the upcall table is "
			      "missing upcalls\n");
		return RH_EINVAL;
	}
	if ((error = host_start()) != 0)
		return error;
	rumphost_hyp = *hyp;
	return 0;
}
