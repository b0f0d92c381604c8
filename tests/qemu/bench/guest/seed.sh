#!/bin/sh
# The seed: the manual XenServer 6.0.2 RAID1 procedure hosting teams
# followed after an install (sysadmin.compxtreme.ro "Xen 6.0.2 software Raid
# - installation procedure" and the maxbelyanin gist; see
# /work/shared/research/xen-installer.md 5.1), as a script, run where xsraid
# runs so that both are timed on the same disks at the same point:
#
#   filesystem-populated (the new system mounted on $2, as / is on the
#   booted host the manual starts from):
#     1-3  sgdisk --zap-all, --mbrtogpt --clear, the first disk's partitions
#          1-3 copied to the second, type fd00, legacy-BIOS-bootable on 1
#     4-5  mknod /dev/md0-2; mdadm --create each degraded on the second disk
#          (metadata 0.90)
#     6    mdadm --grow --bitmap=internal on each
#     7-8  mkfs.ext3 /dev/md0, mounted; cp -vxpR of the root into it, every
#          name it copies on the console
#     9    fstab and extlinux.conf: LABEL=root-... becomes /dev/md0; mdadm
#          --detail --scan into /etc/mdadm.conf (and, for the local SR the
#          manual creates by hand on md2, default-storage.conf points there)
#     10   mkinitrd for the running (xen) kernel in a chroot
#     11   extlinux --install /boot, gptmbr.bin to the second disk
#   installation-complete:
#     12   the first disk's partitions retyped fd00 (partition 3 stays where
#          6.0.2 put it)
#     13   mdadm --add of sda1, sda2, sda3; gptmbr.bin to the first disk
#     14-15 wait until every array is in sync
#
# What the manual does not do, this does not do either: no verification of
# the copy, no check that a disk boots; cp -p keeps no hard links and no
# xattrs.  Every step is an event (lib.sh); md0's sync is one too.
set -u
. /opt/bench/lib.sh

MD0=$MNT/md0
CP=$TOOLS/cp
MDADM=$TOOLS/mdadm

at_filesystem_populated() {
	root=$1
	step partition-disk2
	must /sbin/sgdisk --zap-all /dev/sdb
	must /sbin/sgdisk --mbrtogpt --clear /dev/sdb
	new=
	for n in 1 2 3; do
		new="$new --new=$n:$(part_field /dev/sda "$n" 'First sector'):$(part_field /dev/sda "$n" 'Last sector')"
	done
	# shellcheck disable=SC2086 # one option per partition
	must /sbin/sgdisk -a 1 $new /dev/sdb
	must /sbin/sgdisk --typecode=1:fd00 --typecode=2:fd00 --typecode=3:fd00 /dev/sdb
	must /sbin/sgdisk --attributes=1:set:2 /dev/sdb
	for n in 1 2 3; do must wait_node "/dev/sdb$n"; done

	step create-arrays
	make_md_nodes
	for n in 0 1 2; do
		must "$MDADM" --create "/dev/md$n" --run --metadata=0.90 --level=1 --raid-devices=2 \
			missing "/dev/sdb$((n + 1))"
	done
	step add-bitmaps
	for n in 0 1 2; do
		must "$MDADM" --grow "/dev/md$n" --bitmap=internal
	done

	step mkfs
	must /sbin/mkfs.ext3 -q /dev/md0
	mkdir -p "$MD0"
	must mount /dev/md0 "$MD0"

	step copy
	# The manual's command, its output on the console as an operator sees it.
	must "$CP" -vxpR "$root/." "$MD0/" >/dev/console

	step configure
	label=$(sed -n 's/^LABEL=\(root-[a-z]*\).*/\1/p' "$MD0/etc/fstab")
	must sed -i "s|LABEL=$label|/dev/md0|" "$MD0/etc/fstab"
	must sed -i "s|root=LABEL=$label|root=/dev/md0|" "$MD0/boot/extlinux.conf"
	"$MDADM" --detail --scan >"$MD0/etc/mdadm.conf" || exit 1
	sed -i "s|^XSPARTITIONS=.*|XSPARTITIONS='/dev/md2'|; s|^PARTITIONS=.*|PARTITIONS='/dev/md2'|" \
		"$MD0/etc/firstboot.d/data/default-storage.conf"

	step mkinitrd
	kver=$(sed -n 's/^xen=//p' "$MD0/etc/standin/kernels")
	chroot_binds "$MD0"
	must chroot "$MD0" /sbin/mkinitrd -v -f "/boot/initrd-$kver.img" "$kver" >/dev/null

	step bootloader-disk2
	must chroot "$MD0" /sbin/extlinux --install /boot
	must dd if="$MD0/usr/share/syslinux/gptmbr.bin" of=/dev/sdb bs=440 count=1 conv=notrunc 2>/dev/null
	cp "$MD0/usr/share/syslinux/gptmbr.bin" "$MNT/gptmbr.bin"
	chroot_unbinds "$MD0"
	must umount "$MD0"
}

at_installation_complete() {
	step partition-disk1
	must /sbin/sgdisk --typecode=1:fd00 --typecode=2:fd00 --typecode=3:fd00 /dev/sda
	for n in 1 2 3; do must wait_node "/dev/sda$n"; done

	step add-disk1
	for n in 0 1 2; do
		must "$MDADM" "/dev/md$n" --add "/dev/sda$((n + 1))"
	done
	must dd if="$MNT/gptmbr.bin" of=/dev/sda bs=440 count=1 conv=notrunc 2>/dev/null

	step wait-root-resync
	md_wait_sync md0
	step wait-data-resync
	md_wait_sync md1
	md_wait_sync md2
}

case $1 in
filesystem-populated) at_filesystem_populated "$2" ;;
installation-complete) at_installation_complete ;;
after) cat /proc/mdstat >"$OUT/mdstat-final" ;;
esac
