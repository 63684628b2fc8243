/*
 * clock.c: time.  The monotonic clock is the TSC (assumed constant-rate:
 * QEMU's is; real hardware: CPUID invariant TSC), its rate taken from
 * CPUID (leaf 0x15, or the hypervisor timing leaf 0x40000010) when the
 * CPU says it, else calibrated at boot against a reference counter: the
 * HPET's main counter (probed at the PC's default address 0xfed00000,
 * QEMU's; ACPI is not parsed), else PIT channel 2.  The local APIC timer
 * is calibrated against the TSC over the same window.  The wall clock is
 * the CMOS RTC (UTC, as QEMU keeps it) plus monotonic time since a
 * moment the RTC gave, plus a shift that tests may set.
 *
 * Calibration.  Under emulation (and on a loaded host) the virtual CPU
 * can stall between any two instructions, so every reading of the
 * reference is bracketed by two TSC reads and the narrowest of NREADS
 * brackets is kept as a point; points whose bracket is over twice the
 * narrowest are not used.  Rates between points at least half the
 * window apart are computed and their median taken.  The reference is
 * read atomically: one HPET read, or one PIT latch command.
 *
 * Refinement after boot, without blocking anyone: the RTC's update-ended
 * interrupt (IRQ 8, register B UIE) fires at each edge of its second.
 * At the first and last of NEDGES edges the handler takes a bracketed
 * HPET point: their distance (about two seconds) refines the TSC's rate
 * (the monotonic clock changes rate then, continuously: no step).  The
 * handler's TSC reading is the edge seen late by the interrupt latency
 * only (never early), so the earliest of the NEDGES edges, counted back
 * to one second at the refined rate, anchors the wall clock.  Until then
 * the wall clock reads the RTC's boot reading plus half a second (off by
 * at most that); the anchoring steps it once, by under a second.
 * Precision: microseconds on an idle QEMU host; real RTCs end their
 * update cycle up to 2 ms after the second starts.
 */
#include <kern/kernel.h>

#include <rumphost/nberrno.h>

#define PIT_HZ		1193182ULL
#define HPET_BASE	0xfed00000UL
#define CAL_MS		24 /* boot calibration window */
#define NPOINTS		8  /* points over it */
#define NREADS		8  /* bracketed reads per point */
#define NEDGES		3  /* RTC edges the refinement takes */
#define MAX_ADJ		50 /* refined rate accepted within 1/MAX_ADJ */
#define EDGE_TIMEOUT_NS 1500000000ULL

/*
 * The monotonic clock is ns0 + (tsc - tsc0) * mult, mult in ns per tick
 * (32.32 fixed point).  Written once at boot and once by the RTC
 * interrupt (interrupts off, one CPU); readers retry when tc_seq changed
 * under them (odd: a write in progress).
 */
static struct {
	uint64_t tsc0, ns0, mult;
} tc;
static unsigned tc_seq;
static uint64_t tsc_hz; /* as tc.mult */
static int64_t wall_shift;

/*
 * The reference counter, unwrapped into ref_acc ticks of ref_hz: only at
 * boot and in the RTC interrupt (interrupts off).
 */
static volatile uint32_t *hpet;
static uint64_t ref_hz, ref_last, ref_acc;

/*
 * The wall clock is wall_sec0 seconds at monotonic time wall_mono0 (which
 * may be in the future: the boot reading is rounded to the middle of its
 * second).  Written with interrupts off, at boot and once by the RTC
 * interrupt (wall_synced then becomes 1); read with interrupts off.
 */
static int64_t wall_sec0, wall_step;
static uint64_t wall_mono0;
static int wall_synced;

/* RTC edges seen by the interrupt; the HPET points at the first and last. */
struct point {
	uint64_t tsc, ref, w; /* w: the bracket, TSC ticks */
};
static struct {
	uint64_t tsc;
	int64_t sec;
} edges[NEDGES];
static struct point edge_pt[2];
static int nedges;

