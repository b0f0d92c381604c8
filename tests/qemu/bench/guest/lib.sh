# shellcheck shell=sh
# Shared by the benchmark's guest scripts, which run in the installer
# stand-in (busybox sh) from /opt/bench: events stamped with the guest's
# uptime and the disks' counters, the tools the benchmark brings, and what
# goes back to the host.
#
# $OUT/events, one line per event:
#   UPTIME SDA_READ SDA_WRITTEN SDB_READ SDB_WRITTEN WORDS...
# (sectors of 512 bytes, from /sys/block/sdX/stat); the host's report
# (tests/qemu/bench/report.py) turns them into times and bytes per step.

BENCH=/opt/bench
# shellcheck disable=SC2034 # for the scripts that source this
TOOLS=$BENCH/bin
OUT=/tmp/bench
MNT=/tmp/bench-mnt
mkdir -p "$OUT" "$MNT"

# event WORDS: appends an event; shows it on the console too.  Builtins
# only, so that stamping costs no fork.
event() {
	read -r _up _ </proc/uptime
	# shellcheck disable=SC2034 # the fields /sys/block/sdX/stat has before them
	read -r _r1 _r2 _ar _r4 _w1 _w2 _aw _ </sys/block/sda/stat
	# shellcheck disable=SC2034
	read -r _r1 _r2 _br _r4 _w1 _w2 _bw _ </sys/block/sdb/stat
	printf '%s %s %s %s %s %s\n' "$_up" "$_ar" "$_aw" "$_br" "$_bw" "$*" >>"$OUT/events"
	printf 'XSRAID-BENCH %s %s\n' "$_up" "$*" >/dev/console 2>/dev/null
	return 0
}

# step NAME: a step of the procedure begins (the previous one ends).
step() {
	event "step $1"
}

# must CMD...: runs CMD; on failure records it and fails the procedure.
must() {
	"$@" || {
		_rc=$?
		event "failed rc=$_rc $*"
		exit 1
	}
}

# part_field DISK N FIELD: "First sector" or "Last sector" of partition N.
part_field() {
	/sbin/sgdisk -i "$2" "$1" | sed -n "s/^$3: \([0-9]*\).*/\1/p"
}

# wait_node DEV: the kernel shows a partition (after sgdisk re-read the table).
wait_node() {
	_i=0
	while [ ! -b "$1" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -b "$1" ]
}

# md_wait_sync MD: until MD has no member missing and nothing to resync.
md_wait_sync() {
	while :; do
		read -r _action <"/sys/block/$1/md/sync_action"
		read -r _degraded <"/sys/block/$1/md/degraded"
		[ "$_action" = idle ] && [ "$_degraded" = 0 ] && return 0
		sleep 1
	done
}

# make_md_nodes: /dev/md0-2, which the installer's devtmpfs has only once md
# is loaded (the kernel makes the node on first use of its number).
make_md_nodes() {
	for _n in 0 1 2; do
		[ -b "/dev/md$_n" ] || mknod "/dev/md$_n" b 9 "$_n"
	done
}

# chroot_binds DIR / chroot_unbinds DIR: /dev, /proc and /sys in a chroot.
chroot_binds() {
	for _m in dev proc sys; do
		must mount --bind "/$_m" "$1/$_m"
	done
}

chroot_unbinds() {
	for _m in sys proc dev; do
		umount "$1/$_m" 2>/dev/null
	done
	return 0
}

# fs_usage DIR: "used_kib=U size_kib=S inodes=I" of the filesystem on DIR.
fs_usage() {
	_s=$(df -k "$1" | tail -n 1)
	_i=$(df -i "$1" | tail -n 1)
	# shellcheck disable=SC2086 # split df's columns
	set -- $_s
	_used=$3
	_size=$2
	# shellcheck disable=SC2086
	set -- $_i
	echo "used_kib=$_used size_kib=$_size inodes=$3"
}

# save_results: everything in $OUT, as a tar archive on the results disk
# (never through the serial console, which drops characters when flooded).
save_results() {
	cp /proc/mdstat "$OUT/mdstat" 2>/dev/null
	cp /tmp/xsraid/xsraid-log "$OUT/xsraid-log" 2>/dev/null
	cp /tmp/install-log "$OUT/install-log" 2>/dev/null
	_dev=$(ls /dev/disk/by-id/*BENCH-RESULTS 2>/dev/null | head -n 1)
	[ -n "$_dev" ] || {
		echo "XSRAID-BENCH no results disk" >/dev/console
		return 1
	}
	tar -cf "$_dev" -C "$OUT" . && sync
	echo "XSRAID-BENCH results saved" >/dev/console
}
