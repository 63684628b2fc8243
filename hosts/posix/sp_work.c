/*
 * sp_work.c: the syscall proxy's worker pool and everything it does in
 * the rump kernel on a client's behalf: the guest and fork handshakes
 * (a new process, or adoption of a preforked one), system calls (each on
 * a fresh lwp of the client's process), prefork, exec, and the teardown
 * of a disconnected client.
 *
 * Assumes: workers are plain host threads that hold no rump CPU and are
 * bound to no lwp between operations; every upcall into the rump kernel
 * is bracketed by hyp_schedule/hyp_unschedule, and every host wait
 * (locks, condition variables, sends) happens outside those brackets.
 * The upcall table (rumphost_hyp) has the sysproxy upcalls (checked by
 * rumpuser_sp_init).
 *
 * The pool: at most SP_MAXWORKERS threads, made on demand when queued
 * work outnumbers idle workers, and at most SP_IDLEWORKERS kept idle.
 * It must be able to grow past blocked syscalls (a read on an empty pipe
 * waits for another client's write), hence a generous bound, like
 * NetBSD's.  Per client, the control operations that use the client's
 * main lwp run one at a time (c_ctlmtx): the rump kernel panics if one
 * lwp runs on two threads.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "sp.h"

#define SP_MAXWORKERS  128
#define SP_IDLEWORKERS 8
#define SP_MAXPREFORK  64 /* forks whose child has not come yet */
#define SP_PREFORK_TTL (60ULL * 1000000000ULL) /* then they may go */

volatile int rumphost_sp_finishing;

/*
 * The queue.  pool_mtx protects every field below it; pool_cv wakes idle
 * workers.
 */
static pthread_mutex_t pool_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_cv = PTHREAD_COND_INITIALIZER;
static struct sp_work *q_head, **q_tail = &q_head;
static unsigned q_len;	  /* items queued, not yet taken */
static unsigned nworkers; /* threads alive */
static unsigned nidle;	  /* threads waiting for work */

/*
 * A forked process waiting for its child to connect.  The global list is
 * protected by pf_mtx; an entry taken off it belongs to its taker.  It
 * holds a reference on the client that forked (the process's sysproxy
 * pointer is that client).
 */
struct sp_prefork {
	struct sp_prefork *pf_next;
	uint8_t pf_auth[SP_AUTHLEN];
	struct lwp *pf_lwp;
	struct sp_client *pf_owner;
	uint64_t pf_born; /* monotonic ns */
};
static pthread_mutex_t pf_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct sp_prefork *pf_head;
static unsigned pf_count;

/* --- the upcalls, each in its own scheduling bracket ------------------ */

static void
lw_switch(struct lwp *l)
{

	rumphost_hyp.hyp_schedule();
	rumphost_hyp.hyp_lwproc_switch(l);
	rumphost_hyp.hyp_unschedule();
}

static void
lw_release(void)
{

	rumphost_hyp.hyp_schedule();
	rumphost_hyp.hyp_lwproc_release();
	rumphost_hyp.hyp_unschedule();
}

static int
lw_rfork(struct sp_client *c, int flags, const char *comm)
{
	int error;

	rumphost_hyp.hyp_schedule();
	error = rumphost_hyp.hyp_lwproc_rfork(c, flags, comm);
	rumphost_hyp.hyp_unschedule();
	return error;
}

static int
lw_newlwp(pid_t pid)
{
	int error;

	rumphost_hyp.hyp_schedule();
	error = rumphost_hyp.hyp_lwproc_newlwp(pid);
	rumphost_hyp.hyp_unschedule();
	return error;
}

static struct lwp *
lw_curlwp(void)
{
	struct lwp *l;

	rumphost_hyp.hyp_schedule();
	l = rumphost_hyp.hyp_lwproc_curlwp();
	rumphost_hyp.hyp_unschedule();
	return l;
}

static pid_t
lw_getpid(void)
{
	pid_t pid;

	rumphost_hyp.hyp_schedule();
	pid = rumphost_hyp.hyp_getpid();
	rumphost_hyp.hyp_unschedule();
	return pid;
}

