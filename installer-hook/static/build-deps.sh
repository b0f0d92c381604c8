#!/bin/sh
# build-deps.sh PREFIX ARCH
#
# Builds the static toolchain and libraries of the xsraid helper from pinned
# Debian source packages (versions.env) and installs them under PREFIX:
#
#   bin/musl-gcc        gcc wrapper that compiles and links against PREFIX's musl
#   lib/, include/      musl, mbedTLS, libxml2 (include/libxml2), libcurl,
#                       libblkid (include/blkid) and zlib, static libraries only
#   include/{linux,asm,asm-generic}   symlinks to the host's kernel headers
#   .done               written last
#
# ARCH is i386 (XenServer 6.0-6.2 run a 32-bit dom0 and installer; built with
# gcc -m32) or x86_64.  Sources are fetched with apt-get, which checks them
# against the signed index, into $(dirname PREFIX)/src and reused from there.
# Build trees go to $(dirname PREFIX)/static-build-ARCH (removed on success),
# logs to $(dirname PREFIX)/static-logs/ARCH-*.log.  PREFIX is wiped first, so
# the script can simply be rerun; it keeps PREFIX only when .done records the
# same inputs (see KEY below).
set -eu

usage() {
	echo "usage: $0 PREFIX i386|x86_64" >&2
	exit 2
}
[ $# -eq 2 ] || usage
ARCH=$2
case $ARCH in
i386) MFLAG=-m32 HOST=i686-pc-linux-musl MUSL_TARGET=i386-linux-musl ;;
x86_64) MFLAG=-m64 HOST=x86_64-pc-linux-musl MUSL_TARGET=x86_64-linux-musl ;;
*) usage ;;
esac

say() { echo "build-deps[$ARCH]: $*"; }
die() {
	echo "build-deps[$ARCH]: $*" >&2
	exit 1
}

TOP=$(cd "$(dirname "$0")/../.." && pwd)
VERSIONS=$TOP/versions.env
# shellcheck source=/dev/null
. "$VERSIONS"

for t in apt-get apt-cache dpkg-source gcc make patch file; do
	command -v $t >/dev/null || die "$t not found: run tools/install-deps"
done
if [ "$ARCH" = i386 ]; then
	[ -f "$(gcc -m32 -print-libgcc-file-name)" ] || die "gcc -m32 has no libgcc: run tools/install-deps (gcc-multilib)"
fi

# What the result depends on.  make reruns this script whenever versions.env
# changes, also for pins unrelated to it; when PREFIX/.done records the same
# inputs, the existing tree is kept (XSRAID_REBUILD_DEPS=1 forces a rebuild).
KEY="arch=$ARCH musl=$SRC_MUSL mbedtls=$SRC_MBEDTLS libxml2=$SRC_LIBXML2 curl=$SRC_CURL"
KEY="$KEY util-linux=$SRC_UTIL_LINUX zlib=$SRC_ZLIB gcc=$(gcc -dumpfullversion) script=$(sha256sum "$0" | cut -c1-16)"
if [ "${XSRAID_REBUILD_DEPS:-0}" != 1 ] && [ -f "$1/.done" ] &&
	[ "$(sed -n 1p "$1/.done")" = "$KEY" ] && [ -x "$1/bin/musl-gcc" ]; then
	say "$1 is up to date (same pins, compiler and script); kept"
	touch "$1/.done"
	exit 0
fi

JOBS=2
case $1 in
"" | / | . | .. | "$TOP" | "$TOP/") die "refusing to use $1 as PREFIX: it is wiped first" ;;
esac
rm -rf "$1"
mkdir -p "$1"
PREFIX=$(cd "$1" && pwd)
BASE=$(dirname "$PREFIX")
SRCCACHE=$BASE/src
LOGDIR=$BASE/static-logs
WORK=$BASE/static-build-$ARCH
rm -rf "$WORK"
rm -f "$LOGDIR/$ARCH"-*.log
mkdir -p "$SRCCACHE" "$LOGDIR" "$WORK"

