#!/usr/bin/env python3
"""Benchmark: 50 hosts booting at once from the generated nginx, on loopback.

    python3 pxe/bench/boot_storm.py WORKDIR

Needs PXE_INSTALL_IMG, PXE_XEN, PXE_VMLINUZ, PXE_PXELINUX and PXE_MODULES
(pxe/pxe.mk sets them).  Generates a 50-host tree with the real install set,
serves it with nginx (pxe/serve), then starts 50 clients together; each
fetches what a host fetches over HTTP, in the same order and one connection
per file as lpxelinux does: its boot configuration, ldlinux.c32, mboot.c32,
libcom32.c32, xen.gz, vmlinuz, install.img, then its answerfile.  Every file
is checked against what was generated (size and SHA-256).  Prints the
throughput and the time each client took; fails unless all complete.
"""

import hashlib
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PXE = HERE.parent
sys.path.insert(0, str(PXE / "tests"))

from helpers import TEMPLATE, run_main  # noqa: E402

CLIENTS = 50


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(port, path):
    """(status, size, sha256) of one GET on a fresh connection, as lpxelinux does."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        c.request("GET", path)
        r = c.getresponse()
        h = hashlib.sha256()
        size = 0
        while True:
            chunk = r.read(1 << 20)
            if not chunk:
                break
            h.update(chunk)
            size += len(chunk)
        return r.status, size, h.hexdigest()
    finally:
        c.close()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    env = {k: os.environ.get(k) for k in ("PXE_INSTALL_IMG", "PXE_XEN", "PXE_VMLINUZ",
                                          "PXE_PXELINUX", "PXE_MODULES")}
    if not all(env.values()):
        sys.exit("set PXE_INSTALL_IMG, PXE_XEN, PXE_VMLINUZ, PXE_PXELINUX and PXE_MODULES "
                 "(make bench-pxe-http does)")
    work = Path(sys.argv[1]).resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    os.chmod(work, 0o755)
    port = free_port()
    inv = work / "hosts.csv"
    inv.write_text("mac,hostname,disk1,disk2,ip\n" + "".join(
        f"52:54:00:00:01:{i:02x},xs{i:02d},sda,sdb,127.0.1.{i + 10}\n" for i in range(CLIENTS)))
    out = work / "out"
    _, err, rc = run_main(["generate", "--inventory", str(inv), "--answerfile", str(TEMPLATE),
                           "--out", str(out), "--server", f"http://127.0.0.1:{port}",
                           "--netmask", "255.0.0.0", "--interface", "lo",
                           "--xen", env["PXE_XEN"], "--vmlinuz", env["PXE_VMLINUZ"],
                           "--install-img", env["PXE_INSTALL_IMG"],
                           "--pxelinux", env["PXE_PXELINUX"],
                           "--syslinux-modules", env["PXE_MODULES"]])
    if rc:
        sys.exit(f"generate failed: {err}")
    run = work / "run"
    subprocess.run([str(PXE / "serve"), "start", str(out), str(run)], check=True)
    try:
        http_root = out / "current" / "http"
        expected = {}
        for p in sorted(http_root.rglob("*")):
            if p.is_file():
                data = p.read_bytes()
                expected["/" + str(p.relative_to(http_root))] = (len(data),
                                                                 hashlib.sha256(data).hexdigest())
        boot = ["ldlinux.c32", "mboot.c32", "libcom32.c32", "xen.gz", "vmlinuz", "install.img"]
        plans = []
        for i in range(CLIENTS):
            key = f"01-52-54-00-00-01-{i:02x}"
            plans.append([f"/boot/pxelinux.cfg/{key}"] + [f"/boot/{b}" for b in boot] +
                         [f"/answerfiles/xs{i:02d}.xml"])
        start = threading.Barrier(CLIENTS + 1)
        results = [None] * CLIENTS

        def client(i):
            start.wait()
            t0 = time.perf_counter()
            got, problems = 0, []
            for path in plans[i]:
                try:
                    status, size, digest = fetch(port, path)
                except OSError as e:
                    problems.append(f"{path}: {e}")
                    continue
                got += size
                if status != 200 or (size, digest) != expected[path]:
                    problems.append(f"{path}: HTTP {status}, {size} bytes")
            results[i] = (time.perf_counter() - t0, got, problems)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        start.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
    finally:
        subprocess.run([str(PXE / "serve"), "stop", str(run)])

    times = sorted(r[0] for r in results)
    total = sum(r[1] for r in results)
    failed = [(i, p) for i, r in enumerate(results) for p in r[2]]
    per_client = sum(expected[p][0] for p in plans[0])
    print(f"{CLIENTS} clients at once against the generated nginx on 127.0.0.1 "
          f"({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}):")
    print(f"  each fetched {len(plans[0])} files, {per_client / 1e6:.1f} MB (install.img "
          f"{expected['/boot/install.img'][0] / 1e6:.1f} MB), one connection per file")
    print(f"  complete and correct: {CLIENTS - len({i for i, _ in failed})}/{CLIENTS} clients, "
          f"{CLIENTS * len(plans[0]) - len(failed)}/{CLIENTS * len(plans[0])} files")
    print(f"  wall time {wall:.2f} s: {total / wall / 1e6:.0f} MB/s, "
          f"{CLIENTS * len(plans[0]) / wall:.0f} requests/s")
    print(f"  per client: fastest {times[0]:.2f} s, median {statistics.median(times):.2f} s, "
          f"slowest {times[-1]:.2f} s")
    for i, p in failed[:10]:
        print(f"  client {i}: {p}")
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
