/*
 * fsdetect.c: which file system an image holds, from its superblock.
 *
 * Pure functions over a buffer holding the image's first bytes (up to
 * NBFS_PROBE_LEN) and the image's total size: no I/O, no allocation,
 * every read bounds-checked against the buffer, so the probe can be
 * fed arbitrary bytes (and fuzzed).  A magic number alone is not
 * trusted: the geometry around it must be sane and the file system must
 * fit in the image, else the result is "damaged" with the reason.
 * Layouts from the on-disk formats: ext2 (superblock at 1024), FFS
 * (UFS1 at 8192 or 0, UFS2 at 65536 or 262144, either byte order), FAT
 * (BPB in sector 0), ISO 9660 and UDF (volume descriptors from 32768),
 * NTFS (boot sector OEM id) and HFS+ (volume header at 1024).
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "nbfs.h"

static int
have(size_t len, size_t off, size_t n)
{
	return off <= len && n <= len - off;
}

static uint32_t
le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[0] << 24;
}

static uint64_t
rd64(const unsigned char *p, int swap)
{
	uint64_t lo = swap ? be32(p + 4) : le32(p);
	uint64_t hi = swap ? be32(p) : le32(p + 4);

	return hi << 32 | lo;
}

static int
pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

static void damaged(struct nbfs_probe *pr, const char *fmt, ...)
    __attribute__((__format__(__printf__, 2, 3)));

static void
damaged(struct nbfs_probe *pr, const char *fmt, ...)
{
	va_list ap;

	pr->damaged = 1;
	va_start(ap, fmt);
	vsnprintf(pr->why, sizeof(pr->why), fmt, ap);
	va_end(ap);
}

static void
fits(struct nbfs_probe *pr, uint64_t imgsize)
{
	if (!pr->damaged && pr->fs_bytes != 0 && imgsize != 0 &&
	    pr->fs_bytes > imgsize)
		damaged(pr,
		    "superblock says %llu bytes but the image has "
		    "only %llu (truncated?)",
		    (unsigned long long)pr->fs_bytes,
		    (unsigned long long)imgsize);
}

/* ext2/3/4: superblock at byte 1024, magic 0xEF53 at +56. */
static int
probe_ext2(const unsigned char *b, size_t len, struct nbfs_probe *pr)
{
	const unsigned char *s;
	uint32_t logbs, blocks, inodes, bpg, ipg, rev, compat, incompat;
	const char *kind;

	if (!have(len, 1024, 1024) || le16(b + 1024 + 56) != 0xEF53)
		return 0;
	s = b + 1024;
	pr->type = NBFS_FS_EXT2;
	inodes = le32(s + 0);
	blocks = le32(s + 4);
	logbs = le32(s + 24);
	bpg = le32(s + 32);
	ipg = le32(s + 40);
	rev = le32(s + 76);
	compat = rev >= 1 ? le32(s + 92) : 0;
	incompat = rev >= 1 ? le32(s + 96) : 0;
	kind = (incompat & 0x2C0) != 0 ? "ext4"
	    : (compat & 0x4)	       ? "ext3"
				       : "ext2";
	snprintf(pr->desc, sizeof(pr->desc), "%s (rev %u, %u-byte blocks)",
	    kind, rev, logbs <= 6 ? 1024u << logbs : 0);
	if (logbs > 6)
		damaged(pr,
		    "ext2 superblock: block size field %u out of "
		    "range",
		    logbs);
	else if (inodes == 0 || blocks == 0 || bpg == 0 || ipg == 0)
		damaged(pr, "ext2 superblock: zero %s",
		    inodes == 0	      ? "inode count"
			: blocks == 0 ? "block count"
			: bpg == 0    ? "blocks per group"
				      : "inodes per group");
	else if (rev > 1)
		damaged(pr, "ext2 superblock: unknown revision %u", rev);
	else
		pr->fs_bytes = (uint64_t)blocks << (10 + logbs);
	return 1;
}

