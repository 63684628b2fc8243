/*
 * The syscall proxy server (rumpuser_sp_*): internal interface shared by
 * sp_proto.c, sp_client.c, sp_server.c and sp_work.c.
 *
 * A rump kernel serves system calls to client processes that use NetBSD's
 * librumpclient, over a stream socket (unix:// or tcp://).  The protocol
 * is NetBSD's sysproxy protocol, version 0.4: frames of a fixed 24-byte
 * header and a body, in the host's own byte order and structure layout
 * (client and server must share the ABI; this is NetBSD's rule too).
 *
 * Threads (see sp_server.c for the whole picture):
 * - one poll thread owns the listening socket and reads every client
 *   socket; it never calls into the rump kernel and never blocks on a
 *   client;
 * - a bounded pool of worker threads runs every request that needs the
 *   rump kernel (handshakes, system calls, fork, exec, teardown);
 * - any thread inside the rump kernel may call the rumpuser_sp_copy*,
 *   anonmmap and raise hypercalls for a client process; they release the
 *   rump CPU before touching the socket or waiting.
 *
 * Nothing here is exported: hidden visibility and the sp_ prefix with the
 * rumphost_ namespace (rumphost_sp_*) keep it private to librumpuser.
 */
#ifndef RUMPHOST_SP_H
#define RUMPHOST_SP_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The ABI is what the library exports; everything else stays hidden. */
#pragma GCC visibility push(default)
#include <rump/rumpuser.h>
#pragma GCC visibility pop

/* The rump kernel's upcalls, copied by rumpuser_init() (src/init.c). */
extern struct rumpuser_hyperup rumphost_hyp;

/* --- the wire format (sp_proto.c) ------------------------------------ */

#define SP_PROTOMAJOR 0
#define SP_PROTOMINOR 4
#define SP_BANNERMAX  96 /* the client reads at most 95 bytes */

#define SP_HDRLEN                                                              \
	24 /* u64 len, u64 reqno, u16 class, u16 type,                         \
	      u32 arg (sysnum, error, handshake, signo) */

/* Frame classes. */
#define SP_CLASS_REQ   0
#define SP_CLASS_RESP  1
#define SP_CLASS_ERROR 2

/* Frame types. */
#define SP_T_HANDSHAKE	0
#define SP_T_SYSCALL	1
#define SP_T_COPYIN	2
#define SP_T_COPYINSTR	3
#define SP_T_COPYOUT	4
#define SP_T_COPYOUTSTR 5
#define SP_T_ANONMMAP	6
#define SP_T_PREFORK	7
#define SP_T_RAISE	8

/* Handshake kinds (the arg of a HANDSHAKE request). */
#define SP_HS_GUEST 0
#define SP_HS_AUTH  1 /* never implemented by anyone */
#define SP_HS_FORK  2
#define SP_HS_EXEC  3

/* Error codes of an ERROR frame (the client maps them to errno). */
#define SP_ERR_NONE	       0
#define SP_ERR_TRYAGAIN	       1
#define SP_ERR_AUTH	       2
#define SP_ERR_INVALID_PREFORK 3
#define SP_ERR_RFORK_FAILED    4
#define SP_ERR_INEXEC	       5
#define SP_ERR_NOMEM	       6
#define SP_ERR_MALFORMED       7

#define SP_AUTHLEN 16 /* fork authentication cookie, bytes */

/* rfork flags of the rump kernel (rump.h: RUMP_RFFD_*). */
#define SP_RFFD_SHARE 0x00
#define SP_RFFD_COPY  0x01
#define SP_RFFD_CLEAR 0x02

/* Limits on what a client may send; anything beyond is a violation. */
#define SP_MAXREQBODY 4096 /* syscall arguments, comm names */
#define SP_SYSARGSMIN                                                          \
	256		   /* syscall argument buffers are at least            \
			      this big, zero-filled, so that a short           \
			      body never lets the kernel read past */
#define SP_MAXSYSNUM 65535 /* sysnums above are refused (ENOSYS) */
#define SP_COMMMAX   64	   /* longest comm name kept */

struct sp_hdr {
	uint64_t h_len; /* whole frame, header included */
	uint64_t h_reqno;
	uint16_t h_class;
	uint16_t h_type;
	uint32_t h_arg;
};

