#!/bin/sh
#
# run.sh: TCP/IP between rump kernels on a POSIX host, run by
# `make check-net` (mk/net.mk).
#
#   shmif:  two rump kernels in two processes on one shmif bus (a file
#           in a scratch directory): ICMP echo, a TCP stream of NET_MB
#           MiB (default 100) checked byte by byte and by checksum at
#           both ends, UDP echo with payload checks at both ends, and the
#           same over IPv6 (ICMPv6 echo, TCP, UDP).
#   virtif: a rump kernel whose virt0 is bound to a tap device in a
#           network namespace this script creates (unique name, deleted
#           on exit), Linux side 10.94.0.1 and fd00:94::1: the rump
#           kernel pings Linux (v4 and v6), sends TCP streams (NET_MB
#           MiB over v4, 10 over v6) to a Linux server process
#           (hostpeer) and has UDP datagrams echoed (v4 and v6).
#   virtif-in: the other direction on the same tap: the rump kernel
#           serves, and Linux (hostpeer run) connects to it and sends
#           TCP streams (NET_MB MiB over v4, 10 over v6) that the rump
#           kernel checks byte by byte and whose checksum both ends
#           compare, and UDP datagrams it echoes (v4 and v6).
#           Both SKIP with the reason when no namespace or tap can be
#           made.
#
# Environment: NET_BIN (directory with rnet and hostpeer), LIBDIR (its
# librumpuser.so.0 is the one under test: every rump process checks in
# /proc/self/maps that it is the one loaded), NET_MB.  Processes are
# ended by their recorded pids.  Output: ok / not ok / skip lines,
# details with "#", then "net: N passed, M failed, K skipped".

mb=${NET_MB:-100}
npass=0 nfail=0 nskip=0
pids=
ns=

[ -x "$NET_BIN/rnet" ] || { echo "net: $NET_BIN/rnet is not built"; exit 1; }
[ -f "$LIBDIR/librumpuser.so.0" ] ||
    { echo "net: no $LIBDIR/librumpuser.so.0"; exit 1; }
LIBDIR=$(cd "$LIBDIR" && pwd)
RUMPTEST_LIB=$LIBDIR/librumpuser.so.0
export RUMPTEST_LIB
W=$(mktemp -d "${TMPDIR:-/tmp}/rnet-test.XXXXXX") || exit 1

