/*
 * sp_client.c: a client of a rump syscall proxy server, for t_sysproxy.sh.
 *
 *   sp_client run TAG         NetBSD's librumpclient against RUMP_SERVER:
 *                             getpid, mount a tmpfs, mkdir, write and read
 *                             back a file (copyin/copyout), getdents, long
 *                             paths through chdir/rename/getcwd
 *                             (copyinstr/copyoutstr), failing calls and
 *                             their errno, calls from several threads at
 *                             once, and a fork (prefork + fork handshake).
 *   sp_client ping            connect and call getpid (is it up?)
 *   sp_client exec            exec handshake: the rump process and its
 *                             descriptors (but not close-on-exec ones)
 *                             survive rumpclient_exec of this program
 *   sp_client block           block in a read from an empty pipe (the
 *                             script kills it: teardown of a client with
 *                             a syscall in progress)
 *   sp_client halt            reboot the server's kernel; the reboot call
 *                             itself must be answered (rumpuser_sp_fini)
 *   sp_client raw PATH KIND   speak the wire protocol by hand to the unix
 *                             socket PATH, breaking it as KIND says; the
 *                             server must drop this connection (or answer
 *                             with an error) and stay up.
 *
 * Exit 0 = pass, anything else = fail; the last line says why.
 * Assumes an LP64 host (NetBSD layouts of struct dirent and tmpfs_args as
 * on amd64/aarch64), and the sysproxy protocol 0.4 (24-byte header).
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rumpclient.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>

/* NetBSD errno values (what the server's kernel returns). */
#define NB_ENOENT	2
#define NB_EEXIST	17
#define NB_ENOTDIR	20
#define NB_ENAMETOOLONG 63
#define NB_F_SETFD	2
#define NB_FD_CLOEXEC	1

static void fail(const char *fmt, ...)
    __attribute__((__format__(__printf__, 1, 2), __noreturn__));

static void
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	exit(1);
}

/* struct tmpfs_args, version 1, NetBSD LP64 layout. */
struct nb_tmpfs_args {
	int ta_version;
	uint64_t ta_nodes_max;
	int64_t ta_size_max;
	uint32_t ta_root_uid;
	uint32_t ta_root_gid;
	uint32_t ta_root_mode;
};

/* Does directory dir hold an entry called name?  (NetBSD struct dirent:
   u64 fileno, u16 reclen, u16 namlen, u8 type, name.) */
static int
dir_has(const char *dir, const char *name)
{
	char buf[8192];
	int fd, n, off, found = 0;
	uint16_t reclen, namlen;

	if ((fd = rump_sys_open(dir, RUMP_O_RDONLY)) == -1)
		fail("open dir %s: errno %d", dir, errno);
	while ((n = rump_sys_getdents(fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off + 13 <= n; off += reclen) {
			memcpy(&reclen, buf + off + 8, 2);
			memcpy(&namlen, buf + off + 10, 2);
			if (reclen == 0 || off + reclen > n)
				fail("getdents: bad record at %d", off);
			if (namlen == strlen(name) &&
			    memcmp(buf + off + 13, name, namlen) == 0)
				found = 1;
		}
	}
	if (n == -1)
		fail("getdents %s: errno %d", dir, errno);
	rump_sys_close(fd);
	return found;
}

static void
file_io(const char *path)
{
	static unsigned char data[300000], back[300000];
	size_t i, off;
	ssize_t n;
	int fd;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + (i >> 9));
	fd =
	    rump_sys_open(path, RUMP_O_RDWR | RUMP_O_CREAT | RUMP_O_EXCL, 0644);
	if (fd == -1)
		fail("create %s: errno %d", path, errno);
	for (off = 0; off < sizeof(data); off += (size_t)n) {
		n = rump_sys_write(fd, data + off,
		    sizeof(data) - off > 70001 ? 70001 : sizeof(data) - off);
		if (n <= 0)
			fail("write %s at %zu: %zd errno %d", path, off, n,
			    errno);
	}
	if (rump_sys_close(fd) == -1)
		fail("close %s: errno %d", path, errno);

	if ((fd = rump_sys_open(path, RUMP_O_RDONLY)) == -1)
		fail("reopen %s: errno %d", path, errno);
	memset(back, 0, sizeof(back));
	for (off = 0; off < sizeof(back); off += (size_t)n) {
		n = rump_sys_read(fd, back + off, sizeof(back) - off);
		if (n <= 0)
			fail("read %s at %zu: %zd errno %d", path, off, n,
			    errno);
	}
	if (rump_sys_read(fd, back, 1) != 0)
		fail("read past end of %s did not return 0", path);
	rump_sys_close(fd);
	if (memcmp(data, back, sizeof(data)) != 0)
		fail("%s: data read back differs", path);
}

