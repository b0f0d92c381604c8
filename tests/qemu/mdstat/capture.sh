#!/bin/bash
# Captures the /proc/mdstat corpus: boots the md lab (mkroots.sh mdlab, with
# guest-init as /init) on the Debian kernel of versions.env, lets it build
# arrays of every shape, and writes each snapshot (NAME.mdstat, NAME.sysfs)
# with a README saying how it was made into OUTDIR.
#
# usage: capture.sh OUTDIR      (make capture-mdstat; not part of make test)
# Environment: QEMU_BUILD, MDLAB_IMG, KERNEL (set by qemu.mk).
# shellcheck disable=SC2034 # lib.sh names the work directory after it
SCENARIO=mdstat-capture
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/qemu/lib.sh
. "$here/../lib.sh"

out=${1:?usage: capture.sh OUTDIR}
: "${MDLAB_IMG:?}" "${KERNEL:?}"
CAPTURE_TIMEOUT=${CAPTURE_TIMEOUT:-2400}

setup_work
drives=()
for d in vda vdb vdc vdd; do
	blank_disk "$WORK/$d.img" 200M
	drives+=(-drive "file=$WORK/$d.img,format=raw,if=virtio")
done
blank_disk "$WORK/vde.img" 16M
blank_disk "$WORK/vdf.img" 16M
drives+=(-drive "file=$WORK/vde.img,format=raw,if=virtio" -drive "file=$WORK/vdf.img,format=raw,if=virtio")
port=0
for d in sda sdb; do
	blank_disk "$WORK/$d.img" 128M
	drives+=(-drive "if=none,id=$d,file=$WORK/$d.img,format=raw"
		-device "ide-hd,drive=$d,bus=ahci.$port,serial=LAB-DISK-$port")
	port=$((port + 1))
done

run_qemu capture "$CAPTURE_TIMEOUT" "$WORK/capture.log" -kernel "$KERNEL" -initrd "$MDLAB_IMG" \
	-append "console=ttyS0,115200 panic=1" "${drives[@]}"
grep -q 'lab: archive written' "$WORK/capture.log" || fail "the lab did not finish (see capture.log)"
mkdir -p "$WORK/snap"
tar -xf "$WORK/vdf.img" -C "$WORK/snap" || fail "no archive on the output disk"
[ -s "$WORK/snap/MANIFEST" ] || fail "the archive has no MANIFEST"

mkdir -p "$out"
rm -f "$out"/*.mdstat "$out"/*.sysfs
cp "$WORK"/snap/*.mdstat "$WORK"/snap/*.sysfs "$out/"
{
	cat <<'HDR'
# /proc/mdstat as Linux prints it

Every `.mdstat` file here is a byte-for-byte copy of `/proc/mdstat`, and the
`.sysfs` file of the same name holds the md and disk sysfs files `xsraid
status` reads at that moment (`PATH VALUE`, the first line of each file).
Nothing here is written by hand: `make capture-mdstat` boots the md lab of
`tests/qemu/mdstat/` (the Debian kernel, mdadm and busybox pinned in
`versions.env`, under QEMU with `-kernel`/`-initrd`) and rewrites this
directory.  It is not part of `make test`.

The lab's disks: `vda` to `vdd` (virtio, 200 MiB) cut into eight 24 MiB
partitions each (`sgdisk --new=N:0:+24M --typecode=N:fd00`), `vde` an ext4
for the bitmap file, `sda` and `sdb` (AHCI, 128 MiB, serial numbers
`LAB-DISK-0` and `LAB-DISK-1`) with three such partitions for the layout
xsraid makes, then wiped and used whole for external metadata.  The `.sysfs`
files say which serial number each name had in the run.  Every scenario
starts with no array and no md superblock on any member.  "Throttled" means
`/proc/sys/dev/raid/speed_limit_max` at 500 KiB/s, so a progress bar stays on
screen; the recipes list every command the lab ran, in order, with the exit
status of any that failed.

HDR
	echo "Captured with: $(cat "$WORK/snap/VERSIONS")."
	echo
	cat "$WORK/snap/MANIFEST"
} >"$out/README.md"
say "$(find "$out" -name '*.mdstat' | wc -l) snapshots written to $out"
