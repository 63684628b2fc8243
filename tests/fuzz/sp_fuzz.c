/*
 * sp_fuzz.c: a libFuzzer harness for the syscall proxy server's handling
 * of what clients send (hosts/posix/sp_*.c): the pure wire checks of
 * sp_proto.c, and a whole connection as the server sees it: the poll
 * thread's frame reader of sp_server.c and the request handlers of
 * sp_work.c, both compiled in here, over a fake rump kernel.  The input
 * format is in sp_fuzz.h.
 *
 * How it runs the server code without a kernel, threads or sockets:
 * read() in sp_server.c is this file's fuzz_read, serving the input's
 * bursts; the connection's fd is -1, so every send fails at once (the
 * server ignores failed sends, a peer may vanish any time); work items
 * run synchronously in the thread that queues them (so syscalls never
 * block and an exec never waits); kernel threads waiting for replies are
 * waiter structures this file links onto the client the way
 * request_reply() (sp_client.c) does.
 *
 * Besides ASan/UBSan/LeakSanitizer, it checks: every accepted request
 * body is within the limits, syscall argument buffers are readable for
 * SP_SYSARGSMIN bytes, comm names reaching the kernel are short and
 * printable, replies fill no more than their waiter asked for, URLs
 * parse into terminated addresses, banners end in a newline.  With
 * SP_FUZZ_STRICT set, an 'E' input's counters must match exactly.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "../../hosts/posix/sp.h"
#include "sp_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The real (threaded) queue is kept under another name, unused. */
void sp_work_queue_threaded(struct sp_work *);
#define rumphost_sp_work_queue sp_work_queue_threaded
#include "../../hosts/posix/sp_work.c"
#undef rumphost_sp_work_queue

static ssize_t fuzz_read(int fd, void *buf, size_t len);
#define read fuzz_read
#include "../../hosts/posix/sp_server.c"
#undef read

