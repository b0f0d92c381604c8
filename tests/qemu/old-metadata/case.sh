#!/bin/bash
# One kind of old metadata on the second disk (old-disk.sh KIND) under one
# wipe policy, installed with the arrays on the disks started before the
# installer (fixture_autoassemble, as a kernel with md built in or an
# installer's udev would have).
#   refuse: the answerfile does not allow erasing disk 2; xsraid refuses
#           with one line that names the disk and what it holds (the array
#           it runs as, for md members), and disk 2 keeps every byte;
#   force:  raid-wipe="force"; xsraid stops what runs from disk 2, erases
#           every signature and mirrors, and none of the old identities is
#           left in the first or last MiB of the disk or of an old partition.
# The outcome goes to $WORK/result as one line:
#   KIND POLICY RUNNING OUTCOME LEFT
#
# usage: SCENARIO=old-KIND-POLICY case.sh KIND refuse|force
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../scenarios/old-metadata-checks.sh
. "$QEMU_TESTS/scenarios/old-metadata-checks.sh"
kind=$1
policy=$2
setup_work

case $kind in
md0.90 | md1.0 | md1.2 | md-mbr) found="is part of running array 'md127' (raid1 of sdb1, sdb2)" ;;
md-whole) found="is part of running array 'md127' (raid1 of sdb)" ;;
backup-gpt) found="holds data (the backup header of a GPT whose start was wiped)" ;;
mbr) found="holds data (an MBR with 2 partitions)" ;;
lvm) found="holds data (LVM2_member on the whole disk)" ;;
luks) found="holds data (crypto_LUKS on the whole disk)" ;;
fs) found="holds data (ext4 'old-data' on the whole disk)" ;;
*) fail "no kind $kind" ;;
esac
case $policy in
refuse) wipe= ;;
force) wipe=' raid-wipe="force"' ;;
*) fail "no policy $policy" ;;
esac

blank_disk "$WORK/d1.img"
blank_disk "$WORK/d2.img"
"$OLD_DISK" "$WORK/d2.img" "$kind" >"$WORK/old-parts"
scan_old before "$WORK/d2.img"
check "disk 2 carries old metadata of kind $kind" test -s "$WORK/before.scan"
d2_before=$(image_sum "$WORK/d2.img")

answerfile "<primary-disk raid=\"sdb\"$wipe>sda</primary-disk>" "$HOOK_SCRIPTS" >"$WORK/answerfile.xml"
embed "$IMG_XSRAID" "$WORK/install.img" "$WORK/answerfile.xml"
install install "$WORK/install.img" "answerfile=file:///answerfile.xml install fixture_seed=91 fixture_autoassemble=1" \
	"$WORK/d1.img" "$WORK/d2.img"
running=$({ grep -a '^XSRAID-MARK autoassembled' "$WORK/install.marks" | grep -o 'md[0-9]*:' || true; } | tr -d : | tr '\n' ,)
running=${running%,}
say "running from the disks when the installer started: ${running:-nothing}"

if [ "$policy" = refuse ]; then
	expect_refused "sdb and what it holds" "raid: disk 'sdb' $(printf '%s' "$found" | sed 's/[][().*]/\\&/g')" "$d2_before"
	outcome=refused
	left=-
else
	expect_converted
	xsraid_log "$WORK/xsraid-log.txt"
	for md in ${running//,/ }; do
		check "xsraid stopped $md" grep -q "run: .*mdadm --stop /dev/$md\$" "$WORK/xsraid-log.txt"
	done
	expect_old_gone "$WORK/before.scan" "$WORK/d2.img" "$WORK/old-parts"
	outcome="mirrored,erased-$(grep -c 'erased the ' "$WORK/xsraid-log.txt")"
	left="0-at-ends,$OLD_LEFT_INSIDE-inside"
fi
echo "$kind $policy ${running:--} $outcome $left" >"$WORK/result"
scenario_done
