#!/bin/sh
# t_rump.sh KERNEL WORKDIR: the NetBSD rump kernel in ring 0 of the
# reference kernel reads and writes an ext2 file system on a virtio disk.
#
# Makes an ext2 image from a generated tree (tests/qemu/rump_tree.py),
# boots KERNEL (a reference kernel built with RUMP_KERNEL_PREFIX, whose
# rumpdemo thread walks the disk) under QEMU with the image as
# virtio-blk-pci, then checks on the host: every FILE line's size and
# CRC-32 against the tree, the LINK and DIR lines, the file the kernel
# wrote (read back with debugfs), e2fsck -fn on the image afterwards, and
# the kernel's verdict line.  Prints the boot-to-rump_init time and the
# read throughputs the kernel measured.  Exit 0 only if all of that holds.
# QEMU_TIMEOUT (seconds, default 600) bounds the run: emulation, no KVM.
# VIRTIO_OPTS is appended to both disks' -device options (",vectors=0":
# no MSI-X, completion by INTx).
set -u
KERNEL=$1
W=$2
HERE=$(dirname "$0")
QEMU=${QEMU:-qemu-system-x86_64}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-600}
VIRTIO_OPTS=${VIRTIO_OPTS:-}
# mk/qemu.mk's QEMU_FLAGS when run by make (TCG, -cpu max for RDRAND).
QEMU_FLAGS=${QEMU_FLAGS:-"-machine pc,accel=tcg -cpu max -m 512 -no-reboot \
    -display none -device isa-debug-exit,iobase=0xf4,iosize=0x04"}
fail=0

for tool in mke2fs debugfs e2fsck python3 "$QEMU"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool not installed"
		exit 0
	fi
done

# The disks (tests/qemu/mkdisks.sh): ext2 vblk0 (transitional device,
# legacy transport), the scratch disk vblk1 the driver test writes from
# several threads (modern-only device, virtio 1.0 transport), and the FFS
# disk vblk2 (read-only device, mounted read-only), the same tree.
out=$(VIRTIO_OPTS=$VIRTIO_OPTS sh "$HERE/mkdisks.sh" "$W" 2>&1)
st=$?
printf '%s\n' "$out" | grep -v '^QEMU_DISKS:'
[ "$st" = 2 ] && exit 0
[ "$st" = 0 ] || exit 1
disks=$(printf '%s\n' "$out" | sed -n 's/^QEMU_DISKS: //p')
ffs=0
[ -f "$W/ffs.img" ] && ffs=1

echo "t_rump: booting $KERNEL (timeout ${QEMU_TIMEOUT}s)"
start=$(date +%s)
# shellcheck disable=SC2086
timeout "$QEMU_TIMEOUT" "$QEMU" $QEMU_FLAGS \
    -kernel "$KERNEL" -serial "file:$W/serial.log" $disks \
    </dev/null >"$W/qemu.out" 2>&1
status=$?
end=$(date +%s)
echo "t_rump: qemu exit status $status after $((end - start)) s"
if [ "$status" = 124 ]; then
	echo "FAIL: QEMU timed out"
	fail=1
fi

grep -E '^(pci|vblk|virtio)' "$W/serial.log" | sed 's/^/  kernel: /' | head -20
grep -E '^(RUMPINIT|MOUNTED|WALK|READ|READBIG|RAWREAD|WROTE|UNMOUNTED|FFSWALK|FFS no|ERROR|PAR|SCRATCH|VBLK|RUMPDEMO)' \
    "$W/serial.log" | sed 's/^/  kernel: /'

if ! grep -q '^RUMPDEMO PASS' "$W/serial.log"; then
	echo "FAIL: no RUMPDEMO PASS line (last lines of the console:)"
	tail -15 "$W/serial.log" | sed 's/^/  | /'
	fail=1
fi

python3 "$HERE/rump_tree.py" check "$W/tree" "$W/serial.log" || fail=1
if [ "$ffs" = 1 ]; then
	python3 "$HERE/rump_tree.py" check "$W/tree" "$W/serial.log" FFS- ||
	    fail=1
fi

# The file the rump kernel wrote, as e2fsprogs reads it.
wrote=$(grep '^WROTE ' "$W/serial.log" | tail -1 | tr -d '\r')
if [ -n "$wrote" ]; then
	# shellcheck disable=SC2086
	set -- $wrote
	rm -f "$W/written"
	debugfs -R "dump $2 $W/written" "$W/disk.img" >/dev/null 2>&1
	if [ -f "$W/written" ]; then
		got=$(python3 -c 'import sys, zlib
d = open(sys.argv[1], "rb").read()
print("%d %08x" % (len(d), zlib.crc32(d)))' "$W/written")
		if [ "$got" = "$3 $4" ]; then
			echo "written file: debugfs reads $2, $got: matches"
		else
			echo "FAIL: written file: kernel says $3 $4, debugfs reads $got"
			fail=1
		fi
	else
		echo "FAIL: debugfs finds no $2 in the image"
		fail=1
	fi
else
	echo "FAIL: no WROTE line"
	fail=1
fi

# The pattern vblktest.c wrote on the scratch disk from several threads,
# and proof that requests were in flight at once.
if python3 -c 'import sys
d = open(sys.argv[1], "rb").read()
exp = bytes(((o >> 12) * 13 + o % 251) & 0xff for o in range(len(d)))
sys.exit(0 if d == exp else 1)' "$W/scratch.img"; then
	echo "scratch disk: the pattern written by the kernel threads is on it"
else
	echo "FAIL: scratch disk does not hold the pattern"
	fail=1
fi
maxin=$(sed -n 's/^VBLKSTATS vblk1 .*maxinflight=\([0-9]*\).*/\1/p' \
    "$W/serial.log")
if [ "${maxin:-0}" -gt 1 ]; then
	echo "virtio-blk: up to $maxin requests in flight at once"
else
	echo "FAIL: never more than ${maxin:-0} request in flight"
	fail=1
fi

if e2fsck -fn "$W/disk.img" >"$W/e2fsck.out" 2>&1; then
	echo "e2fsck -fn: clean"
else
	echo "FAIL: e2fsck -fn found problems:"
	sed 's/^/  | /' "$W/e2fsck.out" | head -20
	fail=1
fi

if [ "$fail" = 0 ]; then
	echo "PASS: t_rump"
else
	echo "FAIL: t_rump (console log: $W/serial.log)"
fi
exit "$fail"
