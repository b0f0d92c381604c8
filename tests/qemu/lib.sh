# shellcheck shell=bash
# Shared harness of the QEMU scenarios (sourced, bash).
#
# Every QEMU run is bounded by `timeout`; its serial console goes to a file
# that the assertions read.  A scenario works in build/qemu/work/<name>/;
# when it fails, that directory is copied to build/qemu/artifacts/<name>/
# and the tail of the last serial log is printed.
#
# Environment (set by run.sh / qemu.mk):
#   QEMU_BUILD   build/qemu (absolute)
#   IMG_STOCK    installer image without xsraid
#   IMG_XSRAID   installer image with /opt/xsraid (made by xsraid-remaster)
#   ISO_XSRAID   the stand-in's CD remastered by xsraid-remaster, whose
#                default entry installs with answerfile/examples/raid-attribute.xml
#   ISO_FILES    directory with isolinux.bin, ldlinux.c32, mboot.c32,
#                libcom32.c32, xen.gz, vmlinuz, isohdpfx.bin
set -euo pipefail

QEMU=${QEMU:-qemu-system-x86_64}
DISK_SIZE=${DISK_SIZE:-1G}
INSTALL_TIMEOUT=${INSTALL_TIMEOUT:-600}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-420}
# The kernel arguments every installer run gets (serial console through Xen).
XEN_INSTALL_ARGS="dom0_mem=1024M,max:1024M dom0_max_vcpus=1 com1=115200,8n1 console=com1"
DOM0_INSTALL_ARGS=${DOM0_INSTALL_ARGS:-"console=hvc0 quiet"}

SCENARIO=${SCENARIO:-$(basename "$0" .sh)}
WORK=$QEMU_BUILD/work/$SCENARIO
ARTIFACTS=$QEMU_BUILD/artifacts/$SCENARIO
LAST_LOG=
T0=$(date +%s)

say() {
	printf '[%s %4ss] %s\n' "$SCENARIO" "$(($(date +%s) - T0))" "$*"
}

# Background helpers (the http server) to stop when the scenario ends, and
# a network namespace to delete (the PXE scenarios').
CLEANUP_PIDS=
CLEANUP_NETNS=
cleanup() {
	local p
	for p in $CLEANUP_PIDS; do
		kill "$p" 2>/dev/null || true
	done
	CLEANUP_PIDS=
	[ -z "$CLEANUP_NETNS" ] || ip netns del "$CLEANUP_NETNS" 2>/dev/null || true
	CLEANUP_NETNS=
}

# fail MESSAGE: keeps the work directory as artifacts, shows the last serial
# log's tail, and ends the scenario with exit 1.
fail() {
	FAILED_REPORTED=1
	cleanup
	say "FAIL: $*"
	rm -rf "$ARTIFACTS"
	mkdir -p "$(dirname "$ARTIFACTS")"
	# Disk images are big and sparse; keep everything but them.
	(cd "$WORK" && find . -type f ! -name '*.img' ! -name '*.qcow2' ! -name '*.iso') |
		while read -r f; do
			mkdir -p "$ARTIFACTS/$(dirname "$f")"
			cp "$WORK/$f" "$ARTIFACTS/$f"
		done
	if [ -n "$LAST_LOG" ] && [ -f "$LAST_LOG" ]; then
		say "last 40 lines of $LAST_LOG:"
		tr -d '\r' <"$LAST_LOG" | tail -n 40 | sed 's/^/    | /'
	fi
	say "logs kept in $ARTIFACTS"
	exit 1
}

trap 'rc=$?; [ $rc -eq 0 ] || [ -n "${FAILED_REPORTED:-}" ] || { FAILED_REPORTED=1; fail "command failed (exit $rc) at line $LINENO"; }' EXIT

setup_work() {
	rm -rf "$WORK" "$ARTIFACTS"
	mkdir -p "$WORK"
}

# blank_disk FILE [SIZE]: a sparse raw disk.
blank_disk() {
	rm -f "$1"
	truncate -s "${2:-$DISK_SIZE}" "$1"
}

# image_format FILE: qcow2 for *.qcow2, else raw.
image_format() {
	case "$1" in
	*.qcow2) echo qcow2 ;;
	*) echo raw ;;
	esac
}

# overlay BASE OUT: a qcow2 overlay, so boots do not change BASE (a raw
# image, or itself a qcow2 overlay).
overlay() {
	rm -f "$2"
	qemu-img create -q -f qcow2 -F "$(image_format "$1")" -b "$1" "$2"
}

# make_iso IMG OUT "KERNEL ARGS": a boot ISO like 6.0.2's (isolinux,
# mboot.c32, Xen, the dom0 kernel and install.img; mkiso.sh), one per run
# because the kernel arguments live in isolinux.cfg.
make_iso() {
	local img=$1 out=$2 args=$3
	cat >"$WORK/isolinux.cfg" <<EOF
SERIAL 0 115200
DEFAULT install
PROMPT 0
TIMEOUT 0
LABEL install
  KERNEL mboot.c32
  APPEND /boot/xen.gz $XEN_INSTALL_ARGS --- /boot/vmlinuz $DOM0_INSTALL_ARGS $args --- /install.img
EOF
	sh "$QEMU_TESTS/mkiso.sh" "$ISO_FILES" "$img" "$WORK/isolinux.cfg" "$out" 2>"$WORK/xorriso.log" ||
		fail "xorriso failed (see xorriso.log)"
}

