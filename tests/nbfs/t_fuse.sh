#!/bin/sh
# t_fuse.sh: nbfs mount (FUSE 3).  Read-only by default: the tree reads
# back equal (diff -r) and writes fail with EROFS.  With -w: cp -a a
# tree in, diff -r, a writer and a reader running at once, then SIGTERM
# to nbfs: it exits 143, DIR is no longer a mount point, and e2fsck -fn
# finds the image clean with the writer's file intact.  The nbfs
# process is ended by its recorded pid; mounts are undone with
# fusermount3 -u on the exact mountpoint.
# Assumes: nbfs built with FUSE, /dev/fuse usable, fusermount3,
# mountpoint(1), e2fsprogs; else SKIP.

. "$(dirname "$0")/lib.sh"
fuse_init mke2fs e2fsck

mktree src
mke2fs -q -t ext2 -d src img 128M || fail mke2fs
mkdir mnt

fuse_start 100 mount img
treeeq src mnt ||
    fail "read-only mount: diff -r: $(head -n 3 diff.out)"
touch mnt/newfile 2>err && fail "write to a read-only mount succeeded"
grep -q 'Read-only file system' err || fail "ro write: $(cat err)"
info "read-only mount: diff -r equal, writes get EROFS"
fuse_stop "read-only mount"

fuse_start 100 -w mount img
cp -a src mnt/copy || fail "cp -a into the mount"
treeeq src mnt/copy || fail "diff -r after cp -a"
mkdata stream.src 20000000 7
(cp stream.src mnt/stream && sync mnt/stream) &
wpid=$!
i=0
while [ $i -lt 20 ]; do
	cmp -s mnt/copy/big src/big || { kill $wpid; fail "reader saw bad data"; }
	ls -lR mnt >/dev/null || fail "ls -lR during the write"
	i=$((i + 1))
done
wait $wpid || fail "writer failed"
cmp -s stream.src mnt/stream || fail "written file reads back differently"
info "read-write mount: cp -a + diff -r, concurrent reader and writer ok"
kill -TERM "$pid"
wait "$pid"
st=$?
pid=
[ $st -eq 143 ] || fail "nbfs after SIGTERM exited $st, want 143: $(cat log)"
mountpoint -q mnt && fail "still mounted after SIGTERM"
e2fsck -fn img >fsck.out 2>&1 || fail "e2fsck -fn: $(tail -n 5 fsck.out)"
"$NBFS" -q cat img /stream | cmp -s - stream.src || fail "stream after unmount"
info "SIGTERM: exit 143, unmounted, e2fsck -fn clean, data intact"
exit 0
