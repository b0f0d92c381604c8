#!/bin/sh
# Builds the two root trees of the XenServer 6.0.2 stand-in from unpacked
# Debian packages (see fetch-debs.sh), on the host, without mounting
# anything:
#
#   mkroots.sh dom0 PKGS OUT RAIDAUTORUN
#                                   the installed dom0's root, which the
#                                   installer copies onto the first partition;
#                                   RAIDAUTORUN is the static fixture its
#                                   mkinitrd puts in "autorun" initrds
#   mkroots.sh installer PKGS DOM0 OUT IMG
#                                   the installer's root (with DOM0 inside it
#                                   as its "packages"), packed as IMG, a gzip
#                                   compressed newc cpio like 6.0.2's
#                                   install.img
#   mkroots.sh mdlab PKGS INIT OUT IMG
#                                   a bare initramfs for -kernel/-initrd runs
#                                   with every md personality, mdadm, mdmon,
#                                   sgdisk and mke2fs, and INIT as /init
#   mkroots.sh bench-tools PKGS BENCH_PKGS GUEST TOOLS OUT
#                                   what the benchmark adds to the installer
#                                   image (tests/qemu/bench/): GNU cp (from
#                                   BENCH_PKGS) and mdadm with their
#                                   libraries, the static programs
#                                   in TOOLS, and the scripts in GUEST, in
#                                   /opt/bench of OUT
#
# xsraid goes into the installer image the way a user puts it into
# XenServer's: with xsraid-remaster (initramfs/).
#
# Both trees are staged as plain directories; everything in them is owned by
# root (cpio is told so), so the build needs no privileges beyond writing
# files.  Device nodes are not staged: the guests mount devtmpfs.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$top/versions.env"

kver=$KERNEL_ABI
# 6.0.2 names its hypervisor /boot/xen-<XEN_VERSION>.gz; take the upstream
# version from the Debian one (4.17.5+72-g... -> 4.17.5).
xen_version=${DEB_XEN_HYPERVISOR%%+*}
xen_version=${xen_version%%-*}
xen_series=$(echo "$DEB_XEN_HYPERVISOR" | cut -d. -f1,2)

die() {
	echo "mkroots: $*" >&2
	exit 1
}

# --- helpers -------------------------------------------------------------

# put SRC DEST: copies into the tree.  DEST is removed first: the tree's
# symlinks are absolute (/bin/busybox), and writing through one would
# write to the host's file of that name.
put() {
	rm -f "$2"
	cp -L "$1" "$2"
}

# All library directories of the unpacked packages, for resolving NEEDED
# ($extra_pkgs: a second set of packages, searched after $pkgs).
extra_pkgs=
libdirs() {
	for d in "$pkgs"/*/lib/x86_64-linux-gnu "$pkgs"/*/usr/lib/x86_64-linux-gnu \
		${extra_pkgs:+"$extra_pkgs"/*/lib/x86_64-linux-gnu "$extra_pkgs"/*/usr/lib/x86_64-linux-gnu}; do
		[ -d "$d" ] && echo "$d"
	done
}

find_lib() {
	for d in $(libdirs); do
		if [ -e "$d/$1" ]; then
			echo "$d/$1"
			return 0
		fi
	done
	return 1
}

# install_elf SRC DEST_IN_ROOT: copies an ELF executable and, recursively,
# every shared library it needs into $root/lib/x86_64-linux-gnu (one flat
# directory that ld.so searches by default).
install_elf() {
	mkdir -p "$root/$(dirname "$2")"
	put "$1" "$root/$2"
	chmod 0755 "$root/$2"
	install_needed "$1"
}

install_needed() {
	for lib in $(readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -e "$root/lib/x86_64-linux-gnu/$lib" ] && continue
		src=$(find_lib "$lib") || die "library $lib needed by $1 is in none of the unpacked packages (add it to fetch-debs.sh and versions.env)"
		mkdir -p "$root/lib/x86_64-linux-gnu"
		put "$src" "$root/lib/x86_64-linux-gnu/$lib"
		install_needed "$src"
	done
	if [ ! -e "$root/lib64/ld-linux-x86-64.so.2" ] && readelf -l "$1" 2>/dev/null | grep -q 'program interpreter'; then
		mkdir -p "$root/lib64" "$root/lib/x86_64-linux-gnu"
		put "$pkgs/libc6/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" "$root/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
		ln -sf /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$root/lib64/ld-linux-x86-64.so.2"
	fi
}

