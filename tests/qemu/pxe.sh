# shellcheck shell=bash disable=SC2034  # variables the harness and scenarios read
# Network boots for the QEMU scenarios and make demo (sourced after lib.sh).
#
# A network namespace holds a tap device at 192.0.2.1/24; dnsmasq and nginx
# run there with the configuration xsraid-pxe generated (pxe/serve), and so
# does QEMU, whose e1000 card boots first with the iPXE ROM QEMU ships: DHCP
# and TFTP (lpxelinux.0) from dnsmasq, then the boot configuration, mboot.c32,
# Xen, the dom0 kernel and install.img over HTTP from nginx, as on a rack.
# This needs root and /dev/net/tun; nothing leaves the namespace.
#
# Environment (pxe/pxe.mk): PXE_INSTALL_IMG, PXE_XEN, PXE_VMLINUZ,
# PXE_PXELINUX, PXE_MODULES.

PXE_TOP=$(cd "$QEMU_TESTS/../.." && pwd)
# Unique per run: other checkouts on the same machine may run the same scenario.
PXE_NS=xsraid-pxe-$$
PXE_SERVER=192.0.2.1
PXE_OUT=$WORK/pxe
PXE_RUN=$WORK/pxe-run
# The harness's Xen and dom0 settings, as inventory columns.
PXE_XEN_ARGS="dom0_mem=1024M,max:1024M dom0_max_vcpus=1"

pxe_require() {
	local f t
	[ "$(id -u)" -eq 0 ] ||
		fail "network boots need root: a network namespace with a tap device, where dnsmasq serves DHCP and TFTP"
	[ -c /dev/net/tun ] || fail "no /dev/net/tun: QEMU cannot have a tap device"
	for t in ip dnsmasq nginx; do
		command -v "$t" >/dev/null || fail "$t is not installed (tools/install-deps installs it)"
	done
	for f in "$PXE_INSTALL_IMG" "$PXE_XEN" "$PXE_VMLINUZ" "$PXE_PXELINUX" "$PXE_MODULES/mboot.c32"; do
		[ -f "$f" ] || fail "missing $f (make qemu-images)"
	done
}

# pxe_network: the namespace, its tap0, and QEMU started inside it.
pxe_network() {
	ip netns add "$PXE_NS" || fail "cannot create the network namespace $PXE_NS"
	CLEANUP_NETNS=$PXE_NS
	ip -n "$PXE_NS" link set lo up
	ip -n "$PXE_NS" tuntap add dev tap0 mode tap || fail "cannot create tap0 in $PXE_NS"
	ip -n "$PXE_NS" addr add "$PXE_SERVER/24" dev tap0
	ip -n "$PXE_NS" link set tap0 up
	printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$PXE_NS" "$QEMU" >"$WORK/qemu-in-netns"
	chmod +x "$WORK/qemu-in-netns"
	QEMU=$WORK/qemu-in-netns
}

# pxe_generate INVENTORY TEMPLATE: xsraid-pxe generate for this server.
pxe_generate() {
	"$PXE_TOP/pxe/xsraid-pxe" generate --inventory "$1" --answerfile "$2" --out "$PXE_OUT" \
		--server "http://$PXE_SERVER" --interface tap0 \
		--xen "$PXE_XEN" --vmlinuz "$PXE_VMLINUZ" --install-img "$PXE_INSTALL_IMG" \
		--pxelinux "$PXE_PXELINUX" --syslinux-modules "$PXE_MODULES" >"$WORK/generate.log" 2>&1 ||
		fail "xsraid-pxe generate failed: $(cat "$WORK/generate.log")"
}

# pxe_serve: dnsmasq and nginx in the namespace, with the generated configuration.
pxe_serve() {
	ip netns exec "$PXE_NS" "$PXE_TOP/pxe/serve" start "$PXE_OUT" "$PXE_RUN" dnsmasq ||
		fail "cannot start nginx and dnsmasq (see $PXE_RUN)"
	CLEANUP_PIDS="$CLEANUP_PIDS $(cat "$PXE_RUN/nginx.pid") $(cat "$PXE_RUN/dnsmasq.pid")"
}

pxe_status() {
	"$PXE_TOP/pxe/xsraid-pxe" status --out "$PXE_OUT"
}

# pxe_nic MAC: the network card, first in the boot order.
pxe_nic() {
	NET_ARGS="-netdev tap,id=pxe,ifname=tap0,script=no,downscript=no -device e1000,netdev=pxe,mac=$1,bootindex=0"
}

# What the servers logged during one boot: NAME.dhcp.log and NAME.http.log.
pxe_logs_begin() {
	PXE_DHCP_LINES=$(wc -l <"$PXE_RUN/dnsmasq.log")
	PXE_HTTP_LINES=$(wc -l <"$PXE_RUN/nginx-access.log")
}

pxe_logs_end() {
	tail -n +"$((PXE_DHCP_LINES + 1))" "$PXE_RUN/dnsmasq.log" >"$WORK/$1.dhcp.log"
	tail -n +"$((PXE_HTTP_LINES + 1))" "$PXE_RUN/nginx-access.log" >"$WORK/$1.http.log"
}

