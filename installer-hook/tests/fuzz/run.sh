#!/bin/sh
# Runs libFuzzer targets one after the other, each for a fixed time, and
# prints what each did: executions, speed, coverage (edges and features),
# corpus size, new inputs and the result.  Exits 1 if a target crashed, hung
# or leaked; the input that did it is kept in BUILD/findings and named in the
# table, the full report is in BUILD/logs/TARGET.log.
#
# usage: run.sh BUILD SECONDS TARGET...     (fuzz.mk runs it)
set -eu

build=$1 seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
mkdir -p "$build/logs" "$build/findings"
failed=0

# The largest input worth trying: a few answerfiles' worth of text; a GPT
# image of up to 128 sectors (a 4-entry table fits in 16 KiB, 128 entries in
# 48 KiB); a journal header and 32 records.
max_len() {
	case $1 in
	gpt) echo 65536 ;;
	journal) echo 32768 ;;
	cmdline) echo 4096 ;;
	*) echo 16384 ;;
	esac
}

# Seeds: corpus/TARGET, and for the answerfile parser every answerfile of the
# examples and the tests (hostile ones included).
seeds() {
	[ -d "$here/corpus/$1" ] && echo "$here/corpus/$1"
	[ "$1" != answerfile ] || echo "$top/answerfile/examples $top/installer-hook/tests/data/answerfiles"
}

printf '%-12s %7s %11s %8s %8s %9s %7s %5s  %s\n' \
	target seconds executions exec/s coverage features corpus new result
for t in "$@"; do
	log=$build/logs/$t.log
	mkdir -p "$build/corpus/$t"
	dict=
	[ -f "$here/$t.dict" ] && dict="-dict=$here/$t.dict"
	set +e
	# New inputs go to the first directory; the seeds are only read.
	# shellcheck disable=SC2046,SC2086 # $dict is one word or none, seeds are paths without blanks
	"$build/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-max_len="$(max_len "$t")" -print_final_stats=1 -artifact_prefix="$build/findings/$t-" \
		$dict "$build/corpus/$t" $(seeds "$t") >"$log" 2>&1
	status=$?
	set -e
	stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*' "$log" | tail -1)
	result=ok
	if [ "$status" -ne 0 ]; then
		failed=1
		artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
		result="FAILED: $(grep -m1 -o 'ERROR: [A-Za-z]*: [^ ]*\|ERROR: libFuzzer: [a-z-]*' "$log" || echo "exit $status") ${artifact:-}"
	fi
	printf '%-12s %7s %11s %8s %8s %9s %7s %5s  %s\n' "$t" "$seconds" \
		"$(stat number_of_executed_units)" "$(stat average_exec_per_sec)" \
		"$(echo "$cov" | awk '{print $2}')" "$(echo "$cov" | awk '{print $4}')" \
		"$(echo "$cov" | awk '{print $6}')" "$(stat new_units_added)" "$result"
done
[ "$failed" -eq 0 ] || echo "fuzz: a target failed; logs in $build/logs" >&2
exit "$failed"
