/*
 * main.c: hypbench [WORKLOAD ...] runs the named hypercall
 * micro-benchmarks (all of them without arguments), each printing one
 * result line (bench.h).  It links against librumpuser.so.0 by soname
 * only: LD_LIBRARY_PATH picks the implementation.
 */

#include <stdio.h>
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
};
#define NWORK (sizeof(workloads) / sizeof(workloads[0]))

int
main(int argc, char **argv)
{
	size_t i;
	int a, found;

	setvbuf(stdout, NULL, _IOLBF, 0);
	hb_boot();
	if (argc == 1) {
		for (i = 0; i < NWORK; i++)
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