/* The body of a COPYIN/COPYINSTR/COPYOUT/COPYOUTSTR request. */
struct sp_copydata {
	size_t cd_len;
	void *cd_addr;
	/* copyout data follows */
};

/* The body of a SYSCALL response, in the client's register_t layout. */
struct sp_sysresp {
	int sr_error;
	long sr_retval[2];
};

/* The body of a FORK handshake request. */
struct sp_forkhs {
	uint32_t fh_auth[SP_AUTHLEN / 4];
	int fh_cancel;
};

void rumphost_sp_hdr_encode(const struct sp_hdr *, uint8_t *);
/* Decode a received header; EINVAL if its length is below SP_HDRLEN. */
int rumphost_sp_hdr_decode(const uint8_t *, struct sp_hdr *);

/* Connection states, as the request checks see them. */
#define SP_ST_NEW	0 /* banner sent, no handshake yet */
#define SP_ST_HANDSHAKE 1 /* handshake being processed */
#define SP_ST_RUNNING	2 /* a process in the rump kernel */
#define SP_ST_DEAD	3 /* disconnected, being torn down */

/* What the server does with a request frame (rumphost_sp_req_check). */
enum sp_action {
	SP_A_VIOLATION = 0, /* disconnect the client */
	SP_A_GUEST,	    /* guest handshake: a new process */
	SP_A_FORK,	    /* fork handshake: adopt a preforked process */
	SP_A_EXEC,	    /* exec handshake */
	SP_A_SYSCALL,
	SP_A_PREFORK
};

/*
 * Decide what a request frame with header h means for a connection in
 * state st (inexec: an exec is in progress), and how long its body may
 * be.  Pure function; everything a client sends first passes through it.
 */
enum sp_action
rumphost_sp_req_check(const struct sp_hdr *h, int st, bool inexec);

/* The kinds of reply a server thread waits for (struct sp_waiter). */
#define SP_WAIT_COPYIN	  0 /* exactly w_cap bytes */
#define SP_WAIT_COPYINSTR 1 /* 1..w_cap bytes */
#define SP_WAIT_ANONMMAP  2 /* one pointer */

/*
 * Check a response frame h against the request it answers (kind and the
 * capacity of the waiting buffer).  Returns the body length to read, or
 * (size_t)-1 if the frame is a protocol violation.  Pure function.
 */
size_t rumphost_sp_resp_check(const struct sp_hdr *h, int kind, size_t cap);

/*
 * The banner the server sends on accept: "RUMPSP-<maj>.<min>-<ostype>-
 * <osrelease>/<machine>\n", cut to fit the client's buffer, always ending
 * in a newline.  Returns its length.
 */
size_t rumphost_sp_banner(char *buf, size_t len, const char *ostype,
    const char *osrelease, const char *machine);

/*
 * Parse a server URL: unix://<path> (relative or absolute) or
 * tcp://<ipv4>:<port>[/].  Fills *ss and *sslen; for unix, a relative
 * path is made absolute against cwd (NULL: leave it relative).  Returns 0
 * or a NetBSD errno.
 */
int rumphost_sp_parseurl(const char *url, const char *cwd,
    struct sockaddr_storage *ss, unsigned *sslen);

/* --- one client connection (sp_client.c) ---------------------------- */

/*
 * A thread waiting for a reply from the client: lives on the waiting
 * thread's stack, linked on its client's c_waiters.  All fields but w_cv
 * are protected by the client's c_mtx.  While w_filling is set the poll
 * thread is writing the reply body straight into w_buf; w_done says it
 * has finished (w_len bytes), or the connection died (c_state DEAD).
 */
struct sp_waiter {
	struct sp_waiter *w_next;
	uint64_t w_reqno;
	int w_kind; /* SP_WAIT_* */
	void *w_buf;
	size_t w_cap;
	size_t w_len;
	bool w_filling;
	bool w_done;
	pthread_cond_t w_cv;
};

struct sp_work;

struct sp_client {
	/* Set before the client is published, then read-only. */
	uint64_t c_id;

	/*
	 * c_mtx protects: c_refs, c_state, c_inexec, c_nsys, c_nctl,
	 * c_nextreq, c_waiters.  c_cv is signalled when c_nsys or c_nctl
	 * drop, and when the client dies.
	 */
	pthread_mutex_t c_mtx;
	pthread_cond_t c_cv;
	unsigned c_refs; /* connection, work items, preforks */
	int c_state;	 /* SP_ST_* */
	bool c_inexec;
	unsigned c_nsys;    /* syscall items queued or running */
	unsigned c_nctl;    /* control items queued or running */
	uint64_t c_nextreq; /* request numbers of server requests */
	struct sp_waiter *c_waiters;

