#!/bin/sh
#
# run.sh: the real-rump-kernel tier (DESIGN.md section 4, tier 3).
#
#   run.sh LIBDIR RUMP_PREFIX            test LIBDIR/librumpuser.so.0
#   run.sh --netbsd [LIBDIR] RUMP_PREFIX test NetBSD's own library instead
#
# LIBDIR holds the librumpuser.so.0 under test.  RUMP_PREFIX is an install
# of NetBSD rump kernel components built by buildrump.sh (lib/librump*.so,
# include/rump/*.h).  The C tests are built here, linked with a RUNPATH to
# RUMP_PREFIX/lib, and run with LD_LIBRARY_PATH=LIBDIR so that LIBDIR's
# librumpuser.so.0 wins; each program checks in /proc/self/maps that it
# did.  Every tests/integration/t_*.sh is run too, with LIBDIR,
# RUMP_PREFIX, WORKDIR and CC in its environment: exit 0 passes, 77 skips
# (last line of output = reason), anything else fails.
#
# Every test runs in its own session under a time limit; one that
# overstays gets its threads' backtraces taken with gdb (when present)
# and is killed by its recorded process group.
#
# Environment knobs: CC; RUMP_CONTENTION_SECONDS (default 60);
# RUMPTEST_ONLY="name ..." runs a subset; RUMPTEST_KEEP=1 keeps the
# scratch directory.
#
# Output: one line per test (ok / not ok / skip), details prefixed "#",
# and a closing "rump: N passed, M failed, K skipped".  Exit 1 if any
# test failed.

here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-cc}
export CC

# name | libraries | time limit (s)
contention_secs=${RUMP_CONTENTION_SECONDS:-60}
ctests="init:-lrumpvfs -lrump:30
ext2_ro:-lrumpfs_ext2fs -lrumpfs_ffs -lrumpdev_disk -lrumpdev -lrumpvfs -lrump:150
ext2_rw:-lrumpfs_ext2fs -lrumpfs_ffs -lrumpdev_disk -lrumpdev -lrumpvfs -lrump:90
tmpfs:-lrumpfs_tmpfs -lrumpvfs -lrump:60
kthreads:-lrump:60
ksyms:-lrumpvfs -lrump:30
contention:-lrumpfs_tmpfs -lrumpfs_ext2fs -lrumpfs_ffs -lrumpdev_disk -lrumpdev -lrumpvfs -lrump:$((contention_secs + 60))"
script_limit=${RUMPTEST_SCRIPT_TIMEOUT:-180}

npass=0
nfail=0
nskip=0
netbsd=0

usage() {
	echo "usage: $0 [--netbsd] LIBDIR RUMP_PREFIX" >&2
	exit 2
}

if [ "$1" = "--netbsd" ]; then
	netbsd=1
	shift
	[ $# -eq 1 ] && set -- "" "$1"
fi
[ $# -eq 2 ] || usage
LIBDIR=$1
RUMP_PREFIX=$2
[ $netbsd -eq 1 ] && [ -n "$RUMP_PREFIX" ] && LIBDIR=$RUMP_PREFIX/lib

selected() {
	[ -z "$RUMPTEST_ONLY" ] && return 0
	for _s in $RUMPTEST_ONLY; do
		[ "$_s" = "$1" ] && return 0
	done
	return 1
}

# Every test name, C programs first, then scripts.
all_tests() {
	echo "$ctests" | while IFS=: read -r _n _l _t; do
		selected "$_n" && echo "$_n"
	done
	for _f in "$here"/t_*.sh; do
		[ -f "$_f" ] || continue
		_n=$(basename "$_f" .sh)
		selected "$_n" && echo "$_n"
	done
}

skip_all() {
	echo "rump: SKIP: $1"
	_n=$(all_tests | wc -l | tr -d ' ')
	echo "rump: 0 passed, 0 failed, $_n skipped"
	exit 0
}

if [ -z "$RUMP_PREFIX" ]; then
	skip_all "RUMP_PREFIX not set (point it at an install of NetBSD rump kernel components built by buildrump.sh)"
fi
if [ ! -e "$RUMP_PREFIX/lib/librump.so" ]; then
	skip_all "RUMP_PREFIX=$RUMP_PREFIX has no lib/librump.so (point it at an install of NetBSD rump kernel components built by buildrump.sh)"
fi
if [ ! -f "$RUMP_PREFIX/include/rump/rump.h" ]; then
	skip_all "RUMP_PREFIX=$RUMP_PREFIX has no include/rump/rump.h"
fi
if ! command -v "$CC" >/dev/null 2>&1; then
	skip_all "no C compiler ($CC)"
fi
case $(uname -s) in
Linux) ;;
*) skip_all "only Linux hosts are supported by this runner (uses /proc/self/maps)" ;;
esac

