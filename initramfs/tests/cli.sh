#!/bin/sh
# xsraid-remaster as an operator uses it: the stand-in's install.img and
# CDs built around it remastered, every stock entry and boot entry kept,
# the same bytes on every run, one gzip member, and bad input refused with
# one line and no output file left behind.
#
# usage: REMASTER=build/asan/xsraid-remaster XSRAID_BIN=build/xsraid \
#        STOCK_IMG=build/qemu/install-stock.img ISO_FILES=build/qemu/iso-files \
#        initramfs/tests/cli.sh
set -eu

: "${REMASTER:?set REMASTER to the binary under test}"
: "${XSRAID_BIN:?set XSRAID_BIN to the static helper}"
: "${STOCK_IMG:?set STOCK_IMG to the stand-in installer image}"
: "${ISO_FILES:?set ISO_FILES to the stand-in CD files}"
top=$(cd "$(dirname "$0")/../.." && pwd)
newc() { python3 "$top/initramfs/tests/newc.py" "$@"; }
hooks=$top/installer-hook/hook
examples=$top/answerfile/examples
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset SOURCE_DATE_EPOCH
failures=0
checks=0

ok() { checks=$((checks + 1)); }
bad() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
	checks=$((checks + 1))
}
check() {
	what=$1
	shift
	if "$@"; then ok; else bad "$what"; fi
}

# remaster VERB STOCK OUT [OPTIONS]: runs the tool with the helper and the hooks;
# its stdout goes to OUT.log and its stderr to OUT.err.
remaster() {
	verb=$1 stock=$2 out=$3
	shift 3
	"$REMASTER" "$verb" "$stock" "$out" --helper "$XSRAID_BIN" --hooks "$hooks" "$@" \
		>"$out.log" 2>"$out.err"
}

# refused WHAT OUT PATTERN VERB STOCK [OPTIONS]: exit status 1, one line on
# stderr matching PATTERN (grep -E), and nothing in OUT's directory, which
# holds nothing else, but that line (kept in OUT.err).
refused() {
	what=$1 out=$2 pattern=$3 verb=$4 stock=$5
	shift 5
	rm -rf "$(dirname "$out")"
	mkdir -p "$(dirname "$out")"
	set +e
	"$REMASTER" "$verb" "$stock" "$out" --helper "$XSRAID_BIN" --hooks "$hooks" "$@" \
		>/dev/null 2>"$out.err"
	rc=$?
	set -e
	if [ "$rc" -eq 1 ]; then ok; else bad "$what: exit status $rc, not 1"; fi
	if [ "$(wc -l <"$out.err")" -eq 1 ]; then ok; else bad "$what: not one line: $(cat "$out.err")"; fi
	if grep -qE -- "$pattern" "$out.err"; then ok; else bad "$what: '$(cat "$out.err")' does not match '$pattern'"; fi
	leftovers=$(find "$(dirname "$out")" -mindepth 1 ! -name "$(basename "$out").err" | head -n 3)
	if [ -z "$leftovers" ]; then ok; else bad "$what: left behind: $leftovers"; fi
}

# status COMMAND...: the exit status of COMMAND, output discarded.
status() {
	set +e
	"$@" >/dev/null 2>&1
	rc=$?
	set -e
	echo "$rc"
}

# without_entry CFG: a remastered isolinux.cfg without the new entry, DEFAULT as the stand-in's.
without_entry() {
	awk '/^# xsraid: / { skip = 1; next } skip && /^LABEL / && $2 != "xsraid" { skip = 0 } !skip' "$1" |
		sed 's/^DEFAULT xsraid$/DEFAULT install/'
}

# new_entry CFG: the new entry of a remastered isolinux.cfg.
new_entry() {
	awk '/^# xsraid: / { on = 1 } on && /^LABEL / && $2 != "xsraid" { exit } on' "$1"
}

not() {
	! "$@"
}

listing() {
	cpio -itv --quiet <"$1" 2>&1
}

# --- the stand-in's install.img ------------------------------------------------------
mkdir -p "$work/standin"
s=$work/standin
remaster image "$STOCK_IMG" "$s/one.img" --answerfile "$examples/raid-attribute.xml" ||
	bad "remaster of the stand-in failed: $(cat "$s/one.img.err")"
