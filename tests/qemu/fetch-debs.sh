#!/bin/sh
# Downloads the pinned Debian packages the QEMU proving ground is built from
# and unpacks each one into its own directory:
#
#   fetch-debs.sh OUTDIR [--bench]
#     OUTDIR/debs/*.deb         as fetched by apt-get download NAME=VERSION
#     OUTDIR/pkgs/NAME/...      dpkg -x of each package
#
# Without --bench, the packages of the stand-in; with it, those the
# benchmark's dom0 is unpacked from (tests/qemu/bench/), and nothing else.
# Every version comes from versions.env; nothing is fetched from anywhere but
# the Debian archive apt is configured for.  Already-unpacked packages are
# kept, so re-running is cheap.
set -eu

out=${1:?usage: fetch-debs.sh OUTDIR [--bench]}
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/versions.env"

# The hypervisor package name carries the Xen major.minor.
xen_series=$(echo "$DEB_XEN_HYPERVISOR" | cut -d. -f1,2)

# package name and pinned version, one per line
if [ "${2:-}" = --bench ]; then
	list="
linux-headers-${KERNEL_ABI%-amd64}-common $DEB_LINUX_HEADERS_COMMON
xen-utils-$xen_series $DEB_XEN_UTILS
xen-utils-common $DEB_XEN_UTILS_COMMON
qemu-system-x86 $DEB_QEMU_SYSTEM_X86
qemu-system-data $DEB_QEMU_SYSTEM_DATA
ocaml-base $DEB_OCAML_BASE
python3.11-minimal $DEB_PYTHON3_11_MINIMAL
libpython3.11-minimal $DEB_LIBPYTHON3_11_MINIMAL
libpython3.11-stdlib $DEB_LIBPYTHON3_11_STDLIB
python3-distutils $DEB_PYTHON3_DISTUTILS
python3-lib2to3 $DEB_PYTHON3_LIB2TO3
python3-twisted $DEB_PYTHON3_TWISTED
python3-numpy $DEB_PYTHON3_NUMPY
perl-base $DEB_PERL_BASE
perl-modules-5.36 $DEB_PERL_MODULES
libperl5.36 $DEB_LIBPERL
bash $DEB_BASH
coreutils $DEB_COREUTILS
util-linux $DEB_UTIL_LINUX
systemd $DEB_SYSTEMD
iproute2 $DEB_IPROUTE2
iptables $DEB_IPTABLES
openssh-server $DEB_OPENSSH_SERVER
openssh-client $DEB_OPENSSH_CLIENT
openssl $DEB_OPENSSL
libssl3 $DEB_LIBSSL3
ca-certificates $DEB_CA_CERTIFICATES
libc-l10n $DEB_LIBC_L10N
locales $DEB_LOCALES
tzdata $DEB_TZDATA
manpages $DEB_MANPAGES
man-db $DEB_MAN_DB
libselinux1 $DEB_LIBSELINUX1
libacl1 $DEB_LIBACL1
libpcre2-8-0 $DEB_LIBPCRE2_8_0
lvm2 $DEB_LVM2
multipath-tools $DEB_MULTIPATH_TOOLS
open-iscsi $DEB_OPEN_ISCSI
nfs-common $DEB_NFS_COMMON
samba-common-bin $DEB_SAMBA_COMMON_BIN
libicu72 $DEB_LIBICU72
libllvm15 $DEB_LIBLLVM15
libgl1-mesa-dri $DEB_LIBGL1_MESA_DRI
gcc-12 $DEB_GCC_12
cpp-12 $DEB_CPP_12
vim-runtime $DEB_VIM_RUNTIME
git $DEB_GIT
"
else
	list="
linux-image-$KERNEL_ABI $DEB_LINUX_IMAGE
xen-hypervisor-$xen_series-amd64 $DEB_XEN_HYPERVISOR
busybox-static $DEB_BUSYBOX_STATIC
mdadm $DEB_MDADM
gdisk $DEB_GDISK
e2fsprogs $DEB_E2FSPROGS
extlinux $DEB_EXTLINUX
syslinux-common $DEB_SYSLINUX_COMMON
isolinux $DEB_ISOLINUX
pxelinux $DEB_PXELINUX
fdisk $DEB_FDISK
libc6 $DEB_LIBC6
libpopt0 $DEB_LIBPOPT0
libstdc++6 $DEB_LIBSTDCXX6
libgcc-s1 $DEB_LIBGCC_S1
libuuid1 $DEB_LIBUUID1
libblkid1 $DEB_LIBBLKID1
libext2fs2 $DEB_LIBEXT2FS2
libcom-err2 $DEB_LIBCOM_ERR2
libfdisk1 $DEB_LIBFDISK1
libsmartcols1 $DEB_LIBSMARTCOLS1
libtinfo6 $DEB_LIBTINFO6
libreadline8 $DEB_LIBREADLINE8
libudev1 $DEB_LIBUDEV1
attr $DEB_ATTR
libattr1 $DEB_LIBATTR1
"
fi

mkdir -p "$out/debs" "$out/pkgs"
echo "$list" | while read -r name version; do
	[ -n "$name" ] || continue
	[ -f "$out/pkgs/$name/.unpacked" ] && [ "$(cat "$out/pkgs/$name/.unpacked")" = "$version" ] && continue
	# apt-get download names the file NAME_VERSION_ARCH.deb with the epoch
	# ':' escaped; look it up by name afterwards instead of guessing.
	rm -f "$out/debs/${name}_"*.deb
	n=0
	until (cd "$out/debs" && apt-get download -q -o APT::Sandbox::User=root "$name=$version" >/dev/null); do
		n=$((n + 1))
		if [ $n -ge 3 ]; then
			echo "fetch-debs: cannot download $name=$version (is versions.env up to date with the archive? run apt-get update, then tools/update-pins)" >&2
			exit 1
		fi
		sleep $((n * 5))
	done
	deb=$(ls "$out/debs/${name}_"*.deb)
	rm -rf "$out/pkgs/$name"
	mkdir -p "$out/pkgs/$name"
	dpkg -x "$deb" "$out/pkgs/$name"
	echo "$version" >"$out/pkgs/$name/.unpacked"
	echo "fetch-debs: $name $version"
done
