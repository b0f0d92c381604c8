# shellcheck shell=bash
# Shared by the old-metadata scenarios (sourced after lib.sh): a second disk
# that held something before, and what is left of it after an install.
#
# The old metadata is found on the host by scan-metadata.py, from the raw
# image and by magic numbers alone.  Its identities (an md array's UUID, a
# PV's, LUKS's, the GPT's disk GUID, a filesystem's UUID) are taken from the
# disk before the install; after it, none may be left where metadata lives:
# the first and the last MiB of the disk and of each old partition (md
# superblocks 0.90/1.0 at the end of a device, 1.1/1.2 and LVM, LUKS and
# filesystems at its start, a GPT at both ends of the disk).

# shellcheck disable=SC2034 # used by the scenarios
OLD_DISK=$QEMU_TESTS/../../installer-hook/tests/old-disk.sh
# shellcheck disable=SC2034 # used by the scenarios
OLD_WRITER=$QEMU_TESTS/../../installer-hook/tests/old-metadata.py
SCAN=$QEMU_TESTS/scan-metadata.py
MIB=1048576

# old_ranges IMAGE PARTS: scan-metadata.py's --range arguments for the
# first and last MiB of the disk and of each partition in PARTS (lines
# "part N FIRST LAST", in sectors, as old-disk.sh prints them).
old_ranges() {
	local size first last s e _
	size=$(stat -c %s "$1")
	echo "--range 0:$MIB --range $((size - MIB)):$size"
	while read -r _ _ first last; do
		s=$((first * 512)) e=$(((last + 1) * 512))
		echo "--range $s:$((s + MIB < e ? s + MIB : e)) --range $((e - MIB > s ? e - MIB : s)):$e"
	done <"$2"
}

# scan_old NAME IMAGE: everything scan-metadata.py finds on IMAGE, saved
# as $WORK/NAME.scan and shown.
scan_old() {
	python3 "$SCAN" "$2" >"$WORK/$1.scan" || fail "scan-metadata.py failed on $(basename "$2")"
	say "$1: metadata on $(basename "$2"), by magic number:"
	sed 's/^/    | /' "$WORK/$1.scan"
}

# expect_old_gone BEFORE IMAGE PARTS: of the identities BEFORE (a scan of
# the disk before the install) none is left where metadata lives; what is
# left deeper inside the disk is shown, not judged.
expect_old_gone() {
	local before=$1 img=$2 parts=$3 left
	# shellcheck disable=SC2046 # old_ranges prints separate arguments
	python3 "$SCAN" "$img" $(old_ranges "$img" "$parts") >"$WORK/after-ends.scan"
	python3 "$SCAN" "$img" >"$WORK/after.scan"
	left=$(awk 'NR == FNR { old[$2 " " $3] = 1; next } ($2 " " $3) in old' "$before" "$WORK/after-ends.scan")
	check_eq "no old metadata is left at either end of the disk or of its old partitions" "$left" ""
	left=$(awk 'NR == FNR { old[$2 " " $3] = 1; next } ($2 " " $3) in old' "$before" "$WORK/after.scan")
	if [ -n "$left" ]; then
		say "old metadata still inside the disk (not where any tool looks):"
		echo "$left" | sed 's/^/    | /'
	fi
	# shellcheck disable=SC2034 # read by the caller
	OLD_LEFT_INSIDE=$(printf '%s' "$left" | grep -c . || true)
}

# expect_converted: the install ended, and xsraid finished both stages.
expect_converted() {
	local m=$WORK/install.marks
	check "install succeeded" has_mark "$m" "install-end status=ok"
	stage_output "$WORK/install.serial.log" >"$WORK/xsraid-output.txt"
	check "xsraid finished its first stage" grep -q "^xsraid: filesystem-populated: all steps done" "$WORK/xsraid-output.txt"
	check "xsraid finished its second stage" grep -q "^xsraid: installation-complete: all steps done" "$WORK/xsraid-output.txt"
}

# xsraid_log OUT: xsraid's log, which the install saved on md0 (partition 1
# of disk 2: metadata 0.90 and 1.0 keep the filesystem where the partition
# starts).
xsraid_log() {
	fs_cat "$WORK/d2.img" /var/log/installer/xsraid-log >"$1" || true
	check "xsraid saved its log on the installed system" test -s "$1"
}
