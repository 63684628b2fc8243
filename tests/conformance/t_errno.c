/*
 * Error numbers are NetBSD's, whatever the host's are: ELOOP 62,
 * ENAMETOOLONG 63 (Linux: 40, 36), ENOTDIR 20, ENOENT 2; the component
 * errtrans maps host values to NetBSD's (EAGAIN 35, ETIMEDOUT 60, ENOSYS
 * 78).  rumpuser_seterrno sets the calling thread's errno only.  Assumes
 * a POSIX-like host namespace for open (symlinks) and, for seterrno, that
 * the errno a rump kernel client reads is the host thread's errno.
 */
#include "fakekernel.h"
#include "tests.h"

#include <rump/rumpuser_component.h>

void
t_errno_open(void)
{
	char p[256], q[256], longname[400];
	size_t n;
	int fd, rv;

	h_path(p, sizeof(p), "loop-a");
	h_path(q, sizeof(q), "loop-b");
	if (!h_symlink(q, p) || !h_symlink(p, q))
		t_skip("no symbolic links here");
	rv = HC(rumpuser_open(p, RUMPUSER_OPEN_RDONLY, &fd));
	CHECKF(rv == 62, "open(symlink loop) = %d, want ELOOP (62)", rv);

	/* one component of 300 characters, more than any NAME_MAX */
	h_path(longname, sizeof(longname), "");
	n = strlen(longname);
	memset(longname + n, 'n', 300);
	longname[n + 300] = '\0';
	rv = HC(rumpuser_open(longname, RUMPUSER_OPEN_RDONLY, &fd));
	CHECKF(rv == 63, "open(long name) = %d, want ENAMETOOLONG (63)", rv);

	h_path(p, sizeof(p), "file");
	REQUIRE(h_file_put(p, "x", 1));
	h_path(p, sizeof(p), "file/below");
	rv = HC(rumpuser_open(p, RUMPUSER_OPEN_RDONLY, &fd));
	CHECKF(rv == 20, "open(file/below) = %d, want ENOTDIR (20)", rv);
	rv = HC(rumpuser_getfileinfo(p, NULL, NULL));
	CHECKF(rv == 20, "getfileinfo(file/below) = %d, want ENOTDIR (20)", rv);
}

void
t_errno_errtrans(void)
{
	static const struct {
		const char *name;
		int nb;
	} tab[] = {
	    {"ENOENT", 2},
	    {"EBUSY", 16},
	    {"EEXIST", 17},
	    {"EINVAL", 22},
	    {"EAGAIN", 35},
	    {"ETIMEDOUT", 60},
	    {"ELOOP", 62},
	    {"ENAMETOOLONG", 63},
	    {"ENOSYS", 78},
	};
	size_t i;
	int h;

	CHECK_EQ(rumpuser_component_errtrans(0), 0);
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if ((h = h_host_errno(tab[i].name)) < 0)
			continue;
		CHECKF(rumpuser_component_errtrans(h) == tab[i].nb,
		    "errtrans(host %s %d) = %d, want %d", tab[i].name, h,
		    rumpuser_component_errtrans(h), tab[i].nb);
	}
}

struct se {
	int seen;
	int ok;
};

static void
other(void *arg)
{
	struct se *s = arg;
	int e;

	h_errno_set(0);
	rumpuser_seterrno(60);
	if (h_errno_get(&e))
		s->seen = e;
}

void
t_errno_seterrno(void)
{
	struct se s = {-1, 0};
	struct h_thread *t;
	int e;

	if (!h_errno_get(&e))
		t_skip("this host has no per-thread errno to look at");
	rumpuser_seterrno(35);
	REQUIRE(h_errno_get(&e));
	CHECKF(e == 35, "errno %d after rumpuser_seterrno(35)", e);
	t = h_thread_start(other, &s);
	h_thread_wait(t);
	CHECK_EQ(s.seen, 60);
	REQUIRE(h_errno_get(&e));
	CHECKF(e == 35, "another thread's seterrno changed ours to %d", e);
}
