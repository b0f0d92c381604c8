#!/bin/sh
# The limit: the root filesystem's used blocks written once to the second
# disk, where its partition 1 would start, and nothing else (no partition
# table, no array, no bootloader): what any conversion that copies before
# the first boot must at least do.  At installation-complete, when the
# installer has unmounted the root.  The copy is e2image -ra's, in runs of
# up to 1 MiB (ext3used copy): e2image itself reads and writes one block per
# system call, which costs more under emulation than the disks do.
set -u
. /opt/bench/lib.sh

case $1 in
installation-complete)
	step copy-used-blocks
	offset=$(($(part_field /dev/sda 1 'First sector') * 512))
	must "$TOOLS/ext3used" copy /dev/sda1 /dev/sdb "$offset" >/dev/null
	;;
after)
	echo "used_blocks_block_size=$("$TOOLS/ext3used" count /dev/sda1)" >"$OUT/limit-used"
	;;
esac
