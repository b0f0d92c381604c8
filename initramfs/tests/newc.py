#!/usr/bin/env python3
"""newc cpio fixtures and checks for the remaster's command-line tests, written
independently of the C reader and writer they test.

  newc.py fixture KIND OUT    an uncompressed installer-like archive:
                              602 (XenServer 6.0.2-like, every entry type),
                              systemd (init -> sbin/init -> systemd),
                              no-installer (no /opt/xensource/installer)
  newc.py compare STOCK OUT   every entry of STOCK is in OUT, byte for byte
                              and in the same order, before anything else;
                              prints the names OUT adds
  newc.py first-member GZ     the gzip file is one member: what the first
                              member inflates to is all there is
"""
import stat
import sys
import zlib

KVER = "2.6.32.12-0.7.1.xs6.0.2.542.170665xen"


def header(name, mode, data, ino, uid=0, gid=0, nlink=1, mtime=1327000000, rdev=(0, 0)):
    namez = name.encode() + b"\0"
    fields = (ino, mode, uid, gid, nlink, mtime, len(data), 8, 1, rdev[0], rdev[1], len(namez), 0)
    out = b"070701" + "".join("%08X" % v for v in fields).encode() + namez
    out += b"\0" * (-len(out) % 4)
    return out + data + b"\0" * (-len(data) % 4)


class Archive:
    def __init__(self):
        self.out = bytearray()
        self.ino = 300

    def add(self, name, mode, data=b"", **kw):
        self.ino += 1
        kw.setdefault("ino", self.ino)
        self.out += header(name, mode, data, **kw)

    def dirs(self, *names):
        for n in names:
            self.add(n, stat.S_IFDIR | 0o755, nlink=2)

    def links(self, names, data, ino):
        for i, n in enumerate(names):
            last = i == len(names) - 1
            self.add(n, stat.S_IFREG | 0o755, data if last else b"", ino=ino, nlink=len(names))

    def end(self):
        self.out += header("TRAILER!!!", 0, b"", 0)
        self.out += b"\0" * (-len(self.out) % 512)
        return bytes(self.out)


def fixture(kind):
    a = Archive()
    # Upper-case hex digits, as the kernel's gen_init_cpio writes them: kept as they are.
    a.dirs(".", "bin", "dev", "etc", "sbin", "usr", "usr/bin", "lib", "lib/modules",
           "lib/modules/" + KVER, "lib/modules/%s/kernel" % KVER,
           "lib/modules/%s/kernel/drivers" % KVER, "lib/modules/%s/kernel/drivers/md" % KVER)
    if kind != "no-installer":
        a.dirs("opt", "opt/xensource", "opt/xensource/installer")
        a.add("opt/xensource/installer/init", stat.S_IFREG | 0o755, b"#!/usr/bin/env python\n")
    if kind == "systemd":
        a.dirs("usr/lib", "usr/lib/systemd")
        a.add("usr/lib/systemd/systemd", stat.S_IFREG | 0o755, b"\x7fELF systemd")
        a.add("sbin/init", stat.S_IFLNK | 0o777, b"../usr/lib/systemd/systemd")
        a.add("init", stat.S_IFLNK | 0o777, b"sbin/init")
    else:
        a.links(["init", "bin/busybox", "bin/sh"], b"\x7fELF busybox" * 100, ino=7)
    a.add("bin/ash", stat.S_IFLNK | 0o777, b"busybox")
    a.add("dev/console", stat.S_IFCHR | 0o600, rdev=(5, 1))
    a.add("dev/sda", stat.S_IFBLK | 0o660, gid=6, rdev=(8, 0))
    a.add("dev/initctl", stat.S_IFIFO | 0o600)
    a.add("usr/bin/passwd", stat.S_IFREG | 0o4755, b"\x7fELF passwd", mtime=0)
    a.add("etc/owned by 500", stat.S_IFREG | 0o640, b"x\n", uid=500, gid=500, mtime=0xFFFFFFFF)
    a.add("etc/empty", stat.S_IFREG | 0o644)
    a.add("etc/" + "l" * 250, stat.S_IFREG | 0o644, b"long name\n")
    a.add("usr/bin/big", stat.S_IFREG | 0o755, bytes((i * 7 + i // 251) & 0xFF for i in range(300 * 1024 + 3)))
    a.add("sbin/sgdisk", stat.S_IFREG | 0o755, b"\x7fELF sgdisk")
    a.add("sbin/mdadm", stat.S_IFREG | 0o755, b"\x7fELF mdadm")
    for m in ("md-mod", "raid1"):
        a.add("lib/modules/%s/kernel/drivers/md/%s.ko" % (KVER, m), stat.S_IFREG | 0o644, b"ko")
    return a.end()


def entries(buf):
    """(offset, size, name) of every entry up to the first trailer."""
    pos, out = 0, []
    while True:
        if buf[pos:pos + 6] not in (b"070701", b"070702"):
            raise SystemExit("no newc header at offset %d" % pos)
        f = [int(buf[pos + 6 + 8 * i:pos + 14 + 8 * i], 16) for i in range(13)]
        namesize, filesize = f[11], f[6]
        name = buf[pos + 110:pos + 110 + namesize - 1].decode()
        end = pos + 110 + namesize
        end += -end % 4
        end += filesize
        end += -end % 4
        if name == "TRAILER!!!":
            return out
        out.append((pos, end - pos, name))
        pos = end


def compare(stock, new):
    s, n = entries(stock), entries(new)
    for i, (off, size, name) in enumerate(s):
        if i >= len(n) or n[i][2] != name:
            raise SystemExit("entry %d: %s is not in its place" % (i, name))
        if new[n[i][0]:n[i][0] + n[i][1]] != stock[off:off + size]:
            raise SystemExit("entry %s changed" % name)
    for _, _, name in n[len(s):]:
        print(name)


def main():
    cmd = sys.argv[1]
    if cmd == "fixture":
        with open(sys.argv[3], "wb") as f:
            f.write(fixture(sys.argv[2]))
    elif cmd == "compare":
        compare(open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read())
    elif cmd == "first-member":
        d = zlib.decompressobj(31)
        data = open(sys.argv[2], "rb").read()
        d.decompress(data)
        if not d.eof or d.unused_data:
            raise SystemExit("%s is not a single gzip member" % sys.argv[2])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
