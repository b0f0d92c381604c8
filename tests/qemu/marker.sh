#!/bin/sh
# The marker tree: a directory holding one of everything a root filesystem
# can hold, laid down in the installed root by the installer stand-in
# (test instrumentation, not something 6.0.2 does), and a checksum over it
# that must come out the same after the root has been moved onto RAID.
#
#   marker.sh create DIR     lay the tree down (DIR must not exist)
#   marker.sh sum DIR [LIST] print "marker-sum=<sha256>" and friends (and
#                            write the listing to LIST)
#   marker.sh list DIR       print the listing the sum is taken over
#
# The sum covers names, types, modes (with setuid/setgid/sticky), owners,
# sizes, contents, symlink targets, device numbers, extended attributes (all
# namespaces, POSIX ACLs included) and the hard-link structure (which names
# share an inode; inode numbers themselves differ after a copy).  Directory
# sizes and times are left out: they legitimately change in a copy.  File
# modification times get a sum of their own (marker-mtime-sum), and the
# sparse file's allocation is reported (marker-sparse-kib) so a copy that
# fills holes shows.
#
# Runs under busybox sh with busybox stat/find/sha256sum and attr's
# setfattr/getfattr.
set -eu

create() {
	d=$1
	mkdir "$d"
	cd "$d"
	printf 'regular file\n' >regular
	seq 1 20000 >numbers
	printf 'a\000b\377c\001\n' >binary
	: >empty
	# 16 MiB with data only at 0, 8 MiB and the very end.
	printf 'start' >sparse
	truncate -s 16M sparse
	printf 'middle' | dd of=sparse bs=1 seek=8388608 conv=notrunc 2>/dev/null
	printf 'end' | dd of=sparse bs=1 seek=16777213 conv=notrunc 2>/dev/null

	mkdir sub empty-dir setgid-dir sticky-dir
	mkdir -p deep/a/b/c/d/e
	printf 'deep\n' >deep/a/b/c/d/e/file
	ln regular hardlink-1
	ln regular sub/hardlink-2
	printf 'two names\n' >pair
	ln pair sub/pair-link
	ln -s regular symlink-rel
	ln -s /etc/fstab symlink-abs
	ln -s does-not-exist symlink-dangling
	ln -s sub symlink-dir
	mkfifo fifo
	mknod char-dev c 1 3
	mknod block-dev b 7 0
	printf 'setuid\n' >setuid-file
	chmod 4755 setuid-file
	printf 'setgid\n' >setgid-file
	chmod 2711 setgid-file
	chmod 2755 setgid-dir
	chmod 1777 sticky-dir
	printf 'no permissions\n' >no-perms
	chmod 0000 no-perms
	printf 'owned\n' >owned
	chown 1234:5678 owned
	chown 4321:8765 sub
	chown -h 2222:3333 symlink-rel
	chown 0:7 char-dev
	printf 'name with spaces\n' >'name with spaces'
	# 255 bytes: the longest name ext3 takes.
	long=$(printf '%0255d' 0 | tr 0 l)
	printf 'long name\n' >"$long"

	setfattr -n user.xsraid -v "marker value" regular
	setfattr -n user.empty sub
	setfattr -n user.binary -v 0x00ff10ee numbers
	setfattr -n trusted.xsraid -v "trusted value" pair
	printf 'acl\n' >acl-file
	# POSIX ACL user::rw- user:1000:r-- group::r-- mask::r-- other::r--
	# in the kernel's xattr format.
	setfattr -n system.posix_acl_access \
		-v 0x0200000001000600ffffffff02000400e803000004000400ffffffff10000400ffffffff20000400ffffffff acl-file
	setfattr -n system.posix_acl_default \
		-v 0x0200000001000700ffffffff04000500ffffffff20000500ffffffff sub

	# Old modification times, to show whether a copy keeps them.
	touch -d '2001-02-03 04:05:06' regular numbers
	touch -d '1999-12-31 23:59:59' deep/a/b/c/d/e/file
}

