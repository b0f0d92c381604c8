#!/bin/bash
# Refusal: the installed system's mkinitrd leaves RAID out of the initrds it
# builds (fixture_initrd=none: no md modules and no assembly, as nash's
# mkinitrd does when it cannot read /proc/mdstat or has --omit-raid-modules
# latched), so no initrd xsraid rebuilds can start md0.  xsraid opens the
# initrds it rebuilt before anything touches disk 1, says what they lack,
# and stops: the host boots its stock install from disk 1.
. "$(dirname "$0")/../lib.sh"
setup_work

compact_install "fixture_seed=81 fixture_initrd=none"
expect_initrd_refusal "carries no md-mod module and the kernel has none built in"
scenario_done
