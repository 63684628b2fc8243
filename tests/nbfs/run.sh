#!/bin/sh
#
# run.sh: the tests of nbfs (tools/nbfs), run by `make check-nbfs`.
#
# Environment: NBFS (the binary under test), LIBDIR (the build's lib
# dir, whose librumpuser.so.0 nbfs must load), RUMP_PREFIX.  Every
# tests/nbfs/t_*.sh runs with those plus WORKDIR (its own scratch
# directory) under a time limit, in its own session: exit 0 passes, 77
# skips (the last line says why), anything else fails.
# NBFS_ONLY="t_ext2 ..." runs a subset; NBFS_KEEP=1 keeps the scratch.

here=$(cd "$(dirname "$0")" && pwd)
limit=${NBFS_TEST_TIMEOUT:-300}
npass=0 nfail=0 nskip=0

if [ -z "$RUMP_PREFIX" ]; then
	echo "nbfs: SKIP: RUMP_PREFIX not set"
	exit 0
fi
if [ ! -x "$NBFS" ]; then
	echo "nbfs: $NBFS is not built"
	exit 1
fi
export NBFS LIBDIR RUMP_PREFIX
W=$(mktemp -d "${TMPDIR:-/tmp}/nbfs-test.XXXXXX") || exit 1
cleanup() {
	# A test that left a FUSE mount behind: detach exactly its mountpoint.
	for m in "$W"/*/mnt; do
		mountpoint -q "$m" 2>/dev/null && fusermount3 -u "$m"
	done
	if [ "$NBFS_KEEP" = 1 ] || [ $nfail -gt 0 ]; then
		find "$W" \( -name '*.img' -o -name '*.iso' \) -size +10M \
		    -exec rm -f {} + 2>/dev/null
		echo "# scratch directory kept: $W"
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

got=$(ldd "$NBFS" 2>/dev/null | awk '$1 == "librumpuser.so.0" { print $3 }')
echo "# $NBFS: librumpuser.so.0 => $got"
if [ -n "$LIBDIR" ] && [ "$(readlink -f "$got")" != \
    "$(readlink -f "$LIBDIR/librumpuser.so.0")" ]; then
	echo "not ok - libcheck: nbfs loads $got, not $LIBDIR/librumpuser.so.0"
	nfail=$((nfail + 1))
fi

for f in "$here"/t_*.sh; do
	name=$(basename "$f" .sh)
	if [ -n "$NBFS_ONLY" ]; then
		case " $NBFS_ONLY " in
		*" $name "*) ;;
		*) continue ;;
		esac
	fi
	mkdir -p "$W/$name"
	log=$W/$name.log
	WORKDIR=$W/$name timeout -s KILL "$limit" setsid sh "$f" >"$log" 2>&1 </dev/null
	st=$?
	last=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
	case $st in
	0)
		echo "ok - $name"
		grep '^# ' "$log" | sed 's/^/    /'
		npass=$((npass + 1))
		;;
	77)
		echo "skip - $name: $last"
		nskip=$((nskip + 1))
		;;
	*)
		[ $st -eq 137 ] && last="timed out after $limit s (killed)"
		echo "not ok - $name: exit $st: $last"
		tail -n 15 "$log" | sed 's/^/    # /'
		nfail=$((nfail + 1))
		;;
	esac
done
echo "nbfs: $npass passed, $nfail failed, $nskip skipped"
[ $nfail -eq 0 ]
