"""Building the served tree and publishing it atomically.

OUT/
  current -> gen/<id>   what dnsmasq and nginx serve; replaced in one rename
  gen/<id>/             one generation, never changed once published:
    tftp/lpxelinux.0                        the only file TFTP serves
    http/boot/{ldlinux,mboot,libcom32}.c32  what lpxelinux loads over HTTP
    http/boot/{xen.gz,vmlinuz,install.img}
    http/boot/pxelinux.cfg/default          boots the local disk
    http/boot/pxelinux.cfg/01-<mac>         per host: install
    http/answerfiles/<hostname>.xml         per host
    http/index.html, fleet.js, fleet.css    the fleet page
    dnsmasq/hosts/01-<mac>                  per host: its DHCP address
    dnsmasq.conf, nginx.conf
  files/<sha256>        the large files, stored once, hard-linked into generations,
                        removed when no kept generation uses them
  state/                written by the hosts (nginx WebDAV) and by reprovisioning:
    reports/<hostname>.json, final/01-<mac>.json, reprovision/<hostname>

A generation's id is a hash of everything it is made from (the generator's
own code included), so the same inputs give the same id, and publishing it
again changes nothing.  A generation is written in full under a temporary
name, synced, renamed, and only then does "current" point to it; the one
before stays, for a rollback; older ones go.
"""

import ctypes
import errno
import hashlib
import json
import os
import pwd
import shutil
from pathlib import Path

from . import PxeError
from .render import (BOOT_FILES, MODULES, default_config, dhcp_host, dnsmasq_conf,
                     install_config, nginx_conf, urls)

HERE = Path(__file__).resolve().parent
WWW = HERE.parent / "www"
STATE_DIRS = ("reports", "final", ".incoming")


class Sources:
    """The files every generation carries: the loader, its modules, the install set."""

    def __init__(self, pxelinux, modules_dir, xen, vmlinuz, install_img):
        self.big = {"tftp/lpxelinux.0": pxelinux}
        for m in MODULES:
            self.big[f"http/boot/{m}"] = os.path.join(modules_dir, m)
        for name, path in zip(BOOT_FILES, (xen, vmlinuz, install_img)):
            self.big[f"http/boot/{name}"] = path
        for rel, path in self.big.items():
            if not os.path.isfile(path):
                raise PxeError(f"{path}: no such file (needed as {rel})")


def build(fleet, hosts, template, out, listen):
    """Every small file of a generation: {relative path: bytes}."""
    files = {
        "http/boot/pxelinux.cfg/default": default_config(fleet).encode(),
        "dnsmasq.conf": dnsmasq_conf(fleet, out).encode(),
        "nginx.conf": nginx_conf(fleet, out, listen).encode(),
    }
    for page in sorted(WWW.iterdir()):
        files[f"http/{page.name}"] = page.read_bytes()
    for h in hosts:
        files[f"http/boot/pxelinux.cfg/{h.key}"] = install_config(fleet, h).encode()
        files[f"http/answerfiles/{h.hostname}.xml"] = template.render(h, urls(fleet, h))
        files[f"dnsmasq/hosts/{h.key}"] = dhcp_host(h).encode()
    return files


class Store:
    """OUT/files: large files by content, hashed once per (inode, size, mtime)."""

    def __init__(self, out):
        self.dir = out / "files"
        self.index_path = self.dir / "index.json"
        try:
            self.index = json.loads(self.index_path.read_text())
        except (OSError, ValueError):
            self.index = {}
        self.dirty = False

    def digest(self, path):
        st = os.stat(path)
        key = os.path.abspath(path)
        stamp = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]
        known = self.index.get(key)
        if known and known[:4] == stamp:
            return known[4]
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        self.index[key] = stamp + [h.hexdigest()]
        self.dirty = True
        return h.hexdigest()

    def put(self, path, digest):
        """The stored copy of @path: a copy, so rebuilding the source cannot change it."""
        target = self.dir / digest
        if not target.exists():
            tmp = self.dir / f".{digest}.{os.getpid()}"
            shutil.copyfile(path, tmp)
            os.chmod(tmp, 0o444)
            fsync_path(tmp)
            os.replace(tmp, target)
        return target

    def save(self):
        if self.dirty:
            write_atomic(self.index_path, json.dumps(self.index, sort_keys=True).encode())

    def prune(self):
        """Drops stored files no generation links to any more (an old install.img)."""
        for f in self.dir.iterdir():
            if len(f.name) == 64 and os.stat(f).st_nlink == 1:
                f.unlink()


def fsync_path(path, directory=False):
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path, data, mode=0o644):
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_path(path.parent, directory=True)


