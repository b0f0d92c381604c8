#!/usr/bin/env python3
"""Writes old on-disk metadata into a region of a disk image file, byte for
byte as the tools that make it would, where no tool can write it to a plain
file: mdadm and pvcreate only work on block devices.

    old-metadata.py md IMAGE --metadata 0.90|1.0|1.1|1.2 --offset B --size B
                    --uuid HEX32 [--role N] [--devices N] [--minor N] [--name S]
                    [--bitmap]
    old-metadata.py lvm IMAGE --offset B --size B --uuid PVUUID32

md: one member of a clean RAID1 of --devices members (this one in slot
--role), with its superblock where the kernel looks for it in the region
[offset, offset + size):

  0.90  include/uapi/linux/raid/md_p.h, mdp_super_t: 4096 bytes, host-endian
        (little-endian here) words, at MD_NEW_SIZE_SECTORS(size): the size
        rounded down to 64 KiB, minus 64 KiB.  sb_csum as drivers/md/md.c
        calc_sb_csum(): the 32-bit words summed in 64 bits, both halves
        added.  The preferred minor (--minor) is the mdN 2.6.32's
        autodetect names the array.
  1.x   md_p.h, struct mdp_superblock_1: little-endian, at the end (1.0:
        size - 8 KiB, rounded down to 4 KiB), at 0 (1.1) or at 4 KiB (1.2).
        sb_csum as md.c calc_sb_1_csum(): the 32-bit words of the first
        256 + 2 * max_dev bytes summed in 64 bits, both halves added.
  --bitmap  an internal write-intent bitmap, clean (drivers/md/md-bitmap.h,
        bitmap_super_t: "bitm", version 4, the array's UUID and events,
        64 MiB chunks), where md puts it: 4 KiB after a 0.90 superblock
        (MD_SB_BITMAP_PRESENT set), 8 sectors before a 1.0 superblock and
        8 after a 1.1/1.2 one (feature bit 0, bitmap_offset).

lvm: a physical volume as pvcreate leaves it before it joins a volume group
(lib/label/label.h, lib/format_text/layout.h of LVM2): the label in sector
1 ("LABELONE", its sector number, a CRC from offset_xl to the end of the
sector, "LVM2 001"), the pv_header (UUID, device size, one data area from
1 MiB, one metadata area at 4 KiB), and at 4 KiB the metadata area header
(" LVM2 x[5A%r0N*>", version 1, its place and size, no metadata yet).  The
CRC is LVM2's calc_crc(): CRC-32 (0xEDB88320, reflected) from 0xf597a6cf,
without the final inversion.

Fixed times and the given UUIDs make the same bytes on every run.  Prints
where the superblock or label went.
"""

import argparse
import os
import struct
import sys
import zlib

MD_SB_MAGIC = 0xA92B4EFC
MD_RESERVED_BYTES = 64 * 1024
CTIME = 1262304000  # 2010-01-01, when the "old" arrays were made
UTIME = 1325376000  # 2012-01-01, their last update
MAX_SECTOR = 0xFFFFFFFFFFFFFFFF


