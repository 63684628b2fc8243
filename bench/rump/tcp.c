/*
 * tcp.c: TCP inside rump kernels, two ways.
 *
 *   tcp lo      one rump kernel: a server host thread and the client
 *               (main thread) talk over lo0 (127.0.0.1)
 *   tcp shmif   two processes, each its own rump kernel with a shmif
 *               interface on one bus file in $WORKDIR (10.93.0.1 and
 *               .2/24); the child serves, the parent is the client
 *
 * Results: one-byte round trips with TCP_NODELAY (us/op), then 64 MiB
 * (4 MiB over shmif) written in 64 KiB writes and acknowledged by one
 * byte once all was read (ms per pass; bandwidth is size / time).
 * Both ends are rump system calls only: what differs between
 * librumpuser implementations is the cv/mutex/scheduler traffic of the
 * socket buffers and softints (and, over shmif, the bus file's lock and
 * the interface threads' wakeups).
 *
 * Assumes: the rump network components linked in (mk/bench.mk); sockaddr
 * layout of NetBSD (length byte, family byte); shmif as in NetBSD's
 * rump_pub_shmif_create.  The child is ended by its recorded pid if the
 * parent gives up.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>

#include <rump/netconfig.h>
#include <rump/rump.h>
#include <rump/rump_syscalls.h>
#include <rump/rumpdefs.h>
#include <rump/rumpnet_if_pub.h>

#include "../bench.h"

#define RTT_N	 20000UL
#define BW_LO	 (64UL << 20)
#define BW_SHM	 (4UL << 20)
#define WCHUNK	 (64 * 1024)
#define PORT	 5201
#define LO_ADDR	 "127.0.0.1"
#define SRV_ADDR "10.93.0.2"
#define CLI_ADDR "10.93.0.1"

/* NetBSD struct sockaddr_in. */
struct nb_sin {
	uint8_t sin_len;
	uint8_t sin_family;
	uint16_t sin_port;
	uint8_t sin_addr[4];
	uint8_t sin_zero[8];
};

static unsigned long rtt_n, bw_len;

static void
mkaddr(struct nb_sin *a, const char *dotted)
{
	unsigned b[4];

	memset(a, 0, sizeof(*a));
	if (sscanf(dotted, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]) != 4)
		bn_die("bad address %s", dotted);
	a->sin_len = sizeof(*a);
	a->sin_family = RUMP_AF_INET;
	a->sin_port = (uint16_t)((PORT >> 8) | ((PORT & 0xff) << 8));
	for (int i = 0; i < 4; i++)
		a->sin_addr[i] = (uint8_t)b[i];
}

static void
nodelay(int s)
{
	int one = 1;

	if (rump_sys_setsockopt(
		s, RUMP_IPPROTO_TCP, RUMP_TCP_NODELAY, &one, sizeof(one)) == -1)
		bn_die("TCP_NODELAY: errno %d", errno);
}

static void
xfer(int s, void *buf, size_t len, int wr)
{
	ssize_t r;
	size_t done = 0;

	while (done < len) {
		r = wr ? rump_sys_write(s, (char *)buf + done, len - done)
		       : rump_sys_read(s, (char *)buf + done, len - done);
		if (r <= 0)
			bn_die("%s: %zd, errno %d", wr ? "write" : "read", r,
			    errno);
		done += (size_t)r;
	}
}

static int
listener(const char *addr)
{
	struct nb_sin a;
	int s, one = 1, tries;

	mkaddr(&a, addr);
	if ((s = rump_sys_socket(RUMP_AF_INET, RUMP_SOCK_STREAM, 0)) == -1)
		bn_die("socket: errno %d", errno);
	(void)rump_sys_setsockopt(
	    s, RUMP_SOL_SOCKET, RUMP_SO_REUSEADDR, &one, sizeof(one));
	/* A new IPv4 address is tentative (DAD) for a while: retry. */
	for (tries = 0; rump_sys_bind(s, (void *)&a, sizeof(a)) == -1;
	     tries++) {
		if (errno != RUMP_EADDRNOTAVAIL || tries == 200)
			bn_die("bind %s: errno %d", addr, errno);
		usleep(50000);
	}
	if (rump_sys_listen(s, 1) == -1)
		bn_die("listen: errno %d", errno);
	return s;
}

/* Echo rtt_n bytes one at a time, then swallow bw_len and ack. */
static void
serve(int ls)
{
	static char buf[WCHUNK];
	unsigned long i, got;
	ssize_t r;
	int s;

	if ((s = rump_sys_accept(ls, NULL, NULL)) == -1)
		bn_die("accept: errno %d", errno);
	nodelay(s);
	for (i = 0; i < rtt_n; i++) {
		xfer(s, buf, 1, 0);
		xfer(s, buf, 1, 1);
	}
	for (got = 0; got < bw_len; got += (unsigned long)r)
		if ((r = rump_sys_read(s, buf, sizeof(buf))) <= 0)
			bn_die("read: %zd, errno %d", r, errno);
	xfer(s, buf, 1, 1);
	rump_sys_close(s);
}

