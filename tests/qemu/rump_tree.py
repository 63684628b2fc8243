#!/usr/bin/env python3
"""Generate and check the file tree of the rump-in-ring-0 test.

  rump_tree.py gen DIR          make a deterministic tree under DIR
  rump_tree.py check DIR LOG [TAG]
                                compare the FILE/LINK/DIR lines the kernel
                                printed in LOG with the tree in DIR (lines
                                TAG-FILE... with a TAG; without one the
                                file system is ext2 and has /lost+found)

The tree has nested directories (depth 6), a few hundred small files of
odd sizes, one file of a few MiB, an empty file, short (in-inode) and long
symbolic links and a dangling one.  check exits 1 on any difference and
prints one summary line; each FILE line's size and CRC-32 (zlib) must
match the host's, every object of the tree must be reported exactly once
and nothing else may be.
"""
import os
import random
import re
import sys
import zlib


def gen(root):
    rnd = random.Random(7)
    os.makedirs(root)
    for d in range(24):
        sub = os.path.join(root, "d%02d" % d)
        os.makedirs(sub)
        for f in range(16):
            size = rnd.choice([1, 511, 512, 513, 4095, 4096, 4097,
                               rnd.randrange(1, 40000)])
            with open(os.path.join(sub, "f%02d.dat" % f), "wb") as fp:
                fp.write(rnd.randbytes(size))
    deep = root
    for level in range(6):
        deep = os.path.join(deep, "level%d" % level)
        os.makedirs(deep)
        for f in range(3):
            with open(os.path.join(deep, "n%d.txt" % f), "w") as fp:
                fp.write(("level %d file %d\n" % (level, f)) * (level * 97 + f + 1))
    os.makedirs(os.path.join(root, "big"))
    with open(os.path.join(root, "big", "blob.bin"), "wb") as fp:
        fp.write(rnd.randbytes(4 * 1024 * 1024 + 123))
    open(os.path.join(root, "empty"), "wb").close()
    os.makedirs(os.path.join(root, "emptydir"))
    os.symlink("big/blob.bin", os.path.join(root, "link-short"))
    os.symlink("../" * 3 + "d00/" + "x" * 80 + "/long-target-name",
               os.path.join(deep, "link-long"))
    os.symlink("nowhere", os.path.join(root, "dangling"))


def host_view(root, ext2):
    want = {"/lost+found": ("DIR",)} if ext2 else {}  # made by mke2fs
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = "/" + os.path.relpath(full, root)
            if os.path.islink(full):
                want[rel] = ("LINK", os.readlink(full))
            elif os.path.isdir(full):
                want[rel] = ("DIR",)
            else:
                with open(full, "rb") as fp:
                    data = fp.read()
                want[rel] = ("FILE", len(data), zlib.crc32(data))
    return want


def check(root, log, tag=""):
    want = host_view(root, tag == "")
    got = {}
    dup = 0
    line_re = re.compile(r"^" + re.escape(tag) +
                         r"(FILE|LINK|DIR) (\S+)(?: (.*))?$")
    with open(log, errors="replace") as fp:
        for line in fp:
            m = line_re.match(line.rstrip("\r\n"))
            if not m:
                continue
            kind, path, rest = m.group(1), m.group(2), m.group(3)
            if path in got:
                dup += 1
            if kind == "FILE":
                size, crc = rest.split()
                got[path] = ("FILE", int(size), int(crc, 16))
            elif kind == "LINK":
                got[path] = ("LINK", rest)
            else:
                got[path] = ("DIR",)
    ok = {"FILE": 0, "LINK": 0, "DIR": 0}
    bad = 0
    for path, w in sorted(want.items()):
        g = got.get(path)
        if g == w:
            ok[w[0]] += 1
        else:
            bad += 1
            if bad <= 10:
                print("MISMATCH %s host=%s kernel=%s" % (path, w, g))
    extra = sorted(set(got) - set(want))
    for path in extra[:10]:
        print("EXTRA %s %s" % (path, got[path]))
    nfiles = sum(1 for w in want.values() if w[0] == "FILE")
    print("%schecksums: %d/%d files match (size+crc32), %d/%d links, "
          "%d/%d dirs, %d mismatched, %d extra, %d duplicate lines"
          % (tag, ok["FILE"], nfiles, ok["LINK"],
             sum(1 for w in want.values() if w[0] == "LINK"), ok["DIR"],
             sum(1 for w in want.values() if w[0] == "DIR"), bad,
             len(extra), dup))
    return 0 if bad == 0 and not extra and dup == 0 else 1


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "gen":
        gen(sys.argv[2])
        return 0
    if len(sys.argv) in (4, 5) and sys.argv[1] == "check":
        return check(*sys.argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
