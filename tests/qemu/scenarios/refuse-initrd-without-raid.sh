#!/bin/bash
# Refusal ground: the installed system's mkinitrd leaves RAID out of the
# initrds it builds (fixture_initrd=none: no md modules and no assembly, as
# nash's mkinitrd does when it cannot read /proc/mdstat or has
# --omit-raid-modules latched), so no initrd xsraid rebuilds can start md0.
# What a user checks after such an install: that the host still boots from
# disk 1.  Until xsraid opens the initrds it rebuilt and stops before stage B
# touches disk 1, this scenario fails (see tests/qemu/README.md).
. "$(dirname "$0")/../lib.sh"
setup_work

compact_install "fixture_seed=81 fixture_initrd=none"
check "install finished (the hook's exit code is ignored)" has_mark "$WORK/install.marks" "install-end status=ok"

overlay "$WORK/d1.img" "$WORK/d1-alone.qcow2"
boot boot-disk1 XSRAID-DISK1:"$WORK/d1-alone.qcow2"
check "boot-disk1: the host runs from disk 1" has_mark "$WORK/boot-disk1.marks" "hypervisor=xen "
scenario_done
