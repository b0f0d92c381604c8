#!/bin/sh
# A boot CD laid out like XenServer 6.0.2's: ISOLINUX in /boot/isolinux with
# mboot.c32 (and the libcom32.c32 and ldlinux.c32 syslinux 6 needs), Xen and
# the dom0 kernel in /boot, the installer image as /install.img.
#
#   mkiso.sh FILES IMG CFG OUT [--isohybrid]
#
# FILES holds isolinux.bin, ldlinux.c32, mboot.c32, libcom32.c32, xen.gz,
# vmlinuz and isohdpfx.bin (build/qemu/iso-files); CFG becomes
# boot/isolinux/isolinux.cfg; IMG "none" leaves /install.img out.
# --isohybrid adds syslinux's isohybrid MBR, so the image also boots from a
# USB stick.
set -eu

files=$1 img=$2 cfg=$3 out=$4 hybrid=
[ "${5:-}" = --isohybrid ] && hybrid=$files/isohdpfx.bin
d=$(mktemp -d "${TMPDIR:-/tmp}/mkiso.XXXXXX")
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/boot/isolinux"
cp "$files/isolinux.bin" "$files/ldlinux.c32" "$files/mboot.c32" "$files/libcom32.c32" "$d/boot/isolinux/"
cp "$cfg" "$d/boot/isolinux/isolinux.cfg"
set -- "/boot/xen.gz=$files/xen.gz" "/boot/vmlinuz=$files/vmlinuz"
[ "$img" = none ] || set -- "$@" "/install.img=$img"
xorriso -as mkisofs -quiet -o "$out.tmp" -R -J -V XenServer-6.0.2 ${hybrid:+-isohybrid-mbr "$hybrid"} \
	-b boot/isolinux/isolinux.bin -c boot/isolinux/boot.cat \
	-no-emul-boot -boot-load-size 4 -boot-info-table \
	-graft-points "$d" "$@"
mv "$out.tmp" "$out"