# One line per name: path|type|mode|uid|gid|size|target|rdev|content|xattrs|links
# Each tool runs once over the whole tree (process start-up is what costs
# under emulation); awk joins the results by path.  Names must not contain
# "|" or newlines (the tree above has neither).
list() {
	cd "$1"
	t=$(mktemp -d)
	find . -exec stat -c '%n|%F|%a|%u|%g|%s|%h|%i|%t:%T' {} + >"$t/stat"
	find . -type f -exec sha256sum {} + >"$t/sums"
	find . -type l -exec sh -c 'for l; do printf "%s|%s\n" "$l" "$(readlink "$l")"; done' sh {} + >"$t/links"
	getfattr -R -P -h -d -m - -e hex . 2>/dev/null >"$t/xattrs" || true
	awk -v OFS='|' -v T="$t" '
		BEGIN {
			while ((getline l < (T "/sums")) > 0) {
				h = substr(l, 1, 64); p = substr(l, 67); sum[p] = h
			}
			while ((getline l < (T "/links")) > 0) {
				i = index(l, "|"); tgt[substr(l, 1, i - 1)] = substr(l, i + 1)
			}
			while ((getline l < (T "/xattrs")) > 0) {
				if (l ~ /^# file: /) { p = substr(l, 9); if (p !~ /^\./) p = "./" p; continue }
				if (l == "") continue
				xa[p] = xa[p] "\n" l
			}
		}
		{
			n = split($0, f, "|")
			name = f[1]
			type = f[2]; mode = f[3]; uid = f[4]; gid = f[5]; size = f[6]
			nlink = f[7]; ino = f[8]; rdev = f[9]
			target = "-"; content = "-"
			if (type == "directory") { size = "-"; nlink = "-"; rdev = "-" }
			else if (type == "symbolic link") { target = tgt[name]; rdev = "-" }
			else if (type ~ /^regular/) { content = (name in sum) ? sum[name] : "-"; rdev = "-" }
			else if (type !~ /^(character|block)/) rdev = "-"
			# xattrs in a fixed order whatever order listxattr gave
			x = ""
			if (name in xa) {
				m = split(substr(xa[name], 2), a, "\n")
				for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { tmp = a[i]; a[i] = a[j]; a[j] = tmp }
				for (i = 1; i <= m; i++) x = x a[i] " "
			}
			print name, type, mode, uid, gid, size, target, rdev, content, x, nlink ":" ino
		}' "$t/stat" | LC_ALL=C sort | awk -F'|' -v OFS='|' '
		# Replace inode numbers by the first name (in sorted order) of each
		# inode, so the hard-link structure is compared, not the numbers.
		{
			split($11, l, ":")
			if (l[1] == "-" || l[1] == 1) {
				$11 = "links=" l[1]
			} else {
				if (!(l[2] in first)) first[l[2]] = $1
				$11 = "links=" l[1] ",group=" first[l[2]]
			}
			print
		}'
	rm -rf "$t"
}

# sum DIR [LISTFILE]: the checksums; LISTFILE also gets the listing.
sum() {
	l=$(mktemp)
	list "$1" >"$l"
	echo "marker-sum=$(sha256sum <"$l" | cut -d' ' -f1)"
	[ -n "${2:-}" ] && cp "$l" "$2"
	rm -f "$l"
	m=$(cd "$1" && find . -type f -exec stat -c '%n %Y' {} + | LC_ALL=C sort | sha256sum | cut -d' ' -f1)
	echo "marker-mtime-sum=$m"
	echo "marker-sparse-kib=$(($(stat -c %b "$1/sparse") * $(stat -c %B "$1/sparse") / 1024))"
}

case "${1:-}" in
create) create "$2" ;;
sum) sum "$2" "${3:-}" ;;
list) list "$2" ;;
*)
	echo "usage: marker.sh create|sum|list DIR" >&2
	exit 2
	;;
esac
