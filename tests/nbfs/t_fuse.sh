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
need mke2fs e2fsck fusermount3 mountpoint
"$NBFS" -h | grep -q 'mount' || skip "nbfs built without FUSE 3"
[ -c /dev/fuse ] && [ -w /dev/fuse ] || skip "/dev/fuse not usable"

pid=
cleanup() {
	mountpoint -q "$W/mnt" 2>/dev/null && fusermount3 -u "$W/mnt"
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
}
trap cleanup EXIT

# waitmount: until $W/mnt is a mount point (10 s).
waitmount() {
	_i=0
	while ! mountpoint -q "$W/mnt"; do
		_i=$((_i + 1))
		[ $_i -gt 100 ] && fail "no mount after 10 s: $(cat log)"
		kill -0 "$pid" 2>/dev/null || fail "nbfs mount died: $(cat log)"
		sleep 0.1
	done
}

mktree src
mke2fs -q -t ext2 -d src img 128M || fail mke2fs
mkdir mnt

"$NBFS" mount img "$W/mnt" >log 2>&1 &
pid=$!
waitmount
treeeq src mnt ||
    fail "read-only mount: diff -r: $(head -n 3 diff.out)"
touch mnt/newfile 2>err && fail "write to a read-only mount succeeded"
grep -q 'Read-only file system' err || fail "ro write: $(cat err)"
info "read-only mount: diff -r equal, writes get EROFS"
fusermount3 -u "$W/mnt" || fail "fusermount3 -u"
wait "$pid"
st=$?
pid=
[ $st -eq 0 ] || fail "nbfs mount exited $st after fusermount3 -u"

"$NBFS" -w mount img "$W/mnt" >log 2>&1 &
pid=$!
waitmount
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
