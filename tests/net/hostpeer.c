/*
 * hostpeer.c: the Linux-side peer of the virtif test, an ordinary host
 * program (no rump kernel) run inside the test's network namespace.  It
 * speaks the protocol of rnet_server.c over the host's own stack: each
 * TCP client's stream is checked against the generator and answered
 * with a result record; UDP datagrams are checked and echoed; a QUIT
 * request or `idle` seconds without traffic end it.  With "run" it is
 * the client instead, towards a rump kernel that serves (hostclient.c).
 *
 *   hostpeer IDLE_S ADDR...	(IPv4 or IPv6 literals)
 *   hostpeer run STEP...	(tcp,ADDR,MB | udp,ADDR,N | quit,ADDR)
 *
 * Assumes: each ADDR is configured on an interface of the namespace; exit 0
 * when every stream and datagram arrived intact.
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

#define MAXADDR 4

static unsigned long udp_ok, udp_bad, tcp_bad;

static int
listen_on(const char *addr, int type, uint16_t port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		len = sizeof(*sin6);
	} else {
		fprintf(stderr, "hostpeer: bad address %s\n", addr);
		exit(2);
	}
	if ((fd = socket(ss.ss_family, type, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    (type == SOCK_STREAM && listen(fd, 4) == -1)) {
		printf("FAIL hostpeer: socket/bind %s port %u: %s\n", addr,
		    port, strerror(errno));
		exit(1);
	}
	return fd;
}

/* One client: 1 if it asked to quit. */
static int
serve_tcp(int lfd)
{
	int fd, quit = 0;

	if ((fd = accept(lfd, NULL, NULL)) == -1)
		return 0;
	if (rnet_proto_serve_stream(hostpeer_ops(), fd, &quit) != 0)
		tcp_bad++;
	close(fd);
	return quit;
}

static void
serve_udp(int fd)
{
	unsigned char buf[RNET_UDP_MAX];
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	ssize_t n;

	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
	if (n < 4)
		return;
	if (!rnet_proto_datagram_ok(buf, (size_t)n)) {
		udp_bad++;
		return;
	}
	udp_ok++;
	(void)sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, flen);
}

int
main(int argc, char **argv)
{
	struct pollfd pfd[2 * MAXADDR];
	int idle, i, n, quiet = 0, quit = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && strcmp(argv[1], "run") == 0)
		return hostclient_run(argc - 2, argv + 2);
	if (argc < 3 || argc - 2 > MAXADDR) {
		fprintf(stderr,
		    "usage: hostpeer IDLE_S ADDR... | hostpeer run "
		    "STEP...\n");
		return 2;
	}
	idle = atoi(argv[1]);
	for (n = 0, i = 2; i < argc; i++) {
		pfd[n++].fd = listen_on(argv[i], SOCK_STREAM, RNET_PORT_TCP);
		pfd[n++].fd = listen_on(argv[i], SOCK_DGRAM, RNET_PORT_UDP);
	}
	for (i = 0; i < n; i++)
		pfd[i].events = POLLIN;
	printf("ready\n");
	while (!quit && quiet < idle) {
		if (poll(pfd, (nfds_t)n, 1000) <= 0) {
			quiet++;
			continue;
		}
		quiet = 0;
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			if (i % 2 == 1)
				serve_udp(pfd[i].fd);
			else if (serve_tcp(pfd[i].fd))
				quit = 1;
		}
	}
	printf("# hostpeer udp: %lu datagrams intact and echoed, %lu corrupt\n",
	    udp_ok, udp_bad);
	if (!quit)
		printf("FAIL hostpeer: no request for %d s\n", idle);
	else if (udp_bad || tcp_bad)
		printf("FAIL hostpeer: corrupt data received\n");
	else
		printf("hostpeer: pass\n");
	return quit && !udp_bad && !tcp_bad ? 0 : 1;
}