def fold_sum(data):
    """md's superblock checksum: 32-bit words summed in 64 bits, halves added."""
    total = sum(struct.unpack("<%dI" % (len(data) // 4), data[: len(data) // 4 * 4]))
    if len(data) % 4 == 2:
        total += struct.unpack("<H", data[-2:])[0]
    return ((total & 0xFFFFFFFF) + (total >> 32)) & 0xFFFFFFFF


def bitmap(md_uuid, sync_sectors):
    sb = bytearray(4096)
    struct.pack_into("<4sI", sb, 0, b"bitm", 4)
    sb[8:24] = md_uuid
    struct.pack_into("<QQQIIIII", sb, 24, 10, 10, sync_sectors, 0, 64 << 20, 5, 0, 8)
    return bytes(sb)


def md090(args, region):
    sb_off = (region & ~(MD_RESERVED_BYTES - 1)) - MD_RESERVED_BYTES
    size_kib = sb_off // MD_RESERVED_BYTES * 64
    u = [int(args.uuid[i : i + 8], 16) for i in range(0, 32, 8)]
    words = [0] * 1024
    # Constant generic part (words 0-31).
    words[0:16] = [MD_SB_MAGIC, 0, 90, 0, 0, u[0], CTIME, 1, size_kib, args.devices,
                   args.devices, args.minor, 0, u[1], u[2], u[3]]
    # Generic state (32-63): utime, state (clean), active, working, failed,
    # spare, sb_csum, events_lo, events_hi, cp_events_lo, cp_events_hi.
    state = 1 | (1 << 8 if args.bitmap else 0)  # clean, MD_SB_BITMAP_PRESENT
    words[32:43] = [UTIME, state, args.devices, args.devices, 0, 0, 0, 10, 0, 10, 0]
    # disks[] from word 128, 32 words each; this_disk at word 992.
    # number, major, minor, raid_disk, state (active | sync).
    for i in range(args.devices):
        words[128 + 32 * i : 128 + 32 * i + 5] = [i, 8, 17 + i, i, 6]
    words[992:997] = words[128 + 32 * args.role : 128 + 32 * args.role + 5]
    sb = bytearray(struct.pack("<1024I", *words))
    struct.pack_into("<I", sb, 38 * 4, fold_sum(bytes(sb)))
    writes = [(sb_off, bytes(sb))]
    if args.bitmap:
        # md keeps a 0.90 array's UUID as the words' bytes, in host order.
        writes.append((sb_off + 4096, bitmap(struct.pack("<4I", *u), size_kib * 2)))
    return writes


def md1(args, region, minor):
    sectors = region // 512
    bitmap_offset = 0
    if minor == 0:
        sb_sector = (sectors - 16) & ~7
        data_offset, data_size = 0, sb_sector
        if args.bitmap:
            bitmap_offset = -8
            data_size = sb_sector + bitmap_offset
    else:
        sb_sector = 0 if minor == 1 else 8
        data_offset = 2048
        data_size = sectors - data_offset
        bitmap_offset = 8 if args.bitmap else 0
    size = data_size & ~127  # the component size, whole 64 KiB
    max_dev = args.devices
    sb = bytearray(256 + 2 * max_dev)
    struct.pack_into("<IIII", sb, 0, MD_SB_MAGIC, 1, 1 if args.bitmap else 0, 0)
    sb[16:32] = bytes.fromhex(args.uuid)
    name = args.name.encode()[:32]
    sb[32 : 32 + len(name)] = name
    struct.pack_into("<QIIQIIi", sb, 64, CTIME, 1, 0, size, 0, args.devices, bitmap_offset)
    struct.pack_into("<QQQQII", sb, 128, data_offset, data_size, sb_sector, 0, args.role, 0)
    # device_uuid: any 16 bytes that differ per member.
    sb[168:184] = bytes.fromhex(args.uuid)[::-1][:15] + bytes([args.role])
    struct.pack_into("<QQQII", sb, 192, UTIME, 10, MAX_SECTOR, 0, max_dev)
    for i in range(max_dev):
        struct.pack_into("<H", sb, 256 + 2 * i, i)
    struct.pack_into("<I", sb, 216, fold_sum(bytes(sb)))
    writes = [(sb_sector * 512, bytes(sb))]
    if args.bitmap:
        writes.append(((sb_sector + bitmap_offset) * 512, bitmap(bytes.fromhex(args.uuid), size)))
    return writes


def lvm_crc(data):
    """LVM2's calc_crc(INITIAL_CRC, ...): no final inversion, unlike zlib's."""
    return ~zlib.crc32(data, ~0xF597A6CF & 0xFFFFFFFF) & 0xFFFFFFFF


def lvm(args, region):
    uuid = args.uuid.encode()
    if len(uuid) != 32:
        sys.exit("old-metadata: an LVM2 PV UUID has 32 characters")
    mda_offset, pe_start = 4096, 1 << 20
    label = bytearray(512)
    label[0:8] = b"LABELONE"
    struct.pack_into("<Q", label, 8, 1)
    struct.pack_into("<I", label, 20, 32)
    label[24:32] = b"LVM2 001"
    label[32:64] = uuid
    # device size; data areas (offset, size) then a null one; metadata areas, a null one.
    struct.pack_into("<Q", label, 64, region)
    struct.pack_into("<8Q", label, 72, pe_start, 0, 0, 0, mda_offset, pe_start - mda_offset, 0, 0)
    struct.pack_into("<I", label, 16, lvm_crc(bytes(label[20:])))
    mda = bytearray(512)
    mda[4:20] = b" LVM2 x[5A%r0N*>"
    struct.pack_into("<IQQ", mda, 20, 1, mda_offset, pe_start - mda_offset)
    struct.pack_into("<I", mda, 0, lvm_crc(bytes(mda[4:])))
    return [(512, bytes(label)), (mda_offset, bytes(mda))]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("kind", choices=["md", "lvm"])
    p.add_argument("image")
    p.add_argument("--offset", type=int, required=True)
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--uuid", required=True)
    p.add_argument("--metadata", choices=["0.90", "1.0", "1.1", "1.2"])
    p.add_argument("--role", type=int, default=0)
    p.add_argument("--devices", type=int, default=2)
    p.add_argument("--minor", type=int, default=0)
    p.add_argument("--name", default="oldhost:0")
    p.add_argument("--bitmap", action="store_true")
    args = p.parse_args()
    if args.size < 8 << 20 or args.offset % 512 or args.size % 512:
        sys.exit("old-metadata: the region must be whole sectors and at least 8 MiB")
    if args.kind == "md":
        if not args.metadata or not 0 <= args.role < args.devices:
            sys.exit("old-metadata: md needs --metadata and a --role below --devices")
        if len(args.uuid) != 32:
            sys.exit("old-metadata: an md UUID is 32 hex digits")
        if args.metadata == "0.90":
            writes = md090(args, args.size)
        else:
            writes = md1(args, args.size, int(args.metadata[2]))
        what = "md %s superblock (slot %d)" % (args.metadata, args.role)
    else:
        writes = lvm(args, args.size)
        what = "LVM2 label"
    fd = os.open(args.image, os.O_WRONLY)
    try:
        if os.fstat(fd).st_size < args.offset + args.size:
            sys.exit("old-metadata: %s ends before the region does" % args.image)
        for off, data in writes:
            os.pwrite(fd, data, args.offset + off)
    finally:
        os.close(fd)
    print("%s at byte %d of %s" % (what, args.offset + writes[0][0], args.image))


if __name__ == "__main__":
    main()
