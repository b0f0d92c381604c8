#!/bin/bash
# Scenario 10: "the second disk says Missing OS".  On a copy of disk 2 of the
# RAID pair scenario 1a installed, the boot code is broken as it happens in
# the field: syslinux's mbr.bin (for MBR tables) instead of gptmbr.bin in
# the MBR, and partition 1's legacy-BIOS-bootable bit cleared (as parted
# does).  That disk alone does not boot.  With both disks, xsraid check-boot
# names it and its fixes, --fix mends it, and a second check-boot passes;
# then disk 2 boots on its own.
. "$(dirname "$0")/../lib.sh"
setup_work
SRC=$QEMU_BUILD/work/1a-raid-compact-http
[ -f "$SRC/d2.img" ] || fail "the RAID install of scenario 1a ($SRC) is missing: run 1a first"

cp --sparse=always "$SRC/d2.img" "$WORK/d2.img"
dd if="$QEMU_BUILD/pkgs/syslinux-common/usr/lib/syslinux/mbr/mbr.bin" of="$WORK/d2.img" \
	bs=440 count=1 conv=notrunc status=none
sgdisk --attributes=1:clear:2 "$WORK/d2.img" >/dev/null
overlay "$SRC/d1.img" "$WORK/d1.qcow2"
overlay "$WORK/d2.img" "$WORK/d2.qcow2"

# 1. Broken: disk 2 alone does not boot.
overlay "$WORK/d2.img" "$WORK/d2-broken.qcow2"
boot_fails broken XSRAID-DISK2:"$WORK/d2-broken.qcow2"
check "the broken disk stops in its boot code" grep -qa 'Missing operating system' "$WORK/broken.serial.log"

{
	echo "$TEST_PROGRAM_HEAD"
	cat <<'SH'
# The operator on the host booted from disk 1; disk 2 is sdb.
step check /usr/sbin/xsraid check-boot
step json /usr/sbin/xsraid check-boot --json
step fix /usr/sbin/xsraid check-boot --fix
step again /usr/sbin/xsraid check-boot
sync
SH
} >"$WORK/day-two"
test_disk check "$WORK/day-two"

# 2. Both disks (disk 1 boots): check-boot names disk 2, --fix mends it.
boot check XSRAID-DISK1:"$WORK/d1.qcow2" XSRAID-DISK2:"$WORK/d2.qcow2" XSRAID-TEST:"$WORK/check-test.qcow2"
m=$WORK/check.marks
check "the test program ran to its end" has_mark "$m" "test-end rc=0"
for step in check json fix again; do
	step_output check "$step" "$WORK/$step.txt"
done
check_eq "check-boot finds a disk that cannot boot alone (exit 1)" "$(step_rc check check)" 1
check "check-boot names sdb" grep -q '^cannot boot alone: sdb; 2 problems, 2 of them mended by xsraid check-boot --fix$' "$WORK/check.txt"
check "check-boot: sda boots alone" grep -q '^/dev/sda (.*XSRAID-DISK1), md0 member sda1: boots alone$' "$WORK/check.txt"
check "check-boot: the boot code of sdb, with its fix" \
	grep -A2 -q '^    FAIL  /dev/sdb starts with /usr/share/syslinux/gptmbr.bin$' "$WORK/check.txt"
check "check-boot: the fix writes gptmbr.bin" \
	grep -q '^          fix: write /usr/share/syslinux/gptmbr.bin (440 bytes) to the boot code of /dev/sdb$' "$WORK/check.txt"
check "check-boot: the bootable bit, Missing OS and its fix" \
	grep -A2 -q '^    FAIL  partition 1 of /dev/sdb is legacy-BIOS-bootable$' "$WORK/check.txt"
check "check-boot: the fix sets the bit" \
	grep -q '^          fix: \$ /sbin/sgdisk --attributes=1:set:2 /dev/sdb$' "$WORK/check.txt"
check "check-boot --json is JSON that says so" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
assert c["boots_alone"] is False
assert [d["boots_alone"] for d in c["disks"]] == [True, False]
' "$WORK/json.txt"
check_eq "check-boot --fix mends it (exit 0)" "$(step_rc check fix)" 0
check "check-boot --fix prints its plan: one step for sdb" \
	grep -q '^ 1\. mend-sdb: Mend what keeps /dev/sdb from booting alone$' "$WORK/fix.txt"
check "check-boot --fix: the plan ran as plans run" grep -q 'xsraid: fix-boot: all steps done' "$WORK/fix.txt"
check "check-boot --fix ran both fixes" grep -q 'check-boot: 2 fixes applied; checking again' "$WORK/fix.txt"
check_eq "check-boot after the fix (exit 0)" "$(step_rc check again)" 0
check "every disk boots alone now" grep -q '^every disk of md0 can boot the system alone (2 disks)$' "$WORK/again.txt"

# 3. The mended disk 2 alone.
overlay "$WORK/d2.qcow2" "$WORK/d2-alone.qcow2"
boot d2-alone XSRAID-DISK2:"$WORK/d2-alone.qcow2"
expect_raid_boot "$WORK/d2-alone.marks" d2-alone 1 "$WORK/d2-alone.serial.log"
scenario_done
