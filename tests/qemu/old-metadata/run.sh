#!/bin/bash
# The old-metadata matrix: every kind of old metadata old-disk.sh writes
# on the second disk, installed under each wipe policy (case.sh), then the
# table
#   kind, policy, arrays running at start-up, outcome, old metadata left.
#
#   run.sh [KIND...]      default: every kind
#
# Needs what tests/qemu/run.sh needs (see qemu.mk).  QEMU_JOBS runs at a time.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
JOBS=${QEMU_JOBS:-2}
out=$QEMU_BUILD/old-metadata
rm -rf "$out"
mkdir -p "$out"
[ $# -gt 0 ] || set -- md0.90 md1.0 md1.2 md-mbr md-whole backup-gpt mbr lvm luks fs

start=$(date +%s)
running=0
cases=
for kind in "$@"; do
	for policy in refuse force; do
		c=$kind-$policy
		cases="$cases $c"
		while [ $running -ge "$JOBS" ]; do
			wait -n
			running=$((running - 1))
		done
		(
			t=$(date +%s)
			SCENARIO=old-$c bash "$here/case.sh" "$kind" "$policy" >"$out/$c.log" 2>&1
			echo "$? $(($(date +%s) - t))" >"$out/$c.status"
			tail -n 1 "$out/$c.log"
		) &
		running=$((running + 1))
	done
done
wait

pass=0
failn=0
echo
printf '%-11s %-7s %-19s %-22s %-18s %s\n' kind policy running outcome "old left" "wall time"
for c in $cases; do
	read -r rc secs <"$out/$c.status" 2>/dev/null || { rc=1; secs='?'; }
	if [ "$rc" = 0 ] && read -r kind policy arrays outcome left <"$QEMU_BUILD/work/old-$c/result"; then
		pass=$((pass + 1))
	else
		failn=$((failn + 1))
		kind=${c%-*} policy=${c##*-} arrays='?' left='?'
		outcome="FAILED (see $out/$c.log)"
	fi
	printf '%-11s %-7s %-19s %-22s %-18s %ss\n' "$kind" "$policy" "$arrays" "$outcome" "$left" "$secs"
done
echo "total wall time: $(($(date +%s) - start))s"
echo "old metadata: $pass passed, $failn failed"
[ $failn -eq 0 ]
