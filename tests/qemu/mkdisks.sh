#!/bin/sh
# mkdisks.sh WORKDIR: the rump demo's disks (kernel/rumpdemo.c), made in
# WORKDIR for tests/qemu/t_rump.sh and for `make qemu` with
# RUMP_KERNEL_PREFIX (mk/qemu_rump.mk):
#
#   tree/        a generated file tree (tests/qemu/rump_tree.py)
#   disk.img     48 MiB ext2 holding the tree (vblk0, mounted read-write)
#   ffs.img      32 MiB FFSv1 holding the tree (vblk2, read-only), only
#                when makefs is installed
#   scratch.img  8 MiB of zeros (vblk1, the driver's multi-thread test)
#
# Prints the QEMU options attaching them, in the order the demo expects
# (vd0 transitional, vd1 modern-only, vd2 read-only), on its last line of
# standard output, after "QEMU_DISKS: "; VIRTIO_OPTS is appended to each
# -device.  Exit 2 with "SKIP: ..." when a tool is missing, 1 on failure.
set -u
W=$1
HERE=$(dirname "$0")
VIRTIO_OPTS=${VIRTIO_OPTS:-}

for tool in mke2fs python3; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool not installed"
		exit 2
	fi
done

rm -rf "$W"
mkdir -p "$W"
python3 "$HERE/rump_tree.py" gen "$W/tree" || exit 1
truncate -s 48M "$W/disk.img"
# Features NetBSD's 2016 ext2fs mounts read-write: filetype, sparse_super,
# large_file.  128-byte inodes keep the old inode layout.
mke2fs -q -F -t ext2 -O ^dir_index,^resize_inode,^ext_attr -I 128 -b 4096 \
    -L rumpdemo -d "$W/tree" "$W/disk.img" 2>"$W/mke2fs.err" || {
	cat "$W/mke2fs.err"; exit 1; }

ffsargs=""
if command -v makefs >/dev/null 2>&1; then
	if ! makefs -t ffs -o version=1 -s 32m "$W/ffs.img" "$W/tree" \
	    >"$W/makefs.out" 2>&1; then
		cat "$W/makefs.out"
		exit 1
	fi
	ffsargs="-drive file=$W/ffs.img,format=raw,if=none,id=vd2,readonly=on"
	ffsargs="$ffsargs -device virtio-blk-pci,drive=vd2$VIRTIO_OPTS"
else
	echo "mkdisks: no makefs: no FFS disk"
fi
truncate -s 8M "$W/scratch.img"

echo "QEMU_DISKS:" \
    "-drive file=$W/disk.img,format=raw,if=none,id=vd0,cache=writeback" \
    "-device virtio-blk-pci,drive=vd0$VIRTIO_OPTS" \
    "-drive file=$W/scratch.img,format=raw,if=none,id=vd1,cache=writeback" \
    "-device virtio-blk-pci,drive=vd1,disable-legacy=on$VIRTIO_OPTS" \
    "$ffsargs"