#define CHECK(e)                                                               \
	do {                                                                   \
		if (!(e)) {                                                    \
			fprintf(stderr, "sp_fuzz: %s:%d: check failed: %s\n",  \
			    __FILE__, __LINE__, #e);                           \
			abort();                                               \
		}                                                              \
	} while (0)

/* --- the fake host and kernel ------------------------------------------ */

static unsigned n[SP_FUZZ_NEXPECT];
static bool fail_rfork, fail_newlwp;
static uint8_t entropy_next;
static char lwps[64]; /* distinct struct lwp addresses, never touched */
static unsigned lwp_next;

int
rumphost_host_errno(int hosterr)
{

	(void)hosterr;
	return RH_EIO;
}

int
rumphost_host_entropy(void *buf, size_t len, int nowait, size_t *got)
{
	uint8_t *p = buf;
	size_t i;

	(void)nowait;
	for (i = 0; i < len; i++)
		p[i] = entropy_next++;
	*got = len;
	return 0;
}

static void
k_nop(void)
{
}

static void
k_unsched(int nlocks, int *countp, void *interlock)
{

	(void)nlocks;
	(void)interlock;
	*countp = 0;
}

static void
k_sched(int nlocks, void *interlock)
{

	(void)nlocks;
	(void)interlock;
}

static void
k_switch(struct lwp *l)
{

	(void)l;
}

static void
check_comm(const char *comm)
{
	size_t i;

	for (i = 0; comm[i] != '\0'; i++)
		CHECK(comm[i] >= 0x20 && comm[i] < 0x7f);
	CHECK(i > 0 && i < SP_COMMMAX);
}

static int
k_rfork(void *arg, int flags, const char *comm)
{

	CHECK(arg != NULL);
	CHECK(flags == SP_RFFD_SHARE || flags == SP_RFFD_COPY ||
	    flags == SP_RFFD_CLEAR);
	if (comm != NULL)
		check_comm(comm);
	if (fail_rfork)
		return RH_ENOMEM;
	n[SP_FUZZ_N_RFORK]++;
	return 0;
}

static int
k_newlwp(pid_t pid)
{

	CHECK(pid == 1);
	return fail_newlwp ? RH_ESRCH : 0;
}

static struct lwp *
k_curlwp(void)
{

	return (struct lwp *)(void *)&lwps[lwp_next++ % sizeof(lwps)];
}

static int
k_syscall(int num, void *args, long *rv)
{
	const volatile uint8_t *a = args;
	unsigned sum = 0;
	size_t i;

	CHECK(num >= 0 && num <= SP_MAXSYSNUM);
	/* The kernel may read a whole argument block of any syscall. */
	for (i = 0; i < SP_SYSARGSMIN; i++)
		sum += a[i];
	rv[0] = (long)sum;
	rv[1] = num;
	n[SP_FUZZ_N_KSYSCALL]++;
	return 0;
}

static void
k_execnotify(const char *comm)
{

	check_comm(comm);
}

static pid_t
k_getpid(void)
{

	return 1;
}

struct rumpuser_hyperup rumphost_hyp = {
    .hyp_schedule = k_nop,
    .hyp_unschedule = k_nop,
    .hyp_backend_unschedule = k_unsched,
    .hyp_backend_schedule = k_sched,
    .hyp_lwproc_switch = k_switch,
    .hyp_lwproc_release = k_nop,
    .hyp_lwproc_rfork = k_rfork,
    .hyp_lwproc_newlwp = k_newlwp,
    .hyp_lwproc_curlwp = k_curlwp,
    .hyp_syscall = k_syscall,
    .hyp_lwpexit = k_nop,
    .hyp_execnotify = k_execnotify,
    .hyp_getpid = k_getpid,
};

/* Work runs at once, in the poll thread's place. */
void
rumphost_sp_work_queue(struct sp_work *wk)
{
	static const int count[] = {[SP_WK_GUEST] = SP_FUZZ_N_GUEST,
	    [SP_WK_FORK] = SP_FUZZ_N_FORK,
	    [SP_WK_EXEC] = SP_FUZZ_N_EXEC,
	    [SP_WK_SYSCALL] = SP_FUZZ_N_SYSCALL,
	    [SP_WK_PREFORK] = SP_FUZZ_N_PREFORK};

	if (wk->wk_kind != SP_WK_TEARDOWN) {
		CHECK(wk->wk_blen <= SP_MAXREQBODY);
		CHECK((wk->wk_blen == 0) == (wk->wk_body == NULL) ||
		    wk->wk_kind == SP_WK_SYSCALL);
		CHECK(wk->wk_kind != SP_WK_SYSCALL || wk->wk_body != NULL);
		n[count[wk->wk_kind]]++;
	}
	run(wk);
}

/* --- the peer's bytes --------------------------------------------------- */

static const uint8_t *rd_p;
static size_t rd_left;
static int rd_end; /* 0, or what read() says once rd_left is 0 */

static ssize_t
fuzz_read(int fd, void *buf, size_t len)
{

	(void)fd;
	CHECK(len > 0);
	if (rd_left == 0) {
		if (rd_end == 0) {
			errno = EAGAIN;
			return -1;
		}
		if (rd_end > 0)
			return 0;
		errno = EIO;
		return -1;
	}
	if (len > rd_left)
		len = rd_left;
	memcpy(buf, rd_p, len);
	rd_p += len;
	rd_left -= len;
	return (ssize_t)len;
}

/* --- kernel threads waiting for replies --------------------------------- */

#define MAXWAITERS 8

static struct sp_waiter *waiters[MAXWAITERS];
static unsigned nwaiters;

static void
waiter_add(struct sp_client *c, int kind, size_t cap)
{
	struct sp_waiter *w;

	if (nwaiters == MAXWAITERS || (w = calloc(1, sizeof(*w))) == NULL)
		return;
	if (kind == SP_WAIT_ANONMMAP)
		cap = sizeof(void *);
	w->w_kind = kind;
	w->w_cap = cap;
	if ((w->w_buf = malloc(cap)) == NULL) {
		free(w);
		return;
	}
	pthread_cond_init(&w->w_cv, NULL);
	pthread_mutex_lock(&c->c_mtx);
	w->w_reqno = c->c_nextreq++;
	w->w_next = c->c_waiters;
	c->c_waiters = w;
	pthread_mutex_unlock(&c->c_mtx);
	waiters[nwaiters++] = w;
}

/* Unlink and free the waiters that are done (all: also the others). */
static void
waiter_reap(struct sp_client *c, bool all)
{
	struct sp_waiter *w, **wp;
	unsigned i, j;

	pthread_mutex_lock(&c->c_mtx);
	for (i = j = 0; i < nwaiters; i++) {
		w = waiters[i];
		if (!w->w_done && !all) {
			waiters[j++] = w;
			continue;
		}
		CHECK(!w->w_filling || all);
		if (w->w_done) {
			CHECK(w->w_len <= w->w_cap);
			CHECK(w->w_kind != SP_WAIT_COPYIN ||
			    w->w_len == w->w_cap);
			CHECK(w->w_kind != SP_WAIT_COPYINSTR || w->w_len > 0);
			n[SP_FUZZ_N_FILLED]++;
		}
		for (wp = &c->c_waiters; *wp != NULL; wp = &(*wp)->w_next) {
			if (*wp == w) {
				*wp = w->w_next;
				break;
			}
		}
		pthread_cond_destroy(&w->w_cv);
		free(w->w_buf);
		free(w);
	}
	nwaiters = j;
	pthread_mutex_unlock(&c->c_mtx);
}

/* --- a session ---------------------------------------------------------- */

static struct sp_client *
conn_new(void)
{
	struct sp_client *c;

	CHECK(nclients == 0);
	CHECK((c = rumphost_sp_client_new(-1, nextid++)) != NULL);
	clients[nclients++] = c;
	return c;
}

/* The poll thread drops the connection; its waiters give up. */
static void
conn_drop(struct sp_client *c)
{
	int st;

	rumphost_sp_client_ref(c); /* the waiters' syscalls, in effect */
	client_drop(0);
	pthread_mutex_lock(&c->c_mtx);
	st = c->c_state;
	pthread_mutex_unlock(&c->c_mtx);
	CHECK(st == SP_ST_DEAD);
	waiter_reap(c, true);
	rumphost_sp_client_rele(c);
}

/* Give back the forked processes no child claimed. */
static void
prefork_drain(void)
{
	struct sp_prefork *pf;

	pthread_mutex_lock(&pf_mtx);
	pf = pf_head;
	pf_head = NULL;
	pf_count = 0;
	pthread_mutex_unlock(&pf_mtx);
	while (pf != NULL) {
		struct sp_prefork *next = pf->pf_next;

		prefork_drop(pf);
		pf = next;
	}
}

static void
session(const uint8_t *p, size_t size)
{
	struct sp_client *c = conn_new();
	size_t off = 0, len, cap;
	uint8_t op;
	int kind, r;

	while (off < size) {
		op = p[off++];
		switch (op & 7) {
		case SP_FUZZ_WAITER:
			if (size - off < 3)
				goto out;
			kind = p[off] % 3;
			cap = 1 + (size_t)(p[off + 1] | p[off + 2] << 8) % 4096;
			off += 3;
			waiter_add(c, kind, cap);
			continue;
		case SP_FUZZ_REAP: waiter_reap(c, false); continue;
		case SP_FUZZ_EOF:
		case SP_FUZZ_EIO:
			rd_left = 0;
			rd_end = (op & 7) == SP_FUZZ_EOF ? 1 : -1;
			break;
		default:
			if (off == size)
				goto out;
			len = p[off++];
			if (len > size - off)
				len = size - off;
			rd_p = p + off;
			rd_left = len;
			rd_end = 0;
			off += len;
			break;
		}
		fail_rfork = (op & SP_FUZZ_FAILRFORK) != 0;
		fail_newlwp = (op & SP_FUZZ_FAILNEWLWP) != 0;
		/* Poll wakes the reader again while bytes are waiting. */
		while ((r = client_read(c)) == 0 && rd_left > 0)
			continue;
		if (r != 0) {
			n[SP_FUZZ_N_DROP]++;
			conn_drop(c);
			c = conn_new();
		} else
			CHECK(rd_end == 0);
		CHECK(c->c_roff < SP_HDRLEN || c->c_rbodylen <= SP_MAXREQBODY ||
		    c->c_rwaiter != NULL);
	}
out:
	conn_drop(c);
	prefork_drain();
}

/* --- the pure functions -------------------------------------------------- */

static void
pure_headers(const uint8_t *p, size_t size)
{
	static const int kinds[] = {
	    SP_WAIT_COPYIN, SP_WAIT_COPYINSTR, SP_WAIT_ANONMMAP, 99};
	struct sp_hdr h, h2;
	uint8_t buf[SP_HDRLEN];
	enum sp_action a;
	size_t cap, r;
	int st, k;

	for (; size >= SP_HDRLEN; p += SP_HDRLEN, size -= SP_HDRLEN) {
		if (rumphost_sp_hdr_decode(p, &h) != 0) {
			CHECK(h.h_len < SP_HDRLEN);
			continue;
		}
		rumphost_sp_hdr_encode(&h, buf);
		CHECK(memcmp(buf, p, SP_HDRLEN) == 0);
		CHECK(rumphost_sp_hdr_decode(buf, &h2) == 0);
		CHECK(memcmp(&h, &h2, sizeof(h)) == 0);
		for (st = SP_ST_NEW; st <= SP_ST_DEAD + 1; st++) {
			for (k = 0; k < 2; k++) {
				a = rumphost_sp_req_check(&h, st, k);
				if (a == SP_A_VIOLATION)
					continue;
				CHECK(h.h_class == SP_CLASS_REQ);
				CHECK(h.h_len - SP_HDRLEN <= SP_MAXREQBODY);
				CHECK(st == SP_ST_NEW || st == SP_ST_RUNNING);
				CHECK(a != SP_A_FORK ||
				    h.h_len - SP_HDRLEN ==
					sizeof(struct sp_forkhs));
			}
		}
		cap = (size_t)(h.h_reqno % 8192);
		for (k = 0; k < 4; k++) {
			r = rumphost_sp_resp_check(&h, kinds[k], cap);
			if (r == (size_t)-1)
				continue;
			CHECK(h.h_class == SP_CLASS_RESP);
			CHECK(r == h.h_len - SP_HDRLEN);
			CHECK(r <= cap || kinds[k] == SP_WAIT_ANONMMAP);
		}
	}
}

static void
pure_url(const uint8_t *p, size_t size)
{
	struct sockaddr_storage ss;
	struct sockaddr_un *su = (struct sockaddr_un *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	char cwdbuf[128], *url, *cwd = NULL;
	unsigned sslen = 0;
	size_t clen;
	int error;

	if (size == 0)
		return;
	if (p[0] != 255) {
		clen = p[0] % 120;
		cwdbuf[0] = '/';
		memset(cwdbuf + 1, 'a', clen);
		cwdbuf[clen + 1] = '\0';
		cwd = cwdbuf;
	}
	if ((url = strndup((const char *)p + 1, size - 1)) == NULL)
		return;
	memset(&ss, 0x5a, sizeof(ss));
	error = rumphost_sp_parseurl(url, cwd, &ss, &sslen);
	if (error == 0) {
		if (ss.ss_family == AF_UNIX) {
			CHECK(sslen == sizeof(*su));
			CHECK(strnlen(su->sun_path, sizeof(su->sun_path)) <
			    sizeof(su->sun_path));
			CHECK(strncmp(url, "unix://", 7) == 0);
		} else {
			CHECK(ss.ss_family == AF_INET);
			CHECK(sslen == sizeof(*sin));
			CHECK(strncmp(url, "tcp://", 6) == 0);
		}
	}
	free(url);
}

static void
pure_banner(const uint8_t *p, size_t size)
{
	char buf[256], *s, *str[3] = {NULL, NULL, NULL};
	size_t len, r, i, o;

	if (size == 0)
		return;
	len = p[0];
	if ((s = malloc(size)) == NULL)
		return;
	memcpy(s, p + 1, size - 1);
	s[size - 1] = '\0';
	for (i = 0, o = 0; i < 3 && o < size; i++) {
		str[i] = s + o;
		o += strlen(s + o) + 1;
	}
	memset(buf, 0x5a, sizeof(buf));
	r = rumphost_sp_banner(buf, len, str[0], str[1], str[2]);
	if (len < 2)
		CHECK(r == 0);
	else {
		CHECK(r > 0 && r < len);
		CHECK(buf[r] == '\0' && buf[r - 1] == '\n');
		CHECK(
		    strncmp(buf, "RUMPSP-0.4-", r - 1 < 11 ? r - 1 : 11) == 0);
	}
	CHECK(len == sizeof(buf) || buf[len] == 0x5a);
	free(s);
}

/* --- the entry point ----------------------------------------------------- */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *expect = NULL;
	unsigned i;

	if (size == 0)
		return 0;
	memset(n, 0, sizeof(n));
	entropy_next = 0;
	switch (data[0]) {
	case 'U': pure_url(data + 1, size - 1); return 0;
	case 'B': pure_banner(data + 1, size - 1); return 0;
	case 'H': pure_headers(data + 1, size - 1); return 0;
	case 'E':
		if (size < 1 + SP_FUZZ_NEXPECT)
			return 0;
		expect = data + 1;
		data += SP_FUZZ_NEXPECT;
		size -= SP_FUZZ_NEXPECT;
		break;
	default: break;
	}
	session(data + 1, size - 1);
	if (expect != NULL && getenv("SP_FUZZ_STRICT") != NULL) {
		for (i = 0; i < SP_FUZZ_NEXPECT; i++) {
			if (n[i] == expect[i])
				continue;
			fprintf(stderr, "sp_fuzz: counter %u is %u, want %u\n",
			    i, n[i], expect[i]);
			abort();
		}
	}
	return 0;
}
