#!/bin/bash
# Fixture: a stock install (installer image without xsraid, plain answerfile)
# on two blank disks with fixture_seed=1.  Scenario 2 compares its own
# result with this one byte for byte.
. "$(dirname "$0")/../lib.sh"
setup_work

answerfile "<primary-disk>sda</primary-disk>" >"$WORK/answerfile.xml"
embed "$IMG_STOCK" "$WORK/install.img" "$WORK/answerfile.xml"
blank_disk "$WORK/d1.img"
blank_disk "$WORK/d2.img"
install install "$WORK/install.img" "answerfile=file:///answerfile.xml install fixture_seed=1" \
	"$WORK/d1.img" "$WORK/d2.img"
m=$WORK/install.marks
check "stock install succeeded" has_mark "$m" "install-end status=ok"
check_eq "no hook stage ran" "$(grep -ac '^XSRAID-MARK stage-begin' "$m")" 0
scenario_done
