#!/usr/bin/env python3
"""The benchmark's dom0: a disk image holding a root tree the size of a real
XenServer 6.0.2 dom0's, which the installer stand-in copies onto the new
root filesystem (fixture_payload=DEV, tests/qemu/installer/init).

  mkpayload.py tree PKGS KERNEL DOM0 OUT
      OUT: every package unpacked in PKGS (fetch-debs.sh --bench) and the
      kernel package's modules (KERNEL), merged, without any path the
      stand-in's dom0 tree (DOM0) has, plus what packages do not ship but a
      running dom0 has: tzdata's aliases as hard links (as zic makes them and
      CentOS ships them), sparse files (lastlog, faillog, the rpm database's
      environment), file capabilities, POSIX ACLs and user xattrs.

  mkpayload.py image TREE FRACTION LIBDIRS OUT
      OUT: an ext4 image with root/ = FRACTION of TREE (1 = TREE itself;
      2.5 = TREE, a second copy of it under opt/fill/1, and half of it, by
      inode, under opt/fill/2; 0.2 = a fifth of it, by inode), and
      copier/ = GNU cp with its libraries and the loader, found in LIBDIRS
      (colon-separated package directories), which the installer runs to
      keep hard links, xattrs and holes (busybox cp keeps none of them).
      Writes OUT.stats: what root/ holds.

Runs as root on the host (ownership, security.* xattrs); mounts nothing.
"""
import os
import stat
import subprocess
import sys
import zlib
from pathlib import Path

KIB = 1024
MIB = 1024 * KIB

# Size classes for the histogram of regular files.
SIZE_CLASSES = [(4 * KIB, "< 4 KiB"), (64 * KIB, "4-64 KiB"), (MIB, "64 KiB-1 MiB"),
                (16 * MIB, "1-16 MiB"), (None, ">= 16 MiB")]


def run(argv, **kw):
    subprocess.run(argv, check=True, **kw)


def entries(root):
    """Every path below root (relative, '' excluded), directories first."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        for name in dirnames + sorted(filenames):
            yield os.path.normpath(os.path.join(rel, name))


# --- the merged tree ----------------------------------------------------------

def merge_packages(pkgs, kernel, out):
    out.mkdir(parents=True)
    sources = sorted(p for p in pkgs.iterdir() if p.is_dir()) + [kernel]
    for src in sources:
        # cp -a merges directories and keeps owners, modes, times and links.
        run(["cp", "-a", "--no-preserve=context", f"{src}/.", f"{out}/"])
    for marker in out.glob(".unpacked"):
        marker.unlink()


def drop_dom0_paths(dom0, out):
    """The stand-in's files win: drop every payload path the dom0 tree has as
    a non-directory, and every payload non-directory where dom0 has a
    directory."""
    for rel in entries(dom0):
        d = dom0 / rel
        o = out / rel
        if not os.path.lexists(o):
            continue
        if stat.S_ISDIR(os.lstat(d).st_mode) and stat.S_ISDIR(os.lstat(o).st_mode):
            continue
        if stat.S_ISDIR(os.lstat(o).st_mode):
            run(["rm", "-rf", str(o)])
        else:
            o.unlink()


def tzdata_hard_links(out):
    """zic makes a hard link for each Link line; Debian turns them into
    symlinks.  Back to hard links, as CentOS's tzdata ships them."""
    zi = out / "usr/share/zoneinfo"
    n = 0
    for rel in list(entries(zi)):
        p = zi / rel
        if not p.is_symlink():
            continue
        target = (p.parent / os.readlink(p)).resolve()
        if target.is_file() and not target.is_symlink() and zi.resolve() in target.parents:
            p.unlink()
            os.link(target, p)
            n += 1
    return n


