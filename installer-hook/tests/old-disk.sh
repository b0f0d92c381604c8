#!/bin/sh
# Gives a disk image what a disk that held something before carries: the
# old metadata a second disk may bring to an install.  The image must exist
# (a sparse file of the disk's size); only metadata is written, so it stays
# sparse.  Identifiers are fixed: the same kind gives the same bytes.
#
# usage: old-disk.sh IMAGE KIND
#   md0.90 md1.0 md1.2  a GPT with two Linux RAID partitions (fd00, 64 MiB
#                       from 1 MiB), the members of a RAID1 of that metadata
#                       with an internal write-intent bitmap
#   md-mbr              an MBR with two partitions of type fd, the members
#                       of a RAID1 with metadata 0.90, preferred minor 0:
#                       what a kernel with md built in assembles at boot
#   md-whole            the whole disk a member of a RAID1, metadata 0.90
#   backup-gpt          a GPT with one partition whose start was wiped: only
#                       the backup header and table are left, at the end
#   mbr                 an MBR (dos) table with two partitions, no GPT
#   lvm                 the whole disk an LVM2 physical volume, as
#                       XenServer's local SR on a disk of its own
#   luks                the whole disk LUKS2-encrypted
#   fs                  an ext4 with files on the whole disk
#
# Prints "part N FIRST LAST" (sectors) for each partition the kernel would
# show.  Needs sgdisk, sfdisk, mke2fs, cryptsetup and old-metadata.py.
set -eu

img=$1
kind=$2
here=$(cd "$(dirname "$0")" && pwd)
write() { python3 "$here/old-metadata.py" "$@" >/dev/null; }

# Fixed identifiers of the old metadata.
md_uuid=0a1d0a1d5eed5eed0a1d0a1d5eed5eed
old_guid=0A1D0A1D-5EED-4EED-8A1D-0A1D5EED0A1D
pv_uuid=OldPv0XsRaidStaleMetadata0000001
fs_uuid=0a1d0a1d-5eed-4eed-8a1d-0a1d5eed0f50
luks_uuid=0a1d0a1d-5eed-4eed-8a1d-0a1d5eed1c50

bytes=$(stat -c %s "$img")
p1=2048
p2=$((p1 + 131072))
psize=131072 # 64 MiB

# gpt_pair TYPE: a GPT with partitions 1 and 2 of TYPE.
gpt_pair() {
	sgdisk -a 1 --disk-guid="$old_guid" \
		--new=1:$p1:$((p2 - 1)) --typecode=1:"$1" --new=2:$p2:$((p2 + psize - 1)) --typecode=2:"$1" \
		"$img" >/dev/null
	echo "part 1 $p1 $((p2 - 1))"
	echo "part 2 $p2 $((p2 + psize - 1))"
}

# members METADATA [--bitmap]: a RAID1 member in each of partitions 1 and 2.
members() {
	for role in 0 1; do
		write md "$img" --metadata "$1" --offset $(((p1 + role * psize) * 512)) --size $((psize * 512)) \
			--uuid "$md_uuid" --role $role --minor 0 --name oldhost:0 ${2:+"$2"}
	done
}

case $kind in
md0.90 | md1.0 | md1.2)
	gpt_pair fd00
	members "${kind#md}" --bitmap
	;;
md-mbr)
	printf 'label: dos\nlabel-id: 0x0a1d5eed\nstart=%s, size=%s, type=fd\nstart=%s, size=%s, type=fd\n' \
		$p1 $psize $p2 $psize | sfdisk -q "$img"
	echo "part 1 $p1 $((p2 - 1))"
	echo "part 2 $p2 $((p2 + psize - 1))"
	members 0.90
	;;
md-whole)
	write md "$img" --metadata 0.90 --offset 0 --size "$bytes" --uuid "$md_uuid" --role 0 --minor 0
	;;
backup-gpt)
	sgdisk -a 1 --disk-guid="$old_guid" --new=1:$p1:$((p2 - 1)) --typecode=1:8300 "$img" >/dev/null
	# The start wiped, as `dd if=/dev/zero count=34` leaves a disk: the protective
	# MBR, the primary header and its table.
	dd if=/dev/zero of="$img" bs=512 count=34 conv=notrunc status=none
	;;
mbr)
	printf 'label: dos\nlabel-id: 0x0a1d5eed\nstart=%s, size=%s, type=83\nstart=%s, size=%s, type=83\n' \
		$p1 $psize $p2 $psize | sfdisk -q "$img"
	echo "part 1 $p1 $((p2 - 1))"
	echo "part 2 $p2 $((p2 + psize - 1))"
	;;
lvm)
	write lvm "$img" --offset 0 --size "$bytes" --uuid "$pv_uuid"
	;;
luks)
	tmp=$(mktemp -d)
	printf 'old secret' >"$tmp/key"
	# The two LUKS2 headers (16 KiB each) and a small keyslot area, made on a
	# file of their own and copied over the start of the disk.
	truncate -s 4M "$tmp/luks"
	cryptsetup luksFormat -q --type luks2 --uuid "$luks_uuid" --pbkdf pbkdf2 \
		--pbkdf-force-iterations 1000 --luks2-keyslots-size 1m --key-file "$tmp/key" "$tmp/luks" \
		>"$tmp/err" 2>&1 || { cat "$tmp/err" >&2; exit 1; }
	dd if="$tmp/luks" of="$img" bs=1M count=2 conv=notrunc,sparse status=none
	rm -rf "$tmp"
	;;
fs)
	tmp=$(mktemp -d)
	mkdir -p "$tmp/data/home/user"
	echo "precious" >"$tmp/data/home/user/notes.txt"
	echo "old-host" >"$tmp/data/hostname"
	mke2fs -q -F -t ext4 -L old-data -U "$fs_uuid" -d "$tmp/data" -E nodiscard "$img" 65536 >/dev/null
	rm -rf "$tmp"
	;;
*)
	echo "old-disk: unknown kind '$kind'" >&2
	exit 2
	;;
esac
