#!/bin/bash
# Runs the QEMU scenarios, two at a time (one per host core), and prints a
# summary with each scenario's wall time.  Exit status 0 only when all pass.
#
#   run.sh [SCENARIO...]      default: all of scenarios/*.sh
#
# 00-reference is a fixture that 2-no-raid-untouched compares against; it
# is started first and 2 waits for it.  9-replace-disk and 10-check-boot
# start from the disks 1a-raid-compact-http installed, and wait for it.
# Needs QEMU_BUILD, IMG_STOCK, IMG_XSRAID, ISO_XSRAID and ISO_FILES in the
# environment (see qemu.mk).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
JOBS=${QEMU_JOBS:-2}
out=$QEMU_BUILD/results
rm -rf "$out"
mkdir -p "$out"

if [ $# -eq 0 ]; then
	# In number order (sort -V), so 1a starts before 9 and 10, which wait for it.
	# shellcheck disable=SC2046 # scenario names have no spaces
	set -- $(cd "$here/scenarios" && ls [0-9]*.sh | sed 's/\.sh$//' | sort -V)
fi
# 2 needs the reference install; 9 and 10 start from the RAID pair 1a installed.
case " $* " in
*" 2-no-raid-untouched "*)
	case " $* " in *" 00-reference "*) ;; *) set -- 00-reference "$@" ;; esac
	;;
esac
case " $* " in
*" 9-replace-disk "* | *" 10-check-boot "*)
	case " $* " in *" 1a-raid-compact-http "*) ;; *) set -- 1a-raid-compact-http "$@" ;; esac
	;;
esac

declare -A pid_of
start=$(date +%s)
running=0
for s in "$@"; do
	[ -f "$here/scenarios/$s.sh" ] || { echo "run.sh: no scenario $s" >&2; exit 2; }
	while [ $running -ge "$JOBS" ]; do
		wait -n
		running=$((running - 1))
	done
	if [ "$s" = 2-no-raid-untouched ] && [ -n "${pid_of[00-reference]:-}" ]; then
		wait "${pid_of[00-reference]}" 2>/dev/null
	fi
	case $s in
	9-replace-disk | 10-check-boot)
		if [ -n "${pid_of[1a-raid-compact-http]:-}" ]; then
			wait "${pid_of[1a-raid-compact-http]}" 2>/dev/null
		fi
		;;
	esac
	(
		t=$(date +%s)
		SCENARIO=$s bash "$here/scenarios/$s.sh" >"$out/$s.log" 2>&1
		rc=$?
		echo "$rc $(($(date +%s) - t))" >"$out/$s.result"
		# Show the scenario's progress in one piece when it ends.
		cat "$out/$s.log"
	) &
	pid_of[$s]=$!
	running=$((running + 1))
done
wait

pass=0
failn=0
echo
echo "QEMU scenarios (wall time each; $JOBS in parallel):"
for s in "$@"; do
	read -r rc secs <"$out/$s.result" 2>/dev/null || { rc=1; secs='?'; }
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1))
		printf '  PASS  %-28s %4ss\n' "$s" "$secs"
	else
		failn=$((failn + 1))
		printf '  FAIL  %-28s %4ss   (logs: %s)\n' "$s" "$secs" "$QEMU_BUILD/artifacts/$s"
	fi
	if [ -f "$QEMU_BUILD/work/$s/timings" ]; then
		sed 's/^/          run /' "$QEMU_BUILD/work/$s/timings"
	fi
done
echo "  total wall time: $(($(date +%s) - start))s"
echo "qemu: $pass passed, $failn failed"
[ $failn -eq 0 ]
