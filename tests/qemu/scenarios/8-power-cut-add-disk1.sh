#!/bin/bash
# Scenario 8: one entry of the power-cut matrix (make check-power-cuts, see
# tests/qemu/power-cuts/) in every run: the power is cut inside add-disk1,
# the second stage's step that hands disk 1's root partition to md0, right
# after mdadm --add and before the step is recorded done.  Some disk must
# boot with the marker tree intact; xsraid resume must finish the job; and
# no destructive step may run twice.  The matrix's third check, a fresh
# install on what the cut left, is scenario 5's; here it is skipped.
CUT_REINSTALL=no exec bash "$(dirname "$0")/../power-cuts/cut.sh" add-disk1
