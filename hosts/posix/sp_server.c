/*
 * sp_server.c: the syscall proxy server's sockets: rumpuser_sp_init (the
 * listening socket and the poll thread), the poll thread itself (accept,
 * banner, reading and checking every frame clients send), and
 * rumpuser_sp_fini.
 *
 * The poll thread is the only reader of every socket.  It never calls
 * into the rump kernel and never blocks on a client: sockets are
 * non-blocking, frames are assembled across reads, and the only thing it
 * sends is the banner on a fresh connection.  A request frame is checked
 * (rumphost_sp_req_check) before anything is allocated for it and handed
 * to a worker (sp_work.c) when complete; a reply frame is checked against
 * the request it answers and its body read straight into the waiting
 * thread's buffer (sp_client.c).  A client that breaks the protocol in
 * any way (bad class or type, a length beyond the limits, a reply nobody
 * asked for, a request out of order) is disconnected; the server goes on.
 *
 * Assumes: Linux/glibc (accept4, pipe2), POSIX threads.  rumpuser_sp_init
 * runs once, after rumpuser_init.
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
#include <unistd.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "sp.h"

#define SP_MAXCLIENTS	 256  /* connections at once; more are refused */
#define SP_MAXSYSQ	 1024 /* syscalls in flight per client */
#define SP_FRAMESPERWAKE 16   /* frames read from one client per poll */

/*
 * Written by rumpuser_sp_init before the poll thread starts, read-only
 * afterwards (sp_started is protected by init_mtx).
 */
static pthread_mutex_t init_mtx = PTHREAD_MUTEX_INITIALIZER;
static bool sp_started;
static int sp_lsock = -1;
static int sp_wake[2] = {-1, -1};
static char sp_banner[SP_BANNERMAX];
static size_t sp_bannerlen;
static char sp_unlink[sizeof(((struct sockaddr_un *)0)->sun_path)];
static int sp_domain;

/* The poll thread's alone. */
static struct sp_client *clients[SP_MAXCLIENTS];
static unsigned nclients;
static uint64_t nextid = 1;

/* --- reading frames ------------------------------------------------------ */

/*
 * The header of a frame is in: decide what it is and where its body
 * goes.  Returns -1 for a violation.
 */
static int
frame_begin(struct sp_client *c)
{
	struct sp_hdr *h = &c->c_rhdr;
	struct sp_waiter *w;
	size_t blen, cap;
	int st;
	bool inexec;

	if (rumphost_sp_hdr_decode(c->c_rhdrbuf, h) != 0)
		return -1;

	if (h->h_class == SP_CLASS_REQ) {
		pthread_mutex_lock(&c->c_mtx);
		st = c->c_state;
		inexec = c->c_inexec;
		pthread_mutex_unlock(&c->c_mtx);
		c->c_ract = rumphost_sp_req_check(h, st, inexec);
		if (c->c_ract == SP_A_VIOLATION)
			return -1;
		blen = (size_t)(h->h_len - SP_HDRLEN); /* checked small */
		cap = blen;
		if (c->c_ract == SP_A_SYSCALL && cap < SP_SYSARGSMIN)
			cap = SP_SYSARGSMIN;
		c->c_rbodylen = blen;
		c->c_rbodycap = cap;
		c->c_rbody = NULL;
		if (cap > 0 && (c->c_rbody = calloc(1, cap)) == NULL)
			return -1;
		return 0;
	}

	if (h->h_class == SP_CLASS_RESP) {
		pthread_mutex_lock(&c->c_mtx);
		for (w = c->c_waiters; w != NULL; w = w->w_next) {
			if (w->w_reqno == h->h_reqno && !w->w_filling &&
			    !w->w_done)
				break;
		}
		if (w == NULL ||
		    (blen = rumphost_sp_resp_check(h, w->w_kind, w->w_cap)) ==
			(size_t)-1) {
			pthread_mutex_unlock(&c->c_mtx);
			return -1;
		}
		w->w_filling = true;
		pthread_mutex_unlock(&c->c_mtx);
		c->c_rwaiter = w;
		c->c_rbodylen = blen;
		return 0;
	}

	/* Clients send no ERROR frames, and no other class exists. */
	return -1;
}

