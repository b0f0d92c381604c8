# shellcheck shell=bash
# Shared by the RAID scenarios (sourced after lib.sh): the install converted
# to RAID1; the disks boot alone and together, from qcow2 overlays of the
# installed images (a degraded boot changes the event counts, so every boot
# starts from the installed state).  The installed disks are $WORK/d1.img
# and d2.img unless RAID_DISK1 and RAID_DISK2 name others (raw, or
# *.qcow2).  With RAID_INSTALL_CUT=1 the install was cut before its end and
# finished otherwise (xsraid resume): only its marker checksum is used.
# RAID_INITRD_MODE is how the installed system's initrd assembles md0
# (fixture_initrd=, default mdadm-conf).  With SITE_SCRIPT=1 the answerfile
# also ran a site's own script after xsraid's first stage, which wrote to
# the new system.

# raid_install_checks: what the install's console showed; sets RAID_SUM,
# the marker checksum every boot must find.
raid_install_checks() {
	local m=$WORK/install.marks
	if [ -z "${RAID_INSTALL_CUT:-}" ]; then
		check "install succeeded" has_mark "$m" "install-end status=ok"
		check "the hook succeeded at filesystem-populated" has_mark "$m" "stage-end filesystem-populated rc=0"
		check "the hook succeeded at installation-complete" has_mark "$m" "stage-end installation-complete rc=0"
		check_eq "no step of either stage missing from the console" \
			"$(console_steps_missing "$WORK/install.serial.log" | tr '\n' ' ')" ""
		expect_writelog "$m"
	fi
	RAID_SUM=$(mark_value "$m" marker-sum)
	check "the installer reported the marker checksum" test -n "$RAID_SUM"
}

# expect_site_script MARKS NAME: what the site's script wrote is on md0, and
# mdadm's monitor mails the answerfile's address.
expect_site_script() {
	[ "${SITE_SCRIPT:-0}" = 1 ] || return 0
	check "$2: the site script's file reached md0" has_mark "$1" "site-script ran at filesystem-populated on /tmp/root$"
	check_eq "$2: the site script's fstab line reached md0" "$(mark_value "$1" fstab-site-lines)" 1
	check "$2: mdadm.conf mails the answerfile's address" has_mark "$1" "mdadm.conf MAILADDR storage-alerts@example.com$"
}

# raid_boot_alone N: disk N alone, on the first port, runs degraded.
raid_boot_alone() {
	local disk
	if [ "$1" = 1 ]; then disk=${RAID_DISK1:-$WORK/d1.img}; else disk=${RAID_DISK2:-$WORK/d2.img}; fi
	overlay "$disk" "$WORK/d$1-alone.qcow2"
	boot "boot-disk$1" "XSRAID-DISK$1:$WORK/d$1-alone.qcow2"
	expect_raid_boot "$WORK/boot-disk$1.marks" "boot-disk$1" 1 "$WORK/boot-disk$1.serial.log"
	expect_initrd "$WORK/boot-disk$1.marks" "boot-disk$1" "${RAID_INITRD_MODE:-mdadm-conf}"
	expect_site_script "$WORK/boot-disk$1.marks" "boot-disk$1"
	expect_marker "$WORK/boot-disk$1.marks" "boot-disk$1" "$RAID_SUM"
}

# raid_boot_both: both disks, in sync after the resync, the halves of md0 alike.
raid_boot_both() {
	overlay "${RAID_DISK1:-$WORK/d1.img}" "$WORK/d1-both.qcow2"
	overlay "${RAID_DISK2:-$WORK/d2.img}" "$WORK/d2-both.qcow2"
	boot boot-both XSRAID-DISK1:"$WORK/d1-both.qcow2" XSRAID-DISK2:"$WORK/d2-both.qcow2"
	expect_raid_boot "$WORK/boot-both.marks" boot-both 2 "$WORK/boot-both.serial.log"
	expect_initrd "$WORK/boot-both.marks" boot-both "${RAID_INITRD_MODE:-mdadm-conf}"
	expect_marker "$WORK/boot-both.marks" boot-both "$RAID_SUM"
	expect_md_check "$WORK/boot-both.marks" boot-both
}

# raid_checks: all of them.
raid_checks() {
	raid_install_checks
	raid_boot_alone 1
	raid_boot_alone 2
	raid_boot_both
}