static uint8_t
cmos(uint8_t reg)
{
	uint64_t fl;
	uint8_t v;

	fl = intr_disable(); /* the index and data ports are one access */
	outb(0x70, reg);
	v = inb(0x71);
	intr_restore(fl);
	return v;
}

static void
cmos_write(uint8_t reg, uint8_t v)
{
	uint64_t fl;

	fl = intr_disable();
	outb(0x70, reg);
	outb(0x71, v);
	intr_restore(fl);
}

/* --- the reference counter --------------------------------------------- */

static int
hpet_probe(void)
{
	volatile uint32_t *h = (volatile uint32_t *)HPET_BASE;
	uint32_t period = h[1]; /* femtoseconds per tick */

	if (period == 0 || period > 100000000U) /* over 100 ns: none */
		return 0;
	h[4] |= 1; /* general configuration: ENABLE_CNF */
	hpet = h;
	ref_hz = 1000000000000000ULL / period;
	return 1;
}

/* One read of the reference, as it counts (low 32 bits, or the PIT's 16). */
static uint32_t
ref_raw(void)
{
	uint8_t lo, hi;

	if (hpet != NULL)
		return hpet[0xf0 / 4];
	outb(0x43, 0x80); /* latch channel 2 */
	lo = inb(0x42);
	hi = inb(0x42);
	return (uint32_t)(hi << 8 | lo);
}

/* Ticks from raw reading a to raw reading b (b later, within a wrap). */
static uint64_t
ref_delta(uint32_t a, uint32_t b)
{

	if (hpet != NULL)
		return (uint32_t)(b - a);
	return (uint16_t)(a - b); /* the PIT counts down */
}

static uint64_t
ref_now(void)
{
	uint32_t r = ref_raw();

	ref_acc += ref_delta((uint32_t)ref_last, r);
	ref_last = r;
	return ref_acc;
}

/* Channel 2 as a free-running rate generator (mode 2, period 65536). */
static void
pit_start(void)
{
	uint8_t g;

	ref_hz = PIT_HZ;
	g = inb(0x61) & ~0x03;
	outb(0x61, g); /* gate off, speaker off */
	outb(0x43, 0xb4);
	outb(0x42, 0);
	outb(0x42, 0);
	outb(0x61, g | 1);
}

/* The narrowest of NREADS bracketed reads of the reference. */
static void
take_point(struct point *p)
{
	uint64_t t0, t1;
	uint32_t r, best_r = 0;
	int i;

	p->w = UINT64_MAX;
	for (i = 0; i < NREADS; i++) {
		t0 = rdtsc();
		r = ref_raw();
		t1 = rdtsc();
		if (t1 - t0 < p->w) {
			p->w = t1 - t0;
			p->tsc = t0 + (t1 - t0) / 2;
			best_r = r;
		}
	}
	p->ref = ref_now() - ref_delta(best_r, (uint32_t)ref_last);
}

/* The same for the APIC timer's count (p->ref: ticks counted down). */
static void
take_apic_point(struct point *p)
{
	uint64_t t0, t1;
	uint32_t c;
	int i;

	p->w = UINT64_MAX;
	for (i = 0; i < NREADS / 2; i++) {
		t0 = rdtsc();
		c = lapic_timer_count();
		t1 = rdtsc();
		if (t1 - t0 < p->w) {
			p->w = t1 - t0;
			p->tsc = t0 + (t1 - t0) / 2;
			p->ref = 0xffffffffU - c;
		}
	}
}

/* --- calibration ---------------------------------------------------------
 */