# append_files IMG OUT DIR: IMG with DIR's contents added.  The extra cpio
# archive goes inside the same gzip stream: syslinux's mboot.c32 inflates a
# gzip module itself and only the first gzip member, so a second gzip
# member appended to install.img would be lost on the way.
append_files() {
	{
		gzip -dc "$1"
		(cd "$3" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
	} | gzip -1n >"$2"
}

# The machine every run gets: TCG, one CPU, the AHCI controller the disks
# hang off, no display, and no reboot (a reboot ends the run).
QEMU_MACHINE="-machine pc,accel=tcg -cpu qemu64 -m 2048 -smp 1 -display none -monitor none -no-reboot -device ahci,id=ahci"

# run_qemu NAME TIMEOUT LOG ARGS...: one bounded QEMU run; records its
# wall time in $WORK/timings.  A run that hits the timeout fails the
# scenario with a clear message.
run_qemu() {
	local name=$1 limit=$2 log=$3 rc t
	shift 3
	LAST_LOG=$log
	rm -f "$log"
	t=$(date +%s)
	say "$name: starting (timeout ${limit}s, serial log $(basename "$log"))"
	rc=0
	# shellcheck disable=SC2086
	timeout -k 10 "$limit" "$QEMU" $QEMU_MACHINE -serial "file:$log" \
		"$@" >"$log.qemu-stderr" 2>&1 || rc=$?
	t=$(($(date +%s) - t))
	echo "$name ${t}s" >>"$WORK/timings"
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		fail "$name: QEMU timed out after ${limit}s (the guest hung or was too slow)"
	fi
	[ $rc -eq 0 ] || fail "$name: QEMU exited with $rc: $(head -c 300 "$log.qemu-stderr")"
	say "$name: done in ${t}s"
}

# run_qemu_cut NAME TIMEOUT LOG PATTERN ARGS...: a power cut.  QEMU runs
# until its serial log shows PATTERN (grep -E), polled every 0.2 s,
# and is then killed with SIGKILL: no shutdown, nothing flushed but what
# already reached the image files.  Raw images only: what the guest wrote
# and saw completed is in the file (QEMU writes raw images synchronously),
# as on a disk whose write cache got drained, while the guest's own page
# cache is lost; a qcow2 overlay under cache=unsafe would also lose QEMU's
# cached metadata, which no real disk does.  Fails the scenario when QEMU
# ends by itself first or PATTERN does not show within TIMEOUT seconds.
run_qemu_cut() {
	local name=$1 limit=$2 log=$3 pattern=$4 pid t now hit=0 rc=0
	shift 4
	LAST_LOG=$log
	rm -f "$log"
	: >"$log"
	t=$(date +%s)
	say "$name: starting, power cut when the serial log shows '$pattern' (timeout ${limit}s)"
	# shellcheck disable=SC2086
	"$QEMU" $QEMU_MACHINE -serial "file:$log" "$@" >"$log.qemu-stderr" 2>&1 &
	pid=$!
	CLEANUP_PIDS="$CLEANUP_PIDS $pid"
	while :; do
		if grep -qaE -- "$pattern" "$log"; then
			hit=1
			break
		fi
		kill -0 "$pid" 2>/dev/null || break
		now=$(date +%s)
		[ $((now - t)) -lt "$limit" ] || break
		sleep 0.2
	done
	if [ $hit = 1 ] && kill -KILL "$pid" 2>/dev/null; then
		wait "$pid" 2>/dev/null || rc=$?
		CLEANUP_PIDS=${CLEANUP_PIDS% $pid}
		t=$(($(date +%s) - t))
		echo "$name ${t}s (power cut)" >>"$WORK/timings"
		[ $rc -eq 137 ] || fail "$name: QEMU did not die of SIGKILL (exit $rc)"
		say "$name: power cut after ${t}s; the last console line: $(tr -cd '[:print:]\n' <"$log" | grep -av '^[[:space:]]*$' | tail -n 1)"
		return 0
	fi
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		CLEANUP_PIDS=${CLEANUP_PIDS% $pid}
		fail "$name: the serial log did not show '$pattern' within ${limit}s; no power cut"
	fi
	wait "$pid" 2>/dev/null || rc=$?
	CLEANUP_PIDS=${CLEANUP_PIDS% $pid}
	fail "$name: QEMU ended by itself (exit $rc) before the serial log showed '$pattern'; no power cut $(head -c 300 "$log.qemu-stderr")"
}

# disk_args SERIAL FILE FORMAT PORT BOOTINDEX: one AHCI disk.  The serial
# identifies the physical disk wherever it is plugged in.
disk_args() {
	echo "-drive if=none,id=hd$4,file=$2,format=$3,cache=unsafe,discard=unmap" \
		"-device ide-hd,drive=hd$4,bus=ahci.$4,bootindex=$5,serial=$1"
}

# installer_setup NAME IMG "KERNEL ARGS" DISK1 [DISK2]: makes NAME's boot
# ISO and sets INSTALLER_ARGS to the QEMU arguments that boot it (see
# installer_drives).
installer_setup() {
	make_iso "$2" "$WORK/$1.iso" "$3"
	installer_drives "$WORK/$1.iso" "$4" "${5:-}"
}

# installer_drives ISO DISK1 [DISK2]: sets INSTALLER_ARGS to the QEMU
# arguments that boot ISO from the CD drive with the disk images (raw, or
# *.qcow2) as sda (and sdb); NET_ARGS, when set, replaces -nic none.
installer_drives() {
	local iso=$1 d1=$2 d2=${3:-}
	INSTALLER_ARGS="$(disk_args XSRAID-DISK1 "$d1" "$(image_format "$d1")" 0 2)"
	[ -n "$d2" ] && INSTALLER_ARGS="$INSTALLER_ARGS $(disk_args XSRAID-DISK2 "$d2" "$(image_format "$d2")" 1 3)"
	INSTALLER_ARGS="$INSTALLER_ARGS ${NET_ARGS:--nic none}"
	INSTALLER_ARGS="$INSTALLER_ARGS -drive if=none,id=cd,file=$iso,media=cdrom,format=raw,readonly=on"
	INSTALLER_ARGS="$INSTALLER_ARGS -device ide-cd,drive=cd,bus=ide.1,bootindex=1"
}

# expect_port_order NAME [DISK2]: disk 1 was sda (and disk 2 sdb), as the
# answerfiles assume, per the "disks" mark of NAME's run.
expect_port_order() {
	local want="disks sda=XSRAID-DISK1"
	[ -n "${2:-}" ] && want="$want sdb=XSRAID-DISK2"
	grep -q "^XSRAID-MARK $want\$" "$WORK/$1.marks" ||
		fail "$1: disks not named in port order: $(grep '^XSRAID-MARK disks' "$WORK/$1.marks")"
}

# install NAME IMG "KERNEL ARGS" DISK1 [DISK2]: boots the installer ISO
# with the disks as sda (and sdb); the install must reach its end.
install() {
	installer_setup "$@"
	run_install "$1" "${5:-}"
}

# install_from_iso NAME ISO DISK1 [DISK2]: the same with an ISO as it is,
# booting its own default entry.
install_from_iso() {
	installer_drives "$2" "$3" "${4:-}"
	run_install "$1" "${4:-}"
}

# run_install NAME [DISK2]: runs the installer set up in INSTALLER_ARGS.
run_install() {
	# shellcheck disable=SC2086
	run_qemu "$1" "$INSTALL_TIMEOUT" "$WORK/$1.serial.log" $INSTALLER_ARGS
	marks "$WORK/$1.serial.log" >"$WORK/$1.marks"
	grep -q '^XSRAID-MARK install-end' "$WORK/$1.marks" ||
		fail "$1: the installer never reached its end (no 'install-end' mark)"
	expect_port_order "$1" "${2:-}"
}

# install_cut NAME IMG "KERNEL ARGS" PATTERN DISK1 [DISK2]: the same
# install, cut (SIGKILL) when the serial log shows PATTERN (grep -E); the
# disks must be raw images.
install_cut() {
	local name=$1 pattern=$4 d
	for d in "$5" "${6:-}"; do
		[ -z "$d" ] || [ "$(image_format "$d")" = raw ] || fail "$name: a power cut needs raw disk images, not $d"
	done
	installer_setup "$1" "$2" "$3" "$5" "${6:-}"
	# shellcheck disable=SC2086
	run_qemu_cut "$name" "$INSTALL_TIMEOUT" "$WORK/$name.serial.log" "$pattern" $INSTALLER_ARGS
	marks "$WORK/$name.serial.log" >"$WORK/$name.marks"
	expect_port_order "$name" "${6:-}"
}

# run_installer NAME IMG "KERNEL ARGS" DISK1 [DISK2]: boots the installer
# ISO without expecting an install (start=PROGRAM runs before the
# installer would); PROGRAM reports through the serial log.
run_installer() {
	installer_setup "$@"
	# shellcheck disable=SC2086
	run_qemu "$1" "$INSTALL_TIMEOUT" "$WORK/$1.serial.log" $INSTALLER_ARGS
	marks "$WORK/$1.serial.log" >"$WORK/$1.marks"
}

# try_boot NAME SERIAL1:FILE1 [SERIAL2:FILE2]: boots the installed disks
# (qcow2 overlays), SeaBIOS text on the serial port too (graphics=off);
# succeeds when the installed system finished booting.  NET_ARGS, when set,
# replaces -nic none (a PXE boot's network card comes first).
try_boot() {
	local name=$1 log disks="" port=0 spec
	shift
	log=$WORK/$name.serial.log
	for spec in "$@"; do
		disks="$disks $(disk_args "${spec%%:*}" "${spec#*:}" qcow2 $port $((port + 1)))"
		port=$((port + 1))
	done
	# shellcheck disable=SC2086
	run_qemu "$name" "$BOOT_TIMEOUT" "$log" -machine graphics=off ${NET_ARGS:--nic none} $disks
	marks "$log" >"$WORK/$name.marks"
	grep -q '^XSRAID-MARK boot-end' "$WORK/$name.marks"
}

# boot NAME SERIAL1:FILE1 [SERIAL2:FILE2]: try_boot, which must succeed, with
# the disks named in port order.
boot() {
	local name=$1 log=$WORK/$1.serial.log spec
	if ! try_boot "$@"; then
		local why
		why=$(grep -m1 -E 'XSRAID-MARK initrd-error|Missing OS|Boot failed|No bootable device|Kernel panic|Panic on CPU' "$log" | tr -d '\r' || true)
		fail "$name: the installed system did not finish booting${why:+ ($why)}"
	fi
	shift
	local want="" letter=a
	for spec in "$@"; do
		want="$want${want:+,}sd$letter:${spec%%:*}"
		letter=$(echo "$letter" | tr 'a-y' 'b-z')
	done
	grep -q "^XSRAID-MARK hypervisor=.* disks=$want\$" "$WORK/$name.marks" ||
		fail "$name: disks not named in port order (want $want): $(grep '^XSRAID-MARK hypervisor=' "$WORK/$name.marks")"
}

# boot_fails NAME SERIAL:FILE: a disk that must not boot alone.  SeaBIOS
# tries only it (strict) and reboots a second after giving up, which ends
# the run (-no-reboot); fails the scenario if the installed system started.
boot_fails() {
	local name=$1 log=$WORK/$1.serial.log spec=$2
	# shellcheck disable=SC2046 # disk_args prints several arguments
	run_qemu "$name" "$BOOT_TIMEOUT" "$log" -machine graphics=off -nic none \
		-boot strict=on,reboot-timeout=1000 $(disk_args "${spec%%:*}" "${spec#*:}" qcow2 0 1)
	marks "$log" >"$WORK/$name.marks"
	if has_mark "$WORK/$name.marks" boot-begin; then
		fail "$name: the disk booted, and it must not"
	fi
}

# test_disk NAME PROGRAM: $WORK/NAME-test.qcow2, a small disk whose ext2
# filesystem, labelled XSRAID-TEST, holds PROGRAM as "run": dom0/init runs
# it once the installed system is up, as an operator runs a program from a
# USB stick.  Attach it last (its serial: XSRAID-TEST); its output is
# between the marks test-begin and "test-end rc=N"; a program that starts
# with TEST_PROGRAM_HEAD marks each of its steps (step_output).
test_disk() {
	local dir=$WORK/$1-test
	rm -rf "$dir" "$WORK/$1-test.img"
	mkdir -p "$dir"
	cp "$2" "$dir/run"
	mke2fs -q -F -t ext2 -L XSRAID-TEST -d "$dir" "$WORK/$1-test.img" 8M
	overlay "$WORK/$1-test.img" "$WORK/$1-test.qcow2"
}

# What a test disk's program starts with: "step LABEL COMMAND..." runs
# COMMAND between the marks LABEL-begin and "LABEL-end rc=N".
# shellcheck disable=SC2016,SC2034 # expanded by the program's shell; used by the scenarios
TEST_PROGRAM_HEAD='#!/bin/sh
mark() {
	echo "XSRAID-MARK $*"
}
step() {
	label=$1
	shift
	mark "$label-begin"
	"$@"
	mark "$label-end rc=$?"
}'

# step_rc NAME LABEL: the exit status of step LABEL in run NAME;
# step_output NAME LABEL OUT: what it printed, into OUT, shown in the log.
step_rc() {
	mark_value "$WORK/$1.marks" "$2-end rc"
}
step_output() {
	between "$WORK/$1.serial.log" "$2-begin" "$2-end rc=$(step_rc "$1" "$2")" >"$3"
	say "$2:"
	sed 's/^/    | /' "$3"
}

# marks LOG: the XSRAID-MARK lines of a serial log, carriage returns gone.
marks() {
	tr -d '\r' <"$1" | grep -a '^XSRAID-MARK ' || true
}

# mark_value FILE KEY: the value of "XSRAID-MARK KEY=value" (last one).
mark_value() {
	grep -a "^XSRAID-MARK $2=" "$1" | tail -n 1 | sed "s/^XSRAID-MARK $2=//"
}

# between LOG BEGIN END: the raw lines between two marks (last block).
between() {
	tr -d '\r' <"$1" | awk -v b="XSRAID-MARK $2" -v e="XSRAID-MARK $3" '
		$0 == b { on = 1; buf = ""; next }
		$0 == e { on = 0; out = buf; next }
		on { buf = buf $0 "\n" }
		END { printf "%s", out }'
}

# install_log LOG: the install-log lines shown on the console.
install_log() {
	tr -d '\r' <"$1" | grep -a '^XSRAID-LOG ' | sed 's/^XSRAID-LOG //' || true
}

check() {
	# check DESCRIPTION COMMAND...: runs an assertion, failing with DESCRIPTION.
	local what=$1
	shift
	if "$@"; then
		say "ok: $what"
	else
		fail "$what"
	fi
}

# check_eq DESCRIPTION ACTUAL EXPECTED: an equality, both shown on failure.
check_eq() {
	if [ "$2" = "$3" ]; then
		say "ok: $1"
	else
		fail "$1: got '$2', expected '$3'"
	fi
}

has_mark() {
	grep -qa -- "^XSRAID-MARK $2" "$1"
}

# --- byte-level views of a disk image (the host has no GPT support) -------

sector_count() {
	echo $(($(stat -c %s "$1") / 512))
}

# gpt_part_start IMAGE N: first LBA of partition N from the primary GPT.
gpt_part_start() {
	sgdisk -i "$2" "$1" 2>/dev/null | sed -n 's/^First sector: \([0-9]*\).*/\1/p'
}

# boot_regions IMAGE: MBR, primary GPT (LBA 1-33), backup GPT (last 33
# sectors) and the first sector of partition 1, concatenated.
boot_regions() {
	local img=$1 n p1
	n=$(sector_count "$img")
	p1=$(gpt_part_start "$img" 1)
	dd if="$img" bs=512 skip=0 count=34 status=none
	dd if="$img" bs=512 skip=$((n - 33)) count=33 status=none
	if [ -n "$p1" ]; then
		dd if="$img" bs=512 skip="$p1" count=1 status=none
	fi
}

image_sum() {
	sha256sum <"$1" | cut -d' ' -f1
}

scenario_done() {
	cleanup
	say "PASS ($(($(date +%s) - T0))s)"
	trap - EXIT
	exit 0
}

# --- answerfiles --------------------------------------------------------

# answerfile PRIMARY-DISK-ELEMENT [EXTRA-ELEMENTS]: a 6.0.2 answerfile with
# the given <primary-disk> line; the rest is a fixed, valid fresh install.
answerfile() {
	cat <<AF
<?xml version="1.0"?>
<installation mode="fresh" srtype="lvm">
  $1
  <keymap>us</keymap>
  <root-password>xsraid</root-password>
  <source type="local"/>
  <admin-interface name="eth0" proto="dhcp"/>
  <timezone>Europe/London</timezone>
${2:-}
</installation>
AF
}

# The hook lines the RAID extension's documentation asks for.
# shellcheck disable=SC2034 # used by the scenarios
HOOK_SCRIPTS='  <script stage="filesystem-populated" type="url">file:///opt/xsraid/xsraid-hook</script>
  <script stage="installation-complete" type="url">file:///opt/xsraid/xsraid-hook</script>'

# embed IMG OUT FILE: IMG with FILE as /answerfile.xml.
embed() {
	local d
	d=$(mktemp -d "$WORK/embed.XXXXXX")
	cp "$3" "$d/answerfile.xml"
	append_files "$1" "$2" "$d"
	rm -rf "$d"
}

# compact_install "KERNEL ARGS" [DIR]: an install named "install" from the
# xsraid image with the RAID extension's compact answerfile embedded (and
# DIR's files beside it), onto two blank disks $WORK/d1.img and d2.img.
compact_install() {
	local d
	d=$(mktemp -d "$WORK/extra.XXXXXX")
	if [ -n "${2:-}" ]; then cp -a "$2/." "$d/"; fi
	answerfile '<primary-disk raid="sdb">sda</primary-disk>' "$HOOK_SCRIPTS" >"$d/answerfile.xml"
	append_files "$IMG_XSRAID" "$WORK/install.img" "$d"
	rm -rf "$d"
	blank_disk "$WORK/d1.img"
	blank_disk "$WORK/d2.img"
	install install "$WORK/install.img" "answerfile=file:///answerfile.xml install $1" \
		"$WORK/d1.img" "$WORK/d2.img"
}

# stage_output LOG: what the console showed while a hook stage ran: the
# install-log lines (prefix removed) and anything the hook wrote to the
# console itself.
stage_output() {
	tr -d '\r' <"$1" | awk '
		/^XSRAID-MARK stage-begin / { on = 1; next }
		/^XSRAID-MARK stage-end / { on = 0; next }
		on && /^XSRAID-MARK / { next }
		on { sub(/^XSRAID-LOG /, ""); print }'
}

# console_steps_missing LOG: checks that the console (lines xsraid wrote to
# /dev/console itself, not the install-log copies) showed every step
# "xsraid: step N/M" of both hook stages; prints what is missing.
console_steps_missing() {
	tr -d '\r' <"$1" | awk '
		/^XSRAID-MARK stage-begin / { stage = $3; next }
		/^xsraid: step [0-9]+\/[0-9]+ / { split($3, a, "/"); seen[stage, a[1] + 0] = 1; total[stage] = a[2] + 0 }
		END {
			for (s in total) {
				n++
				for (i = 1; i <= total[s]; i++)
					if (!((s, i) in seen)) print "step " i "/" total[s] " of " s
			}
			if (n != 2) print "steps shown for " n + 0 " stages, not 2"
		}'
}

# --- assertions on a booted system -----------------------------------------

# expect_single_disk_boot MARKS NAME: root on sda1 by label, no md arrays.
expect_single_disk_boot() {
	local m=$1 name=$2
	check "$name: dom0 runs under Xen" has_mark "$m" "hypervisor=xen "
	check_eq "$name: root is /dev/sda1" "$(mark_value "$m" root)" /dev/sda1
	check "$name: fstab root is by label" grep -qa '^XSRAID-MARK fstab-root=LABEL=root-' "$m"
	check_eq "$name: every extlinux entry boots LABEL=root-*" \
		"$(grep -a '^XSRAID-MARK extlinux label=' "$m" | grep -vc 'root=LABEL=root-')" 0
	check_eq "$name: no md array" "$(grep -acE '^XSRAID-MARK md(-final)? ' "$m")" 0
	check "$name: first boot would create the local SR on /dev/sda3 (its by-id name resolved)" \
		has_mark "$m" 'firstboot-storage xe sr-create .* type=lvm device-config:device=/dev/sda3$'
}

# expect_refused WHAT PATTERN SUM: the install went on without a mirror:
# it finished (6.0.2 ignores a hook's exit code), xsraid's output during the
# hook stages matches PATTERN (grep -iE), described as WHAT, and disk 2's
# sha256 is still SUM.
expect_refused() {
	check "install finished (the hook's exit code is ignored)" has_mark "$WORK/install.marks" "install-end status=ok"
	stage_output "$WORK/install.serial.log" >"$WORK/xsraid-output.txt"
	check "xsraid refused, naming $1" grep -qiE "$2" "$WORK/xsraid-output.txt"
	check_eq "disk 2 is byte-for-byte unchanged" "$(image_sum "$WORK/d2.img")" "$3"
}

# boot_as_stock_install: boots the installed disks $WORK/d1.img and d2.img
# together (from qcow2 overlays) and expects what a stock install gives:
# root on sda1, no md, the marker tree of the install.
boot_as_stock_install() {
	overlay "$WORK/d1.img" "$WORK/boot-d1.qcow2"
	overlay "$WORK/d2.img" "$WORK/boot-d2.qcow2"
	boot boot XSRAID-DISK1:"$WORK/boot-d1.qcow2" XSRAID-DISK2:"$WORK/boot-d2.qcow2"
	expect_single_disk_boot "$WORK/boot.marks" boot
	expect_marker "$WORK/boot.marks" boot "$(mark_value "$WORK/install.marks" marker-sum)"
}

# md_line MARKS MD: the md-final report line of one array.
md_line() {
	grep -a "^XSRAID-MARK md-final $2 " "$1" | tail -n 1
}

# expect_raid_boot MARKS NAME MEMBERS LOG: root on md0; md0-2 raid1 with a
# bitmap; fstab, extlinux, inventory and SR config on md devices; with
# MEMBERS=2, [UU] after the resync, else each array degraded.
expect_raid_boot() {
	local m=$1 name=$2 members=$3 log=$4 md final
	check "$name: dom0 runs under Xen" has_mark "$m" "hypervisor=xen "
	check_eq "$name: root is /dev/md0" "$(mark_value "$m" root)" /dev/md0
	check "$name: fstab mounts /dev/md0 on /" grep -qa '^XSRAID-MARK fstab-root=/dev/md0[[:space:]]' "$m"
	check_eq "$name: five extlinux entries" "$(grep -ac '^XSRAID-MARK extlinux label=' "$m")" 5
	check_eq "$name: every extlinux entry has root=/dev/md0" \
		"$(grep -a '^XSRAID-MARK extlinux label=' "$m" | grep -vc ' root=/dev/md0$')" 0
	check "$name: inventory BACKUP_PARTITION is /dev/md1" has_mark "$m" 'inventory BACKUP_PARTITION=/dev/md1$'
	check "$name: inventory DEFAULT_SR_PHYSDEVS is /dev/md2" has_mark "$m" 'inventory DEFAULT_SR_PHYSDEVS=/dev/md2$'
	check "$name: default-storage.conf XSPARTITIONS is /dev/md2" has_mark "$m" 'storage XSPARTITIONS=/dev/md2$'
	check "$name: default-storage.conf PARTITIONS is /dev/md2" has_mark "$m" 'storage PARTITIONS=/dev/md2$'
	check "$name: first boot would create the local SR on /dev/md2" \
		has_mark "$m" 'firstboot-storage xe sr-create .* type=lvm device-config:device=/dev/md2$'
	for md in md0 md1 md2; do
		check "$name: $md is raid1" eval 'md_line "$m" $md | grep -q " level=raid1 "'
		check "$name: $md has an internal bitmap" eval 'md_line "$m" $md | grep -q " bitmap=Internal"'
	done
	check "$name: resync finished in time" eval '! grep -qa "^XSRAID-MARK resync-wait .*result=timeout" "$m"'
	# Monitoring from the first boot: mdmonitor on, xsraid as mdadm's PROGRAM, a weekly check.
	check "$name: mdadm's monitor started at boot" has_mark "$m" "rc3 S15mdmonitor$"
	check "$name: mdadm.conf runs xsraid on md events" has_mark "$m" "mdadm.conf PROGRAM /usr/sbin/xsraid$"
	check "$name: cron checks the arrays weekly" has_mark "$m" 'cron.d xsraid-check 0 1 \* \* Sun root /usr/sbin/xsraid scrub$'
	final=$(between "$log" mdstat-final-begin mdstat-final-end)
	printf '%s\n' "$final" >"$WORK/$name.mdstat"
	if [ "$members" = 2 ]; then
		check_eq "$name: md0, md1, md2 are [UU]" "$(echo "$final" | grep -c '\[UU\]')" 3
	else
		check_eq "$name: md0, md1, md2 run degraded on the one disk" \
			"$(echo "$final" | grep -cE '\[(U_|_U)\]')" 3
	fi
}

# expect_initrd MARKS NAME MODE: the initrd assembled md0 the way the
# installed mkinitrd was told to (fixture_initrd=MODE; see dom0/mkinitrd):
# the "initrd" mark of the boot says which form ran and what the image held.
expect_initrd() {
	local want
	case "$3" in
	mdadm-conf) want="raid-assembly=mdadm-conf mdadm=present mdadm.conf=present" ;;
	mdadm-scan) want="raid-assembly=mdadm-scan mdadm=present mdadm.conf=present" ;;
	autorun) want="raid-assembly=autorun mdadm=absent mdadm.conf=absent" ;;
	*) fail "expect_initrd: unknown mode $3" ;;
	esac
	check_eq "$2: the initrd assembled md0 with $3" "$(grep -a '^XSRAID-MARK initrd raid-assembly=' "$1" | tail -n 1 | sed 's/^XSRAID-MARK initrd //')" "$want"
}