RUMP_PREFIX=$(cd "$RUMP_PREFIX" && pwd)
if [ ! -f "$LIBDIR/librumpuser.so.0" ]; then
	echo "not ok - setup: $LIBDIR/librumpuser.so.0 does not exist"
	echo "rump: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
LIBDIR=$(cd "$LIBDIR" && pwd)
export LIBDIR RUMP_PREFIX

# kill_group PID: SIGKILL the process group led by PID (each test runs in
# a session of its own), or PID alone without setsid.  dash's builtin kill
# takes no negative pids, hence env kill.
kill_group() {
	if [ $have_setsid -eq 1 ]; then
		env kill -s KILL -- "-$1" 2>/dev/null && return
	fi
	kill -s KILL "$1" 2>/dev/null
}

have_setsid=0
command -v setsid >/dev/null 2>&1 && have_setsid=1

W=$(mktemp -d "${TMPDIR:-/tmp}/rumphost-rump.XXXXXX") || exit 1
cur_pid=
cleanup() {
	[ -n "$cur_pid" ] && kill_group "$cur_pid"
	if [ "$RUMPTEST_KEEP" = 1 ]; then
		echo "# scratch directory kept: $W"
	elif [ $nfail -gt 0 ]; then
		find "$W" -name '*.img' -exec rm -f {} + 2>/dev/null
		find "$W" -name tree -type d -prune -exec rm -rf {} + 2>/dev/null
		echo "# logs of failed tests kept in $W"
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ $netbsd -eq 1 ]; then
	echo "# librumpuser under test: NetBSD's, $LIBDIR/librumpuser.so.0"
else
	echo "# librumpuser under test: $LIBDIR/librumpuser.so.0"
fi

if sleep 0.2 2>/dev/null; then
	tick=0.2
	tps=5
else
	tick=1
	tps=1
fi
have_gdb=0
command -v gdb >/dev/null 2>&1 && have_gdb=1

# run_bounded LIMIT LOG CMD...: run CMD in its own session with output to
# LOG; returns its exit status, 124 if it had to be killed at LIMIT s.
run_bounded() {
	_lim=$1
	_log=$2
	shift 2
	rm -f "$_log.rc" "$_log.pid"
	if [ $have_setsid -eq 1 ]; then
		(sh -c 'echo $$ >"$0"; exec setsid "$@"' "$_log.pid" "$@" \
		    >"$_log" 2>&1 </dev/null & wait $!; echo $? >"$_log.rc") 2>/dev/null &
	else
		(sh -c 'echo $$ >"$0"; exec "$@"' "$_log.pid" "$@" \
		    >"$_log" 2>&1 </dev/null & wait $!; echo $? >"$_log.rc") 2>/dev/null &
	fi
	_sub=$!
	_t=0
	while [ ! -s "$_log.pid" ] && [ ! -f "$_log.rc" ]; do
		sleep $tick
	done
	cur_pid=$(cat "$_log.pid" 2>/dev/null)
	while [ ! -f "$_log.rc" ]; do
		if [ $_t -ge $((_lim * tps)) ]; then
			if [ $have_gdb -eq 1 ] && [ -n "$cur_pid" ]; then
				timeout 60 gdb -p "$cur_pid" -batch \
				    -ex 'info threads' \
				    -ex 'thread apply all bt' \
				    >"$_log.bt" 2>&1 </dev/null
			fi
			kill_group "$cur_pid"
			wait "$_sub"
			cur_pid=
			return 124
		fi
		sleep $tick
		_t=$((_t + 1))
	done
	wait "$_sub"
	cur_pid=
	return "$(cat "$_log.rc")"
}

