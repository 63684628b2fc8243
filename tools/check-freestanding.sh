#!/bin/sh
# The core must call nothing but the host interface, the mem* routines a
# compiler may emit for struct copies, and libgcc's 64-bit arithmetic
# helpers (on 32-bit targets).  Prints what it checked; fails
# naming any other undefined symbol in the core object.
#   usage: check-freestanding.sh CORE_OBJECT HOST_HEADER
set -eu
obj=$1
hdr=$2
allowed=$(sed -n 's/^[a-z].*[ *]\(rumphost_host_[a-z_0-9]*\)(.*/\1/p' "$hdr" |
    sort -u)
bad=""
n=0
for sym in $(nm -u "$obj" | awk '{print $2}'); do
	n=$((n + 1))
	case $sym in
	memcpy|memset|memmove|memcmp|_GLOBAL_OFFSET_TABLE_) continue ;;
	__udivdi3|__umoddi3|__divdi3|__moddi3|__udivmoddi4|__divmoddi4) continue ;;
	__x86.get_pc_thunk.*) continue ;;
	esac
	if ! printf '%s\n' "$allowed" | grep -qx "$sym"; then
		bad="$bad $sym"
	fi
done
if [ -n "$bad" ]; then
	echo "freestanding: FAIL: $obj calls outside the host interface:$bad"
	exit 1
fi
echo "freestanding: ok: $n undefined symbols in $obj, all host interface" \
    "or compiler runtime routines"
