#!/usr/bin/env python3
"""Benchmark: xsraid-pxe generate for 10,000 hosts.

    python3 pxe/bench/generate.py WORKDIR

Prints where the time goes (checking the inventory, rendering, writing and
publishing), for the whole command on tmpfs (/dev/shm: the generator's own
cost) and on WORKDIR's filesystem (what the disk adds), then a rerun with
nothing changed and a run with one host changed.  The boot files are small
stand-ins: copying a real install.img into the content store happens once,
not per run, and is not what this measures.
"""

import os
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from helpers import TEMPLATE, boot_files, run_main  # noqa: E402
from xsraid_pxe.inventory import Fleet, parse_inventory  # noqa: E402
from xsraid_pxe.template import Template  # noqa: E402
from xsraid_pxe.tree import build, publish  # noqa: E402

HOSTS = 10000
RUNS = 3


def inventory(n, changed=None):
    lines = ["mac,hostname,disk1,disk2,ip,serial,console,wipe\n"]
    for i in range(n):
        ip = f"10.0.{(i + 2) >> 8 & 255}.{(i + 2) & 255}"
        if i == changed:
            ip = f"10.0.200.{i & 255}"
        lines.append(f"52:54:00:{i >> 16 & 255:02x}:{i >> 8 & 255:02x}:{i & 255:02x},"
                     f"xs{i:05d},sda,sdb,{ip},\"ttyS0,115200\",{'hvc' if i % 2 else ''},\n")
    return "".join(lines)


def command(work, out, inv):
    args = ["generate", "--inventory", str(inv), "--answerfile", str(TEMPLATE),
            "--out", str(out), "--server", "http://10.0.0.1", "--netmask", "255.255.0.0",
            "--interface", "eth1", "--xen", str(work / "src/xen.gz"),
            "--vmlinuz", str(work / "src/vmlinuz"), "--install-img", str(work / "src/install.img"),
            "--pxelinux", str(work / "src/lpxelinux.0"),
            "--syslinux-modules", str(work / "src/modules"), "--state-owner", ""]
    t = time.perf_counter()
    _, err, rc = run_main(args)
    if rc:
        sys.exit(f"generate failed: {err}")
    return time.perf_counter() - t


def phases(work, out, inv):
    fleet = Fleet(server="http://10.0.0.1", interface="eth1", netmask="255.255.0.0")
    t0 = time.perf_counter()
    hosts = parse_inventory(inv.read_bytes(), str(inv), fleet)
    t1 = time.perf_counter()
    template = Template(TEMPLATE.read_bytes(), str(TEMPLATE))
    files = build(fleet, hosts, template, out, "10.0.0.1:80")
    t2 = time.perf_counter()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    publish(out, "bench", files, {})
    t3 = time.perf_counter()
    return len(files), t1 - t0, t2 - t1, t3 - t2


def floor(out, nfiles):
    """The same number of 1 KiB files created with nothing else: what the kernel costs."""
    shutil.rmtree(out, ignore_errors=True)
    for d in ("a", "b", "c"):
        os.makedirs(out / d)
    data = b"x" * 1024
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    t = time.perf_counter()
    for i in range(nfiles):
        fd = os.open(f"{out}/{'abc'[i % 3]}/{i}", flags, 0o644)
        os.write(fd, data)
        os.close(fd)
    t = time.perf_counter() - t
    shutil.rmtree(out, ignore_errors=True)
    return t


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    work = Path(sys.argv[1]).resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    boot_files(work / "src")
    inv = work / "hosts.csv"
    inv.write_text(inventory(HOSTS))
    changed = work / "hosts-changed.csv"
    changed.write_text(inventory(HOSTS, changed=4321))
    places = [("disk", work / "out")]
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        places.insert(0, ("tmpfs", Path(f"/dev/shm/xsraid-pxe-bench-{os.getpid()}")))

    print(f"xsraid-pxe generate, {HOSTS} hosts (3 files each), median of {RUNS} runs; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'':34}" + "".join(f"{name:>14}" for name, _ in places))
    rows = {k: [] for k in ("check", "render", "write", "floor", "total", "rerun", "one")}
    nfiles = 0
    for _, out in places:
        samples = {k: [] for k in rows}
        for _ in range(RUNS):
            nfiles, check, render, write = phases(work, out / "phases", inv)
            shutil.rmtree(out, ignore_errors=True)
            samples["check"].append(check)
            samples["render"].append(render)
            samples["write"].append(write)
            samples["floor"].append(floor(out / "floor", nfiles))
            samples["total"].append(command(work, out, inv))
            samples["rerun"].append(command(work, out, inv))
            samples["one"].append(command(work, out, changed))
            shutil.rmtree(out, ignore_errors=True)
        for k in rows:
            rows[k].append(statistics.median(samples[k]))
    labels = {
        "check": "read and check the inventory",
        "render": f"render {nfiles} files in memory",
        "write": "write, sync, publish",
        "floor": f"  (creating {nfiles} files alone)",
        "total": "whole command, new tree",
        "rerun": "whole command, nothing changed",
        "one": "whole command, one host changed",
    }
    for k, label in labels.items():
        print(f"  {label:32}" + "".join(f"{v:12.3f} s" for v in rows[k]))
    for _, out in places:
        shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