	/*
	 * c_sendmtx serialises whole frames on the socket and protects
	 * c_fd against the close at teardown.  Never taken with c_mtx held.
	 */
	pthread_mutex_t c_sendmtx;
	int c_fd; /* -1 once closed */

	/*
	 * c_ctlmtx serialises the control operations that use the main
	 * lwp (handshakes, prefork, exec, teardown); c_mainlwp and c_pid
	 * are written under it, before the client is RUNNING, and read by
	 * syscall workers afterwards (ordering through c_mtx and c_state).
	 */
	pthread_mutex_t c_ctlmtx;
	struct lwp *c_mainlwp;
	pid_t c_pid;

	/* The poll thread's alone: the frame being read. */
	uint8_t c_rhdrbuf[SP_HDRLEN];
	size_t c_roff;		     /* bytes of this frame read so far */
	struct sp_hdr c_rhdr;	     /* decoded once c_roff >= SP_HDRLEN */
	enum sp_action c_ract;	     /* for a request */
	uint8_t *c_rbody;	     /* request body buffer */
	size_t c_rbodycap;	     /* its size (>= body length) */
	struct sp_waiter *c_rwaiter; /* for a response */
	size_t c_rbodylen;	     /* body length of this frame */

	/* Preallocated at accept so that teardown cannot fail. */
	struct sp_work *c_teardown;
};

struct sp_client *rumphost_sp_client_new(int fd, uint64_t id);
void rumphost_sp_client_ref(struct sp_client *);
/* Drop a reference; the last one frees the client. */
void rumphost_sp_client_rele(struct sp_client *);

/*
 * Send one frame (hdr, then n iovecs of body) under the send lock; the
 * header length is filled in.  Blocks until sent or the connection
 * fails.  Returns 0 or a NetBSD errno (ENOTCONN once closed).
 */
int rumphost_sp_send(
    struct sp_client *, struct sp_hdr *, const struct iovec *, int n);
int rumphost_sp_send_error(struct sp_client *, uint64_t reqno, int err);
int rumphost_sp_send_hsresp(struct sp_client *, uint64_t reqno, int err);
int rumphost_sp_send_sysresp(
    struct sp_client *, uint64_t reqno, int err, const long *retval);

/*
 * The client is gone (called by the poll thread, once): mark it DEAD,
 * wake every waiter and shut the socket down so that blocked senders
 * return.  The fd is closed later, at teardown.
 */
void rumphost_sp_client_kill(struct sp_client *);

/* Teardown's last step: close the socket under the send lock. */
void rumphost_sp_client_close(struct sp_client *);

/*
 * The calling worker thread is serving syscall reqno of client c (or
 * none: c NULL); rumpuser_sp_fini answers that request itself.
 */
void rumphost_sp_set_current(struct sp_client *c, uint64_t reqno);
/* True if rumpuser_sp_fini already answered the current request. */
bool rumphost_sp_current_answered(void);
/*
 * rumpuser_sp_fini's part: if the calling thread serves a syscall of c,
 * answer it (success) now, because the process is about to end.
 */
void rumphost_sp_answer_current(struct sp_client *c);

/* --- the worker pool and request handlers (sp_work.c) ---------------- */

enum sp_workkind {
	SP_WK_GUEST,
	SP_WK_FORK,
	SP_WK_EXEC,
	SP_WK_SYSCALL,
	SP_WK_PREFORK,
	SP_WK_TEARDOWN
};

/*
 * One request for a worker.  Owned by the queue until a worker takes it,
 * then by that worker.  w_body is malloc'd (NULL if no body).
 */
struct sp_work {
	struct sp_work *wk_next;
	enum sp_workkind wk_kind;
	struct sp_client *wk_cl; /* holds a reference */
	struct sp_hdr wk_hdr;
	uint8_t *wk_body;
	size_t wk_blen;
};

int rumphost_sp_work_init(void);
/* Queue a work item (never fails: the item is already allocated). */
void rumphost_sp_work_queue(struct sp_work *);
/* Is the pool still taking work (false once fini began)? */
extern volatile int rumphost_sp_finishing;

#endif /* RUMPHOST_SP_H */