/* FFS: struct fs, fs_magic at +1372, UFS1 or UFS2, either byte order. */
static int
probe_ffs(
    const unsigned char *b, size_t len, uint64_t imgsize, struct nbfs_probe *pr)
{
	static const size_t where[] = {65536, 8192, 0, 262144};
	const unsigned char *s;
	uint32_t m, bsize, fsize;
	uint64_t size;
	size_t i;
	int swap, ufs2;

	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		if (!have(len, where[i], 1376))
			continue;
		s = b + where[i];
		m = le32(s + 1372);
		swap = 0;
		if (m == 0x011954 || m == 0x19540119)
			swap = 0;
		else if (be32(s + 1372) == 0x011954 ||
		    be32(s + 1372) == 0x19540119) {
			swap = 1;
			m = be32(s + 1372);
		} else
			continue;
		ufs2 = m == 0x19540119;
		/* UFS1 lives at 8192 or 0 (UFS2 anywhere: makefs). */
		if (!ufs2 && where[i] != 8192 && where[i] != 0)
			continue;
		pr->type = NBFS_FS_FFS;
		bsize = swap ? be32(s + 48) : le32(s + 48);
		fsize = swap ? be32(s + 52) : le32(s + 52);
		size = ufs2 ? rd64(s + 1080, swap)
			    : (swap ? be32(s + 36) : le32(s + 36));
		snprintf(pr->desc, sizeof(pr->desc),
		    "FFS %s (%s-endian, "
		    "%u-byte blocks, %u-byte fragments)",
		    ufs2 ? "v2" : "v1", swap ? "big" : "little", bsize, fsize);
		if (!pow2(bsize) || bsize < 4096 || bsize > 65536)
			damaged(pr,
			    "FFS superblock: block size %u out of "
			    "range",
			    bsize);
		else if (!pow2(fsize) || fsize < 512 || fsize > bsize ||
		    bsize / fsize > 8)
			damaged(pr,
			    "FFS superblock: fragment size %u does "
			    "not fit block size %u",
			    fsize, bsize);
		else if (size == 0 || size > (UINT64_MAX >> 17))
			damaged(pr,
			    "FFS superblock: file system size %llu "
			    "fragments",
			    (unsigned long long)size);
		else
			pr->fs_bytes = size * fsize;
		/* fs_flags (+1312) FS_DOWAPBL: a log that may be replayed. */
		pr->logged =
		    ((swap ? be32(s + 1312) : le32(s + 1312)) & 0x100) != 0;
		(void)imgsize;
		return 1;
	}
	return 0;
}

