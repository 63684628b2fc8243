/*
 * probe_fuzz.c: feed nbfs_probe() (tools/nbfs/fsdetect.c) mutated and
 * truncated copies of real images; under ASan+UBSan any read outside
 * the buffer or undefined arithmetic aborts.  Also checks that each
 * seed image, unmutated, is recognised as the type named on the
 * command line (TYPE=FILE arguments).
 * Assumes: the seeds are at most NBFS_PROBE_LEN bytes apart from their
 * tails, which are ignored.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/nbfs/nbfs.h"

static uint64_t rs = 88172645463325252ULL;

static uint32_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (uint32_t)rs;
}

int
main(int argc, char **argv)
{
	static unsigned char seed[NBFS_PROBE_LEN];
	struct nbfs_probe pr;
	size_t n, i, it, len;
	unsigned char *b;
	char *eq;
	FILE *f;
	int a;

	for (a = 1; a < argc; a++) {
		if ((eq = strchr(argv[a], '=')) == NULL)
			return 2;
		*eq = '\0';
		if ((f = fopen(eq + 1, "rb")) == NULL) {
			perror(eq + 1);
			return 1;
		}
		n = fread(seed, 1, sizeof(seed), f);
		fclose(f);
		nbfs_probe(seed, n, 0, &pr);
		if (strcmp(nbfs_fstype_name(pr.type), argv[a]) != 0 ||
		    pr.damaged) {
			printf("%s: probed as %s%s, want %s\n", eq + 1,
			    nbfs_fstype_name(pr.type),
			    pr.damaged ? " (damaged)" : "", argv[a]);
			return 1;
		}
		for (it = 0; it < 5000; it++) {
			len = it % 5 == 0 ? rnd() % (n + 1) : n;
			if ((b = malloc(len ? len : 1)) == NULL)
				return 1;
			memcpy(b, seed, len);
			for (i = 0; len > 0 && i < 1 + rnd() % 40; i++)
				b[rnd() % len] = (unsigned char)rnd();
			nbfs_probe(b, len, rnd() % 2 ? 0 : rnd(), &pr);
			free(b);
		}
		printf("# %s: %s; 5000 mutations probed\n", eq + 1, argv[a]);
	}
	return 0;
}
