/*
 * param.c: the kernel's configuration table, what getenv means here:
 * name=value words of the boot command line (multiboot), then defaults
 * set by main.c (RUMP_NCPU=1, RUMP_MEMLIMIT from the memory map).  At
 * most 32 entries of 128 bytes; changed only by param_set, under
 * interrupts off.
 */
#include <kern/kernel.h>

#include <rumphost/nberrno.h>

#define NPARAM 32
#define PLEN   128

static struct {
	char name[PLEN];
	char value[PLEN];
} params[NPARAM];
static int nparams;

int
param_get(const char *name, const char **value)
{
	int i;

	for (i = 0; i < nparams; i++) {
		if (strcmp(params[i].name, name) == 0) {
			*value = params[i].value;
			return 0;
		}
	}
	return RH_ENOENT;
}

static void
copy(char *d, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < PLEN - 1; i++)
		d[i] = s[i];
	d[i] = '\0';
}

int
param_set(const char *name, const char *value)
{
	uint64_t s = intr_disable();
	int i;

	for (i = 0; i < nparams; i++)
		if (strcmp(params[i].name, name) == 0)
			break;
	if (i == NPARAM) {
		intr_restore(s);
		return RH_ENOSPC;
	}
	if (i == nparams)
		nparams++;
	copy(params[i].name, name, strlen(name));
	copy(params[i].value, value, strlen(value));
	intr_restore(s);
	return 0;
}

/* Words name=value of the command line become parameters. */
static void
param_from_cmdline(const char *c)
{
	const char *w, *eq;
	char nm[PLEN], val[PLEN];

	while (*c != '\0') {
		while (*c == ' ')
			c++;
		for (w = c, eq = NULL; *c != '\0' && *c != ' '; c++)
			if (*c == '=' && eq == NULL)
				eq = c;
		if (eq != NULL) {
			copy(nm, w, (size_t)(eq - w));
			copy(val, eq + 1, (size_t)(c - eq - 1));
			param_set(nm, val);
		}
	}
}

/* The command line's parameters, then the defaults it did not set. */
void
param_init(const char *cmdline)
{
	const char *v;
	char lim[24];

	param_from_cmdline(cmdline);
	ksnprintf(lim, sizeof(lim), "%lu",
	    (unsigned long)(mem_total_bytes() / 4 * 3));
	if (param_get("RUMP_MEMLIMIT", &v) != 0)
		param_set("RUMP_MEMLIMIT", lim);
	if (param_get("RUMP_NCPU", &v) != 0)
		param_set("RUMP_NCPU", "1");
}
