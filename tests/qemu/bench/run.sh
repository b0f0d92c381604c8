#!/bin/bash
# The benchmark's QEMU runs (make bench; tests/qemu/README.md, "Benchmark").
#
#   run.sh [main] [growth] [align]        default: all three
#
#   main    on the same disks (root 4 GiB holding the benchmark's dom0, about
#           30 % full; SR 10 GiB), BENCH_REPS times each, interleaved: the
#           manual procedure (seed), xsraid copying files (xsraid) and
#           blocks (xsraid-blocks), and the limit (used blocks written once
#           to disk 2)
#   growth  xsraid (both copies) with a 2 TiB SR, and with the root 10 %,
#           40 % and 80 % full
#   align   md2 written to on disks with 4 KiB physical sectors, partition 3
#           where stock 6.0.2 puts it and where xsraid does
#
# Each install boots the xsraid installer image with the benchmark's hook in
# both script stages (guest/hook), the dom0 from a payload disk
# (fixture_payload=, built by mkpayload.py) and 6.0.2's root size
# (fixture_root_mb=4096); the measurements come back on a results disk.
# results/<run>/ keeps them; report.py prints the tables.
#
# Environment (bench.mk): QEMU_BUILD, IMG_XSRAID, ISO_FILES, BENCH_DIR (the
# payload images, the tools tree, results/), BENCH_REPS (3), BENCH_FILLS
# ("FILL:IMAGE ..."), BENCH_TIMEOUT (s per QEMU run), BENCH_PROCS (the
# procedures of main), BENCH_GROWTH (the runs of growth), BENCH_GROWTH_PROCS
# (the procedures they measure), BENCH_RESUME=1 to keep the runs results/ already has,
# BENCH_BOOTCHECK=1 to boot each disk alone after every install (not
# measured; shows that what was measured is a working mirror).
set -euo pipefail

SCENARIO=bench
# shellcheck source=tests/qemu/lib.sh
. "$(dirname "$0")/../lib.sh"

BENCH_REPS=${BENCH_REPS:-3}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-7200}
BENCH_PROCS=${BENCH_PROCS:-seed xsraid xsraid-blocks limit}
BENCH_GROWTH=${BENCH_GROWTH:-sr2048 fill10 fill40 fill80}
BENCH_GROWTH_PROCS=${BENCH_GROWTH_PROCS:-xsraid xsraid-blocks}
RESULTS=$BENCH_DIR/results
TOOLS_TREE=$BENCH_DIR/tools
ROOT_MB=4096
GIB=$((1024 * 1024 * 1024))
PAYLOAD_ID=/dev/disk/by-id/scsi-SATA_QEMU_HARDDISK_BENCH-PAYLOAD

payload_for() {
	local f
	for f in $BENCH_FILLS; do
		[ "${f%%:*}" = "$1" ] && { echo "${f#*:}"; return 0; }
	done
	fail "no payload image for a root $1 % full (BENCH_FILLS=$BENCH_FILLS)"
}

# bench_disk SERIAL FILE PORT [BOOTINDEX] [DEVICE-OPTIONS]: an AHCI disk whose
# writes of zeroes become holes, so the full resyncs of the seed do not fill
# the host's disk (the guest still moves every byte).
bench_disk() {
	echo "-drive if=none,id=hd$3,file=$2,format=raw,cache=unsafe,discard=unmap,detect-zeroes=unmap" \
		"-device ide-hd,drive=hd$3,bus=ahci.$3,serial=$1${4:+,bootindex=$4}${5:+,$5}"
}

results_disk() {
	truncate -s 64M "$WORK/results.img"
	echo "-drive if=none,id=hd3,file=$WORK/results.img,format=raw,cache=unsafe" \
		"-device ide-hd,drive=hd3,bus=ahci.3,serial=BENCH-RESULTS"
}

# extras PROC: the installer's additions for a run: the benchmark's tools
# and scripts, the procedure to measure, and its answerfile.  Every
# procedure's answerfile names xsraid's hook, as xsraid requires; its hook
# script is replaced by one that runs the benchmark's, which runs xsraid as
# the replaced script would (guest/hook), or another procedure.
extras() {
	local x=$WORK/extra
	rm -rf "$x"
	mkdir -p "$x/opt/xsraid"
	cp -a "$TOOLS_TREE/." "$x/"
	echo "$1" >"$x/opt/bench/procedure"
	printf '#!/bin/sh\n# The benchmark measures this stage (tests/qemu/bench/guest/hook).\nexec /opt/bench/hook "$@"\n' \
		>"$x/opt/xsraid/xsraid-hook"
	chmod 0755 "$x/opt/xsraid/xsraid-hook"
	local primary='<primary-disk>sda</primary-disk>'
	[ "$1" = xsraid ] && primary='<primary-disk raid="sdb">sda</primary-disk>'
	[ "$1" = xsraid-blocks ] && primary='<primary-disk raid="sdb" raid-copy="blocks">sda</primary-disk>'
	answerfile "$primary" "$HOOK_SCRIPTS" >"$x/answerfile.xml"
	append_files "$IMG_XSRAID" "$WORK/install.img" "$x"
}