remaster image "$STOCK_IMG" "$s/two.img" --answerfile "$examples/raid-attribute.xml"
check "the same inputs give the same bytes" cmp -s "$s/one.img" "$s/two.img"
check "the output is one gzip member (mboot.c32 reads only the first)" newc first-member "$s/one.img"
check "the report names the installer" grep -q "installer:  /opt/xensource/installer/" "$s/one.img.log"
check "the report names the md module" grep -qE "md: +lib/modules/.*/md-mod.ko" "$s/one.img.log"
check "the report names the raid1 module" grep -qE "raid1: +lib/modules/.*/raid1.ko" "$s/one.img.log"
check "the report says there is no mdadm" grep -q "mdadm:      not in the image" "$s/one.img.log"
check "the report names sgdisk" grep -q "sgdisk:     sbin/sgdisk" "$s/one.img.log"
check "nothing on stderr" test ! -s "$s/one.img.err"
gzip -dc "$STOCK_IMG" >"$s/stock.cpio"
gzip -dc "$s/one.img" >"$s/one.cpio"
listing "$s/stock.cpio" >"$s/stock.lst"
listing "$s/one.cpio" >"$s/one.lst"
n=$(wc -l <"$s/stock.lst")
if head -n "$n" "$s/one.lst" | cmp -s - "$s/stock.lst"; then ok; else bad "cpio -itv: stock entries changed"; fi
tail -n +$((n + 1)) "$s/one.lst" | awk '{ print $1, $3, $4, $NF }' >"$s/added"
cat >"$s/added.want" <<EOF
-rw-r--r-- root root answerfile.xml
drwxr-xr-x root root opt/xsraid
-rwxr-xr-x root root opt/xsraid/answerfile-generator
-rwxr-xr-x root root opt/xsraid/xsraid
-rwxr-xr-x root root opt/xsraid/xsraid-hook
EOF
if cmp -s "$s/added" "$s/added.want"; then ok; else bad "added entries: $(cat "$s/added")"; fi
if newc compare "$s/stock.cpio" "$s/one.cpio" >"$s/compare"; then ok; else bad "stock entries are not byte for byte"; fi
if (cd "$s" && cpio -i --quiet --to-stdout opt/xsraid/xsraid <one.cpio) | cmp -s - "$XSRAID_BIN"; then ok; else
	bad "/opt/xsraid/xsraid is not the helper"
fi
if (cd "$s" && cpio -i --quiet --to-stdout answerfile.xml <one.cpio) | cmp -s - "$examples/raid-attribute.xml"; then ok; else bad "/answerfile.xml is not the answerfile"; fi
if "$REMASTER" inspect "$STOCK_IMG" >"$s/inspect" 2>&1; then ok; else bad "inspect refused the stand-in"; fi
check "inspect says it can" grep -q "can be remastered" "$s/inspect"
rm -f "$s"/*.cpio

# --- every entry type, and each compression kept ----------------------------------------
mkdir -p "$work/types"
t=$work/types
newc fixture 602 "$t/stock.cpio"
gzip -9n <"$t/stock.cpio" >"$t/stock.gz"
bzip2 -9 <"$t/stock.cpio" >"$t/stock.bz2"
xz --check=crc32 <"$t/stock.cpio" >"$t/stock.xz"
for kind in gz bz2 xz; do
	remaster image "$t/stock.$kind" "$t/out.$kind" || bad "$kind: $(cat "$t/out.$kind.err")"
	case $kind in
	gz) gzip -dc "$t/out.$kind" >"$t/out.cpio" && head -c 2 "$t/out.$kind" | od -An -tx1 | grep -q "1f 8b" ;;
	bz2) bzip2 -dc "$t/out.$kind" >"$t/out.cpio" && head -c 4 "$t/out.$kind" | grep -q "BZh9" ;;
	xz) xz -dc "$t/out.$kind" >"$t/out.cpio" && xz -lvv "$t/out.$kind" | grep -q "CRC32" ;;
	esac || bad "$kind: the output is not $kind as the stock image is"
	if newc compare "$t/stock.cpio" "$t/out.cpio" >"$t/added"; then ok; else bad "$kind: stock entries changed"; fi
	printf 'opt/xsraid\nopt/xsraid/answerfile-generator\nopt/xsraid/xsraid\nopt/xsraid/xsraid-hook\n' |
		if cmp -s - "$t/added"; then ok; else bad "$kind: added $(cat "$t/added")"; fi
	listing "$t/stock.cpio" >"$t/stock.lst"
	if listing "$t/out.cpio" | head -n "$(wc -l <"$t/stock.lst")" | cmp -s - "$t/stock.lst"; then ok; else
		bad "$kind: cpio -itv shows changed stock entries"
	fi
done
check "the report finds mdadm" grep -q "mdadm:      sbin/mdadm" "$t/out.gz.log"
# Remastered again: the same bytes, not two copies of xsraid's files.
remaster image "$t/out.gz" "$t/again.gz"
check "remastering a remastered image changes nothing" cmp -s "$t/out.gz" "$t/again.gz"
check "the report names /init" grep -q "init:       init, a hard link of bin/busybox" "$t/out.gz.log"

# --- bad input: one line, exit status 1, no output -----------------------------------------
mkdir -p "$work/bad"
b=$work/bad
printf 'not an image\n' | gzip -n >"$b/in-text.gz"
head -c $(($(wc -c <"$t/stock.gz") / 2)) "$t/stock.gz" >"$b/in-cut.gz"
head -c 5000 "$t/stock.cpio" | gzip -n >"$b/in-cut-cpio.gz"
printf '\050\265\057\375 zstd' >"$b/in-zstd"
head -c 4096 /dev/zero >"$b/in-zeros"
: >"$b/in-empty"
newc fixture systemd "$b/systemd.cpio" && gzip -n <"$b/systemd.cpio" >"$b/in-systemd.gz"
newc fixture no-installer "$b/plain.cpio" && gzip -n <"$b/plain.cpio" >"$b/in-plain.gz"
rm -f "$b/systemd.cpio" "$b/plain.cpio"
refused "not cpio" "$b/o/x.img" "in-text.gz: cpio archive: offset 0: not a newc cpio archive" image "$b/in-text.gz"
refused "truncated gzip" "$b/o/x.img" "in-cut.gz: the gzip stream is truncated" image "$b/in-cut.gz"
refused "truncated cpio" "$b/o/x.img" "in-cut-cpio.gz: cpio archive: offset [0-9]+: .*truncated" image "$b/in-cut-cpio.gz"
refused "zstd" "$b/o/x.img" "in-zstd: zstd compressed: only gzip, bzip2 and xz" image "$b/in-zstd"
refused "zeros" "$b/o/x.img" "in-zeros: unknown compression \(first bytes 00 00 00 00\)" image "$b/in-zeros"
refused "empty" "$b/o/x.img" "in-empty: empty file" image "$b/in-empty"
refused "missing" "$b/o/x.img" "cannot read .*/in-missing: No such file" image "$b/in-missing"
refused "systemd" "$b/o/x.img" "in-systemd.gz: an installer of XenServer 7 or later \(its init is systemd: init -> sbin/init -> usr/lib/systemd/systemd\)" image "$b/in-systemd.gz"
refused "not an installer" "$b/o/x.img" "in-plain.gz: not a XenServer installer image" image "$b/in-plain.gz"
refused "bad answerfile" "$b/o/x.img" "xenserver-conversion.xml:3: root element <conversion>" \
	image "$t/stock.gz" --answerfile "$top/installer-hook/tests/data/answerfiles/xenserver-conversion.xml"