# http_status LOG METHOD PATH: the statuses nginx answered for METHOD PATH.
http_status() {
	awk -v r="\"$2 $3 " 'index($0, r) { split(substr($0, index($0, r) + length(r)), a, "\" "); split(a[2], b, " "); print b[1] }' "$1"
}

# pxe_install NAME MAC DISK1 DISK2: a network install onto two raw images;
# the installer must reach its end.
pxe_install() {
	local name=$1 disks
	pxe_nic "$2"
	disks="$(disk_args XSRAID-DISK1 "$3" raw 0 1) $(disk_args XSRAID-DISK2 "$4" raw 1 2)"
	pxe_logs_begin
	# shellcheck disable=SC2086
	run_qemu "$name" "$INSTALL_TIMEOUT" "$WORK/$name.serial.log" -machine graphics=off $NET_ARGS $disks
	NET_ARGS=
	pxe_logs_end "$name"
	marks "$WORK/$name.serial.log" >"$WORK/$name.marks"
	grep -q '^XSRAID-MARK install-end' "$WORK/$name.marks" ||
		fail "$name: the installer never reached its end (no 'install-end' mark)"
	expect_port_order "$name" "$4"
}

# expect_network_install NAME HOST MAC IP: what the servers saw of the
# install: DHCP, only the loader over TFTP, the rest over HTTP.
expect_network_install() {
	local name=$1 host=$2 mac=$3 ip=$4 key f
	key=01-$(echo "$mac" | tr ':' '-')
	check "$name: dnsmasq gave $host its address" grep -q "DHCPACK(tap0) $ip $mac $host" "$WORK/$name.dhcp.log"
	check_eq "$name: TFTP sent lpxelinux.0 and nothing else" \
		"$(grep 'dnsmasq-tftp.* sent ' "$WORK/$name.dhcp.log" | sed 's/.* sent //' | sort -u)" \
		"$PXE_OUT/current/tftp/lpxelinux.0 to $ip"
	for f in ldlinux.c32 "pxelinux.cfg/$key" mboot.c32 libcom32.c32 xen.gz vmlinuz install.img; do
		check_eq "$name: lpxelinux fetched $f over HTTP" \
			"$(http_status "$WORK/$name.http.log" GET "/boot/$f")" 200
	done
	check_eq "$name: the installer fetched its answerfile" \
		"$(http_status "$WORK/$name.http.log" GET "/answerfiles/$host.xml")" 200
	check "$name: xsraid PUT its report as it went" \
		test "$(http_status "$WORK/$name.http.log" PUT "/state/reports/$host.json" | grep -cE '^20[14]$')" -ge 10
	check_eq "$name: xsraid PUT its final report" \
		"$(http_status "$WORK/$name.http.log" PUT "/state/final/$key.json")" 201
}

# pxe_boot NAME MAC SERIAL:FILE...: a network boot of installed disks, which
# the server must send to the local disk (no install.img fetched).
pxe_boot() {
	local name=$1 mac=$2 key
	key=01-$(echo "$mac" | tr ':' '-')
	shift 2
	pxe_nic "$mac"
	pxe_logs_begin
	boot "$name" "$@"
	NET_ARGS=
	pxe_logs_end "$name"
	check_eq "$name: the network boot asked for its configuration" \
		"$(http_status "$WORK/$name.http.log" GET "/boot/pxelinux.cfg/$key")" 200
	check "$name: and got the local-disk one" \
		grep -q "\"GET /boot/pxelinux.cfg/$key HTTP/1.0\" 200 $(stat -c %s "$PXE_OUT/current/http/boot/pxelinux.cfg/default") " \
		"$WORK/$name.http.log"
	check "$name: no installer was fetched" eval "! grep -q 'GET /boot/install.img' '$WORK/$name.http.log'"
}

# xen_cmdline LOG: Xen's command line as it printed it.
xen_cmdline() {
	tr -d '\r' <"$1" | sed -n 's/^(XEN) Command line: //p' | head -n 1
}

# report_query FILE EXPRESSION: a Python expression over a host's report (d).
report_query() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# expect_installed_report HOST KEY: the report and the final report say the
# host is mirrored: every step done, md0 in sync, both disks boot alone.
expect_installed_report() {
	local r=$PXE_OUT/state/reports/$1.json f=$PXE_OUT/state/final/$2.json
	check "the report of $1 is there" test -f "$r"
	check_eq "$1's report: state" "$(report_query "$r" 'd["state"]')" installed
	check_eq "$1's report: every step done" \
		"$(report_query "$r" 'sorted({s["state"] for s in d["steps"]})')" "['done']"
	check_eq "$1's report: md0's resync" "$(report_query "$r" 'd["resync"]["percent"]')" 100
	check_eq "$1's report: each disk boots alone" \
		"$(report_query "$r" '[(x["name"], x["boot"]) for x in d["disks"]]')" \
		"[('sda', 'ok'), ('sdb', 'ok')]"
	check "$1's final report is the last report" cmp -s "$r" "$f"
}