# install_e2fsprogs TOOL...: e2fsprogs' TOOLs in /sbin, with the mkfs.ext*,
# fsck.ext* and e2label names CentOS gives them, and mke2fs.conf.
install_e2fsprogs() {
	for t in "$@"; do
		install_elf "$pkgs/e2fsprogs/sbin/$t" "sbin/$t"
	done
	for t in mkfs.ext3 mkfs.ext2 mkfs.ext4; do ln -sf mke2fs "$root/sbin/$t"; done
	for t in fsck.ext3 fsck.ext2 fsck.ext4; do ln -sf e2fsck "$root/sbin/$t"; done
	ln -sf tune2fs "$root/sbin/e2label"
	cp "$pkgs/e2fsprogs/etc/mke2fs.conf" "$root/etc/mke2fs.conf"
}

# install_busybox: the static busybox and a symlink for each of its applets,
# except where a real tool already sits at that path (busybox's ash runs
# its own applets before PATH, so scripts call real tools by full path).
install_busybox() {
	bb=$pkgs/busybox-static/bin/busybox
	mkdir -p "$root/bin"
	cp "$bb" "$root/bin/busybox"
	"$bb" --list-full | while read -r p; do
		[ -e "$root/$p" ] || [ -L "$root/$p" ] && continue
		mkdir -p "$root/$(dirname "$p")"
		ln -s /bin/busybox "$root/$p"
	done
}

modroot() {
	echo "$pkgs/linux-image-$kver/lib/modules/$kver"
}

# mod_path NAME: the .ko of a module, whichever of - and _ its file uses.
mod_path() {
	n1=$(echo "$1" | tr - _)
	n2=$(echo "$1" | tr _ -)
	p=$(find "$(modroot)/kernel" \( -name "$n1.ko" -o -name "$n2.ko" \) | head -n 1)
	[ -n "$p" ] || die "kernel module $1 not found in linux-image-$kver"
	echo "$p"
}

# mod_deps NAME: the modules NAME needs, read from the .modinfo section
# (no modinfo on the host, and busybox's wants a modules.dep).
mod_deps() {
	tr '\0' '\n' <"$(mod_path "$1")" | sed -n 's/^depends=//p' | tr , ' '
}

# mod_order NAMES...: NAMES and their dependencies, each after everything it
# needs: the insmod order used where there is no modprobe/modules.dep.
mod_order() {
	_seen=" "
	for m in "$@"; do
		mod_visit "$m"
	done
}

mod_visit() {
	case "$_seen" in *" $(echo "$1" | tr - _) "*) return 0 ;; esac
	_seen="$_seen$(echo "$1" | tr - _) "
	for d in $(mod_deps "$1"); do
		mod_visit "$d"
	done
	echo "$1" | tr - _
}

