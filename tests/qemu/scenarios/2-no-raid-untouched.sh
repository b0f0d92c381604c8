#!/bin/bash
# Scenario 2: the image with xsraid and its hook scripts, but an answerfile
# without the RAID extension.  The result must be the stock one: partition
# table (MBR + both GPTs) and boot code (MBR, p1's boot sector)
# byte-identical to the reference install made without xsraid (same
# fixture_seed), disk 2 untouched, and a single-disk boot.
. "$(dirname "$0")/../lib.sh"
setup_work
REF=$QEMU_BUILD/work/00-reference
[ -f "$REF/d1.img" ] || fail "the reference install ($REF) is missing: run 00-reference first"

answerfile "<primary-disk>sda</primary-disk>" "$HOOK_SCRIPTS" >"$WORK/answerfile.xml"
embed "$IMG_XSRAID" "$WORK/install.img" "$WORK/answerfile.xml"
blank_disk "$WORK/d1.img"
blank_disk "$WORK/d2.img"
d2_before=$(image_sum "$WORK/d2.img")
install install "$WORK/install.img" "answerfile=file:///answerfile.xml install fixture_seed=1" \
	"$WORK/d1.img" "$WORK/d2.img"
m=$WORK/install.marks
check "install succeeded" has_mark "$m" "install-end status=ok"
check "the hook ran at filesystem-populated" has_mark "$m" "stage-end filesystem-populated "
check "the hook ran at installation-complete" has_mark "$m" "stage-end installation-complete "

boot_regions "$REF/d1.img" >"$WORK/ref.regions"
boot_regions "$WORK/d1.img" >"$WORK/this.regions"
if ! cmp -s "$WORK/ref.regions" "$WORK/this.regions"; then
	cmp -l "$WORK/ref.regions" "$WORK/this.regions" | head -n 20 >"$WORK/regions.diff" || true
	fail "partition table or boot code differs from the stock install (first differing bytes in regions.diff; offsets: 0-17407 LBA 0-33, then the backup GPT, then p1's boot sector)"
fi
say "ok: MBR, both GPTs and p1's boot sector identical to the stock install"
check_eq "disk 2 untouched" "$(image_sum "$WORK/d2.img")" "$d2_before"
check_eq "same marker tree as the stock install" \
	"$(mark_value "$m" marker-sum)" "$(mark_value "$REF/install.marks" marker-sum)"

boot_as_stock_install
scenario_done
