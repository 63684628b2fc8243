/*
 * main.c: nbfs's command line: global options, the command, its
 * options, the image and the operands; then mount, run the command,
 * sync and unmount.  Write commands need -w and are refused before
 * anything is touched without it.  SIGINT/SIGTERM/SIGHUP stop the
 * command at the next file or chunk, after which the image is synced
 * and unmounted as on a normal exit, and nbfs exits 128+signal.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nbfs.h"

FILE *nbfs_out;
int nbfs_outfd = STDOUT_FILENO;

struct command {
	const char *name;
	int (*fn)(struct nbfs_ctx *, int, char **);
	const char *opts;
	int writes;
	int minargs; /* operands after the image */
	const char *usage;
};

static const struct command cmds[] = {
    {"ls", cmd_ls, "la", 0, 0, "ls [-la] IMAGE [PATH...]"},
    {"cat", cmd_cat, "", 0, 1, "cat IMAGE PATH..."},
    {"get", cmd_get, "", 0, 1, "get IMAGE PATH [HOSTPATH]"},
    {"stat", cmd_stat, "", 0, 1, "stat IMAGE PATH..."},
    {"df", cmd_df, "", 0, 0, "df IMAGE"},
    {"probe", NULL, "", 0, 0, "probe IMAGE"},
    {"put", cmd_put, "", 1, 1, "-w put IMAGE HOSTPATH [PATH]"},
    {"mkdir", cmd_mkdir, "p", 1, 1, "-w mkdir [-p] IMAGE PATH..."},
    {"rm", cmd_rm, "rR", 1, 1, "-w rm [-r] IMAGE PATH..."},
    {"mv", cmd_mv, "", 1, 2, "-w mv IMAGE FROM TO"},
    {"ln", cmd_ln, "s", 1, 2, "-w ln [-s] IMAGE TARGET LINK"},
#ifdef NBFS_FUSE
    {"mount", cmd_mount, "fo:", 0, 1,
	"[-w] mount [-f] [-o FUSEOPTS] IMAGE DIR"},
#endif
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "usage: nbfs [-qw] [-t TYPE] COMMAND [OPTIONS] IMAGE "
	    "[OPERANDS]\n"
	    "  -w       open the image read-write (needed by put, mkdir, "
	    "rm, mv, ln)\n"
	    "  -t TYPE  file system type instead of probing: ext2, ffs, "
	    "fat, iso9660,\n"
	    "           udf, ntfs, hfs\n"
	    "  -q       no progress display or warnings\n"
	    "commands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  nbfs %s\n", cmds[i].usage);
#ifndef NBFS_FUSE
	fprintf(f, "(built without FUSE 3: no mount command)\n");
#endif
}

static int
probe_only(struct nbfs_ctx *c)
{
	extern int nbfs_probe_file(struct nbfs_ctx *);

	return nbfs_probe_file(c);
}

int
main(int argc, char **argv)
{
	struct nbfs_ctx ctx;
	const struct command *cmd = NULL;
	char optstr[32];
	size_t i;
	int ch, rv, rv2;

	memset(&ctx, 0, sizeof(ctx));
	ctx.lockfd = -1;
	/* Global options, then the command, its options, more globals. */
	while ((ch = getopt(argc, argv, "+hqwt:")) != -1) {
		switch (ch) {
		case 'h': usage(stdout); return NBFS_EX_OK;
		case 'q': ctx.quiet = 1; break;
		case 'w': ctx.writable = 1; break;
		case 't':
			if ((ctx.forced = nbfs_fstype_byname(optarg)) ==
			    NBFS_FS_NONE) {
				fprintf(stderr,
				    "nbfs: -t %s: unknown file "
				    "system type (ext2, ffs, fat, iso9660, "
				    "udf, ntfs, hfs)\n",
				    optarg);
				return NBFS_EX_USAGE;
			}
			break;
		default: usage(stderr); return NBFS_EX_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return NBFS_EX_USAGE;
	}
	for (i = 0; i < NCMDS; i++)
		if (strcmp(argv[optind], cmds[i].name) == 0)
			cmd = &cmds[i];
	if (cmd == NULL) {
		if (strcmp(argv[optind], "mount") == 0)
			fprintf(stderr,
			    "nbfs: mount: this nbfs was built "
			    "without FUSE 3 (libfuse3-dev)\n");
		else {
			fprintf(stderr, "nbfs: %s: unknown command\n",
			    argv[optind]);
			usage(stderr);
		}
		return NBFS_EX_USAGE;
	}
	ctx.cmd = cmd->name;
	argc -= optind;
	argv += optind;
	snprintf(optstr, sizeof(optstr), "+%sqwt:", cmd->opts);
	optind = 1;
	while ((ch = getopt(argc, argv, optstr)) != -1) {
		if (ch == '?' || ch == ':') {
			fprintf(stderr, "usage: nbfs %s\n", cmd->usage);
			return NBFS_EX_USAGE;
		}
		if (ch == 'w')
			ctx.writable = 1;
		else if (ch == 'q')
			ctx.quiet = 1;
		else if (ch == 't') {
			if ((ctx.forced = nbfs_fstype_byname(optarg)) ==
			    NBFS_FS_NONE) {
				fprintf(stderr,
				    "nbfs: -t %s: unknown file "
				    "system type\n",
				    optarg);
				return NBFS_EX_USAGE;
			}
		} else {
			ctx.opt[ch & 127] = 1;
			if (ch == 'o')
				ctx.oarg = optarg;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 + cmd->minargs) {
		fprintf(stderr, "usage: nbfs %s\n", cmd->usage);
		return NBFS_EX_USAGE;
	}
	ctx.image = argv[0];
	if (cmd->writes && !ctx.writable) {
		fprintf(stderr,
		    "nbfs: %s: %s: the image is opened read-only "
		    "by default; writing needs -w (nbfs -w %s ...)\n",
		    cmd->name, ctx.image, cmd->name);
		return NBFS_EX_USAGE;
	}
	/* Our output to the real stdout; the kernel console to stderr. */
	fflush(stdout);
	if ((nbfs_outfd = dup(STDOUT_FILENO)) == -1 ||
	    dup2(STDERR_FILENO, STDOUT_FILENO) == -1 ||
	    (nbfs_out = fdopen(nbfs_outfd, "w")) == NULL) {
		fprintf(stderr, "nbfs: stdout: %s\n", strerror(errno));
		return NBFS_EX_FAIL;
	}
	if (cmd->fn == NULL) {
		rv = probe_only(&ctx);
		return fclose(nbfs_out) == EOF ? NBFS_EX_FAIL : rv;
	}

	nbfs_signals_init();
	if ((rv = nbfs_open(&ctx)) != NBFS_EX_OK) {
		nbfs_close(&ctx);
		return rv;
	}
	rv = cmd->fn(&ctx, argc, argv);
	rv2 = nbfs_close(&ctx);
	if (nbfs_stop && nbfs_stopsig() != 0) {
		if (!ctx.quiet)
			fprintf(stderr,
			    "nbfs: %s: stopped by signal %d; the "
			    "image was synced and unmounted\n",
			    cmd->name, nbfs_stopsig());
		return 128 + nbfs_stopsig();
	}
	if (fclose(nbfs_out) == EOF) {
		fprintf(stderr, "nbfs: stdout: %s\n", strerror(errno));
		return NBFS_EX_FAIL;
	}
	return rv != NBFS_EX_OK ? rv : rv2;
}
