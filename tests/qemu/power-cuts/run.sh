#!/bin/bash
# The power-cut matrix: one cut inside every step of both stages of the plan
# xsraid makes for a 6.0.2 install (cut.sh), two at a time, then the table
#   step, stage, which disk boots after the cut, recovery by resume, by reinstall.
#
#   run.sh [STEP...]      default: every step of the plan
#
# POWER_CUT_COPY=blocks cuts the plan of an answerfile with raid-copy="blocks"
# instead (its runs are cut-blocks-STEP, its logs in power-cuts-blocks/).
#
# Needs XSRAID_PLAN_BIN (a host build of xsraid, to list the plan's steps)
# and what tests/qemu/run.sh needs (see qemu.mk).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
JOBS=${QEMU_JOBS:-2}
copy=${POWER_CUT_COPY:-files}
case $copy in
files) tag= ;;
blocks) tag=blocks- ;;
*) echo "power-cuts: POWER_CUT_COPY is files or blocks, not $copy" >&2; exit 2 ;;
esac
out=$QEMU_BUILD/power-cuts${tag:+-${tag%-}}
rm -rf "$out"
mkdir -p "$out"

# The plan's steps and their stages, listed by lib.sh in a subshell of its own.
plan_steps_only() {
	# shellcheck disable=SC2034 # read by lib.sh
	SCENARIO=power-cuts-${tag}plan
	# shellcheck source=../lib.sh
	. "$here/../lib.sh"
	setup_work
	plan_steps "$1"
	scenario_done
}
(plan_steps_only "$out/steps") >"$out/steps.log" 2>&1 || { cat "$out/steps.log"; exit 2; }
if [ $# -eq 0 ]; then
	# shellcheck disable=SC2046 # step ids have no spaces
	set -- $(cut -d' ' -f1 "$out/steps")
fi

start=$(date +%s)
running=0
for s in "$@"; do
	stage=$(awk -v s="$s" '$1 == s { print $2 }' "$out/steps")
	[ -n "$stage" ] || { echo "power-cuts: no step $s in the plan" >&2; exit 2; }
	while [ $running -ge "$JOBS" ]; do
		wait -n
		running=$((running - 1))
	done
	(
		t=$(date +%s)
		SCENARIO=cut-$tag$s bash "$here/cut.sh" "$s" >"$out/$s.log" 2>&1
		echo "$? $(($(date +%s) - t))" >"$out/$s.status"
		tail -n 1 "$out/$s.log"
	) &
	running=$((running + 1))
done
wait

pass=0
failn=0
echo
printf '%-24s %-22s %-11s %-7s %-9s %s\n' step stage boots-from resume reinstall "wall time"
for s in "$@"; do
	read -r rc secs <"$out/$s.status" 2>/dev/null || { rc=1; secs='?'; }
	if [ "$rc" = 0 ] && read -r _ stage boots resume reinstall <"$QEMU_BUILD/work/cut-$tag$s/result"; then
		pass=$((pass + 1))
	else
		failn=$((failn + 1))
		stage=$(awk -v s="$s" '$1 == s { print $2 }' "$out/steps")
		boots='?' resume='?' reinstall="FAILED (see $out/$s.log)"
	fi
	printf '%-24s %-22s %-11s %-7s %-9s %ss\n' "$s" "$stage" "$boots" "$resume" "$reinstall" "$secs"
done
echo "total wall time: $(($(date +%s) - start))s"
echo "power cuts: $pass recovered, $failn failed"
[ $failn -eq 0 ]
