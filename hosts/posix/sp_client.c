/*
 * sp_client.c: one syscall proxy client connection, seen from the rump
 * kernel's side: its lifetime (references), sending frames to it, and the
 * hypercalls that reach into the client process: rumpuser_sp_copyin,
 * _copyinstr, _copyout, _copyoutstr, _anonmmap and _raise.
 *
 * Assumes: the rump kernel calls these hypercalls holding a rump CPU, with
 * arg being the client pointer it was given at rfork; the poll thread
 * (sp_server.c) is the only reader of the socket and delivers replies to
 * the waiters linked here.  Every wait on the client happens after the
 * rump CPU was released, and the CPU is taken back before returning.
 *
 * Errors: a client that cannot be reached (gone, or it broke the
 * protocol) makes copy and anonmmap calls fail with EFAULT, as NetBSD's
 * do; raise returns ENOTCONN.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "sp.h"

/* The syscall the calling worker serves, for rumpuser_sp_fini. */
static __thread struct sp_client *cur_client;
static __thread uint64_t cur_reqno;
static __thread bool cur_answered;

struct sp_client *
rumphost_sp_client_new(int fd, uint64_t id)
{
	struct sp_client *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->c_teardown = calloc(1, sizeof(*c->c_teardown))) == NULL) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->c_mtx, NULL);
	pthread_cond_init(&c->c_cv, NULL);
	pthread_mutex_init(&c->c_sendmtx, NULL);
	pthread_mutex_init(&c->c_ctlmtx, NULL);
	c->c_id = id;
	c->c_fd = fd;
	c->c_refs = 1; /* the connection's */
	c->c_state = SP_ST_NEW;
	c->c_nextreq = 1;
	c->c_pid = -1;
	return c;
}

void
rumphost_sp_client_ref(struct sp_client *c)
{

	pthread_mutex_lock(&c->c_mtx);
	c->c_refs++;
	pthread_mutex_unlock(&c->c_mtx);
}

void
rumphost_sp_client_rele(struct sp_client *c)
{
	unsigned refs;

	pthread_mutex_lock(&c->c_mtx);
	refs = --c->c_refs;
	pthread_mutex_unlock(&c->c_mtx);
	if (refs > 0)
		return;

	/* Last reference: no thread can reach the client any more. */
	if (c->c_fd != -1)
		close(c->c_fd);
	free(c->c_rbody);
	free(c->c_teardown);
	pthread_mutex_destroy(&c->c_ctlmtx);
	pthread_mutex_destroy(&c->c_sendmtx);
	pthread_cond_destroy(&c->c_cv);
	pthread_mutex_destroy(&c->c_mtx);
	free(c);
}

void
rumphost_sp_client_kill(struct sp_client *c)
{
	struct sp_waiter *w;

	pthread_mutex_lock(&c->c_mtx);
	c->c_state = SP_ST_DEAD;
	for (w = c->c_waiters; w != NULL; w = w->w_next)
		pthread_cond_signal(&w->w_cv);
	pthread_cond_broadcast(&c->c_cv);
	pthread_mutex_unlock(&c->c_mtx);
	/* c_fd stays valid until teardown closes it. */
	shutdown(c->c_fd, SHUT_RDWR);
}

void
rumphost_sp_client_close(struct sp_client *c)
{
	int fd;

	pthread_mutex_lock(&c->c_sendmtx);
	fd = c->c_fd;
	c->c_fd = -1;
	pthread_mutex_unlock(&c->c_sendmtx);
	if (fd != -1)
		close(fd);
}

int
rumphost_sp_send(
    struct sp_client *c, struct sp_hdr *h, const struct iovec *body, int n)
{
	uint8_t hb[SP_HDRLEN];
	struct iovec iov[4], *v;
	struct msghdr msg;
	struct pollfd pfd;
	size_t total;
	ssize_t done;
	int i, nv, error;

	if (n < 0 || n > 3)
		return RH_EINVAL;
	total = SP_HDRLEN;
	iov[0].iov_base = hb;
	iov[0].iov_len = SP_HDRLEN;
	for (i = 0; i < n; i++) {
		iov[i + 1] = body[i];
		total += body[i].iov_len;
	}
	h->h_len = total;
	rumphost_sp_hdr_encode(h, hb);

