#!/bin/sh
# Builds a system root that looks, to xsraid, like a XenServer 6.0.2 host that
# xsraid installed, running from md0: /sys/block, /proc/mdstat, /proc/mounts
# and /dev for its disks (sparse image files laid out as the install leaves
# them: partitions 1-3 Linux RAID with md 0.90 superblocks at their ends,
# gptmbr.bin's code in the MBR, extlinux's boot sector at the start of
# partition 1), md0, md1 and md2 in sysfs, and the running system itself
# (fstab, extlinux.conf, mdadm.conf, initrds, tools) at the top of the root.
# What `xsraid check-boot`, `replace-disk` and `scrub` read, with --sysroot.
#
# usage: make-hostroot.sh DIR STATE [options]   (or make-sysroot.sh DIR --host STATE)
#   STATE healthy       sda and sdb, every array in sync
#   STATE degraded      sda alone runs the arrays; sdb is a new, blank disk
#   STATE failed        sda runs the arrays, sdb's members have failed (F);
#                       sdc is a new, blank disk
#   --new-size BYTES    size of the new disk (default: as the others)
#   --new-data          the new disk holds an ext4 with a file
#   --no-boot-code      sdb's MBR holds no boot code, and its partition 1 is
#                       not legacy-BIOS-bootable (healthy only)
#   --recovering        md0's member on sdb is still being rebuilt (healthy only)
set -eu

dir=$1
state=$2
shift 2
disk_size=500107862016
new_size=
new_data=0
no_boot_code=0
recovering=0
while [ $# -gt 0 ]; do
	case $1 in
	--new-size) new_size=$2; shift ;;
	--new-data) new_data=1 ;;
	--no-boot-code) no_boot_code=1 ;;
	--recovering) recovering=1 ;;
	*) echo "make-hostroot: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
: "${new_size:=$disk_size}"
case $state in
healthy | degraded | failed) ;;
*) echo "make-hostroot: unknown state $state (healthy, degraded or failed)" >&2; exit 2 ;;
esac

kver=2.6.32.12-0.7.1.xs6.0.2.553.170674xen
kdump=2.6.32.12-0.7.1.xs6.0.2.553.170674kdump
uuids="4d83d44f:e2bfdd16:0a9edc86:30a00264 3d04223b:7668911a:c9cd7d9c:fde2bec6 db6baa6c:fdb55d0e:c2f65c8a:88eb68a9"

rm -rf "$dir"
mkdir -p "$dir/dev" "$dir/proc/sys/dev/raid" "$dir/sys/block" "$dir/sbin" "$dir/boot" \
	"$dir/etc/sysconfig" "$dir/usr/share/syslinux" "$dir/lib/modules/$kver" "$dir/lib/modules/$kdump"

. "$(dirname "$0")/sysroot-lib.sh"