# expect_writelog MARKS: what the installer's two direct mounts of
# /dev/sda1 (writeLog, after filesystem-populated and after
# installation-complete) did during a RAID install.  After
# filesystem-populated, sda1 still holds the stock install and is no member
# of anything: the mount succeeds and the logs land on disk 1's original
# filesystem, which xsraid's carry-logs step brings to md0 before disk 1
# joins (and the recovery then overwrites).  After installation-complete,
# sda1 is a member of the running md0: the mount must fail, or it would
# write to one half of md0 behind md's back.
expect_writelog() {
	check "writeLog after filesystem-populated mounted disk 1's stock install (sda1 not yet in md0)" \
		has_mark "$1" 'writelog after=filesystem-populated dev=/dev/sda1 result=mounted$'
	check "writeLog after installation-complete could not mount /dev/sda1 (a running member of md0)" \
		has_mark "$1" 'writelog after=installation-complete dev=/dev/sda1 result=mount-failed'
}

# expect_md_check MARKS NAME: md's "check" of md0's two halves found no
# difference.
expect_md_check() {
	check "$2: md0's check finished" has_mark "$1" 'md-check md0 result=done '
	check_eq "$2: md0's check found no mismatch" \
		"$(grep -a '^XSRAID-MARK md-check md0 ' "$1" | tail -n 1 | sed -n 's/.* mismatch_cnt=//p')" 0
}

