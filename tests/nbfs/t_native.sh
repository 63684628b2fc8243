#!/bin/sh
# t_native.sh: nbfs against native implementations.  A generated tree
# (gentree.py: thousands of files, 40-deep nesting, 250-byte names,
# symlinks, hard links, empty and sparse files, a file over 100 MiB) is
# made into images by mke2fs -d (ext2), makefs (FFS v1 and v2),
# mkfs.vfat + mcopy (FAT32) and xorriso (ISO 9660 + Rock Ridge); nbfs
# get of each equals the source (diff -r).  Then nbfs -w put writes a
# second tree into the ext2, FAT and FFS images, and the native tools
# see it identically: e2fsck -fn and debugfs rdump (ext2), fsck.vfat -n
# and mcopy (FAT); FFS is reread by a fresh nbfs.
# Knobs: NBFS_NATIVE_FILES (2000), NBFS_NATIVE_BIG_MB (110).
# Assumes: python3; each native tool missing skips its part (all
# missing: SKIP).

. "$(dirname "$0")/lib.sh"
need python3
here=$(cd "$(dirname "$0")" && pwd)
files=${NBFS_NATIVE_FILES:-2000}
bigmb=${NBFS_NATIVE_BIG_MB:-110}
python3 "$here/gentree.py" src --files "$files" --big-mb "$bigmb" ||
    fail gentree
python3 "$here/gentree.py" fatsrc --fat --files "$files" --big-mb "$bigmb" ||
    fail "gentree --fat"
python3 "$here/gentree.py" put2 --files 300 --big-mb 2 || fail gentree
python3 "$here/gentree.py" fatput2 --fat --files 300 --big-mb 2 || fail gentree
imgmb=$((bigmb * 2 + 200))
done_any=0

readback() {	# readback IMAGE SRC WHAT [links]
	rm -rf copy
	"$NBFS" -q get "$1" / copy >log 2>&1 || fail "$3: nbfs get: $(tail -n 3 log)"
	treeeq "$2" copy || fail "$3: nbfs get differs: $(head -n 5 diff.out)"
	if [ -f "$2/hard_link_to_empty" ] && [ "${4:-}" = links ]; then
		[ "$(stat -c %i copy/empty_file_zero_bytes)" = \
		    "$(stat -c %i copy/hard_link_to_empty)" ] ||
		    fail "$3: nbfs get did not keep the hard link"
	fi
	info "$3: nbfs get of $(find "$2" | wc -l) entries equals the source"
	rm -rf copy
	done_any=1
}

if command -v mke2fs >/dev/null && command -v e2fsck >/dev/null; then
	mke2fs -q -t ext2 -N 20000 -d src e.img ${imgmb}M || fail "mke2fs -d"
	readback e.img src "ext2 (mke2fs -d)" links
	"$NBFS" -q -w put e.img put2 /put2 >log 2>&1 || fail "ext2 put: $(cat log)"
	e2fsck -fn e.img >fsck.out 2>&1 || fail "ext2: e2fsck -fn after put: $(tail -n 5 fsck.out)"
	mkdir rd && debugfs -R 'rdump /put2 rd' e.img >/dev/null 2>&1 ||
	    fail "debugfs rdump"
	treeeq put2 rd/put2 || fail "ext2: debugfs rdump differs: $(head -n 5 diff.out)"
	info "ext2: nbfs put seen identically by debugfs rdump; e2fsck -fn clean"
	rm -rf rd e.img
fi

if command -v makefs >/dev/null; then
	for v in 1 2; do
		makefs -t ffs -o version=$v -s ${imgmb}m -f 20000 f.img src >log 2>&1 ||
		    fail "makefs v$v: $(tail -n 3 log)"
		readback f.img src "FFS v$v (makefs)" links
		"$NBFS" -q -w put f.img put2 /put2 >log 2>&1 ||
		    fail "FFS v$v put: $(cat log)"
		rm -rf copy
		"$NBFS" -q get f.img /put2 copy >log 2>&1 || fail "FFS reread"
		treeeq put2 copy || fail "FFS v$v: reread differs"
		info "FFS v$v: nbfs put reread equal by a fresh nbfs"
		rm -rf copy f.img
	done
fi

if command -v mkfs.vfat >/dev/null && command -v mcopy >/dev/null; then
	export MTOOLS_SKIP_CHECK=1
	mkfs.vfat -F 32 -C v.img $((imgmb * 1024)) >/dev/null || fail mkfs.vfat
	(cd fatsrc && mcopy -s -Q -i ../v.img ./* ::/) || fail "mcopy -s"
	readback v.img fatsrc "FAT32 (mkfs.vfat + mcopy)"
	"$NBFS" -q -w put v.img fatput2 /fatput2 >log 2>&1 ||
	    fail "FAT put: $(cat log)"
	if command -v fsck.vfat >/dev/null; then
		fsck.vfat -n v.img >fsck.out 2>&1 ||
		    fail "fsck.vfat -n after put: $(tail -n 5 fsck.out)"
	fi
	mkdir mc && mcopy -s -i v.img ::/fatput2 mc/ || fail "mcopy out"
	treeeq fatput2 mc/fatput2 || fail "FAT: mcopy sees differently: $(head -n 5 diff.out)"
	info "FAT: nbfs put seen identically by mcopy; fsck.vfat -n clean"
	rm -rf mc v.img
fi

iso=
command -v xorriso >/dev/null && iso="xorriso -as mkisofs"
[ -z "$iso" ] && command -v genisoimage >/dev/null && iso=genisoimage
if [ -n "$iso" ]; then
	$iso -R -J -quiet -o i.iso src >log 2>&1 || fail "$iso: $(tail -n 3 log)"
	readback i.iso src "ISO 9660 + Rock Ridge ($iso)"
	bad 2 'nbfs does not write iso9660' -w mkdir i.iso /x
	rm -f i.iso
fi
[ $done_any -eq 1 ] || skip "no native tool (mke2fs, makefs, mkfs.vfat, xorriso) found"
exit 0