# install_modules LISTFILE NAMES...: copies the modules and their
# dependencies into $root/lib/modules/$kver (same relative paths as in the
# package) and writes the load order, one file name per line, to LISTFILE.
install_modules() {
	list=$1
	shift
	mkdir -p "$(dirname "$root/$list")"
	: >"$root/$list"
	for m in $(mod_order "$@"); do
		src=$(mod_path "$m")
		rel=${src#"$(modroot)"/}
		mkdir -p "$root/lib/modules/$kver/$(dirname "$rel")"
		cp "$src" "$root/lib/modules/$kver/$rel"
		echo "/lib/modules/$kver/$rel" >>"$root/$list"
	done
}

# Storage and filesystem modules both guests load.  Order matters only
# through the computed dependencies.
STORAGE_MODULES="ahci sd_mod"
# ext4 (which mounts ext3) asks the crypto API for crc32c at mount time.
FS_MODULES="crc32c_generic ext4"
MD_MODULES="md-mod raid1"

# --- the installed dom0 --------------------------------------------------

build_dom0() {
	rm -rf "$root"
	mkdir -p "$root"
	for d in boot boot/extlinux dev proc sys tmp run mnt root var/log var/lib var/run var/swap \
		etc/sysconfig/network-scripts etc/firstboot.d/data etc/xensource etc/modprobe.d \
		usr/share/syslinux usr/share/splash opt/xensource sbin usr/sbin usr/bin; do
		mkdir -p "$root/$d"
	done
	chmod 1777 "$root/tmp"
	chmod 0700 "$root/root"

	# Tools 6.0.2's dom0 has and the RAID conversion may use through chroot.
	install_elf "$pkgs/mdadm/sbin/mdadm" sbin/mdadm
	install_elf "$pkgs/gdisk/sbin/sgdisk" sbin/sgdisk
	install_e2fsprogs mke2fs tune2fs e2fsck dumpe2fs resize2fs
	install_elf "$pkgs/fdisk/sbin/sfdisk" sbin/sfdisk
	# 6.0.2's installer runs /sbin/extlinux in the chroot; Debian ships it in
	# /usr/bin.
	install_elf "$pkgs/extlinux/usr/bin/extlinux" sbin/extlinux
	install_elf "$pkgs/attr/usr/bin/setfattr" usr/bin/setfattr
	install_elf "$pkgs/attr/usr/bin/getfattr" usr/bin/getfattr
	install_busybox

	# Syslinux files where 6.0.2 has them (Debian: /usr/lib/syslinux/...).
	sl=$pkgs/syslinux-common/usr/lib/syslinux
	cp "$sl/mbr/gptmbr.bin" "$sl/mbr/mbr.bin" "$root/usr/share/syslinux/"
	for c in mboot menu chain libcom32 libutil ldlinux; do
		cp "$sl/modules/bios/$c.c32" "$root/usr/share/syslinux/"
	done

	# Kernel and hypervisor, named as 6.0.2 names them.  The kdump kernel of
	# 6.0.2 is a separate build; here it is the same image under a second
	# name (a hard link), so the installer builds two initrds as 6.0.2 does.
	cp "$pkgs/linux-image-$kver/boot/vmlinuz-$kver" "$root/boot/vmlinuz-$kver"
	ln "$root/boot/vmlinuz-$kver" "$root/boot/vmlinuz-${kver}kdump"
	# The kernel's config, as CentOS kernels install it: what it builds in.
	cp "$pkgs/linux-image-$kver/boot/config-$kver" "$root/boot/config-$kver"
	ln "$root/boot/config-$kver" "$root/boot/config-${kver}kdump"
	ln -s "vmlinuz-$kver" "$root/boot/vmlinuz-2.6-xen"
	cp "$pkgs/xen-hypervisor-$xen_series-amd64/boot/xen-$xen_series-amd64.gz" "$root/boot/xen-$xen_version.gz"
	ln -s "xen-$xen_version.gz" "$root/boot/xen.gz"

	install_modules etc/standin/modules.order $STORAGE_MODULES $MD_MODULES $FS_MODULES
	ln -s "$kver" "$root/lib/modules/${kver}kdump"

	# Stand-in scripts: /sbin/init reports on the boot, /sbin/mkinitrd builds
	# initrds the way CentOS 5's does.
	put "$here/dom0/init" "$root/sbin/init"
	put "$here/dom0/mkinitrd" "$root/sbin/mkinitrd"
	put "$here/marker.sh" "$root/usr/sbin/xsraid-marker"
	chmod 0755 "$root/sbin/init" "$root/sbin/mkinitrd" "$root/usr/sbin/xsraid-marker"
	# What the stand-in adds for 6.0.2's behaviour: nash's raidautorun on a
	# kernel with md built in (mkinitrd's "autorun" mode), and the by-id
	# links 6.0.2's udev makes (the first-boot storage step reads them).
	mkdir -p "$root/usr/libexec/standin"
	[ -f "$raidautorun" ] || die "$raidautorun does not exist"
	cp "$raidautorun" "$root/usr/libexec/standin/raidautorun"
	put "$here/installer/devlinks" "$root/usr/libexec/standin/devlinks"
	chmod 0755 "$root/usr/libexec/standin/raidautorun" "$root/usr/libexec/standin/devlinks"
	# CentOS 5's service start-up, as far as RAID monitoring goes: chkconfig,
	# the mdadm package's mdmonitor init script (installed, not turned on:
	# nothing says 6.0.2 turns it on), cron's /etc/cron.d, and a sendmail
	# that shows the mail mdadm's monitor sends on the console.
	for d in etc/rc.d/init.d etc/rc.d/rc0.d etc/rc.d/rc1.d etc/rc.d/rc2.d etc/rc.d/rc3.d \
		etc/rc.d/rc4.d etc/rc.d/rc5.d etc/rc.d/rc6.d etc/cron.d; do
		mkdir -p "$root/$d"
	done
	put "$here/dom0/chkconfig" "$root/sbin/chkconfig"
	put "$here/dom0/mdmonitor" "$root/etc/rc.d/init.d/mdmonitor"
	put "$here/dom0/sendmail" "$root/usr/sbin/sendmail"
	chmod 0755 "$root/sbin/chkconfig" "$root/etc/rc.d/init.d/mdmonitor" "$root/usr/sbin/sendmail"

	# What the installer asks rpm for in 6.0.2 (getKernelVersion).
	cat >"$root/etc/standin/kernels" <<EOF
# kernel versions installed, as rpm -q kernel-xen / kernel-kdump report them
xen=$kver
kdump=${kver}kdump
EOF
	cat >"$root/etc/standin/versions" <<EOF
XEN_VERSION=$xen_version
KERNEL_VERSION=$kver
EOF
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
	printf 'root::0:0:99999:7:::\n' >"$root/etc/shadow"
	chmod 0600 "$root/etc/shadow"
	printf 'root:x:0:\n' >"$root/etc/group"
	: >"$root/etc/mtab"
	echo "standin" >"$root/etc/hostname"
}

# --- the installer -------------------------------------------------------

build_installer() {
	rm -rf "$root"
	mkdir -p "$root"
	for d in dev proc sys tmp mnt root etc/init.d var/run var/log usr/share/udhcpc \
		opt/xensource/installer opt/xensource/standin sbin usr/sbin usr/bin; do
		mkdir -p "$root/$d"
	done
	chmod 1777 "$root/tmp"

	# What 6.0.2's install.img provides to the installer and its scripts:
	# sgdisk, sfdisk, e2fsprogs and busybox.  Deliberately no mdadm: whether
	# 6.0.2's install.img has one is not known, so the RAID step must be able
	# to use the target's /sbin/mdadm through chroot.
	install_elf "$pkgs/gdisk/sbin/sgdisk" sbin/sgdisk
	install_elf "$pkgs/fdisk/sbin/sfdisk" sbin/sfdisk
	install_e2fsprogs mke2fs tune2fs e2fsck dumpe2fs
	# Test instrumentation, not in 6.0.2: xattr tools for the marker tree.
	install_elf "$pkgs/attr/usr/bin/setfattr" usr/bin/setfattr
	install_elf "$pkgs/attr/usr/bin/getfattr" usr/bin/getfattr
	install_busybox
	# busybox init, as in 6.0.2 (/init is a hard link to busybox).
	ln "$root/bin/busybox" "$root/init"
	# 6.0.2's scripts.py accepts #!/bin/bash; busybox has no bash applet.
	rm -f "$root/bin/bash"
	printf '#!/bin/sh\n# stand-in: 6.0.2 has GNU bash here\nexec /bin/sh "$@"\n' >"$root/bin/bash"
	chmod 0755 "$root/bin/bash"

	# Modules: storage, ext3 (through ext4), the NIC for http answerfiles,
	# and md/raid1 (present for the RAID step, not loaded at start-up).
	# modules.dep comes from busybox depmod so modprobe works as on 6.0.2.
	install_modules etc/standin/modules.boot $STORAGE_MODULES $FS_MODULES e1000
	install_modules etc/standin/modules.md $MD_MODULES
	"$pkgs/busybox-static/bin/busybox" depmod -b "$root" "$kver"

	for f in preinit init devlinks answerfile.awk; do
		put "$here/installer/$f" "$root/opt/xensource/installer/$f"
	done
	chmod 0755 "$root/opt/xensource/installer/preinit" "$root/opt/xensource/installer/init" \
		"$root/opt/xensource/installer/devlinks"
	put "$here/installer/inittab" "$root/etc/inittab"
	put "$here/installer/rcS" "$root/etc/init.d/rcS"
	put "$here/installer/S99alt-start" "$root/etc/init.d/S99alt-start"
	put "$here/installer/udhcpc.script" "$root/usr/share/udhcpc/default.script"
	put "$here/marker.sh" "$root/opt/xensource/standin/marker.sh"
	chmod 0755 "$root/etc/init.d/rcS" "$root/etc/init.d/S99alt-start" "$root/usr/share/udhcpc/default.script" \
		"$root/opt/xensource/standin/marker.sh"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
	printf 'root:x:0:\n' >"$root/etc/group"

	# The "packages": 6.0.2 installs RPMs from the ISO; the stand-in copies
	# this tree.
	cp -a "$dom0" "$root/opt/xensource/standin/dom0"
}

# --- the md lab: where the /proc/mdstat corpus is captured ----------------

build_mdlab() {
	rm -rf "$root"
	mkdir -p "$root"
	for d in dev proc sys tmp run mnt etc sbin usr/sbin usr/bin; do
		mkdir -p "$root/$d"
	done
	chmod 1777 "$root/tmp"
	install_elf "$pkgs/mdadm/sbin/mdadm" sbin/mdadm
	install_elf "$pkgs/mdadm/sbin/mdmon" sbin/mdmon
	install_elf "$pkgs/gdisk/sbin/sgdisk" sbin/sgdisk
	install_e2fsprogs mke2fs
	install_busybox
	# Storage first; md-mod alone next, so a capture can show md with no
	# personality registered; then every personality the kernel ships.
	install_modules etc/lab/modules.storage $STORAGE_MODULES virtio_blk virtio_pci $FS_MODULES
	install_modules etc/lab/modules.md md-mod
	install_modules etc/lab/modules.personalities linear raid0 raid1 raid10 raid456 \
		multipath faulty
	put "$init" "$root/init"
	chmod 0755 "$root/init"
}

# --- the benchmark's additions to the installer --------------------------

build_bench_tools() {
	rm -rf "$root"
	mkdir -p "$root/opt/bench/bin"
	extra_pkgs=$bench_pkgs
	# GNU cp for the manual procedure's cp -vxpR (busybox cp has neither -v
	# nor -x); mdadm (the installer has none; the procedures must not
	# depend on the target's).
	install_elf "$bench_pkgs/coreutils/bin/cp" opt/bench/bin/cp
	install_elf "$pkgs/mdadm/sbin/mdadm" opt/bench/bin/mdadm
	for t in "$tools"/*; do
		cp "$t" "$root/opt/bench/bin/"
	done
	cp "$guest"/* "$root/opt/bench/"
	chmod 0755 "$root/opt/bench/bin/"* "$root/opt/bench/hook" "$root/opt/bench/"*.sh
}

pack() {
	# newc cpio, root-owned, gzip -9: what 6.0.2's mk/Makefile does.
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -9n) >"$1.tmp"
	mv "$1.tmp" "$1"
}

cmd=${1:-}
case "$cmd" in
dom0)
	pkgs=$2
	root=$3
	raidautorun=$4
	build_dom0
	;;
installer)
	pkgs=$2
	dom0=$3
	root=$4
	build_installer
	pack "$5"
	;;
mdlab)
	pkgs=$2
	init=$3
	root=$4
	build_mdlab
	pack "$5"
	;;
bench-tools)
	pkgs=$2
	bench_pkgs=$3
	guest=$4
	tools=$5
	root=$6
	build_bench_tools
	;;
*)
	die "usage: mkroots.sh dom0 PKGS OUT RAIDAUTORUN | installer PKGS DOM0 OUT IMG | mdlab PKGS INIT OUT IMG | bench-tools PKGS BENCH_PKGS GUEST TOOLS OUT"
	;;
esac
