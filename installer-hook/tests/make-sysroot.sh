#!/bin/sh
# Builds a system root that looks, to xsraid, like a XenServer 6.0.2 installer
# at the filesystem-populated stage: /sys/block, /proc/mounts and /dev for two
# disks, where each "disk" is a sparse image file, the first one partitioned
# exactly as 6.0.2 does and holding an ext3 labelled root-xxxxxxxx, and the
# freshly installed system mounted (in /proc/mounts) on /tmp/root.
#
# Nothing here needs root or kernel support: sgdisk and mke2fs write image
# files, and xsraid only reads them (`xsraid plan --sysroot DIR`).
#
# usage: make-sysroot.sh DIR [options]
#   --disk-size BYTES       size of both disks (default 500 GB, as 6.0.2 sees them)
#   --disk2-size BYTES      size of the second disk
#   --disk2-data            put an ext4 with a file on the second disk
#   --disk2-gpt             give the second disk an empty GPT
#   --disk2-mounted         the second disk's first partition is mounted on /mnt
#   --disk2-in-array md5    the second disk's first partition belongs to md5
#   --disk2-old KIND        the second disk carries old metadata of KIND
#                           (old-disk.sh: md0.90, md1.0, md1.2, md-mbr, md-whole,
#                           backup-gpt, mbr, lvm, luks, fs)
#   --disk2-running mdN     the md members of --disk2-old run as array mdN
#   --no-mdadm              the installer has no mdadm (the target's is used)
#   --disk2-unreadable      the second disk's device cannot be opened
#   --other-array mdN       a third disk, sdc, whose partition 1 runs as mdN
#   --installer-no-md       the installer's kernel has no md or raid1 module
#   --kernel-2.6.32         sysfs as XenServer 6.0's kernel has it: no
#                           device/wwid or vpd_pg80 (Linux 4.x and 3.15); the
#                           disks' serials only in udev's /dev/disk/by-id
#                           names (scsi-SATA_<model>_<serial>)
#   --no-by-id              no /dev/disk/by-id links either
#   --bare-target           the installed system has no mdmonitor, chkconfig or /etc/cron.d
#   --target-raid-check     its mdadm schedules a check itself (/etc/cron.weekly/99-raid-check)
#   --root-features LIST    mke2fs -O LIST for the installed root (e.g. metadata_csum)
#   --host STATE [...]      instead: a host xsraid installed, running from md0
#                           (make-hostroot.sh, which takes the further options)
set -eu

dir=$1
shift
if [ "${1:-}" = --host ]; then
	shift
	exec "$(dirname "$0")/make-hostroot.sh" "$dir" "$@"
fi
disk_size=500107862016 # a "500 GB" drive: 976773168 sectors
disk2_size=
disk2_data=0
disk2_gpt=0
disk2_mounted=0
disk2_array=
disk2_old=
disk2_running=
installer_mdadm=1
disk2_unreadable=0
other_array=
installer_md=1
old_kernel=0
by_id=1
bare_target=0
target_raid_check=0
root_features=
while [ $# -gt 0 ]; do
	case $1 in
	--disk-size) disk_size=$2; shift ;;
	--disk2-size) disk2_size=$2; shift ;;
	--disk2-data) disk2_data=1 ;;
	--disk2-gpt) disk2_gpt=1 ;;
	--disk2-mounted) disk2_mounted=1 ;;
	--disk2-in-array) disk2_array=$2; shift ;;
	--disk2-old) disk2_old=$2; shift ;;
	--disk2-running) disk2_running=$2; shift ;;
	--no-mdadm) installer_mdadm=0 ;;
	--disk2-unreadable) disk2_unreadable=1 ;;
	--other-array) other_array=$2; shift ;;
	--installer-no-md) installer_md=0 ;;
	--kernel-2.6.32) old_kernel=1 ;;
	--no-by-id) by_id=0 ;;
	--bare-target) bare_target=1 ;;
	--target-raid-check) target_raid_check=1 ;;
	--root-features) root_features=$2; shift ;;
	*) echo "make-sysroot: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
: "${disk2_size:=$disk_size}"

# Fixed identifiers, so plans made from this root are the same every time.
label=root-qwertyui
fs_uuid=3f1c2b7a-5d6e-4f80-9a1b-2c3d4e5f6071
disk1_guid=5A6B7C8D-1E2F-4A3B-8C4D-5E6F7A8B9C0D
kver=2.6.32.12-0.7.1.xs6.0.2.553.170674xen
kdump=2.6.32.12-0.7.1.xs6.0.2.553.170674kdump

