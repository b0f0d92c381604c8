#!/bin/bash
# Scenario 5: power cut in xsraid's first stage, then a fresh install on the
# same disks.  The RAID install is killed (SIGKILL of QEMU) while xsraid
# makes md0's filesystem and copies the installed system onto it (step
# copy-root, at filesystem-populated).  The installer then boots again on
# the very same disk images with the same answerfile: the stock installer
# reinstalls disk 1 from scratch (a new install has new GUIDs, label and
# filesystem UUID, hence another fixture_seed), and xsraid must recognise
# its own unfinished work on disk 2, erase it without raid-wipe="force" and
# finish.  Then the disks boot alone and together, with scenario 1's
# assertions.
. "$(dirname "$0")/../lib.sh"
setup_work

answerfile '<primary-disk raid="sdb">sda</primary-disk>' "$HOOK_SCRIPTS" >"$WORK/answerfile.xml"
embed "$IMG_XSRAID" "$WORK/install.img" "$WORK/answerfile.xml"
blank_disk "$WORK/d1.img"
blank_disk "$WORK/d2.img"

# 1. The power cut, as soon as xsraid announces copy-root: the cut lands in
# its mkfs of md0 or in the copy (together at least 2 s under TCG; the log
# is polled every 0.2 s).
install_cut install-cut "$WORK/install.img" "answerfile=file:///answerfile.xml install fixture_seed=51" \
	"xsraid: step [0-9]+/[0-9]+ copy-root: " "$WORK/d1.img" "$WORK/d2.img"
cut=$WORK/install-cut.marks
check "cut install: the hook started at filesystem-populated" has_mark "$cut" "stage-begin filesystem-populated "
check "cut install: the hook had not finished" eval '! has_mark "$cut" "stage-end filesystem-populated"'
journal_dump "$WORK/d2.img" "$WORK/journal-cut.txt"
j=$WORK/journal-cut.txt
check_eq "cut: journal generation" "$(sed -n 's/^generation //p' "$j")" 1
for s in prepare partition-disk2 wipe-disk2-partitions create-root-array; do
	check_eq "cut: $s is done" "$(journal_event "$j" $s)" "done"
done
# Its begin record follows the console line within milliseconds, so the cut
# nearly always finds it; either way copy-root did not finish.
check "cut: copy-root never finished" eval 'case "$(journal_event "$j" copy-root)" in begin | "") true ;; *) false ;; esac'
check "cut: no step after copy-root was begun" \
	eval 'case "$(grep "^record " "$j" | tail -n 1 | cut -d" " -f3)" in create-root-array | start-root-array | copy-root) true ;; *) false ;; esac'

# 2. A fresh install on the cut disks, same answerfile.
install install "$WORK/install.img" "answerfile=file:///answerfile.xml install fixture_seed=52" \
	"$WORK/d1.img" "$WORK/d2.img"
stage_output "$WORK/install.serial.log" >"$WORK/install-hook-output.txt"
out=$WORK/install-hook-output.txt
check "the hook finished filesystem-populated" grep -q "^xsraid: filesystem-populated: all steps done" "$out"
check "the hook finished installation-complete" grep -q "^xsraid: installation-complete: all steps done" "$out"
check "no step was skipped as done earlier (a new install starts over)" \
	eval '! grep -q "done earlier, skipped" "$out"'
# The reason disk 2 may be erased is in xsraid's log (the plan's note),
# which the install saved on md0 (partition 1 of either disk).
fs_cat "$WORK/d2.img" /var/log/installer/xsraid-log >"$WORK/xsraid-log.txt" || true
check "xsraid saved its log on the installed system" test -s "$WORK/xsraid-log.txt"
check "xsraid recognised its own unfinished work on disk 2 and erased it" \
	grep -q "note: /dev/sdb will be erased: xsraid's own unfinished work (journal generation 1)" "$WORK/xsraid-log.txt"
check "xsraid zapped disk 2 before partitioning it again" \
	grep -q "run: .*sgdisk --zap-all /dev/sdb\$" "$WORK/xsraid-log.txt"
say "from xsraid-log: $(grep -m1 "xsraid's own unfinished work" "$WORK/xsraid-log.txt")"
journal_dump "$WORK/d2.img" "$WORK/journal.txt"
j=$WORK/journal.txt
check_eq "journal generation after the new install" "$(sed -n 's/^generation //p' "$j")" 2
check_eq "the new journal has no failed step" "$(grep -c '^record [0-9]* [^ ]* failed' "$j")" 0
for s in prepare partition-disk2 wipe-disk2-partitions create-root-array copy-root verify-copy \
	configure-target rebuild-initrds bootloader-disk2 verify-disk2 finish-disk2 reopen catch-up \
	partition-disk1 wipe-disk1-partitions add-disk1 label-root create-data-arrays bootloader-disk1 \
	wait-root-resync finish; do
	check_eq "new journal: $s begun once and done" "$(journal_begins "$j" $s) $(journal_event "$j" $s)" "1 done"
done

. "$(dirname "$0")/raid-checks.sh"
raid_checks
scenario_done
