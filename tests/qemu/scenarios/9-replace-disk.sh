#!/bin/bash
# Scenario 9: a disk dies and a new one takes its place, on the RAID pair
# scenario 1a installed.  Disk 1 is gone: the host boots degraded from
# disk 2 with a new, blank disk attached.  mdadm's monitor, which the
# install turned on, reports the degraded arrays: to syslog through xsraid,
# to the answerfile's program and by mail.  An operator's program on a test
# disk (dom0/init runs it) runs xsraid status, replace-disk NEW (the plan),
# replace-disk NEW --apply, waits until every array is [UU], and runs
# check-boot.  Then the new disk boots the host on its own.
. "$(dirname "$0")/../lib.sh"
setup_work
SRC=$QEMU_BUILD/work/1a-raid-compact-http
[ -f "$SRC/d2.img" ] || fail "the RAID install of scenario 1a ($SRC) is missing: run 1a first"

overlay "$SRC/d2.img" "$WORK/good.qcow2"
blank_disk "$WORK/new.img"
overlay "$WORK/new.img" "$WORK/new.qcow2"
{
	echo "$TEST_PROGRAM_HEAD"
	cat <<'SH'
# The operator on the degraded host; disk 2 is sda, the new disk sdb.
# Block until mdadm's monitor, running in the background, has reported md2.
i=0
while [ $i -lt 60 ] && ! grep -q 'md2: DegradedArray' /run/messages 2>/dev/null; do
	sleep 1
	i=$((i + 1))
done
mark "monitor-waited seconds=$i"
step status-before /usr/sbin/xsraid status
step plan /usr/sbin/xsraid replace-disk sdb
step apply /usr/sbin/xsraid replace-disk sdb --apply
step status-during /usr/sbin/xsraid status
# md1 and md2 are rebuilt after md0, in the background.
i=0
while [ $i -lt 900 ] && grep -Eq 'recovery|resync|DELAYED' /proc/mdstat; do
	sleep 2
	i=$((i + 2))
done
mark "rebuild-waited seconds=$i"
step status-after /usr/sbin/xsraid status
step check-boot /usr/sbin/xsraid check-boot
sync
SH
} >"$WORK/day-two"
test_disk replace "$WORK/day-two"

# 1. Degraded, with the new disk: the operator's program does the replacement.
boot replace XSRAID-DISK2:"$WORK/good.qcow2" XSRAID-NEW:"$WORK/new.qcow2" XSRAID-TEST:"$WORK/replace-test.qcow2"
m=$WORK/replace.marks
log=$WORK/replace.serial.log
check "degraded boot: root is md0" has_mark "$m" "root=/dev/md0$"
check_eq "degraded boot: md0, md1, md2 run degraded" \
	"$(between "$log" mdstat-begin mdstat-end | grep -cE '\[(U_|_U)\]')" 3
check "the monitor told syslog, through xsraid" has_mark "$m" 'syslog .*xsraid.*/dev/md0: DegradedArray: the array runs without one of its members'
check "the monitor ran the answerfile's program" has_mark "$m" "md-event DegradedArray /dev/md0$"
check "the monitor mailed the answerfile's address" has_mark "$m" "mail To: storage-alerts@example.com$"
check "the monitor's mail says what happened" has_mark "$m" "mail Subject: DegradedArray event on /dev/md0"
check "the test program ran to its end" has_mark "$m" "test-end rc=0"
for step in status-before plan apply status-during status-after check-boot; do
	step_output replace "$step" "$WORK/$step.txt"
done
check_eq "status before: degraded (exit 5)" "$(step_rc replace status-before)" 5
check "status before: names the missing member" grep -q '^degraded: md0 lacks 1 of 2 members' "$WORK/status-before.txt"
check_eq "replace-disk prints its plan (exit 0)" "$(step_rc replace plan)" 0
check "the plan: sdb joins the arrays, rebuilt from sda" \
	grep -q '^xsraid replace-disk: /dev/sdb joins md0, md1 and md2, rebuilt from /dev/sda$' "$WORK/plan.txt"
check_eq "replace-disk --apply (exit 0)" "$(step_rc replace apply)" 0
check "replace-disk --apply: every step done" grep -q 'xsraid: replace-disk: all steps done' "$WORK/apply.txt"
check "replace-disk --apply: the new disk boots alone" grep -q '/dev/sdb can boot the system on its own' "$WORK/apply.txt"
check_eq "status after the rebuild: healthy (exit 0)" "$(step_rc replace status-after)" 0
check "status after: sdb1 in sync on the new disk" grep -Eq '^ +sdb1 +slot [01] +in sync +disk sdb, .*XSRAID-NEW' "$WORK/status-after.txt"
check_eq "check-boot: both disks boot alone (exit 0)" "$(step_rc replace check-boot)" 0
check "check-boot says so" grep -q '^every disk of md0 can boot the system alone (2 disks)$' "$WORK/check-boot.txt"
final=$(between "$log" mdstat-final-begin mdstat-final-end)
check_eq "md0, md1, md2 are [UU]" "$(echo "$final" | grep -c '\[UU\]')" 3

# 2. The new disk alone, as if disk 2 died next.
overlay "$WORK/new.qcow2" "$WORK/new-alone.qcow2"
boot new-alone XSRAID-NEW:"$WORK/new-alone.qcow2"
expect_raid_boot "$WORK/new-alone.marks" new-alone 1 "$WORK/new-alone.serial.log"
expect_marker "$WORK/new-alone.marks" new-alone "$(mark_value "$SRC/install.marks" marker-sum)"
scenario_done
