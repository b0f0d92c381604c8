#!/bin/bash
# Refusal: the installed system's initrds scan for arrays with mdadm but
# carry no mdadm.conf (fixture_initrd=mdadm-scan-noconf), the form of Red
# Hat's 2006 mkinitrd patch on a system without /etc/mdadm.conf.  CentOS 5's
# mdadm 2.6.9 assembles nothing that way (it auto-assembles only for a
# configured home host); the stand-in's mdadm 4.2 assembles the arrays under
# other names (md127, md126, md125), so /dev/md0 is never found either.
# xsraid sees it in the initrds it rebuilt and stops before disk 1 is
# touched: the host boots its stock install from disk 1.
. "$(dirname "$0")/../lib.sh"
setup_work

compact_install "fixture_seed=82 fixture_initrd=mdadm-scan-noconf"
expect_initrd_refusal "runs mdadm without an mdadm.conf"
scenario_done