# sample_load FILE: the host's load average every 5 s, until killed.
sample_load() {
	while :; do
		echo "$(date +%s) $(cut -d' ' -f1-3 /proc/loadavg)"
		sleep 5
	done >"$1"
}

# run_sampled NAME QEMU-ARGS...: QEMU with the disks in QEMU-ARGS, the
# results disk and $WORK/install.iso, the host's load sampled meanwhile.
run_sampled() {
	local name=$1 sampler
	shift
	sample_load "$WORK/loadavg" &
	sampler=$!
	# shellcheck disable=SC2046 # results_disk's options, one word each
	run_qemu "$name" "$BENCH_TIMEOUT" "$WORK/$name.serial.log" "$@" $(results_disk) -nic none \
		-drive "if=none,id=cd,file=$WORK/install.iso,media=cdrom,format=raw,readonly=on" \
		-device ide-cd,drive=cd,bus=ide.1,bootindex=1
	kill "$sampler" 2>/dev/null || true
	wait "$sampler" 2>/dev/null || true
}

# collect NAME: the results disk's archive and the run's logs into
# results/NAME.
collect() {
	local res=$RESULTS/$1
	rm -rf "$res"
	mkdir -p "$res"
	tar -xf "$WORK/results.img" -C "$res" 2>/dev/null ||
		fail "$1: no results on the results disk (the guest never saved them)"
	cp "$WORK/loadavg" "$WORK/timings" "$res/"
	gzip -c "$WORK/$1.serial.log" >"$res/serial.log.gz"
}

# boot_check NAME: each disk of the install alone boots the system from md0
# (qcow2 overlays; the installed system's own checks, tests/qemu/dom0/init).
boot_check() {
	local d
	for d in 1 2; do
		overlay "$WORK/d$d.img" "$WORK/boot-d$d.qcow2"
		boot "$1-disk$d-alone" "XSRAID-DISK$d:$WORK/boot-d$d.qcow2"
		[ "$(mark_value "$WORK/$1-disk$d-alone.marks" root)" = /dev/md0 ] ||
			fail "$1: disk $d alone did not boot from /dev/md0"
		say "$1: disk $d alone boots the system from /dev/md0"
		rm -f "$WORK/boot-d$d.qcow2"
	done
}

# bench_run NAME PROC FILL SR_GIB SEED: one install with PROC measured.
bench_run() {
	local name=$1 proc=$2 fill=$3 sr=$4 seed=$5 payload res=$RESULTS/$1
	if [ "${BENCH_RESUME:-}" = 1 ] && [ -f "$res/done" ]; then
		say "$name: kept from an earlier run"
		return 0
	fi
	payload=$(payload_for "$fill")
	WORK=$BENCH_DIR/work/$name
	rm -rf "$WORK"
	mkdir -p "$WORK"
	extras "$proc"
	make_iso "$WORK/install.img" "$WORK/install.iso" "answerfile=file:///answerfile.xml install fixture_seed=$seed fixture_root_mb=$ROOT_MB fixture_payload=$PAYLOAD_ID"
	# 6.0.2's layout: partitions 1 and 2 from LBA 34, then the SR, and room
	# for xsraid's alignment of partition 3 and its journal.
	truncate -s $((2 * ROOT_MB * 1024 * 1024 + sr * GIB + 4 * 1024 * 1024)) "$WORK/d1.img" "$WORK/d2.img"
	local args
	args="$(bench_disk XSRAID-DISK1 "$WORK/d1.img" 0 2) $(bench_disk XSRAID-DISK2 "$WORK/d2.img" 1 3)"
	args="$args -drive if=none,id=hd2,file=$payload,format=raw,snapshot=on"
	args="$args -device ide-hd,drive=hd2,bus=ahci.2,serial=BENCH-PAYLOAD"
	# shellcheck disable=SC2086
	run_sampled "$name" $args
	marks "$WORK/$name.serial.log" >"$WORK/marks"
	grep -q '^XSRAID-MARK install-end status=ok' "$WORK/marks" ||
		fail "$name: the install did not end well: $(grep -m1 'install-error' "$WORK/marks" || true)"
	collect "$name"
	local e=$res/events
	for stage in filesystem-populated installation-complete; do
		grep -q " $stage end rc=0\$" "$e" || fail "$name: $proc failed at $stage: $(grep -m1 ' failed ' "$e" || true)"
	done
	printf 'proc=%s\nfill=%s\nsr_gib=%s\nseed=%s\npayload=%s\n' "$proc" "$fill" "$sr" "$seed" \
		"$(basename "$payload")" >"$res/run"
	cp "$payload.stats" "$res/payload.stats"
	if [ "${BENCH_BOOTCHECK:-}" = 1 ] && [ "$proc" != limit ]; then
		boot_check "$name"
		echo "bootcheck=disk1,disk2" >>"$res/run"
	fi
	touch "$res/done"
	rm -f "$WORK/d1.img" "$WORK/d2.img" "$WORK/results.img"
	say "$name: $(awk '$6 == "installation-complete" && $7 == "end" { e = $1 } $6 == "filesystem-populated" && $7 == "begin" { b = $1 } END { printf "%.0f s from the first stage'"'"'s start to the second'"'"'s end", e - b }' "$e")"
}

