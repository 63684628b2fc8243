#!/bin/sh
# t_ext2.sh: nbfs on an ext2 image made by mke2fs -d: ls -l, cat, get
# (recursive; every file byte-equal to the source), stat, df; the image
# is read-only by default (writes refused before anything is touched);
# with -w: put, mkdir -p, mv, ln -s, ln, rm, rm -r, after which
# e2fsck -fn finds the image clean and debugfs sees what nbfs wrote.
# Assumes: e2fsprogs (mke2fs with -d, e2fsck, debugfs), else SKIP.

. "$(dirname "$0")/lib.sh"
need mke2fs e2fsck debugfs

mktree src
mke2fs -q -t ext2 -b 1024 -d src img 64M || fail "mke2fs -d"
before=$(md5sum <img)

ok probe img
grep -q ': ext2: ext2' out || fail "probe: $(cat out)"
ok ls img
[ "$(tr '\n' ' ' <out)" = "a_rather_long_directory_name_with_many_characters_in_it big dangling dir empty empty_dir hello.txt link_to_file1 lost+found " ] ||
    fail "ls /: $(tr '\n' ' ' <out)"
ok ls -l img /
grep -Eq '^-rw-r--r-- +1 +[0-9]+ +[0-9]+ +3145728 .* big$' out ||
    fail "ls -l: no big: $(cat out)"
grep -Eq '^lrwxrwxrwx .* link_to_file1 -> dir/file1$' out ||
    fail "ls -l: symlink: $(cat out)"
grep -Eq '^drwxr-xr-x .* dir$' out || fail "ls -l: dir: $(cat out)"
ok cat img /hello.txt
[ "$(cat out)" = hello ] || fail "cat: $(cat out)"
ok cat img dir/sub/file2
cmp -s out src/dir/sub/file2 || fail "cat file2 differs"
ok stat img /link_to_file1
grep -q 'File: /link_to_file1 -> dir/file1' out || fail "stat: $(cat out)"
grep -q 'symbolic link' out || fail "stat type: $(cat out)"
ok stat img /big
grep -q 'Size: 3145728' out || fail "stat size: $(cat out)"
ok df img
grep -Eq '^img +ext2fs +[0-9]+' out || fail "df: $(cat out)"
info "df: $(tail -n 1 out)"
ok get img / copy
treeeq src copy || fail "get /: differs: $(head -n 5 diff.out)"
[ "$(readlink copy/dangling)" = /nonexistent/target ] || fail "get: symlink"
info "get /: tree equal to the source (diff -r)"
[ "$(md5sum <img)" = "$before" ] || fail "reading changed the image"

# Read-only by default.
bad 2 'read-only by default; writing needs -w' put img src/hello.txt /x
bad 2 'writing needs -w' mkdir img /newdir
bad 2 'writing needs -w' rm img /hello.txt
bad 2 'writing needs -w' mv img /hello.txt /h2
bad 2 'writing needs -w' ln -s img a /l
[ "$(md5sum <img)" = "$before" ] || fail "refused writes changed the image"

# Writes.
mkdata new.bin 1048593 9
ok -w put img new.bin /dir/new.bin
ok -w put img src/dir /copied
ok -w mkdir -p img /m1/m2/m3
ok -w mv img /hello.txt /m1/hello_moved.txt
ok -w mv img /dir/file1 /m1/m2
ok -w ln -s img ../hello_moved.txt /m1/m2/sl
ok -w ln img /big /m1/big_hard
ok -w rm img /empty
ok -w rm -r img /copied/sub
bad 1 'img:/dir/sub: Directory not empty' -w rm img /dir/sub
bad 1 'img:/no/such: No such file or directory' -w rm img /no/such

e2fsck -fn img >fsck.out 2>&1 || fail "e2fsck -fn after writes: $(tail -n 5 fsck.out)"
info "e2fsck -fn after writes: clean"
debugfs -R 'cat /dir/new.bin' img 2>/dev/null >dbg.bin
cmp -s dbg.bin new.bin || fail "debugfs cat /dir/new.bin differs"
debugfs -R 'cat /m1/m2/file1' img 2>/dev/null >dbg.bin
cmp -s dbg.bin src/dir/file1 || fail "debugfs cat /m1/m2/file1 differs"
debugfs -R 'stat /m1/m2/sl' img 2>/dev/null | grep -q 'Fast link dest: "../hello_moved.txt"' ||
    fail "debugfs: symlink /m1/m2/sl"
debugfs -R 'stat /big' img 2>/dev/null | grep -q 'Links: 2' ||
    fail "debugfs: /big should have 2 links"
debugfs -R 'ls -p /copied' img 2>/dev/null | grep -q '/file1/10000/' ||
    fail "debugfs: /copied/file1"
debugfs -R 'ls -p /copied' img 2>/dev/null | grep -q '/sub/' &&
    fail "debugfs: /copied/sub still there"
debugfs -R 'ls -p /' img 2>/dev/null | grep -q '/empty/' &&
    fail "debugfs: /empty still there"
info "debugfs sees every write (cat, symlink, hard link, rm, rm -r)"
exit 0