# expect_marker MARKS NAME SUM: the marker tree came through unchanged.
expect_marker() {
	check_eq "$2: marker checksum unchanged" "$(mark_value "$1" marker-sum)" "$3"
	check "$2: sparse file still sparse" test "$(mark_value "$1" marker-sparse-kib)" -lt 1024
}

# --- xsraid's journal and logs, read on the host ------------------------------

QEMU_TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# journal_dump IMAGE OUT: the step journal on a raw disk image (see
# journal-dump.py), saved to OUT and shown.
journal_dump() {
	python3 "$QEMU_TESTS/journal-dump.py" "$1" >"$2" 2>&1 ||
		fail "no valid xsraid journal on $(basename "$1"): $(cat "$2")"
	say "journal on $(basename "$1"):"
	grep -v '^payload ' "$2" | sed 's/^/    | /'
}

# journal_event DUMP STEP: the last event of STEP in a dump or in `xsraid
# status` output (begin, done, failed), or nothing.
journal_event() {
	awk -v s="$2" '$1 == "record" && $3 == s { e = $4 } $2 == s && $1 ~ /^[0-9]+$/ { e = $3 }
		END { print e }' "$1"
}

# journal_begins DUMP STEP: how many times STEP was begun.
journal_begins() {
	awk -v s="$2" '$1 == "record" && $3 == s && $4 == "begin" { n++ }
		$1 ~ /^[0-9]+$/ && $2 == s && $3 == "begin" { n++ } END { print n + 0 }' "$1"
}

