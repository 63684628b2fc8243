#!/bin/sh
#
# t_symbols.sh: LIBDIR/librumpuser.so.0 defines every rumpuser_* and
# rumpcomp_* symbol that the rump kernel libraries in RUMP_PREFIX/lib
# leave undefined (so any of them can be loaded against it).
#
# Convention of run.sh: env LIBDIR, RUMP_PREFIX, WORKDIR, CC; exit 0 =
# pass, 77 = skip (the last line says why), anything else = fail.
# Assumes: binutils nm with -D; the rump libraries are shared objects
# named lib/librump*.so.

lib=$LIBDIR/librumpuser.so.0
command -v nm >/dev/null 2>&1 || { echo "nm not found (binutils)"; exit 77; }
[ -f "$lib" ] || { echo "$lib does not exist"; exit 1; }

need=$WORKDIR/needed
have=$WORKDIR/defined
: >"$need"
nlibs=0
for so in "$RUMP_PREFIX"/lib/librump*.so; do
	case ${so##*/} in
	librumpuser.so) continue ;;
	esac
	nlibs=$((nlibs + 1))
	nm -D -u "$so" | awk '{ print $NF }' | sed 's/@.*//' |
	    grep -E '^(rumpuser|rumpcomp)_' |
	    sed "s|\$| ${so##*/}|" >>"$need.by"
done
awk '{ print $1 }' "$need.by" | sort -u >"$need"
nm -D --defined-only "$lib" | awk '{ print $NF }' | sed 's/@.*//' |
    sort -u >"$have"

missing=$(comm -23 "$need" "$have")
nneed=$(wc -l <"$need" | tr -d ' ')
if [ -n "$missing" ]; then
	echo "missing from $lib:"
	for s in $missing; do
		echo "    $s (needed by$(awk -v s="$s" '$1 == s { printf " %s", $2 }' "$need.by"))"
	done
	echo "$(echo "$missing" | wc -l | tr -d ' ') of $nneed symbols needed by $nlibs rump libraries are missing: $(echo "$missing" | tr '\n' ' ')"
	exit 1
fi
echo "# all $nneed rumpuser_*/rumpcomp_* symbols needed by $nlibs rump libraries are defined"
exit 0