/* A request is complete: hand it to a worker. */
static int
dispatch(struct sp_client *c)
{
	struct sp_work *wk;
	enum sp_workkind kind;
	int error = 0;

	switch (c->c_ract) {
	case SP_A_GUEST: kind = SP_WK_GUEST; break;
	case SP_A_FORK: kind = SP_WK_FORK; break;
	case SP_A_EXEC: kind = SP_WK_EXEC; break;
	case SP_A_SYSCALL: kind = SP_WK_SYSCALL; break;
	case SP_A_PREFORK: kind = SP_WK_PREFORK; break;
	default: return -1;
	}
	if ((wk = calloc(1, sizeof(*wk))) == NULL)
		return -1;

	pthread_mutex_lock(&c->c_mtx);
	switch (kind) {
	case SP_WK_GUEST:
	case SP_WK_FORK:
		c->c_state = SP_ST_HANDSHAKE;
		c->c_nctl++;
		break;
	case SP_WK_EXEC:
		c->c_inexec = true;
		c->c_nctl++;
		break;
	case SP_WK_PREFORK: c->c_nctl++; break;
	case SP_WK_SYSCALL:
		if (c->c_nsys >= SP_MAXSYSQ)
			error = -1;
		else
			c->c_nsys++;
		break;
	case SP_WK_TEARDOWN: error = -1; break;
	}
	if (error == 0)
		c->c_refs++;
	pthread_mutex_unlock(&c->c_mtx);
	if (error != 0) {
		free(wk);
		return -1;
	}

	wk->wk_kind = kind;
	wk->wk_cl = c;
	wk->wk_hdr = c->c_rhdr;
	wk->wk_body = c->c_rbody;
	wk->wk_blen = c->c_rbodylen;
	c->c_rbody = NULL;
	rumphost_sp_work_queue(wk);
	return 0;
}

/* The body of a frame is in. */
static int
frame_end(struct sp_client *c)
{
	struct sp_waiter *w = c->c_rwaiter;

	c->c_roff = 0;
	if (w != NULL) {
		c->c_rwaiter = NULL;
		pthread_mutex_lock(&c->c_mtx);
		w->w_len = c->c_rbodylen;
		w->w_filling = false;
		w->w_done = true;
		pthread_cond_signal(&w->w_cv);
		pthread_mutex_unlock(&c->c_mtx);
		return 0;
	}
	return dispatch(c);
}

/*
 * Read what the client has sent.  Returns -1 when the client is gone or
 * broke the protocol, 0 otherwise.
 */
static int
client_read(struct sp_client *c)
{
	unsigned frames = 0;
	uint8_t *dst;
	size_t want, off;
	ssize_t n;

	while (frames < SP_FRAMESPERWAKE) {
		if (c->c_roff < SP_HDRLEN) {
			dst = c->c_rhdrbuf + c->c_roff;
			want = SP_HDRLEN - c->c_roff;
		} else {
			off = c->c_roff - SP_HDRLEN;
			dst = c->c_rwaiter != NULL
			    ? (uint8_t *)c->c_rwaiter->w_buf
			    : c->c_rbody;
			dst += off;
			want = c->c_rbodylen - off;
		}
		n = read(c->c_fd, dst, want);
		if (n == 0)
			return -1;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		c->c_roff += (size_t)n;
		if (c->c_roff == SP_HDRLEN) {
			if (frame_begin(c) != 0)
				return -1;
		}
		if (c->c_roff >= SP_HDRLEN &&
		    c->c_roff - SP_HDRLEN == c->c_rbodylen) {
			frames++;
			if (frame_end(c) != 0)
				return -1;
		}
	}
	return 0;
}

/* The client is gone: wake its waiters and have a worker tear it down. */
static void
client_drop(unsigned i)
{
	struct sp_client *c = clients[i];
	struct sp_work *wk;

	clients[i] = clients[--nclients];
	clients[nclients] = NULL;

	free(c->c_rbody);
	c->c_rbody = NULL;
	c->c_rwaiter = NULL;
	rumphost_sp_client_kill(c);

	wk = c->c_teardown;
	c->c_teardown = NULL;
	wk->wk_kind = SP_WK_TEARDOWN;
	wk->wk_cl = c; /* with the connection's reference */
	rumphost_sp_work_queue(wk);
}

