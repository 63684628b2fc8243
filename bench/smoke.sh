#!/bin/sh
#
# smoke.sh HYPBENCH LIBDIR: run the hypercall micro-benchmarks tiny
# (BENCH_QUICK=1, a few ms each) against LIBDIR/librumpuser.so.0 and check
# only that each printed a well-formed result line.  Not a test of
# speed: no timing is judged, so it cannot fail on a slow machine.

bin=$1
lib=$2
out=$(LD_LIBRARY_PATH=$lib BENCH_QUICK=1 BENCH_IMPL=smoke timeout 120 \
    "$bin" 2>&1)
rc=$?
if [ $rc -ne 0 ]; then
	echo "$out" | sed 's/^/    # /'
	echo "bench-smoke: FAIL: hypbench exit $rc"
	exit 1
fi
want="hyp_mutex_uncontended hyp_mutex_contended hyp_cv_pingpong
hyp_thread_create_join hyp_malloc_free hyp_malloc_free_batch64
hyp_clock_gettime_mono hyp_clock_gettime_wall hyp_bio_read_qd1
hyp_bio_read_qd32"
bad=0
for w in $want; do
	if ! echo "$out" | grep -Eq "^bench $w impl=smoke unit=[a-z/]+ value=[0-9]+(\.[0-9]+)? iters=[1-9][0-9]*$"; then
		echo "bench-smoke: no well-formed result line for $w"
		bad=1
	fi
done
n=$(echo "$out" | grep -c '^bench ')
if [ $bad -ne 0 ]; then
	echo "$out" | sed 's/^/    # /'
	echo "bench-smoke: FAIL"
	exit 1
fi
echo "bench-smoke: ok ($n result lines; a smoke run, not a test of speed)"
