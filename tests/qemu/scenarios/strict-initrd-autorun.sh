#!/bin/bash
# Strict scenario: the installed system's initrd assembles md0 as nash's
# "raidautorun /dev/md0" does on a 2.6.32 kernel with md built in: no mdadm
# in the image, only partitions typed Linux RAID (GPT fd00) with 0.90
# superblocks, each array named by its superblock's preferred minor
# (fixture_initrd=autorun; tests/qemu/fixtures/raidautorun.c).  A RAID
# install must boot from each disk alone.
. "$(dirname "$0")/../lib.sh"
setup_work

# Before the install (start=, then the installer carries on): the disks'
# serials as xsraid reads them where sysfs has none, as on 2.6.32 (no
# device/wwid, no vpd_pg80): a system root with the real disk nodes and a
# /sys without those files, so the serial comes from an INQUIRY of VPD page
# 0x80 through SG_IO.
mkdir -p "$WORK/extra"
cat >"$WORK/extra/identity-check" <<'SH'
#!/bin/sh
r=/tmp/sysroot-2.6.32
for b in /sys/block/sd*; do
	n=${b##*/}
	mkdir -p "$r/sys/block/$n/device" "$r/sys/block/$n/queue" "$r/sys/block/$n/holders" "$r/dev"
	for f in size ro removable queue/logical_block_size queue/physical_block_size \
		device/model device/vendor; do
		cat "$b/$f" >"$r/sys/block/$n/$f"
	done
	mknod "$r/dev/$n" b $(tr ':' ' ' <"$b/dev")
done
mkdir -p "$r/proc"
: >"$r/proc/mounts"
: >"$r/proc/swaps"
/opt/xsraid/xsraid plan -v --sysroot "$r" --answerfile /answerfile.xml 2>&1 >/dev/null |
	sed -n "s/^xsraid: \(sd[a-z]\): no serial in sysfs.*; serial '\(.*\)' from \(.*\)$/XSRAID-MARK identity \1 serial=\2 from=\3/p"
SH
chmod 0755 "$WORK/extra/identity-check"
compact_install "fixture_seed=71 fixture_initrd=autorun start=/identity-check" "$WORK/extra"
for d in sda:XSRAID-DISK1 sdb:XSRAID-DISK2; do
	check "without serials in sysfs, xsraid reads ${d%%:*}'s from INQUIRY" \
		has_mark "$WORK/install.marks" "identity ${d%%:*} serial=${d#*:} from=INQUIRY (VPD page 0x80)$"
done
check "the installer set up the autorun initrd" \
	grep -qa 'fixture_initrd=autorun: the installed mkinitrd assembles md roots with autorun' \
	"$WORK/install.serial.log"

# shellcheck disable=SC2034 # read by raid-checks.sh
RAID_INITRD_MODE=autorun
. "$(dirname "$0")/raid-checks.sh"
raid_install_checks
raid_boot_alone 1
raid_boot_alone 2

for b in disk1 disk2; do
	log=$WORK/boot-$b.serial.log
	for md in md0 md1 md2; do
		check "boot-$b: autodetect started $md from its one partition" \
			grep -qa "raidautorun: started $md with 1 of 1 device(s)" "$log"
	done
done
# Disk 2's journal partition (8301) is not Linux RAID: never looked at.
check "boot-disk2: the journal partition is not flagged for md" \
	grep -qa 'raidautorun: sda partition 4: type is not Linux RAID' "$WORK/boot-disk2.serial.log"
scenario_done
