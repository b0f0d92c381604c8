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
m=$WORK/install.marks
check "install finished (the hook's exit code is ignored)" has_mark "$m" "install-end status=ok"
stage_output "$WORK/install.serial.log" >"$WORK/xsraid-output.txt"
check "xsraid refused, naming sdb and its size" \
	grep -qiE 'sdb.*(small|size|space|capacity)|(small|size|space|capacity).*sdb' "$WORK/xsraid-output.txt"
check_eq "disk 2 is byte-for-byte unchanged" "$(image_sum "$WORK/d2.img")" "$d2_before"

overlay "$WORK/d1.img" "$WORK/boot-d1.qcow2"
overlay "$WORK/d2.img" "$WORK/boot-d2.qcow2"
boot boot XSRAID-DISK1:"$WORK/boot-d1.qcow2" XSRAID-DISK2:"$WORK/boot-d2.qcow2"
expect_single_disk_boot "$WORK/boot.marks" boot
expect_marker "$WORK/boot.marks" boot "$(mark_value "$m" marker-sum)"
scenario_done
