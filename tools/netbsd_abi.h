/*
 * netbsd_abi.h: the NetBSD (LP64: amd64, aarch64) ABI layouts and
 * constants that host programs pass through rump_sys_*() calls: struct
 * stat, getdents records, struct statvfs and the mount argument blocks
 * of the file systems rumphost's tools and tests mount.
 *
 * Written from NetBSD's sys/sys/stat.h, sys/sys/dirent.h,
 * sys/sys/statvfs.h, sys/sys/mount.h, sys/sys/ucred.h, sys/sys/fcntl.h,
 * sys/ufs/ufs/ufsmount.h, sys/fs/msdosfs/msdosfsmount.h,
 * sys/fs/cd9660/cd9660_mount.h and sys/fs/tmpfs/tmpfs_args.h.  Assumes
 * an LP64 host, where NetBSD's long, pointers and time_t are 64 bits;
 * the static assertions at the end hold the sizes to NetBSD's.
 */

#ifndef NETBSD_ABI_H
#define NETBSD_ABI_H

#include <stddef.h>
#include <stdint.h>

/* File types and permission bits in a mode word (st_mode). */
#define NB_S_IFMT   0170000
#define NB_S_IFIFO  0010000
#define NB_S_IFCHR  0020000
#define NB_S_IFDIR  0040000
#define NB_S_IFBLK  0060000
#define NB_S_IFREG  0100000
#define NB_S_IFLNK  0120000
#define NB_S_IFSOCK 0140000

/* d_type values in a directory entry. */
#define NB_DT_UNKNOWN 0
#define NB_DT_FIFO    1
#define NB_DT_CHR     2
#define NB_DT_DIR     4
#define NB_DT_BLK     6
#define NB_DT_REG     8
#define NB_DT_LNK     10
#define NB_DT_SOCK    12

/*
 * rump_sys_*() leave NetBSD's errno values in errno; these differ from
 * Linux's above 34 (EEXIST, ENOENT, EBADF and the like are the same).
 * rump/rumpdefs.h has the full list as RUMP_E*.
 */
#define NB_ENOTEMPTY 66

struct nb_timespec {
	int64_t tv_sec;
	long tv_nsec;
};

/* struct stat as returned by __stat50 and friends. */
struct nb_stat {
	uint64_t st_dev;
	uint32_t st_mode;
	uint64_t st_ino;
	uint32_t st_nlink;
	uint32_t st_uid;
	uint32_t st_gid;
	uint64_t st_rdev;
	struct nb_timespec st_atim;
	struct nb_timespec st_mtim;
	struct nb_timespec st_ctim;
	struct nb_timespec st_birthtim;
	int64_t st_size;
	int64_t st_blocks;
	uint32_t st_blksize;
	uint32_t st_flags;
	uint32_t st_gen;
	uint32_t st_spare[2];
};

/*
 * Head of one getdents record; d_name follows, NUL-terminated, and
 * d_reclen covers the whole (padded) record.
 */
struct nb_dirent {
	uint64_t d_fileno;
	uint16_t d_reclen;
	uint16_t d_namlen;
	uint8_t d_type;
	char d_name[512];
};

/* struct statvfs (statvfs1, fstatvfs1); flags ST_WAIT / ST_NOWAIT. */
#define NB_ST_WAIT   1
#define NB_ST_NOWAIT 2
#define NB_ST_RDONLY 0x00000001

struct nb_statvfs {
	unsigned long f_flag;
	unsigned long f_bsize;
	unsigned long f_frsize;
	unsigned long f_iosize;
	uint64_t f_blocks;
	uint64_t f_bfree;
	uint64_t f_bavail;
	uint64_t f_bresvd;
	uint64_t f_files;
	uint64_t f_ffree;
	uint64_t f_favail;
	uint64_t f_fresvd;
	uint64_t f_syncreads;
	uint64_t f_syncwrites;
	uint64_t f_asyncreads;
	uint64_t f_asyncwrites;
	int32_t f_fsidx[2];
	unsigned long f_fsid;
	unsigned long f_namemax;
	uint32_t f_owner;
	uint32_t f_spare[4];
	char f_fstypename[32];
	char f_mntonname[1024];
	char f_mntfromname[1024];
};

/* *at() calls and utimensat. */
#define NB_AT_FDCWD	       (-100)
#define NB_AT_SYMLINK_NOFOLLOW 0x200
#define NB_UTIME_NOW	       ((1L << 30) - 1)
#define NB_UTIME_OMIT	       ((1L << 30) - 2)

/* struct timeval for utimes/lutimes. */
struct nb_timeval {
	int64_t tv_sec;
	int32_t tv_usec;
};

/* The old export block that some mount argument structures embed. */
struct nb_uucred {
	unsigned short cr_unused;
	uint32_t cr_uid;
	uint32_t cr_gid;
	short cr_ngroups;
	uint32_t cr_groups[16];
};

struct nb_export_args30 {
	int ex_flags;
	uint32_t ex_root;
	struct nb_uucred ex_anon;
	void *ex_addr;
	int ex_addrlen;
	void *ex_mask;
	int ex_masklen;
	char *ex_indexfile;
};

/* ffs, ext2fs (and others): struct ufs_args. */
struct nb_ufs_args {
	char *fspec;
};

#define NB_MSDOSFSMNT_VERSION	3
#define NB_MSDOSFSMNT_SHORTNAME 1
#define NB_MSDOSFSMNT_LONGNAME	2
#define NB_MSDOSFSMNT_NOWIN95	4
#define NB_MSDOSFSMNT_VERSIONED 16
#define NB_MSDOSFSMNT_UTF8	32

struct nb_msdosfs_args {
	char *fspec;
	struct nb_export_args30 _pad1;
	uint32_t uid;
	uint32_t gid;
	uint32_t mask;
	int flags;
	int version;
	uint32_t dirmask;
	int gmtoff;
};

#define NB_ISOFSMNT_NORRIP	0x00000001
#define NB_ISOFSMNT_GENS	0x00000002
#define NB_ISOFSMNT_EXTATT	0x00000004
#define NB_ISOFSMNT_NOJOLIET	0x00000008
#define NB_ISOFSMNT_NOCASETRANS 0x00000010

struct nb_iso_args {
	const char *fspec;
	struct nb_export_args30 _pad1;
	int flags;
};

#define NB_TMPFS_ARGS_VERSION 1

struct nb_tmpfs_args {
	int ta_version;
	uint64_t ta_nodes_max; /* ino_t */
	int64_t ta_size_max;   /* off_t */
	uint32_t ta_root_uid;
	uint32_t ta_root_gid;
	uint32_t ta_root_mode;
};

#if defined(__LP64__)
_Static_assert(sizeof(struct nb_stat) == 152, "NetBSD struct stat");
_Static_assert(sizeof(struct nb_statvfs) == 2256, "NetBSD struct statvfs");
_Static_assert(
    sizeof(struct nb_export_args30) == 128, "NetBSD struct export_args30");
_Static_assert(
    offsetof(struct nb_msdosfs_args, uid) == 136, "NetBSD struct msdosfs_args");
_Static_assert(
    offsetof(struct nb_iso_args, flags) == 136, "NetBSD struct iso_args");
#endif

#endif /* NETBSD_ABI_H */