check "inspect refuses a systemd image" test "$(status "$REMASTER" inspect "$b/in-systemd.gz")" -eq 1
check "an unknown verb is a usage error" test "$(status "$REMASTER" frobnicate)" -eq 2
check "iso without an answerfile is a usage error" \
	test "$(status "$REMASTER" iso a b --helper none --hooks "$hooks")" -eq 2

# --- CDs: a new default entry, the stock boot setup kept ----------------------------------
mkdir -p "$work/cd" "$work/iso"
c=$work/cd
stock_cfg=$top/tests/qemu/isolinux-stock.cfg
# mkcd IMG CFG OUT [--isohybrid]: a CD like the stand-in's.
mkcd() {
	sh "$top/tests/qemu/mkiso.sh" "$ISO_FILES" "$@" 2>"$3.err"
}
mkcd "$t/stock.gz" "$stock_cfg" "$c/plain.iso"
mkcd "$t/stock.gz" "$stock_cfg" "$c/hybrid.iso" --isohybrid
joliet() {
	python3 -c 'import sys; d = open(sys.argv[1], "rb").read(64 * 2048)
sys.exit(0 if any(d[s * 2048] == 2 and d[s * 2048 + 88:s * 2048 + 91] in (b"%/@", b"%/C", b"%/E")
                  for s in range(16, 32)) else 1)' "$1"
}
mbr_partition() {
	python3 -c 'import sys; d = open(sys.argv[1], "rb").read(512)
sys.exit(0 if d[510:512] == b"\x55\xaa" and any(d[446 + 16 * i + 4] for i in range(4)) else 1)' "$1"
}
check "the hybrid stock CD has an MBR partition" mbr_partition "$c/hybrid.iso"
check "the plain stock CD has none" not mbr_partition "$c/plain.iso"
for kind in plain hybrid; do
	i=$work/iso/$kind
	mkdir -p "$i"
	remaster iso "$c/$kind.iso" "$i/out.iso" --answerfile "$examples/raid-attribute.xml" ||
		bad "$kind CD: $(cat "$i/out.iso.err")"
	remaster iso "$c/$kind.iso" "$i/again.iso" --answerfile "$examples/raid-attribute.xml"
	check "$kind CD: the same inputs give the same bytes" cmp -s "$i/out.iso" "$i/again.iso"
	xorriso -indev "$i/out.iso" -report_el_torito plain -report_system_area plain >"$i/boot" 2>&1
	check "$kind CD: still boots isolinux.bin from CD" grep -q "El Torito img path : *1 */boot/isolinux/isolinux.bin" "$i/boot"
	check "$kind CD: boot info table patched" grep -q "boot-info-table" "$i/boot"
	if [ "$kind" = hybrid ]; then
		check "hybrid CD: still isohybrid" mbr_partition "$i/out.iso"
		check "hybrid CD: xorriso sees the isohybrid MBR" grep -q "MBR.*isohybrid" "$i/boot"
	else
		check "plain CD: still no MBR" not mbr_partition "$i/out.iso"
	fi
	check "$kind CD: Joliet kept" joliet "$i/out.iso"
	check "$kind CD: volume id kept" eval "xorriso -indev '$i/out.iso' -pvd_info 2>&1 | grep -q 'Volume Id *: XenServer-6.0.2'"
	xorriso -osirrox on -indev "$i/out.iso" -extract /install.img "$i/install.img" \
		-extract /boot/isolinux/isolinux.cfg "$i/isolinux.cfg" >/dev/null 2>&1
	remaster image "$t/stock.gz" "$i/direct.img" --answerfile "$examples/raid-attribute.xml"
	check "$kind CD: its install.img is the image remastered on its own" cmp -s "$i/install.img" "$i/direct.img"
	rm -f "$i/install.img" "$i/direct.img" "$i/again.iso"
	# Without the new entry and with the stock DEFAULT, it is the stock file, byte for byte.
	if without_entry "$i/isolinux.cfg" | cmp -s - "$stock_cfg"; then ok; else
		bad "$kind CD: stock lines of isolinux.cfg changed"
	fi
	check "$kind CD: DEFAULT is the new entry" grep -qx "DEFAULT xsraid" "$i/isolinux.cfg"
	new_entry "$i/isolinux.cfg" >"$i/entry"
	check "$kind CD: the new entry passes the embedded answerfile" \
		grep -q "console=hvc0 quiet answerfile=file:///answerfile.xml install --- /install.img" "$i/entry"