static void
lw_lwpexit(void)
{

	rumphost_hyp.hyp_schedule();
	rumphost_hyp.hyp_lwpexit();
	rumphost_hyp.hyp_unschedule();
}

static void
lw_execnotify(const char *comm)
{

	rumphost_hyp.hyp_schedule();
	rumphost_hyp.hyp_execnotify(comm);
	rumphost_hyp.hyp_unschedule();
}

static int
lw_syscall(int num, void *args, long *retval)
{
	int error;

	rumphost_hyp.hyp_schedule();
	error = rumphost_hyp.hyp_syscall(num, args, retval);
	rumphost_hyp.hyp_unschedule();
	return error;
}

/* --- helpers ------------------------------------------------------------ */

/* Make the poll thread see the client end (a handshake was refused). */
static void
hangup(struct sp_client *c)
{

	pthread_mutex_lock(&c->c_sendmtx);
	if (c->c_fd != -1)
		shutdown(c->c_fd, SHUT_RDWR);
	pthread_mutex_unlock(&c->c_sendmtx);
}

/* A comm name from a handshake body: printable, terminated, short. */
static void
getcomm(const struct sp_work *wk, char *comm, size_t len)
{
	size_t i, n;

	n = wk->wk_blen < len - 1 ? wk->wk_blen : len - 1;
	for (i = 0; i < n && wk->wk_body[i] != '\0'; i++) {
		comm[i] = (wk->wk_body[i] >= 0x20 && wk->wk_body[i] < 0x7f)
		    ? (char)wk->wk_body[i]
		    : '?';
	}
	comm[i] = '\0';
	if (i == 0)
		snprintf(comm, len, "rumpclient");
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int
getauth(uint8_t *auth)
{
	size_t off, got;
	int error;

	for (off = 0; off < SP_AUTHLEN; off += got) {
		got = 0;
		error = rumphost_host_entropy(
		    auth + off, SP_AUTHLEN - off, 0, &got);
		if (error != 0)
			return error;
	}
	return 0;
}

/* Give back the process of a prefork entry nobody will claim. */
static void
prefork_drop(struct sp_prefork *pf)
{

	lw_switch(pf->pf_lwp);
	lw_release();
	rumphost_sp_client_rele(pf->pf_owner);
	free(pf);
}

/* Drop preforks older than their time to live. */
static void
prefork_expire(void)
{
	struct sp_prefork *pf, **pp, *old = NULL;
	uint64_t now = now_ns();

	pthread_mutex_lock(&pf_mtx);
	for (pp = &pf_head; (pf = *pp) != NULL;) {
		if (now - pf->pf_born > SP_PREFORK_TTL) {
			*pp = pf->pf_next;
			pf->pf_next = old;
			old = pf;
			pf_count--;
		} else
			pp = &pf->pf_next;
	}
	pthread_mutex_unlock(&pf_mtx);
	while ((pf = old) != NULL) {
		old = pf->pf_next;
		prefork_drop(pf);
	}
}

/* --- the handlers ------------------------------------------------------- */

static void
do_guest(struct sp_work *wk)
{
	struct sp_client *c = wk->wk_cl;
	char comm[SP_COMMMAX];
	int error;

	getcomm(wk, comm, sizeof(comm));
	pthread_mutex_lock(&c->c_ctlmtx);
	/* With no lwp bound, the new process forks off proc1. */
	if ((error = lw_rfork(c, SP_RFFD_CLEAR, comm)) != 0) {
		pthread_mutex_unlock(&c->c_ctlmtx);
		(void)rumphost_sp_send_hsresp(c, wk->wk_hdr.h_reqno, error);
		hangup(c);
		return;
	}
	c->c_mainlwp = lw_curlwp();
	c->c_pid = lw_getpid();
	lw_switch(NULL);

	pthread_mutex_lock(&c->c_mtx);
	if (c->c_state == SP_ST_HANDSHAKE)
		c->c_state = SP_ST_RUNNING;
	pthread_mutex_unlock(&c->c_mtx);
	pthread_mutex_unlock(&c->c_ctlmtx);
	(void)rumphost_sp_send_hsresp(c, wk->wk_hdr.h_reqno, 0);
}

static void
do_fork(struct sp_work *wk)
{
	struct sp_client *c = wk->wk_cl;
	struct sp_prefork *pf, **pp;
	struct sp_forkhs fh;
	struct lwp *tmp;
	int error;

	memcpy(&fh, wk->wk_body, sizeof(fh)); /* length checked */
	pthread_mutex_lock(&pf_mtx);
	for (pp = &pf_head; (pf = *pp) != NULL; pp = &pf->pf_next) {
		if (memcmp(pf->pf_auth, fh.fh_auth, SP_AUTHLEN) == 0) {
			*pp = pf->pf_next;
			pf_count--;
			break;
		}
	}
	pthread_mutex_unlock(&pf_mtx);
	if (pf == NULL) {
		(void)rumphost_sp_send_error(
		    c, wk->wk_hdr.h_reqno, SP_ERR_INVALID_PREFORK);
		hangup(c);
		return;
	}
	if (fh.fh_cancel) {
		/* The client does not wait for an answer. */
		prefork_drop(pf);
		hangup(c);
		return;
	}

	pthread_mutex_lock(&c->c_ctlmtx);
	/*
	 * The preforked process belongs to the parent's connection; fork
	 * it once more (sharing its descriptors) for this connection, and
	 * let the first one go.
	 */
	tmp = pf->pf_lwp;
	lw_switch(tmp);
	if ((error = lw_rfork(c, SP_RFFD_SHARE, NULL)) != 0) {
		lw_release();
		pthread_mutex_unlock(&c->c_ctlmtx);
		rumphost_sp_client_rele(pf->pf_owner);
		free(pf);
		(void)rumphost_sp_send_error(
		    c, wk->wk_hdr.h_reqno, SP_ERR_RFORK_FAILED);
		hangup(c);
		return;
	}
	c->c_mainlwp = lw_curlwp();
	lw_switch(tmp);
	lw_release();
	lw_switch(c->c_mainlwp);
	c->c_pid = lw_getpid();
	lw_switch(NULL);
	rumphost_sp_client_rele(pf->pf_owner);
	free(pf);

	pthread_mutex_lock(&c->c_mtx);
	if (c->c_state == SP_ST_HANDSHAKE)
		c->c_state = SP_ST_RUNNING;
	pthread_mutex_unlock(&c->c_mtx);
	pthread_mutex_unlock(&c->c_ctlmtx);
	(void)rumphost_sp_send_hsresp(c, wk->wk_hdr.h_reqno, 0);
}

static void
do_prefork(struct sp_work *wk)
{
	struct sp_client *c = wk->wk_cl;
	struct sp_hdr h = {.h_reqno = wk->wk_hdr.h_reqno,
	    .h_class = SP_CLASS_RESP,
	    .h_type = SP_T_PREFORK};
	struct sp_prefork *pf;
	uint8_t auth[SP_AUTHLEN];
	struct iovec iov;
	unsigned count;
	int error;

	pthread_mutex_lock(&pf_mtx);
	count = pf_count;
	pthread_mutex_unlock(&pf_mtx);
	if (count >= SP_MAXPREFORK)
		prefork_expire();
	pthread_mutex_lock(&pf_mtx);
	count = pf_count;
	pthread_mutex_unlock(&pf_mtx);
	if (count >= SP_MAXPREFORK || (pf = calloc(1, sizeof(*pf))) == NULL) {
		(void)rumphost_sp_send_error(c, h.h_reqno, SP_ERR_NOMEM);
		return;
	}
	if (getauth(pf->pf_auth) != 0) {
		free(pf);
		(void)rumphost_sp_send_error(c, h.h_reqno, SP_ERR_NOMEM);
		return;
	}

	pthread_mutex_lock(&c->c_ctlmtx);
	lw_switch(c->c_mainlwp);
	if ((error = lw_rfork(c, SP_RFFD_COPY, NULL)) != 0) {
		lw_switch(NULL);
		pthread_mutex_unlock(&c->c_ctlmtx);
		free(pf);
		(void)rumphost_sp_send_error(c, h.h_reqno, SP_ERR_RFORK_FAILED);
		return;
	}
	pf->pf_lwp = lw_curlwp();
	lw_switch(NULL);
	pthread_mutex_unlock(&c->c_ctlmtx);
	memcpy(auth, pf->pf_auth, sizeof(auth));

	rumphost_sp_client_ref(c);
	pf->pf_owner = c;
	pf->pf_born = now_ns();
	pthread_mutex_lock(&pf_mtx);
	pf->pf_next = pf_head;
	pf_head = pf;
	pf_count++;
	pthread_mutex_unlock(&pf_mtx);

	/* The child may take pf at once: send our copy of the cookie. */
	iov.iov_base = auth;
	iov.iov_len = SP_AUTHLEN;
	(void)rumphost_sp_send(c, &h, &iov, 1);
}

static void
do_exec(struct sp_work *wk)
{
	struct sp_client *c = wk->wk_cl;
	char comm[SP_COMMMAX];
	bool drained;

	getcomm(wk, comm, sizeof(comm));
	pthread_mutex_lock(&c->c_ctlmtx);
	/* Tell every other lwp of the process to go, then wait for it. */
	lw_switch(c->c_mainlwp);
	lw_lwpexit();
	lw_switch(NULL);

	pthread_mutex_lock(&c->c_mtx);
	while (c->c_nsys > 0 && c->c_state != SP_ST_DEAD)
		pthread_cond_wait(&c->c_cv, &c->c_mtx);
	drained = c->c_nsys == 0;
	pthread_mutex_unlock(&c->c_mtx);

	if (drained) {
		lw_switch(c->c_mainlwp);
		lw_execnotify(comm);
		lw_switch(NULL);
	}
	/* Else the client died mid-exec: teardown finishes the process. */

	pthread_mutex_lock(&c->c_mtx);
	c->c_inexec = false;
	pthread_mutex_unlock(&c->c_mtx);
	pthread_mutex_unlock(&c->c_ctlmtx);
	if (drained)
		(void)rumphost_sp_send_hsresp(c, wk->wk_hdr.h_reqno, 0);
}

static void
do_syscall(struct sp_work *wk)
{
	struct sp_client *c = wk->wk_cl;
	long retval[2] = {0, 0};
	uint64_t reqno = wk->wk_hdr.h_reqno;
	uint32_t num = wk->wk_hdr.h_arg;
	int error;

	pthread_mutex_lock(&c->c_mtx);
	error = c->c_state == SP_ST_DEAD ? RH_ENOTCONN : 0;
	pthread_mutex_unlock(&c->c_mtx);
	if (error != 0)
		return; /* nobody to answer */

	if (num > SP_MAXSYSNUM) {
		retval[0] = -1;
		(void)rumphost_sp_send_sysresp(c, reqno, RH_ENOSYS, retval);
		return;
	}
	/* A fresh lwp in the client's process; fails once it exits. */
	if ((error = lw_newlwp(c->c_pid)) != 0) {
		retval[0] = -1;
		(void)rumphost_sp_send_sysresp(c, reqno, error, retval);
		return;
	}
	rumphost_sp_set_current(c, reqno);
	error = lw_syscall((int)num, wk->wk_body, retval);
	lw_release();
	if (!rumphost_sp_current_answered())
		(void)rumphost_sp_send_sysresp(c, reqno, error, retval);
	rumphost_sp_set_current(NULL, 0);
}

static void
do_teardown(struct sp_work *wk)
{
	struct sp_client *c = wk->wk_cl;

	/* Let handshakes, prefork and exec in flight finish first. */
	pthread_mutex_lock(&c->c_mtx);
	while (c->c_nctl > 0)
		pthread_cond_wait(&c->c_cv, &c->c_mtx);
	pthread_mutex_unlock(&c->c_mtx);

	pthread_mutex_lock(&c->c_ctlmtx);
	if (c->c_mainlwp != NULL) {
		/* Wake the process's sleeping lwps and make them leave. */
		lw_switch(c->c_mainlwp);
		lw_lwpexit();
		lw_switch(NULL);
	}
	pthread_mutex_lock(&c->c_mtx);
	while (c->c_nsys > 0)
		pthread_cond_wait(&c->c_cv, &c->c_mtx);
	pthread_mutex_unlock(&c->c_mtx);
	if (c->c_mainlwp != NULL) {
		/* The last lwp: the process goes with it. */
		lw_switch(c->c_mainlwp);
		lw_release();
		c->c_mainlwp = NULL;
	}
	pthread_mutex_unlock(&c->c_ctlmtx);
	rumphost_sp_client_close(c);
}

static void
run(struct sp_work *wk)
{
	struct sp_client *c = wk->wk_cl;

	switch (wk->wk_kind) {
	case SP_WK_GUEST: do_guest(wk); break;
	case SP_WK_FORK: do_fork(wk); break;
	case SP_WK_EXEC: do_exec(wk); break;
	case SP_WK_SYSCALL: do_syscall(wk); break;
	case SP_WK_PREFORK: do_prefork(wk); break;
	case SP_WK_TEARDOWN:
		/* The reference this item holds is the connection's. */
		do_teardown(wk);
		free(wk);
		rumphost_sp_client_rele(c);
		return;
	}

	pthread_mutex_lock(&c->c_mtx);
	if (wk->wk_kind == SP_WK_SYSCALL)
		c->c_nsys--;
	else
		c->c_nctl--;
	pthread_cond_broadcast(&c->c_cv);
	pthread_mutex_unlock(&c->c_mtx);
	free(wk->wk_body);
	free(wk);
	rumphost_sp_client_rele(c);
}

static void *
worker(void *arg)
{
	struct sp_work *wk;
	sigset_t all;

	(void)arg;
	/* Host signals are for the application's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);

	pthread_mutex_lock(&pool_mtx);
	for (;;) {
		while (q_head == NULL) {
			if (nidle >= SP_IDLEWORKERS) {
				nworkers--;
				pthread_mutex_unlock(&pool_mtx);
				return NULL;
			}
			nidle++;
			pthread_cond_wait(&pool_cv, &pool_mtx);
			nidle--;
		}
		wk = q_head;
		if ((q_head = wk->wk_next) == NULL)
			q_tail = &q_head;
		q_len--;
		pthread_mutex_unlock(&pool_mtx);

		run(wk);

		pthread_mutex_lock(&pool_mtx);
	}
}

void
rumphost_sp_work_queue(struct sp_work *wk)
{
	pthread_attr_t attr;
	pthread_t t;

	wk->wk_next = NULL;
	pthread_mutex_lock(&pool_mtx);
	*q_tail = wk;
	q_tail = &wk->wk_next;
	q_len++;
	if (nidle > 0)
		pthread_cond_signal(&pool_cv);
	if (q_len > nidle && nworkers < SP_MAXWORKERS) {
		/* More work than idle hands: one more worker. */
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &attr, worker, NULL) == 0)
			nworkers++;
		pthread_attr_destroy(&attr);
	}
	pthread_mutex_unlock(&pool_mtx);
}

int
rumphost_sp_work_init(void)
{

	if (rumphost_hyp.hyp_lwproc_rfork == NULL ||
	    rumphost_hyp.hyp_syscall == NULL ||
	    rumphost_hyp.hyp_getpid == NULL ||
	    rumphost_hyp.hyp_lwpexit == NULL ||
	    rumphost_hyp.hyp_execnotify == NULL ||
	    rumphost_hyp.hyp_schedule == NULL)
		return RH_ENOSYS;
	return 0;
}
