#!/bin/sh
# t_sigterm.sh: kill -TERM in the middle of a large put.  An image that
# already holds a tree gets (1) one 300 MB file and (2) a tree of 40
# files of 6 MB put into it, each put sent SIGTERM once nbfs has read
# a third of its input (/proc/PID/io rchar), so the signal lands mid-
# copy.  Each time: nbfs exits 143 (128 + SIGTERM) with its stop
# message, e2fsck -fn finds the image clean, the tree that was there
# before is intact, the file being written when the signal came is not
# left half-written (absent, or complete), and every file the put did
# copy equals its source (at least one did, in (2)).
# Ended by its recorded pid.  Assumes: e2fsprogs, /proc/PID/io; else SKIP.

. "$(dirname "$0")/lib.sh"
need mke2fs e2fsck

[ -r /proc/self/io ] || skip "no /proc/PID/io to see the copy's progress"
mktree before
mkdir -p one many
mkdata one/big 300000000 21
i=0
while [ $i -lt 40 ]; do
	mkdata many/f$i 6000000 $((100 + i))
	i=$((i + 1))
done
mke2fs -q -t ext2 img 800M || fail mke2fs
ok -w put img before /before

# term_put WHAT SRC TOTAL: put SRC to /WHAT; TERM after TOTAL/3 read.
term_put() {
	"$NBFS" -w put img "$2" "/$1" >log 2>&1 &
	pid=$!
	n=0
	while [ "$(rchar $pid)" -lt $(($3 / 3)) ]; do
		kill -0 $pid 2>/dev/null || break
		n=$((n + 1))
		[ $n -gt 600 ] && { kill -KILL $pid; fail "$1: no progress in 60 s"; }
		sleep 0.1
	done
	at=$(rchar $pid)
	kill -TERM $pid 2>/dev/null
	wait $pid
	st=$?
	[ $st -eq 143 ] || fail "$1: exit $st after SIGTERM at ${at:-?} bytes read, want 143: $(cat log)"
	grep -q 'stopped by signal 15; the image was synced and unmounted' log ||
	    fail "$1: no stop message: $(cat log)"
	e2fsck -fn img >fsck.out 2>&1 ||
	    fail "$1: e2fsck -fn after SIGTERM: $(tail -n 5 fsck.out)"
	"$NBFS" -q get img /before chk >log 2>&1 || fail "get /before: $(cat log)"
	treeeq before chk || fail "$1: the earlier tree changed: $(head -n 3 diff.out)"
	rm -rf chk
}

# (1) one big file: afterwards absent, or complete.
term_put one one/big 300000000
if "$NBFS" -q stat img /one/big >/dev/null 2>&1; then
	"$NBFS" -q cat img /one/big | cmp -s - one/big ||
	    fail "one: /one/big left incomplete after SIGTERM"
	what="complete"
else
	what="removed"
fi
info "SIGTERM at $at of 300000000 bytes read: exit 143, e2fsck -fn clean, /before intact, the interrupted file $what"

# (2) many files: those copied are complete; at least one was.
term_put many many 240000000
"$NBFS" -q ls img /many >names 2>/dev/null || : >names
n=0
for f in $(cat names); do
	"$NBFS" -q cat img "/many/$f" | cmp -s - "many/$f" ||
	    fail "many: /many/$f differs from its source after SIGTERM"
	n=$((n + 1))
done
[ $n -gt 0 ] || fail "many: no file copied before SIGTERM at $at bytes read"
[ $n -lt 40 ] || fail "many: all 40 copied: the signal came too late to test"
info "SIGTERM at $at of 240000000 bytes read: exit 143, e2fsck -fn clean, /before intact, $n of 40 files copied and each complete"
exit 0
