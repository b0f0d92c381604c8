#!/bin/bash
# Scenario 11: a second disk full of old metadata, erased with
# raid-wipe="force".  Disk 2 has a GPT with nine partitions: a RAID1 of
# metadata 1.2 with a bitmap and an ext4 with files on it (partitions 1 and
# 2), one of metadata 0.90 (3, 4) and one of 1.0 with a bitmap (5, 6), made
# by mdadm in the installer stand-in; an LVM2 physical volume (7), LUKS2
# (8) and an ext4 with files (9), made on the host; and the whole disk the
# member of an md 0.90 array, its superblock near the end, past partition
# 9.  The install then starts with the arrays running (fixture_autoassemble:
# as a kernel with md built in, or an installer's udev, would have started
# them).  xsraid must stop them, erase every signature where it lies, and
# mirror; afterwards none of the old identities is left in the first or
# last MiB of the disk or of any old partition.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/old-metadata-checks.sh"
setup_work

blank_disk "$WORK/d1.img"
blank_disk "$WORK/d2.img"
d2=$WORK/d2.img

# 1. The old layout, and what the host can write itself.
sgdisk -a 1 --disk-guid=0A1D0A1D-5EED-4EED-8A1D-0A1D5EED0A1D "$d2" >/dev/null
start=2048
for n in 1 2 3 4 5 6 7 8; do
	case $n in 7) t=8e00 ;; 8) t=8309 ;; *) t=fd00 ;; esac
	sgdisk -a 1 --new=$n:$start:$((start + 131071)) --typecode=$n:$t "$d2" >/dev/null
	echo "part $n $start $((start + 131071))" >>"$WORK/old-parts"
	start=$((start + 131072))
done
last=$(($(sector_count "$d2") - 4096))
sgdisk -a 1 --new=9:$start:$last --typecode=9:8300 "$d2" >/dev/null
echo "part 9 $start $last" >>"$WORK/old-parts"
p() { awk -v n="$1" '$2 == n { print $3 * 512, ($4 - $3 + 1) * 512 }' "$WORK/old-parts"; }
read -r off size <<<"$(p 7)"
python3 "$OLD_WRITER" lvm "$d2" --offset "$off" --size "$size" --uuid OldPv0XsRaidStaleMetadata0000007
read -r off size <<<"$(p 8)"
printf 'old secret' >"$WORK/luks.key"
truncate -s 4M "$WORK/luks.img"
cryptsetup luksFormat -q --type luks2 --uuid 0a1d0a1d-5eed-4eed-8a1d-0a1d5eed1c58 --pbkdf pbkdf2 \
	--pbkdf-force-iterations 1000 --key-file "$WORK/luks.key" "$WORK/luks.img" >/dev/null 2>&1
dd if="$WORK/luks.img" of="$d2" bs=512 seek=$((off / 512)) count=$((32768 / 512)) conv=notrunc status=none
read -r off size <<<"$(p 9)"
mkdir -p "$WORK/data/home/user"
echo "precious" >"$WORK/data/home/user/notes.txt"
mke2fs -q -F -t ext4 -L old-data -U 0a1d0a1d-5eed-4eed-8a1d-0a1d5eed0f59 -d "$WORK/data" \
	-E offset="$off",nodiscard "$d2" $((size / 1024))k

# 2. The arrays, made by mdadm: the installer stand-in runs a test program
# instead of the installer (start=), with the installed system's mdadm.
mkdir -p "$WORK/extra"
cat >"$WORK/extra/make-old-arrays" <<'SH'
#!/bin/sh
d=/opt/xensource/standin/dom0
while read -r m; do insmod "$m" 2>/dev/null; done </etc/standin/modules.md
mount --bind /dev "$d/dev"
mount --bind /sys "$d/sys"
mount -t proc proc "$d/proc"
mount -t tmpfs tmpfs "$d/run"
md() { chroot "$d" /sbin/mdadm "$@" 2>&1; }
echo "XSRAID-MARK old-arrays-begin"
md --create /dev/md1 --run --metadata=1.2 --level=1 --raid-devices=2 --bitmap=internal \
	--assume-clean --name=oldhost:data --uuid=0a1d0a1d:5eed0000:00000000:00000012 /dev/sdb1 /dev/sdb2
