/*
 * rnet.c: a rump kernel with a TCP/IP stack as a test peer.  It checks
 * that the librumpuser mapped into it is the one under test, boots,
 * creates one network interface (a shmif bus file shared with other
 * rump kernels, or a virtif bound to a host tap device), gives it IPv4
 * and optionally IPv6 addresses through rump's netconfig API, and then
 * either serves (rnet_server.c) or runs a list of steps against a
 * peer: ping, tcp (MB), udp (datagrams), quit.
 *
 *   rnet -i shmif:BUS|virt:IF[:LINK] -4 A/P [-6 A6/P] serve [IDLE_S]
 *   rnet -i ... -4 A/P [-6 A6/P] run STEP...
 *	STEP = ping,ADDR,N | tcp,ADDR,MB | udp,ADDR,N | quit,ADDR
 *
 * Protocol of the tests (tests/integration/rumptest.h): exit 0 pass,
 * 1 fail; the last line says why.  Assumes RUMPTEST_LIB names the
 * librumpuser.so.0 that must be loaded.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rump/rump.h>
#include <rump/netconfig.h>
#include <rump/rumpnet_if_pub.h>

#define RNET_RUMP
#include "../integration/rumptest.h"
#include "rnet.h"

static void
usage(void)
{

	fprintf(stderr,
	    "usage: rnet -i shmif:BUS|virt:IF[:LINK] -4 ADDR/PFX "
	    "[-6 ADDR6/PFX] serve [IDLE] | run STEP...\n");
	exit(2);
}

/* "addr/prefix" -> addr (in place) and prefix. */
static int
split_prefix(char *s)
{
	char *slash = strchr(s, '/');

	if (slash == NULL)
		rt_fail("address %s has no /prefix", s);
	*slash = '\0';
	return atoi(slash + 1);
}

/* Create the interface described by spec; its name into ifname. */
static void
make_if(char *spec, char *ifname, size_t len)
{
	char *arg = strchr(spec, ':'), *link;
	int rv, unit;

	if (arg == NULL)
		usage();
	*arg++ = '\0';
	if (strcmp(spec, "shmif") == 0) {
		if ((rv = rump_pub_shmif_create(arg, &unit)) != 0)
			rt_fail("shmif_create(%s) = %d", arg, rv);
		snprintf(ifname, len, "shmif%d", unit);
	} else if (strcmp(spec, "virt") == 0) {
		if ((link = strchr(arg, ':')) != NULL)
			*link++ = '\0';
		snprintf(ifname, len, "%s", arg);
		if ((rv = rump_pub_netconfig_ifcreate(ifname)) != 0)
			rt_fail("ifcreate(%s) = %d", ifname, rv);
		if (link != NULL &&
		    (rv = rump_pub_netconfig_ifsetlinkstr(ifname, link)) != 0)
			rt_fail("ifsetlinkstr(%s, %s) = %d", ifname, link, rv);
	} else
		usage();
	if ((rv = rump_pub_netconfig_ifup(ifname)) != 0)
		rt_fail("ifup(%s) = %d", ifname, rv);
}

static void
config(char *ifspec, char *a4, char *a6)
{
	char ifname[32];
	int p4, p6 = 0, rv;

	make_if(ifspec, ifname, sizeof(ifname));
	p4 = split_prefix(a4);
	if ((rv = rump_pub_netconfig_ipv4_ifaddr_cidr(ifname, a4, p4)) != 0)
		rt_fail("ipv4_ifaddr(%s, %s/%d) = %d", ifname, a4, p4, rv);
	if (a6 != NULL) {
		p6 = split_prefix(a6);
		if ((rv = rump_pub_netconfig_ipv6_ifaddr(ifname, a6, p6)) != 0)
			rt_fail(
			    "ipv6_ifaddr(%s, %s/%d) = %d", ifname, a6, p6, rv);
	}
	rt_info("%s: %s/%d%s%s", ifname, a4, p4, a6 ? ", " : "", a6 ? a6 : "");
}

/* One step "what,addr[,n]". */
static int
step(char *s)
{
	char *what = s, *addr, *num;
	struct nb_addr a;
	unsigned long n = 0;

	if ((addr = strchr(what, ',')) == NULL)
		usage();
	*addr++ = '\0';
	if ((num = strchr(addr, ',')) != NULL) {
		*num++ = '\0';
		n = strtoul(num, NULL, 10);
	}
	if (rnet_parse_addr(addr, RNET_PORT_TCP, &a) != 0)
		rt_fail("bad address %s", addr);
	if (strcmp(what, "ping") == 0)
		return rnet_ping(&a, (unsigned)n);
	if (strcmp(what, "tcp") == 0)
		return rnet_tcp_send(&a, (uint64_t)n << 20, 0x5eed0000 + n);
	if (strcmp(what, "udp") == 0)
		return rnet_udp_echo_run(&a, (unsigned)n);
	if (strcmp(what, "quit") == 0)
		return rnet_quit(&a);
	usage();
	return -1;
}

int
main(int argc, char **argv)
{
	char *ifspec = NULL, *a4 = NULL, *a6 = NULL;
	int ch, i;

	while ((ch = getopt(argc, argv, "i:4:6:")) != -1) {
		switch (ch) {
		case 'i': ifspec = optarg; break;
		case '4': a4 = optarg; break;
		case '6': a6 = optarg; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (ifspec == NULL || a4 == NULL || argc < 1)
		usage();
	rt_begin("rnet");
	rt_boot();
	config(ifspec, a4, a6);
	if (strcmp(argv[0], "serve") == 0) {
		if (rnet_serve(a6 != NULL, argc > 1 ? atof(argv[1]) : 120) != 0)
			rt_fail("server failed");
		rt_pass();
	}
	if (strcmp(argv[0], "run") != 0)
		usage();
	for (i = 1; i < argc; i++)
		if (step(argv[i]) != 0)
			rt_fail("step %s failed", argv[i]);
	rt_pass();
}