/* FAT12/16/32: the BIOS parameter block in sector 0. */
static int
probe_fat(const unsigned char *b, size_t len, struct nbfs_probe *pr)
{
	uint32_t bps, spc, rsvd, nfats, rootent, tot, fatsz, rootsec, data;
	uint32_t clusters;
	int sig, jmp, named;

	if (!have(len, 0, 512))
		return 0;
	sig = b[510] == 0x55 && b[511] == 0xAA;
	jmp = b[0] == 0xEB || b[0] == 0xE9;
	named = memcmp(b + 54, "FAT", 3) == 0 || memcmp(b + 82, "FAT", 3) == 0;
	if (!jmp || !(sig || named))
		return 0;
	bps = le16(b + 11);
	spc = b[13];
	rsvd = le16(b + 14);
	nfats = b[16];
	rootent = le16(b + 17);
	tot = le16(b + 19) != 0 ? le16(b + 19) : le32(b + 32);
	fatsz = le16(b + 22) != 0 ? le16(b + 22) : le32(b + 36);
	/* NTFS and exFAT share the jump and signature, not the BPB. */
	if (memcmp(b + 3, "NTFS    ", 8) == 0 ||
	    memcmp(b + 3, "EXFAT   ", 8) == 0)
		return 0;
	if (!named && (bps == 0 || nfats == 0))
		return 0;
	pr->type = NBFS_FS_MSDOS;
	snprintf(pr->desc, sizeof(pr->desc), "FAT");
	if (bps < 512 || bps > 4096 || !pow2(bps)) {
		damaged(pr, "FAT boot sector: %u bytes per sector", bps);
		return 1;
	}
	if (!pow2(spc) || rsvd == 0 || nfats == 0 || nfats > 4 || fatsz == 0 ||
	    tot == 0) {
		damaged(pr,
		    "FAT boot sector: inconsistent parameters "
		    "(sectors/cluster %u, reserved %u, FATs %u, FAT size %u, "
		    "total %u)",
		    spc, rsvd, nfats, fatsz, tot);
		return 1;
	}
	rootsec = (rootent * 32 + bps - 1) / bps;
	if ((uint64_t)rsvd + (uint64_t)nfats * fatsz + rootsec >= tot) {
		damaged(pr,
		    "FAT boot sector: no room for data (total %u "
		    "sectors)",
		    tot);
		return 1;
	}
	data = tot - (rsvd + nfats * fatsz + rootsec);
	clusters = data / spc;
	snprintf(pr->desc, sizeof(pr->desc),
	    "FAT%d (%u clusters of %u "
	    "bytes)",
	    clusters < 4085	   ? 12
		: clusters < 65525 ? 16
				   : 32,
	    clusters, bps * spc);
	pr->fs_bytes = (uint64_t)tot * bps;
	if (clusters >= 65525 && le16(b + 48) != 0 && le16(b + 48) < rsvd)
		pr->fsinfo_off = (uint64_t)le16(b + 48) * bps;
	return 1;
}

/* ISO 9660 and UDF: volume descriptors in 2048-byte sectors from 16. */
static int
probe_iso_udf(const unsigned char *b, size_t len, struct nbfs_probe *pr)
{
	size_t off;
	int iso = 0, udf = 0;
	uint32_t blocks = 0, bsize = 0;

	for (off = 32768; have(len, off, 2048) && off < 32768 + 64 * 2048;
	     off += 2048) {
		const unsigned char *d = b + off;

		if (memcmp(d + 1, "CD001", 5) == 0) {
			if (d[0] == 1 && !iso) {
				iso = 1;
				blocks = le32(d + 80);
				bsize = le16(d + 128);
			}
			if (d[0] == 255)
				break;
		} else if (memcmp(d + 1, "NSR02", 5) == 0 ||
		    memcmp(d + 1, "NSR03", 5) == 0)
			udf = 1;
		else if (memcmp(d + 1, "BEA01", 5) == 0 ||
		    memcmp(d + 1, "TEA01", 5) == 0 ||
		    memcmp(d + 1, "BOOT2", 5) == 0 ||
		    memcmp(d + 1, "CDW02", 5) == 0)
			continue;
		else
			break;
	}
	if (udf && !iso) {
		pr->type = NBFS_FS_UDF;
		snprintf(pr->desc, sizeof(pr->desc), "UDF");
		return 1;
	}
	if (!iso)
		return 0;
	pr->type = NBFS_FS_CD9660;
	snprintf(pr->desc, sizeof(pr->desc),
	    "ISO 9660%s (%u blocks of %u "
	    "bytes)",
	    udf ? " + UDF bridge" : "", blocks, bsize);
	if (!pow2(bsize) || bsize < 512 || bsize > 2048 || blocks == 0)
		damaged(pr,
		    "ISO 9660 primary volume descriptor: %u blocks "
		    "of %u bytes",
		    blocks, bsize);
	else
		pr->fs_bytes = (uint64_t)blocks * bsize;
	return 1;
}

