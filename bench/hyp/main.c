/*
 * main.c: hypbench [WORKLOAD ...] runs the named hypercall
 * micro-benchmarks (all of them without arguments), each printing one
 * result line (bench.h).  It links against librumpuser.so.0 by soname
 * only: LD_LIBRARY_PATH picks the implementation.  hyp_bio_pool is
 * hyp_bio_read with RUMPHOST_BIO_INLINE=0 set before the library starts
 * (rumphost then hands every request to its I/O threads; NetBSD's
 * library ignores the variable), so it runs only as the sole workload.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bench.h"
#include "hyp.h"

static const struct {
	const char *name;
	void (*fn)(void);
} workloads[] = {
    {"hyp_mutex_uncontended", hb_mutex_uncontended},
    {"hyp_mutex_contended", hb_mutex_contended},
    {"hyp_cv_pingpong", hb_cv_pingpong},
    {"hyp_thread_create_join", hb_thread_create_join},
    {"hyp_malloc_free", hb_malloc_free},
    {"hyp_clock_gettime", hb_clock_gettime},
    {"hyp_bio_read", hb_bio_read},
    {"hyp_bio_pool", hb_bio_pool},
};
#define NWORK (sizeof(workloads) / sizeof(workloads[0]))

int
main(int argc, char **argv)
{
	size_t i;
	int a, found;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "hyp_bio_pool") == 0)
		setenv("RUMPHOST_BIO_INLINE", "0", 1);
	else if (argc > 2)
		for (a = 1; a < argc; a++)
			if (strcmp(argv[a], "hyp_bio_pool") == 0) {
				fprintf(stderr,
				    "hypbench: hyp_bio_pool runs alone\n");
				return 2;
			}
	hb_boot();
	if (argc == 1) {
		for (i = 0; i < NWORK; i++)
			if (workloads[i].fn != hb_bio_pool)
				workloads[i].fn();
		return 0;
	}
	for (a = 1; a < argc; a++) {
		found = 0;
		for (i = 0; i < NWORK; i++) {
			if (strcmp(argv[a], workloads[i].name) == 0) {
				workloads[i].fn();
				found = 1;
			}
		}
		if (!found) {
			fprintf(stderr, "hypbench: no workload %s\n", argv[a]);
			return 2;
		}
	}
	return 0;
}