BUILD_TRIPLET=$(gcc -dumpmachine)
MULTIARCH=$(gcc -print-multiarch)
CC_MUSL=$PREFIX/bin/musl-gcc
SPECS=$PREFIX/lib/musl-gcc.specs
CFLAGS_LIBS="-Os -fstack-protector-strong"
# Keep the host's pkg-config files (glibc builds of openssl, zlib, ...) out.
PKG_CONFIG_LIBDIR=$PREFIX/lib/pkgconfig
PKG_CONFIG_PATH=
export PKG_CONFIG_LIBDIR PKG_CONFIG_PATH
LC_ALL=C
export LC_ALL

# step NAME: start a step; its commands log to $LOG.
step() {
	STEP=$1
	STEP_T=$(date +%s)
	LOG=$LOGDIR/$ARCH-$1.log
	: >"$LOG"
}
step_done() { say "$STEP $1: $(($(date +%s) - STEP_T)) s"; }

# run CMD...: run CMD with its output appended to $LOG; on failure show the
# end of the log and stop.
run() {
	_t=$(date +%s)
	echo "+ $*" >>"$LOG"
	if ! "$@" >>"$LOG" 2>&1; then
		{
			echo "build-deps[$ARCH]: $STEP failed: $*"
			echo "---- last lines of $LOG ----"
			tail -n 40 "$LOG"
			echo "---- end of $LOG ----"
		} >&2
		exit 1
	fi
	echo "+ ($(($(date +%s) - _t)) s)" >>"$LOG"
}

# --- sources -----------------------------------------------------------------

# All pinned source packages, NAME=VERSION.
PKGS="musl=$SRC_MUSL mbedtls=$SRC_MBEDTLS libxml2=$SRC_LIBXML2 curl=$SRC_CURL util-linux=$SRC_UTIL_LINUX"
PKGS="$PKGS zlib=$SRC_ZLIB"

