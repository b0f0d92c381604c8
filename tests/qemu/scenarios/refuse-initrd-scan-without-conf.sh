#!/bin/bash
# Refusal ground: the installed system's initrds scan for arrays with mdadm
# but carry no mdadm.conf (fixture_initrd=mdadm-scan-noconf), the form of
# Red Hat's 2006 mkinitrd patch on a system without /etc/mdadm.conf.
# CentOS 5's mdadm 2.6.9 assembles nothing that way (it auto-assembles only
# for a configured home host); the stand-in's mdadm 4.2 assembles the
# arrays under other names (md127, md126, md125), so /dev/md0 is never
# found either.  What a user checks after such an install: that the host
# still boots from disk 1.  Until xsraid checks that the initrds it rebuilt
# can assemble md0 and stops before stage B touches disk 1, this scenario
# fails (see tests/qemu/README.md).
. "$(dirname "$0")/../lib.sh"
setup_work

compact_install "fixture_seed=82 fixture_initrd=mdadm-scan-noconf"
check "install finished (the hook's exit code is ignored)" has_mark "$WORK/install.marks" "install-end status=ok"

overlay "$WORK/d1.img" "$WORK/d1-alone.qcow2"
boot boot-disk1 XSRAID-DISK1:"$WORK/d1-alone.qcow2"
check "boot-disk1: the host runs from disk 1" has_mark "$WORK/boot-disk1.marks" "hypervisor=xen "
scenario_done
