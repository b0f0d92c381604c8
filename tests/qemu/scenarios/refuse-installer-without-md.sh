#!/bin/bash
# Refusal: an installer without md modules (fixture_installer_md=absent
# removes md-mod and raid1 at start-up; the stand-in's installer never has
# mdadm), so no array can be created during the install.  xsraid refuses in
# plan, before writing anything, saying what the image lacks; disk 2 is
# still all zeroes, and disk 1's stock install boots.
. "$(dirname "$0")/../lib.sh"
setup_work

compact_install "fixture_seed=91 fixture_installer_md=absent"
check "the installer had no md modules" has_mark "$WORK/install.marks" "installer-md absent: 0 md modules left"
check "install finished (the hook's exit code is ignored)" has_mark "$WORK/install.marks" "install-end status=ok"
stage_output "$WORK/install.serial.log" >"$WORK/xsraid-output.txt"
check "xsraid refused, saying what the installer lacks" \
	grep -qE "raid: the installer's kernel \(.*\) has no md driver.*remaster install.img with the kernel's md-mod and raid1 modules" \
	"$WORK/xsraid-output.txt"
check "disk 2 is untouched (still all zeroes)" cmp -s -n "$(stat -c %s "$WORK/d2.img")" "$WORK/d2.img" /dev/zero

overlay "$WORK/d1.img" "$WORK/d1-alone.qcow2"
boot boot-disk1 XSRAID-DISK1:"$WORK/d1-alone.qcow2"
expect_single_disk_boot "$WORK/boot-disk1.marks" boot-disk1
expect_marker "$WORK/boot-disk1.marks" boot-disk1 "$(mark_value "$WORK/install.marks" marker-sum)"
scenario_done
