#!/usr/bin/env python3
# gentree.py DIR [--fat] [--files N] [--big-mb M]: a deterministic test
# tree for tests/nbfs/t_native.sh: N small files over deep nesting,
# names up to 255 bytes, empty files, a sparse file, symlinks, hard
# links and one big file of M MiB.  --fat: only what FAT can hold (no
# links, names long enough that mtools writes long-name entries).
import os, random, sys

args = sys.argv[1:]
d = args[0]
fat = '--fat' in args
nfiles = int(args[args.index('--files') + 1]) if '--files' in args else 2000
bigmb = int(args[args.index('--big-mb') + 1]) if '--big-mb' in args else 110
r = random.Random(4242)
os.makedirs(d)
dirs = [d]
# Deep nesting: a 40-level chain.
p = d
for i in range(40):
    p = os.path.join(p, 'level_%02d_directory' % i)
    os.mkdir(p)
    dirs.append(p)
for i in range(60):
    q = os.path.join(r.choice(dirs), 'subdir_number_%03d' % i)
    os.mkdir(q)
    dirs.append(q)
for i in range(nfiles):
    n = 'file_number_%05d.data' % i
    f = os.path.join(r.choice(dirs), n)
    with open(f, 'wb') as o:
        o.write(r.randbytes(r.choice([0, 1, 17, 511, 4096, 5000, 70000])))
# Long names (FAT: 255 UTF-16 units; keep ASCII).
ln = 'L' + 'long_name_' * 25
with open(os.path.join(d, ln[:250]), 'wb') as o:
    o.write(b'long name file\n')
open(os.path.join(d, 'empty_file_zero_bytes'), 'wb').close()
os.mkdir(os.path.join(d, 'empty_directory_here'))
# Sparse: data, a 20 MiB hole, data.
with open(os.path.join(d, 'sparse_file_with_hole'), 'wb') as o:
    o.write(r.randbytes(5000))
    o.seek(20 * 1024 * 1024)
    o.write(r.randbytes(3000))
with open(os.path.join(d, 'big_file_over_100mb'), 'wb') as o:
    for i in range(bigmb):
        o.write(r.randbytes(1024 * 1024))
if not fat:
    os.symlink('big_file_over_100mb', os.path.join(d, 'symlink_to_big'))
    os.symlink('level_00_directory/level_01_directory',
               os.path.join(d, 'symlink_to_dir'))
    os.symlink('/does/not/exist', os.path.join(d, 'dangling_symlink'))
    os.symlink('x' * 200, os.path.join(d, 'long_symlink_target'))
    os.link(os.path.join(d, 'empty_file_zero_bytes'),
            os.path.join(d, 'hard_link_to_empty'))
    src = os.path.join(dirs[5], 'hard_link_source_file')
    with open(src, 'wb') as o:
        o.write(r.randbytes(12345))
    os.link(src, os.path.join(dirs[20], 'hard_link_second_name'))
