#!/bin/bash
# Scenario 1a: fresh install with the RAID extension in its compact form,
# <primary-disk raid="sdb">sda</primary-disk> plus the two hook <script>
# lines, answerfile fetched over http from a server on the host (the guest
# reaches 127.0.0.1 as 10.0.2.2 through QEMU's user networking).  Then the
# installed disks boot alone and together.
. "$(dirname "$0")/../lib.sh"
setup_work

mkdir -p "$WORK/www"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# A site's own filesystem-populated script, after xsraid's hook lines as the
# README shows them: what it writes to the new system must reach md0.  It
# also installs the site's alert program, which the answerfile names for
# md events (scenario 9 sees it run).
cat >"$WORK/www/site-script" <<'SH'
#!/bin/sh
echo "ran at $XS_STAGE on $1" >"$1/etc/site-script.log"
echo "tmpfs /var/scratch tmpfs defaults 0 0 # site-script" >>"$1/etc/fstab"
mkdir -p "$1/usr/local/sbin"
printf '#!/bin/sh\necho "XSRAID-MARK md-event $*" >/dev/console\n' >"$1/usr/local/sbin/raid-alert"
chmod 0755 "$1/usr/local/sbin/raid-alert"
SH
answerfile '<primary-disk raid="sdb" raid-mailaddr="storage-alerts@example.com" raid-program="/usr/local/sbin/raid-alert">sda</primary-disk>' "$HOOK_SCRIPTS
  <script stage=\"filesystem-populated\" type=\"url\">http://10.0.2.2:$port/site-script</script>" \
	>"$WORK/www/answerfile.xml"
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$WORK/www" >"$WORK/http.log" 2>&1 &
CLEANUP_PIDS="$CLEANUP_PIDS $!"
sleep 1
NET_ARGS="-netdev user,id=n0 -device e1000,netdev=n0"
blank_disk "$WORK/d1.img"
blank_disk "$WORK/d2.img"
install install "$IMG_XSRAID" "answerfile=http://10.0.2.2:$port/answerfile.xml install fixture_seed=11" \
	"$WORK/d1.img" "$WORK/d2.img"
# shellcheck disable=SC2034 # read by lib.sh
NET_ARGS=
cleanup
# shellcheck disable=SC2034 # read by raid-checks.sh
SITE_SCRIPT=1
. "$(dirname "$0")/raid-checks.sh"
raid_checks
scenario_done
