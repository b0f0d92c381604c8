#!/bin/sh
# start=/opt/bench/align.sh (run by S99alt-start instead of the installer):
# the local SR's array, md2, written to through O_DIRECT with partition 3
# where stock 6.0.2 puts it (right after partition 2: an odd sector) and
# where xsraid puts it (on a 1 MiB boundary), on disks that report 4 KiB
# physical sectors.  For each layout, interleaved, $ALIGN_REPS times:
# sequential 4 KiB, random 4 KiB and sequential 1 MiB writes (iobench),
# ALIGN_SECONDS each.  Results in $OUT/align, saved to the results disk;
# then the machine powers off.
set -u
. /opt/bench/lib.sh

ALIGN_REPS=3
ALIGN_SECONDS=15
SPAN_MIB=1024
MDADM=$TOOLS/mdadm

# 6.0.2's partitions 1 and 2 (4 GiB each from LBA 34), then 3.
P2_END=$((34 + 2 * 8388608 - 1))

layout() {
	case $1 in
	stock) p3=$((P2_END + 1)) ;;
	aligned) p3=$(((P2_END + 1 + 2047) / 2048 * 2048)) ;;
	esac
	for d in sda sdb; do
		/sbin/sgdisk --zap-all "/dev/$d" >/dev/null 2>&1
		must /sbin/sgdisk --clear --set-alignment=1 --new=1:34:8388641 \
			--new=2:8388642:$P2_END --new="3:$p3:0" --typecode=3:fd00 "/dev/$d" >/dev/null
		must wait_node "/dev/${d}3"
	done
	make_md_nodes
	must "$MDADM" --create /dev/md2 --run --metadata=0.90 --level=1 --raid-devices=2 \
		--bitmap=internal --assume-clean /dev/sda3 /dev/sdb3 2>/dev/null
	read -r off </sys/block/sda/sda3/alignment_offset
	echo "layout $1 p3_start=$p3 alignment_offset=$off" >>"$OUT/align"
}

teardown() {
	"$MDADM" --stop /dev/md2 >/dev/null 2>&1
	"$MDADM" --zero-superblock /dev/sda3 /dev/sdb3 >/dev/null 2>&1
}

{
	echo "disk sda logical=$(cat /sys/block/sda/queue/logical_block_size)" \
		"physical=$(cat /sys/block/sda/queue/physical_block_size)"
} >"$OUT/align"
for r in $(seq 1 $ALIGN_REPS); do
	for l in stock aligned; do
		layout "$l"
		for t in "seq 4096" "rand 4096" "seq 1048576"; do
			# shellcheck disable=SC2086 # pattern and size
			res=$("$TOOLS/iobench" /dev/md2 $t $ALIGN_SECONDS $SPAN_MIB) || res="iobench failed"
			echo "rep $r layout $l $res" >>"$OUT/align"
			event "align rep $r layout $l $res"
		done
		teardown
	done
done
save_results
sync
poweroff -f
