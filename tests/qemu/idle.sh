#!/bin/sh
# idle.sh KERNEL [RUMPKERNEL] WORKDIR: the host CPU an idle reference
# kernel costs under QEMU (TCG), bare and with a NetBSD rump kernel booted.
#
# For each image: start QEMU in the background under timeout
# (IDLE_TIMEOUT s; QEMU's pid is recorded), wait until the console says the
# kernel is idle ("boot: done"; for the rump image, which boots with
# rumpidle=1 and the demo's disks from tests/qemu/mkdisks.sh, also
# "RUMPDEMO IDLE": rump booted, ext2 mounted, nothing to do), let it
# settle IDLE_SETTLE s, then read QEMU's utime+stime (/proc/<pid>/stat
# fields 14 and 15, clock ticks) IDLE_SECONDS (default 30) apart and print
# them as a percentage of one host CPU.  QEMU is ended by its pid.
#
# A measurement, not a test: the figure depends on the host and its load,
# so nothing is compared with a threshold; exit 1 only if an image does
# not reach idle (or QEMU dies).  Not in make check (about 2 x 35 s):
# `make qemu-idle [RUMP_KERNEL_PREFIX=...]` runs it.
set -u
if [ $# -eq 2 ]; then
	BARE=$1 RUMPK="" W=$2
else
	BARE=$1 RUMPK=$2 W=$3
fi
HERE=$(dirname "$0")
QEMU=${QEMU:-qemu-system-x86_64}
QEMU_FLAGS=${QEMU_FLAGS:-"-machine pc,accel=tcg -cpu max -m 512 -no-reboot \
    -display none -device isa-debug-exit,iobase=0xf4,iosize=0x04"}
IDLE_SECONDS=${IDLE_SECONDS:-30}
IDLE_SETTLE=${IDLE_SETTLE:-3}
IDLE_TIMEOUT=${IDLE_TIMEOUT:-$((IDLE_SECONDS + 150))}
HZ=$(getconf CLK_TCK)
fail=0

if ! command -v "$QEMU" >/dev/null 2>&1; then
	echo "SKIP: $QEMU not installed"
	exit 0
fi
mkdir -p "$W"

# utime + stime of process $1, in clock ticks.
cputicks() {
	sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# measure NAME IMAGE APPEND EXTRA...: one boot, one figure.
measure() {
	name=$1 image=$2 append=$3
	shift 3
	log=$W/$name.log
	rm -f "$log"
	# shellcheck disable=SC2086
	timeout "$IDLE_TIMEOUT" "$QEMU" $QEMU_FLAGS -kernel "$image" \
	    -serial "file:$log" -append "$append" "$@" </dev/null \
	    >"$W/$name.qemu.out" 2>&1 &
	tpid=$!
	# QEMU is timeout's only child.
	qpid=""
	t=0
	while [ -z "$qpid" ] && [ "$t" -lt 50 ]; do
		sleep 0.1
		qpid=$(pgrep -P "$tpid")
		t=$((t + 1))
	done
	if [ -z "$qpid" ]; then
		echo "FAIL: $name: QEMU did not start"
		fail=1
		wait "$tpid"
		return
	fi
	t=0
	while ! grep -q '^boot: done' "$log" 2>/dev/null; do
		if ! kill -0 "$qpid" 2>/dev/null || [ "$t" -ge 600 ]; then
			break
		fi
		sleep 0.5
		t=$((t + 1))
	done
	if ! grep -q '^boot: done' "$log" 2>/dev/null ||
	    { [ "$name" = rump ] && ! grep -q '^RUMPDEMO IDLE' "$log"; }; then
		echo "FAIL: $name: never idle (last console lines:)"
		tail -8 "$log" 2>/dev/null | sed 's/^/  | /'
		fail=1
	else
		sleep "$IDLE_SETTLE"
		a=$(cputicks "$qpid")
		sleep "$IDLE_SECONDS"
		b=$(cputicks "$qpid")
		if kill -0 "$qpid" 2>/dev/null; then
			# A calibration far from the host's TSC rate would
			# change the guest's timer rate: show it.
			grep '^clock: TSC' "$log" | tr -d '\r' |
			    sed "s/^/idle $name: /"
			awk -v n="$name" -v d=$((b - a)) -v s="$IDLE_SECONDS" \
			    -v hz="$HZ" 'BEGIN { printf "idle %s: %d ticks " \
			    "(1/%d s) of utime+stime in %d s = %.2f%% of one " \
			    "host CPU\n", n, d, hz, s, 100 * d / hz / s }'
		else
			echo "FAIL: $name: QEMU ended during the measurement"
			fail=1
		fi
	fi
	kill "$qpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
}

measure bare "$BARE" ""
if [ -n "$RUMPK" ]; then
	out=$(sh "$HERE/mkdisks.sh" "$W/disks" 2>&1)
	if [ $? -ne 0 ]; then
		printf '%s\n' "$out"
		exit 1
	fi
	disks=$(printf '%s\n' "$out" | sed -n 's/^QEMU_DISKS: //p')
	# shellcheck disable=SC2086
	measure rump "$RUMPK" "rumpidle=1" $disks
else
	echo "idle rump: SKIP: no rump image (RUMP_KERNEL_PREFIX not set)"
fi
exit "$fail"
