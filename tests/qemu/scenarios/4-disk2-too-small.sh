#!/bin/bash
# Scenario 4: disk 2 (400 MiB) is smaller than what disk 1's root and backup
# partitions take (512 MiB from LBA 34).  The RAID step must refuse before
# writing anything (disk 2's bytes unchanged), and disk 1 must boot as a
# normal single-disk install.
. "$(dirname "$0")/../lib.sh"
setup_work

blank_disk "$WORK/d1.img"
blank_disk "$WORK/d2.img" 400M
d2_before=$(image_sum "$WORK/d2.img")
answerfile '<primary-disk raid="sdb">sda</primary-disk>' "$HOOK_SCRIPTS" >"$WORK/answerfile.xml"
embed "$IMG_XSRAID" "$WORK/install.img" "$WORK/answerfile.xml"
install install "$WORK/install.img" "answerfile=file:///answerfile.xml install fixture_seed=14" \
	"$WORK/d1.img" "$WORK/d2.img"
expect_refused "sdb and its size" \
	'sdb.*(small|size|space|capacity)|(small|size|space|capacity).*sdb' "$d2_before"

boot_as_stock_install
scenario_done
