#!/bin/sh
# The conformance suite in ring 0: boot the reference kernel under QEMU
# (software emulation) once per test of the quick set, the command line
# naming the test; gather the TAP each boot prints on the serial port.
#
#   run.sh KERNEL QEMU "QEMU FLAGS" [NAME | PREFIX. | PREFIX* ...]
#
# Each boot has a timeout (the test's watchdog plus a margin) and leaves
# QEMU through isa-debug-exit: the kernel writes 0 (pass) or 1 (fail),
# QEMU exits with (code << 1) | 1.  A boot without a TAP verdict (a
# panic or exception: the kernel prints registers and a backtrace) or
# whose exit status disagrees with its verdict is "not ok", with the
# last serial lines as diagnostics.  RHCONF_SLOWDOWN=N (default 3)
# scales the suite's upper time bounds (tests/conformance/tolerance.h).
# 3, not the native suite's 1: QEMU's CPU thread is a busy host thread,
# and on a loaded host it loses more than the 500 ms the native suite
# allows (700 ms seen on a 2-core host at load 8); the bounds catch
# waits off by 30 s or forever, so 1.5 s loses nothing.
# RHCONF_LOGDIR=DIR (mk/qemu.mk: $(B)/tests/qemu-check) keeps the whole
# serial log of every failed boot there as NAME.log (QEMU's status and
# stderr appended), emptied at each run.  The full run adds one check of its
# own: kernel.entropy_fallback_per_boot (two boots on a CPU without
# RDRAND/RDSEED draw different bytes).  Exit status 1 if anything failed.
set -u
kernel=$1 qemu=$2 flags=$3
shift 3
tmp=$(mktemp -d /tmp/rhqemu.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
slow=${RHCONF_SLOWDOWN:-3}
logdir=${RHCONF_LOGDIR:-}
if [ -n "$logdir" ]; then
	mkdir -p "$logdir" && rm -f "$logdir"/*.log
fi

keep() { # name, output base, QEMU status: a failed boot's whole log
	[ -n "$logdir" ] || return 0
	{ cat "$2.txt"; echo "--- QEMU status $3, stderr:"; cat "$2.err"; } \
	    >"$logdir/$1.log" 2>/dev/null
	echo "# full serial log: $logdir/$1.log"
}

boot() { # timeout, command line, output file
	timeout -k 5 "$1" $qemu $flags -serial "file:$3" -kernel "$kernel" \
	    -append "$2" </dev/null >/dev/null 2>"$3.err"
}

t0=$(date +%s)
boot 60 "rhconf --list" "$tmp/list"
lst=$?
tr -d '\r' <"$tmp/list" | awk '$2 == "quick" || $2 == "slow"' >"$tmp/all"
if [ $# -gt 0 ]; then
	# NAME, PREFIX. or PREFIX*, as the suite's runner matches them.
	names=$(awk -v pats="$*" 'BEGIN { n = split(pats, p, " ") }
	    { for (i = 1; i <= n; i++) {
		q = p[i]; l = length(q); c = substr(q, l, 1)
		if ($1 == q || (c == "*" && index($1, substr(q, 1, l - 1)) == 1) ||
		    (c == "." && index($1, q) == 1)) { print $1; next } } }' \
	    "$tmp/all")
else
	names=$(awk '$2 == "quick" { print $1 }' "$tmp/all")
fi
[ -n "$names" ] || { echo "qemu-check: FAIL: no test list from the kernel" \
	"(or none matches)"; tail -n 20 "$tmp/list" "$tmp/list.err" \
	2>/dev/null; tr -d '\r' <"$tmp/list" >"$tmp/list.txt"; \
	keep rhconf--list "$tmp/list" $lst; exit 1; }
total=$(echo $names | wc -w)
[ $# -gt 0 ] || total=$((total + 1)) # and the entropy check below
echo "TAP version 13"
echo "# the conformance suite in ring 0: one QEMU boot (TCG) per test"
echo "1..$total"
n=0 pass=0 fail=0 skip=0
for name in $names; do
	n=$((n + 1))
	out=$tmp/out
	: >"$out"
	boot $((120 * slow + 20)) "rhconf $name RHCONF_SLOWDOWN=$slow" "$out"
	st=$?
	tr -d '\r' <"$out" >"$out.txt"
	line=$(grep -E "^(not )?ok 1 - $name( |\$)" "$out.txt" | head -n 1)
	case "$line" in
	"ok 1 - $name # SKIP"*)
		[ $st -eq 1 ] && { skip=$((skip + 1)); \
		    echo "ok $n - $name # SKIP${line#*# SKIP}"; continue; } ;;
	"ok 1 - $name")
		[ $st -eq 1 ] && { pass=$((pass + 1)); \
		    echo "ok $n - $name"; continue; } ;;
	"not ok 1 - $name"*)
		fail=$((fail + 1))
		grep '^# ' "$out.txt" | head -n 20
		keep "$name" "$out" $st
		echo "not ok $n - $name${line#not ok 1 - $name}"
		continue ;;
	esac
	fail=$((fail + 1))
	echo "# last lines of the serial console (QEMU status $st):"
	tail -n 25 "$out.txt" | sed 's/^/#   /'
	sed 's/^/#   /' "$out.err" | tail -n 5
	keep "$name" "$out" $st
	echo "not ok $n - $name # no verdict or wrong exit status" \
	    "(QEMU status $st; 124: timeout)"
done
# Without RDRAND/RDSEED (-cpu qemu64) the kernel's fallback generator
# must still give different bytes on every boot.
if [ $# -eq 0 ]; then
	n=$((n + 1))
	fb=$(echo "$flags" | sed 's/-cpu [^ ]*/-cpu qemu64/')
	for i in 1 2; do
		timeout -k 5 60 $qemu $fb -serial "file:$tmp/e$i" \
		    -kernel "$kernel" -append "rhconf kernel.entropy_dump" \
		    </dev/null >/dev/null 2>&1
	done
	e1=$(tr -d '\r' <"$tmp/e1" | grep '^# entropy (ChaCha20')
	e2=$(tr -d '\r' <"$tmp/e2" | grep '^# entropy (ChaCha20')
	if [ -n "$e1" ] && [ -n "$e2" ] && [ "$e1" != "$e2" ]; then
		pass=$((pass + 1))
		echo "ok $n - kernel.entropy_fallback_per_boot"
	else
		fail=$((fail + 1))
		echo "# boot 1: $e1"
		echo "# boot 2: $e2"
		echo "not ok $n - kernel.entropy_fallback_per_boot"
	fi
fi
echo "qemu-check: $pass passed, $fail failed, $skip skipped," \
    "$(( $(date +%s) - t0 )) s"
[ $fail -eq 0 ]