# fs_cat IMAGE PATH: a file of the filesystem on partition 1 of a raw disk
# image, read with debugfs.  md metadata 0.90 and 1.0 sit at the end of the
# partition, so a member's filesystem starts where the partition does.
fs_cat() {
	local p1
	p1=$(gpt_part_start "$1" 1)
	[ -n "$p1" ] || return 1
	debugfs -R "cat $2" "$1?offset=$((p1 * 512))" 2>/dev/null
}

# --- xsraid resume, as an operator runs it after a power cut ------------------

# resume_disks NAME DISK1 DISK2: boots the xsraid installer image with 6.0's
# start= option, which runs a test program instead of the installer:
# `xsraid resume`, then `xsraid status`, then power off.  Leaves what it
# printed in $WORK/NAME-console.txt (xsraid's own lines), NAME-stderr.txt,
# NAME-log.txt (xsraid-log), NAME-status.txt, NAME-mdstat.txt and
# NAME-dmesg-md.txt, and the exit status in RESUME_RC.
resume_disks() {
	local name=$1 d1=$2 d2=$3 extra log r
	extra=$WORK/$name-extra
	rm -rf "$extra"
	mkdir -p "$extra"
	cat >"$extra/xsraid-resume-test" <<'SH'
#!/bin/sh
# Started by S99alt-start (start=/xsraid-resume-test) instead of the
# installer: finishes the conversion from the journal, shows the journal,
# powers off.
mark() {
	echo "XSRAID-MARK $*"
}
disks=
for b in /sys/block/sd*; do
	[ -e "$b" ] || continue
	disks="$disks ${b##*/}=$(tail -c +5 "$b/device/vpd_pg80" 2>/dev/null | tr -d '\000 ')"
done
mark "disks$disks"
mark resume-begin
/opt/xsraid/xsraid resume --console /dev/console 2>/tmp/resume-stderr
mark "resume-end rc=$?"
mark resume-stderr-begin
cat /tmp/resume-stderr
mark resume-stderr-end
mark resume-log-begin
cat /tmp/xsraid/xsraid-log
mark resume-log-end
mark status-begin
/opt/xsraid/xsraid status --journal
mark "status-end rc=$?"
mark mdstat-begin
cat /proc/mdstat
mark mdstat-end
mark dmesg-md-begin
dmesg | grep -E ' md[0-9]*: | md: |md/raid1|raid1:' | tail -n 40
mark dmesg-md-end
sync
sleep 2
poweroff -f
SH
	chmod 0755 "$extra/xsraid-resume-test"
	append_files "$IMG_XSRAID" "$WORK/$name.img" "$extra"
	run_installer "$name" "$WORK/$name.img" "start=/xsraid-resume-test" "$d1" "$d2"
	r=$WORK/$name.marks
	log=$WORK/$name.serial.log
	check "$name: the test program ran and powered off" has_mark "$r" "dmesg-md-end"
	check "$name: the installer did not start" eval '! has_mark "$r" install-begin'
	RESUME_RC=$(mark_value "$r" 'resume-end rc')
	between "$log" resume-begin "resume-end rc=$RESUME_RC" >"$WORK/$name-console.txt"
	between "$log" resume-stderr-begin resume-stderr-end >"$WORK/$name-stderr.txt"
	between "$log" resume-log-begin resume-log-end >"$WORK/$name-log.txt"
	between "$log" status-begin "status-end rc=$(mark_value "$r" 'status-end rc')" >"$WORK/$name-status.txt"
	between "$log" mdstat-begin mdstat-end >"$WORK/$name-mdstat.txt"
	between "$log" dmesg-md-begin dmesg-md-end >"$WORK/$name-dmesg-md.txt"
	say "$name: xsraid resume, on the console (exit status $RESUME_RC):"
	sed 's/^/    | /' "$WORK/$name-console.txt"
}