static int
probe_other(const unsigned char *b, size_t len, struct nbfs_probe *pr)
{
	if (have(len, 0, 512) && memcmp(b + 3, "NTFS    ", 8) == 0) {
		pr->type = NBFS_FS_NTFS;
		snprintf(pr->desc, sizeof(pr->desc), "NTFS");
		return 1;
	}
	if (have(len, 1024, 2) &&
	    (memcmp(b + 1024, "H+", 2) == 0 ||
		memcmp(b + 1024, "HX", 2) == 0)) {
		pr->type = NBFS_FS_HFS;
		snprintf(pr->desc, sizeof(pr->desc), "HFS+");
		return 1;
	}
	return 0;
}

/*
 * Probe buf (the image's first len bytes; the image is imgsize bytes,
 * 0 if unknown).  pr->type is NBFS_FS_NONE if nothing was recognised.
 */
void
nbfs_probe(const unsigned char *buf, size_t len, uint64_t imgsize,
    struct nbfs_probe *pr)
{
	memset(pr, 0, sizeof(*pr));
	if (buf == NULL)
		return;
	if (probe_ext2(buf, len, pr) || probe_ffs(buf, len, imgsize, pr) ||
	    probe_iso_udf(buf, len, pr) || probe_fat(buf, len, pr) ||
	    probe_other(buf, len, pr)) {
		fits(pr, imgsize);
		pr->readonly_only = !nbfs_fstype_writable(pr->type);
		return;
	}
	pr->type = NBFS_FS_NONE;
}

static const struct {
	enum nbfs_fstype t;
	const char *name; /* ours, for -t */
	const char *alias;
	const char *rump; /* NetBSD's MOUNT_* name */
	int writable;
} fstab[] = {
    {NBFS_FS_EXT2, "ext2", "ext2fs", "ext2fs", 1},
    {NBFS_FS_FFS, "ffs", "ufs", "ffs", 1},
    {NBFS_FS_MSDOS, "fat", "msdos", "msdos", 1},
    {NBFS_FS_CD9660, "iso9660", "cd9660", "cd9660", 0},
    {NBFS_FS_UDF, "udf", "udf", "udf", 0},
    {NBFS_FS_NTFS, "ntfs", "ntfs", "ntfs", 0},
    {NBFS_FS_HFS, "hfs", "hfs+", "hfs", 0},
    {NBFS_FS_V7FS, "v7fs", "v7fs", "v7fs", 0},
};

#define NFSTAB (sizeof(fstab) / sizeof(fstab[0]))

/* Other names -t accepts. */
static const struct {
	const char *name;
	enum nbfs_fstype t;
} morenames[] = {
    {"ext3", NBFS_FS_EXT2},
    {"vfat", NBFS_FS_MSDOS},
    {"iso", NBFS_FS_CD9660},
};

enum nbfs_fstype
nbfs_fstype_byname(const char *n)
{
	size_t i;

	for (i = 0; i < NFSTAB; i++)
		if (strcasecmp(n, fstab[i].name) == 0 ||
		    strcasecmp(n, fstab[i].alias) == 0 ||
		    strcasecmp(n, fstab[i].rump) == 0)
			return fstab[i].t;
	for (i = 0; i < sizeof(morenames) / sizeof(morenames[0]); i++)
		if (strcasecmp(n, morenames[i].name) == 0)
			return morenames[i].t;
	return NBFS_FS_NONE;
}

/* Index of type t in fstab, or NFSTAB. */
static size_t
fsent(enum nbfs_fstype t)
{
	size_t i;

	for (i = 0; i < NFSTAB && fstab[i].t != t; i++)
		continue;
	return i;
}

const char *
nbfs_fstype_name(enum nbfs_fstype t)
{
	size_t i = fsent(t);

	return i < NFSTAB ? fstab[i].name : "unknown";
}

const char *
nbfs_fstype_rumpname(enum nbfs_fstype t)
{
	size_t i = fsent(t);

	return i < NFSTAB ? fstab[i].rump : NULL;
}

int
nbfs_fstype_writable(enum nbfs_fstype t)
{
	size_t i = fsent(t);

	return i < NFSTAB ? fstab[i].writable : 0;
}
