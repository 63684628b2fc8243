/*
 * entropy.c: random bytes.  With RDSEED or RDRAND (CPUID), bytes come
 * straight from the CPU's generator (retried; a persistent failure
 * panics).  Without them, the documented fallback: a ChaCha20 generator
 * keyed at boot from TSC jitter (the low bits of rdtsc deltas across
 * port I/O to the PIT and CMOS, 4096 samples hashed into the key) and
 * the RTC; it is re-keyed from its own output after every call (fast key
 * erasure).  The fallback is only as good as the jitter of the machine
 * (under emulation, that of the host): weaker than a hardware source.
 * The generator state is protected by interrupts off.
 */
#include <kern/kernel.h>

static int have_rdseed, have_rdrand;
static uint32_t key[8];
static uint64_t counter;

#define ROTL(a, b) (((a) << (b)) | ((a) >> (32 - (b))))
#define QR(a, b, c, d)                                                         \
	do {                                                                   \
		a += b;                                                        \
		d ^= a;                                                        \
		d = ROTL(d, 16);                                               \
		c += d;                                                        \
		b ^= c;                                                        \
		b = ROTL(b, 12);                                               \
		a += b;                                                        \
		d ^= a;                                                        \
		d = ROTL(d, 8);                                                \
		c += d;                                                        \
		b ^= c;                                                        \
		b = ROTL(b, 7);                                                \
	} while (0)

static void
chacha_block(uint32_t out[16])
{
	uint32_t x[16],
	    in[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
	int i;

	memcpy(in + 4, key, sizeof(key));
	in[12] = (uint32_t)counter;
	in[13] = (uint32_t)(counter >> 32);
	counter++;
	memcpy(x, in, sizeof(x));
	for (i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (i = 0; i < 16; i++)
		out[i] = x[i] + in[i];
}

static int
hw64(uint64_t *v)
{
	int i;
	uint8_t ok;

	for (i = 0; i < 100; i++) {
		if (have_rdseed)
			__asm__ volatile("rdseed %0; setc %1"
					 : "=r"(*v), "=qm"(ok));
		else
			__asm__ volatile("rdrand %0; setc %1"
					 : "=r"(*v), "=qm"(ok));
		if (ok)
			return 1;
	}
	return 0;
}

static void
jitter_seed(void)
{
	uint32_t blk[16];
	uint64_t t, prev = rdtsc();
	int i;

	for (i = 0; i < 4096; i++) {
		(void)inb(i & 1 ? 0x71 : 0x61);
		t = rdtsc();
		key[i % 8] = ROTL(key[i % 8], 5) ^ (uint32_t)(t - prev);
		prev = t;
		if (i % 64 == 63) {
			chacha_block(blk);
			memcpy(key, blk, sizeof(key));
		}
	}
	key[0] ^= (uint32_t)clock_mono_ns();
}

void
entropy_init(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	have_rdrand = (r[2] >> 30) & 1;
	cpuid(0, 0, r);
	if (r[0] >= 7) {
		cpuid(7, 0, r);
		have_rdseed = (r[1] >> 18) & 1;
	}
	if (!have_rdrand && !have_rdseed)
		jitter_seed();
	kprintf("entropy: %s\n", entropy_source());
}

const char *
entropy_source(void)
{

	return have_rdseed ? "RDSEED"
	    : have_rdrand
	    ? "RDRAND"
	    : "ChaCha20 seeded from TSC jitter (no RDRAND/RDSEED)";
}

void
entropy_get(void *buf, size_t len)
{
	uint8_t *p = buf;
	uint32_t blk[16];
	uint64_t v, s;
	size_t n;

	while (len > 0) {
		if (have_rdseed || have_rdrand) {
			if (!hw64(&v) && have_rdseed) {
				have_rdseed = 0; /* RDRAND next time */
				continue;
			}
			if (!have_rdseed && !have_rdrand)
				panic("entropy: the CPU's generator fails");
			n = len < 8 ? len : 8;
			memcpy(p, &v, n);
		} else {
			s = intr_disable();
			chacha_block(blk);
			intr_restore(s);
			n = len < 32 ? len : 32;
			memcpy(p, blk + 8, n);
		}
		p += n;
		len -= n;
	}
	if (!have_rdseed && !have_rdrand) {
		s = intr_disable();
		chacha_block(blk); /* fast key erasure */
		memcpy(key, blk, sizeof(key));
		intr_restore(s);
	}
}
