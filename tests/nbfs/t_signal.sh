#!/bin/sh
# t_signal.sh: SIGINT in the middle of a long put stops it, removes the
# file being written, syncs and unmounts: nbfs exits 130 and e2fsck -fn
# finds the image clean.  Ended by its recorded pid.
# Assumes: e2fsprogs, else SKIP.

. "$(dirname "$0")/lib.sh"
need mke2fs e2fsck

mkdir src
i=0
while [ $i -lt 40 ]; do
	mkdata src/f$i 4000000 $i
	i=$((i + 1))
done
mke2fs -q -t ext2 img 400M || fail mke2fs
"$NBFS" -w put img src /src >log 2>&1 &
pid=$!
# Interrupt once put is copying (two files' worth read), so /src exists: a
# fixed delay could land before put had made it on a loaded machine.
n=0
while [ "$(rchar $pid)" -lt 8000000 ]; do
	kill -0 $pid 2>/dev/null || break
	n=$((n + 1))
	[ $n -gt 600 ] && { kill -KILL $pid; fail "put: no progress in 60 s"; }
	sleep 0.05
done
kill -INT "$pid" 2>/dev/null
wait "$pid"
st=$?
if [ $st -eq 0 ]; then
	info "put finished before SIGINT arrived; checking the image only"
else
	[ $st -eq 130 ] || fail "exit $st after SIGINT, want 130: $(cat log)"
	grep -q 'stopped by signal 2; the image was synced and unmounted' log ||
	    fail "no stop message: $(cat log)"
fi
e2fsck -fn img >fsck.out 2>&1 || fail "e2fsck -fn: $(tail -n 5 fsck.out)"
# Whatever was copied is complete.
"$NBFS" -q ls img /src >names || fail "ls after SIGINT"
n=0
for f in $(cat names); do
	"$NBFS" -q cat img "/src/$f" | cmp -s - "src/$f" || fail "/src/$f differs"
	n=$((n + 1))
done
info "SIGINT: exit $st, $n of 40 files copied, all complete, e2fsck -fn clean"
exit 0