run_main() {
	local r p
	for r in $(seq 1 "$BENCH_REPS"); do
		for p in $BENCH_PROCS; do
			bench_run "main-$p-r$r" "$p" 30 10 $((100 + r))
		done
	done
}

run_growth() {
	local r g p
	for r in $(seq 1 "$BENCH_REPS"); do
		for g in $BENCH_GROWTH; do
			for p in $BENCH_GROWTH_PROCS; do
				# The file copy's runs keep their names of before.
				local n=growth-$g-r$r
				[ "$p" = xsraid ] || n=growth-${p#xsraid-}-$g-r$r
				case $g in
				sr2048) bench_run "$n" "$p" 30 2048 $((300 + r)) ;;
				fill*) bench_run "$n" "$p" "${g#fill}" 10 $((200 + r)) ;;
				*) fail "unknown growth run $g (sr2048 fill10 fill40 fill80)" ;;
				esac
			done
		done
	done
}

# align_run NAME DRIVER-VARIANT: plain, the emulated disk as it is; rmw,
# QEMU made to work in 4 KiB units (blkdebug align=4096), so that a write
# that is not 4 KiB-aligned costs a read-modify-write, as in a 512e drive.
align_run() {
	local name=$1 variant=$2 res=$RESULTS/$1 args="" port
	if [ "${BENCH_RESUME:-}" = 1 ] && [ -f "$res/done" ]; then
		say "$name: kept from an earlier run"
		return 0
	fi
	WORK=$BENCH_DIR/work/$name
	rm -rf "$WORK"
	mkdir -p "$WORK/extra"
	cp -a "$TOOLS_TREE/." "$WORK/extra/"
	append_files "$IMG_XSRAID" "$WORK/install.img" "$WORK/extra"
	make_iso "$WORK/install.img" "$WORK/install.iso" "start=/opt/bench/align.sh"
	for port in 0 1; do
		truncate -s 12G "$WORK/d$port.img"
		if [ "$variant" = rmw ]; then
			args="$args -blockdev driver=file,node-name=f$port,filename=$WORK/d$port.img,cache.no-flush=on"
			args="$args -blockdev driver=raw,node-name=r$port,file=f$port"
			args="$args -blockdev driver=blkdebug,node-name=b$port,image=r$port,align=4096"
			args="$args -device ide-hd,drive=b$port,bus=ahci.$port,serial=ALIGN-DISK$port,physical_block_size=4096"
		else
			args="$args $(bench_disk "ALIGN-DISK$port" "$WORK/d$port.img" "$port" "" physical_block_size=4096)"
		fi
	done
	# shellcheck disable=SC2086
	run_sampled "$name" $args
	collect "$name"
	grep -q '^rep ' "$res/align" || fail "$name: no measurements in the results"
	echo "variant=$variant" >"$res/run"
	touch "$res/done"
	rm -f "$WORK"/d*.img "$WORK/results.img"
}

run_align() {
	align_run align-plain plain
	align_run align-rmw rmw
}

[ $# -gt 0 ] || set -- main growth align
[ "${BENCH_RESUME:-}" = 1 ] || rm -rf "$RESULTS"
mkdir -p "$RESULTS"
for part in "$@"; do
	case $part in
	main | growth | align) "run_$part" ;;
	*) fail "unknown part $part (main, growth, align)" ;;
	esac
done
trap - EXIT
say "done; results in $RESULTS"
