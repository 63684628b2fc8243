/*
 * rhconf: the rumpuser(3) conformance suite's runner.
 *
 *   rhconf                 the quick set
 *   rhconf --slow          the slow (stress) set;  --all  both
 *   rhconf --list          names, one a line, with their set
 *   rhconf NAME...         the tests named; "cv." or "cv*" is a prefix
 *   rhconf --ncpu N        virtual CPUs for tests that do not fix theirs
 *
 * Each test runs isolated (h_isolate: its own process on POSIX) under a
 * watchdog, boots the fake rump kernel (fakekernel.c) and fails on any
 * CHECK or contract violation.  Output is TAP version 13, ending with the
 * line "conformance: N passed, M failed, K skipped"; the exit status is 1
 * if anything failed.  Uses only harness.h.
 */
#include "fakekernel.h"
#include "harness.h"
#include "tolerance.h"

static int nfail;
static int defncpu = 2;

void
t_fail(const char *file, int line, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	h_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	__atomic_add_fetch(&nfail, 1, __ATOMIC_SEQ_CST);
	h_printf("# FAIL %s:%d: %s\n", file, line, buf);
}

void
t_abort(const char *file, int line, const char *fmt, ...)
{
	char buf[512], msg[600];
	va_list ap;

	va_start(ap, fmt);
	h_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	__atomic_add_fetch(&nfail, 1, __ATOMIC_SEQ_CST);
	h_printf("# FAIL %s:%d: %s\n", file, line, buf);
	h_snprintf(msg, sizeof(msg), "%s:%d: %s", file, line, buf);
	h_child_end(H_FAIL, msg);
}

void
t_skip(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	h_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	h_child_end(H_SKIP, buf);
}

void
t_note(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	h_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	h_printf("# %s\n", buf);
}

int
t_failures(void)
{

	return __atomic_load_n(&nfail, __ATOMIC_SEQ_CST);
}

static void
child(void *arg)
{
	const struct t_case *tc = arg;
	char msg[128];
	int n;

	n = tc->ncpu ? tc->ncpu : defncpu;
	if ((tc->flags & T_NOBOOT) == 0)
		fk_boot(n);
	tc->fn();
	if ((tc->flags & T_NOBOOT) == 0)
		fk_finish();
	if (t_failures() || fk_violations()) {
		h_snprintf(msg, sizeof(msg), "%d failed checks, %d violations",
		    t_failures(), fk_violations());
		h_child_end(H_FAIL, msg);
	}
	h_child_end(H_PASS, NULL);
}

static const char *
signame(int sig)
{

	switch (sig) {
	case 6: return "SIGABRT";
	case 7: return "SIGBUS";
	case 8: return "SIGFPE";
	case 9: return "SIGKILL";
	case 11: return "SIGSEGV";
	default: return "signal";
	}
}

static bool
matches(const char *name, const char *pat)
{
	size_t n = strlen(pat);

	if (n > 0 && pat[n - 1] == '*')
		return strncmp(name, pat, n - 1) == 0;
	if (strcmp(name, pat) == 0)
		return true;
	return n > 0 && pat[n - 1] == '.' && strncmp(name, pat, n) == 0;
}

static void
usage(void)
{

	h_printf("usage: rhconf [--slow | --all | --list] [--ncpu N]"
		 " [NAME | PREFIX. | PREFIX* ...]\n");
	h_exit(2);
}

int
main(int argc, char **argv)
{
	bool sel[512], list = false, slow = false, all = false;
	int i, k, n, npass = 0, nfailed = 0, nskip = 0, nsel = 0;
	int npats = 0;
	const struct t_case *tc;
	struct h_result r;
	unsigned timeout;

	if (t_ncases > sizeof(sel) / sizeof(sel[0]))
		return 2;
	if (h_getenv("RHCONF_NCPU") != NULL)
		defncpu = h_getenv("RHCONF_NCPU")[0] - '0';
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--list") == 0)
			list = true;
		else if (strcmp(argv[i], "--slow") == 0)
			slow = true;
		else if (strcmp(argv[i], "--all") == 0)
			all = true;
		else if (strcmp(argv[i], "--ncpu") == 0 && i + 1 < argc)
			defncpu = argv[++i][0] - '0';
		else if (argv[i][0] == '-')
			usage();
		else
			npats++;
	}
	if (defncpu < 1 || defncpu > FK_MAXCPU)
		usage();
	for (k = 0; k < (int)t_ncases; k++) {
		tc = &t_cases[k];
		if (npats > 0) {
			sel[k] = false;
			for (i = 1; i < argc; i++) {
				if (strcmp(argv[i], "--ncpu") == 0) {
					i++;
					continue;
				}
				if (argv[i][0] != '-' &&
				    matches(tc->name, argv[i]))
					sel[k] = true;
			}
		} else if (all || list) {
			sel[k] = true;
		} else if (slow) {
			sel[k] = (tc->flags & T_SLOW) != 0;
		} else {
			sel[k] = (tc->flags & T_SLOW) == 0;
		}
		if (sel[k])
			nsel++;
	}
	if (list) {
		for (k = 0; k < (int)t_ncases; k++)
			if (sel[k])
				h_printf("%-44s %s\n", t_cases[k].name,
				    t_cases[k].flags & T_SLOW ? "slow"
							      : "quick");
		return 0;
	}
	if (npats > 0 && nsel == 0) {
		h_printf("rhconf: no test matches\n");
		return 2;
	}

	h_printf("TAP version 13\n1..%d\n", nsel);
	if (h_sanitizer() != NULL)
		h_printf("# sanitizer %s, tolerances x%u\n", h_sanitizer(),
		    h_slowdown());
	for (k = 0, n = 0; k < (int)t_ncases; k++) {
		if (!sel[k])
			continue;
		tc = &t_cases[k];
		n++;
		timeout =
		    (unsigned)(tc->timeout ? tc->timeout : TOL_TEST_TIMEOUT_S) *
		    h_slowdown();
		h_isolate(child, (void *)(uintptr_t)tc, timeout, &r);
		if (r.seconds >= 5.0)
			h_printf("# %s took %.1f s\n", tc->name, r.seconds);
		switch (r.outcome) {
		case H_PASS:
			npass++;
			h_printf("ok %d - %s\n", n, tc->name);
			break;
		case H_SKIP:
			nskip++;
			h_printf(
			    "ok %d - %s # SKIP %s\n", n, tc->name, r.reason);
			break;
		case H_FAIL:
			nfailed++;
			h_printf("not ok %d - %s # %s\n", n, tc->name,
			    r.reason[0] ? r.reason : "failed");
			break;
		case H_HANG:
			nfailed++;
			h_printf("not ok %d - %s # hang after %us (CPU held"
				 " while blocking?)\n",
			    n, tc->name, timeout);
			break;
		case H_CRASH:
			nfailed++;
			h_printf("not ok %d - %s # killed by %s (%d)\n", n,
			    tc->name, signame(r.signal), r.signal);
			break;
		}
	}
	h_printf("conformance: %d passed, %d failed, %d skipped\n", npass,
	    nfailed, nskip);
	return nfailed ? 1 : 0;
}
