#!/bin/sh
# The xsraid command as an operator uses it: exit statuses, one-line errors
# with file:line, JSON output, plans against a 6.0.2-like root, and refusals
# that leave every disk image byte for byte as it was.
#
# usage: XSRAID=build/asan/xsraid installer-hook/tests/cli.sh
set -eu

: "${XSRAID:?set XSRAID to the binary under test}"
top=$(cd "$(dirname "$0")/../.." && pwd)
data=$top/installer-hook/tests/data/answerfiles
examples=$top/answerfile/examples
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
checks=0

ok() { checks=$((checks + 1)); }
bad() { echo "FAIL: $*" >&2; failures=$((failures + 1)); checks=$((checks + 1)); }

# expect STATUS OUTFILE -- command...: runs it, checks the exit status.
expect() {
	want=$1 out=$2
	shift 3
	set +e
	"$@" >"$out" 2>&1
	got=$?
	set -e
	if [ "$got" -eq "$want" ]; then ok; else bad "$* exited $got, not $want: $(head -3 "$out")"; fi
}

# A checksum of a sparse image that reads only its data, not 500 GB of holes.
# Zero blocks count like holes, so it does not depend on how the filesystem
# happens to have allocated the file.
sparse_sum() {
	python3 - "$@" <<'PY'
import hashlib, os, sys
for path in sys.argv[1:]:
    h = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY)
    size = os.fstat(fd).st_size
    h.update(str(size).encode())
    off = 0
    while off < size:
        try:
            data = os.lseek(fd, off, os.SEEK_DATA)
        except OSError:
            break
        hole = os.lseek(fd, data, os.SEEK_HOLE)
        pos = data - data % 4096
        os.lseek(fd, pos, os.SEEK_SET)
        while pos < hole:
            block = os.read(fd, 4096)
            if block.strip(b"\0"):
                h.update(str(pos).encode() + block)
            pos += len(block)
        off = hole
    os.close(fd)
    print(h.hexdigest(), path)
PY
}

contains() {
	if grep -qF -- "$2" "$1"; then ok; else bad "$(basename "$1") lacks: $2"; fi
}

