/*
 * sp_seeds.c: writes the seed corpus of the syscall proxy fuzzer
 * (sp_fuzz.c) into the directory named by its argument: valid client
 * sessions (handshakes, syscalls, prefork and fork, exec, replies to
 * copyin/copyinstr/anonmmap, whole and cut into small reads), protocol
 * violations the server must refuse, and URLs, banners and headers for
 * the pure checks.  The session seeds are 'E' inputs: they state the
 * counters the server must reach, checked when replayed with
 * SP_FUZZ_STRICT set (make check-fuzz-sp).
 *
 * Assumes the host's byte order and layout, as the protocol does; it
 * encodes frames itself rather than with sp_proto.c, so that the two
 * are checked against each other.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp_fuzz.h"

/* The wire constants, restated (hosts/posix/sp.h has them too). */
enum { REQ = 0, RESP = 1, ERR = 2 };
enum {
	T_HS = 0,
	T_SYS = 1,
	T_COPYIN = 2,
	T_COPYINSTR = 3,
	T_MMAP = 6,
	T_PREFORK = 7
};
enum { HS_GUEST = 0, HS_FORK = 2, HS_EXEC = 3 };
enum { W_COPYIN = 0, W_COPYINSTR = 1, W_MMAP = 2 };

struct buf {
	uint8_t b[8192];
	size_t n;
};

