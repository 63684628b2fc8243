#!/bin/sh
#
# nbfs-get.sh: throughput of `nbfs get` on a 1 GiB ext2 image next to
# debugfs's dump/rdump of the same files from the same image (issue 5).
#
#   sh bench/nbfs-get.sh NBFS [RUMP_PREFIX]
#
# The image (mke2fs -d, 4 KiB blocks, 1 GiB) holds one 700 MB file and
# a tree of 3000 files (0..96 KiB, 100 directories); it lives in a
# scratch directory under TMPDIR and is deleted at the end.  Cache
# states: "first" gives each reader its own fresh copy of the image
# (cp + sync + evicted), read once: on a VM whose disk is not cached by
# the host for writes, that is the only truly cold read.  "cold" runs
# (three) follow posix_fadvise(DONTNEED) on the image alone (nothing
# else on the machine is evicted): cold for this kernel's page cache,
# but the host below may still hold the blocks.  "warm" ones (three)
# reread with the image cached.  With
# RUMP_PREFIX, nbfs is also run on NetBSD's librumpuser (LD_LIBRARY_PATH).
# Readers: nbfs (get's block-map fast path, tools/nbfs/bmapcopy.c),
# nbfs-read (the same binary with NBFS_NOBMAP=1: every byte through
# rump_sys_read), nbfs-old (NBFS_OLD=path: another nbfs binary, e.g. an
# earlier build, to compare in the same run) and debugfs, one after the
# other in each repetition.
# Each timed copy starts after a sync, so no earlier writeback overlaps
# it; the time includes writing the copy into the host page cache.
# Every copy is checked against the source (cmp / diff -r).

NBFS=${1:?usage: nbfs-get.sh NBFS [RUMP_PREFIX]}
RP=${2:-}
# Absolute paths: the runs happen in the scratch directory.
case $NBFS in /*) ;; *) NBFS=$PWD/$NBFS ;; esac
case ${NBFS_OLD:-/} in /*) ;; *) NBFS_OLD=$PWD/$NBFS_OLD ;; esac
W=$(mktemp -d "${TMPDIR:-/tmp}/nbfs-get.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
trap 'exit 130' INT TERM
cd "$W" || exit 1

mkdir -p src/tree
head -c 700000000 /dev/zero | openssl enc -aes-128-ctr -nosalt \
    -pass pass:big -pbkdf2 2>/dev/null >src/big || exit 1
python3 - <<'PY' || exit 1
import os, random
r = random.Random(5)
for i in range(3000):
    d = 'src/tree/d%03d' % (i % 100)
    os.makedirs(d, exist_ok=True)
    with open('%s/f%04d' % (d, i), 'wb') as o:
        o.write(r.randbytes(r.randrange(0, 96 * 1024)))
PY
mke2fs -q -F -t ext2 -b 4096 -d src img 1024M || exit 1
tree_bytes=$(du -sb --apparent-size src/tree | cut -f1)
big_bytes=$(stat -c %s src/big)

evict() {
	sync
	python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$IMG"
}

now() { date +%s.%N; }

# run READER PART CACHE: copy PART out, print one result line.
run() {
	rm -rf out && mkdir out
	sync	# no writeback of earlier runs during this one
	[ "$3" = warm ] && cat "$IMG" >/dev/null
	[ "$3" = warm ] || evict
	t0=$(now)
	case $1 in
	nbfs) "$NBFS" -q get "$IMG" "/$2" "out/$2" ;;
	nbfs-read) NBFS_NOBMAP=1 "$NBFS" -q get "$IMG" "/$2" "out/$2" ;;
	nbfs-old) "$NBFS_OLD" -q get "$IMG" "/$2" "out/$2" ;;
	nbfs-netbsd) LD_LIBRARY_PATH=$RP/lib "$NBFS" -q get "$IMG" "/$2" "out/$2" ;;
	debugfs)
		if [ "$2" = big ]; then
			debugfs -R "dump /big out/big" "$IMG"
		else
			debugfs -R "rdump /tree out" "$IMG"
		fi ;;
	esac >/dev/null 2>err || { echo "$1 $2 failed: $(cat err)"; return; }
	t1=$(now)
	if [ "$2" = big ]; then
		cmp -s out/big src/big || echo "$1 big: COPY DIFFERS"
		b=$big_bytes
	else
		diff -r out/tree src/tree >/dev/null || echo "$1 tree: COPY DIFFERS"
		b=$tree_bytes
	fi
	awk -v r="$1" -v p="$2" -v c="$3" -v b="$b" -v t0="$t0" -v t1="$t1" \
	    'BEGIN { t = t1 - t0; printf "%-12s %-5s %-5s %7.2f s %8.1f MB/s\n", r, p, c, t, b / t / 1e6 }'
}

echo "# image: 1 GiB ext2; big = $big_bytes bytes, tree = $tree_bytes bytes in 3000 files"
readers="nbfs nbfs-read"
[ -n "${NBFS_OLD:-}" ] && readers="$readers nbfs-old"
[ -n "$RP" ] && readers="$readers nbfs-netbsd"
readers="$readers debugfs"
for r in $readers; do
	cp img "img.$r" && sync || exit 1
	IMG=img.$r
	for part in big tree; do
		run "$r" "$part" first
	done
	rm -f "img.$r"
done
IMG=img
for part in big tree; do
	for cache in cold warm; do
		for rep in 1 2 3; do
			for r in $readers; do
				run "$r" "$part" "$cache"
			done
		done
	done
done
