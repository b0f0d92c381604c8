#!/bin/bash
# Strict scenario: the installed system's initrd assembles md0 in the form
# Red Hat's 2006 mkinitrd patch emits when /sbin/mdadm.static exists
# (fixture_initrd=mdadm-scan): mdadm, the system's /etc/mdadm.conf (xsraid
# writes one), and "mdadm --assemble --scan --auto=yes --run" instead of
# one "mdadm -As /dev/mdN" per array.  A RAID install must boot from each
# disk alone.
. "$(dirname "$0")/../lib.sh"
setup_work

compact_install "fixture_seed=72 fixture_initrd=mdadm-scan"
check "the installer set up the mdadm-scan initrd" \
	grep -qa 'fixture_initrd=mdadm-scan: the installed mkinitrd assembles md roots with mdadm-scan' \
	"$WORK/install.serial.log"

# shellcheck disable=SC2034 # read by raid-checks.sh
RAID_INITRD_MODE=mdadm-scan
. "$(dirname "$0")/raid-checks.sh"
raid_install_checks
raid_boot_alone 1
raid_boot_alone 2
scenario_done
