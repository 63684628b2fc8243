/*
 * hostclient.c: the active side of the virtif test run from Linux, for
 * traffic that starts on the host and ends in the rump kernel (whose
 * rnet_serve() answers): proto.c's client (a TCP transfer of a
 * generated stream whose checksum the rump receiver reports back, a UDP
 * exchange whose echoes are checked byte for byte, the request that
 * ends the server) on a table of the host's socket calls.
 *
 *   hostpeer run STEP...	STEP = tcp,ADDR,MB | udp,ADDR,N | quit,ADDR
 *
 * Assumes: the host's own sockets (run inside the test's network
 * namespace), a peer speaking rnet_server.c's protocol on RNET_PORT_TCP
 * and RNET_PORT_UDP; prints "# " details and "FAIL ..." itself.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rnet.h"

struct haddr {
	struct sockaddr_storage ss;
	socklen_t len;
	const char *name;
};

static int
haddr_parse(const char *s, uint16_t port, struct haddr *a)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;

	memset(a, 0, sizeof(*a));
	a->name = s;
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		a->len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		a->len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

static const char *
fam(const void *p)
{
	const struct haddr *a = p;

	return a->ss.ss_family == AF_INET6 ? "v6" : "v4";
}

static int
hstream(const void *p, int *err)
{
	const struct haddr *a = p;
	int fd;

	*err = 0;
	if ((fd = socket(a->ss.ss_family, SOCK_STREAM, 0)) == -1) {
		printf("FAIL socket: %s\n", strerror(errno));
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) == 0)
		return fd;
	*err = errno;
	close(fd);
	return -1;
}

static int
htransient(int err)
{

	return err == ECONNREFUSED || err == EHOSTUNREACH ||
	    err == ENETUNREACH || err == ETIMEDOUT;
}

/* The address carries the UDP port already (step() chose it). */
static int
hdgram(const void *p)
{
	const struct haddr *a = p;
	int fd;

	if ((fd = socket(a->ss.ss_family, SOCK_DGRAM, 0)) == -1 ||
	    connect(fd, (const struct sockaddr *)&a->ss, a->len) == -1) {
		printf("FAIL udp socket/connect %s: %s\n", a->name,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

static int
hpollin(int fd, int ms)
{
	struct pollfd pfd = {fd, POLLIN, 0};

	return poll(&pfd, 1, ms);
}

static const char *
herrstr(int err)
{

	return strerror(err);
}

static const struct rnet_sockops host_ops = {
    .who = "host ",
    .peer = "rump ",
    .eintr = EINTR,
    .stream = hstream,
    .transient = htransient,
    .dgram = hdgram,
    .read = read,
    .write = write,
    .pollin = hpollin,
    .close = close,
    .fam = fam,
    .errstr = herrstr,
};

const struct rnet_sockops *
hostpeer_ops(void)
{

	return &host_ops;
}

/* One step "what,addr[,n]"; -2 if malformed. */
static int
step(const char *arg)
{
	static char s[128];
	char *what = s, *addr, *num;
	struct haddr a;
	unsigned long n = 0;

	if (strlen(arg) >= sizeof(s))
		return -2;
	strcpy(s, arg);
	if ((addr = strchr(what, ',')) == NULL)
		return -2;
	*addr++ = '\0';
	if ((num = strchr(addr, ',')) != NULL) {
		*num++ = '\0';
		n = strtoul(num, NULL, 10);
	}
	if (haddr_parse(addr,
		strcmp(what, "udp") == 0 ? RNET_PORT_UDP : RNET_PORT_TCP,
		&a) != 0)
		return -2;
	if (strcmp(what, "tcp") == 0)
		return rnet_proto_tcp_send(
		    &host_ops, &a, (uint64_t)n << 20, 0x4c780000 + n);
	if (strcmp(what, "udp") == 0)
		return rnet_proto_udp_run(&host_ops, &a, (unsigned)n);
	if (strcmp(what, "quit") == 0)
		return rnet_proto_quit(&host_ops, &a);
	return -2;
}

int
hostclient_run(int argc, char **argv)
{
	int i, rv;

	for (i = 0; i < argc; i++) {
		if ((rv = step(argv[i])) == -2) {
			fprintf(stderr, "hostpeer: bad step %s\n", argv[i]);
			return 2;
		}
		if (rv != 0) {
			printf("FAIL hostpeer: step %s failed\n", argv[i]);
			return 1;
		}
	}
	printf("hostpeer: pass\n");
	return 0;
}
