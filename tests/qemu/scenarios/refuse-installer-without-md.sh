#!/bin/bash
# Refusal ground: an installer without md modules (fixture_installer_md=absent
# removes md-mod and raid1 at start-up; the stand-in's installer never has
# mdadm), so no array can be created during the install.  What a user checks
# afterwards: that disk 1's install is the stock one and boots.  Disk 2 is
# reported, not asserted: xsraid is to refuse in plan, before writing
# anything, with a message that says what the image lacks.
. "$(dirname "$0")/../lib.sh"
setup_work

compact_install "fixture_seed=91 fixture_installer_md=absent"
check "the installer had no md modules" has_mark "$WORK/install.marks" "installer-md absent: 0 md modules left"
check "install finished (the hook's exit code is ignored)" has_mark "$WORK/install.marks" "install-end status=ok"
stage_output "$WORK/install.serial.log" >"$WORK/xsraid-output.txt"
say "what xsraid reported: $(grep -a -i 'error\|refus\|cannot\|failed' "$WORK/xsraid-output.txt" | head -n 3 | tr '\n' ' ')"
if cmp -s -n "$(stat -c %s "$WORK/d2.img")" "$WORK/d2.img" /dev/zero; then
	say "disk 2 is untouched (still all zeroes)"
else
	say "disk 2 was written to (xsraid did not refuse before its first write)"
fi

overlay "$WORK/d1.img" "$WORK/d1-alone.qcow2"
boot boot-disk1 XSRAID-DISK1:"$WORK/d1-alone.qcow2"
expect_single_disk_boot "$WORK/boot-disk1.marks" boot-disk1
expect_marker "$WORK/boot-disk1.marks" boot-disk1 "$(mark_value "$WORK/install.marks" marker-sum)"
scenario_done
