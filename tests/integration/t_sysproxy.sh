#!/bin/sh
#
# t_sysproxy.sh: the syscall proxy (rumpuser_sp_*, rump_sp(7)) under a real
# rump_server, driven by NetBSD's own librumpclient.
#
# Environment (run.sh convention): LIBDIR (holds the librumpuser.so.0 under
# test), RUMP_PREFIX (buildrump.sh install: bin/rump_server,
# lib/librumpclient.so, include/rump), WORKDIR (scratch), CC.
# Exit 0 = pass, 77 = skip (last line says why), anything else = fail.
#
# Steps:
#  1. rump_server -s (foreground) -lrumpvfs -lrumpfs_tmpfs on
#     unix://$WORKDIR/sock; its pid is recorded and /proc/PID/maps must
#     show LIBDIR's librumpuser.so.0.
#  2. sp_client run: getpid, tmpfs mount, file write/read-back, getdents,
#     ~1000-byte paths (chdir, rename, getcwd), failing calls and their
#     NetBSD errno, 4 threads at once, rumpclient_fork.
#  3. Hostile connections (sp_client raw): garbage, an oversized length,
#     a length below the header size, a syscall before the handshake,
#     half a header; and, on our library only, the cases that crash or
#     hang NetBSD's server (named after the NetBSD bug, see below).  The
#     server must stay up after each.
#  4. sp_client run again, and two clients at once: still serving; and
#     sp_client exec: the rump process and its descriptors (less the
#     close-on-exec ones) survive rumpclient_exec (exec handshake); then
#     clients killed while blocked in a syscall (teardown wakes the lwp).
#  5. SIGTERM: the server halts its kernel (rumpuser_sp_fini), exits 0
#     and removes its socket.
#  6. A second server on tcp://127.0.0.1:PORT, and one on a relative
#     unix:// path; a client halts it with reboot(2), which must be
#     answered before the server exits.
# Servers are stopped by their recorded pid only, and waited for.
#
# Run against NetBSD's library (LIBDIR=$RUMP_PREFIX/lib) to check the test
# itself; the NetBSD-bug cases are then reported and skipped.

CC=${CC:-cc}
here=$(cd "$(dirname "$0")" && pwd)

skip() {
	echo "SKIP: $1"
	exit 77
}

[ -n "$RUMP_PREFIX" ] || skip "RUMP_PREFIX not set"
[ -n "$LIBDIR" ] || skip "LIBDIR not set"
[ -x "$RUMP_PREFIX/bin/rump_server" ] ||
    skip "no $RUMP_PREFIX/bin/rump_server"
[ -e "$RUMP_PREFIX/lib/librumpclient.so" ] ||
    skip "no $RUMP_PREFIX/lib/librumpclient.so"
[ -e "$RUMP_PREFIX/lib/librumpkern_sysproxy.so" ] ||
    skip "no $RUMP_PREFIX/lib/librumpkern_sysproxy.so"
[ -f "$RUMP_PREFIX/include/rump/rumpclient.h" ] ||
    skip "no $RUMP_PREFIX/include/rump/rumpclient.h"
[ -f "$LIBDIR/librumpuser.so.0" ] || {
	echo "FAIL: $LIBDIR/librumpuser.so.0 does not exist"
	exit 1
}
[ -d /proc/self ] || skip "no /proc (needed to check the loaded library)"
case $(uname -m) in
x86_64|aarch64) ;;
*) skip "the client assumes an LP64 host (NetBSD dirent/tmpfs layouts)" ;;
esac

if [ -z "$WORKDIR" ]; then
	WORKDIR=$(mktemp -d "${TMPDIR:-/tmp}/t_sysproxy.XXXXXX") || exit 1
	own_workdir=1