/* Long names: 200-byte components, paths of ~900 bytes. */
static void
long_paths(const char *base)
{
	char comp[201], path[1100], path2[1400], cwd[1400];
	int i, fd;

	memset(comp, 'a', 200);
	comp[200] = '\0';
	snprintf(path, sizeof(path), "%s", base);
	for (i = 0; i < 4; i++) {
		comp[0] = (char)('0' + i);
		strcat(path, "/");
		strcat(path, comp);
		if (rump_sys_mkdir(path, 0755) == -1)
			fail("mkdir long path (%zu bytes): errno %d",
			    strlen(path), errno);
	}
	if (rump_sys_chdir(path) == -1)
		fail("chdir to %zu-byte path: errno %d", strlen(path), errno);
	memset(cwd, 0, sizeof(cwd));
	if (rump_sys___getcwd(cwd, sizeof(cwd)) == -1)
		fail("getcwd: errno %d", errno);
	if (strcmp(cwd, path) != 0)
		fail("getcwd returned \"%.40s...\" (%zu bytes), wanted %zu "
		     "bytes",
		    cwd, strlen(cwd), strlen(path));

	memset(comp, 'f', 200);
	if ((fd = rump_sys_open(comp, RUMP_O_RDWR | RUMP_O_CREAT, 0644)) == -1)
		fail("create long name: errno %d", errno);
	rump_sys_close(fd);
	snprintf(path2, sizeof(path2), "%s/%s", path, comp);
	memset(comp, 'g', 200);
	snprintf(cwd, sizeof(cwd), "%s/%s", path, comp);
	if (rump_sys_rename(path2, cwd) == -1)
		fail("rename long paths: errno %d", errno);
	if (!dir_has(".", comp))
		fail("renamed file not in getdents");
	if (rump_sys_chdir("/") == -1)
		fail("chdir /: errno %d", errno);
}

