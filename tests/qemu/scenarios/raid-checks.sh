# Shared by scenarios 1a and 1b (sourced after the install): the install
# converted to RAID1; the disks boot alone and together, from qcow2 overlays
# of the installed images (a degraded boot changes the event counts, so
# every boot starts from the installed state).
m=$WORK/install.marks
check "install succeeded" has_mark "$m" "install-end status=ok"
check "the hook succeeded at filesystem-populated" has_mark "$m" "stage-end filesystem-populated rc=0"
check "the hook succeeded at installation-complete" has_mark "$m" "stage-end installation-complete rc=0"
sum=$(mark_value "$m" marker-sum)
check "the installer reported the marker checksum" test -n "$sum"

overlay "$WORK/d1.img" "$WORK/d1-alone.qcow2"
boot boot-disk1 XSRAID-DISK1:"$WORK/d1-alone.qcow2"
expect_raid_boot "$WORK/boot-disk1.marks" boot-disk1 1 "$WORK/boot-disk1.serial.log"
expect_marker "$WORK/boot-disk1.marks" boot-disk1 "$sum"

overlay "$WORK/d2.img" "$WORK/d2-alone.qcow2"
boot boot-disk2 XSRAID-DISK2:"$WORK/d2-alone.qcow2"
expect_raid_boot "$WORK/boot-disk2.marks" boot-disk2 1 "$WORK/boot-disk2.serial.log"
expect_marker "$WORK/boot-disk2.marks" boot-disk2 "$sum"

overlay "$WORK/d1.img" "$WORK/d1-both.qcow2"
overlay "$WORK/d2.img" "$WORK/d2-both.qcow2"
boot boot-both XSRAID-DISK1:"$WORK/d1-both.qcow2" XSRAID-DISK2:"$WORK/d2-both.qcow2"
expect_raid_boot "$WORK/boot-both.marks" boot-both 2 "$WORK/boot-both.serial.log"
expect_marker "$WORK/boot-both.marks" boot-both "$sum"
