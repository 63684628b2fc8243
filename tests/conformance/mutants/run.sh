#!/bin/sh
# Show that conformance tests fail when the behaviour they check is broken:
# build the mutant shim, then for each mutant run the tests that must
# catch it against the librumpuser.so.0 in LIBDIR, with the mutant
# preloaded.  Each line "caught" or "MISSED"; exit 1 if any was missed.
#
#   sh tests/conformance/mutants/run.sh RHCONF LIBDIR [MUTANT...]
set -u
rhconf=$1
libdir=$2
shift 2
here=$(dirname "$0")
so=${TMPDIR:-/tmp}/rhconf-mutant.$$.so
cc -std=c11 -O2 -shared -fPIC -D_GNU_SOURCE -I"$here/../../../include" \
    -o "$so" "$here/mutant.c" -ldl || exit 2
trap 'rm -f "$so"' EXIT

# mutant        tests that must fail
table='
join_keeps_cpu       thread.join_ncpu1
join_no_wait         thread.join_ncpu2
nowrap_unschedules   mutex.spin_keeps_cpu cv.wait_nowrap
tryenter_unschedules mutex.tryenter mutex.giant_ncpu2
leak_mutex           balance.objects
sleep_keeps_cpu      clock.sleep_rel clock.sleep_yields_ncpu1
sleep_no_resched     clock.sleep_rel
mutex_keeps_cpu      mutex.enter_blocks_ncpu1
spin_unschedules     mutex.spin_keeps_cpu
wrong_nlocks         mutex.giant_ncpu1 clock.sleep_rel
tryenter_errno       mutex.tryenter
owner_null           mutex.tryenter cv.timedwait_timeout
rw_held_anyone       rw.basic
downgrade_gap        rw.downgrade_atomic
cv_no_interlock      cv.signal_ncpu1
timedwait_short      cv.timedwait_timeout
timedwait_errno      cv.timedwait_timeout
has_waiters_zero     cv.signal_ncpu1
signal_lost          stress.cv_pingpong_ncpu2
curlwp_global        curlwp.setclear
random_constant      random.basic
random_zero_success  random.basic
relwall_mono         clock.relwall
mono_backwards       clock.absmono
sleep_short          clock.sleep_rel
abs_early            clock.sleep_abs
open_noexcl          file.open_flags
fileinfo_type        file.info
errno_host           errno.open
iov_noseek_offset0   iov.noseek
seterrno_noop        errno.seterrno_per_thread
bio_twice            bio.many_ncpu2
bio_nocpu            bio.many_ncpu2
bio_wrong_len        bio.many_ncpu2
'
# Unmutated, every test named here must pass (else it proves nothing).
all=$(echo "$table" | awk 'NF > 1 { for (i = 2; i <= NF; i++) print $i }' |
    sort -u)
if ! RHCONF_MUTANT=none LD_PRELOAD=$so LD_LIBRARY_PATH=$libdir \
    "$rhconf" $all > /dev/null 2>&1; then
	echo "baseline: some of these tests fail without a mutant:"
	RHCONF_MUTANT=none LD_PRELOAD=$so LD_LIBRARY_PATH=$libdir \
	    "$rhconf" $all | grep '^not ok'
	exit 1
fi
echo "baseline: all $(echo $all | wc -w) tests pass unmutated"
echo "$table" | { missed=0; while read -r m tests; do
	[ -n "$m" ] || continue
	if [ $# -gt 0 ]; then
		case " $* " in *" $m "*) ;; *) continue ;; esac
	fi
	for t in $tests; do
		out=$(RHCONF_MUTANT=$m LD_PRELOAD=$so LD_LIBRARY_PATH=$libdir \
		    RHCONF_SLOWDOWN=1 "$rhconf" "$t" 2>&1)
		line=$(echo "$out" | grep -E '^(not )?ok ' | head -1)
		case $line in
		"not ok"*) echo "caught  $m by $t: ${line#*# }" ;;
		*) echo "MISSED  $m by $t"; missed=1 ;;
		esac
	done
done; exit $missed; }
