#!/bin/bash
# Scenario 1c: the stand-in's stock CD (XenServer's layout and boot entries,
# isohybrid) remastered by xsraid-remaster as `make iso` does, with
# answerfile/examples/raid-attribute.xml embedded, booted from the CD drive
# as it is: its new default entry starts the install unattended
# (answerfile=file:///answerfile.xml install) and xsraid converts it to
# RAID1.  Then disk 2 boots alone, as after disk 1 died, with scenario 1's
# checks for that boot.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/raid-checks.sh"
setup_work

blank_disk "$WORK/d1.img"
blank_disk "$WORK/d2.img"
install_from_iso install "$ISO_XSRAID" "$WORK/d1.img" "$WORK/d2.img"
install_log "$WORK/install.serial.log" >"$WORK/install-log.txt"
check "the CD's default entry passed the embedded answerfile" \
	grep -q "Fetching answerfile from file:///answerfile.xml$" "$WORK/install-log.txt"
raid_install_checks
raid_boot_alone 2
scenario_done
