#!/bin/bash
# The main job end to end, on embedded defaults: the XenServer 6.0.2
# installer stand-in boots from its ISO under QEMU and installs onto two
# blank disks with answerfile/examples/raid-attribute.xml; xsraid converts
# the fresh install to md RAID1 inside the installer; then disk 2 is booted
# alone, as it would be after disk 1 died.  Prints what a sysadmin would
# look at, and fails (exit 1, logs in build/qemu/artifacts/demo/) when the
# result is not a host that boots from either disk.
#
# Needs the same environment as run.sh (QEMU_BUILD, IMG_XSRAID, ISO_FILES).
export SCENARIO=demo
. "$(dirname "$0")/lib.sh"
setup_work

example=$QEMU_TESTS/../../answerfile/examples/raid-attribute.xml
say "answerfile: answerfile/examples/raid-attribute.xml, embedded in install.img"
embed "$IMG_XSRAID" "$WORK/install.img" "$example"
blank_disk "$WORK/disk1.img"
blank_disk "$WORK/disk2.img"
say "disks: two blank ${DISK_SIZE} disks (XenServer's layout scaled by 1/16)"

install install "$WORK/install.img" "answerfile=file:///answerfile.xml install" \
	"$WORK/disk1.img" "$WORK/disk2.img"
check "the install finished" has_mark "$WORK/install.marks" "install-end status=ok"
stage_output "$WORK/install.serial.log" >"$WORK/xsraid-output.txt"
check "xsraid finished its first stage" grep -q "filesystem-populated: all steps done" "$WORK/xsraid-output.txt"
check "xsraid finished its second stage" grep -q "installation-complete: all steps done" "$WORK/xsraid-output.txt"
say "what xsraid showed on the installer's console:"
tr -d '\r' <"$WORK/install.serial.log" | grep -a '^xsraid: ' | sed 's/^/    | /'

# Disk 1 is gone: disk 2 alone, on the first port.
overlay "$WORK/disk2.img" "$WORK/disk2-alone.qcow2"
boot disk2-alone "XSRAID-DISK2:$WORK/disk2-alone.qcow2"
m=$WORK/disk2-alone.marks
expect_raid_boot "$m" disk2-alone 1 "$WORK/disk2-alone.serial.log"
say "the installed host, booted from disk 2 alone:"
{
	echo "root filesystem:  $(mark_value "$m" root) ($(mark_value "$m" rootfstype))"
	echo "dom0 command line: $(mark_value "$m" cmdline)"
	grep -a '^XSRAID-MARK fstab-root=' "$m" | sed 's/^XSRAID-MARK fstab-root=/fstab: /'
	grep -a '^XSRAID-MARK extlinux label=' "$m" | sed 's/^XSRAID-MARK extlinux /extlinux: /'
	grep -a '^XSRAID-MARK inventory ' "$m" | sed 's/^XSRAID-MARK inventory /xensource-inventory: /'
	echo "/proc/mdstat:"
	cat "$WORK/disk2-alone.mdstat"
} | sed 's/^/    | /'
scenario_done