fi
mkdir -p "$WORKDIR" || exit 1
W=$(cd "$WORKDIR" && pwd -P)
# sun_path is 108 bytes: keep the socket path short if WORKDIR is deep.
if [ ${#W} -gt 80 ]; then
	S=$(mktemp -d "${TMPDIR:-/tmp}/tsp.XXXXXX") || exit 1
	own_sdir=1
else
	S=$W
fi
LIBDIR=$(cd "$LIBDIR" && pwd -P)
RUMP_PREFIX=$(cd "$RUMP_PREFIX" && pwd -P)
lib=$(readlink -f "$LIBDIR/librumpuser.so.0")

netbsd=0
[ "$LIBDIR" = "$RUMP_PREFIX/lib" ] && netbsd=1

spid=
cleanup() {
	if [ -n "$spid" ]; then
		kill -KILL "$spid" 2>/dev/null
		wait "$spid" 2>/dev/null
	fi
	[ -n "$own_sdir" ] && rm -rf "$S"
	[ -n "$own_workdir" ] && rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "# server log:"
	sed 's/^/#   /' "$W/server.log" 2>/dev/null | tail -n 20
	echo "FAIL: $1"
	exit 1
}

echo "# librumpuser under test: $lib"
[ $netbsd -eq 1 ] && echo "# (NetBSD's own: checking the test itself)"

"$CC" -std=c11 -D_GNU_SOURCE -O1 -g -Wall -I"$RUMP_PREFIX/include" \
    -o "$W/sp_client" "$here/sp_client.c" -L"$RUMP_PREFIX/lib" \
    -Wl,-rpath,"$RUMP_PREFIX/lib" -lrumpclient -lpthread \
    >"$W/cc.log" 2>&1 || {
	sed 's/^/#   /' "$W/cc.log"
	echo "FAIL: cannot build sp_client"
	exit 1
}
CLIENT=$W/sp_client

# bounded SECS CMD...: run CMD with a time limit (if timeout(1) exists).
if command -v timeout >/dev/null 2>&1; then
	bounded() { timeout "$@"; }
else
	bounded() { shift; "$@"; }
fi

# start_server URL [DIR]: start rump_server in the foreground (-s), in DIR,
# record its pid in $spid.
start_server() {
	(cd "${2:-$W}" && LD_LIBRARY_PATH=$LIBDIR:$RUMP_PREFIX/lib \
	    exec "$RUMP_PREFIX/bin/rump_server" -s -lrumpvfs -lrumpfs_tmpfs \
	    "$1") >"$W/server.log" 2>&1 &
	spid=$!
}

# wait_up SOCKETFILE: until the socket exists (or the server died).
wait_up() {
	_i=0
	while [ ! -S "$1" ]; do
		kill -0 "$spid" 2>/dev/null || fail "server died at startup"
		_i=$((_i + 1))
		[ $_i -gt 200 ] && fail "no socket $1 after 20 s"
		sleep 0.1
	done
}

check_lib() {
	grep -qF "$lib" "/proc/$spid/maps" ||
	    fail "server (pid $spid) did not load $lib"
}

alive() {
	kill -0 "$spid" 2>/dev/null || fail "server died ($1)"
}

# stop_server: SIGTERM, which halts the rump kernel; wait for the exit.
stop_server() {
	kill -TERM "$spid" 2>/dev/null
	_i=0
	while kill -0 "$spid" 2>/dev/null; do
		_i=$((_i + 1))
		if [ $_i -gt 100 ]; then
			kill -KILL "$spid"
			wait "$spid"
			spid=
			fail "server did not exit 10 s after SIGTERM"
		fi
		sleep 0.1
	done
	wait "$spid"
	_rc=$?
	spid=
	return $_rc
}

client() {
	bounded 60 "$CLIENT" "$@" >"$W/client.log" 2>&1
	_rc=$?
	sed 's/^/#   /' "$W/client.log"
	return $_rc
}

# --- 1, 2: a server on a unix socket, a real client ------------------------
sock=$S/sock
rm -f "$sock"
start_server "unix://$sock"
wait_up "$sock"
check_lib
echo "# server pid $spid on unix://$sock"

RUMP_SERVER=unix://$sock client run first || fail "client run first"
alive "after the first client"

# --- 3: hostile connections ------------------------------------------------
for k in garbage oversize shortlen nohandshake halfheader; do
	client raw "$sock" "$k" || fail "raw $k"
	sleep 0.2
	alive "after raw $k"
done
# NetBSD's server mishandles these (so they run on ours only):
#  hugeresp      - allocates the length a client claims for a reply
#                  nobody asked for, then waits for 4 GiB;
#  overlongreply - accepts a copyin reply longer than the request;
#  badsysnum     - sysnum 0xffffffff indexes the syscall table at -1 and
#                  the server dies;
#  noargs        - a syscall frame without argument bytes hands the
#                  kernel a NULL argument pointer and the server dies.
for k in hugeresp overlongreply badsysnum noargs; do
	if [ $netbsd -eq 1 ]; then
		echo "# raw $k: skipped on NetBSD's library (NetBSD bug)"
		continue
	fi
	client raw "$sock" "$k" || fail "raw $k"
	sleep 0.2
	alive "after raw $k"
done

# --- 4: still serving ------------------------------------------------------
RUMP_SERVER=unix://$sock client run second || fail "client run after raw"
RUMP_SERVER=unix://$sock client exec || fail "exec handshake"
# A client killed while its syscall sleeps in the kernel: teardown must
# wake that lwp and go on.
for n in 1 2 3; do
	RUMP_SERVER=unix://$sock "$CLIENT" block >"$W/block.log" 2>&1 &
	bp=$!
	_i=0
	while ! grep -q blocking "$W/block.log" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && fail "block client did not start"
		sleep 0.1
	done
	sleep 0.2
	kill -KILL "$bp"
	wait "$bp" 2>/dev/null
done
sleep 0.3
alive "after killing clients blocked in syscalls"
RUMP_SERVER=unix://$sock client ping || fail "ping after killed clients"
RUMP_SERVER=unix://$sock bounded 60 "$CLIENT" run par1 >"$W/par1.log" 2>&1 &
p1=$!
RUMP_SERVER=unix://$sock bounded 60 "$CLIENT" run par2 >"$W/par2.log" 2>&1 &
p2=$!
wait "$p1"
r1=$?
wait "$p2"
r2=$?
sed 's/^/#   /' "$W/par1.log" "$W/par2.log" | grep -v '^#   # '
[ $r1 -eq 0 ] && [ $r2 -eq 0 ] || fail "two clients at once ($r1, $r2)"

# --- 5: SIGTERM halts the kernel, fini removes the socket --------------------
stop_server
rc=$?
[ $rc -eq 0 ] || fail "server exit status $rc after SIGTERM"
[ -e "$sock" ] && fail "socket $sock left behind after a clean halt"
echo "# SIGTERM: clean exit, socket removed"

# --- 6: tcp, a relative unix path, halt from a client -----------------------
port=$((20000 + $$ % 30000))
tries=0
while :; do
	start_server "tcp://127.0.0.1:$port"
	_i=0
	up=0
	while [ $_i -lt 100 ]; do
		kill -0 "$spid" 2>/dev/null || break
		if RUMP_SERVER=tcp://127.0.0.1:$port bounded 20 "$CLIENT" ping \
		    >/dev/null 2>&1; then
			up=1
			break
		fi
		_i=$((_i + 1))
		sleep 0.1
	done
	[ $up -eq 1 ] && break
	if kill -0 "$spid" 2>/dev/null; then
		fail "tcp server on port $port does not answer"
	fi
	wait "$spid"
	spid=
	tries=$((tries + 1))
	[ $tries -ge 5 ] && fail "cannot start a tcp server (ports in use?)"
	port=$((port + 7))
done
check_lib
echo "# server pid $spid on tcp://127.0.0.1:$port"
RUMP_SERVER=tcp://127.0.0.1:$port client run tcp || fail "client over tcp"
stop_server || fail "tcp server exit status $?"

rm -f "$S/rel.sock"
start_server "unix://rel.sock" "$S"
wait_up "$S/rel.sock"
check_lib
echo "# server pid $spid on unix://rel.sock in $S"
RUMP_SERVER=unix://$S/rel.sock client run rel || fail "client, relative path"
RUMP_SERVER=unix://$S/rel.sock client halt || fail "halt from a client"
_i=0
while kill -0 "$spid" 2>/dev/null; do
	_i=$((_i + 1))
	[ $_i -gt 100 ] && fail "server still running 10 s after reboot(2)"
	sleep 0.1
done
wait "$spid"
rc=$?
spid=
[ $rc -eq 0 ] || fail "server exit status $rc after reboot(2)"
[ -e "$S/rel.sock" ] && fail "relative socket left behind after halt"

echo "PASS: sysproxy (unix, tcp, relative path, hostile clients, fork," \
    "exec, halt)"
exit 0
