#!/bin/sh
# t_devices.sh KERNEL WORKDIR: the reference kernel's PCI and virtio-blk
# drivers (kernel/dev) at boot, on every transport and interrupt kind.
#
# Boots KERNEL with kexit=1 and five virtio disks of random content:
#   vblk0 legacy + MSI-X, vblk1 legacy + INTx (vectors=0), vblk2 virtio 1.0
#   + MSI-X (disable-legacy=on), vblk3 virtio 1.0 + INTx, vblk4 legacy,
#   read-only device
# and QEMU's edu device.  Checks each disk's attach line (transport,
# interrupt kind, size, read-only flag), that its sector 0 as read by the
# driver through the interrupt path hashes (FNV-1a) like the image's, and
# that edu's plain MSI interrupt arrived.  QEMU_FLAGS as in mk/qemu.mk.
set -u
KERNEL=$1
W=$2
QEMU=${QEMU:-qemu-system-x86_64}
QEMU_FLAGS=${QEMU_FLAGS:-"-machine pc,accel=tcg -cpu max -m 512 -no-reboot \
    -display none -device isa-debug-exit,iobase=0xf4,iosize=0x04"}
fail=0

for tool in python3 "$QEMU"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool not installed"
		exit 0
	fi
done
rm -rf "$W"
mkdir -p "$W"
args=""
for i in 0 1 2 3 4; do
	python3 -c 'import os, sys
open(sys.argv[1], "wb").write(os.urandom((1 + int(sys.argv[2])) << 20))' \
	    "$W/d$i.img" "$i" || exit 1
	ro=""
	[ "$i" = 4 ] && ro=",readonly=on"
	case $i in
	1) o=",vectors=0" ;;
	2) o=",disable-legacy=on" ;;
	3) o=",disable-legacy=on,vectors=0" ;;
	*) o="" ;;
	esac
	args="$args -drive file=$W/d$i.img,format=raw,if=none,id=v$i$ro"
	args="$args -device virtio-blk-pci,drive=v$i$o"
done
# shellcheck disable=SC2086
timeout 120 "$QEMU" $QEMU_FLAGS -kernel "$KERNEL" -append kexit=1 \
    -serial "file:$W/serial.log" -device edu $args </dev/null \
    >"$W/qemu.out" 2>&1
status=$?
tr -d '\r' <"$W/serial.log" >"$W/console"
if [ "$status" != 1 ]; then
	echo "FAIL: QEMU exit status $status (1 = kernel booted and left)"
	tail -5 "$W/console" | sed 's/^/  | /'
	fail=1
fi

# unit, transport, interrupt kind, flag
for want in "0 legacy msi-x -" "1 legacy intx -" "2 virtio_1.0 msi-x -" \
    "3 virtio_1.0 intx -" "4 legacy msi-x read-only"; do
	# shellcheck disable=SC2086
	set -- $want
	u=$1
	tr_=$(echo "$2" | tr _ ' ')
	line=$(grep "^vblk$u: virtio-blk" "$W/console")
	sectors=$(((1 + u) * 2048))
	case "$line" in
	*"($tr_)"*" $sectors sectors of 512 bytes"*", $3"*) ;;
	*)
		echo "FAIL: vblk$u attach: want ($tr_), $sectors sectors, $3:"
		echo "  | $line"
		fail=1
		continue
		;;
	esac
	if [ "$4" = read-only ] && ! echo "$line" | grep -q read-only; then
		echo "FAIL: vblk$u not reported read-only"
		fail=1
	fi
	if [ "$4" = - ] && echo "$line" | grep -q read-only; then
		echo "FAIL: vblk$u reported read-only"
		fail=1
	fi
	host=$(python3 -c 'import sys
h = 2166136261
for b in open(sys.argv[1], "rb").read(512):
    h = ((h ^ b) * 16777619) & 0xffffffff
print("%08x" % h)' "$W/d$u.img")
	got=$(sed -n "s/^vblk$u: test read ok .*fnv1a \([0-9a-f]*\)$/\1/p" \
	    "$W/console")
	if [ "$got" = "$host" ]; then
		flag=""
		[ "$4" != - ] && flag=", $4"
		echo "ok: vblk$u ($tr_, $3$flag): sector 0 as read matches ($got)"
	else
		echo "FAIL: vblk$u sector 0: kernel '$got', image $host"
		fail=1
	fi
done
if grep -q '^edu: MSI ok' "$W/console"; then
	echo "ok: $(grep '^edu: MSI ok' "$W/console")"
else
	echo "FAIL: edu: $(grep '^edu:' "$W/console" || echo no line)"
	fail=1
fi
if [ "$fail" = 0 ]; then
	echo "PASS: t_devices"
else
	echo "FAIL: t_devices (console: $W/console)"
fi
exit "$fail"