static uint64_t
median(uint64_t *v, int n)
{
	uint64_t x;
	int i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
			x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * The median over pairs of narrow points at least half the points apart
 * of hz * d(ref) / d(tsc), or, with per_ref, hz * d(tsc) / d(ref); the
 * number of points left out in *out.
 */
static uint64_t
pair_rate(const struct point *p, uint64_t hz, int per_ref, int *out)
{
	uint64_t r[NPOINTS * NPOINTS / 2], minw = UINT64_MAX, dt, dr;
	int i, j, n = 0, narrow[NPOINTS];

	for (i = 0; i < NPOINTS; i++)
		if (p[i].w < minw)
			minw = p[i].w;
	for (i = 0, *out = 0; i < NPOINTS; i++)
		if (!(narrow[i] = p[i].w <= 2 * minw))
			(*out)++;
	for (i = 0; i < NPOINTS; i++)
		for (j = i + NPOINTS / 2; j < NPOINTS; j++) {
			if (!narrow[i] || !narrow[j])
				continue;
			dt = p[j].tsc - p[i].tsc;
			dr = p[j].ref - p[i].ref;
			if (dt == 0 || dr == 0)
				continue;
			r[n++] = per_ref
			    ? (uint64_t)((unsigned __int128)hz * dt / dr)
			    : (uint64_t)((unsigned __int128)hz * dr / dt);
		}
	return n > 0 ? median(r, n) : 0;
}

/* CPUID's word on the TSC's rate, or 0. */
static uint64_t
cpuid_tsc_hz(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	if (r[0] >= 0x15) {
		cpuid(0x15, 0, r); /* TSC/crystal ratio, crystal Hz */
		if (r[0] != 0 && r[1] != 0 && r[2] != 0)
			return (uint64_t)r[2] * r[1] / r[0];
	}
	cpuid(1, 0, r);
	if (!(r[2] & (1U << 31))) /* no hypervisor */
		return 0;
	cpuid(0x40000000, 0, r);
	if (r[0] < 0x40000010)
		return 0;
	cpuid(0x40000010, 0, r); /* kHz */
	return (uint64_t)r[0] * 1000;
}

/* Monotonic ns at TSC reading t, which may precede tc.tsc0 (writers). */
static uint64_t
mono_at(uint64_t t)
{

	return tc.ns0 +
	    (uint64_t)(((__int128)(int64_t)(t - tc.tsc0) * (__int128)tc.mult) >>
		32);
}

/* From now on, the TSC runs at hz, continuing from where it is. */
static void
set_rate(uint64_t hz)
{
	uint64_t now = rdtsc(), ns = tc.tsc0 != 0 ? mono_at(now) : 0;

	__atomic_store_n(&tc_seq, tc_seq + 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	tc.tsc0 = now;
	tc.ns0 = ns;
	tc.mult = (uint64_t)(((unsigned __int128)1000000000ULL << 32) / hz);
	tsc_hz = hz;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&tc_seq, tc_seq + 1, __ATOMIC_RELAXED);
}

/* --- the RTC ----------------------------------------------------------- */

static unsigned
bcd(uint8_t v, int binary)
{

	return binary ? v : (v >> 4) * 10 + (v & 15);
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The RTC's time, seconds since 1970 (a consistent read). */
static int64_t
rtc_read(void)
{
	uint8_t r[6], q[6], b;
	unsigned hour;
	int i, bin;

	do {
		while (cmos(0x0a) & 0x80)
			continue;
		for (i = 0; i < 6; i++)
			r[i] = cmos((uint8_t[]){0, 2, 4, 7, 8, 9}[i]);
		for (i = 0; i < 6; i++)
			q[i] = cmos((uint8_t[]){0, 2, 4, 7, 8, 9}[i]);
	} while (memcmp(r, q, 6) != 0);
	b = cmos(0x0b);
	bin = (b & 4) != 0;
	hour = bcd(r[2] & 0x7f, bin);
	if (!(b & 2) && (r[2] & 0x80))
		hour = (hour % 12) + 12;
	return days_from_civil(
		   2000 + bcd(r[5], bin), bcd(r[4], bin), bcd(r[3], bin)) *
	    86400 +
	    hour * 3600 + bcd(r[1], bin) * 60 + bcd(r[0], bin);
}

/*
 * The last edge: refine the rate (HPET only, within 1/MAX_ADJ of the
 * boot calibration), then anchor the wall clock at the earliest edge
 * (the least delayed), counted to the last edge's second.
 */
static void
wall_refine(void)
{
	struct point *a = &edge_pt[0], *b = &edge_pt[1];
	uint64_t hz, best, t, now;
	int64_t sec = edges[NEDGES - 1].sec, old;
	int k;

	if (hpet != NULL && b->ref > a->ref) {
		hz = (uint64_t)((unsigned __int128)ref_hz * (b->tsc - a->tsc) /
		    (b->ref - a->ref));
		if (hz > tsc_hz - tsc_hz / MAX_ADJ &&
		    hz < tsc_hz + tsc_hz / MAX_ADJ)
			set_rate(hz);
	}
	for (k = 0, best = UINT64_MAX; k < NEDGES; k++) {
		t = edges[k].tsc + (uint64_t)(sec - edges[k].sec) * tsc_hz;
		if (t < best)
			best = t;
	}
	now = mono_at(rdtsc());
	old = wall_sec0 * 1000000000LL + (int64_t)(now - wall_mono0);
	wall_sec0 = sec;
	wall_mono0 = mono_at(best);
	wall_step =
	    wall_sec0 * 1000000000LL + (int64_t)(now - wall_mono0) - old;
	__atomic_store_n(&wall_synced, 1, __ATOMIC_RELEASE);
	cmos_write(0x0b, cmos(0x0b) & ~0x10); /* UIE off */
}

/* IRQ 8: the RTC's update-ended interrupt, at each edge of its second. */
static void
rtc_intr(void *arg)
{
	uint64_t t = rdtsc();

	(void)arg;
	if (!(cmos(0x0c) & 0x10) || nedges == NEDGES) /* C: acknowledge */
		return;
	edges[nedges].tsc = t;
	edges[nedges].sec = rtc_read();
	if (hpet != NULL && (nedges == 0 || nedges == NEDGES - 1))
		take_point(&edge_pt[nedges == 0 ? 0 : 1]);
	else if (hpet != NULL)
		(void)ref_now(); /* keep ref_acc unwrapped */
	if (++nedges == NEDGES)
		wall_refine();
}

void
clock_init(void)
{
	struct point p[NPOINTS], ap[NPOINTS];
	uint64_t start, step, hz, cpuid_hz, ahz, minw;
	int i, out, aout;
	const char *src;

	src = hpet_probe() ? "HPET" : "PIT";
	if (hpet == NULL)
		pit_start();
	start = ref_now();
	step = ref_hz * CAL_MS / 1000 / (NPOINTS - 1);
	lapic_timer_count_start();
	for (i = 0; i < NPOINTS; i++) {
		while (ref_now() - start < i * step)
			continue;
		take_point(&p[i]);
		take_apic_point(&ap[i]);
	}
	hz = pair_rate(p, ref_hz, 1, &out);
	for (i = 1, minw = p[0].w; i < NPOINTS; i++)
		if (p[i].w < minw)
			minw = p[i].w;
	if ((cpuid_hz = cpuid_tsc_hz()) != 0) {
		kprintf("clock: CPUID says TSC %lu kHz (calibration: %lu)\n",
		    (unsigned long)(cpuid_hz / 1000),
		    (unsigned long)(hz / 1000));
		hz = cpuid_hz;
		hpet = NULL; /* no refinement */
	}
	if (hz == 0)
		panic("clock: cannot calibrate the TSC against the %s", src);
	set_rate(hz);
	ahz = pair_rate(ap, hz, 0, &aout);
	lapic_timer_count_stop(ahz);

	/* The RTC's second, taken as its middle; refined at an edge. */
	wall_sec0 = rtc_read() + 1;
	wall_mono0 = clock_mono_ns() + 500000000ULL;
	(void)cmos(0x0c);
	if (kintr_establish_line(8, rtc_intr, NULL) == 0)
		cmos_write(0x0b, cmos(0x0b) | 0x10); /* UIE */
	kprintf("clock: TSC %lu kHz (vs %s, %d/%d points narrow, brackets "
		"from %lu ns), APIC timer %lu kHz, RTC %ld s since 1970\n",
	    (unsigned long)(hz / 1000), src, NPOINTS - out, NPOINTS,
	    (unsigned long)(minw * 1000000000ULL / hz),
	    (unsigned long)(ahz / 1000), (long)wall_sec0 - 1);
}

uint64_t
clock_tsc_hz(void)
{

	return __atomic_load_n(&tsc_hz, __ATOMIC_RELAXED);
}

uint64_t
clock_mono_ns(void)
{
	unsigned s;
	uint64_t t, tsc0, ns0, mult;

	do {
		s = __atomic_load_n(&tc_seq, __ATOMIC_ACQUIRE);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		t = rdtsc();
		tsc0 = tc.tsc0;
		ns0 = tc.ns0;
		mult = tc.mult;
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	} while ((s & 1) || s != __atomic_load_n(&tc_seq, __ATOMIC_ACQUIRE));
	return ns0 + (uint64_t)(((unsigned __int128)(t - tsc0) * mult) >> 32);
}

/*
 * The edge is between the last read of the old second (prev: the moment
 * before it) and the first read of the new one (now: the moment after).
 * UIP (register A) is no proof that the edge is still to come: QEMU
 * latches UIP until its update timer has run, and on a loaded host that
 * timer runs late (tens of ms seen), while the seconds register follows
 * the host's clock exactly; trusting UIP made a late edge look precise.
 * So only the seconds register moves prev, read whatever UIP says; the
 * first reading, which starts the comparison, is taken with UIP clear
 * (a consistent one on a real RTC, which updates during UIP).
 */
int
clock_rtc_edge(int64_t *sec, uint64_t *mono, uint64_t *gap)
{
	uint64_t prev, t, now, end;
	int s0 = -1, s;

	prev = clock_mono_ns();
	end = prev + EDGE_TIMEOUT_NS;
	for (;;) {
		t = clock_mono_ns();
		if (t > end)
			return -1;
		if (s0 < 0 && (cmos(0x0a) & 0x80))
			continue;
		s = cmos(0);
		now = clock_mono_ns();
		if (s0 >= 0 && s != s0)
			break;
		s0 = s;
		prev = t;
	}
	*sec = rtc_read();
	*mono = now;
	*gap = now - prev;
	return 0;
}

int
clock_wall_wait(uint64_t deadline, int64_t *step_ns)
{
	uint64_t now, fl;

	while (!__atomic_load_n(&wall_synced, __ATOMIC_ACQUIRE)) {
		if ((now = clock_mono_ns()) >= deadline)
			return RH_ETIMEDOUT;
		kthread_sleep_until(
		    now + 10000000 < deadline ? now + 10000000 : deadline);
	}
	fl = intr_disable();
	*step_ns = wall_step;
	intr_restore(fl);
	return 0;
}

void
clock_wall(int64_t *sec, long *nsec)
{
	int64_t ns, sec0;
	uint64_t fl, mono0;

	fl = intr_disable();
	sec0 = wall_sec0;
	mono0 = wall_mono0;
	ns = (int64_t)(clock_mono_ns() - mono0);
	intr_restore(fl);
	ns += __atomic_load_n(&wall_shift, __ATOMIC_RELAXED);
	*sec = sec0 + ns / 1000000000;
	*nsec = (long)(ns % 1000000000);
	if (*nsec < 0) {
		*nsec += 1000000000;
		(*sec)--;
	}
}

void
clock_wall_anchor(int64_t *sec, uint64_t *mono)
{
	uint64_t fl;

	fl = intr_disable();
	*sec = wall_sec0;
	*mono = wall_mono0;
	intr_restore(fl);
}

void
clock_wall_shift(int64_t ns)
{

	__atomic_store_n(&wall_shift, ns, __ATOMIC_RELAXED);
}
