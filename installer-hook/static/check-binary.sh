#!/bin/sh
# Checks that the helper can run inside XenServer 6.0's installer: a static
# ELF with no dynamic loader, and no ELF ABI note asking for a kernel newer
# than the installer's 2.6.32.
#
# With the unstripped build as well, also that code only the unit tests use
# was left out of the link.
#
# usage: check-binary.sh FILE [UNSTRIPPED]
set -eu

f=$1
unstripped=${2:-}
fail() { echo "check-binary: $f: $*" >&2; exit 1; }

file "$f" | grep -q 'statically linked' || fail "not statically linked: $(file -b "$f")"
readelf -lW "$f" | grep -q 'Requesting program interpreter' && fail "asks for a dynamic loader"
readelf -dW "$f" 2>/dev/null | grep -q 'NEEDED' && fail "needs shared libraries"
abi=$(readelf -nW "$f" | sed -n 's/.*OS: Linux, ABI: \([0-9.]*\).*/\1/p')
if [ -n "$abi" ]; then
	newest=$(printf '%s\n%s\n' "$abi" 2.6.32 | sort -V | tail -n 1)
	[ "$newest" = 2.6.32 ] || fail "its ELF ABI note requires Linux $abi (the installer runs 2.6.32)"
fi
# Fixtures for the unit tests, never run on a real disk.
test_only="gpt_write_image"
if [ -n "$unstripped" ]; then
	for sym in $test_only; do
		nm "$unstripped" | grep -qw "$sym" && fail "carries $sym, which only the unit tests use"
	done
fi
echo "$f: $(file -b "$f" | cut -d, -f1-2), static, no loader, no ABI note above 2.6.32"