def sync_tree(path):
    """Everything written below @path reaches the disk (syncfs, else sync)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if getattr(libc, "syncfs", None) is None or libc.syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def generation_id(parts):
    h = hashlib.sha256()
    for source in sorted(HERE.glob("*.py")):
        h.update(source.read_bytes())
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def write_generation(tmp, files, big):
    made = set()
    root = str(tmp)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    for rel, data in files.items():
        parent = rel.rpartition("/")[0]
        if parent not in made:
            os.makedirs(f"{root}/{parent}", exist_ok=True)
            made.add(parent)
        # Plain strings and no buffering: creating the files is most of a big fleet's time.
        fd = os.open(f"{root}/{rel}", flags, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
    for rel, stored in big.items():
        os.makedirs(tmp / os.path.dirname(rel), exist_ok=True)
        try:
            os.link(stored, tmp / rel)
        except OSError as e:
            if e.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
                raise
            shutil.copyfile(stored, tmp / rel)


def publish(out, gen_id, files, big):
    """Makes gen/<gen_id> the current generation.  Returns the previous id, or None."""
    gens = out / "gen"
    current = out / "current"
    previous = os.readlink(current).split("/")[-1] if current.is_symlink() else None
    target = gens / gen_id
    if not target.is_dir():
        tmp = gens / f".tmp-{gen_id}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        write_generation(tmp, files, big)
        sync_tree(tmp)
        os.rename(tmp, target)
        fsync_path(gens, directory=True)
    if previous != gen_id:
        link = out / f".current.{os.getpid()}"
        if link.is_symlink():
            link.unlink()
        os.symlink(f"gen/{gen_id}", link)
        os.replace(link, current)
        fsync_path(out, directory=True)
    for old in gens.iterdir():
        if old.name not in (gen_id, previous):
            shutil.rmtree(old, ignore_errors=True)
    return previous


def lookup_owner(owner):
    if not owner:
        return None
    try:
        return pwd.getpwnam(owner)
    except KeyError:
        raise PxeError(f"--state-owner: no user '{owner}' (nginx's worker user, such as "
                       f"www-data)") from None


def prepare_state(out, owner):
    """The directories hosts PUT into, owned by nginx's worker user (@owner, a pwd entry)."""
    state = out / "state"
    for d in STATE_DIRS + ("reprovision",):
        (state / d).mkdir(parents=True, exist_ok=True)
        os.chmod(state / d, 0o755)
    if owner:
        for d in STATE_DIRS:
            os.chown(state / d, owner.pw_uid, owner.pw_gid)
    return state


def reprovision(state, hosts):
    """Clears the final report of each host whose reprovision token is new.

    The token last acted on is kept in state/reprovision/<hostname>: the same
    inventory run again changes nothing, so a reinstalled host is not
    installed again, and a new token installs it once more.
    """
    armed = []
    for h in hosts:
        if not h.reprovision:
            continue
        record = state / "reprovision" / h.hostname
        try:
            if record.read_text().strip() == h.reprovision:
                continue
        except FileNotFoundError:
            pass
        for stale in (state / "final" / f"{h.key}.json", state / "reports" / f"{h.hostname}.json"):
            stale.unlink(missing_ok=True)
        write_atomic(record, f"{h.reprovision}\n".encode())
        armed.append(h)
    return armed


def generate(fleet, hosts, template, sources, out, listen, owner, inputs, inventory_name):
    """Builds and publishes; returns (gen_id, previous id, hosts armed for reprovisioning)."""
    out = Path(out).resolve()
    if any(c in str(out) for c in "\"';{} \t\n$\\"):
        raise PxeError(f"--out: '{out}' has characters that dnsmasq and nginx configuration "
                       f"cannot quote; choose a plain path")
    owner = lookup_owner(owner)
    for h in hosts:
        template.check_host(h, f"{inventory_name}:{h.line}: ")
    (out / "files").mkdir(parents=True, exist_ok=True)
    store = Store(out)
    digests = {rel: store.digest(path) for rel, path in sources.big.items()}
    gen_id = generation_id([repr(fleet), listen, out, *inputs,
                            *(f"{rel}={d}" for rel, d in sorted(digests.items()))])
    files, big = {}, {}
    if not (out / "gen" / gen_id).is_dir():
        files = build(fleet, hosts, template, out, listen)
        big = {rel: store.put(sources.big[rel], d) for rel, d in digests.items()}
    store.save()
    previous = publish(out, gen_id, files, big)
    store.prune()
    state = prepare_state(out, owner)
    armed = reprovision(state, hosts)
    return gen_id, previous, armed