# --- validate: real answerfiles pass, broken ones fail with file:line -----------------
for f in "$examples"/*.xml "$data"/xenserver-60-guide.xml "$data"/xenserver-60-static-upgrade.xml \
	"$data"/xcpng-software-raid.xml "$data"/xcpng-83-full.xml; do
	expect 0 "$work/out" -- "$XSRAID" validate "$f"
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/out" && ok ||
		bad "validate $f printed no JSON"
	xmllint --noout --relaxng "$top/answerfile/xsraid.rng" "$f" 2>/dev/null && ok ||
		bad "$f does not validate against answerfile/xsraid.rng"
done
expect 0 "$work/out" -- "$XSRAID" validate "$data/xcpng-software-raid.xml"
contains "$work/out" '"syntax": "raid-element"'
contains "$work/out" '"disks": ["sda", "sdb"]'

expect 1 "$work/out" -- "$XSRAID" validate "$data/xenserver-conversion.xml"
contains "$work/out" "xenserver-conversion.xml:3: root element <conversion> is not an installation answerfile"
expect 1 "$work/out" -- "$XSRAID" validate "$data/xenserver-cheetah-template.xml"
contains "$work/out" "xenserver-cheetah-template.xml:4: unrendered template: Cheetah directive '#if'"
[ "$(wc -l <"$work/out")" -eq 1 ] && ok || bad "a validation error must be one line"
for f in "$data/xenserver-conversion.xml" "$data/xenserver-cheetah-template.xml"; do
	xmllint --noout --relaxng "$top/answerfile/xsraid.rng" "$f" 2>/dev/null &&
		bad "$f validates against the schema" || ok
done
expect 1 "$work/out" -- "$XSRAID" validate "$work/missing.xml"
contains "$work/out" "cannot read '$work/missing.xml'"
expect 1 "$work/out" -- "$XSRAID" validate "file://$examples/raid-attribute.xml" --sha256=0000000000000000000000000000000000000000000000000000000000000000
contains "$work/out" "does not match answerfile_sha256="
sum=$(sha256sum "$examples/raid-attribute.xml" | cut -d' ' -f1)
expect 0 "$work/out" -- "$XSRAID" validate "file://$examples/raid-attribute.xml" --sha256="$sum"

# --- hostile answerfiles: one line with file:line and the fix, and nothing done ------------
"$top/installer-hook/tests/make-sysroot.sh" "$work/root"
hostile=$data/hostile
while IFS='|' read -r name message; do
	expect 1 "$work/out" -- "$XSRAID" validate "$hostile/$name"
	if [ "$(cat "$work/out")" = "$hostile/$name:$message" ]; then ok; else
		bad "validate $name printed '$(head -c 300 "$work/out")', not '$name:$message'"
	fi
	# apply refuses before it looks at a disk: its log holds the refusal and nothing else.
	rm -f "$work/log"
	expect 1 "$work/out" -- "$XSRAID" apply --sysroot "$work/root" --answerfile "$hostile/$name" --log "$work/log"
	if [ "$(wc -l <"$work/log")" -eq 1 ] && grep -qF -- "error: $hostile/$name:$message" "$work/log"; then
		ok
	else
		bad "apply with $name logged more than its refusal: $(head -3 "$work/log")"
	fi
done <<'LIST'
billion-laughs.xml|2: a document type declaration (<!DOCTYPE>) is not allowed in an answerfile; remove it
external-entity.xml|2: a document type declaration (<!DOCTYPE>) is not allowed in an answerfile; remove it
xinclude.xml|4: XInclude (<xi:include>) is not allowed in an answerfile; write the content in place
deep.xml|4: <a> is nested 33 elements deep; an answerfile needs a few, and more than 32 are refused
invalid-utf8.xml|4: byte 0xe9 is not valid UTF-8; save the answerfile as UTF-8
disk-shell.xml|3: raid="sdb$(reboot)" on <primary-disk> is not a disk name (it contains '$'); write a kernel name such as sdb or a link such as disk/by-id/ata-MODEL_SERIAL
disk-dotdot.xml|3: raid="disk/by-id/../../sdb" on <primary-disk> is not a disk name (it contains '..'); write a kernel name such as sdb or a link such as disk/by-id/ata-MODEL_SERIAL
disk-quote.xml|5: <disk>sdb' -o '</disk> is not a disk name (it contains '''); write a kernel name such as sdb or a link such as disk/by-id/ata-MODEL_SERIAL
disk-slash.xml|3: raid="mapper/vg0-lv0" on <primary-disk> is not a disk name (only cciss/, ida/, rd/, disk/by-id/ and disk/by-path/ names have a '/'); write a kernel name such as sdb or a link such as disk/by-id/ata-MODEL_SERIAL
same-disk.xml|3: the mirror names disk 'sdb' twice; name two different disks
resync-overflow.xml|4: raid-resync-speed="18014398509481984G" is too fast: the kernel takes at most 2147483647 KiB/s (2047G); write a speed such as 200M
LIST
# The schema refuses what it can express; DTDs, depth, ranges and repeated disks only xsraid sees.
for name in xinclude.xml invalid-utf8.xml disk-shell.xml disk-dotdot.xml disk-quote.xml disk-slash.xml; do
	if xmllint --noout --nonet --relaxng "$top/answerfile/xsraid.rng" "$hostile/$name" 2>/dev/null; then
		bad "$name validates against answerfile/xsraid.rng"
	else
		ok
	fi
done

# The disks the answerfile names must exist, and be two.
cat >"$work/missing-disk.xml" <<'XML'
<?xml version="1.0"?>
<installation>
  <primary-disk raid="sdc">sda</primary-disk>
</installation>
XML
expect 1 "$work/out" -- "$XSRAID" plan --sysroot "$work/root" --answerfile "$work/missing-disk.xml"
contains "$work/out" "raid: disk 'sdc' (<primary-disk raid=...> at $work/missing-disk.xml:3) does not exist; disks here: sda, sdb"
mkdir -p "$work/root/dev/disk/by-id"
ln -s ../../sda "$work/root/dev/disk/by-id/ata-ST500DM002-1BD142_Z3TAAAAA"
sed 's|raid="sdc"|raid="disk/by-id/ata-ST500DM002-1BD142_Z3TAAAAA"|' "$work/missing-disk.xml" >"$work/alias.xml"
expect 1 "$work/out" -- "$XSRAID" plan --sysroot "$work/root" --answerfile "$work/alias.xml"
contains "$work/out" "raid: 'sda' and 'disk/by-id/ata-ST500DM002-1BD142_Z3TAAAAA' are the same disk (sda); name two different disks"

# --- usage ---------------------------------------------------------------------------
expect 0 "$work/out" -- "$XSRAID" --help
for verb in plan validate apply resume status check-boot replace-disk scrub hook generate \
	"Exit status"; do
	contains "$work/out" "$verb"
done
expect 2 "$work/out" -- "$XSRAID" frobnicate
expect 2 "$work/out" -- "$XSRAID" plan --no-such-option

# --- plan against a XenServer 6.0.2 root -----------------------------------------------
expect 0 "$work/plan.txt" -- "$XSRAID" plan --sysroot "$work/root" --answerfile "$examples/raid-attribute.xml"
contains "$work/plan.txt" "xsraid plan: RAID1 of /dev/sda and /dev/sdb"
contains "$work/plan.txt" '$ /sbin/mdadm --create /dev/md0 --run --metadata=0.90'
expect 0 "$work/plan.json" -- "$XSRAID" plan --json --sysroot "$work/root" --answerfile "$examples/raid-xcpng.xml"
python3 - "$work/plan.json" <<'PY' && ok || bad "plan --json lacks the procedure"
import json, sys
plan = json.load(open(sys.argv[1]))
ids = [s["id"] for s in plan["steps"]]
for step in ("partition-disk2", "create-root-array", "copy-root", "verify-copy", "configure-target",
             "rebuild-initrds", "bootloader-disk2", "verify-disk2", "partition-disk1", "add-disk1", "create-data-arrays",
             "bootloader-disk1", "wait-root-resync"):
    assert step in ids, step
argv = [a["argv"] for s in plan["steps"] for a in s["actions"] if a["op"] == "run"]
assert any(a[:2] == ["/sbin/mdadm", "--create"] and "--bitmap=internal" in a for a in argv)
assert any(a[0] == "/sbin/sgdisk" and "--typecode=1:fd00" in a for a in argv)
assert [a["name"] for a in plan["arrays"]] == ["md0", "md1", "md2"]
PY
expect 3 "$work/out" -- "$XSRAID" plan --sysroot "$work/root" --answerfile "$examples/no-raid.xml"

# --- refusals touch nothing --------------------------------------------------------------
"$top/installer-hook/tests/make-sysroot.sh" "$work/data" --disk2-data
before=$(sparse_sum "$work/data/dev/sda" "$work/data/dev/sdb")
expect 1 "$work/out" -- "$XSRAID" apply --sysroot "$work/data" --answerfile "$examples/raid-attribute.xml" --log "$work/log"
contains "$work/out" "raid: disk 'sdb' holds data"
contains "$work/out" 'raid-wipe="force"'
[ "$(sparse_sum "$work/data/dev/sda" "$work/data/dev/sdb")" = "$before" ] && ok ||
	bad "a refused apply changed a disk image"

# The same check can fail: under --sysroot, apply rehearses a stage that goes
# ahead and writes its journal into the image standing for disk 2.
"$top/installer-hook/tests/make-sysroot.sh" "$work/go"
before_sda=$(sparse_sum "$work/go/dev/sda")
before_sdb=$(sparse_sum "$work/go/dev/sdb")
expect 0 "$work/out" -- "$XSRAID" apply --sysroot "$work/go" --answerfile "$examples/raid-attribute.xml" --log "$work/log"
contains "$work/out" "step 2: start the journal on /dev/sdb at byte 500106796544"
contains "$work/out" "rehearsal, not run: /sbin/mdadm --create /dev/md0"
[ "$(sparse_sum "$work/go/dev/sda")" = "$before_sda" ] && ok || bad "a rehearsal changed disk 1's image"
[ "$(sparse_sum "$work/go/dev/sdb")" != "$before_sdb" ] && ok ||
	bad "a rehearsal that went ahead left disk 2's image as it was: the refusal check above proves nothing"
expect 3 "$work/out" -- "$XSRAID" status --journal --sysroot "$work/go"
grep -qE '^ +0 filesystem-populated +stage-done ' "$work/out" && ok ||
	bad "the rehearsal's journal does not record its stage as done"
# The installer's second hook never runs from a journal its own first stage did not finish:
# this one was written by another run.
expect 1 "$work/out" -- "$XSRAID" hook installation-complete 0 --sysroot "$work/go" \
	--answerfile "$examples/raid-attribute.xml" --log "$work/log" --console ''
contains "$work/out" "the first stage did not finish in this install; the first disk is left as it is"

# Every kind of old metadata on disk 2: refused with one line that names the
# disk and what it holds, both images byte for byte as they were; with
# raid-wipe="force" the rehearsal erases each signature and stops the arrays
# that run from it before the table is zapped.
sed 's| raid="sdb"| raid="sdb" raid-wipe="force"|' \
	"$examples/raid-attribute.xml" >"$work/force.xml"
grep -q 'raid-wipe="force"' "$work/force.xml" || bad "force.xml lacks raid-wipe"
while IFS='|' read -r kind running found; do
	root=$work/old-$kind$running
	"$top/installer-hook/tests/make-sysroot.sh" "$root" --disk2-old "$kind" ${running:+--disk2-running "$running"}
	before=$(sparse_sum "$root/dev/sda" "$root/dev/sdb")
	expect 1 "$work/out" -- "$XSRAID" apply --sysroot "$root" --answerfile "$examples/raid-attribute.xml" \
		--log "$work/log" --console ''
	contains "$work/out" "raid: disk 'sdb' $found"
	[ "$(sparse_sum "$root/dev/sda" "$root/dev/sdb")" = "$before" ] && ok ||
		bad "$kind: a refused apply changed a disk image"
	rm -f "$work/log"
	expect 0 "$work/out" -- "$XSRAID" apply --sysroot "$root" --answerfile "$work/force.xml" \
		--log "$work/log" --console ''
	grep -qE "step [0-9]+: erase the [0-9]+ old signatures? on /dev/sdb: " "$work/log" && ok ||
		bad "$kind: the rehearsal erases no old signature"
	grep -q "rehearsal, not run: /sbin/sgdisk --zap-all /dev/sdb" "$work/log" && ok || bad "$kind: no zap"
	[ "$(grep -n 'erase the ' "$work/log" | head -n 1 | cut -d: -f1)" -lt \
		"$(grep -n 'zap-all' "$work/log" | head -n 1 | cut -d: -f1)" ] && ok ||
		bad "$kind: the old signatures are not erased before the zap"
	if [ -n "$running" ]; then
		contains "$work/log" "rehearsal, not run: /sbin/mdadm --stop /dev/$running"
	fi
done <<'KINDS'
md0.90||holds data (a GPT with 2 partitions, linux_raid_member (md 0.90.0) on sdb1, linux_raid_member (md 0.90.0) on sdb2)
md1.0||holds data (a GPT with 2 partitions, linux_raid_member 'oldhost:0' (md 1.0) on sdb1
md1.2||holds data (a GPT with 2 partitions, linux_raid_member 'oldhost:0' (md 1.2) on sdb1
md-mbr|md127|is part of running array 'md127' (raid1 of sdb1, sdb2); to erase it, stop the array (mdadm --stop /dev/md127) or set raid-wipe="force"
md-whole||holds data (linux_raid_member (md 0.90.0) on the whole disk)
backup-gpt||holds data (the backup header of a GPT whose start was wiped)
mbr||holds data (an MBR with 2 partitions)
lvm||holds data (LVM2_member on the whole disk)
luks||holds data (crypto_LUKS on the whole disk)
fs||holds data (ext4 'old-data' on the whole disk)
KINDS

"$top/installer-hook/tests/make-sysroot.sh" "$work/small" --disk2-size 6442450944
expect 1 "$work/out" -- "$XSRAID" plan --sysroot "$work/small" --answerfile "$examples/raid-attribute.xml"
contains "$work/out" "raid: disk 'sdb' (6.0 GiB) is too small"

# --- status: saved copies of /proc/mdstat, with and without their sysfs -------------------
mdstat=$top/installer-hook/tests/data/mdstat
# sysroot_of CAPTURE DIR: the capture's sysfs files ("PATH VALUE" lines) below DIR.
sysroot_of() {
	rm -rf "$2"
	while read -r path value; do
		mkdir -p "$2/$(dirname "$path")"
		printf '%s\n' "$value" >"$2/$path"
	done <"$mdstat/$1.sysfs"
}
expect 0 "$work/out" -- "$XSRAID" status --mdstat "$mdstat/xsraid-layout-clean.mdstat"
[ "$(head -n 1 "$work/out")" = "healthy: 3 arrays in sync" ] && ok || bad "healthy summary: $(head -n 1 "$work/out")"
contains "$work/out" "md0: raid1, healthy"
contains "$work/out" "metadata 0.90"
expect 5 "$work/out" -- "$XSRAID" status --mdstat "$mdstat/xsraid-layout-disk1-failed.mdstat"
contains "$work/out" "degraded: md0 has a failed member (sda1); md1 has a failed member (sda2); md2 has a failed member (sda3)"
expect 5 "$work/out" -- "$XSRAID" status --mdstat "$mdstat/xsraid-layout-degraded.mdstat"
contains "$work/out" "degraded: md0 lacks 1 of 2 members"
# Identity comes from sysfs: from a saved copy alone it is left out, and
# with the capture's sysfs as --sysroot it is there.
expect 4 "$work/out" -- "$XSRAID" status --mdstat "$mdstat/xsraid-layout-rebuild.mdstat"
contains "$work/out" "md1, md2 wait their turn (DELAYED)"
contains "$work/out" "sda1[2]"
grep -q ' disk ' "$work/out" && bad "status --mdstat alone shows disks" || ok
expect 4 "$work/out" -- "$XSRAID" status --mdstat "$mdstat/raid5-reshape.mdstat"
contains "$work/out" "sync      reshape "
expect 3 "$work/out" -- "$XSRAID" status --mdstat "$mdstat/no-arrays.mdstat"
contains "$work/out" "no md arrays"
sysroot_of xsraid-layout-rebuild "$work/mdroot"
expect 4 "$work/out" -- "$XSRAID" status --mdstat "$mdstat/xsraid-layout-rebuild.mdstat" --sysroot "$work/mdroot"
contains "$work/out" "rebuilding"
contains "$work/out" "serial t10.ATA QEMU HARDDISK LAB-DISK-"
expect 4 "$work/status.json" -- "$XSRAID" status --json --mdstat "$mdstat/xsraid-layout-rebuild.mdstat"
python3 - "$work/status.json" <<'PY' && ok || bad "status --json: wrong or incomplete"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["health"] == "rebuilding" and s["sysfs"] is False, s
assert [a["name"] for a in s["arrays"]] == ["md0", "md1", "md2"]
md0 = s["arrays"][0]
assert md0["metadata"] == "0.90" and md0["map"] == "_U" and md0["sync"]["action"] == "recovery"
assert md0["sync"]["state"] == "running" and md0["sync"]["seconds_left"] is not None
assert s["arrays"][1]["sync"]["state"] == "delayed"
assert all(m["disk"] is None and m["slot"] is None for a in s["arrays"] for m in a["members"])
PY
# Every capture: an exit status that says something, and JSON (read in one go).
mkdir -p "$work/json"
for f in "$mdstat"/*.mdstat; do
	set +e
	"$XSRAID" status --json --mdstat "$f" >"$work/json/$(basename "$f" .mdstat).json" 2>&1
	rc=$?
	set -e
	case $rc in 0 | 3 | 4 | 5) ok ;; *) bad "status --mdstat $f exited $rc" ;; esac
done
python3 - "$work"/json/*.json <<'PY' && ok || bad "status --json printed something that is not JSON"
import json, sys
for path in sys.argv[1:]:
    json.load(open(path))
PY
: >"$work/empty.mdstat"
expect 3 "$work/out" -- "$XSRAID" status --mdstat "$work/empty.mdstat"
contains "$work/out" "no md arrays"
head -c -1 "$mdstat/raid1-recovery.mdstat" >"$work/unterminated.mdstat"
expect 4 "$work/out" -- "$XSRAID" status --mdstat "$work/unterminated.mdstat"
contains "$work/out" "rebuilding: md0 recovery 12.7%, about 30 s left"
expect 2 "$work/out" -- "$XSRAID" status --json --journal --mdstat "$mdstat/no-arrays.mdstat"
contains "$work/out" "--journal has no JSON form"
expect 1 "$work/out" -- "$XSRAID" status --mdstat "$work/missing.mdstat"
contains "$work/out" "cannot read '$work/missing.mdstat'"
expect 1 "$work/out" -- "$XSRAID" status --mdstat "$examples/raid-attribute.xml"
contains "$work/out" "is not a copy of /proc/mdstat"
[ "$(wc -l <"$work/out")" -eq 1 ] && ok || bad "a status error must be one line"
# A system root with no /proc/mdstat: md is not loaded, no array; its journals on request.
expect 3 "$work/out" -- "$XSRAID" status --sysroot "$work/root" --journal
contains "$work/out" "no md arrays"
contains "$work/out" "no disk carries an xsraid journal"

# --- day two on a host xsraid installed: check-boot, replace-disk, scrub, md events -------------
"$top/installer-hook/tests/make-sysroot.sh" "$work/host" --host healthy --no-boot-code
expect 1 "$work/out" -- "$XSRAID" check-boot --sysroot "$work/host"
[ "$(head -n 1 "$work/out")" = "cannot boot alone: sdb; 2 problems, 2 of them mended by xsraid check-boot --fix" ] &&
	ok || bad "check-boot summary: $(head -n 1 "$work/out")"
contains "$work/out" "/dev/sda (ST500DM002-1BD142, serial t10.ATA ST500DM002-1BD142 Z3TBBBBB), md0 member sda1: boots alone"
contains "$work/out" "md0 member sdb1: cannot boot alone"
contains "$work/out" "    FAIL  partition 1 of $work/host/dev/sdb is legacy-BIOS-bootable"
contains "$work/out" '          why: gptmbr.bin stops with "Missing OS"'
contains "$work/out" "          fix: \$ /sbin/sgdisk --attributes=1:set:2 $work/host/dev/sdb"
expect 1 "$work/check.json" -- "$XSRAID" check-boot --json --sysroot "$work/host"
python3 - "$work/check.json" <<'PY2' && ok || bad "check-boot --json: wrong or incomplete"
import json, sys
c = json.load(open(sys.argv[1]))
assert c["boots_alone"] is False and c["system"]["ok"] is True
sda, sdb = c["disks"]
assert sda["boots_alone"] and not sdb["boots_alone"] and sdb["member"] == "/dev/sdb1"
failed = [k for k in sdb["checks"] if not k["ok"]]
assert [k["fix"]["op"] for k in failed] == ["write-boot-code", "run"], failed
assert failed[1]["fix"]["argv"][1] == "--attributes=1:set:2"
PY2
# --fix mends the images below the system root, then the check passes.
expect 0 "$work/out" -- "$XSRAID" check-boot --fix --sysroot "$work/host"
contains "$work/out" " 1. mend-sdb: Mend what keeps /dev/sdb from booting alone"
contains "$work/out" "    - write $work/host/usr/share/syslinux/gptmbr.bin (440 bytes) to the boot code of $work/host/dev/sdb"
contains "$work/out" "xsraid: fix-boot: all steps done"
contains "$work/out" "check-boot: 2 fixes applied; checking again"
contains "$work/out" "every disk of md0 can boot the system alone (2 disks)"
[ "$(head -c 440 "$work/host/dev/sdb" | tr -d G | wc -c)" -eq 0 ] && ok || bad "check-boot --fix did not write the boot code"
expect 0 "$work/out" -- "$XSRAID" check-boot --sysroot "$work/host"
expect 3 "$work/out" -- "$XSRAID" check-boot --sysroot "$work/root"
contains "$work/out" "md0 is not running, so there is nothing to check"

"$top/installer-hook/tests/make-sysroot.sh" "$work/failed" --host failed
expect 0 "$work/replace.txt" -- "$XSRAID" replace-disk /dev/sdc --sysroot "$work/failed"
contains "$work/replace.txt" "xsraid replace-disk: /dev/sdc joins md0, md1 and md2, rebuilt from /dev/sda"
contains "$work/replace.txt" '$ /sbin/mdadm /dev/md0 --add /dev/sdc1'
contains "$work/replace.txt" "write remove to /sys/block/md0/md/dev-sdb1/state"
expect 0 "$work/replace.json" -- "$XSRAID" replace-disk sdc --json --sysroot "$work/failed"
python3 - "$work/replace.json" <<'PY2' && ok || bad "replace-disk --json: wrong or incomplete"
import json, sys
p = json.load(open(sys.argv[1]))
assert p["purpose"] == "replace-disk" and [d["role"] for d in p["disks"]] == ["good", "new"]
ids = [s["id"] for s in p["steps"]]
assert ids == ["remove-failed", "partition-new-disk", "wipe-new-partitions", "add-to-arrays",
               "boot-code", "wait-root-sync", "bootloader", "verify-new-disk"], ids
assert all(s["stage"] == "replace-disk" for s in p["steps"])
PY2
expect 1 "$work/out" -- "$XSRAID" replace-disk sdb --sysroot "$work/failed"
contains "$work/out" "raid: disk 'sdb' is in use: sdb1 is a failed member of md0"
[ "$(wc -l <"$work/out")" -eq 1 ] && ok || bad "a replace-disk refusal must be one line"
expect 2 "$work/out" -- "$XSRAID" replace-disk --sysroot "$work/failed"
# --apply under --sysroot rehearses: the journal goes into the image of the new disk, nothing else.
before_sda=$(sparse_sum "$work/failed/dev/sda")
expect 0 "$work/out" -- "$XSRAID" replace-disk sdc --apply --sysroot "$work/failed" --log "$work/log"
contains "$work/out" "rehearsal, not run: /sbin/mdadm /dev/md0 --add /dev/sdc1"
contains "$work/out" "replace-disk: all steps done"
[ "$(sparse_sum "$work/failed/dev/sda")" = "$before_sda" ] && ok || bad "a rehearsed replace-disk changed the good disk"
expect 5 "$work/out" -- "$XSRAID" status --journal --sysroot "$work/failed"
grep -qE '^ +0 replace-disk +stage-done ' "$work/out" && ok || bad "the rehearsal's journal does not record its stage as done"
contains "$work/out" "purpose=replace-disk"

# cron's scrub and mdadm's events.
expect 0 "$work/out" -- "$XSRAID" scrub --sysroot "$work/host"
contains "$work/out" "md0: check started"
[ "$(cat "$work/host/sys/block/md2/md/sync_action")" = check ] && ok || bad "scrub did not start md2's check"
expect 0 "$work/out" -- "$XSRAID" scrub --sysroot "$work/failed"
contains "$work/out" "md0 is degraded: not checked"
printf '#!/bin/sh\necho "$@" >%s/event.out\n' "$work" >"$work/alert"
chmod 0755 "$work/alert"
echo "PROGRAM='$work/alert'" >"$work/host/etc/sysconfig/xsraid"
expect 0 "$work/out" -- "$XSRAID" DegradedArray /dev/md1 --sysroot "$work/host"
contains "$work/out" "/dev/md1: DegradedArray: the array runs without one of its members"
[ "$(cat "$work/event.out")" = "DegradedArray /dev/md1" ] && ok || bad "the event program got: $(cat "$work/event.out")"
expect 2 "$work/out" -- "$XSRAID" NoSuchEvent /dev/md1 --sysroot "$work/host"

echo "cli: $checks checks, $failures failed"
[ "$failures" -eq 0 ]
