#!/bin/sh
# t_probe.sh: the superblock probe (fsdetect.c) built on its own with
# ASan+UBSan (plain if the compiler lacks them) recognises seed images of
# every type the native tools here can make, and survives thousands of
# mutated and truncated copies of each (probe_fuzz.c).
# Assumes: a C compiler ($CC or cc); at least mke2fs, else SKIP.

. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
CC=${CC:-cc}
need "$CC" mke2fs
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
echo 'int main(void){return 0;}' | $CC $san -x c -o /dev/null - 2>/dev/null || san=
$CC -std=c11 -g -O1 -D_GNU_SOURCE $san -o fuzz "$here/probe_fuzz.c" \
    "$top/tools/nbfs/fsdetect.c" || fail "build probe_fuzz"
mkdir t && echo x >t/x
seeds=
mke2fs -q -t ext2 -d t e.img 4M && seeds="$seeds ext2=e.img"
command -v makefs >/dev/null && makefs -t ffs -s 4m f1.img t >/dev/null &&
    makefs -t ffs -s 4m -o version=2 f2.img t >/dev/null &&
    seeds="$seeds ffs=f1.img ffs=f2.img"
command -v mkfs.vfat >/dev/null && mkfs.vfat -C v.img 4096 >/dev/null &&
    mkfs.vfat -F 32 -C v32.img 70000 >/dev/null &&
    seeds="$seeds fat=v.img fat=v32.img"
command -v xorriso >/dev/null && xorriso -as mkisofs -quiet -o i.iso t \
    2>/dev/null && seeds="$seeds iso9660=i.iso"
# shellcheck disable=SC2086
./fuzz $seeds || fail "probe_fuzz failed"
[ -n "$san" ] && info "built with ASan+UBSan"
exit 0