def sparse_file(path, apparent, pieces, mode=0o644):
    """A file of APPARENT bytes with data only in PIECES [(offset, bytes)]."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        for off, data in pieces:
            f.seek(off)
            f.write(data)
        f.truncate(apparent)
    os.chmod(path, mode)


def add_sparse_files(out):
    # lastlog: one 292-byte record per uid up to nfsnobody's 65534, written
    # for root and a few users only.
    rec = b"\x5b\x2f\x1a\x4f" + b"pts/0".ljust(32, b"\0") + b"10.0.0.1".ljust(256, b"\0")
    sparse_file(out / "var/log/lastlog", 65535 * 292,
                [(uid * 292, rec) for uid in (0, 1, 500, 501, 65534)])
    sparse_file(out / "var/log/faillog", 65535 * 32, [(0, b"\1" * 32), (500 * 32, b"\2" * 32)])
    # Berkeley DB environment regions of rpm: mapped, written page by page.
    page = bytes(range(256)) * 16
    for i, size in enumerate((24 * KIB, 1320 * KIB, 456 * KIB, 11 * MIB), start=1):
        sparse_file(out / f"var/lib/rpm/__db.{i:03d}", size,
                    [(0, page), (size // 2 & ~4095, page), (size - 4096, page)])
    return 7


def cap_xattr(*caps):
    """security.capability, VFS_CAP_REVISION_2, permitted and effective."""
    bits = sum(1 << c for c in caps)
    return (0x02000001).to_bytes(4, "little") + bits.to_bytes(4, "little") + bytes(4) + bytes(8)


def add_xattrs(out, pkgs):
    n = 0
    # File capabilities some distributions use instead of setuid.
    for rel, caps in (("usr/lib/qemu/qemu-bridge-helper", (12,)),      # cap_net_admin
                      ("usr/sbin/xtables-legacy-multi", (12, 13)),   # + cap_net_raw
                      ("usr/bin/newuidmap", (6, 7))):                 # cap_setgid, setuid
        p = out / rel
        if p.is_file() and not p.is_symlink():
            os.setxattr(p, "security.capability", cap_xattr(*caps), follow_symlinks=False)
            n += 1
    # A log directory readable by group adm through ACLs, inherited.
    logdir = out / "var/log"
    acl = bytes.fromhex("0200000001000700ffffffff04000500ffffffff08000500040000001000"
                        "0500ffffffff20000500ffffffff")
    os.setxattr(logdir, "system.posix_acl_access", acl)
    os.setxattr(logdir, "system.posix_acl_default", acl)
    n += 2
    # Where each package's first regular file came from, as a user xattr.
    for pkg in sorted(p for p in pkgs.iterdir() if p.is_dir()):
        for rel in entries(pkg):
            src = pkg / rel
            if src.is_file() and not src.is_symlink() and (out / rel).is_file() \
                    and not (out / rel).is_symlink():
                os.setxattr(out / rel, "user.origin", f"debian:{pkg.name}".encode(),
                            follow_symlinks=False)
                n += 1
                break
    return n


def cmd_tree(pkgs, kernel, dom0, out):
    pkgs, kernel, dom0, out = Path(pkgs), Path(kernel), Path(dom0), Path(out)
    tmp = out.with_name(out.name + ".tmp")
    run(["rm", "-rf", str(tmp)])
    merge_packages(pkgs, kernel, tmp)
    drop_dom0_paths(dom0, tmp)
    links = tzdata_hard_links(tmp)
    sparse = add_sparse_files(tmp)
    xattrs = add_xattrs(tmp, pkgs)
    print(f"mkpayload: tree {out}: {links} tzdata hard links, {sparse} sparse files, "
          f"{xattrs} xattrs added")
    run(["rm", "-rf", str(out)])
    tmp.rename(out)


# --- the image ----------------------------------------------------------------

def sample(tree, dest, fraction):
    """Copies FRACTION (0 < f < 1) of TREE's inodes to DEST, chosen by a hash
    of each inode's first name, with every directory: the same mix of
    sizes, links and attributes, in proportion."""
    first = {}
    names = []
    dirs = []
    for rel in entries(tree):
        st = os.lstat(tree / rel)
        if stat.S_ISDIR(st.st_mode):
            dirs.append(rel)
            continue
        key = (st.st_dev, st.st_ino)
        first.setdefault(key, rel)
        names.append((rel, key))
    keep = {k for k, rel in first.items()
            if zlib.crc32(rel.encode()) / 2**32 < fraction}
    chosen = dirs + [rel for rel, key in names if key in keep]
    dest.mkdir(parents=True, exist_ok=True)
    listing = dest.with_name(dest.name + ".list")
    listing.write_bytes(b"\0".join(r.encode() for r in chosen) + b"\0")
    tar_opts = ["--xattrs", "--xattrs-include=*", "--acls", "--sparse", "--numeric-owner"]
    c = subprocess.Popen(["tar", "-C", str(tree), "-c", "-f", "-", "--no-recursion",
                          "--null", "-T", str(listing)] + tar_opts, stdout=subprocess.PIPE)
    run(["tar", "-C", str(dest), "-x", "-f", "-", "--same-owner", "-p"] + tar_opts,
        stdin=c.stdout)
    if c.wait() != 0:
        sys.exit("mkpayload: tar failed")
    listing.unlink()


def needed(elf):
    out = subprocess.run(["readelf", "-d", str(elf)], capture_output=True, text=True,
                         check=True).stdout
    return [line.split("[", 1)[1].split("]", 1)[0] for line in out.splitlines()
            if "(NEEDED)" in line]


def copier(libdirs, dest):
    """GNU cp, its libraries and the loader, flat in DEST."""
    roots = [Path(d) for d in libdirs.split(":")]
    pkgdirs = [p for r in roots for p in sorted(r.iterdir()) if p.is_dir()]

    def find(rel_candidates):
        for p in pkgdirs:
            for rel in rel_candidates:
                if (p / rel).exists():
                    return p / rel
        sys.exit(f"mkpayload: none of {rel_candidates} in {libdirs}")

    dest.mkdir(parents=True)
    todo = [find(["bin/cp", "usr/bin/cp"])]
    run(["cp", "-L", str(todo[0]), str(dest / "cp")])
    seen = set()
    while todo:
        for lib in needed(todo.pop()):
            if lib in seen:
                continue
            seen.add(lib)
            src = find([f"lib/x86_64-linux-gnu/{lib}", f"usr/lib/x86_64-linux-gnu/{lib}"])
            run(["cp", "-L", str(src), str(dest / lib)])
            todo.append(src)
    run(["cp", "-L", str(find(["lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"])),
         str(dest / "ld-linux-x86-64.so.2")])


def stats(root):
    """What a tree holds, as key=value lines."""
    s = {"files": 0, "dirs": 0, "symlinks": 0, "other": 0, "bytes": 0, "allocated": 0,
         "hardlinked_inodes": 0, "hardlink_names": 0, "sparse_files": 0, "xattrs": 0}
    hist = {label: [0, 0] for _, label in SIZE_CLASSES}
    seen = set()
    for rel in entries(root):
        p = root / rel
        st = os.lstat(p)
        if not stat.S_ISLNK(st.st_mode):
            s["xattrs"] += len(os.listxattr(p, follow_symlinks=False))
        if stat.S_ISDIR(st.st_mode):
            s["dirs"] += 1
            continue
        if stat.S_ISLNK(st.st_mode):
            s["symlinks"] += 1
            continue
        if not stat.S_ISREG(st.st_mode):
            s["other"] += 1
            continue
        s["files"] += 1
        if st.st_nlink > 1:
            s["hardlink_names"] += 1
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            s["hardlinked_inodes"] += 1
        s["bytes"] += st.st_size
        s["allocated"] += st.st_blocks * 512
        if st.st_blocks * 512 + 4096 < st.st_size:
            s["sparse_files"] += 1
        for limit, label in SIZE_CLASSES:
            if limit is None or st.st_size < limit:
                hist[label][0] += 1
                hist[label][1] += st.st_size
                break
    lines = [f"{k}={v}" for k, v in s.items()]
    lines += [f"size {label}={n} {b}" for label, (n, b) in hist.items()]
    return lines


def cmd_image(tree, fraction, libdirs, out):
    tree, out, f = Path(tree), Path(out), float(fraction)
    stage = out.with_name(out.name + ".stage")
    run(["rm", "-rf", str(stage)])
    root = stage / "root"
    whole = int(f)
    for i in range(whole):
        dest = root if i == 0 else root / f"opt/fill/{i}"
        dest.mkdir(parents=True)
        run(["cp", "-a", f"{tree}/.", f"{dest}/"])
    if f - whole > 1e-6:
        sample(tree, root if whole == 0 else root / f"opt/fill/{whole}", f - whole)
    copier(libdirs, stage / "copier")
    lines = stats(root)
    info = dict(line.split("=", 1) for line in lines if not line.startswith("size "))
    # Room for the tree's blocks, one inode each, and ext4's own metadata.
    blocks = int(info["allocated"]) // 4096 + sum(int(info[k]) for k in ("dirs", "symlinks"))
    inodes = sum(int(info[k]) for k in ("files", "dirs", "symlinks", "other")) + 4096
    size_mib = (blocks * 4096 * 11 // 10 + inodes * 256) // MIB + 256
    tmp = out.with_name(out.name + ".tmp")
    run(["rm", "-f", str(tmp)])
    run(["mke2fs", "-q", "-F", "-t", "ext4", "-O", "^has_journal", "-b", "4096",
         "-N", str(inodes), "-L", "bench-payload", "-d", str(stage), str(tmp), f"{size_mib}M"])
    Path(str(out) + ".stats").write_text(f"fraction={fraction}\n" + "\n".join(lines) + "\n")
    tmp.rename(out)
    run(["rm", "-rf", str(stage)])
    print(f"mkpayload: {out}: fraction {fraction}, {info['files']} files, "
          f"{int(info['bytes']) / MIB:.0f} MiB in {size_mib} MiB")


def main(argv):
    if len(argv) == 6 and argv[1] == "tree":
        cmd_tree(*argv[2:])
    elif len(argv) == 6 and argv[1] == "image":
        cmd_image(*argv[2:])
    else:
        sys.exit("usage: mkpayload.py tree PKGS KERNEL DOM0 OUT | image TREE FRACTION LIBDIRS OUT")


if __name__ == "__main__":
    main(sys.argv)