static void
put(struct buf *b, const void *p, size_t n)
{

	if (b->n + n > sizeof(b->b)) {
		fprintf(stderr, "sp_seeds: seed too big\n");
		exit(1);
	}
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void
put8(struct buf *b, unsigned v)
{
	uint8_t c = (uint8_t)v;

	put(b, &c, 1);
}

/* One frame: the 24-byte header in host order, then the body. */
static void
frame(struct buf *b, uint64_t reqno, uint16_t class, uint16_t type,
    uint32_t arg, const void *body, size_t blen)
{
	uint64_t len = 24 + blen;

	put(b, &len, 8);
	put(b, &reqno, 8);
	put(b, &class, 2);
	put(b, &type, 2);
	put(b, &arg, 4);
	put(b, body, blen);
}

/* A session op: the wire bytes of w arrive in reads of at most step. */
static void
arrive(struct buf *s, const struct buf *w, size_t step)
{
	size_t off, k;

	for (off = 0; off < w->n; off += k) {
		k = w->n - off < step ? w->n - off : step;
		put8(s, SP_FUZZ_CHUNK);
		put8(s, (unsigned)k);
		put(s, w->b + off, k);
	}
}

static void
waiter(struct buf *s, int kind, unsigned cap)
{

	put8(s, SP_FUZZ_WAITER);
	put8(s, (unsigned)kind);
	put8(s, (cap - 1) & 0xff);
	put8(s, (cap - 1) >> 8);
}

static void
expect(struct buf *s, const unsigned *n)
{
	int i;

	put8(s, 'E');
	for (i = 0; i < SP_FUZZ_NEXPECT; i++)
		put8(s, n[i]);
}

static const char *dir;

static void
save(const char *name, const struct buf *b)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(b->b, 1, b->n, f) != b->n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* guest, two syscalls (one beyond the sysnum limit), prefork, exec. */
static void
seed_basic(const char *name, size_t step)
{
	static const char args[16] = "0123456789abcde";
	unsigned n[SP_FUZZ_NEXPECT] = {[SP_FUZZ_N_GUEST] = 1,
	    [SP_FUZZ_N_EXEC] = 1,
	    [SP_FUZZ_N_SYSCALL] = 3,
	    [SP_FUZZ_N_PREFORK] = 1,
	    [SP_FUZZ_N_RFORK] = 2,
	    [SP_FUZZ_N_KSYSCALL] = 2};
	struct buf s = {.n = 0}, w = {.n = 0};

	expect(&s, n);
	frame(&w, 1, REQ, T_HS, HS_GUEST, "seedcomm", 8);
	frame(&w, 2, REQ, T_SYS, 5, args, sizeof(args));
	frame(&w, 3, REQ, T_SYS, 70000, NULL, 0);
	frame(&w, 4, REQ, T_SYS, 20, NULL, 0);
	frame(&w, 5, REQ, T_PREFORK, 0, NULL, 0);
	frame(&w, 6, REQ, T_HS, HS_EXEC, "newcomm\0", 8);
	arrive(&s, &w, step);
	save(name, &s);
}

/* Replies to a copyin, a copyinstr and an anonmmap. */
static void
seed_replies(void)
{
	static const char data[8] = "ABCDEFG", str[] = "hello";
	void *where = (void *)(uintptr_t)0x7000;
	unsigned n[SP_FUZZ_NEXPECT] = {[SP_FUZZ_N_GUEST] = 1,
	    [SP_FUZZ_N_RFORK] = 1,
	    [SP_FUZZ_N_FILLED] = 3};
	struct buf s = {.n = 0}, w = {.n = 0};

	expect(&s, n);
	frame(&w, 1, REQ, T_HS, HS_GUEST, NULL, 0);
	arrive(&s, &w, 255);
	w.n = 0;
	waiter(&s, W_COPYIN, sizeof(data));
	waiter(&s, W_COPYINSTR, 32);
	waiter(&s, W_MMAP, 8);
	frame(&w, 2, RESP, T_COPYIN, 0, str, sizeof(str));
	frame(&w, 1, RESP, T_COPYIN, 0, data, sizeof(data));
	frame(&w, 3, RESP, T_MMAP, 0, &where, sizeof(where));
	arrive(&s, &w, 5);
	put8(&s, SP_FUZZ_REAP);
	save("replies", &s);
}

/* A prefork, then its child connects with the cookie (or a wrong one). */
static void
seed_fork(const char *name, int good, int cancel)
{
	uint8_t fh[20];
	int32_t c = cancel;
	unsigned n[SP_FUZZ_NEXPECT] = {[SP_FUZZ_N_GUEST] = 1,
	    [SP_FUZZ_N_FORK] = 1,
	    [SP_FUZZ_N_SYSCALL] = 1,
	    [SP_FUZZ_N_PREFORK] = 1,
	    [SP_FUZZ_N_RFORK] = good && !cancel ? 3 : 2,
	    [SP_FUZZ_N_KSYSCALL] = good && !cancel ? 1 : 0,
	    [SP_FUZZ_N_DROP] = 1};
	struct buf s = {.n = 0}, w = {.n = 0};
	int i;

	expect(&s, n);
	frame(&w, 1, REQ, T_HS, HS_GUEST, "parent", 6);
	frame(&w, 2, REQ, T_PREFORK, 0, NULL, 0);
	arrive(&s, &w, 255);
	put8(&s, SP_FUZZ_EOF);
	for (i = 0; i < 16; i++)
		fh[i] = (uint8_t)(good ? i : 0xee);
	memcpy(fh + 16, &c, 4);
	w.n = 0;
	frame(&w, 1, REQ, T_HS, HS_FORK, fh, sizeof(fh));
	/* Refused or cancelled: still waiting, so a syscall is refused. */
	frame(&w, 2, REQ, T_SYS, 3, NULL, 0);
	arrive(&s, &w, 255);
	if (!good || cancel) {
		/* The syscall was a violation: dropped, and not counted. */
		s.b[1 + SP_FUZZ_N_SYSCALL] = 0;
		s.b[1 + SP_FUZZ_N_DROP] = 2;
	}
	save(name, &s);
}

/* More preforks than the server keeps: the last is refused (NOMEM). */
static void
seed_prefork_limit(void)
{
	unsigned n[SP_FUZZ_NEXPECT] = {[SP_FUZZ_N_GUEST] = 1,
	    [SP_FUZZ_N_PREFORK] = 65,
	    [SP_FUZZ_N_RFORK] = 1 + 64};
	struct buf s = {.n = 0}, w = {.n = 0};
	int i;

	expect(&s, n);
	frame(&w, 1, REQ, T_HS, HS_GUEST, NULL, 0);
	for (i = 0; i < 65; i++)
		frame(&w, 2 + (uint64_t)i, REQ, T_PREFORK, 0, NULL, 0);
	arrive(&s, &w, 255);
	save("prefork-limit", &s);
}

/* One violation per connection; each must be dropped, nothing run. */
static void
seed_violations(void)
{
	uint8_t big[4097];
	unsigned n[SP_FUZZ_NEXPECT] = {[SP_FUZZ_N_GUEST] = 1,
	    [SP_FUZZ_N_RFORK] = 1,
	    [SP_FUZZ_N_DROP] = 10};
	struct buf s = {.n = 0}, w = {.n = 0};
	uint64_t shortlen = 23;

	memset(big, 'x', sizeof(big));
	expect(&s, n);
	/* A syscall before any handshake. */
	frame(&w, 1, REQ, T_SYS, 1, NULL, 0);
	arrive(&s, &w, 255);
	/* An ERROR frame. */
	w.n = 0;
	frame(&w, 1, ERR, 0, 0, NULL, 0);
	arrive(&s, &w, 255);
	/* A length below the header's. */
	w.n = 0;
	put(&w, &shortlen, 8);
	put(&w, big, 16);
	arrive(&s, &w, 255);
	/* A handshake body beyond SP_MAXREQBODY (refused at the header). */
	w.n = 0;
	frame(&w, 1, REQ, T_HS, HS_GUEST, big, sizeof(big));
	w.n = 24;
	arrive(&s, &w, 255);
	/* A reply nobody waits for. */
	w.n = 0;
	frame(&w, 7, RESP, T_COPYIN, 0, big, 4);
	arrive(&s, &w, 255);
	/* A fork handshake of the wrong size. */
	w.n = 0;
	frame(&w, 1, REQ, T_HS, HS_FORK, big, 19);
	arrive(&s, &w, 255);
	/* After a guest handshake: a second guest handshake, ... */
	w.n = 0;
	frame(&w, 1, REQ, T_HS, HS_GUEST, NULL, 0);
	frame(&w, 2, REQ, T_HS, HS_GUEST, NULL, 0);
	arrive(&s, &w, 255);
	/* ... a prefork with a body (not yet running: refused anyway), */
	w.n = 0;
	frame(&w, 1, REQ, T_PREFORK, 0, big, 1);
	arrive(&s, &w, 255);
	/* an unknown type, and a request class from the server's set. */
	w.n = 0;
	frame(&w, 1, REQ, 42, 0, NULL, 0);
	arrive(&s, &w, 255);
	w.n = 0;
	frame(&w, 1, REQ, T_COPYIN, 0, NULL, 0);
	arrive(&s, &w, 255);
	save("violations", &s);
}

static void
seed_str(const char *name, int mode, int arg, const char *str, size_t len)
{
	struct buf s = {.n = 0};

	put8(&s, (unsigned)mode);
	put8(&s, (unsigned)arg);
	put(&s, str, len);
	save(name, &s);
}

static void
seed_headers(void)
{
	struct buf s = {.n = 0};

	put8(&s, 'H');
	frame(&s, 1, REQ, T_HS, HS_GUEST, NULL, 0);
	frame(&s, 8, RESP, T_COPYIN, 0, NULL, 0);
	frame(&s, 8191, RESP, T_MMAP, 0, NULL, 0);
	save("headers", &s);
}

int
main(int argc, char **argv)
{
	static const char banner[] = "NetBSD\0"
				     "9.99.1\0"
				     "amd64";

	if (argc != 2) {
		fprintf(stderr, "usage: sp_seeds DIR\n");
		return 2;
	}
	dir = argv[1];
	seed_basic("basic", 255);
	seed_basic("basic-split1", 1);
	seed_basic("basic-split7", 7);
	seed_replies();
	seed_fork("fork", 1, 0);
	seed_fork("fork-badcookie", 0, 0);
	seed_fork("fork-cancel", 1, 1);
	seed_prefork_limit();
	seed_violations();
	seed_headers();
	seed_str("url-unix", 'U', 4, "unix://sock", 11);
	seed_str("url-unix-abs", 'U', 255, "unix:///tmp/rump.sock", 21);
	seed_str("url-tcp", 'U', 255, "tcp://127.0.0.1:12345/", 22);
	seed_str("url-tcp-any", 'U', 0, "tcp://*:0", 9);
	seed_str("banner", 'B', 96, banner, sizeof(banner));
	seed_str("banner-cut", 'B', 12, banner, sizeof(banner));
	return 0;
}
