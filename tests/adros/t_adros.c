/*
 * t_adros.c: unit test of the AdrOS port's work-arounds, on the stand-in:
 * deadline rounding, the slot table, pool reuse after return and after
 * thread_exit, park timing, and bounce-buffered block I/O on a
 * file-backed fake ATA disk and virtio disk.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rumphost/host.h>
#include <rumphost/nberrno.h>

#include "adros.h"
#include "adros_api.h"

static int fails;
#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);    \
			fails++;                                               \
		}                                                              \
	} while (0)

void rumphost_thread_gone(void *slot);
void rumphost_adros_standin_atabusy(int n);
static int gone;
void
rumphost_thread_gone(void *slot)
{
	(void)slot;
	__atomic_add_fetch(&gone, 1, __ATOMIC_RELAXED);
}

static struct rumphost_hthread *mainth;
static volatile int ran;

static void
worker(void *arg)
{
	rumphost_host_tls_set(arg);
	__atomic_add_fetch(&ran, 1, __ATOMIC_RELAXED);
	rumphost_host_unpark(mainth);
}

static void
exiter(void *arg)
{
	rumphost_host_tls_set(arg);
	__atomic_add_fetch(&ran, 1, __ATOMIC_RELAXED);
	rumphost_host_unpark(mainth);
	rumphost_host_thread_exit();
}

static void
waitran(int n)
{
	while (__atomic_load_n(&ran, __ATOMIC_RELAXED) < n)
		rumphost_host_park(rumphost_host_mono_ns() + 100000000);
}

static void
mkdisk(const char *path, size_t len)
{
	FILE *f = fopen(path, "w+");
	size_t i;

	for (i = 0; i < len; i++)
		fputc((int)(i * 7 % 251), f);
	fclose(f);
}

int
main(void)
{
	struct rumphost_host_info hi;
	struct rumphost_iovec iov[2];
	char ata[] = "/tmp/rhadros.ataXXXXXX", vb[] = "/tmp/rhadros.vbXXXXXX";
	unsigned char buf[3000], chk[3000];
	uint64_t t0, sz;
	size_t done;
	int fd, type, i;

	close(mkstemp(ata));
	close(mkstemp(vb));
	mkdisk(ata, 64 * 512);
	mkdisk(vb, 16 * 512);
	setenv("RH_ADROS_ATA0", ata, 1);
	setenv("RH_ADROS_VBLK", vb, 1);
	setenv("RH_ADROS_CMDLINE", "quiet RUMP_VERBOSE=1 foo", 1);
	CHECK(rumphost_host_init(&hi) == 0 && hi.hi_minalign == 16);

	/* deadline rounding: up, never 0 before the deadline, capped */
	CHECK(rumphost_adros_deadline_ms(1000, 1000) == 0);
	CHECK(rumphost_adros_deadline_ms(1000, 1001) == 1);
	CHECK(rumphost_adros_deadline_ms(0, 1000000) == 1);
	CHECK(rumphost_adros_deadline_ms(0, 1000001) == 2);
	CHECK(rumphost_adros_deadline_ms(0, UINT64_MAX) ==
	    RUMPHOST_ADROS_MAXWAIT_MS);

	/* park: never early, despite 10 ms ticks */
	t0 = rumphost_host_mono_ns();
	CHECK(rumphost_host_park(t0 + 3000000) == RH_ETIMEDOUT);
	CHECK(rumphost_host_mono_ns() >= t0 + 3000000);
	mainth = rumphost_host_thread_self();
	rumphost_host_unpark(mainth);
	CHECK(rumphost_host_park(rumphost_host_mono_ns() + 1000000000) == 0);

	/* slot table */
	CHECK(rumphost_host_tls_get() == NULL);
	rumphost_host_tls_set(&hi);
	CHECK(rumphost_host_tls_get() == &hi);

	/* pool: a returned thread and an exited one are both reused */
	CHECK(rumphost_host_thread_create(worker, &i, "w", 0, -1) == 0);
	waitran(1);
	usleep(20000);
	CHECK(gone == 1);
	CHECK(rumphost_host_thread_create(exiter, &i, "e", 0, -1) == 0);
	waitran(2);
	usleep(20000);
	CHECK(gone == 2);
	for (i = 0; i < 20; i++) {
		CHECK(rumphost_host_thread_create(exiter, &fails, "e", 0, -1) ==
		    0);
		waitran(3 + i);
		usleep(2000);
	}
	{
		extern int rumphost_adros_standin_nkthreads(void);
		CHECK(rumphost_adros_standin_nkthreads() <= 2);
	}

	/* getenv from the command line */
	{
		char v[8];
		CHECK(rumphost_host_getenv("RUMP_VERBOSE", v, sizeof(v)) == 0 &&
		    strcmp(v, "1") == 0);
		CHECK(rumphost_host_getenv("RUMP_NONE", v, sizeof(v)) ==
		    RH_ENOENT);
	}

	/* block devices, unaligned and crossing sectors */
	CHECK(rumphost_host_fileinfo("ata0", &sz, &type) == 0 &&
	    sz == 64 * 512 && type == RUMPHOST_FT_BLK);
	CHECK(rumphost_host_fileinfo("ata1", &sz, &type) == RH_ENOENT);
	const char *dn[2] = {"ata0", "vblk0"};
	const char *dp[2] = {ata, vb};
	for (int k = 0; k < 2; k++) {
		FILE *f;

		CHECK(rumphost_host_open(dn[k], RUMPHOST_OPEN_RDWR, &fd) == 0);
		for (i = 0; i < (int)sizeof(buf); i++)
			buf[i] = (unsigned char)(i ^ 0x5a);
		iov[0].iov_base = buf;
		iov[0].iov_len = 1000;
		iov[1].iov_base = buf + 1001; /* odd address */
		iov[1].iov_len = 1999;
		CHECK(rumphost_host_pwritev(fd, iov, 2, 777, &done) == 0 &&
		    done == 2999);
		f = fopen(dp[k], "r");
		fseek(f, 777, SEEK_SET);
		CHECK(fread(chk, 1, 1000, f) == 1000 &&
		    memcmp(chk, buf, 1000) == 0);
		CHECK(fread(chk, 1, 1999, f) == 1999 &&
		    memcmp(chk, buf + 1001, 1999) == 0);
		fclose(f);
		memset(chk, 0, sizeof(chk));
		iov[0].iov_base = chk + 1;
		iov[0].iov_len = 1000;
		CHECK(rumphost_host_preadv(fd, iov, 1, 777, &done) == 0 &&
		    done == 1000 && memcmp(chk + 1, buf, 1000) == 0);
		/* short at the end of the disk */
		iov[0].iov_base = chk;
		iov[0].iov_len = 1024;
		sz = k == 0 ? 64 * 512 : 16 * 512;
		CHECK(rumphost_host_preadv(
			  fd, iov, 1, (int64_t)sz - 100, &done) == 0 &&
		    done == 100);
		CHECK(rumphost_host_fsync(fd) == 0);
		CHECK(rumphost_host_close(fd) == 0);
	}

	/*
	 * A drive busy for a while (AdrOS fails transfers with EIO): the
	 * port retries, so every byte still arrives; a drive that stays
	 * busy gives EIO with nothing moved.
	 */
	CHECK(rumphost_host_open("ata0", RUMPHOST_OPEN_RDWR, &fd) == 0);
	for (i = 0; i < 2048; i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	iov[0].iov_base = buf;
	iov[0].iov_len = 2048;
	rumphost_adros_standin_atabusy(5);
	CHECK(rumphost_host_pwritev(fd, iov, 1, 4096, &done) == 0 &&
	    done == 2048);
	memset(chk, 0, sizeof(chk));
	iov[0].iov_base = chk;
	rumphost_adros_standin_atabusy(3);
	CHECK(rumphost_host_preadv(fd, iov, 1, 4096, &done) == 0 &&
	    done == 2048 && memcmp(chk, buf, 2048) == 0);
	rumphost_adros_standin_atabusy(1000000);
	CHECK(rumphost_host_pwritev(fd, iov, 1, 4096, &done) == RH_EIO &&
	    done == 0);
	rumphost_adros_standin_atabusy(0);
	CHECK(rumphost_host_close(fd) == 0);
	unlink(ata);
	unlink(vb);
	printf("adros unit: %s (%d failures)\n", fails ? "FAIL" : "ok", fails);
	return fails != 0;
}
