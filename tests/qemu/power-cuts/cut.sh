#!/bin/bash
# One power cut: a RAID install whose power is cut inside STEP (the test
# switch xsraid_test_power_cut=STEP: right after the step's middle action ran,
# before the step is recorded done, nothing synced).  Then:
#   1. some disk boots the system, with the marker tree intact: disk 1 alone
#      is tried first, then disk 2 alone;
#   2. for a step of the second stage, `xsraid resume` finishes the job;
#   3. a fresh install with the same answerfile, as a fleet does after a
#      failed install, ends with a RAID.
# Both recoveries must pass scenario 1's checks, and no destructive step
# may have run twice.  The outcome goes to $WORK/result as one line:
#   STEP STAGE BOOTS-FROM RESUME REINSTALL
#
# usage: SCENARIO=cut-STEP cut.sh STEP
#   CUT_REINSTALL=no skips 3. (scenario 8, which make test runs: 5 covers
#   the reinstall after a cut)
#   POWER_CUT_COPY=blocks: the answerfile says raid-copy="blocks"
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../scenarios/raid-checks.sh
. "$QEMU_TESTS/scenarios/raid-checks.sh"
step=$1
setup_work
plan_steps "$WORK/steps"
stage=$(awk -v s="$step" '$1 == s { print $2 }' "$WORK/steps")
[ -n "$stage" ] || fail "no step $step in the plan"
destructive=$(awk '$3 == "destroys" { print $1 }' "$WORK/steps" | tr '\n' ' ')

answerfile "$(raid_primary_disk)" "$HOOK_SCRIPTS" >"$WORK/answerfile.xml"
embed "$IMG_XSRAID" "$WORK/install.img" "$WORK/answerfile.xml"
blank_disk "$WORK/d1.img"
blank_disk "$WORK/d2.img"

# 0. The install, cut inside the step: the machine powers off by itself.
installer_setup install "$WORK/install.img" \
	"answerfile=file:///answerfile.xml install fixture_seed=71 xsraid_test_power_cut=$step" \
	"$WORK/d1.img" "$WORK/d2.img"
# shellcheck disable=SC2086
run_qemu install "$INSTALL_TIMEOUT" "$WORK/install.serial.log" $INSTALLER_ARGS
marks "$WORK/install.serial.log" >"$WORK/install.marks"
check "the power was cut inside $step" grep -q "xsraid: test power cut inside step $step" "$WORK/install.serial.log"
check "the install did not reach its end" eval '! has_mark "$WORK/install.marks" install-end'
journal_dump "$WORK/d2.img" "$WORK/journal-cut.txt"
check_eq "$step was begun and is not done" "$(journal_event "$WORK/journal-cut.txt" "$step")" begin
sum=$(mark_value "$WORK/install.marks" marker-sum)

# 1. Some disk boots.
boots=none
for d in 1 2; do
	overlay "$WORK/d$d.img" "$WORK/after-cut-d$d.qcow2"
	if try_boot "after-cut-disk$d" "XSRAID-DISK$d:$WORK/after-cut-d$d.qcow2"; then
		boots=disk$d
		break
	fi
done
[ "$boots" != none ] || fail "after the cut neither disk boots alone"
say "after the cut, $boots boots alone"
check_eq "after the cut: the marker tree is intact" "$(mark_value "$WORK/after-cut-$boots.marks" marker-sum)" "$sum"

# no_repeats JOURNAL-DUMP: every destructive step was begun once, the cut one at most twice.
no_repeats() {
	local s n limit
	for s in $destructive; do
		n=$(journal_begins "$1" "$s")
		limit=1
		[ "$s" = "$step" ] && limit=2
		[ "$n" -le "$limit" ] || fail "destructive step $s was begun $n times"
	done
	say "ok: no destructive step ran twice"
}

# 2. The second stage: xsraid resume.
resume=n/a
if [ "$stage" = installation-complete ]; then
	overlay "$WORK/d1.img" "$WORK/d1-resumed.qcow2"
	overlay "$WORK/d2.img" "$WORK/d2-resumed.qcow2"
	resume_disks resume "$WORK/d1-resumed.qcow2" "$WORK/d2-resumed.qcow2"
	check_eq "xsraid resume exit status" "$RESUME_RC" 0
	no_repeats "$WORK/resume-status.txt"
	# shellcheck disable=SC2034 # read by raid-checks.sh
	RAID_INSTALL_CUT=1 RAID_DISK1=$WORK/d1-resumed.qcow2 RAID_DISK2=$WORK/d2-resumed.qcow2
	raid_checks
	resume=ok
fi

# 3. A fresh install with the same answerfile, on what the cut left.
if [ "${CUT_REINSTALL:-yes}" = no ]; then
	echo "$step $stage $boots $resume skipped" >"$WORK/result"
	scenario_done
fi
for f in install.serial.log install.marks; do
	mv "$WORK/$f" "$WORK/cut-$f"
done
overlay "$WORK/d1.img" "$WORK/d1-reinstalled.qcow2"
overlay "$WORK/d2.img" "$WORK/d2-reinstalled.qcow2"
install install "$WORK/install.img" "answerfile=file:///answerfile.xml install fixture_seed=72" \
	"$WORK/d1-reinstalled.qcow2" "$WORK/d2-reinstalled.qcow2"
# shellcheck disable=SC2034 # read by raid-checks.sh
RAID_INSTALL_CUT='' RAID_DISK1=$WORK/d1-reinstalled.qcow2 RAID_DISK2=$WORK/d2-reinstalled.qcow2
raid_checks
echo "$step $stage $boots $resume ok" >"$WORK/result"
scenario_done