sig_name() {
	kill -l "$1" 2>/dev/null || echo "$1"
}

last_line() {
	grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1
}

# report NAME STATUS LOG LIMIT
report() {
	_name=$1
	_st=$2
	_log=$3
	case $_st in
	0)
		echo "ok - $_name"
		grep '^# ' "$_log" | sed 's/^/    /'
		npass=$((npass + 1))
		;;
	77)
		echo "skip - $_name: $(last_line "$_log")"
		nskip=$((nskip + 1))
		;;
	124)
		echo "not ok - $_name: timed out after $4 s (killed); last output: $(last_line "$_log")"
		[ -f "$_log.bt" ] &&
		    echo "    # all threads' backtraces: $_log.bt"
		nfail=$((nfail + 1))
		;;
	*)
		if [ "$_st" -gt 128 ]; then
			_why="killed by SIG$(sig_name $((_st - 128)))"
		else
			_why="exit $_st"
		fi
		echo "not ok - $_name: $_why: $(last_line "$_log")"
		tail -n 12 "$_log" | sed 's/^/    # /'
		nfail=$((nfail + 1))
		;;
	esac
}

CFLAGS=${RUMPTEST_CFLAGS:--std=gnu11 -O2 -g -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2}
LDFLAGS="-L$RUMP_PREFIX/lib -Wl,--enable-new-dtags -Wl,-rpath,$RUMP_PREFIX/lib -Wl,--no-as-needed"
RUMPTEST_LIB=$LIBDIR/librumpuser.so.0
RUMP_CONTENTION_SECONDS=$contention_secs
export RUMPTEST_LIB RUMP_CONTENTION_SECONDS
mkdir -p "$W/bin"

# The C tests.
libcheck_done=0
while IFS=: read -r name libs limit; do
	selected "$name" || continue
	log=$W/$name.log
	missing=
	for l in $libs; do
		[ -e "$RUMP_PREFIX/lib/lib${l#-l}.so" ] || missing="$missing ${l#-l}"
	done
	if [ -n "$missing" ]; then
		echo "skip - $name: RUMP_PREFIX lacks$missing"
		nskip=$((nskip + 1))
		continue
	fi
	bin=$W/bin/$name
	# shellcheck disable=SC2086
	if ! $CC $CFLAGS -I"$RUMP_PREFIX/include" -o "$bin" \
	    "$here/$name.c" "$here/rumptest.c" $LDFLAGS $libs -lrumpuser \
	    -lpthread >"$log.build" 2>&1; then
		echo "not ok - $name: build failed"
		head -n 20 "$log.build" | sed 's/^/    # /'
		nfail=$((nfail + 1))
		continue
	fi
	if [ $libcheck_done -eq 0 ] && command -v ldd >/dev/null 2>&1; then
		libcheck_done=1
		got=$(LD_LIBRARY_PATH=$LIBDIR ldd "$bin" | awk '$1 == "librumpuser.so.0" { print $3 }')
		echo "# ldd: librumpuser.so.0 => $got"
		if [ "$(readlink -f "$got")" != "$(readlink -f "$RUMPTEST_LIB")" ]; then
			echo "not ok - libcheck: the dynamic linker picks $got, not $RUMPTEST_LIB"
			nfail=$((nfail + 1))
		fi
	fi
	mkdir -p "$W/$name"
	run_bounded "$limit" "$log" \
	    env WORKDIR="$W/$name" LD_LIBRARY_PATH="$LIBDIR" "$bin"
	report "$name" $? "$log" "$limit"
done <<EOF
$ctests
EOF

# The scripts.
for f in "$here"/t_*.sh; do
	[ -f "$f" ] || continue
	name=$(basename "$f" .sh)
	selected "$name" || continue
	log=$W/$name.log
	mkdir -p "$W/$name"
	run_bounded "$script_limit" "$log" env WORKDIR="$W/$name" sh "$f"
	report "$name" $? "$log" "$script_limit"
done

echo "rump: $npass passed, $nfail failed, $nskip skipped"
[ $nfail -eq 0 ]
