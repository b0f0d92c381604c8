#!/usr/bin/env python3
"""Prints xsraid's step journal found on a raw disk image, read on the host.

    journal-dump.py IMAGE

An independent reader of the format described in installer-hook/src/journal.h,
for checking what a power cut left on the second disk without booting
anything.  The journal sits in the last MiB before the backup GPT; the area
is found by its header magic, every header and record is checked against its
CRC32, and only records of the header's generation count (the first gap
ends the journal, as in xsraid).

Output, one line each:
    generation <n>
    payload <key>=<value>          (every line of the plan inputs)
    record <step> <step-id> <begin|done|failed|note|stage-done> <status> <detail>
Exit status 0 when a valid journal was found, 1 when none, 2 on usage errors.
"""
import struct
import sys
import zlib

AREA = 1024 * 1024
HEADER = 16 * 1024
BLOCK = 512
STEP_ID_MAX = 48
DETAIL_MAX = 300
R_STEP_ID = 40
R_DETAIL = R_STEP_ID + STEP_ID_MAX
R_CRC = R_DETAIL + DETAIL_MAX
EVENTS = {1: "begin", 2: "done", 3: "failed", 4: "note", 5: "stage-done"}


def cstr(b):
    return b.split(b"\0", 1)[0].decode("utf-8", "replace")


def header_at(img, off):
    img.seek(off)
    h = img.read(HEADER)
    if len(h) != HEADER or h[0:8] != b"XSRAIDJ1":
        return None
    version, plen = struct.unpack_from("<II", h, 8)
    crc = struct.unpack_from("<I", h, 48)[0]
    if version != 1 or plen > HEADER - 64:
        return None
    if zlib.crc32(h[:48] + b"\0\0\0\0" + h[52:]) != crc:
        return None
    generation = struct.unpack_from("<Q", h, 16)[0]
    return generation, h[64:64 + plen].decode("utf-8", "replace")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as img:
        img.seek(0, 2)
        size = img.seek(0, 2)
        # Search the last 2 MiB: the area ends 33 sectors before the end.
        found = None
        off = max(0, size - 2 * AREA) // BLOCK * BLOCK
        while off + AREA <= size:
            hdr = header_at(img, off)
            if hdr:
                found = (off, hdr)
                break
            off += BLOCK
        if not found:
            print("no xsraid journal", file=sys.stderr)
            return 1
        off, (generation, payload) = found
        print("generation %d" % generation)
        for line in payload.splitlines():
            print("payload " + line)
        img.seek(off + HEADER)
        blocks = img.read(AREA - HEADER)
        for i in range(0, len(blocks) - BLOCK + 1, BLOCK):
            r = blocks[i:i + BLOCK]
            if r[0:8] != b"XSRAIDR1" or struct.unpack_from("<Q", r, 8)[0] != generation:
                break
            if zlib.crc32(r[:R_CRC]) != struct.unpack_from("<I", r, R_CRC)[0]:
                break
            step, event, status = struct.unpack_from("<IIi", r, 20)
            print("record %d %s %s %d %s" % (step, cstr(r[R_STEP_ID:R_DETAIL]),
                                             EVENTS.get(event, str(event)), status,
                                             cstr(r[R_DETAIL:R_CRC])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