static void
failing_calls(const char *base)
{
	char big[3000];

	errno = 0;
	if (rump_sys_open("/no/such/file", RUMP_O_RDONLY) != -1 ||
	    errno != NB_ENOENT)
		fail("open of a missing file: errno %d, wanted %d", errno,
		    NB_ENOENT);
	errno = 0;
	if (rump_sys_mkdir(base, 0755) != -1 || errno != NB_EEXIST)
		fail("mkdir of an existing dir: errno %d, wanted %d", errno,
		    NB_EEXIST);
	/* Longer than MAXPATHLEN: copyinstr comes back unterminated. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[0] = '/';
	errno = 0;
	if (rump_sys_chdir(big) != -1 || errno != NB_ENAMETOOLONG)
		fail("chdir to a 3000-byte path: errno %d, wanted %d", errno,
		    NB_ENAMETOOLONG);
	errno = 0;
	if (rump_sys_close(12345) != -1 || errno != 9)
		fail("close of a bad fd: errno %d, wanted 9", errno);
}

static const char *thr_base;

static void *
thr(void *arg)
{
	char path[256];
	int i, fd;

	for (i = 0; i < 50; i++) {
		snprintf(path, sizeof(path), "%s/thr%ld.%d", thr_base,
		    (long)(intptr_t)arg, i);
		fd = rump_sys_open(path, RUMP_O_RDWR | RUMP_O_CREAT, 0644);
		if (fd == -1)
			fail("thread create %s: errno %d", path, errno);
		if (rump_sys_write(fd, path, strlen(path)) !=
		    (ssize_t)strlen(path))
			fail("thread write: errno %d", errno);
		rump_sys_close(fd);
		if (rump_sys_unlink(path) == -1)
			fail("thread unlink %s: errno %d", path, errno);
	}
	return NULL;
}

static int
do_run(const char *tag)
{
	struct nb_tmpfs_args ta;
	char base[64], sub[128], file[160];
	pthread_t t[4];
	pid_t pid, cpid;
	int i, status, pfd;

	if (rumpclient_init() == -1)
		fail("rumpclient_init: %s", strerror(errno));
	pid = rump_sys_getpid();
	if (pid < 2)
		fail("getpid returned %d", (int)pid);
	printf("# connected, rump pid %d\n", (int)pid);

	snprintf(base, sizeof(base), "/sp_%s", tag);
	if (rump_sys_mkdir(base, 0755) == -1)
		fail("mkdir %s: errno %d", base, errno);
	memset(&ta, 0, sizeof(ta));
	ta.ta_version = 1;
	ta.ta_root_mode = 01777;
	if (rump_sys_mount(RUMP_MOUNT_TMPFS, base, 0, &ta, sizeof(ta)) == -1)
		fail("mount tmpfs on %s: errno %d", base, errno);
	snprintf(sub, sizeof(sub), "%s/dir", base);
	if (rump_sys_mkdir(sub, 0755) == -1)
		fail("mkdir %s: errno %d", sub, errno);
	snprintf(file, sizeof(file), "%s/file", sub);
	file_io(file);
	if (!dir_has(sub, "file"))
		fail("getdents of %s does not list \"file\"", sub);
	printf("# file I/O and getdents ok\n");

	long_paths(base);
	printf("# long paths ok\n");
	failing_calls(base);
	printf("# failing calls ok\n");

	thr_base = sub;
	for (i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, thr, (void *)(intptr_t)i) != 0)
			fail("pthread_create");
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	printf("# 4 threads x 50 files ok\n");

	/* Fork: the child gets its own rump process, with a copy of the
	   parent's descriptors (its parent is init: the server forks the
	   child off a temporary process). */
	if ((pfd = rump_sys_open(file, RUMP_O_RDONLY)) == -1)
		fail("open %s: errno %d", file, errno);
	fflush(stdout);
	cpid = rumpclient_fork();
	if (cpid == -1)
		fail("rumpclient_fork: %s", strerror(errno));
	if (cpid == 0) {
		pid_t mine = rump_sys_getpid();
		unsigned char c = 1;

		if (mine < 2 || mine == pid) {
			printf("FAIL: child rump pid %d (parent %d)\n",
			    (int)mine, (int)pid);
			_exit(1);
		}
		/* Descriptors are copied at fork. */
		if (rump_sys_read(pfd, &c, 1) != 1 || c != 0) {
			printf("FAIL: child cannot read the parent's fd %d: "
			       "errno %d\n",
			    pfd, errno);
			_exit(1);
		}
		if (!dir_has(sub, "file")) {
			printf("FAIL: child cannot see the file\n");
			_exit(1);
		}
		_exit(0);
	}
	if (waitpid(cpid, &status, 0) != cpid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		fail("forked child failed (status %#x)", status);
	if (rump_sys_close(pfd) == -1)
		fail("close after fork: errno %d", errno);
	printf("# fork ok\n");

	printf("PASS: run %s\n", tag);
	return 0;
}

/* --- raw protocol ------------------------------------------------------ */

struct hdr {
	uint64_t len, reqno;
	uint16_t class, type;
	uint32_t arg;
};

static int
raw_connect(const char *path)
{
	struct sockaddr_un su;
	char banner[128];
	ssize_t n;
	int s;

	memset(&su, 0, sizeof(su));
	su.sun_family = AF_UNIX;
	snprintf(su.sun_path, sizeof(su.sun_path), "%s", path);
	if ((s = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(s, (struct sockaddr *)&su, sizeof(su)) == -1)
		fail("connect %s: %s", path, strerror(errno));
	if ((n = read(s, banner, sizeof(banner) - 1)) <= 0 ||
	    banner[n - 1] != '\n')
		fail("no banner");
	banner[n] = '\0';
	if (strncmp(banner, "RUMPSP-0.4-", 11) != 0)
		fail("banner \"%s\"", banner);
	return s;
}

static void
xsend(int s, const void *p, size_t n)
{

	if (send(s, p, n, MSG_NOSIGNAL) != (ssize_t)n)
		fail("send: %s", strerror(errno));
}

static void
sendhdr(int s, uint64_t len, uint64_t reqno, uint16_t class, uint16_t type,
    uint32_t arg)
{
	struct hdr h = {len, reqno, class, type, arg};

	xsend(s, &h, sizeof(h));
}

/* The server must close the connection within 10 s. */
static void
expect_close(int s, const char *what)
{
	struct pollfd pfd = {.fd = s, .events = POLLIN};
	char buf[4096];
	ssize_t n;

	for (;;) {
		if (poll(&pfd, 1, 10000) != 1)
			fail("%s: server did not drop the connection", what);
		n = read(s, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			break;
		if (n < 0)
			fail("%s: read: %s", what, strerror(errno));
	}
	close(s);
}

/* Read one frame; return its header, body into buf (up to len). */
static void
readframe(int s, struct hdr *h, void *buf, size_t len)
{
	size_t got = 0, want;
	ssize_t n;

	while (got < sizeof(*h)) {
		if ((n = read(s, (char *)h + got, sizeof(*h) - got)) <= 0)
			fail("connection closed while reading a header");
		got += (size_t)n;
	}
	want = h->len - sizeof(*h);
	if (want > len)
		fail("frame body of %zu bytes", want);
	for (got = 0; got < want; got += (size_t)n)
		if ((n = read(s, (char *)buf + got, want - got)) <= 0)
			fail("connection closed while reading a body");
}

static void
raw_handshake(int s)
{
	struct hdr h;
	char body[64];
	int err;

	sendhdr(s, 24 + 8, 1, 0, 0, 0); /* REQ HANDSHAKE GUEST */
	xsend(s, "rawtest", 8);
	readframe(s, &h, body, sizeof(body));
	memcpy(&err, body, sizeof(err));
	if (h.class != 1 || h.type != 0 || h.reqno != 1 || err != 0)
		fail("handshake answer class %u type %u err %d", h.class,
		    h.type, err);
}

static int
do_raw(const char *path, const char *kind)
{
	unsigned char junk[512];
	struct hdr h;
	struct {
		int error;
		long rv[2];
	} sr;
	size_t i;
	int s;

	memset(junk, 0, sizeof(junk));
	s = raw_connect(path);
	if (strcmp(kind, "garbage") == 0) {
		for (i = 0; i < sizeof(junk); i++)
			junk[i] = (unsigned char)(i * 37 + 11);
		xsend(s, junk, sizeof(junk));
		expect_close(s, kind);
	} else if (strcmp(kind, "oversize") == 0) {
		/* A request claiming an enormous body. */
		sendhdr(s, (uint64_t)1 << 62, 1, 0, 1, 20);
		expect_close(s, kind);
	} else if (strcmp(kind, "hugeresp") == 0) {
		/* A reply nobody asked for, claiming 4 GiB. */
		raw_handshake(s);
		sendhdr(s, ((uint64_t)1 << 32) + 24, 99, 1, 2, 0);
		expect_close(s, kind);
	} else if (strcmp(kind, "shortlen") == 0) {
		/* A length below the header's own size. */
		sendhdr(s, 3, 1, 0, 0, 0);
		expect_close(s, kind);
	} else if (strcmp(kind, "nohandshake") == 0) {
		/* A syscall before any handshake. */
		sendhdr(s, 24 + 8, 1, 0, 1, 20);
		/* The server may have hung up already: ignore errors. */
		(void)send(s, junk, 8, MSG_NOSIGNAL);
		expect_close(s, kind);
	} else if (strcmp(kind, "halfheader") == 0) {
		/* Half a header, then gone. */
		xsend(s, "\x20\0\0\0\0\0", 6);
		close(s);
	} else if (strcmp(kind, "badsysnum") == 0) {
		/* An impossible syscall number: ENOSYS, connection kept. */
		raw_handshake(s);
		sendhdr(s, 24, 2, 0, 1, 0xffffffffu);
		readframe(s, &h, &sr, sizeof(sr));
		if (h.class != 1 || h.type != 1 || h.reqno != 2 ||
		    sr.error != 78)
			fail("bad sysnum: class %u type %u reqno %llu "
			     "error %d",
			    h.class, h.type, (unsigned long long)h.reqno,
			    sr.error);
		close(s);
	} else if (strcmp(kind, "noargs") == 0) {
		/* SYS_chdir (12) without its argument bytes: the kernel must
		   see a NULL path (EFAULT), not bytes past the frame. */
		raw_handshake(s);
		sendhdr(s, 24, 3, 0, 1, 12);
		readframe(s, &h, &sr, sizeof(sr));
		if (h.reqno != 3 || sr.error != 14)
			fail("chdir(no args): error %d, wanted EFAULT",
			    sr.error);
		close(s);
	} else if (strcmp(kind, "overlongreply") == 0) {
		/* SYS_chdir of a wild pointer: the server asks for the
		   string, we answer with more than it asked for. */
		uint64_t arg = 0x1000;
		struct hdr rq;
		unsigned char cd[16];

		raw_handshake(s);
		sendhdr(s, 24 + 8, 4, 0, 1, 12);
		xsend(s, &arg, 8);
		readframe(s, &rq, cd, sizeof(cd));
		if (rq.class != 0 || rq.type != 3)
			fail("expected a COPYINSTR request, got class %u type "
			     "%u",
			    rq.class, rq.type);
		sendhdr(s, 24 + 5000, rq.reqno, 1, 2, 0);
		/* The server may have hung up already: ignore errors. */
		(void)send(s, junk, sizeof(junk), MSG_NOSIGNAL);
		expect_close(s, kind);
	} else
		fail("unknown raw kind %s", kind);
	printf("PASS: raw %s\n", kind);
	return 0;
}

/* Connect and make one call: is the server up? */
static int
do_ping(void)
{

	if (rumpclient_init() == -1) {
		printf("no server: %s\n", strerror(errno));
		return 1;
	}
	if (rump_sys_getpid() < 2)
		fail("getpid");
	printf("PASS: ping\n");
	return 0;
}

/*
 * Exec: the rump process survives a host exec (exec handshake).  Before:
 * open a descriptor with close-on-exec and one without; after (mode
 * "execd"): same rump pid, the plain descriptor still open, the
 * close-on-exec one closed.
 */
static int
do_exec(char *argv0)
{
	char pidbuf[32], fdbuf[64];
	char *args[5];
	extern char **environ;
	int fd1, fd2;

	if (rumpclient_init() == -1)
		fail("rumpclient_init: %s", strerror(errno));
	if ((fd1 = rump_sys_open("/", RUMP_O_RDONLY)) == -1 ||
	    (fd2 = rump_sys_open("/", RUMP_O_RDONLY)) == -1)
		fail("open /: errno %d", errno);
	if (rump_sys_fcntl(fd2, NB_F_SETFD, NB_FD_CLOEXEC) == -1)
		fail("fcntl FD_CLOEXEC: errno %d", errno);
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)rump_sys_getpid());
	snprintf(fdbuf, sizeof(fdbuf), "%d,%d", fd1, fd2);
	args[0] = argv0;
	args[1] = (char *)(uintptr_t) "execd";
	args[2] = pidbuf;
	args[3] = fdbuf;
	args[4] = NULL;
	rumpclient_exec(argv0, args, environ);
	fail("rumpclient_exec: %s", strerror(errno));
}

static int
do_execd(const char *pidstr, const char *fds)
{
	int fd1, fd2;
	char buf[8192];

	if (rumpclient_init() == -1)
		fail("rumpclient_init after exec: %s", strerror(errno));
	if (rump_sys_getpid() != atoi(pidstr))
		fail("rump pid %d after exec, %s before",
		    (int)rump_sys_getpid(), pidstr);
	if (sscanf(fds, "%d,%d", &fd1, &fd2) != 2)
		fail("bad fds %s", fds);
	if (rump_sys_getdents(fd1, buf, sizeof(buf)) <= 0)
		fail("fd %d lost across exec: errno %d", fd1, errno);
	errno = 0;
	if (rump_sys_getdents(fd2, buf, sizeof(buf)) != -1 || errno != 9)
		fail("close-on-exec fd %d still open after exec", fd2);
	printf("PASS: exec\n");
	return 0;
}

/* Block in the server: read from an empty pipe, until killed. */
static int
do_block(void)
{
	int p[2];
	char c;

	if (rumpclient_init() == -1)
		fail("rumpclient_init: %s", strerror(errno));
	if (rump_sys_pipe(p) == -1)
		fail("pipe: errno %d", errno);
	printf("blocking\n");
	(void)rump_sys_read(p[0], &c, 1);
	fail("read from an empty pipe returned");
}

/* Halt the server's kernel; the halting call itself must be answered. */
static int
do_halt(void)
{
	int rv;

	if (rumpclient_init() == -1)
		fail("rumpclient_init: %s", strerror(errno));
	errno = 0;
	rv = rump_sys_reboot(0, NULL);
	if (rv != 0)
		fail("reboot returned %d, errno %d", rv, errno);
	printf("PASS: halt\n");
	return 0;
}

int
main(int argc, char **argv)
{

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "run") == 0)
		return do_run(argv[2]);
	if (argc == 2 && strcmp(argv[1], "ping") == 0)
		return do_ping();
	if (argc == 2 && strcmp(argv[1], "exec") == 0)
		return do_exec(argv[0]);
	if (argc == 4 && strcmp(argv[1], "execd") == 0)
		return do_execd(argv[2], argv[3]);
	if (argc == 2 && strcmp(argv[1], "block") == 0)
		return do_block();
	if (argc == 2 && strcmp(argv[1], "halt") == 0)
		return do_halt();
	if (argc == 4 && strcmp(argv[1], "raw") == 0)
		return do_raw(argv[2], argv[3]);
	fprintf(stderr,
	    "usage: sp_client run TAG | ping | exec | block | halt | "
	    "raw PATH KIND\n");
	return 2;
}