/sbin/mke2fs -q -F -t ext4 -L old-array -U 0a1d0a1d-5eed-4eed-8a1d-0a1d5eed0f51 /dev/md1
mkdir -p /mnt/old && mount -t ext4 /dev/md1 /mnt/old && echo precious >/mnt/old/notes.txt && umount /mnt/old
md --stop /dev/md1
md --create /dev/md0 --run --metadata=0.90 --level=1 --raid-devices=2 --assume-clean \
	--uuid=0a1d0a1d:5eed0000:00000000:00000090 /dev/sdb3 /dev/sdb4
md --stop /dev/md0
md --create /dev/md2 --run --metadata=1.0 --level=1 --raid-devices=2 --bitmap=internal \
	--assume-clean --name=oldhost:old --uuid=0a1d0a1d:5eed0000:00000000:00000010 /dev/sdb5 /dev/sdb6
md --stop /dev/md2
md --examine --scan
# Last: mdadm takes the partitions of a whole disk it makes a member away from the kernel.
md --create /dev/md9 --run --metadata=0.90 --level=1 --raid-devices=2 \
	--uuid=0a1d0a1d:5eed0000:00000000:00000009 /dev/sdb missing
md --stop /dev/md9
echo "XSRAID-MARK old-arrays-end"
umount "$d/run" "$d/proc" "$d/sys" "$d/dev"
sync
poweroff -f
SH
chmod 0755 "$WORK/extra/make-old-arrays"
append_files "$IMG_XSRAID" "$WORK/make-old.img" "$WORK/extra"
run_installer make-old "$WORK/make-old.img" "start=/make-old-arrays" "$WORK/d1.img" "$d2"
say "the arrays mdadm made on disk 2:"
between "$WORK/make-old.serial.log" old-arrays-begin old-arrays-end | sed 's/^/    | /'
check "mdadm made four old arrays" test "$(between "$WORK/make-old.serial.log" old-arrays-begin old-arrays-end | grep -c '^mdadm: array /dev/md[0-9]* started')" -eq 4

scan_old before "$d2"
for kind in "md 0a1d0a1d:5eed0000:00000000:00000009" "md 0a1d0a1d5eed00000000000000000012" \
	"md 0a1d0a1d:5eed0000:00000000:00000090" "md 0a1d0a1d5eed00000000000000000010" \
	"lvm OldPv0XsRaidStaleMetadata0000007" "luks 0a1d0a1d-5eed-4eed-8a1d-0a1d5eed1c58" \
	"gpt 0a1d0a1d-5eed-4eed-8a1d-0a1d5eed0a1d" "ext 0a1d0a1d-5eed-4eed-8a1d-0a1d5eed0f59"; do
	check "before the install, disk 2 carries $kind" grep -q " $kind\( \|\$\)" "$WORK/before.scan"
done

# 3. The install, the old arrays running, raid-wipe="force".
answerfile '<primary-disk raid="sdb" raid-wipe="force">sda</primary-disk>' "$HOOK_SCRIPTS" >"$WORK/answerfile.xml"
embed "$IMG_XSRAID" "$WORK/install.img" "$WORK/answerfile.xml"
install install "$WORK/install.img" "answerfile=file:///answerfile.xml install fixture_seed=81 fixture_autoassemble=1" \
	"$WORK/d1.img" "$d2"
running=$({ grep -a '^XSRAID-MARK autoassembled' "$WORK/install.marks" | grep -o 'md[0-9]*:' || true; } | tr -d : | sort | tr '\n' ' ')
say "running from disk 2 when the installer started: $running"
check "old arrays ran from disk 2 when the installer started" test -n "$running"
expect_converted
xsraid_log "$WORK/xsraid-log.txt"
for md in $running; do
	check "xsraid stopped $md" grep -q "run: .*mdadm --stop /dev/$md\$" "$WORK/xsraid-log.txt"
done
say "what xsraid erased:"
grep -E 'erased the |is erased already|no longer there' "$WORK/xsraid-log.txt" | sed 's/^.*info /    | /'
check "xsraid erased the old signatures before partitioning" grep -q "erased the linux_raid_member" "$WORK/xsraid-log.txt"
expect_old_gone "$WORK/before.scan" "$d2" "$WORK/old-parts"
scenario_done