	v = iov;
	nv = n + 1;
	error = 0;
	pthread_mutex_lock(&c->c_sendmtx);
	while (nv > 0) {
		if (c->c_fd == -1) {
			error = RH_ENOTCONN;
			break;
		}
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = v;
		msg.msg_iovlen = (size_t)nv;
		done = sendmsg(c->c_fd, &msg, MSG_NOSIGNAL);
		if (done == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				error = errno == EPIPE
				    ? RH_ENOTCONN
				    : rumphost_host_errno(errno);
				break;
			}
			/* Full: wait, with the send lock, for room. */
			pfd.fd = c->c_fd;
			pfd.events = POLLOUT;
			pfd.revents = 0;
			if (poll(&pfd, 1, -1) == -1 && errno != EINTR) {
				error = rumphost_host_errno(errno);
				break;
			}
			continue;
		}
		/* Step over what went out. */
		while (nv > 0 && (size_t)done >= v->iov_len) {
			done -= (ssize_t)v->iov_len;
			v++;
			nv--;
		}
		if (nv > 0) {
			v->iov_base = (uint8_t *)v->iov_base + done;
			v->iov_len -= (size_t)done;
		}
	}
	pthread_mutex_unlock(&c->c_sendmtx);
	return error;
}

int
rumphost_sp_send_error(struct sp_client *c, uint64_t reqno, int err)
{
	struct sp_hdr h = {.h_reqno = reqno,
	    .h_class = SP_CLASS_ERROR,
	    .h_type = 0,
	    .h_arg = (uint32_t)err};

	return rumphost_sp_send(c, &h, NULL, 0);
}

int
rumphost_sp_send_hsresp(struct sp_client *c, uint64_t reqno, int err)
{
	struct sp_hdr h = {.h_reqno = reqno,
	    .h_class = SP_CLASS_RESP,
	    .h_type = SP_T_HANDSHAKE};
	struct iovec iov;

	iov.iov_base = &err;
	iov.iov_len = sizeof(err);
	return rumphost_sp_send(c, &h, &iov, 1);
}

int
rumphost_sp_send_sysresp(
    struct sp_client *c, uint64_t reqno, int err, const long *retval)
{
	struct sp_hdr h = {
	    .h_reqno = reqno, .h_class = SP_CLASS_RESP, .h_type = SP_T_SYSCALL};
	struct sp_sysresp sr;
	struct iovec iov;

	memset(&sr, 0, sizeof(sr)); /* no stray bytes in the padding */
	sr.sr_error = err;
	sr.sr_retval[0] = retval[0];
	sr.sr_retval[1] = retval[1];
	iov.iov_base = &sr;
	iov.iov_len = sizeof(sr);
	return rumphost_sp_send(c, &h, &iov, 1);
}

void
rumphost_sp_set_current(struct sp_client *c, uint64_t reqno)
{

	cur_client = c;
	cur_reqno = reqno;
	cur_answered = false;
}

bool
rumphost_sp_current_answered(void)
{

	return cur_answered;
}

/*
 * Called by rumpuser_sp_fini on the thread of the syscall that halts the
 * rump kernel: answer that syscall now, since the process ends soon.
 */
void
rumphost_sp_answer_current(struct sp_client *c)
{
	const long rv[2] = {0, 0};

	if (c == NULL || c != cur_client || cur_answered)
		return;
	cur_answered = true;
	(void)rumphost_sp_send_sysresp(c, cur_reqno, 0, rv);
}

/*
 * Ask the client for data and wait for the reply, which the poll thread
 * writes straight into buf (at most cap bytes; *got says how many).
 * Called with a rump CPU; releases it for the duration.
 */
static int
request_reply(struct sp_client *c, int kind, uint16_t type,
    const struct iovec *body, int n, void *buf, size_t cap, size_t *got)
{
	struct sp_waiter w, **wp;
	struct sp_hdr h = {.h_class = SP_CLASS_REQ, .h_type = type};
	int nlocks, error;

	rumphost_hyp.hyp_backend_unschedule(0, &nlocks, NULL);

	memset(&w, 0, sizeof(w));
	w.w_kind = kind;
	w.w_buf = buf;
	w.w_cap = cap;
	pthread_cond_init(&w.w_cv, NULL);

	pthread_mutex_lock(&c->c_mtx);
	if (c->c_state == SP_ST_DEAD) {
		pthread_mutex_unlock(&c->c_mtx);
		error = RH_ENOTCONN;
		goto out;
	}
	w.w_reqno = h.h_reqno = c->c_nextreq++;
	w.w_next = c->c_waiters;
	c->c_waiters = &w;
	pthread_mutex_unlock(&c->c_mtx);

	error = rumphost_sp_send(c, &h, body, n);

	pthread_mutex_lock(&c->c_mtx);
	if (error == 0) {
		/* Until replied, or dead (then nobody is filling buf). */
		while (!w.w_done && c->c_state != SP_ST_DEAD)
			pthread_cond_wait(&w.w_cv, &c->c_mtx);
		if (w.w_done)
			*got = w.w_len;
		else
			error = RH_ENOTCONN;
	}
	for (wp = &c->c_waiters; *wp != NULL; wp = &(*wp)->w_next) {
		if (*wp == &w) {
			*wp = w.w_next;
			break;
		}
	}
	pthread_mutex_unlock(&c->c_mtx);
out:
	pthread_cond_destroy(&w.w_cv);
	rumphost_hyp.hyp_backend_schedule(nlocks, NULL);
	return error;
}

