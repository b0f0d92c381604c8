#!/bin/bash
# Scenario 6: power cut in xsraid's second stage, then `xsraid resume`,
# which first refuses a replaced first disk.  The
# RAID install is killed (SIGKILL of QEMU) while xsraid waits for md0's
# recovery onto disk 1 (step wait-root-resync, at installation-complete),
# i.e. after add-disk1.  A test-only hook that runs at installation-complete
# just before xsraid's lowers /proc/sys/dev/raid/speed_limit_max to 1000 KiB/s,
# so the recovery of 256 MiB would take about 4 minutes and the cut always
# lands inside it; xsraid's own plan is scenario 1's.  Then the installer
# image boots with 6.0's start= option, which runs a test program instead of
# the installer: `xsraid resume`, then `xsraid status --journal`, then power off.  md0
# is not running after the restart and the installer has no mdadm, so xsraid
# starts md0 again through the kernel's md sysfs interface.  Then
# the disks boot alone and together, with scenario 1's assertions.
. "$(dirname "$0")/../lib.sh"
setup_work

mkdir -p "$WORK/embed"
answerfile '<primary-disk raid="sdb">sda</primary-disk>' \
	'  <script stage="filesystem-populated" type="url">file:///opt/xsraid/xsraid-hook</script>
  <script stage="installation-complete" type="url">file:///slow-resync</script>
  <script stage="installation-complete" type="url">file:///opt/xsraid/xsraid-hook</script>' \
	>"$WORK/embed/answerfile.xml"
cat >"$WORK/embed/slow-resync" <<'SH'
#!/bin/sh
# Test-only: md0's recovery at about 1 MB/s, so a power cut can be aimed at it.
echo 1000 >/proc/sys/dev/raid/speed_limit_max && cat /proc/sys/dev/raid/speed_limit_max
SH
chmod 0755 "$WORK/embed/slow-resync"
append_files "$IMG_XSRAID" "$WORK/install.img" "$WORK/embed"
blank_disk "$WORK/d1.img"
blank_disk "$WORK/d2.img"

# 1. The power cut, once xsraid reports md0's recovery.
install_cut install "$WORK/install.img" "answerfile=file:///answerfile.xml install fixture_seed=61" \
	"xsraid: md0 recovery:" "$WORK/d1.img" "$WORK/d2.img"
m=$WORK/install.marks
check "cut install: filesystem-populated finished" has_mark "$m" "stage-end filesystem-populated rc=0"
check "cut install: the resync was slowed down" \
	eval 'has_mark "$m" "stage-end installation-complete rc=0" && install_log "$WORK/install.serial.log" | grep -qx 1000'
check "cut install: xsraid's installation-complete hook had begun" \
	has_mark "$m" "stage-begin installation-complete file:///opt/xsraid/xsraid-hook"
check_eq "cut install: and not finished (one stage-end: the slow-resync hook's)" \
	"$(grep -c '^XSRAID-MARK stage-end installation-complete' "$m")" 1
journal_dump "$WORK/d2.img" "$WORK/journal-cut.txt"
j=$WORK/journal-cut.txt
for s in finish-disk2 reopen catch-up partition-disk1 wipe-disk1-partitions add-disk1 label-root \
	create-data-arrays bootloader-disk1; do
	check_eq "cut: $s is done" "$(journal_event "$j" $s)" "done"
done
check_eq "cut: wait-root-resync was begun and never finished" "$(journal_event "$j" wait-root-resync)" begin
check_eq "cut: wait-root-resync is the journal's last record" \
	"$(grep '^record ' "$j" | tail -n 1 | cut -d' ' -f3-4)" "wait-root-resync begin"

# 2. Disk 1 replaced (a blank disk where it was, same port, same serial):
# resume finds the journal on disk 2, sees that disk 1 is not the one it
# recorded (no GPT, so not its GUID) and writes to neither disk.
blank_disk "$WORK/new-d1.img"
overlay "$WORK/new-d1.img" "$WORK/new-d1.qcow2"
overlay "$WORK/d2.img" "$WORK/d2-replaced.qcow2"
resume_disks resume-replaced "$WORK/new-d1.qcow2" "$WORK/d2-replaced.qcow2"
check_eq "a replaced disk 1: xsraid resume refuses" "$RESUME_RC" 1
check "a replaced disk 1: xsraid says so" grep -q "'sda' is not the first disk the journal recorded" \
	"$WORK/resume-replaced-console.txt"
