/*
 * curlwp: SET binds the calling host thread to an lwp, CLEAR unbinds it,
 * CREATE and DESTROY only inform; rumpuser_curlwp() is per host thread and
 * NULL for an unbound one.  Also the component calls built on the lwproc
 * upcalls: component_kthread gives a bare host thread an lwp (checked
 * through the fake kernel's bookkeeping), component_unschedule/schedule
 * step out of and back into the kernel keeping the giant holds.
 */
#include "fakekernel.h"
#include "tests.h"
#include "tolerance.h"

#include <rump/rumpuser_component.h>

struct bare {
	int ok;
	struct lwp *seen;
	struct lwp *comp;
	bool cpu;
	bool valid;
};

static void
bare_setclear(void *arg)
{
	struct bare *b = arg;
	struct lwp *l;

	b->seen = rumpuser_curlwp();
	l = fk_lwp_new("bare");
	rumpuser_curlwpop(RUMPUSER_LWP_CREATE, l);
	rumpuser_curlwpop(RUMPUSER_LWP_SET, l);
	if (rumpuser_curlwp() == l)
		b->ok++;
	rumpuser_curlwpop(RUMPUSER_LWP_CLEAR, l);
	if (rumpuser_curlwp() == NULL)
		b->ok++;
	/* A second SET after CLEAR works. */
	rumpuser_curlwpop(RUMPUSER_LWP_SET, l);
	if (rumpuser_curlwp() == l)
		b->ok++;
	rumpuser_curlwpop(RUMPUSER_LWP_CLEAR, l);
	rumpuser_curlwpop(RUMPUSER_LWP_DESTROY, l);
	fk_lwp_free(l);
}

void
t_curlwp_setclear(void)
{
	struct lwp *mine = fk_curlwp();
	struct bare b = {0, NULL, NULL, false, false};
	struct h_thread *t;

	CHECK(mine != NULL);
	t = h_thread_start(bare_setclear, &b);
	h_thread_wait(t);
	CHECKF(b.seen == NULL, "unbound host thread sees curlwp %p",
	    (void *)b.seen);
	CHECK_EQ(b.ok, 3);
	CHECKF(fk_curlwp() == mine, "another thread's SET changed ours");
}

static void
bare_component(void *arg)
{
	struct bare *b = arg;

	rumpuser_component_kthread();
	b->seen = rumpuser_curlwp();
	b->valid = b->seen != NULL && b->seen->magic == FK_LWP_MAGIC;
	b->comp = rumpuser_component_curlwp();
	b->cpu = fk_have_cpu();
	rumpuser_component_kthread_release();
	if (rumpuser_curlwp() == NULL)
		__atomic_store_n(&b->ok, 1, __ATOMIC_SEQ_CST);
}

void
t_curlwp_component(void)
{
	struct bare b = {0, NULL, NULL, false, false};
	struct h_thread *t;
	int live = fk_lwps_live();
	void *cookie;

	t = h_thread_start(bare_component, &b);
	/* Our CPU is needed there (NCPU=1): settle releases it. */
	fk_settle(fk_pred_flag, &b.ok);
	h_thread_wait(t);
	CHECKF(b.valid, "component_kthread left curlwp %p, not a new lwp",
	    (void *)b.seen);
	CHECKF(b.comp == b.seen, "component_curlwp %p, curlwp %p",
	    (void *)b.comp, (void *)b.seen);
	CHECKF(!b.cpu, "component_kthread returned holding a CPU");
	CHECKF(b.ok, "component_kthread_release left curlwp set");
	CHECK_EQ(fk_lwps_live(), live);

	/* Step out and back in, keeping two giant holds. */
	fk_giant_enter(2);
	cookie = rumpuser_component_unschedule();
	CHECKF(!fk_have_cpu(), "component_unschedule kept the CPU");
	CHECK_EQ(fk_giant_held(), 0);
	rumpuser_component_schedule(cookie);
	CHECK(fk_have_cpu());
	CHECK_EQ(fk_giant_held(), 2);
	fk_giant_exit();
}

static void
bare_switch(void *arg)
{
	struct bare *b = arg;
	struct lwp *a, *l;

	rumpuser_component_kthread();
	a = rumpuser_curlwp();
	l = fk_lwp_new("other");
	rumpuser_curlwpop(RUMPUSER_LWP_CREATE, l);
	rumpuser_component_switchlwp(l);
	b->seen = rumpuser_curlwp();
	b->comp = l;
	rumpuser_component_kthread_release();
	if (rumpuser_curlwp() == NULL)
		__atomic_store_n(&b->ok, 1, __ATOMIC_SEQ_CST);
	if (a != NULL) {
		rumpuser_curlwpop(RUMPUSER_LWP_DESTROY, a);
		fk_lwp_free(a);
	}
}

void
t_curlwp_switch(void)
{
	struct bare b = {0, NULL, NULL, false, false};
	struct h_thread *t;
	int live = fk_lwps_live();

	t = h_thread_start(bare_switch, &b);
	fk_settle(fk_pred_flag, &b.ok);
	h_thread_wait(t);
	CHECKF(b.seen == b.comp, "component_switchlwp left curlwp %p, not %p",
	    (void *)b.seen, (void *)b.comp);
	CHECKF(b.ok, "component_kthread_release left curlwp set");
	CHECK_EQ(fk_lwps_live(), live);
}
