#!/usr/bin/env python3
"""Finds on-disk metadata in a raw disk image by its magic numbers, wherever
it lies, without trusting any partition table: an independent check of what
old metadata is left on a disk.

    scan-metadata.py IMAGE [--range START:END]...

Every 512-byte sector that holds data (holes are skipped) is looked at for:

  md        an md superblock: magic 0xa92b4efc at the start of a sector with
            major version 0 (minor 90/91) or 1 (md_p.h); the array's UUID
  md-bitmap an md write-intent bitmap superblock, "bitm" with a version
            md knows, 3 to 5 (md-bitmap.h); the array's UUID
  lvm       an LVM2 label, "LABELONE" ... "LVM2 001"; the PV UUID
  lvm-mda   an LVM2 metadata area header, " LVM2 x[5A%r0N*>"; its offset
  luks      a LUKS header, "LUKS\\xba\\xbe" (1 or 2) or LUKS2's second header
            "SKUL\\xba\\xbe"; the UUID
  gpt       a GPT header, "EFI PART"; the disk GUID
  mbr       sector 0 with 0x55aa and a partition entry other than 0xee;
            the disk signature (bytes 440-443)
  ext       an ext2/3/4 superblock of block group 0 (magic 0xef53, at 1 KiB
            of its filesystem); the UUID and label

Prints one line per find: "OFFSET KIND IDENTITY [detail]", offsets in bytes.
With --range (bytes, END excluded), only what starts in those ranges.
"""

import argparse
import os
import struct
import uuid

SECTOR = 512
CHUNK = 1 << 20


def guid(b):
    return str(uuid.UUID(bytes_le=bytes(b)))


def md(sec):
    major, minor = struct.unpack_from("<II", sec, 4)
    if major == 0 and minor in (90, 91):
        w = struct.unpack_from("<16I", sec, 0)
        return "%08x:%08x:%08x:%08x" % (w[5], w[13], w[14], w[15]), "0.%d" % minor
    if major == 1:
        return bytes(sec[16:32]).hex(), "1.x"
    return None


# Magic numbers and where they sit in their sector.
MAGICS = [(b"\xfc\x4e\x2b\xa9", 0), (b"bitm", 0), (b"LABELONE", 0), (b" LVM2 x[5A%r0N*>", 4),
          (b"LUKS\xba\xbe", 0), (b"SKUL\xba\xbe", 0), (b"EFI PART", 0), (b"\x53\xef", 56)]


def scan(path, ranges):
    fd = os.open(path, os.O_RDONLY)
    size = os.fstat(fd).st_size
    ranges = [(max(0, lo), min(hi, size)) for lo, hi in ranges] or [(0, size)]
    found = []
    for lo, hi in ranges:
        off = lo
        while off < hi:
            try:
                data = os.lseek(fd, off, os.SEEK_DATA)
            except OSError:
                break
            if data >= hi:
                break
            end = min(os.lseek(fd, data, os.SEEK_HOLE), hi)
            pos = data - data % SECTOR
            while pos < end:
                n = min(CHUNK, end - pos)
                # 1 KiB more, for an ext superblock that straddles the chunk's end.
                buf = os.pread(fd, n + 1024, pos)
                sectors = set()
                for magic, at in MAGICS:
                    i = buf.find(magic, 0, n)
                    while i >= 0:
                        if i % SECTOR == at:
                            sectors.add(i - at)
                        i = buf.find(magic, i + 1, n)
                for s in sorted(sectors):
                    look(buf, s, pos + s, found)
                if pos == 0 and lo == 0:
                    look(buf, 0, 0, found)
                pos += n
            off = end
    os.close(fd)
    return sorted(set(found))


def look(buf, s, at, found):
    sec = memoryview(buf)[s : s + SECTOR]
    if len(sec) < SECTOR:
        return
    magic4 = bytes(sec[:4])
    if magic4 == b"\xfc\x4e\x2b\xa9":
        r = md(sec)
        if r:
            found.append((at, "md", r[0], "metadata " + r[1]))
    elif magic4 == b"bitm" and 3 <= struct.unpack_from("<I", sec, 4)[0] <= 5:
        found.append((at, "md-bitmap", bytes(sec[8:24]).hex(), ""))
    elif bytes(sec[:8]) == b"LABELONE" and bytes(sec[24:32]) == b"LVM2 001":
        found.append((at, "lvm", bytes(sec[32:64]).decode("ascii", "replace"), ""))
    elif bytes(sec[4:20]) == b" LVM2 x[5A%r0N*>":
        found.append((at, "lvm-mda", "at-%d" % at, ""))
    elif bytes(sec[:6]) in (b"LUKS\xba\xbe", b"SKUL\xba\xbe"):
        ident = bytes(sec[168:208]).split(b"\0")[0].decode("ascii", "replace")
        which = "header 1" if sec[0] == ord("L") else "header 2"
        found.append((at, "luks", ident, which))
    elif bytes(sec[:8]) == b"EFI PART":
        lba = struct.unpack_from("<Q", sec, 24)[0]
        found.append((at, "gpt", guid(sec[56:72]), "header at LBA %d" % lba))
    if at == 0 and bytes(sec[510:512]) == b"\x55\xaa":
        types = [sec[446 + 16 * i + 4] for i in range(4)]
        if any(t not in (0, 0xEE) for t in types):
            found.append((0, "mbr", bytes(sec[440:444]).hex(), "types " + " ".join("%02x" % t for t in types)))
    # An ext superblock is 1 KiB into its filesystem: magic at byte 56, group at 90.
    if bytes(sec[56:58]) == b"\x53\xef" and s + 1024 <= len(buf):
        sb = memoryview(buf)[s : s + 1024]
        log_block = struct.unpack_from("<I", sb, 24)[0]
        rev = struct.unpack_from("<I", sb, 76)[0]
        group = struct.unpack_from("<H", sb, 90)[0]
        if log_block <= 6 and rev <= 1 and group == 0:
            label = bytes(sb[120:136]).split(b"\0")[0].decode("ascii", "replace")
            found.append((at - 1024, "ext", guid_be(sb[104:120]), "label '%s'" % label))


def guid_be(b):
    return str(uuid.UUID(bytes=bytes(b)))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("image")
    p.add_argument("--range", action="append", default=[], metavar="START:END")
    args = p.parse_args()
    ranges = [tuple(int(x) for x in r.split(":")) for r in args.range]
    for at, kind, ident, detail in scan(args.image, ranges):
        print(("%d %s %s %s" % (at, kind, ident, detail)).rstrip())


if __name__ == "__main__":
    main()