# The layout xsraid leaves on a disk: 6.0.2's partitions 1 and 2, 3 aligned
# to the MiB, the journal in the last MiB; md 0.90 superblocks at the ends of
# 1-3; gptmbr.bin's code (a stand-in's 440 bytes) and extlinux's boot sector.
last_usable=$(($(sectors "$disk_size") - 34))
p3_last=$((last_usable - 2048))
xsraid_disk() {
	name=$1 serial=$2 guid=$3
	img=$dir/dev/$name
	truncate -s "$disk_size" "$img"
	sgdisk -a 1 --disk-guid="$guid" \
		--new=1:34:8388641 --typecode=1:fd00 --change-name=1:xsraid-md0 --attributes=1:set:2 \
		--new=2:8388642:16777249 --typecode=2:fd00 --change-name=2:xsraid-md1 \
		--new=3:16779264:$p3_last --typecode=3:fd00 --change-name=3:xsraid-md2 \
		--new=4:$((p3_last + 1)):$last_usable --typecode=4:8301 --change-name=4:xsraid-journal \
		"$img" >/dev/null
	python3 - "$img" "$uuids" <<'PY'
import struct, sys
img, uuids = sys.argv[1], sys.argv[2].split()
parts = [(34, 8388641), (8388642, 16777249)]
with open(img, "r+b") as f:
    f.seek(0, 2)
    size = f.tell() // 512
    parts.append((16779264, size - 34 - 2048))
    # 6.0.2 marks the protective MBR entry active; the boot code is gptmbr.bin's.
    f.seek(0)
    f.write(b"G" * 440)
    f.seek(446)
    f.write(b"\x80")
    for i, (first, last) in enumerate(parts):
        words = [int(w, 16) for w in uuids[i].split(":")]
        n = last - first + 1
        sb = [0] * 32
        sb[0:3] = [0xA92B4EFC, 0, 90]
        sb[5] = words[0]
        sb[7] = 1            # level
        sb[8] = (n // 2) & 0xFFFFFFFF
        sb[10] = 2           # raid_disks
        sb[11] = i           # md_minor
        sb[13:16] = words[1:4]
        f.seek((first + (n & ~127) - 128) * 512)
        f.write(struct.pack("<32I", *sb))
    # extlinux's boot sector at the start of partition 1, so of md0.
    vbr = bytearray(512)
    vbr[3:11] = b"EXTLINUX"
    vbr[510:512] = b"\x55\xaa"
    f.seek(34 * 512)
    f.write(bytes(vbr))
PY
	sys_disk "$name" "$disk_size" ST500DM002-1BD142 "$serial"
	sys_part "$name" 1 34 8388641
	sys_part "$name" 2 8388642 16777249
	sys_part "$name" 3 16779264 "$p3_last"
	sys_part "$name" 4 $((p3_last + 1)) "$last_usable"
}

blank_disk() {
	name=$1 serial=$2
	truncate -s "$new_size" "$dir/dev/$name"
	sys_disk "$name" "$new_size" ST500DM002-1BD142 "$serial"
	if [ $new_data -eq 1 ]; then
		mkdir -p "$dir/.data"
		echo "holiday" >"$dir/.data/beach.txt"
		mke2fs -q -F -t ext4 -L data -d "$dir/.data" "$dir/dev/$name" 65536
		rm -rf "$dir/.data"
	fi
}

# md0..md2 in sysfs and /proc/mdstat.  MEMBERS: "sda:in_sync sdb:faulty ..."
md_arrays() {
	members=$1
	: >"$dir/proc/mdstat.arrays"
	for i in 0 1 2; do
		a=$dir/sys/block/md$i
		mkdir -p "$a/md" "$a/slaves"
		echo raid1 >"$a/md/level"
		echo clean >"$a/md/array_state"
		echo 2 >"$a/md/raid_disks"
		echo 0.90 >"$a/md/metadata_version"
		echo idle >"$a/md/sync_action"
		echo 0 >"$a/md/mismatch_cnt"
		insync=0 line="md$i : active raid1" map=
		slot=0
		for m in $members; do
			disk=${m%%:*} st=${m#*:}
			n=$((i + 1))
			[ "$i" = 0 ] && [ "$recovering" = 1 ] && [ "$disk" = sdb ] && st=spare
			ln -s "../../$disk/$disk$n" "$a/slaves/$disk$n"
			ln -s "../../../md$i" "$dir/sys/block/$disk/$disk$n/holders/md$i"
			mkdir -p "$a/md/dev-$disk$n"
			echo "$st" >"$a/md/dev-$disk$n/state"
			case $st in
			in_sync) echo "$slot" >"$a/md/dev-$disk$n/slot"; insync=$((insync + 1)); map="${map}U"; line="$line $disk${n}[$slot]" ;;
			faulty) echo none >"$a/md/dev-$disk$n/slot"; line="$line $disk${n}[$slot](F)" ;;
			spare) echo none >"$a/md/dev-$disk$n/slot"; line="$line $disk${n}[$slot]" ;;
			esac
			slot=$((slot + 1))
		done
		while [ ${#map} -lt 2 ]; do map="${map}_"; done
		echo $((2 - insync)) >"$a/md/degraded"
		{
			echo "$line"
			echo "      4194240 blocks [2/$insync] [$map]"
			echo
		} >>"$dir/proc/mdstat.arrays"
	done
	{
		echo "Personalities : [raid1] "
		cat "$dir/proc/mdstat.arrays"
		echo "unused devices: <none>"
	} >"$dir/proc/mdstat"
	rm "$dir/proc/mdstat.arrays"
}

xsraid_disk sda Z3TBBBBB 6B7C8D9E-2F3A-4B4C-9D5E-6F7A8B9C0D1E
case $state in
healthy)
	xsraid_disk sdb Z3TAAAAA 5A6B7C8D-1E2F-4A3B-8C4D-5E6F7A8B9C0D
	if [ $no_boot_code -eq 1 ]; then
		dd if=/dev/zero of="$dir/dev/sdb" bs=440 count=1 conv=notrunc status=none
		sgdisk --attributes=1:clear:2 "$dir/dev/sdb" >/dev/null
	fi
	md_arrays "sda:in_sync sdb:in_sync"
	;;
