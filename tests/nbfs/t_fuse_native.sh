#!/bin/sh
# t_fuse_native.sh: FUSE mounts of images made by the native tools.  A
# generated tree (gentree.py: deep nesting, long names, links, empty and
# sparse files, a big file) made into FFS v1 and v2 (makefs), FAT32
# (mkfs.vfat + mcopy) and ISO 9660 + Rock Ridge (xorriso) images reads
# back through `nbfs mount` equal to the source (diff -r, symlinks as
# links).  Then a writable mount of an ext2 and a FAT image has a
# writer (200 new files and a 24 MB stream) and a reader (cmp of a big
# existing file and find over the whole tree, in a loop) running at
# once; after fusermount3 -u, nbfs exits 0, the native fsck (e2fsck -fn,
# fsck.vfat -n) finds the image clean, and the native reader (debugfs
# rdump, mcopy) sees exactly what the writer wrote.
# Knobs: NBFS_FUSE_FILES (600), NBFS_FUSE_BIG_MB (24).
# Assumes: nbfs with FUSE, /dev/fuse, fusermount3, python3; each native
# tool missing skips its part (all missing: SKIP).

. "$(dirname "$0")/lib.sh"
fuse_init python3
here=$(cd "$(dirname "$0")" && pwd)
files=${NBFS_FUSE_FILES:-600}
bigmb=${NBFS_FUSE_BIG_MB:-24}
imgmb=$((bigmb * 3 + 100))
done_any=0

mkdir mnt

# diffmount IMAGE SRC WHAT: a read-only mount equals the source tree.
diffmount() {
	fuse_start 200 mount "$1"
	treeeq "$2" mnt || fail "$3: diff -r through FUSE: $(head -n 5 diff.out)"
	info "$3: FUSE mount equals the source under diff -r ($(find "$2" | wc -l) entries)"
	fuse_stop "$3"
	done_any=1
}

# rw WHAT SRC IMAGE: writer and reader at once on a -w mount.
rw() {
	fuse_start 200 -w mount "$3"
	big=$(cd "$2" && find . -type f -size +1M | head -n 1)
	[ -n "$big" ] || fail "$1: no big file in the source"
	mkdata stream.src $((bigmb * 1000000)) 11
	(
		mkdir mnt/new_dir_written_live || exit 1
		i=0
		while [ $i -lt 200 ]; do
			mkdata "mnt/new_dir_written_live/file_$i" $((i * 37 + 1)) $i ||
			    exit 1
			i=$((i + 1))
		done
		cp stream.src mnt/new_dir_written_live/stream || exit 1
	) &
	wpid=$!
	rounds=0
	while kill -0 $wpid 2>/dev/null || [ $rounds -lt 3 ]; do
		cmp -s "$2/$big" "mnt/$big" || fail "$1: reader saw bad data in $big"
		find mnt >/dev/null 2>find.err || fail "$1: find during the write: $(head -n 2 find.err)"
		rounds=$((rounds + 1))
	done
	wait $wpid || fail "$1: the writer failed"
	mkdir -p expect/new_dir_written_live
	i=0
	while [ $i -lt 200 ]; do
		mkdata "expect/new_dir_written_live/file_$i" $((i * 37 + 1)) $i
		i=$((i + 1))
	done
	cp stream.src expect/new_dir_written_live/stream
	treeeq expect/new_dir_written_live mnt/new_dir_written_live ||
	    fail "$1: written tree reads back differently: $(head -n 3 diff.out)"
	fuse_stop "$1"
	info "$1: writer (200 files + $bigmb MB) and reader ($rounds rounds of cmp + find) at once; clean unmount"
}

if command -v mke2fs >/dev/null && command -v e2fsck >/dev/null &&
    command -v debugfs >/dev/null; then
	python3 "$here/gentree.py" src --files "$files" --big-mb "$bigmb" ||
	    fail gentree
	mke2fs -q -t ext2 -d src e.img ${imgmb}M || fail "mke2fs -d"
	rw "ext2" src e.img
	e2fsck -fn e.img >fsck.out 2>&1 ||
	    fail "ext2: e2fsck -fn after the FUSE writes: $(tail -n 5 fsck.out)"
	rm -rf rd && mkdir rd
	debugfs -R 'rdump /new_dir_written_live rd' e.img >/dev/null 2>&1 ||
	    fail "debugfs rdump"
	treeeq expect/new_dir_written_live rd/new_dir_written_live ||
	    fail "ext2: debugfs sees differently: $(head -n 3 diff.out)"
	info "ext2: e2fsck -fn clean; debugfs rdump equals what was written"
	rm -rf rd expect e.img
	done_any=1
fi

if command -v makefs >/dev/null; then
	[ -d src ] || python3 "$here/gentree.py" src --files "$files" \
	    --big-mb "$bigmb" || fail gentree
	for v in 1 2; do
		makefs -t ffs -o version=$v -s ${imgmb}m f.img src >log 2>&1 ||
		    fail "makefs v$v: $(tail -n 3 log)"
		diffmount f.img src "FFS v$v (makefs)"
		rm -f f.img
	done
fi

iso=
command -v xorriso >/dev/null && iso="xorriso -as mkisofs"
[ -z "$iso" ] && command -v genisoimage >/dev/null && iso=genisoimage
if [ -n "$iso" ]; then
	[ -d src ] || python3 "$here/gentree.py" src --files "$files" \
	    --big-mb "$bigmb" || fail gentree
	$iso -R -J -quiet -o i.iso src >log 2>&1 || fail "$iso: $(tail -n 3 log)"
	diffmount i.iso src "ISO 9660 + Rock Ridge ($iso)"
	rm -f i.iso
fi

if command -v mkfs.vfat >/dev/null && command -v mcopy >/dev/null; then
	export MTOOLS_SKIP_CHECK=1
	python3 "$here/gentree.py" fatsrc --fat --files "$files" \
	    --big-mb "$bigmb" || fail "gentree --fat"
	mkfs.vfat -F 32 -C v.img $((imgmb * 1024)) >/dev/null || fail mkfs.vfat
	(cd fatsrc && mcopy -s -Q -i ../v.img ./* ::/) || fail "mcopy -s"
	diffmount v.img fatsrc "FAT32 (mkfs.vfat + mcopy)"
	rm -rf expect
	rw "FAT32" fatsrc v.img
	if command -v fsck.vfat >/dev/null; then
		fsck.vfat -n v.img >fsck.out 2>&1 ||
		    fail "FAT: fsck.vfat -n after the FUSE writes: $(tail -n 5 fsck.out)"
	fi
	rm -rf mc && mkdir mc
	mcopy -s -i v.img ::/new_dir_written_live mc/ || fail "mcopy out"
	treeeq expect/new_dir_written_live mc/new_dir_written_live ||
	    fail "FAT: mcopy sees differently: $(head -n 3 diff.out)"
	info "FAT32: fsck.vfat -n clean; mcopy equals what was written"
	rm -rf mc expect v.img
fi
[ $done_any -eq 1 ] || skip "no native tool (mke2fs, makefs, xorriso, mkfs.vfat) found"
exit 0
