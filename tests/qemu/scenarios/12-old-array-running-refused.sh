#!/bin/bash
# Scenario 12: the second disk is an old RAID1 on an MBR, two partitions of
# type fd with md 0.90 superblocks (written on the host by old-metadata.py),
# and the array runs when the installer starts (fixture_autoassemble: what
# a kernel with md built in or an installer's udev does; mdadm names it
# md127).  The answerfile does not allow erasing disk 2: xsraid must refuse
# with one line naming the running array and the disk, and leave disk 2's
# bytes as they were; the install goes on on one disk, and disk 1 boots
# as a normal single-disk install with disk 2 attached.  With
# raid-wipe="force" the arrays are stopped instead (scenario 11).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/old-metadata-checks.sh"
setup_work

blank_disk "$WORK/d1.img"
blank_disk "$WORK/d2.img"
"$OLD_DISK" "$WORK/d2.img" md-mbr >"$WORK/old-parts"
d2_before=$(image_sum "$WORK/d2.img")

answerfile '<primary-disk raid="sdb">sda</primary-disk>' "$HOOK_SCRIPTS" >"$WORK/answerfile.xml"
embed "$IMG_XSRAID" "$WORK/install.img" "$WORK/answerfile.xml"
install install "$WORK/install.img" "answerfile=file:///answerfile.xml install fixture_seed=82 fixture_autoassemble=1" \
	"$WORK/d1.img" "$WORK/d2.img"
check_eq "the old array ran when the installer started" \
	"$(grep -a '^XSRAID-MARK autoassembled' "$WORK/install.marks" | sed 's/^XSRAID-MARK autoassembled //')" \
	"md127: active raid1 sdb1[0] sdb2[1]; "
expect_refused "the running array and the disk" \
	"raid: disk 'sdb' is part of running array 'md127' \(raid1 of sdb1, sdb2\); to erase it, stop the array \(mdadm --stop /dev/md127\) or set raid-wipe=\"force\"" \
	"$d2_before"

boot_as_stock_install
scenario_done