done
check "no temporary directory is left" test -z "$(find "$work/iso/plain" -name '.xsraid-remaster*')"

i=$work/iso/forms
mkdir -p "$i"
remaster iso "$c/plain.iso" "$i/xcpng.iso" --answerfile "$examples/raid-xcpng.xml"
xorriso -osirrox on -indev "$i/xcpng.iso" -extract /boot/isolinux/isolinux.cfg "$i/xcpng.cfg" >/dev/null 2>&1
new_entry "$i/xcpng.cfg" >"$i/xcpng.entry"
check "XCP-ng syntax goes through the generator" grep -q \
	"quiet answerfile_generator=file:///opt/xsraid/answerfile-generator xsraid_answerfile=file:///answerfile.xml install ---" "$i/xcpng.entry"
remaster iso "$c/plain.iso" "$i/url.iso" --answerfile-url http://10.0.0.1/xs.xml
xorriso -osirrox on -indev "$i/url.iso" -extract /boot/isolinux/isolinux.cfg "$i/url.cfg" \
	-extract /install.img "$i/url.img" >/dev/null 2>&1
check "an answerfile URL is passed as it is" grep -q "quiet answerfile=http://10.0.0.1/xs.xml install ---" "$i/url.cfg"
if gzip -dc "$i/url.img" | cpio -it --quiet 2>/dev/null | grep -qx answerfile.xml; then bad "a URL install embeds an answerfile"; else ok; fi

mkdir -p "$work/isobad"
cp "$t/stock.gz" "$work/isobad/in-image.img"
mkcd none "$stock_cfg" "$work/isobad/in-noimg.iso"
printf 'DEFAULT linux\nLABEL linux\n  KERNEL vmlinuz\n  APPEND initrd=/install.img\n' >"$c/linux.cfg"
mkcd "$t/stock.gz" "$c/linux.cfg" "$work/isobad/in-linux.iso"
o=$work/isobad/o/x.iso
refused "not an ISO" "$o" "in-image.img: not an ISO 9660 image" iso "$work/isobad/in-image.img" --answerfile "$examples/raid-attribute.xml"
refused "no install.img" "$o" "in-noimg.iso has no /install.img" iso "$work/isobad/in-noimg.iso" --answerfile "$examples/raid-attribute.xml"
refused "not an mboot entry" "$o" "in-linux.iso: isolinux.cfg: the default entry linux does not boot Xen" \
	iso "$work/isobad/in-linux.iso" --answerfile "$examples/raid-attribute.xml"
refused "https without the generator" "$o" "cannot fetch https://" iso "$c/plain.iso" --answerfile-url https://x/a.xml

echo "remaster cli: $checks checks, $failures failed"
[ "$failures" -eq 0 ]
