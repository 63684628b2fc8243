/*
 * curproc.c: the calling task's identity on AdrOS/i386.
 *
 * AdrOS keeps the running task in its per-CPU block, reached through the
 * %gs segment: struct percpu_data has the current struct process pointer
 * at offset 12 (include/arch/x86/percpu.h), and percpu_current() is a
 * static inline that loads it.  We cannot call an inline, so this one
 * load is repeated here.  If AdrOS moves that field, this file changes.
 * Not built for the stand-in, which supplies its own.
 */
#include "adros_api.h"

struct process *
rumphost_adros_curproc(void)
{
	struct process *p;

	__asm__ volatile("movl %%gs:12, %0" : "=r"(p));
	return p;
}