# plan_steps OUT: the steps of the plan xsraid makes for a 6.0.2 install,
# one line each: "ID STAGE destroys|-".  Uses XSRAID_PLAN_BIN, a host build
# of xsraid, on a system root of sparse images (make-sysroot.sh).
plan_steps() {
	local dir
	dir=$(mktemp -d "$WORK/plan.XXXXXX")
	"$QEMU_TESTS/../../installer-hook/tests/make-sysroot.sh" "$dir/root"
	answerfile "$(raid_primary_disk)" "$HOOK_SCRIPTS" >"$dir/answerfile.xml"
	ASAN_OPTIONS=detect_leaks=0 "${XSRAID_PLAN_BIN:?set XSRAID_PLAN_BIN to a host build of xsraid}" \
		plan --json --sysroot "$dir/root" --answerfile "$dir/answerfile.xml" >"$dir/plan.json" ||
		fail "cannot list the plan's steps"
	python3 -c '
import json, sys
for s in json.load(open(sys.argv[1]))["steps"]:
    print(s["id"], s["stage"], "destroys" if s["destroys"] else "-")
' "$dir/plan.json" >"$1"
	rm -rf "$dir"
}

# raid_primary_disk: the compact extension's <primary-disk>, copying the root
# as POWER_CUT_COPY says (files unless blocks).
raid_primary_disk() {
	if [ "${POWER_CUT_COPY:-files}" = blocks ]; then
		echo '<primary-disk raid="sdb" raid-copy="blocks">sda</primary-disk>'
	else
		echo '<primary-disk raid="sdb">sda</primary-disk>'
	fi
}

