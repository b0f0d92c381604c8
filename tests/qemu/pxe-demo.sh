#!/bin/bash
# The fleet part of make demo: a two-host inventory and the bundled example
# answerfile go through xsraid-pxe generate; dnsmasq and nginx serve the
# result in a network namespace (tests/qemu/pxe.sh); xs01 boots from its
# network card under QEMU, installs XenServer (the 6.0.2 stand-in), and
# xsraid mirrors it, reporting to the server; then xs01 boots from the
# network again with disk 2 alone, as after disk 1 died, and is sent to its
# disk.  Shows what an operator would look at, and fails (exit 1, logs in
# build/qemu/artifacts/demo/) when the result is not a mirrored host.
#
# Needs the environment of check-qemu (qemu.mk, pxe.mk) and root.
# shellcheck disable=SC2016  # check ... eval '...' expands when the check runs
export SCENARIO=demo
# shellcheck source=/dev/null
. "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
. "$QEMU_TESTS/pxe.sh"
setup_work
pxe_require

show() {
	sed 's/^/    | /' "$@"
}

# The example answerfile is the template: its raid= and hostname are
# replaced per host; the stand-in installs from its own tree (source local).
sed -e 's|<source type="url">[^<]*</source>|<source type="local"/>|' \
	"$QEMU_TESTS/../../answerfile/examples/raid-attribute.xml" >"$WORK/template.xml"
cat >"$WORK/hosts.csv" <<CSV
mac,hostname,disk1,disk2,ip,console,xen-args,dom0-args
52:54:00:12:34:56,xs01,sda,sdb,192.0.2.11,hvc,"$PXE_XEN_ARGS",quiet
52:54:00:12:34:57,xs02,sda,sdb,192.0.2.12,hvc,"$PXE_XEN_ARGS",quiet
CSV
say "the inventory (hosts.csv):"
show "$WORK/hosts.csv"

pxe_network
pxe_generate "$WORK/hosts.csv" "$WORK/template.xml"
say "xsraid-pxe generate --inventory hosts.csv --answerfile answerfile/examples/raid-attribute.xml --server http://$PXE_SERVER --interface tap0 ..."
show "$WORK/generate.log"
say "the generated tree ($PXE_OUT/current):"
(cd "$PXE_OUT/current" && find . -type f | LC_ALL=C sort | sed 's|^\./||') | show
say "xs01's boot configuration (http/boot/pxelinux.cfg/01-52-54-00-12-34-56):"
show "$PXE_OUT/current/http/boot/pxelinux.cfg/01-52-54-00-12-34-56"
say "xs01's answerfile, with the RAID extension and its report URLs:"
show "$PXE_OUT/current/http/answerfiles/xs01.xml"

pxe_serve
say "dnsmasq (DHCP, TFTP) and nginx (HTTP) serve it on tap0, $PXE_SERVER, in network namespace $PXE_NS"
say "xs01 boots from its network card and installs onto two blank ${DISK_SIZE} disks (a few minutes)"
blank_disk "$WORK/disk1.img"
blank_disk "$WORK/disk2.img"
pxe_install install 52:54:00:12:34:56 "$WORK/disk1.img" "$WORK/disk2.img"
check "the install finished" has_mark "$WORK/install.marks" "install-end status=ok"
expect_network_install install xs01 52:54:00:12:34:56 192.0.2.11
expect_installed_report xs01 01-52-54-00-12-34-56
say "what the server handed out and received (dnsmasq and nginx logs):"
{
	grep -E 'DHCPACK|dnsmasq-tftp' "$WORK/install.dhcp.log" | sed 's/^.*dnsmasq/dnsmasq/'
	awk '{ n[$6 " " $7 " " $9]++ } END { for (k in n) print n[k] "x " k }' "$WORK/install.http.log" |
		tr -d '"' | LC_ALL=C sort -k2
} | show
say "what xsraid showed on the installer's console:"
tr -d '\r' <"$WORK/install.serial.log" | grep -a '^xsraid: ' | show

# Disk 1 is gone: disk 2 alone, the network card still first in the boot order.
overlay "$WORK/disk2.img" "$WORK/disk2-alone.qcow2"
say "xs01 boots from the network again, with disk 2 alone"
pxe_boot disk2-alone 52:54:00:12:34:56 "XSRAID-DISK2:$WORK/disk2-alone.qcow2"
m=$WORK/disk2-alone.marks
expect_raid_boot "$m" disk2-alone 1 "$WORK/disk2-alone.serial.log"
say "the server sent it to its disk:"
grep 'pxelinux.cfg' "$WORK/disk2-alone.http.log" | show
say "the installed host, booted from disk 2 alone:"
{
	echo "root filesystem:  $(mark_value "$m" root) ($(mark_value "$m" rootfstype))"
	echo "Xen command line: $(xen_cmdline "$WORK/disk2-alone.serial.log")"
	echo "dom0 command line: $(mark_value "$m" cmdline)"
	grep -a '^XSRAID-MARK extlinux default=' "$m" | sed 's/^XSRAID-MARK extlinux /extlinux: /'
	echo "/proc/mdstat:"
	cat "$WORK/disk2-alone.mdstat"
} | show

say "xsraid-pxe status --out $PXE_OUT"
pxe_status | show
scenario_done
