/*
 * rnet.h: shared declarations of the rump networking tests (tests/net):
 * the NetBSD socket address layouts the rump kernel expects, the wire
 * protocol between the test peers and the deterministic byte stream
 * whose checksum both ends of a transfer compare.
 *
 * The address layouts are written from NetBSD's sys/netinet/in.h and
 * sys/netinet6/in6.h: both start with a length byte and a one-byte
 * family, unlike Linux's.  Constants come from rump/rumpdefs.h (RUMP_*).
 */

#ifndef RNET_H
#define RNET_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/* NetBSD struct sockaddr_in (16 bytes). */
struct nb_sockaddr_in {
	uint8_t sin_len;
	uint8_t sin_family;
	uint16_t sin_port; /* network order */
	uint8_t sin_addr[4];
	uint8_t sin_zero[8];
};

/* NetBSD struct sockaddr_in6 (28 bytes). */
struct nb_sockaddr_in6 {
	uint8_t sin6_len;
	uint8_t sin6_family;
	uint16_t sin6_port; /* network order */
	uint32_t sin6_flowinfo;
	uint8_t sin6_addr[16];
	uint32_t sin6_scope_id;
};

/* Either kind, with its length. */
struct nb_addr {
	union {
		struct nb_sockaddr_in v4;
		struct nb_sockaddr_in6 v6;
	} u;
	unsigned len;
	int family; /* RUMP_AF_INET or RUMP_AF_INET6 */
};

/* NetBSD errno values the tests react to. */
#define NB_EINTR	 4
#define NB_EAGAIN	 35
#define NB_EADDRNOTAVAIL 49
#define NB_ENETUNREACH	 51
#define NB_EHOSTUNREACH	 65
#define NB_ECONNREFUSED	 61

/* Ports the server side listens on. */
#define RNET_PORT_TCP 5001
#define RNET_PORT_UDP 5002

/*
 * TCP transfer protocol.  The client sends a header (all fields in
 * network order) and then hdr.len bytes of the stream keyed by
 * hdr.seed; the receiver answers with a result record and closes.  A
 * header with kind RNET_QUIT asks the server to exit.
 */
#define RNET_MAGIC 0x524e5431u /* "RNT1" */
#define RNET_DATA  1
#define RNET_QUIT  2

struct rnet_hdr {
	uint32_t magic;
	uint32_t kind;
	uint64_t len;
	uint64_t seed;
};

struct rnet_result {
	uint64_t got;	 /* bytes received */
	uint64_t hash;	 /* FNV-1a 64 of what was received */
	uint64_t bad_at; /* first offset that differed, or ~0 */
};

/*
 * UDP datagram: seq, then payload bytes from the stream keyed by seq.
 * The echo side checks the payload before echoing it; the sender
 * checks the echo.
 */
#define RNET_UDP_MAX 9000

/* The deterministic stream (xorshift64*, 8 bytes per step). */
struct rnet_gen {
	uint64_t s;
	unsigned char buf[8];
	unsigned left;
};
void rnet_gen_init(struct rnet_gen *, uint64_t);
void rnet_gen_fill(struct rnet_gen *, void *, size_t);

/* Incremental FNV-1a 64. */
#define RNET_FNV_INIT 0xcbf29ce484222325ULL
uint64_t rnet_fnv(uint64_t, const void *, size_t);

/* Incremental check of a received stream against the generator. */
struct rnet_check {
	struct rnet_gen gen;
	uint64_t off;
	uint64_t hash;
	uint64_t bad_at;
};
void rnet_check_init(struct rnet_check *, uint64_t);
void rnet_check_feed(struct rnet_check *, const void *, size_t);

uint64_t rnet_hton64(uint64_t);
#define rnet_ntoh64 rnet_hton64

/* Parse "a.b.c.d" or an IPv6 literal into a NetBSD sockaddr. */
int rnet_parse_addr(const char *, uint16_t, struct nb_addr *);

/* CLOCK_MONOTONIC in seconds. */
double rnet_now(void);

/*
 * The socket layer the protocol (proto.c) runs over: the rump kernel's
 * (rnet_client.c) or the host's (hostclient.c).  read, write, close:
 * like POSIX, errno in the layer's numbering.  stream: one try at a TCP
 * socket connected to the address, -1 with the error in *err (0 after
 * a FAIL line of its own); transient: may that error pass while the
 * peer comes up?  dgram: a UDP socket connected to the address's UDP
 * port, -1 after a FAIL line.  pollin: poll(POLLIN) of one fd.
 */
struct rnet_sockops {
	const char *who;  /* report prefix: "" or "host " */
	const char *peer; /* receiver's name prefix: "" or "rump " */
	int eintr;	  /* the layer's EINTR */
	int (*stream)(const void *, int *);
	int (*transient)(int);
	int (*dgram)(const void *);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	int (*pollin)(int, int);
	int (*close)(int);
	const char *(*fam)(const void *); /* "v4" or "v6" */
	const char *(*errstr)(int);
};
int rnet_io_write(const struct rnet_sockops *, int, const void *, size_t);
int rnet_io_read(const struct rnet_sockops *, int, void *, size_t);
int rnet_proto_tcp_send(
    const struct rnet_sockops *, const void *, uint64_t, uint64_t);
int rnet_proto_udp_run(const struct rnet_sockops *, const void *, unsigned);
int rnet_proto_quit(const struct rnet_sockops *, const void *);
/* Receive and check one stream, answer with the result: 0 if intact. */
int rnet_proto_serve_stream(const struct rnet_sockops *, int, int *);
/* Datagram payload as generated for its sequence number? */
int rnet_proto_datagram_ok(const unsigned char *, size_t);

/*
 * The host side (hostclient.c): run steps, an exit status; its socket
 * table, which hostpeer.c's server shares.
 */
int hostclient_run(int, char **);
const struct rnet_sockops *hostpeer_ops(void);

/*
 * The rump side (rnet_*.c, linked with the rump kernel).  Each returns
 * 0 on success and prints "FAIL ..." or details ("# ...") itself.
 */
#ifdef RNET_RUMP
int rnet_socket(int, int, int);
extern const struct rnet_sockops rnet_rump_ops;
int rnet_ping(const struct nb_addr *, unsigned);
int rnet_tcp_send(const struct nb_addr *, uint64_t, uint64_t);
int rnet_udp_echo_run(const struct nb_addr *, unsigned);
int rnet_quit(const struct nb_addr *);
int rnet_serve(int, double);
#endif
#endif /* RNET_H */
