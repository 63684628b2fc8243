/*
 * rumptest.h: shared helpers for the real-rump-kernel tier, and the few
 * NetBSD (amd64/LP64) ABI layouts the tests pass through rump syscalls.
 *
 * The layouts are written from NetBSD's sys/sys/stat.h, sys/sys/dirent.h
 * and sys/fs/tmpfs/tmpfs_args.h; they assume an LP64 host, where NetBSD's
 * long, pointers and time_t are 64 bits, as on amd64 and aarch64.
 *
 * Protocol of every test program: exit 0 = pass, 77 = skip, anything
 * else = fail; the last line of output says why.  Lines starting "# "
 * are details that run.sh repeats under the result line.
 */

#ifndef RUMPTEST_H
#define RUMPTEST_H

#include <stddef.h>
#include <stdint.h>

#define RT_SKIP		77

/* File types in a mode word (st_mode). */
#define NB_S_IFMT	0170000
#define NB_S_IFDIR	0040000
#define NB_S_IFREG	0100000
#define NB_S_IFLNK	0120000

/* d_type values in a directory entry. */
#define NB_DT_UNKNOWN	0
#define NB_DT_DIR	4
#define NB_DT_REG	8
#define NB_DT_LNK	10

/*
 * rump_sys_*() leave NetBSD's errno values in errno; these differ from
 * Linux's above 34 (EEXIST, ENOENT, EBADF and the like are the same).
 */
#define NB_ENOTEMPTY	66

struct nb_timespec {
	int64_t		tv_sec;
	long		tv_nsec;
};

/* struct stat as returned by __stat50 and friends. */
struct nb_stat {
	uint64_t	st_dev;
	uint32_t	st_mode;
	uint64_t	st_ino;
	uint32_t	st_nlink;
	uint32_t	st_uid;
	uint32_t	st_gid;
	uint64_t	st_rdev;
	struct nb_timespec st_atim;
	struct nb_timespec st_mtim;
	struct nb_timespec st_ctim;
	struct nb_timespec st_birthtim;
	int64_t		st_size;
	int64_t		st_blocks;
	uint32_t	st_blksize;
	uint32_t	st_flags;
	uint32_t	st_gen;
	uint32_t	st_spare[2];
};

/*
 * Head of one getdents record; d_name follows, NUL-terminated, and
 * d_reclen covers the whole (padded) record.
 */
struct nb_dirent {
	uint64_t	d_fileno;
	uint16_t	d_reclen;
	uint16_t	d_namlen;
	uint8_t		d_type;
	char		d_name[512];
};

#define NB_TMPFS_ARGS_VERSION	1

struct nb_tmpfs_args {
	int		ta_version;
	uint64_t	ta_nodes_max;	/* ino_t */
	int64_t		ta_size_max;	/* off_t */
	uint32_t	ta_root_uid;
	uint32_t	ta_root_gid;
	uint32_t	ta_root_mode;
};

/* Generic prototypes: tests pass NetBSD layouts to rump_sys_*(). */
#define RT_STAT(p)	((struct stat *)(void *)(p))

/*
 * Setup and verdicts.  rt_begin() checks that the librumpuser.so.0
 * mapped into this process is the one run.sh said to test
 * ($RUMPTEST_LIB) and boots nothing; rt_boot() calls rump_init().
 */
void	rt_begin(const char *);
void	rt_boot(void);
void	rt_info(const char *, ...) __attribute__((__format__(__printf__, 1, 2)));
void	rt_fail(const char *, ...)
	    __attribute__((__noreturn__, __format__(__printf__, 1, 2)));
void	rt_skip(const char *, ...)
	    __attribute__((__noreturn__, __format__(__printf__, 1, 2)));
void	rt_pass(void) __attribute__((__noreturn__));

/* Host-side helpers. */
const char *rt_workdir(void);
char	*rt_path(const char *, ...) __attribute__((__format__(__printf__, 1, 2)));
int	rt_have_tool(const char *);
int	rt_system(const char *, ...) __attribute__((__format__(__printf__, 1, 2)));
void	*rt_xmalloc(size_t);
double	rt_now(void);
unsigned long rt_env_ulong(const char *, unsigned long);

/* Deterministic content: xorshift64* keyed by seed. */
struct rt_prng {
	uint64_t	s;
};
void	rt_prng_seed(struct rt_prng *, uint64_t);
uint64_t rt_prng_next(struct rt_prng *);
void	rt_prng_fill(struct rt_prng *, void *, size_t);

/* Make an ext2 image of size_mb MiB from tree (NULL: empty). */
void	rt_mkext2(const char *, const char *, unsigned);

#endif /* RUMPTEST_H */