cleanup() {
	for p in $pids; do
		kill -s KILL "$p" 2>/dev/null
	done
	[ -n "$ns" ] && ip netns del "$ns" 2>/dev/null
	if [ $nfail -gt 0 ] || [ "${NET_KEEP:-0}" = 1 ]; then
		rm -f "$W"/*/bus
		echo "# scratch directory kept: $W"
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# rump ARGS...: run rnet with the library under test (bounded).
rump() {
	LD_LIBRARY_PATH=$LIBDIR timeout -s KILL 180 "$NET_BIN/rnet" "$@"
}

# await_ready LOG PID: wait up to 30 s for "ready" in LOG.
await_ready() {
	_i=0
	while [ $_i -lt 300 ]; do
		grep -q '^ready$' "$1" 2>/dev/null && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# finish NAME STATUS LOG...: report one test from its logs.
finish() {
	_name=$1 _st=$2
	shift 2
	if [ "$_st" -eq 0 ]; then
		echo "ok - $_name"
		cat "$@" | grep '^# ' | awk '!seen[$0]++' | sed 's/^/    /'
		npass=$((npass + 1))
	else
		echo "not ok - $_name"
		for _l in "$@"; do
			echo "    # --- $(basename "$_l")"
			tail -n 12 "$_l" | sed 's/^/    # /'
		done
		nfail=$((nfail + 1))
	fi
}

# wait_pid PID: its exit status; it is bounded by its own timeout.
wait_pid() {
	wait "$1"
	_st=$?
	pids=$(echo " $pids " | sed "s/ $1 / /")
	return $_st
}

t_shmif() {
	d=$W/shmif
	mkdir -p "$d"
	rump -i "shmif:$d/bus" -4 10.93.0.1/24 -6 fd00:93::1/64 serve 60 \
	    >"$d/server.log" 2>&1 &
	spid=$!
	pids="$pids $spid"
	if ! await_ready "$d/server.log" $spid; then
		echo "FAIL: server did not come up" >>"$d/server.log"
		finish shmif 1 "$d/server.log"
		return
	fi
	rump -i "shmif:$d/bus" -4 10.93.0.2/24 -6 fd00:93::2/64 run \
	    ping,10.93.0.1,10 tcp,10.93.0.1,"$mb" udp,10.93.0.1,500 \
	    ping,fd00:93::1,10 tcp,fd00:93::1,10 udp,fd00:93::1,500 \
	    quit,10.93.0.1 >"$d/client.log" 2>&1
	cst=$?
	[ $cst -ne 0 ] && kill -s TERM "$spid" 2>/dev/null
	wait_pid "$spid"
	sst=$?
	finish shmif $((cst + sst)) "$d/client.log" "$d/server.log"
}

# Make the namespace $ns with a tap device tun0 in it; else set $why.
virtif_setup() {
	why=
	command -v ip >/dev/null 2>&1 || { why="no ip(8) (iproute2)"; return 1; }
	[ -c /dev/net/tun ] || { why="no /dev/net/tun"; return 1; }
	[ -r /dev/net/tun ] && [ -w /dev/net/tun ] ||
	    { why="/dev/net/tun not accessible to uid $(id -u)"; return 1; }
	ns=rumphost-net-$$-$(date +%s)
	if ! ip netns add "$ns" 2>"$W/netns.err"; then
		why="cannot create a network namespace: $(head -n 1 "$W/netns.err")"
		ns=
		return 1
	fi
	if ! ip -n "$ns" tuntap add dev tun0 mode tap 2>"$W/netns.err"; then
		why="cannot create a tap device: $(head -n 1 "$W/netns.err")"
		return 1
	fi
}

t_virtif() {
	d=$W/virtif
	mkdir -p "$d"
	if ! virtif_setup; then
		echo "skip - virtif: $why"
		echo "skip - virtif-in: $why"
		nskip=$((nskip + 2))
		return
	fi
	ip -n "$ns" link set lo up &&
	    ip -n "$ns" addr add 10.94.0.1/24 dev tun0 &&
	    ip -n "$ns" addr add fd00:94::1/64 dev tun0 nodad &&
	    ip -n "$ns" link set tun0 up || {
		echo "not ok - virtif: configuring tun0 in $ns failed"
		echo "not ok - virtif-in: configuring tun0 in $ns failed"
		nfail=$((nfail + 2))
		return
	}
	echo "# namespace $ns: tun0 10.94.0.1/24 fd00:94::1/64" >"$d/setup.log"
	ip netns exec "$ns" timeout -s KILL 120 "$NET_BIN/hostpeer" 60 10.94.0.1 fd00:94::1 \
	    >"$d/hostpeer.log" 2>&1 &
	hpid=$!
	pids="$pids $hpid"
	rump_ns="ip netns exec $ns env LD_LIBRARY_PATH=$LIBDIR timeout -s KILL 180"
	if ! await_ready "$d/hostpeer.log" $hpid; then
		finish virtif 1 "$d/hostpeer.log"
		t_virtif_in
		return
	fi
	$rump_ns "$NET_BIN/rnet" -i virt:virt0 -4 10.94.0.2/24 \
	    -6 fd00:94::2/64 run ping,10.94.0.1,10 tcp,10.94.0.1,"$mb" \
	    udp,10.94.0.1,500 ping,fd00:94::1,5 tcp,fd00:94::1,10 \
	    udp,fd00:94::1,200 quit,10.94.0.1 \
	    >"$d/rump.log" 2>&1
	cst=$?
	[ $cst -ne 0 ] && kill -s TERM "$hpid" 2>/dev/null
	wait_pid "$hpid"
	hst=$?
	# The traffic must have crossed the tap: Linux counted it.
	rx=$(ip netns exec "$ns" cat /sys/class/net/tun0/statistics/rx_bytes)
	tx=$(ip netns exec "$ns" cat /sys/class/net/tun0/statistics/tx_bytes)
	echo "# Linux tun0 counters: rx $rx bytes, tx $tx bytes" >>"$d/setup.log"
	if [ "${rx:-0}" -lt $((mb * 1048576)) ]; then
		echo "FAIL: tun0 received $rx bytes, less than the stream" \
		    >>"$d/setup.log"
		cst=1
	fi
	finish virtif $((cst + hst)) "$d/rump.log" "$d/hostpeer.log" \
	    "$d/setup.log"
	t_virtif_in
	ip netns del "$ns" && ns=
}

# Linux -> rump on the tap t_virtif set up: rnet serves, hostpeer sends.
t_virtif_in() {
	d=$W/virtif-in
	mkdir -p "$d"
	tx0=$(ip netns exec "$ns" cat /sys/class/net/tun0/statistics/tx_bytes)
	$rump_ns "$NET_BIN/rnet" -i virt:virt0 -4 10.94.0.2/24 \
	    -6 fd00:94::2/64 serve 60 >"$d/rump.log" 2>&1 &
	spid=$!
	pids="$pids $spid"
	if ! await_ready "$d/rump.log" $spid; then
		echo "FAIL: the rump server did not come up" >>"$d/rump.log"
		finish virtif-in 1 "$d/rump.log"
		return
	fi
	ip netns exec "$ns" timeout -s KILL 120 "$NET_BIN/hostpeer" run \
	    tcp,10.94.0.2,"$mb" udp,10.94.0.2,500 tcp,fd00:94::2,10 \
	    udp,fd00:94::2,200 quit,10.94.0.2 >"$d/hostpeer.log" 2>&1
	cst=$?
	[ $cst -ne 0 ] && kill -s TERM "$spid" 2>/dev/null
	wait_pid "$spid"
	sst=$?
	# The stream must have crossed the tap: Linux sent it into tun0.
	tx=$(ip netns exec "$ns" cat /sys/class/net/tun0/statistics/tx_bytes)
	sent=$((${tx:-0} - ${tx0:-0}))
	echo "# Linux tun0: sent $sent bytes into the tap" >"$d/setup.log"
	if [ $sent -lt $((mb * 1048576)) ]; then
		echo "FAIL: tun0 sent $sent bytes, less than the stream" \
		    >>"$d/setup.log"
		cst=1
	fi
	finish virtif-in $((cst + sst)) "$d/hostpeer.log" "$d/rump.log" \
	    "$d/setup.log"
}

echo "# library under test: $RUMPTEST_LIB"
t_shmif
t_virtif
echo "net: $npass passed, $nfail failed, $nskip skipped"
[ $nfail -eq 0 ]
