# shellcheck shell=bash
# Shared by scenarios 1a, 1b, 5, 6 and strict-initrd-* (sourced after the
# install): the install converted to RAID1; the disks boot alone and
# together, from qcow2 overlays of the installed images (a degraded boot
# changes the event counts, so every boot starts from the installed
# state).  The installed disks are $WORK/d1.img and d2.img unless
# RAID_DISK1 and RAID_DISK2 name others (raw, or *.qcow2).  With
# RAID_INSTALL_CUT=1 the install was cut before its end and finished
# otherwise (xsraid resume): only its marker checksum is used.
# RAID_INITRD_MODE is how the installed system's initrd assembles md0
# (fixture_initrd=, default mdadm-conf); RAID_BOOTS lists the boots to make
# (default "disk1 disk2 both").
RAID_DISK1=${RAID_DISK1:-$WORK/d1.img}
RAID_DISK2=${RAID_DISK2:-$WORK/d2.img}
RAID_INITRD_MODE=${RAID_INITRD_MODE:-mdadm-conf}
RAID_BOOTS=${RAID_BOOTS:-disk1 disk2 both}
m=$WORK/install.marks
if [ -z "${RAID_INSTALL_CUT:-}" ]; then
	check "install succeeded" has_mark "$m" "install-end status=ok"
	check "the hook succeeded at filesystem-populated" has_mark "$m" "stage-end filesystem-populated rc=0"
	check "the hook succeeded at installation-complete" has_mark "$m" "stage-end installation-complete rc=0"
	check_eq "no step of either stage missing from the console" \
		"$(console_steps_missing "$WORK/install.serial.log" | tr '\n' ' ')" ""
	expect_writelog "$m"
fi
sum=$(mark_value "$m" marker-sum)
check "the installer reported the marker checksum" test -n "$sum"

for b in $RAID_BOOTS; do
	case $b in
	disk1)
		overlay "$RAID_DISK1" "$WORK/d1-alone.qcow2"
		boot boot-disk1 XSRAID-DISK1:"$WORK/d1-alone.qcow2"
		members=1
		;;
	disk2)
		overlay "$RAID_DISK2" "$WORK/d2-alone.qcow2"
		boot boot-disk2 XSRAID-DISK2:"$WORK/d2-alone.qcow2"
		members=1
		;;
	both)
		overlay "$RAID_DISK1" "$WORK/d1-both.qcow2"
		overlay "$RAID_DISK2" "$WORK/d2-both.qcow2"
		boot boot-both XSRAID-DISK1:"$WORK/d1-both.qcow2" XSRAID-DISK2:"$WORK/d2-both.qcow2"
		members=2
		;;
	*) fail "RAID_BOOTS: unknown boot $b" ;;
	esac
	expect_raid_boot "$WORK/boot-$b.marks" "boot-$b" $members "$WORK/boot-$b.serial.log"
	expect_initrd "$WORK/boot-$b.marks" "boot-$b" "$RAID_INITRD_MODE"
	expect_marker "$WORK/boot-$b.marks" "boot-$b" "$sum"
	if [ $members = 2 ]; then
		expect_md_check "$WORK/boot-$b.marks" "boot-$b"
	fi
done
