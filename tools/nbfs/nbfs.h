/*
 * nbfs.h: what the parts of nbfs (NetBSD file systems on images) share.
 * nbfs runs a NetBSD rump kernel in-process over rumphost's
 * librumpuser.so.0, mounts one image in it at NBFS_MNT and works on it
 * with rump_sys_*() calls.
 */

#ifndef NBFS_H
#define NBFS_H

#include <signal.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../netbsd_abi.h"

#define NBFS_MNT   "/mnt"
#define NBFS_FSPEC "/nbfs.img"

/* Exit codes: 0 ok, 1 an operation failed, 2 usage, 128+sig if signalled. */
#define NBFS_EX_OK    0
#define NBFS_EX_FAIL  1
#define NBFS_EX_USAGE 2

/* fsdetect.c: pure superblock probing over a buffer. */
enum nbfs_fstype {
	NBFS_FS_NONE = 0,
	NBFS_FS_EXT2,
	NBFS_FS_FFS,
	NBFS_FS_MSDOS,
	NBFS_FS_CD9660,
	NBFS_FS_UDF,
	NBFS_FS_NTFS,
	NBFS_FS_HFS,
	NBFS_FS_V7FS,
};

/* How many leading bytes of an image the probe wants to see. */
#define NBFS_PROBE_LEN (256 * 1024 + 8192)

struct nbfs_probe {
	enum nbfs_fstype type;
	int damaged;	     /* recognised, but inconsistent */
	int readonly_only;   /* nbfs will not write this kind */
	int logged;	     /* FFS with a WAPBL log (FS_DOWAPBL) */
	uint64_t fs_bytes;   /* size the superblock claims, 0 unknown */
	uint64_t fsinfo_off; /* FAT32: byte offset of FSInfo, or 0 */
	char desc[128];	     /* "ext2 (rev 1, 4096-byte blocks)" */
	char why[160];	     /* what is wrong when damaged */
};

void nbfs_probe(const unsigned char *, size_t, uint64_t, struct nbfs_probe *);
enum nbfs_fstype nbfs_fstype_byname(const char *);
const char *nbfs_fstype_name(enum nbfs_fstype);
const char *nbfs_fstype_rumpname(enum nbfs_fstype);
int nbfs_fstype_writable(enum nbfs_fstype);

/* mount.c */
struct nbfs_ctx {
	const char *image;
	const char *cmd;
	enum nbfs_fstype forced;
	int writable;
	int quiet;
	int mounted;
	int lockfd;
	char opt[128];		 /* command options seen, by letter */
	const char *oarg;	 /* mount -o */
	enum nbfs_fstype fstype; /* mounted as, once mounted */
	uint64_t imgsize;	 /* bytes; 0 for a block device */
	struct nbfs_probe probe;
};

int nbfs_open(struct nbfs_ctx *);
int nbfs_close(struct nbfs_ctx *);
int nbfs_host_errno(int);
const char *nbfs_strerror(int);
char *nbfs_rpath(const char *);
void nbfs_err(const struct nbfs_ctx *, const char *, const char *, int);
void nbfs_errx(const struct nbfs_ctx *, const char *, ...)
    __attribute__((__format__(__printf__, 2, 3)));

/*
 * Where commands print: the original standard output.  File descriptor
 * 1 itself is pointed at standard error before the rump kernel boots, so
 * that kernel console messages ("file system full") never mix with data
 * that cat or ls write.
 */
extern FILE *nbfs_out;
extern int nbfs_outfd;

/* Signals: blocked everywhere, taken by a thread that sets this. */
extern volatile sig_atomic_t nbfs_stop;
void nbfs_signals_init(void);
void nbfs_signals_onstop(void (*)(void));
int nbfs_stopsig(void);

/* progress.c */
struct nbfs_progress {
	const char *what;
	uint64_t bytes;
	uint64_t files;
	uint64_t total; /* 0 unknown */
	double start;
	double last;
	int shown;
	int enabled;
};

void nbfs_progress_init(struct nbfs_progress *, const char *, int);
void nbfs_progress_add(struct nbfs_progress *, uint64_t, uint64_t);
void nbfs_progress_done(struct nbfs_progress *);
double nbfs_now(void);

/*
 * Commands; each returns an exit code.  argv[0] is the image, argv[1..]
 * the operands; options are in ctx->opt.
 */
int cmd_ls(struct nbfs_ctx *, int, char **);
int cmd_cat(struct nbfs_ctx *, int, char **);
int cmd_get(struct nbfs_ctx *, int, char **);
int cmd_stat(struct nbfs_ctx *, int, char **);
int cmd_df(struct nbfs_ctx *, int, char **);
int cmd_put(struct nbfs_ctx *, int, char **);
int cmd_mkdir(struct nbfs_ctx *, int, char **);
int cmd_rm(struct nbfs_ctx *, int, char **);
int cmd_mv(struct nbfs_ctx *, int, char **);
int cmd_ln(struct nbfs_ctx *, int, char **);
int cmd_mount(struct nbfs_ctx *, int, char **);

/* Helpers shared by the commands (cmd_read.c). */
void nbfs_modestr(uint32_t, char *);
int nbfs_lstat(const char *, struct nb_stat *);
int nbfs_allzero(const char *, size_t);
int nbfs_pwrite_all(int, const char *, size_t, off_t);

/*
 * bmapcopy.c: get's copy of ext2/FFS files straight from the image.
 * FIOGETBMAP (NetBSD sys/filio.h: _IOWR('f', 122, daddr_t)) maps a
 * logical block of an open file to its address in 512-byte units, -1
 * for a hole.
 */
#define NB_FIOGETBMAP 0xc008667aUL

uint32_t nbfs_bmap_bsize(const struct nbfs_ctx *);
int nbfs_bmap_copy(const struct nbfs_ctx *, int, int, uint64_t, uint32_t,
    struct nbfs_progress *, char *, size_t, int *, uint64_t *);

/* names.c */
char *nbfs_join(const char *, const char *);
int nbfs_dirents(const char *, void (*)(void *, const char *), void *);
int nbfs_readdir(const char *, char ***, size_t *);
void nbfs_freenames(char **, size_t);

#endif /* NBFS_H */
