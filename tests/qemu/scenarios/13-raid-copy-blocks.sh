#!/bin/bash
# Scenario 13: the root reaches md0 as blocks (raid-copy="blocks"): the first
# stage only partitions disk 2 (partition 1 grown past the filesystem) and
# starts md0 on it; once the installer has finished, the second stage copies
# the blocks the root filesystem uses from sda1 to md0, reads them back,
# gives the copy its own UUID and label, and goes on as with a file copy.
# A site's filesystem-populated script and the installer's own log writes
# after the first stage are in the copy without a catch-up.  Then the disks
# boot alone and together, with scenario 1's checks.
. "$(dirname "$0")/../lib.sh"
setup_work

d=$(mktemp -d "$WORK/extra.XXXXXX")
cat >"$d/site-script" <<'SH'
#!/bin/sh
echo "ran at $XS_STAGE on $1" >"$1/etc/site-script.log"
echo "tmpfs /var/scratch tmpfs defaults 0 0 # site-script" >>"$1/etc/fstab"
mkdir -p "$1/usr/local/sbin"
printf '#!/bin/sh\necho "XSRAID-MARK md-event $*" >/dev/console\n' >"$1/usr/local/sbin/raid-alert"
chmod 0755 "$1/usr/local/sbin/raid-alert"
SH
answerfile '<primary-disk raid="sdb" raid-copy="blocks" raid-mailaddr="storage-alerts@example.com" raid-program="/usr/local/sbin/raid-alert">sda</primary-disk>' "$HOOK_SCRIPTS
  <script stage=\"filesystem-populated\" type=\"url\">file:///site-script</script>" >"$d/answerfile.xml"
append_files "$IMG_XSRAID" "$WORK/install.img" "$d"
rm -rf "$d"
blank_disk "$WORK/d1.img"
blank_disk "$WORK/d2.img"
install install "$WORK/install.img" "answerfile=file:///answerfile.xml install fixture_seed=13" \
	"$WORK/d1.img" "$WORK/d2.img"

stage_output "$WORK/install.serial.log" >"$WORK/xsraid-output.txt"
check "the first stage made no filesystem and copied nothing" \
	eval '! grep -qE "step [0-9]+/[0-9]+ (copy-root|verify-copy):" "$WORK/xsraid-output.txt"'
check "the second stage copied the root as blocks and read them back" \
	grep -qE "copied [0-9]+ MiB in [0-9]+ runs from /dev/sda1 to /dev/md0; read back [0-9]+ MiB, the same" \
	"$WORK/xsraid-output.txt"
check "no catch-up: nothing was written after the copy" \
	eval '! grep -q "step [0-9]*/[0-9]* catch-up:" "$WORK/xsraid-output.txt"'

# shellcheck disable=SC2034 # read by raid-checks.sh
SITE_SCRIPT=1
. "$(dirname "$0")/raid-checks.sh"
raid_checks
scenario_done
