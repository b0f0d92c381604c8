#!/bin/bash
# Scenario 3: disk 2 holds a filesystem with data (made on the host) and
# the answerfile does not allow wiping it.  The RAID step must refuse with
# a message naming sdb and saying it holds data, leave every byte of disk 2
# as it was, and disk 1 must boot as a normal single-disk install.
. "$(dirname "$0")/../lib.sh"
setup_work

# Disk 2: GPT with one Linux partition holding an ext4 filesystem with files.
blank_disk "$WORK/d2.img"
sgdisk -n 1:2048:0 -t 1:8300 -c 1:old-data "$WORK/d2.img" >/dev/null
mkdir -p "$WORK/data/etc" "$WORK/data/home/user"
echo "precious" >"$WORK/data/home/user/notes.txt"
seq 1 50000 >"$WORK/data/home/user/numbers"
echo "old-host" >"$WORK/data/etc/hostname"
end=$(sgdisk -i 1 "$WORK/d2.img" | sed -n 's/^Last sector: \([0-9]*\).*/\1/p')
mke2fs -q -F -t ext4 -L old-data -d "$WORK/data" -E offset=$((2048 * 512)),nodiscard \
	"$WORK/d2.img" $(((end - 2048 + 1) / 2))k
d2_before=$(image_sum "$WORK/d2.img")

answerfile '<primary-disk raid="sdb">sda</primary-disk>' "$HOOK_SCRIPTS" >"$WORK/answerfile.xml"
embed "$IMG_XSRAID" "$WORK/install.img" "$WORK/answerfile.xml"
blank_disk "$WORK/d1.img"
install install "$WORK/install.img" "answerfile=file:///answerfile.xml install fixture_seed=13" \
	"$WORK/d1.img" "$WORK/d2.img"
expect_refused "sdb and the wipe it would need" 'sdb.*wipe|wipe.*sdb' "$d2_before"

boot_as_stock_install
scenario_done