static void
client_accept(void)
{
	struct sp_client *c;
	int fd, one = 1;

	fd = accept4(sp_lsock, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1)
		return;
	if (nclients >= SP_MAXCLIENTS || rumphost_sp_finishing) {
		close(fd);
		return;
	}
	if (sp_domain == AF_INET)
		(void)setsockopt(
		    fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* A fresh socket has room for the banner: all of it, or nothing. */
	if (send(fd, sp_banner, sp_bannerlen, MSG_NOSIGNAL | MSG_DONTWAIT) !=
	    (ssize_t)sp_bannerlen) {
		close(fd);
		return;
	}
	if ((c = rumphost_sp_client_new(fd, nextid++)) == NULL) {
		close(fd);
		return;
	}
	clients[nclients++] = c;
}

static void *
poll_thread(void *arg)
{
	struct pollfd pfd[2 + SP_MAXCLIENTS];
	struct sp_client *polled[SP_MAXCLIENTS];
	unsigned i, n, np;
	char drain[64];
	sigset_t all;

	(void)arg;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	for (;;) {
		pfd[0].fd = sp_wake[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = sp_lsock;
		pfd[1].events = POLLIN;
		np = nclients;
		for (i = 0; i < np; i++) {
			polled[i] = clients[i];
			pfd[2 + i].fd = clients[i]->c_fd;
			pfd[2 + i].events = POLLIN;
			pfd[2 + i].revents = 0;
		}
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2 + np, -1) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "rumphost: sysproxy: poll: %s\n",
			    strerror(errno));
			break;
		}
		if (pfd[0].revents != 0) {
			while (read(sp_wake[0], drain, sizeof(drain)) > 0)
				continue;
			if (rumphost_sp_finishing)
				break;
		}
		/* Clients first: drops reorder the table, so go by pointer. */
		for (i = 0; i < np; i++) {
			if (pfd[2 + i].revents == 0)
				continue;
			if (client_read(polled[i]) == 0)
				continue;
			for (n = 0; n < nclients; n++) {
				if (clients[n] == polled[i]) {
					client_drop(n);
					break;
				}
			}
		}
		if (pfd[1].revents & POLLIN)
			client_accept();
	}

	/* Finishing: the process is about to end; just let clients go. */
	for (i = 0; i < nclients; i++)
		rumphost_sp_client_kill(clients[i]);
	close(sp_lsock);
	return NULL;
}

/* --- the hypercalls ------------------------------------------------------ */

int
rumpuser_sp_init(const char *url, const char *ostype, const char *osrelease,
    const char *machine)
{
	struct sockaddr_storage ss;
	unsigned sslen = 0;
	char cwd[PATH_MAX];
	pthread_attr_t attr;
	pthread_t t;
	int error, s = -1, one = 1;

	pthread_mutex_lock(&init_mtx);
	if (sp_started) {
		pthread_mutex_unlock(&init_mtx);
		return RH_EBUSY;
	}
	if ((error = rumphost_sp_work_init()) != 0)
		goto out;
	if ((error = rumphost_sp_parseurl(
		 url, getcwd(cwd, sizeof(cwd)), &ss, &sslen)) != 0) {
		fprintf(stderr, "rumphost: sysproxy: cannot use URL \"%s\"\n",
		    url ? url : "(null)");
		goto out;
	}
	sp_domain = ss.ss_family;
	sp_bannerlen = rumphost_sp_banner(
	    sp_banner, sizeof(sp_banner), ostype, osrelease, machine);

	if ((s = socket(sp_domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		 0)) == -1) {
		error = rumphost_host_errno(errno);
		goto out;
	}
	if (sp_domain == AF_INET)
		(void)setsockopt(
		    s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&ss, sslen) == -1 ||
	    listen(s, SP_MAXCLIENTS) == -1) {
		error = rumphost_host_errno(errno);
		fprintf(stderr,
		    "rumphost: sysproxy: cannot listen on \"%s\": "
		    "%s\n",
		    url, strerror(errno));
		goto out;
	}
	if (pipe2(sp_wake, O_NONBLOCK | O_CLOEXEC) == -1) {
		error = rumphost_host_errno(errno);
		goto unlink;
	}
	sp_lsock = s;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	error = pthread_create(&t, &attr, poll_thread, NULL);
	pthread_attr_destroy(&attr);
	if (error != 0) {
		error = rumphost_host_errno(error);
		close(sp_wake[0]);
		close(sp_wake[1]);
		sp_wake[0] = sp_wake[1] = -1;
		sp_lsock = -1;
		goto unlink;
	}
	if (sp_domain == AF_UNIX) {
		/* Remembered for fini; made absolute by parseurl. */
		memcpy(sp_unlink, ((struct sockaddr_un *)&ss)->sun_path,
		    sizeof(sp_unlink));
	}
	sp_started = true;
	pthread_mutex_unlock(&init_mtx);
	return 0;

unlink:
	if (sp_domain == AF_UNIX)
		unlink(((struct sockaddr_un *)&ss)->sun_path);
out:
	if (s != -1)
		close(s);
	pthread_mutex_unlock(&init_mtx);
	return error;
}

void
rumpuser_sp_fini(void *arg)
{
	bool started;

	pthread_mutex_lock(&init_mtx);
	started = sp_started;
	pthread_mutex_unlock(&init_mtx);
	if (!started)
		return;

	/* Only absolute paths: the process may have changed directory. */
	if (sp_unlink[0] == '/')
		unlink(sp_unlink);
	/* The syscall that halts the kernel gets its answer now. */
	rumphost_sp_answer_current(arg);
	/* Stop accepting and reading; the process ends in a moment. */
	rumphost_sp_finishing = 1;
	if (write(sp_wake[1], "", 1) == -1) {
		/* Full pipe: the poll thread is awake already. */
	}
}