rm -rf "$dir"
mkdir -p "$dir/dev" "$dir/proc/sys/dev/raid" "$dir/sys/block" "$dir/tmp/root" "$dir/sbin"

# shellcheck source=installer-hook/tests/sysroot-lib.sh
. "$(dirname "$0")/sysroot-lib.sh"

# Disk 1: exactly what XenServer 6.0.2's GPTPartitionTool writes: p1 root and
# p2 backup of 4 GiB from LBA 34, p3 (LVM) the rest; p1 legacy-BIOS-bootable.
truncate -s "$disk_size" "$dir/dev/sda"
sgdisk -a 1 --disk-guid="$disk1_guid" \
	--new=1:34:8388641 --typecode=1:0700 --attributes=1:set:2 \
	--partition-guid=1:11111111-2222-4333-8444-555555555555 \
	--new=2:8388642:16777249 --typecode=2:0700 \
	--partition-guid=2:21111111-2222-4333-8444-555555555555 \
	--new=3:16777250:0 --typecode=3:8e00 \
	--partition-guid=3:31111111-2222-4333-8444-555555555555 \
	"$dir/dev/sda" >/dev/null
# 6.0.2 marks the protective MBR entry active (old sfdisk -A1).
printf '\200' | dd of="$dir/dev/sda" bs=1 seek=446 conv=notrunc status=none
last1=$(($(sectors "$disk_size") - 34))
# The installer's ext3 on p1, filling it as 6.0.2's does (4 GiB; a small journal
# keeps the image sparse and quick).
mke2fs -q -F -t ext3 -J size=4 -L "$label" -U "$fs_uuid" -E offset=$((34 * 512)) \
	${root_features:+-O "$root_features"} "$dir/dev/sda" 4194304 >/dev/null
sys_disk sda "$disk_size" "ST500DM002-1BD142" "Z3TAAAAA"
sys_part sda 1 34 8388641
sys_part sda 2 8388642 16777249
sys_part sda 3 16777250 "$last1"

# Disk 2: blank unless asked otherwise.
truncate -s "$disk2_size" "$dir/dev/sdb"
sys_disk sdb "$disk2_size" "ST500DM002-1BD142" "Z3TBBBBB"
if [ $disk2_gpt -eq 1 ] || [ $disk2_data -eq 1 ] || [ $disk2_mounted -eq 1 ] || [ -n "$disk2_array" ]; then
	sgdisk --new=1:2048:+64M --typecode=1:8300 "$dir/dev/sdb" >/dev/null
	[ $disk2_gpt -eq 1 ] && sgdisk --delete=1 "$dir/dev/sdb" >/dev/null
	[ $disk2_gpt -eq 1 ] || sys_part sdb 1 2048 133119
fi
if [ $disk2_data -eq 1 ]; then
	mkdir -p "$dir/.data/photos"
	echo "holiday" >"$dir/.data/photos/beach.txt"
	mke2fs -q -F -t ext4 -L data -d "$dir/.data" -E offset=$((2048 * 512)) "$dir/dev/sdb" 65536
	rm -rf "$dir/.data"
fi
[ -n "$disk2_array" ] && ln -s "../../../$disk2_array" "$dir/sys/block/sdb/sdb1/holders/$disk2_array"
if [ -n "$disk2_old" ]; then
	"$(dirname "$0")/old-disk.sh" "$dir/dev/sdb" "$disk2_old" >"$dir/.parts"
	while read -r _ n first last; do sys_part sdb "$n" "$first" "$last"; done <"$dir/.parts"
	rm "$dir/.parts"
fi
# An array the kernel or the installer assembled from the old members at start-up.
if [ -n "$disk2_running" ]; then
	a=$dir/sys/block/$disk2_running
	mkdir -p "$a/md" "$a/slaves"
	echo raid1 >"$a/md/level"
	echo clean >"$a/md/array_state"
	echo idle >"$a/md/sync_action"
	members=$(cd "$dir/sys/block/sdb" && ls -d sdb[0-9]* 2>/dev/null || true)
	for m in ${members:-sdb}; do
		if [ "$m" = sdb ]; then
			ln -s ../../sdb "$a/slaves/sdb"
			ln -s "../../$disk2_running" "$dir/sys/block/sdb/holders/$disk2_running"
		else
			ln -s "../../sdb/$m" "$a/slaves/$m"
			ln -s "../../../$disk2_running" "$dir/sys/block/sdb/$m/holders/$disk2_running"
		fi
	done
