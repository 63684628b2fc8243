/*
 * rumpuser_iovread/iovwrite: scatter-gather at an offset (the transfer
 * count is the sum of the pieces, empty pieces included) and with
 * RUMPUSER_IOV_NOSEEK (the descriptor's own position advances); a read at
 * the end of the file transfers 0 bytes without an error.
 */
#include "fakekernel.h"
#include "tests.h"

void
t_iov_offset(void)
{
	static char a[5], c[4099], back[5 + 4099], file[6000];
	struct rumpuser_iovec iov[3], riov[2];
	char p[256];
	size_t n, i;
	int fd;

	memcpy(a, "hello", 5);
	for (i = 0; i < sizeof(c); i++)
		c[i] = (char)('a' + i % 26);
	h_path(p, sizeof(p), "iov");
	REQUIRE(HC(rumpuser_open(
		    p, RUMPUSER_OPEN_RDWR | RUMPUSER_OPEN_CREATE, &fd)) == 0);
	iov[0].iov_base = a;
	iov[0].iov_len = sizeof(a);
	iov[1].iov_base = NULL;
	iov[1].iov_len = 0;
	iov[2].iov_base = c;
	iov[2].iov_len = sizeof(c);
	n = 0;
	CHECK_EQ(HC(rumpuser_iovwrite(fd, iov, 3, 1000, &n)), 0);
	CHECK_EQ(n, sizeof(a) + sizeof(c));
	CHECK_EQ(h_file_get(p, 0, file, sizeof(file)), 1000 + 5 + 4099);
	CHECK(memcmp(file + 1000, a, 5) == 0);
	CHECK(memcmp(file + 1005, c, sizeof(c)) == 0);
	for (i = 0; i < 1000; i++)
		if (file[i] != 0)
			break;
	CHECKF(i == 1000, "the hole before offset 1000 is not zeros");

	/* Read back split differently. */
	riov[0].iov_base = back;
	riov[0].iov_len = 3;
	riov[1].iov_base = back + 3;
	riov[1].iov_len = sizeof(back) - 3;
	n = 0;
	CHECK_EQ(HC(rumpuser_iovread(fd, riov, 2, 1000, &n)), 0);
	CHECK_EQ(n, sizeof(back));
	CHECK(memcmp(back, a, 5) == 0 && memcmp(back + 5, c, sizeof(c)) == 0);

	/* At the end: 0 bytes, no error. */
	n = 99;
	CHECK_EQ(HC(rumpuser_iovread(fd, riov, 2, 1000 + 5 + 4099, &n)), 0);
	CHECK_EQ(n, 0);
	CHECK_EQ(HC(rumpuser_close(fd)), 0);
}

void
t_iov_noseek(void)
{
	struct rumpuser_iovec iov;
	char p[256], buf[8];
	size_t n;
	int fd;

	h_path(p, sizeof(p), "seq");
	REQUIRE(HC(rumpuser_open(
		    p, RUMPUSER_OPEN_RDWR | RUMPUSER_OPEN_CREATE, &fd)) == 0);
	iov.iov_base = __extension__(void *)(uintptr_t) "abc";
	iov.iov_len = 3;
	CHECK_EQ(
	    HC(rumpuser_iovwrite(fd, &iov, 1, RUMPUSER_IOV_NOSEEK, &n)), 0);
	CHECK_EQ(n, 3);
	iov.iov_base = __extension__(void *)(uintptr_t) "defg";
	iov.iov_len = 4;
	CHECK_EQ(
	    HC(rumpuser_iovwrite(fd, &iov, 1, RUMPUSER_IOV_NOSEEK, &n)), 0);
	CHECK_EQ(n, 4);
	CHECK_EQ(HC(rumpuser_close(fd)), 0);
	CHECK_EQ(h_file_get(p, 0, buf, sizeof(buf)), 7);
	CHECK(memcmp(buf, "abcdefg", 7) == 0);

	REQUIRE(HC(rumpuser_open(p, RUMPUSER_OPEN_RDONLY, &fd)) == 0);
	iov.iov_base = buf;
	iov.iov_len = 2;
	CHECK_EQ(HC(rumpuser_iovread(fd, &iov, 1, RUMPUSER_IOV_NOSEEK, &n)), 0);
	CHECK(n == 2 && memcmp(buf, "ab", 2) == 0);
	CHECK_EQ(HC(rumpuser_iovread(fd, &iov, 1, RUMPUSER_IOV_NOSEEK, &n)), 0);
	CHECK(n == 2 && memcmp(buf, "cd", 2) == 0);
	CHECK_EQ(HC(rumpuser_close(fd)), 0);
}
