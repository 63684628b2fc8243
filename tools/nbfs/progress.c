/*
 * progress.c: a one-line progress display on stderr for copies that
 * take more than a moment.  Shown only when stderr is a terminal and
 * the copy has run for over a second; redrawn at most 5 times a second
 * and erased when the copy ends, with a summary line if it was shown.
 */

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "nbfs.h"

double
nbfs_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
nbfs_progress_init(struct nbfs_progress *p, const char *what, int quiet)
{
	p->what = what;
	p->bytes = p->files = p->total = 0;
	p->start = p->last = nbfs_now();
	p->shown = 0;
	p->enabled = !quiet && isatty(STDERR_FILENO);
}

static void
draw(struct nbfs_progress *p, double now, int final)
{
	double el = now - p->start, mib = (double)p->bytes / 1048576.0;

	fprintf(stderr, "\rnbfs: %s: %.1f MiB, %llu file%s, %.1f MiB/s%s",
	    p->what, mib, (unsigned long long)p->files,
	    p->files == 1 ? "" : "s", el > 0 ? mib / el : 0.0,
	    final ? "\n" : "   ");
	fflush(stderr);
}

void
nbfs_progress_add(struct nbfs_progress *p, uint64_t bytes, uint64_t files)
{
	double now;

	p->bytes += bytes;
	p->files += files;
	if (!p->enabled)
		return;
	now = nbfs_now();
	if (now - p->start < 1.0 || now - p->last < 0.2)
		return;
	p->last = now;
	p->shown = 1;
	draw(p, now, 0);
}

void
nbfs_progress_done(struct nbfs_progress *p)
{
	if (p->enabled && p->shown)
		draw(p, nbfs_now(), 1);
}
