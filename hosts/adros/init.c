/*
 * init.c: the description of the AdrOS port, its configuration and the
 * process-level calls that mean little in a kernel.
 *
 * Configuration comes from the kernel command line: AdrOS hands every
 * key=value word it does not recognise to init's environment
 * (cmdline_init_envp), so "RUMP_NCPU=1 RUMP_VERBOSE=1" on the GRUB line
 * reach getenv.  ncpu is 1 unless RUMP_NCPU says otherwise (the core
 * reads it); the memory budget is AdrOS's whole kernel heap (8 MiB), of
 * which the core publishes its share as RUMP_MEMLIMIT.
 */
#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "adros.h"
#include "adros_api.h"

#define ADROS_HEAP_BYTES (8u * 1024 * 1024) /* src/mm/heap.c */

size_t
rumphost_adros_strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

int
rumphost_adros_strcmp(const char *a, const char *b)
{

	while (*a != '\0' && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int
rumphost_host_init(struct rumphost_host_info *hi)
{
	int error;

	if ((error = rumphost_adros_thread_init()) != 0)
		return error;
	rumphost_adros_clock_init();
	rumphost_adros_blk_init();
	hi->hi_version = RUMPHOST_HOST_VERSION;
	hi->hi_ncpu = 1;
	hi->hi_membudget = ADROS_HEAP_BYTES;
	hi->hi_minalign = 16;
	hi->hi_name = "adros";
	return 0;
}

static int
copyout(const char *v, char *buf, size_t len)
{
	size_t n;

	n = rumphost_adros_strlen(v);
	if (n + 1 > len)
		return RH_ERANGE;
	__builtin_memcpy(buf, v, n + 1);
	return 0;
}

int
rumphost_host_getenv(const char *name, char *buf, size_t len)
{
	const char *const *env;
	const char *e, *n;
	int cnt, i;

	if ((env = cmdline_init_envp(&cnt)) == NULL)
		return RH_ENOENT;
	for (i = 0; i < cnt && env[i] != NULL; i++) {
		for (e = env[i], n = name; *n != '\0' && *e == *n; e++, n++)
			;
		if (*n == '\0' && *e == '=')
			return copyout(e + 1, buf, len);
	}
	return RH_ENOENT;
}

int
rumphost_host_hostname(char *buf, size_t len)
{
	int error;

	if ((error = rumphost_host_getenv("RUMP_HOSTNAME", buf, len)) !=
	    RH_ENOENT)
		return error;
	return copyout("adros-rump", buf, len);
}

/* There is no hosting process to signal. */
int
rumphost_host_kill(int64_t pid, int sig)
{

	(void)pid;
	(void)sig;
	return RH_EOPNOTSUPP;
}

int
rumphost_host_daemonize_begin(void)
{

	return RH_EOPNOTSUPP;
}

int
rumphost_host_daemonize_done(int error)
{

	(void)error;
	return RH_EOPNOTSUPP;
}

/* AdrOS links rump statically: the link sets are reached by symbol. */
void
rumphost_host_dl_bootstrap(const struct rumphost_dl_ops *ops)
{

	(void)ops;
}
