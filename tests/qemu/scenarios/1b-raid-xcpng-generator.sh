#!/bin/bash
# Scenario 1b: fresh install with XCP-ng's RAID syntax,
# <raid device="md127"><disk>sda</disk><disk>sdb</disk></raid> and
# <primary-disk>md127</primary-disk>, which 6.0.2 cannot read: the
# answerfile generator from installer-hook/hook translates it
# (answerfile_generator=... xsraid_answerfile=URL).  The XCP-ng answerfile is
# embedded in install.img (file://), and sets xsraid's resync-speed, which
# must reach the kernel while the install runs.  Then the installed disks
# boot alone and together.
. "$(dirname "$0")/../lib.sh"
setup_work

answerfile '<raid device="md127" resync-speed="100M"><disk>sda</disk><disk>sdb</disk></raid>
  <primary-disk>md127</primary-disk>' >"$WORK/answerfile.xml"
embed "$IMG_XSRAID" "$WORK/install.img" "$WORK/answerfile.xml"
blank_disk "$WORK/d1.img"
blank_disk "$WORK/d2.img"
install install "$WORK/install.img" \
	"answerfile_generator=file:///opt/xsraid/answerfile-generator xsraid_answerfile=file:///answerfile.xml install fixture_seed=12" \
	"$WORK/d1.img" "$WORK/d2.img"
check "the generator succeeded" has_mark "$WORK/install.marks" "stage-end answerfile rc=0"
stage_output "$WORK/install.serial.log" >"$WORK/xsraid-output.txt"
check "resync-speed reached the kernel in both stages" eval \
	'[ "$(grep -c "step [0-9]*: write 102400 to /proc/sys/dev/raid/speed_limit_max" "$WORK/xsraid-output.txt")" -ge 2 ]'
. "$(dirname "$0")/raid-checks.sh"
raid_checks
scenario_done