fi
# A device node that leads nowhere: sysfs knows the disk, nothing can read it.
if [ $disk2_unreadable -eq 1 ]; then
	rm "$dir/dev/sdb"
	ln -s /nonexistent/sdb "$dir/dev/sdb"
fi

# Another machine's array, left running by whatever booted before.
if [ -n "$other_array" ]; then
	truncate -s 10737418240 "$dir/dev/sdc"
	sgdisk --new=1:2048:0 --typecode=1:fd00 "$dir/dev/sdc" >/dev/null
	sys_disk sdc 10737418240 "WDC WD100EZAZ" "Z3TCCCCC"
	sys_part sdc 1 2048 20971486
	a=$dir/sys/block/$other_array
	mkdir -p "$a/md" "$a/slaves"
	echo raid1 >"$a/md/level"
	echo clean >"$a/md/array_state"
	echo idle >"$a/md/sync_action"
	ln -s ../../sdc/sdc1 "$a/slaves/sdc1"
	mkdir -p "$dir/sys/block/sdc/sdc1/holders"
	ln -s "../../../$other_array" "$dir/sys/block/sdc/sdc1/holders/$other_array"
fi

# The mount table at filesystem-populated: the new system on /tmp/root.
{
	echo "rootfs / rootfs rw 0 0"
	echo "proc /proc proc rw 0 0"
	echo "/dev/sda1 /tmp/root ext3 rw,data=ordered 0 0"
	[ $disk2_mounted -eq 1 ] && echo "/dev/sdb1 /mnt ext4 rw 0 0"
} >"$dir/proc/mounts"
: >"$dir/proc/swaps"
# The installer's kernel, with md and raid1 as modules to load (not loaded yet).
mkdir -p "$dir/proc/sys/kernel"
echo 2.6.32.12-0.7.1.xs6.0.2.553.170674xen >"$dir/proc/sys/kernel/osrelease"
if [ $installer_md -eq 1 ]; then
	m=$dir/lib/modules/2.6.32.12-0.7.1.xs6.0.2.553.170674xen/kernel/drivers/md
	mkdir -p "$m"
	echo module >"$m/md-mod.ko"
	echo module >"$m/raid1.ko"
fi
echo 1000 >"$dir/proc/sys/dev/raid/speed_limit_min"
echo 200000 >"$dir/proc/sys/dev/raid/speed_limit_max"

# The installer's own tools (only their presence matters here), and xsraid
# where the remastered image carries it.
tool "$dir/sbin/sgdisk"
tool "$dir/sbin/mkfs.ext3"
tool "$dir/sbin/tune2fs"
[ $installer_mdadm -eq 1 ] && tool "$dir/sbin/mdadm"
mkdir -p "$dir/opt/xsraid"
tool "$dir/opt/xsraid/xsraid"

# The freshly installed dom0, as 6.0.2's installer leaves it.
t=$dir/tmp/root
mkdir -p "$t/etc/firstboot.d/data" "$t/boot" "$t/sbin" "$t/usr/share/syslinux" \
	"$t/lib/modules/$kver" "$t/lib/modules/$kdump" "$t/etc/rc.d/init.d" "$t/etc/cron.d" \
	"$t/etc/sysconfig"
cat >"$t/etc/fstab" <<EOF
LABEL=$label    /         ext3     defaults   1  1
/var/swap/swap.001          swap      swap   defaults   0  0
none        /dev/pts  devpts defaults   0  0
none        /dev/shm  tmpfs  defaults   0  0
none        /proc     proc   defaults   0  0
none        /sys      sysfs  defaults   0  0
/opt/xensource/packages/iso/XenCenter.iso   /var/xen/xc-install   iso9660   loop,ro   0  0
EOF
cat >"$t/boot/extlinux.conf" <<EOF
# location mbr
serial 0 115200
default xe-serial
prompt 1
timeout 50

label xe
  # XenServer
  kernel mboot.c32
  append /boot/xen.gz mem=1024G dom0_max_vcpus=4 dom0_mem=752M lowmem_emergency_pool=1M crashkernel=64M@32M console=vga vga=mode-0x0311 --- /boot/vmlinuz-2.6-xen root=LABEL=$label ro xencons=hvc console=hvc0 console=tty0 quiet vga=785 splash --- /boot/initrd-2.6-xen.img

