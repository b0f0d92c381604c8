#!/bin/sh
# Rebuilds the seed corpus in corpus/ from real inputs: GPT images made with
# sgdisk (and sfdisk) on image files, the plan inputs and journals xsraid's
# own code writes for a XenServer 6.0.2 root and for a disk replacement on a
# host it installed (seeds.c), that root's fstab,
# extlinux.conf and shell variable files, and kernel command lines of PXE
# installs.  The answerfile fuzzer reads the bundled and test answerfiles
# where they are.  Crash inputs kept in corpus/ (crash-*) are left alone.
#
# usage: make-seeds.sh WORKDIR "CC CFLAGS" "LIBS"     (make fuzz-seeds runs it)
set -eu

work=$1 cc=$2 libs=$3
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
corpus=$here/corpus
rm -rf "$work"
mkdir -p "$work" "$corpus/gpt" "$corpus/journal" "$corpus/plan_inputs" \
	"$corpus/configedit" "$corpus/cmdline"

# --- GPT images: fixed GUIDs, so that a rebuild gives the same bytes ---------------
guid() { printf '%08d-0000-4000-8000-%012d\n' "$1" "$2"; }
gpt() {
	name=$1 size=$2
	shift 2
	rm -f "$work/$name"
	truncate -s "$size" "$work/$name"
	sgdisk -a 1 "$@" "$work/$name" >/dev/null
	sgdisk -v "$work/$name" | grep -q 'No problems found' || { echo "seeds: bad $name" >&2; exit 1; }
	cp "$work/$name" "$corpus/gpt/$name"
}
# XenServer 6.0.2's layout scaled down to 96 sectors: root (legacy BIOS
# bootable, as gptmbr.bin wants), backup, local SR.
gpt xenserver-602 48K -o -U "$(guid 602 0)" \
	-n 1:34:45 -t 1:0700 -A 1:set:2 -u "1:$(guid 602 1)" \
	-n 2:46:57 -t 2:0700 -u "2:$(guid 602 2)" \
	-n 3:58:0 -t 3:8e00 -u "3:$(guid 602 3)"
# xsraid's second disk: members of md0-md2 and the journal partition, in a 4-entry table.
gpt second-disk 40K -o -S 4 -U "$(guid 2 0)" \
	-n 1:3:8 -t 1:fd00 -u "1:$(guid 2 1)" -n 2:9:14 -t 2:fd00 -u "2:$(guid 2 2)" \
	-n 3:15:20 -t 3:fd00 -u "3:$(guid 2 3)" \
	-n 4:21:0 -t 4:8300 -c 4:xsraid-journal -u "4:$(guid 2 4)"
gpt empty 40K -o -U "$(guid 40 0)"
cp "$corpus/gpt/xenserver-602" "$work/hybrid"
sgdisk -h 1:2 "$work/hybrid" >/dev/null
cp "$work/hybrid" "$corpus/gpt/hybrid-mbr"
# What zeroing the start of a disk leaves: the backup header alone.
cp "$corpus/gpt/xenserver-602" "$work/backup-only"
dd if=/dev/zero of="$work/backup-only" bs=512 count=34 conv=notrunc status=none
cp "$work/backup-only" "$corpus/gpt/backup-only"
truncate -s 16K "$work/mbr-only"
printf 'label: dos\nlabel-id: 0x58535241\nstart=2, size=20, type=83\n' |
	sfdisk -q "$work/mbr-only" >/dev/null
cp "$work/mbr-only" "$corpus/gpt/mbr-only"

# --- plan inputs and journals, written by xsraid's own code ----------------------
# shellcheck disable=SC2086 # $cc and $libs are command words
$cc -o "$work/seeds" "$here/seeds.c" $libs
"$top/installer-hook/tests/make-sysroot.sh" "$work/root"
"$top/installer-hook/tests/make-sysroot.sh" "$work/host" --host degraded
"$work/seeds" "$work/root" "$top/answerfile/examples/raid-attribute.xml" "$work/host" "$corpus"
# A second disk with old metadata erased by force: arrays to stop, signatures to erase.
"$top/installer-hook/tests/make-sysroot.sh" "$work/old" --disk2-old md-mbr --disk2-running md127
sed 's| raid="sdb"| raid="sdb" raid-wipe="force"|' "$top/answerfile/examples/raid-attribute.xml" \
	>"$work/force.xml"
mkdir -p "$work/old-seeds/plan_inputs" "$work/old-seeds/journal" "$work/old-seeds/gpt"
"$work/seeds" "$work/old" "$work/force.xml" "$work/host" "$work/old-seeds"
cp "$work/old-seeds/plan_inputs/xenserver-602" "$corpus/plan_inputs/old-metadata-force"

# --- the installed system's configuration files ----------------------------------
t=$work/root/tmp/root
cp "$t/etc/fstab" "$corpus/configedit/fstab-602"
cp "$t/boot/extlinux.conf" "$corpus/configedit/extlinux-602.conf"
cp "$t/etc/xensource-inventory" "$corpus/configedit/xensource-inventory-602"
cp "$t/etc/firstboot.d/data/default-storage.conf" "$corpus/configedit/default-storage-602.conf"
printf 'default linux\nlabel linux\n  kernel /boot/vmlinuz\n  append initrd=/boot/initrd.img root=/dev/sda1 ro quiet\n' \
	>"$corpus/configedit/extlinux-plain.conf"
printf 'label tboot\n  kernel mboot.c32\n  append /boot/tboot.gz --- /boot/xen.gz dom0_mem=752M --- /boot/vmlinuz root=LABEL=root-a ro --- /boot/initrd.img\n' \
	>"$corpus/configedit/extlinux-tboot.conf"

# --- kernel command lines of PXE installs ----------------------------------------
printf 'answerfile=http://pxe.example.com/xs602/answerfile.xml install\n' >"$corpus/cmdline/answerfile"
printf 'answerfile_generator=file:///opt/xsraid/answerfile-generator xsraid_answerfile=https://admin:s3cret@pxe.example.com/a.xml answerfile_sha256=%s network_device=all install\n' \
	"$(printf x | sha256sum | cut -d' ' -f1)" >"$corpus/cmdline/generator"
printf 'console=ttyS0 "answerfile=ftp://user:p w@10.0.0.1/x y.xml" "" install\n' >"$corpus/cmdline/quoted"
echo "seeds: $(find "$corpus" -type f | wc -l) files in $corpus"