degraded)
	blank_disk sdb Z3TNEWNEW
	md_arrays "sda:in_sync"
	;;
failed)
	xsraid_disk sdb Z3TAAAAA 5A6B7C8D-1E2F-4A3B-8C4D-5E6F7A8B9C0D
	blank_disk sdc Z3TNEWNEW
	md_arrays "sda:in_sync sdb:faulty"
	;;
esac
echo "/dev/md0 / ext3 rw,data=ordered 0 0" >"$dir/proc/mounts"
: >"$dir/proc/swaps"
echo 1000 >"$dir/proc/sys/dev/raid/speed_limit_min"
echo 200000 >"$dir/proc/sys/dev/raid/speed_limit_max"

# The running system, on md0.
for f in mdadm sgdisk extlinux mkinitrd chkconfig; do tool "$dir/sbin/$f"; done
head -c 440 /dev/zero | tr '\0' 'G' >"$dir/usr/share/syslinux/gptmbr.bin"
cat >"$dir/etc/fstab" <<EOF
/dev/md0    /         ext3     defaults   1  1
none        /proc     proc   defaults   0  0
EOF
{
	echo "DEVICE partitions"
	i=0
	for u in $uuids; do
		echo "ARRAY /dev/md$i level=raid1 num-devices=2 metadata=0.90 UUID=$u"
		i=$((i + 1))
	done
	echo "MAILADDR root"
	echo "PROGRAM /usr/sbin/xsraid"
} >"$dir/etc/mdadm.conf"
cat >"$dir/boot/extlinux.conf" <<EOF
serial 0 115200
default xe-serial
prompt 1
timeout 50

label xe-serial
  kernel mboot.c32
  append /boot/xen.gz com1=115200,8n1 --- /boot/vmlinuz-2.6-xen root=/dev/md0 ro console=hvc0 --- /boot/initrd-2.6-xen.img

label safe
  kernel mboot.c32
  append /boot/xen.gz nosmp --- /boot/vmlinuz-2.6-xen root=/dev/md0 ro --- /boot/initrd-2.6-xen.img
EOF
# Each initrd in the form of nash mkinitrd's mdadm-conf mode: md's modules,
# mdadm and the system's mdadm.conf, and an init that assembles md0 with them.
initrd=$dir/tmp/initrd
mkdir -p "$initrd/sbin" "$initrd/etc" "$initrd/lib"
printf '#!/bin/nash\ninsmod /lib/md-mod.ko\ninsmod /lib/raid1.ko\nmdadm -As --auto=yes --run /dev/md0\n' >"$initrd/init"
tool "$initrd/sbin/mdadm"
: >"$initrd/lib/md-mod.ko"
: >"$initrd/lib/raid1.ko"
cp "$dir/etc/mdadm.conf" "$initrd/etc/mdadm.conf"
for k in "$kver" "$kdump"; do
	(cd "$initrd" && find . | LC_ALL=C sort | cpio --quiet -o -H newc) | gzip -n >"$dir/boot/initrd-$k.img"
	echo "kernel $k" >"$dir/boot/vmlinuz-$k"
done
rm -rf "$initrd"
ln -s "initrd-$kver.img" "$dir/boot/initrd-2.6-xen.img"
ln -s "vmlinuz-$kver" "$dir/boot/vmlinuz-2.6-xen"
echo xen >"$dir/boot/xen.gz"
echo mboot >"$dir/boot/mboot.c32"
echo ldlinux >"$dir/boot/ldlinux.sys"
printf "PROGRAM=''\n" >"$dir/etc/sysconfig/xsraid"