# expect_initrd_refusal WHY: the install finished on one disk because
# xsraid's boot check found that no initrd it rebuilt assembles md0 (WHY is
# in its message); disk 1 was never touched and boots the stock install.
expect_initrd_refusal() {
	check "install finished (the hook's exit code is ignored)" has_mark "$WORK/install.marks" "install-end status=ok"
	stage_output "$WORK/install.serial.log" >"$WORK/xsraid-output.txt"
	check "xsraid found the rebuilt initrds cannot assemble md0: $1" \
		grep -qF "check failed: boot/initrd-" "$WORK/xsraid-output.txt"
	check "xsraid says why: $1" grep -qF "$1" "$WORK/xsraid-output.txt"
	check "xsraid stopped before disk 1" \
		grep -qF "step verify-disk2 failed; the first disk is untouched and boots as installed" "$WORK/xsraid-output.txt"
	overlay "$WORK/d1.img" "$WORK/d1-alone.qcow2"
	boot boot-disk1 XSRAID-DISK1:"$WORK/d1-alone.qcow2"
	expect_single_disk_boot "$WORK/boot-disk1.marks" boot-disk1
	expect_marker "$WORK/boot-disk1.marks" boot-disk1 "$(mark_value "$WORK/install.marks" marker-sum)"
}
