/*
 * sp_proto.c: the syscall proxy's wire format, as pure functions: frame
 * header encoding, the checks every received frame passes before the
 * server acts on it or allocates for it, the banner, and URL parsing.
 * Nothing here touches a socket, a lock or the rump kernel, so each
 * function can be fuzzed alone.
 *
 * Assumes the host's byte order and structure layout are the client's
 * (the sysproxy protocol is defined that way), and a libc with
 * inet_pton and snprintf.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include <rumphost/nberrno.h>

#include "sp.h"

_Static_assert(sizeof(struct sp_copydata) == sizeof(size_t) + sizeof(void *),
    "copydata layout");
_Static_assert(sizeof(struct sp_forkhs) == 20, "fork handshake layout");

void
rumphost_sp_hdr_encode(const struct sp_hdr *h, uint8_t *p)
{

	memcpy(p, &h->h_len, 8);
	memcpy(p + 8, &h->h_reqno, 8);
	memcpy(p + 16, &h->h_class, 2);
	memcpy(p + 18, &h->h_type, 2);
	memcpy(p + 20, &h->h_arg, 4);
}

int
rumphost_sp_hdr_decode(const uint8_t *p, struct sp_hdr *h)
{

	memcpy(&h->h_len, p, 8);
	memcpy(&h->h_reqno, p + 8, 8);
	memcpy(&h->h_class, p + 16, 2);
	memcpy(&h->h_type, p + 18, 2);
	memcpy(&h->h_arg, p + 20, 4);
	if (h->h_len < SP_HDRLEN)
		return RH_EINVAL;
	return 0;
}

enum sp_action
rumphost_sp_req_check(const struct sp_hdr *h, int st, bool inexec)
{
	uint64_t blen;

	if (h->h_class != SP_CLASS_REQ || h->h_len < SP_HDRLEN)
		return SP_A_VIOLATION;
	blen = h->h_len - SP_HDRLEN;
	if (blen > SP_MAXREQBODY)
		return SP_A_VIOLATION;

	switch (st) {
	case SP_ST_NEW:
		/* The first request must be a guest or fork handshake. */
		if (h->h_type != SP_T_HANDSHAKE)
			return SP_A_VIOLATION;
		if (h->h_arg == SP_HS_GUEST)
			return SP_A_GUEST;
		if (h->h_arg == SP_HS_FORK && blen == sizeof(struct sp_forkhs))
			return SP_A_FORK;
		return SP_A_VIOLATION;
	case SP_ST_RUNNING:
		/* Nothing but the exec's own reply is due during an exec. */
		if (inexec)
			return SP_A_VIOLATION;
		switch (h->h_type) {
		case SP_T_SYSCALL: return SP_A_SYSCALL;
		case SP_T_PREFORK:
			return blen == 0 ? SP_A_PREFORK : SP_A_VIOLATION;
		case SP_T_HANDSHAKE:
			return h->h_arg == SP_HS_EXEC ? SP_A_EXEC
						      : SP_A_VIOLATION;
		default: return SP_A_VIOLATION;
		}
	default:
		/* A client waits for its handshake's reply: nothing else. */
		return SP_A_VIOLATION;
	}
}

size_t
rumphost_sp_resp_check(const struct sp_hdr *h, int kind, size_t cap)
{
	uint64_t blen;

	if (h->h_class != SP_CLASS_RESP || h->h_len < SP_HDRLEN)
		return (size_t)-1;
	blen = h->h_len - SP_HDRLEN;
	switch (kind) {
	case SP_WAIT_COPYIN:
		/* NetBSD's client answers both copyin kinds as COPYIN. */
		if (h->h_type != SP_T_COPYIN || blen != cap)
			return (size_t)-1;
		return (size_t)blen;
	case SP_WAIT_COPYINSTR:
		if ((h->h_type != SP_T_COPYIN && h->h_type != SP_T_COPYINSTR) ||
		    blen == 0 || blen > cap)
			return (size_t)-1;
		return (size_t)blen;
	case SP_WAIT_ANONMMAP:
		if (h->h_type != SP_T_ANONMMAP || blen != sizeof(void *))
			return (size_t)-1;
		return (size_t)blen;
	default: return (size_t)-1;
	}
}

size_t
rumphost_sp_banner(char *buf, size_t len, const char *ostype,
    const char *osrelease, const char *machine)
{
	int n;

	if (len < 2)
		return 0;
	n = snprintf(buf, len, "RUMPSP-%d.%d-%s-%s/%s\n", SP_PROTOMAJOR,
	    SP_PROTOMINOR, ostype ? ostype : "", osrelease ? osrelease : "",
	    machine ? machine : "");
	if (n < 0)
		n = 0;
	if ((size_t)n >= len) {
		/* Cut, but keep the newline the client looks for. */
		n = (int)len - 1;
		buf[n - 1] = '\n';
		buf[n] = '\0';
	}
	return (size_t)n;
}

static int
parse_unix(const char *path, const char *cwd, struct sockaddr_storage *ss,
    unsigned *sslen)
{
	struct sockaddr_un *su = (struct sockaddr_un *)ss;
	size_t plen = strlen(path), clen;

	if (plen == 0)
		return RH_EINVAL;
	memset(ss, 0, sizeof(*ss));
	su->sun_family = AF_UNIX;
	if (path[0] != '/' && cwd != NULL) {
		clen = strlen(cwd);
		if (clen + 1 + plen >= sizeof(su->sun_path))
			return RH_ENAMETOOLONG;
		memcpy(su->sun_path, cwd, clen);
		su->sun_path[clen] = '/';
		memcpy(su->sun_path + clen + 1, path, plen + 1);
	} else {
		if (plen >= sizeof(su->sun_path))
			return RH_ENAMETOOLONG;
		memcpy(su->sun_path, path, plen + 1);
	}
	*sslen = (unsigned)sizeof(*su);
	return 0;
}

static int
parse_tcp(const char *addr, struct sockaddr_storage *ss, unsigned *sslen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	const char *colon, *p;
	char host[INET_ADDRSTRLEN];
	unsigned long port;
	size_t hlen;

	if ((colon = strchr(addr, ':')) == NULL)
		return RH_EINVAL;
	hlen = (size_t)(colon - addr);
	if (hlen == 0 || hlen >= sizeof(host))
		return RH_EINVAL;
	memcpy(host, addr, hlen);
	host[hlen] = '\0';

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	if (strcmp(host, "*") == 0 || strcmp(host, "0") == 0)
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return RH_EINVAL;

	port = 0;
	for (p = colon + 1; *p >= '0' && *p <= '9'; p++) {
		port = port * 10 + (unsigned long)(*p - '0');
		if (port > 65535)
			return RH_ERANGE;
	}
	if (p == colon + 1 || (*p != '\0' && strcmp(p, "/") != 0))
		return RH_EINVAL;
	sin->sin_port = htons((uint16_t)port);
	*sslen = (unsigned)sizeof(*sin);
	return 0;
}

int
rumphost_sp_parseurl(const char *url, const char *cwd,
    struct sockaddr_storage *ss, unsigned *sslen)
{

	if (url == NULL)
		return RH_EINVAL;
	if (strncmp(url, "unix://", 7) == 0)
		return parse_unix(url + 7, cwd, ss, sslen);
	if (strncmp(url, "tcp://", 6) == 0)
		return parse_tcp(url + 6, ss, sslen);
	return RH_EINVAL;
}
