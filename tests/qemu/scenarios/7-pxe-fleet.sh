#!/bin/bash
# shellcheck disable=SC2016  # check ... eval '...' expands when the check runs
# Scenario 7: a fleet installed over the network.  xsraid-pxe turns a
# two-host inventory and an answerfile without RAID into what dnsmasq and
# nginx serve (tests/qemu/pxe.sh: a network namespace, a tap device).  xs01
# boots from its network card: iPXE, DHCP, lpxelinux.0 over TFTP, its
# configuration, mboot.c32, Xen, the dom0 kernel and install.img over HTTP;
# the installer fetches its answerfile, installs, and xsraid mirrors the
# install, PUTting its reports.  Its next network boot goes to its disks, as
# does one with disk 2 alone; xs02 never booted and is still waiting.
# shellcheck source=/dev/null
. "$(dirname "$0")/../lib.sh"
# shellcheck source=/dev/null
. "$QEMU_TESTS/pxe.sh"
setup_work
pxe_require

answerfile '<primary-disk>sda</primary-disk>' >"$WORK/template.xml"
cat >"$WORK/hosts.csv" <<CSV
mac,hostname,disk1,disk2,ip,console,xen-args,dom0-args
52:54:00:12:34:56,xs01,sda,sdb,192.0.2.11,hvc,"$PXE_XEN_ARGS",quiet
52:54:00:12:34:57,xs02,sda,sdb,192.0.2.12,hvc,"$PXE_XEN_ARGS",quiet
CSV
pxe_network
pxe_generate "$WORK/hosts.csv" "$WORK/template.xml"
pxe_serve
cfg=$PXE_OUT/current/http/boot/pxelinux.cfg/01-52-54-00-12-34-56
check "the boot configuration has the Xen line with the serial console" \
	grep -q "APPEND xen.gz $PXE_XEN_ARGS com1=115200,8n1 console=com1 --- vmlinuz xencons=hvc console=hvc0 " "$cfg"

blank_disk "$WORK/d1.img"
blank_disk "$WORK/d2.img"
pxe_install install 52:54:00:12:34:56 "$WORK/d1.img" "$WORK/d2.img"
m=$WORK/install.marks
check "install succeeded" has_mark "$m" "install-end status=ok"
check "the hook succeeded at filesystem-populated" has_mark "$m" "stage-end filesystem-populated rc=0"
check "the hook succeeded at installation-complete" has_mark "$m" "stage-end installation-complete rc=0"
check_eq "Xen ran with the boot configuration's command line" \
	"$(xen_cmdline "$WORK/install.serial.log")" "$PXE_XEN_ARGS com1=115200,8n1 console=com1"
expect_network_install install xs01 52:54:00:12:34:56 192.0.2.11
expect_installed_report xs01 01-52-54-00-12-34-56
pxe_status >"$WORK/status.txt"
sed 's/^/    | /' "$WORK/status.txt"
check "status: xs01 is installed, at its last step" grep -qE '^xs01 +installed +([0-9]+)/\1 finish ' "$WORK/status.txt"
check "status: xs02 is waiting" grep -qE '^xs02 +waiting +- ' "$WORK/status.txt"
sum=$(mark_value "$m" marker-sum)

# Its next network boot: the server sends it to its disks.
overlay "$WORK/d1.img" "$WORK/d1-both.qcow2"
overlay "$WORK/d2.img" "$WORK/d2-both.qcow2"
pxe_boot reboot 52:54:00:12:34:56 XSRAID-DISK1:"$WORK/d1-both.qcow2" XSRAID-DISK2:"$WORK/d2-both.qcow2"
expect_raid_boot "$WORK/reboot.marks" reboot 2 "$WORK/reboot.serial.log"
expect_marker "$WORK/reboot.marks" reboot "$sum"
# The installed system's console is the install's: Xen on com1 at 115200, dom0 on Xen's console.
check_eq "reboot: the serial entry is the default" "$(mark_value "$WORK/reboot.marks" 'extlinux default')" xe-serial
check "reboot: Xen's console is com1 at 115200, as during the install" \
	eval 'xen_cmdline "$WORK/reboot.serial.log" | grep -q "com1=115200,8n1 console=com1"'
check "reboot: dom0 writes to Xen's console" eval 'mark_value "$WORK/reboot.marks" cmdline | grep -q "console=hvc0"'

# Disk 1 is gone: disk 2 alone, the network card still first.
overlay "$WORK/d2.img" "$WORK/d2-alone.qcow2"
pxe_boot disk2-alone 52:54:00:12:34:56 XSRAID-DISK2:"$WORK/d2-alone.qcow2"
expect_raid_boot "$WORK/disk2-alone.marks" disk2-alone 1 "$WORK/disk2-alone.serial.log"
expect_marker "$WORK/disk2-alone.marks" disk2-alone "$sum"
scenario_done
