# shellcheck shell=bash
# Shared by scenarios 1a, 1b, 5 and 6 (sourced after the install): the
# install converted to RAID1; the disks boot alone and together, from qcow2
# overlays of the installed images (a degraded boot changes the event
# counts, so every boot starts from the installed state).  The installed
# disks are $WORK/d1.img and d2.img unless RAID_DISK1 and RAID_DISK2 name
# others (raw, or *.qcow2).  With RAID_INSTALL_CUT=1 the install was cut
# before its end and finished otherwise (xsraid resume): only its marker
# checksum is used.
# With SITE_SCRIPT=1 the answerfile also ran a site's own script after
# xsraid's first stage, which wrote to the new system.
RAID_DISK1=${RAID_DISK1:-$WORK/d1.img}
RAID_DISK2=${RAID_DISK2:-$WORK/d2.img}

# expect_site_script MARKS NAME: what the site's script wrote is on md0.
expect_site_script() {
	[ "${SITE_SCRIPT:-0}" = 1 ] || return 0
	check "$2: the site script's file reached md0" has_mark "$1" "site-script ran at filesystem-populated on /tmp/root$"
	check_eq "$2: the site script's fstab line reached md0" "$(mark_value "$1" fstab-site-lines)" 1
}
m=$WORK/install.marks
if [ -z "${RAID_INSTALL_CUT:-}" ]; then
	check "install succeeded" has_mark "$m" "install-end status=ok"
	check "the hook succeeded at filesystem-populated" has_mark "$m" "stage-end filesystem-populated rc=0"
	check "the hook succeeded at installation-complete" has_mark "$m" "stage-end installation-complete rc=0"
	check_eq "no step of either stage missing from the console" \
		"$(console_steps_missing "$WORK/install.serial.log" | tr '\n' ' ')" ""
fi
sum=$(mark_value "$m" marker-sum)
check "the installer reported the marker checksum" test -n "$sum"

overlay "$RAID_DISK1" "$WORK/d1-alone.qcow2"
boot boot-disk1 XSRAID-DISK1:"$WORK/d1-alone.qcow2"
expect_raid_boot "$WORK/boot-disk1.marks" boot-disk1 1 "$WORK/boot-disk1.serial.log"
expect_site_script "$WORK/boot-disk1.marks" boot-disk1
expect_marker "$WORK/boot-disk1.marks" boot-disk1 "$sum"

overlay "$RAID_DISK2" "$WORK/d2-alone.qcow2"
boot boot-disk2 XSRAID-DISK2:"$WORK/d2-alone.qcow2"
expect_raid_boot "$WORK/boot-disk2.marks" boot-disk2 1 "$WORK/boot-disk2.serial.log"
expect_site_script "$WORK/boot-disk2.marks" boot-disk2
expect_marker "$WORK/boot-disk2.marks" boot-disk2 "$sum"

overlay "$RAID_DISK1" "$WORK/d1-both.qcow2"
overlay "$RAID_DISK2" "$WORK/d2-both.qcow2"
boot boot-both XSRAID-DISK1:"$WORK/d1-both.qcow2" XSRAID-DISK2:"$WORK/d2-both.qcow2"
expect_raid_boot "$WORK/boot-both.marks" boot-both 2 "$WORK/boot-both.serial.log"
expect_marker "$WORK/boot-both.marks" boot-both "$sum"
