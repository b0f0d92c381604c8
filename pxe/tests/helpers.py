"""Shared fixtures of the xsraid-pxe tests: inventories, a template, boot
files, and a generated tree served by a private nginx."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

PXE = Path(__file__).resolve().parent.parent
TOP = PXE.parent
sys.path.insert(0, str(PXE))

from xsraid_pxe.cli import main  # noqa: E402

HEADER = "mac,hostname,disk1,disk2,ip,gateway,dns,serial,console,wipe,reprovision,xen-args\n"
ROWS = [
    "52:54:00:12:34:56,xs01,sda,sdb,192.0.2.11,192.0.2.254,192.0.2.53,,hvc,,,"
    "\"dom0_mem=1024M,max:1024M dom0_max_vcpus=1\"\n",
    "52:54:00:12:34:57,xs02,sda,sdb,192.0.2.12,,,\"ttyS1,57600\",,force,,\n",
    "52-54-00-12-34-58,XS03,/dev/sdc,disk/by-id/ata-ST2000_Z1E0AAAA,192.0.2.13,,,none,,,,\n",
]

TEMPLATE = TOP / "answerfile" / "examples" / "raid-attribute.xml"


def boot_files(d):
    """Small stand-ins for lpxelinux.0, the modules and the install set: bytes to serve."""
    d = Path(d)
    (d / "modules").mkdir(parents=True, exist_ok=True)
    for name in ("ldlinux.c32", "mboot.c32", "libcom32.c32"):
        (d / "modules" / name).write_bytes(f"module {name}\n".encode())
    files = {"pxelinux": d / "lpxelinux.0", "xen": d / "xen.gz", "vmlinuz": d / "vmlinuz",
             "install_img": d / "install.img"}
    for key, path in files.items():
        path.write_bytes(f"{key} ".encode() * 1000)
    return files


class Fleet(unittest.TestCase):
    """A temporary directory with an inventory, boot files and a way to run generate."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="xsraid-pxe-test-"))
        # nginx's workers (www-data) read the tree.
        os.chmod(self.tmp, 0o755)
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.files = boot_files(self.tmp / "src")
        self.out = self.tmp / "out"
        self.inventory = self.tmp / "hosts.csv"
        self.write_inventory(HEADER + "".join(ROWS))
        self.server = "http://192.0.2.1"
        self.interface = "eth1"
        self.netmask = "255.255.255.0"

    def write_inventory(self, text):
        self.inventory.write_text(text)

    def generate(self, *extra, expect=0):
        args = ["generate", "--inventory", str(self.inventory), "--answerfile", str(TEMPLATE),
                "--out", str(self.out), "--server", self.server, "--interface", self.interface,
                "--netmask", self.netmask,
                "--xen", str(self.files["xen"]), "--vmlinuz", str(self.files["vmlinuz"]),
                "--install-img", str(self.files["install_img"]),
                "--pxelinux", str(self.files["pxelinux"]),
                "--syslinux-modules", str(self.tmp / "src" / "modules"), *extra]
        out, err, rc = run_main(args)
        self.assertEqual(rc, expect, f"generate exited {rc}: {err}")
        return out, err

    def current(self):
        return self.out / "current"


def run_main(args):
    """Runs the command in-process; returns (stdout, stderr, exit status)."""
    import contextlib
    import io
    o, e = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
        try:
            rc = main(args)
        except SystemExit as x:
            rc = x.code
    return o.getvalue(), e.getvalue(), rc


def tree_bytes(root):
    """{relative path: bytes} of every regular file below @root."""
    root = Path(root)
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def have(program):
    return shutil.which(program) is not None


class Served(Fleet):
    """The generated tree served by nginx on 127.0.0.1 (pxe/serve)."""

    INVENTORY = HEADER + "".join(r.replace("192.0.2.", "127.0.2.") for r in ROWS)

    def setUp(self):
        super().setUp()
        if not have("nginx"):
            self.skipTest("nginx is not installed (tools/install-deps installs it)")
        self.port = free_port()
        self.server = f"http://127.0.0.1:{self.port}"
        self.netmask = "255.0.0.0"
        self.write_inventory(self.INVENTORY)
        self.generate()
        self.run_dir = self.tmp / "run"
        self.serve = PXE / "serve"
        subprocess.run([str(self.serve), "start", str(self.out), str(self.run_dir)], check=True)
        self.addCleanup(subprocess.run, [str(self.serve), "stop", str(self.run_dir)])

    def url(self, path):
        return f"{self.server}{path}"


def env_flag(name):
    return os.environ.get(name, "") not in ("", "0")