static void *
server_thread(void *arg)
{

	serve(*(int *)arg);
	return NULL;
}

static void
client(const char *addr, const char *name)
{
	static char buf[WCHUNK];
	char rname[64], bname[64];
	struct nb_sin a;
	unsigned long i, sent;
	double t0;
	int s, tries;

	mkaddr(&a, addr);
	for (tries = 0;; tries++) {
		if ((s = rump_sys_socket(RUMP_AF_INET, RUMP_SOCK_STREAM, 0)) ==
		    -1)
			bn_die("socket: errno %d", errno);
		if (rump_sys_connect(s, (void *)&a, sizeof(a)) == 0)
			break;
		if (tries == 200)
			bn_die("connect %s: errno %d", addr, errno);
		rump_sys_close(s);
		usleep(50000); /* the peer is still booting */
	}
	nodelay(s);
	memset(buf, 0x5a, sizeof(buf));
	snprintf(rname, sizeof(rname), "rump_tcp_rtt_%s", name);
	snprintf(bname, sizeof(bname), "rump_tcp_%lum_%s", bw_len >> 20, name);
	t0 = bn_now();
	for (i = 0; i < rtt_n; i++) {
		xfer(s, buf, 1, 1);
		xfer(s, buf, 1, 0);
	}
	bn_result(rname, "us/op", (bn_now() - t0) / 1e3 / rtt_n, rtt_n);
	t0 = bn_now();
	for (sent = 0; sent < bw_len; sent += WCHUNK)
		xfer(s, buf, WCHUNK, 1);
	xfer(s, buf, 1, 0);
	bn_result(bname, "ms", (bn_now() - t0) / 1e6, 1);
	rump_sys_close(s);
}

static void
netif(const char *bus, const char *addr)
{
	int rv, unit;
	char ifname[16];

	if ((rv = rump_pub_shmif_create(bus, &unit)) != 0)
		bn_die("shmif_create(%s): %d", bus, rv);
	snprintf(ifname, sizeof(ifname), "shmif%d", unit);
	if ((rv = rump_pub_netconfig_ifup(ifname)) != 0)
		bn_die("ifup %s: %d", ifname, rv);
	if ((rv = rump_pub_netconfig_ipv4_ifaddr(
		 ifname, addr, "255.255.255.0")) != 0)
		bn_die("ipv4_ifaddr %s: %d", ifname, rv);
}

static void
run_lo(void)
{
	pthread_t t;
	int ls;

	bw_len = bn_quick() ? BW_LO / 16 : BW_LO;
	if (rump_init() != 0)
		bn_die("rump_init");
	/* lo0 may already be up with its address: errors are fine here. */
	(void)rump_pub_netconfig_ifup("lo0");
	(void)rump_pub_netconfig_ipv4_ifaddr("lo0", LO_ADDR, "255.0.0.0");
	ls = listener(LO_ADDR);
	if (pthread_create(&t, NULL, server_thread, &ls) != 0)
		bn_die("pthread_create");
	client(LO_ADDR, "lo");
	pthread_join(t, NULL);
}

static void
run_shmif(void)
{
	char bus[512];
	const char *wd = getenv("WORKDIR");
	int status, ls, i;
	pid_t pid;

	bw_len = bn_quick() ? BW_SHM / 16 : BW_SHM;
	snprintf(bus, sizeof(bus), "%s/tcpbench.bus.%d", wd ? wd : "/tmp",
	    (int)getpid());
	(void)unlink(bus);
	if ((pid = fork()) == -1)
		bn_die("fork");
	if (pid == 0) {
		if (rump_init() != 0)
			bn_die("rump_init (server)");
		netif(bus, SRV_ADDR);
		ls = listener(SRV_ADDR);
		serve(ls);
		_exit(0);
	}
	if (rump_init() != 0)
		bn_die("rump_init");
	netif(bus, CLI_ADDR);
	client(SRV_ADDR, "shmif");
	for (i = 0; i < 100; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(100000);
	}
	if (i == 100) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	(void)unlink(bus);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		bn_die("server process failed (status %#x)", status);
}

int
main(int argc, char **argv)
{

	rtt_n = bn_iters(RTT_N);
	if (argc == 2 && strcmp(argv[1], "lo") == 0)
		run_lo();
	else if (argc == 2 && strcmp(argv[1], "shmif") == 0)
		run_shmif();
	else
		bn_die("usage: tcp lo|shmif");
	return 0;
}