check "a replaced disk 1: nothing was written to it" qemu-img compare -q "$WORK/new-d1.img" "$WORK/new-d1.qcow2"
check "a replaced disk 1: nothing was written to disk 2" qemu-img compare -q "$WORK/d2.img" "$WORK/d2-replaced.qcow2"

# 3. The installer image with start=: resume, status, power off.  On
# overlays: the cut disks stay as the power cut left them.
overlay "$WORK/d1.img" "$WORK/d1-resumed.qcow2"
overlay "$WORK/d2.img" "$WORK/d2-resumed.qcow2"
resume_disks resume "$WORK/d1-resumed.qcow2" "$WORK/d2-resumed.qcow2"
expect_port_order resume d2
rc=$RESUME_RC
say "messages of the tools it ran (its stderr without its own lines):"
{ grep -v '^xsraid: ' "$WORK/resume-stderr.txt" || true; } | sed 's/^/    | /'
say "xsraid status, the journal's records:"
grep -E '^ *[0-9]+ ' "$WORK/resume-status.txt" | sed 's/^/    | /'
check_eq "xsraid resume exit status" "$rc" 0
check_eq "xsraid status exit status" "$(mark_value "$WORK/resume.marks" 'status-end rc')" 0
c=$WORK/resume-console.txt
# reopen is left out: it only re-establishes what a restart undoes (md0
# running, the new root mounted), so it may well run again.
for s in catch-up partition-disk1 wipe-disk1-partitions add-disk1 label-root create-data-arrays \
	bootloader-disk1; do
	check "resume: $s reported done earlier, skipped" grep -q "^xsraid: step [0-9]*/[0-9]* $s: done earlier, skipped" "$c"
done
check "resume: wait-root-resync ran again" grep -q "^xsraid: step [0-9]*/[0-9]* wait-root-resync: Wait until" "$c"
check "resume: installation-complete finished" grep -q "^xsraid: installation-complete: all steps done" "$c"
st=$WORK/resume-status.txt
check_eq "status: wait-root-resync is done" "$(journal_event "$st" wait-root-resync)" "done"
check_eq "status: finish is done" "$(journal_event "$st" finish)" "done"
check_eq "status: wait-root-resync was begun twice (before the cut, by the resume)" \
	"$(journal_begins "$st" wait-root-resync)" 2
for s in partition-disk2 create-root-array copy-root partition-disk1 add-disk1 create-data-arrays; do
	check_eq "status: destructive step $s begun exactly once" "$(journal_begins "$st" $s)" 1
done
check_eq "status: no step failed" "$(awk '$1 ~ /^[0-9]+$/ && $3 == "failed"' "$st" | wc -l)" 0
# The arrays as the running kernel shows them: md0 alone (md1 and md2 are
# not assembled in the installer), both members in sync, each on its disk.
say "xsraid status, the arrays:"
sed -n '1,/^$/p;/^md0:/,/^$/p' "$st" | sed 's/^/    | /'
check "status: md0 healthy" grep -q "^healthy: 1 array in sync" "$st"
check "status: sda1 in sync on disk 1" grep -Eq "^ +sda1 +slot [01] +in sync +disk sda, QEMU HARDDISK, serial .*XSRAID-DISK1" "$st"
check "status: sdb1 in sync on disk 2" grep -Eq "^ +sdb1 +slot [01] +in sync +disk sdb, QEMU HARDDISK, serial .*XSRAID-DISK2" "$st"
# md1 and md2 need no assembling to finish (the installed system assembles
# them); md0 must have both members in sync.
check "md0 is [UU] after the resume" eval 'grep -A2 "^md0 :" "$WORK/resume-mdstat.txt" | grep -q "\[UU\]"'

# shellcheck disable=SC2034 # read by raid-checks.sh
RAID_INSTALL_CUT=1 RAID_DISK1=$WORK/d1-resumed.qcow2 RAID_DISK2=$WORK/d2-resumed.qcow2
. "$(dirname "$0")/raid-checks.sh"
raid_checks
scenario_done