# Download into SRCCACHE.  Files already there are checked against the signed
# index by apt and not fetched again.
step sources
for p in $PKGS; do
	name=${p%%=*} ver=${p#*=}
	if ! apt-cache showsrc --only-source "$name" 2>/dev/null | grep -qx "Version: $ver"; then
		have=$(apt-cache showsrc --only-source "$name" 2>/dev/null | sed -n 's/^Version: //p' | tr '\n' ' ')
		die "Debian source package $name=$ver (pinned in $VERSIONS) is not available from apt;
  apt offers: ${have:-nothing (no deb-src entries?)}
  run tools/install-deps (enables deb-src, runs apt-get update), or tools/update-pins --write"
	fi
done
# shellcheck disable=SC2086
(cd "$SRCCACHE" && run apt-get source --download-only $PKGS)
step_done "(apt-get source)"

# unpack NAME VERSION: extract the package with its Debian patches to WORK/NAME.
unpack() {
	_dsc=$SRCCACHE/${1}_${2#*:}.dsc
	[ -f "$_dsc" ] || die "$_dsc missing after apt-get source"
	run dpkg-source -x "$_dsc" "$WORK/$1"
}

# autotools_settle DIR: some Debian patches edit configure.ac or Makefile.am;
# none of those edits matter here (gssapi, ldap, tests, docs, install rules of
# programs not built), so mark the shipped generated files current rather than
# regenerating them with whatever autotools the host has.
autotools_settle() {
	(
		cd "$1"
		find . -name aclocal.m4 -exec touch {} +
		find . -name configure -exec touch {} +
		find . \( -name Makefile.in -o -name config.h.in -o -name stamp-h.in \) -exec touch {} +
	)
}

# configure_musl ARG...: ./configure for musl-gcc, static only.  --build and
# --host put configure in cross mode: it must not run i386 test programs.
configure_musl() {
	run ./configure CC="$CC_MUSL" CFLAGS="$CFLAGS_LIBS" \
		--build="$BUILD_TRIPLET" --host="$HOST" --prefix="$PREFIX" \
		--disable-shared --enable-static --disable-dependency-tracking "$@"
}

# --- musl and the musl-gcc wrapper ------------------------------------------------
build_musl() {
	step musl
	unpack musl "$SRC_MUSL"
	cd "$WORK/musl"
	# --target makes configure default CROSS_COMPILE to <target>- for ar and
	# ranlib; the host binutils handle both word sizes.
	run env CC="gcc $MFLAG" AR=ar RANLIB=ranlib ./configure \
		--target="$MUSL_TARGET" --prefix="$PREFIX" --syslibdir="$PREFIX/lib" \
		--disable-shared --enable-wrapper=gcc
	run make -j$JOBS
	run make install
	[ -f "$SPECS" ] || die "musl did not install $SPECS"
	# The specs' *link replaces gcc's own, which is where -m32 becomes the
	# linker's -m elf_i386: put the emulation back.
	if [ "$ARCH" = i386 ]; then
		sed -i 's/^-dynamic-linker /-m elf_i386 &/' "$SPECS"
		grep -q '^-m elf_i386 -dynamic-linker ' "$SPECS" || die "could not patch $SPECS"
	fi
	# musl's own wrapper runs plain gcc; this one selects the word size too.
	rm -f "$CC_MUSL"
	cat >"$CC_MUSL" <<-EOF
		#!/bin/sh
		# gcc for $ARCH against the musl in $PREFIX (written by build-deps.sh)
		exec "\${REALGCC:-gcc}" $MFLAG "\$@" -specs "$SPECS"
	EOF
	chmod 755 "$CC_MUSL"
	# The Linux UAPI headers (linux/fs.h, ioctls, ...), which musl-gcc's
	# -nostdinc hides.  The x86 asm headers serve both word sizes (__i386__
	# ifdefs).  util-linux's configure needs them too.
	for d in /usr/include/linux /usr/include/asm-generic "/usr/include/$MULTIARCH/asm"; do
		[ -d "$d" ] || die "$d missing (linux-libc-dev)"
		ln -s "$d" "$PREFIX/include/${d##*/}"
	done
	# Sanity check: a static program using a kernel header.
	printf '#include <stdio.h>\n#include <linux/fs.h>\nint main(void) { printf("%%lu\\n", (unsigned long)BLKGETSIZE64); return 0; }\n' >"$WORK/hello.c"
	run "$CC_MUSL" -static -Os -o "$WORK/hello" "$WORK/hello.c"
	run sh -c "file '$WORK/hello' | grep 'statically linked'"
	step_done "$SRC_MUSL"
}

# --- mbedTLS -----------------------------------------------------------------
build_mbedtls() {
	step mbedtls
	unpack mbedtls "$SRC_MBEDTLS"
	cd "$WORK/mbedtls"
	run make -j$JOBS CC="$CC_MUSL" AR=ar CFLAGS="$CFLAGS_LIBS" lib
	cp -R include/mbedtls include/psa "$PREFIX/include/"
	cp library/libmbedtls.a library/libmbedx509.a library/libmbedcrypto.a "$PREFIX/lib/"
	step_done "$SRC_MBEDTLS"
}

# --- libxml2 -----------------------------------------------------------------
build_libxml2() {
	step libxml2
	unpack libxml2 "$SRC_LIBXML2"
	autotools_settle "$WORK/libxml2"
	cd "$WORK/libxml2"
	# iconv stays: musl has it built in.
	configure_musl \
		--without-python --without-icu --without-lzma --without-zlib \
		--without-http --without-ftp --without-catalog --without-modules \
		--without-threads --without-readline --without-history --with-iconv
	run make -j$JOBS libxml2.la
	run make -C include install
	cp .libs/libxml2.a "$PREFIX/lib/"
	step_done "$SRC_LIBXML2"
}

# --- curl (needs mbedTLS) -------------------------------------------------------
build_curl() {
	step curl
	unpack curl "$SRC_CURL"
	cd "$WORK/curl"
	# Debian builds its default (OpenSSL) flavour with the last two patches of
	# the series popped: they rename the library for the GnuTLS and NSS flavours.
	for p in 99_nss.patch 90_gnutls.patch; do
		run patch -R -p1 -i "debian/patches/$p"
	done
	autotools_settle "$WORK/curl"
	# http(s), ftp(s), tftp and file only.  No CA defaults: xsraid sets
	# CURLOPT_CAINFO itself.
	configure_musl \
		--with-mbedtls="$PREFIX" --without-openssl --without-gnutls --without-nss \
		--without-ca-bundle --without-ca-path --without-ca-fallback \
		--enable-http --enable-ftp --enable-tftp --enable-file \
		--disable-ldap --disable-ldaps --disable-rtsp --disable-dict --disable-telnet \
		--disable-pop3 --disable-imap --disable-smtp --disable-gopher --disable-mqtt \
		--disable-smb --disable-manual --disable-ntlm --disable-ntlm-wb \
		--without-libpsl --without-zlib --without-brotli --without-zstd \
		--without-nghttp2 --without-ngtcp2 --without-nghttp3 --without-quiche --without-msh3 \
		--without-hyper --without-libidn2 --without-librtmp --without-libssh2 \
		--without-libssh --without-wolfssh --without-libgsasl --without-gssapi
	run make -j$JOBS -C lib libcurl.la
	run make -C include install
	cp lib/.libs/libcurl.a "$PREFIX/lib/"
	step_done "$SRC_CURL"
}

# --- libblkid (util-linux) -----------------------------------------------------
build_libblkid() {
	step libblkid
	unpack util-linux "$SRC_UTIL_LINUX"
	autotools_settle "$WORK/util-linux"
	cd "$WORK/util-linux"
	# The kernel headers configure insists on come from PREFIX/include.
	configure_musl \
		--disable-all-programs --enable-libblkid \
		--without-python --without-systemd --without-udev --disable-nls \
		--without-ncurses --without-ncursesw --without-tinfo --without-readline \
		--without-libz --without-libmagic --without-cap-ng --without-user \
		--without-btrfs --without-econf --without-cryptsetup --without-selinux \
		--without-audit --without-smack --disable-asciidoc --disable-poman \
		--disable-bash-completion --disable-makeinstall-chown
	run make -j$JOBS libblkid.la
	mkdir -p "$PREFIX/include/blkid"
	cp libblkid/src/blkid.h "$PREFIX/include/blkid/"
	cp .libs/libblkid.a "$PREFIX/lib/"
	step_done "$SRC_UTIL_LINUX"
}

# --- zlib: inflate, to read the initrds xsraid rebuilt ---------------------------
build_zlib() {
	step zlib
	unpack zlib "$SRC_ZLIB"
	cd "$WORK/zlib"
	# zlib's own configure, not autoconf: no --host; CC decides.
	run env CC="$CC_MUSL" CFLAGS="$CFLAGS_LIBS" ./configure --static --prefix="$PREFIX"
	run make -j$JOBS libz.a
	cp libz.a "$PREFIX/lib/"
	cp zlib.h zconf.h "$PREFIX/include/"
	step_done "$SRC_ZLIB"
}

# --- main --------------------------------------------------------------------
T0=$(date +%s)
build_musl
# The libraries are independent but for curl on mbedTLS.  Their configure
# scripts run one process at a time, so building in three lanes keeps both
# cores busy.  Each lane is a subshell; all are waited for before failing.
(build_mbedtls; build_curl) &
lane1=$!
(build_libxml2; build_zlib) &
lane2=$!
(build_libblkid) &
lane3=$!
failed=0
wait $lane1 || failed=1
wait $lane2 || failed=1
wait $lane3 || failed=1
[ $failed -eq 0 ] || die "failed; logs in $LOGDIR (build trees kept in $WORK)"

for f in libc.a libmbedtls.a libmbedx509.a libmbedcrypto.a libxml2.a libcurl.a libblkid.a libz.a; do
	[ -f "$PREFIX/lib/$f" ] || die "$PREFIX/lib/$f missing"
done
for f in blkid/blkid.h libxml2/libxml/parser.h curl/curl.h mbedtls/ssl.h zlib.h; do
	[ -f "$PREFIX/include/$f" ] || die "$PREFIX/include/$f missing"
done
cd "$BASE"
rm -rf "$WORK"
say "all done in $(($(date +%s) - T0)) s"
printf '%s\nbuilt %s\n' "$KEY" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$PREFIX/.done"
