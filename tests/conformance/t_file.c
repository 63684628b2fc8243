/*
 * rumpuser_open/close/getfileinfo on the host namespace (the POSIX
 * harness's scratch directory).  Assumes names are host paths, as every
 * POSIX implementation has them; the open flags CREATE, EXCL and the access
 * modes are honoured, a write through a RDONLY descriptor is refused;
 * getfileinfo gives type and size of a file, a directory and (when one can
 * be opened here) a block device; an open that blocks (a FIFO waiting for
 * its other end) releases the CPU.
 */
#include "fakekernel.h"
#include "tests.h"
#include "tolerance.h"

void
t_file_open_flags(void)
{
	char p[256], data[16];
	struct rumpuser_iovec iov;
	size_t n;
	int fd, fd2, rv;

	h_path(p, sizeof(p), "f");
	rv = HC(rumpuser_open(p, RUMPUSER_OPEN_RDWR, &fd));
	CHECKF(rv == 2, "open(missing, RDWR) = %d, want ENOENT (2)", rv);
	rv = HC(
	    rumpuser_open(p, RUMPUSER_OPEN_RDWR | RUMPUSER_OPEN_CREATE, &fd));
	REQUIREF(rv == 0, "open(CREATE) = %d", rv);
	CHECK(h_exists(p));
	rv = HC(rumpuser_open(p,
	    RUMPUSER_OPEN_RDWR | RUMPUSER_OPEN_CREATE | RUMPUSER_OPEN_EXCL,
	    &fd2));
	CHECKF(
	    rv == 17, "open(existing, CREATE|EXCL) = %d, want EEXIST (17)", rv);
	if (rv == 0)
		rumpuser_close(fd2);
	CHECK_EQ(HC(rumpuser_close(fd)), 0);

	/* RDONLY: reads work, writes are refused and change nothing. */
	REQUIRE(h_file_put(p, "0123456789", 10));
	REQUIRE(HC(rumpuser_open(p, RUMPUSER_OPEN_RDONLY, &fd)) == 0);
	iov.iov_base = data;
	iov.iov_len = 4;
	n = 0;
	CHECK_EQ(HC(rumpuser_iovread(fd, &iov, 1, 2, &n)), 0);
	CHECK_EQ(n, 4);
	CHECK(memcmp(data, "2345", 4) == 0);
	memcpy(data, "XXXX", 4);
	n = 0;
	rv = HC(rumpuser_iovwrite(fd, &iov, 1, 0, &n));
	CHECKF(rv == 9, "write on RDONLY = %d, want EBADF (9)", rv);
	CHECK_EQ(HC(rumpuser_close(fd)), 0);
	CHECK_EQ(h_file_get(p, 0, data, 10), 10);
	CHECK(memcmp(data, "0123456789", 10) == 0);

	/* WRONLY: reads are refused. */
	REQUIRE(HC(rumpuser_open(p, RUMPUSER_OPEN_WRONLY, &fd)) == 0);
	rv = HC(rumpuser_iovread(fd, &iov, 1, 0, &n));
	CHECKF(rv == 9, "read on WRONLY = %d, want EBADF (9)", rv);
	CHECK_EQ(HC(rumpuser_close(fd)), 0);
}

void
t_file_info(void)
{
	static char data[12345];
	char p[256];
	uint64_t size;
	int type, rv;

	h_path(p, sizeof(p), "reg");
	REQUIRE(h_file_put(p, data, sizeof(data)));
	size = 0;
	type = -1;
	CHECK_EQ(HC(rumpuser_getfileinfo(p, &size, &type)), 0);
	CHECK_EQ(size, sizeof(data));
	CHECK_EQ(type, RUMPUSER_FT_REG);
	/* Either pointer may be NULL. */
	CHECK_EQ(HC(rumpuser_getfileinfo(p, NULL, &type)), 0);
	CHECK_EQ(HC(rumpuser_getfileinfo(p, &size, NULL)), 0);

	type = -1;
	CHECK_EQ(HC(rumpuser_getfileinfo(h_scratch(), NULL, &type)), 0);
	CHECK_EQ(type, RUMPUSER_FT_DIR);

	h_path(p, sizeof(p), "missing");
	rv = HC(rumpuser_getfileinfo(p, &size, &type));
	CHECKF(rv == 2, "getfileinfo(missing) = %d, want ENOENT (2)", rv);

	type = -1;
	CHECK_EQ(HC(rumpuser_getfileinfo("/dev/null", NULL, &type)), 0);
	CHECK_EQ(type, RUMPUSER_FT_CHR);
}

void
t_file_info_blk(void)
{
	uint64_t hsize, size = 0;
	const char *bd;
	int type = -1, rv;

	if ((bd = h_blockdev(&hsize)) == NULL)
		t_skip("no block device with a size can be opened here");
	rv = HC(rumpuser_getfileinfo(bd, &size, &type));
	CHECKF(rv == 0, "getfileinfo(%s) = %d", bd, rv);
	CHECK_EQ(type, RUMPUSER_FT_BLK);
	CHECKF(size == hsize, "%s: size %llu, host says %llu", bd,
	    (unsigned long long)size, (unsigned long long)hsize);
}

struct fifo {
	char path[256];
	int opened;
	int rv;
};

static void
fifo_reader(void *arg)
{
	struct fifo *f = arg;
	int fd;

	f->rv = HC(rumpuser_open(f->path, RUMPUSER_OPEN_RDONLY, &fd));
	if (f->rv == 0)
		rumpuser_close(fd);
	__atomic_store_n(&f->opened, 1, __ATOMIC_SEQ_CST);
}

/* NCPU=1: the reader's open blocks until we open the other end. */
void
t_file_open_blocks(void)
{
	struct fk_thread *t;
	struct fifo f;
	int fd;

	memset(&f, 0, sizeof(f));
	h_path(f.path, sizeof(f.path), "fifo");
	if (!h_mkfifo(f.path))
		t_skip("no FIFOs here");
	t = fk_spawn("reader", fifo_reader, &f);
	CHECK(fk_settle(fk_pred_blocked, t));
	CHECK_EQ(HC(rumpuser_open(f.path, RUMPUSER_OPEN_WRONLY, &fd)), 0);
	fk_join(t);
	CHECK_EQ(f.rv, 0);
	rumpuser_close(fd);
}
