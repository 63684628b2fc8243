/*
 * errno.c: AdrOS errno values into NetBSD's, and the errno calls of the
 * host interface.
 *
 * AdrOS's include/errno.h numbers 1..34 as NetBSD does, then mixes Linux
 * values (EAGAIN 11, ENOSYS 38, EOPNOTSUPP 95...) with a few BSD ones
 * (ETIMEDOUT 60, ECONNRESET 54...).  Its drivers return them negated.
 * AdrOS has no per-thread errno for kernel code, so seterrno records
 * nothing: in-kernel rump clients read return values.
 */
#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "adros.h"

static const struct {
	int a, nb;
} xlat[] = {
    {11, RH_EAGAIN}, {36, RH_ENAMETOOLONG}, {37, RH_ENOLCK}, {38, RH_ENOSYS},
    {39, RH_ENOTEMPTY}, {40, RH_ELOOP}, {42, RH_ENOMSG}, {43, RH_EIDRM},
    {47, RH_EAFNOSUPPORT}, {48, RH_EADDRINUSE}, {54, RH_ECONNRESET},
    {57, RH_ENOTCONN}, {60, RH_ETIMEDOUT}, {61, RH_ECONNREFUSED},
    {75, RH_EOVERFLOW}, {88, RH_ENOTSOCK}, {90, RH_EMSGSIZE},
    {92, RH_ENOPROTOOPT}, {93, RH_EPROTONOSUPPORT}, {95, RH_EOPNOTSUPP},
    {101, RH_ENETUNREACH}, {102, RH_EIO}, /* EFSCK */
};

int
rumphost_adros_errno(int e)
{
	size_t i;

	if (e < 0)
		e = -e;
	if (e == 0)
		return 0;
	if (e <= 34)
		return e;
	for (i = 0; i < sizeof(xlat) / sizeof(xlat[0]); i++)
		if (xlat[i].a == e)
			return xlat[i].nb;
	return RH_EIO;
}

int
rumphost_host_errno(int hosterr)
{

	return rumphost_adros_errno(hosterr);
}

void
rumphost_host_seterrno(int e)
{

	(void)e;
}
