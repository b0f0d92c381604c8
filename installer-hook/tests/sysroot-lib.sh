# shellcheck shell=sh
# What make-sysroot.sh and make-hostroot.sh share (sourced, with $dir the
# system root being built): the sysfs files xsraid reads for a disk and a
# partition, and stand-in tools whose presence is all that matters.
# $old_kernel=1 gives sysfs as XenServer 6.0's 2.6.32 has it (no device/wwid:
# serials in /dev/disk/by-id only, unless $by_id=0).

: "${dir:?sysroot-lib.sh is sourced with dir set}"
: "${old_kernel:=0}" "${by_id:=1}"

sectors() { echo $(($1 / 512)); }

# sys_disk NAME BYTES MODEL SERIAL: /sys/block/NAME with the files xsraid reads.
sys_disk() {
	name=$1 bytes=$2 model=$3 serial=$4
	d=$dir/sys/block/$name
	mkdir -p "$d/queue" "$d/device" "$d/holders"
	sectors "$bytes" >"$d/size"
	echo 512 >"$d/queue/logical_block_size"
	echo 512 >"$d/queue/physical_block_size"
	echo 0 >"$d/ro"
	echo 0 >"$d/removable"
	echo ATA >"$d/device/vendor"
	echo "$model" >"$d/device/model"
	if [ "$old_kernel" -eq 0 ]; then
		echo "t10.ATA     $model $serial" >"$d/device/wwid"
	elif [ "$by_id" -eq 1 ]; then
		mkdir -p "$dir/dev/disk/by-id"
		ln -s "../../$name" "$dir/dev/disk/by-id/scsi-SATA_${model}_$serial"
	fi
}

# sys_part DISK N FIRST LAST: its partition N, in 512-byte sectors.
sys_part() {
	disk=$1 n=$2 start=$3 end=$4
	p=$dir/sys/block/$disk/$disk$n
	mkdir -p "$p/holders"
	echo "$n" >"$p/partition"
	echo "$start" >"$p/start"
	echo $((end - start + 1)) >"$p/size"
	if [ "$old_kernel" -eq 1 ] && [ "$by_id" -eq 1 ]; then
		for l in "$dir"/dev/disk/by-id/*; do
			case "$l" in *-part*) continue ;; esac
			if [ "$(readlink "$l")" = "../../$disk" ]; then
				ln -s "../../$disk$n" "$l-part$n"
			fi
		done
	fi
}

tool() {
	printf '#!/bin/sh\nexit 0\n' >"$1"
	chmod 755 "$1"
}
