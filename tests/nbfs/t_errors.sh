#!/bin/sh
# t_errors.sh: bad input gets a clear error naming what and where, the
# usual exit codes (1 failure, 2 usage) and leaves the image as it was:
# missing image, random bytes, a truncated image, a damaged superblock,
# a forced wrong type, nonexistent paths, unknown commands and types,
# and a full file system (no space left: the half-written file is
# removed and e2fsck still finds the image clean).
# Assumes: mke2fs, e2fsck, else SKIP.

. "$(dirname "$0")/lib.sh"
need mke2fs e2fsck

mkdir src
echo hi >src/f
mke2fs -q -t ext2 -d src img 8M || fail mke2fs

bad 1 'ls: nosuch.img: No such file or directory' ls nosuch.img
head -c 2097152 /dev/urandom >rand.img
bad 1 'rand.img: not a file system nbfs recognises' ls rand.img
bad 1 'not a file system nbfs recognises' -w put rand.img src/f /
head -c 65536 img >trunc.img
bad 1 'trunc.img: damaged superblock: .*only 65536.*truncated' ls trunc.img
cp img dmg.img
printf '\045\000\000\000' | dd of=dmg.img bs=1 seek=1048 conv=notrunc 2>/dev/null
bad 1 'dmg.img: damaged superblock: ext2 superblock: block size field 37' ls dmg.img
cp img dmg2.img
dd if=/dev/zero of=dmg2.img bs=1 seek=1028 count=4 conv=notrunc 2>/dev/null
bad 1 'damaged superblock: ext2 superblock: zero block count' cat dmg2.img /f
bad 1 "NetBSD's ffs refused to mount it \(forced type\)" -t ffs ls img
bad 1 'img:/nope: No such file or directory' ls img /nope
bad 1 'cat: img:/a/b/c: No such file or directory' cat img /a/b/c
bad 1 'get: img:/nope: No such file or directory' get img /nope copy
[ -e copy ] && fail "get of a missing path created copy"
bad 2 'unknown command' frobnicate img
bad 2 'unknown file system type' -t zfs ls img
bad 2 'usage: nbfs -w mv' -w mv img /f
bad 1 'put: nosuch: No such file or directory' -w put img nosuch /
bad 1 'mkdir: img:/f/x: Not a directory' -w mkdir img /f/x
[ -d notadir ] || mkdir notadir
bad 1 'notadir: not a regular file or block device' ls notadir

# No space left.
mke2fs -q -t ext2 small.img 1M || fail mke2fs
head -c 3000000 /dev/urandom >big
bad 1 'put: small.img:/big: No space left on device' -w put small.img big /
"$NBFS" -q ls small.img >out || fail "ls after ENOSPC"
grep -q '^big$' out && fail "the partial file was left behind"
e2fsck -fn small.img >fsck.out 2>&1 || fail "e2fsck after ENOSPC: $(tail -n 3 fsck.out)"
info "ENOSPC: partial file removed, e2fsck -fn clean"
exit 0