label xe-serial
  # XenServer (Serial)
  kernel mboot.c32
  append /boot/xen.gz com1=115200,8n1 console=com1,vga mem=1024G dom0_max_vcpus=4 dom0_mem=752M lowmem_emergency_pool=1M crashkernel=64M@32M --- /boot/vmlinuz-2.6-xen root=LABEL=$label ro console=tty0 xencons=hvc console=hvc0 --- /boot/initrd-2.6-xen.img

label safe
  # XenServer in Safe Mode
  kernel mboot.c32
  append /boot/xen.gz nosmp noreboot noirqbalance acpi=off noapic mem=1024G dom0_max_vcpus=4 dom0_mem=752M com1=115200,8n1 console=com1,vga --- /boot/vmlinuz-2.6-xen nousb root=LABEL=$label ro console=tty0 xencons=hvc console=hvc0 --- /boot/initrd-2.6-xen.img

label fallback
  # XenServer (Xen 4.1.2 / Linux $kver)
  kernel mboot.c32
  append /boot/xen-4.1.2.gz dom0_mem=752M --- /boot/vmlinuz-$kver root=LABEL=$label ro xencons=hvc console=hvc0 console=tty0 --- /boot/initrd-$kver.img

label fallback-serial
  # XenServer (Serial, Xen 4.1.2 / Linux $kver)
  kernel mboot.c32
  append /boot/xen-4.1.2.gz com1=115200,8n1 console=com1,vga dom0_mem=752M --- /boot/vmlinuz-$kver root=LABEL=$label ro console=tty0 xencons=hvc console=hvc0 --- /boot/initrd-$kver.img
EOF
cat >"$t/etc/xensource-inventory" <<EOF
PRODUCT_BRAND='XenServer'
PRODUCT_NAME='xenenterprise'
PRODUCT_VERSION='6.0.2'
BUILD_NUMBER='53456p'
INSTALLATION_DATE='2012-03-06 11:52:02.512345'
PRIMARY_DISK='/dev/disk/by-id/ata-ST500DM002-1BD142_Z3TAAAAA'
BACKUP_PARTITION='/dev/disk/by-id/ata-ST500DM002-1BD142_Z3TAAAAA-part2'
INSTALLATION_UUID='2c45bd44-3ad4-4c4f-9a2e-6f3a5c0d2b11'
CONTROL_DOMAIN_UUID='8e0ae7c2-0c1e-4f5c-a6d5-0d3b8a7e1f22'
DEFAULT_SR_PHYSDEVS='/dev/disk/by-id/ata-ST500DM002-1BD142_Z3TAAAAA-part3'
DOM0_MEM='752'
MANAGEMENT_INTERFACE='xenbr0'
EOF
cat >"$t/etc/firstboot.d/data/default-storage.conf" <<EOF
XSPARTITIONS='/dev/disk/by-id/ata-ST500DM002-1BD142_Z3TAAAAA-part3'
XSTYPE='lvm'
PARTITIONS='/dev/disk/by-id/ata-ST500DM002-1BD142_Z3TAAAAA-part3'
TYPE='lvm'
EOF
for k in "$kver" "$kdump"; do
	echo "initrd for $k" >"$t/boot/initrd-$k.img"
	echo "kernel $k" >"$t/boot/vmlinuz-$k"
done
ln -s "initrd-$kver.img" "$t/boot/initrd-2.6-xen.img"
ln -s "vmlinuz-$kver" "$t/boot/vmlinuz-2.6-xen"
echo xen >"$t/boot/xen-4.1.2.gz"
ln -s xen-4.1.2.gz "$t/boot/xen.gz"
echo mboot >"$t/boot/mboot.c32"
head -c 440 /dev/zero | tr '\0' 'G' >"$t/usr/share/syslinux/gptmbr.bin"
for f in mkinitrd extlinux mdadm sgdisk mkfs.ext3 tune2fs chkconfig; do tool "$t/sbin/$f"; done
# CentOS 5's mdadm package: the monitor's init script (off until mdadm.conf names someone to tell).
tool "$t/etc/rc.d/init.d/mdmonitor"
if [ $target_raid_check -eq 1 ]; then
	mkdir -p "$t/etc/cron.weekly"
	tool "$t/etc/cron.weekly/99-raid-check"
fi
if [ $bare_target -eq 1 ]; then
	rm -rf "$t/etc/rc.d" "$t/etc/cron.d" "$t/sbin/chkconfig"
fi
