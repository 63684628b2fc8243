#!/bin/sh
# t_bmap.sh: get's block-map fast path (tools/nbfs/bmapcopy.c), which
# copies ext2/FFS file data straight from the image at the addresses
# NetBSD's file system gives (FIOGETBMAP).  On ext2 (indirect blocks,
# 1 KiB and 4 KiB blocks) and FFS v2 (makefs, if present: long runs,
# cut into several host copies): files of awkward sizes
# and sparse files (holes at the start, between single blocks, at the
# end) come out byte-equal to the source both through the fast path
# and through rump_sys_read (NBFS_NOBMAP=1); holes stay holes, which
# shows the fast path ran (the read path writes a chunk holding data
# and one-block holes whole); a block pointer beyond the image's end
# makes get fail with an error instead of copying anything from there;
# into another file system (/dev/shm) the host copy falls back to
# pread/pwrite.
# Assumes: e2fsprogs (mke2fs -d, debugfs -w); else SKIP.

. "$(dirname "$0")/lib.sh"
need mke2fs debugfs

mkdir -p src/sub
: >src/empty
for n in 1 1023 1024 1025 4095 4096 4097 65537; do
	mkdata src/s$n $n $n
done
mkdata src/sub/big 20971523 7
mkdata blk 4096 9
# sparse: hole, data, one-block holes between blocks, hole at the end.
: >src/sparse
for at in 1M 1M+8K 1M+16K 3M; do
	off=$(($(echo "$at" | sed 's/M/*1048576/; s/K/*1024/')))
	dd if=blk of=src/sparse bs=4096 seek=$((off / 4096)) conv=notrunc \
	    2>/dev/null || fail dd
done
truncate -s 5M src/sparse
ln src/s4097 src/s4097.link

# Allocated 512-byte blocks of a host file.
blocks() { stat -c %b "$1"; }

# check IMG LABEL: get through both paths, compare, holes kept.
check() {
	rm -rf fast slow
	ok get "$1" / fast
	treeeq src fast || fail "$2: fast path get differs: $(head -n 3 diff.out)"
	NBFS_NOBMAP=1 "$NBFS" -q get "$1" / slow 2>err ||
	    fail "$2: NBFS_NOBMAP=1 get: $(cat err)"
	treeeq src slow || fail "$2: read path get differs: $(head -n 3 diff.out)"
	[ "$(stat -c %i fast/s4097)" = "$(stat -c %i fast/s4097.link)" ] ||
	    fail "$2: hard link not kept"
	f=$(blocks fast/sparse) s=$(blocks slow/sparse)
	ok stat "$1" /sparse
	i=$(sed -n 's/.*Blocks: \([0-9]*\).*/\1/p' out)
	if [ "$i" -gt 128 ]; then
		info "$2: get equal to the source by both paths (the image's sparse file has $i sectors: no holes to keep)"
		return
	fi
	# 4 data blocks: 32 sectors on a 4 KiB-block host file system.
	[ "$f" -le 64 ] || fail "$2: sparse copy has $f sectors (holes lost)"
	[ "$f" -lt "$s" ] ||
	    fail "$2: fast path copy not sparser than the read path's ($f, $s sectors): fast path not used?"
	info "$2: get equal to the source by both paths; sparse file $f sectors (read path $s, image $i)"
}

# Can the host file system here keep holes at all?
truncate -s 1M holetest
[ "$(blocks holetest)" -eq 0 ] || skip "host file system keeps no holes"

for bs in 1024 4096; do
	mke2fs -q -t ext2 -b $bs -d src e$bs.img 64M >log 2>&1 ||
	    fail "mke2fs -b $bs: $(cat log)"
	check e$bs.img "ext2, $bs-byte blocks"
done
if command -v makefs >/dev/null; then
	makefs -t ffs -o version=2 -s 64m f2.img src >log 2>&1 ||
	    fail "makefs: $(tail -n 3 log)"
	check f2.img "FFS v2 (makefs)"
else
	info "FFS v2: SKIP: makefs not found"
fi

# Into another file system (copy_file_range refuses: EXDEV), where the
# fast path falls back to pread/pwrite.
if [ -d /dev/shm ] && [ -w /dev/shm ] &&
    [ "$(stat -c %d /dev/shm)" != "$(stat -c %d .)" ] &&
    x=$(mktemp -d /dev/shm/nbfs-bmap.XXXXXX); then
	trap 'rm -rf "$x"' EXIT
	ok get e4096.img / "$x/c"
	treeeq src "$x/c" || fail "get into /dev/shm differs: $(head -n 3 diff.out)"
	rm -rf "$x"
	info "get into /dev/shm (another file system): equal to the source"
else
	info "get into another file system: SKIP: no writable /dev/shm on another device"
fi

# A block pointer far beyond the end of the image: an error, no copy.
debugfs -w -R "sif /s4097 block[1] 40000000" e1024.img >log 2>&1 ||
    fail "debugfs sif: $(cat log)"
"$NBFS" -q get e1024.img /s4097 bad >out 2>err && fail "get of a file with a block beyond the image succeeded"
grep -q 's4097' err || fail "get: error does not name the file: $(cat err)"
[ ! -e bad ] || [ "$(stat -c %s bad)" -le 1024 ] ||
    fail "get: $(stat -c %s bad) bytes copied from a file whose second block is broken"
info "block beyond the image: $(head -n 1 err)"