static int
sp_copyin(void *arg, const void *raddr, void *laddr, size_t *lenp, int kind)
{
	struct sp_client *c = arg;
	struct sp_copydata cd;
	struct iovec iov;
	size_t got = 0;
	int error;

	if (c == NULL)
		return RH_EFAULT;
	if (*lenp == 0)
		return 0;
	cd.cd_len = *lenp;
	cd.cd_addr = (void *)(uintptr_t)raddr;
	iov.iov_base = &cd;
	iov.iov_len = sizeof(cd);
	error = request_reply(c, kind,
	    kind == SP_WAIT_COPYINSTR ? SP_T_COPYINSTR : SP_T_COPYIN, &iov, 1,
	    laddr, *lenp, &got);
	if (error != 0)
		return RH_EFAULT;
	*lenp = got;
	return 0;
}

int
rumpuser_sp_copyin(void *arg, const void *raddr, void *laddr, size_t len)
{

	return sp_copyin(arg, raddr, laddr, &len, SP_WAIT_COPYIN);
}

int
rumpuser_sp_copyinstr(void *arg, const void *raddr, void *laddr, size_t *lenp)
{

	return sp_copyin(arg, raddr, laddr, lenp, SP_WAIT_COPYINSTR);
}

/* Copyout needs no reply: the client applies it before the next frame. */
static int
sp_copyout(void *arg, const void *laddr, void *raddr, size_t len, uint16_t type)
{
	struct sp_client *c = arg;
	struct sp_hdr h = {.h_class = SP_CLASS_REQ, .h_type = type};
	struct sp_copydata cd;
	struct iovec iov[2];
	int nlocks, error;

	if (c == NULL)
		return RH_EFAULT;
	cd.cd_len = len;
	cd.cd_addr = raddr;
	iov[0].iov_base = &cd;
	iov[0].iov_len = sizeof(cd);
	iov[1].iov_base = (void *)(uintptr_t)laddr;
	iov[1].iov_len = len;

	rumphost_hyp.hyp_backend_unschedule(0, &nlocks, NULL);
	pthread_mutex_lock(&c->c_mtx);
	h.h_reqno = c->c_nextreq++;
	error = c->c_state == SP_ST_DEAD ? RH_ENOTCONN : 0;
	pthread_mutex_unlock(&c->c_mtx);
	if (error == 0)
		error = rumphost_sp_send(c, &h, iov, 2);
	rumphost_hyp.hyp_backend_schedule(nlocks, NULL);
	return error != 0 ? RH_EFAULT : 0;
}

int
rumpuser_sp_copyout(void *arg, const void *laddr, void *raddr, size_t len)
{

	return sp_copyout(arg, laddr, raddr, len, SP_T_COPYOUT);
}

int
rumpuser_sp_copyoutstr(void *arg, const void *laddr, void *raddr, size_t *lenp)
{

	/* *lenp is the string's length with its NUL, as the kernel says. */
	return sp_copyout(arg, laddr, raddr, *lenp, SP_T_COPYOUTSTR);
}

int
rumpuser_sp_anonmmap(void *arg, size_t howmuch, void **addr)
{
	struct sp_client *c = arg;
	struct iovec iov;
	void *where = NULL;
	size_t got = 0;
	int error;

	if (c == NULL)
		return RH_EFAULT;
	iov.iov_base = &howmuch;
	iov.iov_len = sizeof(howmuch);
	error = request_reply(c, SP_WAIT_ANONMMAP, SP_T_ANONMMAP, &iov, 1,
	    &where, sizeof(where), &got);
	if (error != 0)
		return RH_EFAULT;
	if (where == NULL)
		return RH_ENOMEM;
	*addr = where;
	return 0;
}

int
rumpuser_sp_raise(void *arg, int signo)
{
	struct sp_client *c = arg;
	struct sp_hdr h = {.h_class = SP_CLASS_REQ,
	    .h_type = SP_T_RAISE,
	    .h_arg = (uint32_t)signo};
	int nlocks, error;

	if (c == NULL)
		return RH_ENOTCONN;
	rumphost_hyp.hyp_backend_unschedule(0, &nlocks, NULL);
	pthread_mutex_lock(&c->c_mtx);
	h.h_reqno = c->c_nextreq++;
	error = c->c_state == SP_ST_DEAD ? RH_ENOTCONN : 0;
	pthread_mutex_unlock(&c->c_mtx);
	if (error == 0)
		error = rumphost_sp_send(c, &h, NULL, 0);
	rumphost_hyp.hyp_backend_schedule(nlocks, NULL);
	return error;
}
