#!/usr/bin/env python3
"""The benchmark's tables (make bench, make bench-report), from the runs in
build/qemu/bench/results (run.sh) and from measurements taken now: the
static helper's size and what each library adds to it (its link map), the
bytes xsraid-remaster adds to install.img, and the copy's throughput on this
machine's page cache against cp -a (bench_copy).

Times are medians over the repetitions, with the smallest and largest in
brackets; bytes are per disk as the guest's /sys/block/sdX/stat counted
them.  Every run records the host's load average (1 min), sampled every 5 s.
"""
import argparse
import gzip
import os
import re
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

STAGES = ("filesystem-populated", "installation-complete")
PROCS = ("seed", "xsraid", "xsraid-blocks", "limit")
PROC_NAMES = {
    "seed": "(a) manual procedure",
    "xsraid": "(b) xsraid, copy=files",
    "xsraid-blocks": "(b') xsraid, copy=blocks",
    "limit": "(c) limit: used blocks once",
}
MIB = 1024 * 1024
GIB = 1024 * MIB


# --- one run -------------------------------------------------------------------

class Run:
    def __init__(self, path):
        self.name = path.name
        self.info = dict(line.split("=", 1) for line in (path / "run").read_text().split())
        self.events = []
        steps = self._xsraid_steps(path)
        for line in (path / "events").read_text().splitlines():
            f = line.split()
            if steps is not None and f[5:6] == ["step"] and f[6] not in steps:
                continue
            self.events.append((float(f[0]), [int(x) for x in f[1:5]], f[5:]))
        loads = [float(line.split()[1]) for line in (path / "loadavg").read_text().splitlines()
                 if len(line.split()) >= 2]
        self.load = statistics.mean(loads) if loads else float("nan")
        self.load_max = max(loads) if loads else float("nan")
        self.stages = {}
        self.steps = []       # (stage, step, seconds, [sda r, sda w, sdb r, sdb w] bytes)
        self.vmhwm = {}
        self.fs = {}
        for stage in STAGES:
            self._stage(stage)
        for _, _, w in self.events:
            if w[:2] == ["xsraid", "exit"]:
                kv = dict(x.split("=") for x in w[2:])
                self.vmhwm[len(self.vmhwm)] = int(kv["vmhwm_kib"])
            if w and w[0] == "fs":
                self.fs = {k: int(v) for k, v in (x.split("=") for x in w[1:])}

    @staticmethod
    def _xsraid_steps(path):
        """The ids of xsraid's steps ("xsraid: step N/M ID: title"), or None
        for the other procedures.  Older hooks also took some of the lines
        describing an action for steps; those events are left out."""
        out = path / "xsraid-output"
        if not out.exists():
            return None
        return set(re.findall(r"xsraid: step \d+/\d+ ([\w-]+):", out.read_text(errors="replace")))

    def _stage(self, stage):
        idx = [i for i, (_, _, w) in enumerate(self.events) if w[:1] == [stage]]
        begin = next(i for i in idx if self.events[i][2][1] == "begin")
        end = next(i for i in idx if self.events[i][2][1] == "end")
        t0, c0, _ = self.events[begin]
        t1, c1, _ = self.events[end]
        self.stages[stage] = (t1 - t0, [(b - a) * 512 for a, b in zip(c0, c1)])
        marks = [i for i in range(begin, end) if self.events[i][2][:1] == ["step"]]
        for k, i in enumerate(marks):
            j = marks[k + 1] if k + 1 < len(marks) else end
            (ta, ca, w), (tb, cb, _) = self.events[i], self.events[j]
            self.steps.append((stage, w[1], tb - ta, [(b - a) * 512 for a, b in zip(ca, cb)]))

    @property
    def wall(self):
        return sum(s[0] for s in self.stages.values())

    @property
    def io(self):
        return [sum(s[1][k] for s in self.stages.values()) for k in range(4)]

    def step_time(self, name):
        return sum(s[2] for s in self.steps if s[1] == name)


def load_runs(results):
    runs = []
    for d in sorted(Path(results).iterdir()):
        # An install's run (the align runs install nothing).
        if (d / "done").exists() and (d / "procedure").exists():
            runs.append(Run(d))
    return runs


# --- formatting ----------------------------------------------------------------

def med(xs):
    return statistics.median(xs) if xs else float("nan")


def spread(xs, fmt="{:.0f}"):
    """median [min-max]"""
    if not xs:
        return "-"
    if len(xs) == 1:
        return fmt.format(xs[0])
    return f"{fmt.format(med(xs))} [{fmt.format(min(xs))}-{fmt.format(max(xs))}]"


def gib(b):
    return f"{b / GIB:.2f}"


def table(headers, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    out = ["| " + " | ".join(str(h).ljust(w) for h, w in zip(headers, widths)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(x).ljust(w) for x, w in zip(r, widths)) + " |")
    return "\n".join(out)


def section(title):
    print()
    print(f"== {title}")
    print()


# --- the sections ----------------------------------------------------------------

def main_table(runs):
    by = defaultdict(list)
    for r in runs:
        if r.name.startswith("main-"):
            by[r.info["proc"]].append(r)
    if not by:
        return {}
    section("Conversion time on the same disks (root 4 GiB, SR 10 GiB); seconds, median [min-max]")
    rows = []
    for p in PROCS:
        rs = by.get(p, [])
        if not rs:
            continue
        io = [r.io for r in rs]
        rows.append([PROC_NAMES[p], len(rs), spread([r.wall for r in rs]),
                     spread([r.stages[STAGES[0]][0] for r in rs]),
                     spread([r.stages[STAGES[1]][0] for r in rs]),
                     "/".join(gib(med([x[k] for x in io])) for k in (0, 1)),
                     "/".join(gib(med([x[k] for x in io])) for k in (2, 3)),
                     spread([r.load for r in rs], "{:.1f}")])
    print(table(["procedure", "runs", "wait (both stages)", "filesystem-populated",
                 "installation-complete", "sda GiB read/written", "sdb GiB read/written",
                 "host load"], rows))
    if "seed" in by:
        until_md0 = [r.wall - r.step_time("wait-data-resync") for r in by["seed"]]
        print(f"\n(a) until md0 alone is in sync (md1, md2 still recovering): {spread(until_md0)} s")
    m = {p: med([r.wall for r in rs]) for p, rs in by.items()}
    lines = []
    if "xsraid" in m and "limit" in m:
        lines.append(f"b/c = {m['xsraid'] / m['limit']:.2f}   (target <= 1.3)")
    if "seed" in m and "xsraid" in m:
        lines.append(f"a/b = {m['seed'] / m['xsraid']:.2f}   (target >= 3)")
        lines.append(f"a/b with (a) stopping at md0 in sync = {med(until_md0) / m['xsraid']:.2f}")
    if "xsraid-blocks" in m and "limit" in m:
        lines.append(f"b'/c = {m['xsraid-blocks'] / m['limit']:.2f}   (target <= 1.3)")
    if "seed" in m and "xsraid-blocks" in m:
        lines.append(f"a/b' = {m['seed'] / m['xsraid-blocks']:.2f}   (target >= 3)")
    if lines:
        print()
        print("\n".join(lines))
    for p in PROCS:
        if p in by:
            step_table(p, by[p])
    return by


def step_table(proc, rs):
    order = []
    for r in rs:
        for st, name, _, _ in r.steps:
            if (st, name) not in order:
                order.append((st, name))
    section(f"{PROC_NAMES[proc]}: time and bytes per step (median of {len(rs)})")
    rows = []
    for st, name in order:
        ts = [sum(s[2] for s in r.steps if (s[0], s[1]) == (st, name)) for r in rs]
        io = [[sum(s[3][k] for s in r.steps if (s[0], s[1]) == (st, name)) for k in range(4)]
              for r in rs]
        rows.append([("A " if st == STAGES[0] else "B ") + name, spread(ts, "{:.1f}"),
                     " / ".join(f"{med([x[k] for x in io]) / MIB:.0f}" for k in range(4))])
    print(table(["step (A: filesystem-populated, B: installation-complete)", "seconds",
                 "MiB sda read / written / sdb read / written"], rows))


def growth_table(runs):
    for proc in ("xsraid", "xsraid-blocks"):
        growth_table_of(runs, proc)


def growth_table_of(runs, proc):
    rows = []
    groups = defaultdict(list)
    for r in runs:
        if r.info["proc"] == proc and (r.name.startswith("growth-") or r.name.startswith("main-")):
            groups[(int(r.info["fill"]), int(r.info["sr_gib"]))].append(r)
    if len(groups) < 2:
        return
    section(f"Growth: {PROC_NAMES[proc]}: the wait against the root's fill and the SR's size; "
            "seconds, median [min-max]")
    copy_steps = ("copy-root", "verify-copy", "catch-up", "clone-root")
    for (fill, sr), rs in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        used = med([r.fs.get("used_kib", 0) for r in rs]) * 1024
        size = med([r.fs.get("size_kib", 1) for r in rs]) * 1024
        inodes = med([r.fs.get("inodes", 0) for r in rs])
        rows.append([f"{fill} %", f"{sr} GiB" if sr < 1024 else f"{sr // 1024} TiB",
                     f"{used / GIB:.2f} GiB ({100 * used / size:.0f} %), {inodes:.0f} inodes",
                     len(rs), spread([r.wall for r in rs]),
                     spread([sum(r.step_time(s) for s in copy_steps) for r in rs]),
                     spread([r.step_time("wait-root-resync") for r in rs]),
                     spread([r.wall - sum(r.step_time(s) for s in copy_steps + ("wait-root-resync",))
                             for r in rs]),
                     spread([r.load for r in rs], "{:.1f}")])
    print(table(["fill", "SR", "root used (df)", "runs", "wait", "copy and its checks",
                 "md0 recovery", "everything else", "host load"], rows))
    base = groups.get((30, 10))
    big = groups.get((30, 2048))
    if base and big:
        b, g = med([r.wall for r in base]), med([r.wall for r in big])
        print(f"\n2 TiB SR against 10 GiB: {g - b:+.0f} s ({100 * (g - b) / b:+.1f} %; target < 5 %)")
        for name in sorted({s[1] for r in big for s in r.steps}):
            d = med([r.step_time(name) for r in big]) - med([r.step_time(name) for r in base])
            if abs(d) >= 2:
                print(f"  {name}: {d:+.1f} s")


def align_table(results):
    rows = []
    for variant in ("plain", "rmw"):
        f = Path(results) / f"align-{variant}" / "align"
        if not f.exists():
            continue
        data = defaultdict(list)
        header = ""
        for line in f.read_text().splitlines():
            if line.startswith("disk") or line.startswith("layout"):
                header += "  " + line + "\n"
            m = re.match(r"rep \d+ layout (\S+) iobench \S+ (\S+) (\d+) .*mb_s=(\S+) iops=(\S+)", line)
            if m:
                data[(m[2], int(m[3]), m[1])].append((float(m[4]), float(m[5])))
        for (pat, bs, layout) in sorted(data, key=lambda k: (k[0], k[1], k[2] != "stock")):
            xs = data[(pat, bs, layout)]
            other = data.get((pat, bs, "stock"))
            ratio = med([x[0] for x in xs]) / med([x[0] for x in other]) if other else float("nan")
            rows.append([variant, f"{pat} {bs // 1024} KiB", layout,
                         spread([x[0] for x in xs], "{:.1f}"), spread([x[1] for x in xs]),
                         f"{ratio:.2f}"])
    if not rows:
        return
    section("VM storage: O_DIRECT writes through md2, disks with 4 KiB physical sectors")
    print(table(["QEMU disk", "writes", "p3", "MB/s", "IOPS", "against stock"], rows))
    print("\nplain: the emulated disk as it is; rmw: QEMU working in 4 KiB units "
          "(blkdebug align=4096), a misaligned write costing a read-modify-write")


def library_sizes(map_file):
    """Bytes each archive contributes to the linked sections, from ld's map."""
    sizes = defaultdict(int)
    in_map = False
    pending = None
    for line in Path(map_file).read_text(errors="replace").splitlines():
        if line.startswith("Linker script and memory map"):
            in_map = True
            continue
        if not in_map:
            continue
        if line.startswith("/DISCARD/") or line.startswith("OUTPUT("):
            break
        m = re.match(r"^ (\.[\w.$-]+)\s*$", line)
        if m:
            pending = m[1]
            continue
        m = re.match(r"^ (\.[\w.$-]+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)$", line)
        if not m:
            pending = None
            continue
        sect = m[1] or pending
        pending = None
        if not sect or sect.startswith((".debug", ".comment", ".note", ".gnu.warning",
                                        ".stab", ".gnu_debug")):
            continue
        src = m[4]
        lib = re.match(r".*/(lib[\w+-]+)\.a\(", src)
        if lib:
            key = lib[1]
        elif "obj-" in src:
            key = "xsraid's own code"
        else:
            key = "start-up files and linker"
        sizes[key] += int(m[3], 16)
    return sizes


def footprint(args, runs):
    section("Footprint")
    stripped = os.path.getsize(args.binary)
    unstripped = os.path.getsize(args.binary + ".unstripped") if os.path.exists(
        args.binary + ".unstripped") else 0
    print(f"static helper {args.binary}: {stripped} bytes stripped ({stripped / MIB:.2f} MiB; "
          f"target < 2.5 MiB), {unstripped} with symbols")
    sizes = library_sizes(args.map)
    total = sum(sizes.values())
    names = {"libc": "musl libc", "libcurl": "libcurl", "libmbedtls": "mbedTLS (TLS)",
             "libmbedx509": "mbedTLS (X.509)", "libmbedcrypto": "mbedTLS (crypto)",
             "libxml2": "libxml2", "libblkid": "libblkid", "libz": "zlib", "libm": "musl libm"}
    rows = [[names.get(k, k), v, f"{100 * v / total:.1f} %"]
            for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])]
    print()
    print(table(["from", "bytes of code and data linked in", "share"], rows))
    print(f"\n(the sum, {total} bytes, is the loaded image without ELF headers; the map is "
          "of the same objects linked with -Wl,-Map)")

    stock, xs = Path(args.stock_img), Path(args.xsraid_img)
    if stock.exists() and xs.exists():
        def raw_size(p):
            with gzip.open(p, "rb") as f:
                n = 0
                while True:
                    b = f.read(1 << 20)
                    if not b:
                        return n
                    n += len(b)
        a, b = stock.stat().st_size, xs.stat().st_size
        ra, rb = raw_size(stock), raw_size(xs)
        print(f"\ninstall.img (the stand-in's): {a} bytes stock, {b} with xsraid: "
              f"{b - a:+d} bytes compressed ({(b - a) / MIB:+.2f} MiB), "
              f"{rb - ra:+d} uncompressed")

    hwm = defaultdict(list)
    for r in runs:
        if r.info["proc"] in ("xsraid", "xsraid-blocks"):
            copy = "blocks" if r.info["proc"] == "xsraid-blocks" else "files"
            for stage_no, kib in r.vmhwm.items():
                hwm[(copy, STAGES[stage_no], int(r.info["fill"]))].append(kib)
    if hwm:
        print("\nxsraid's peak memory during apply (VmHWM, sampled every 0.2 s; target < 16 MiB):\n")
        rows = [[copy, st, f"{fill} %", len(v), f"{max(v) / 1024:.1f} MiB", spread(v, "{:.0f}")]
                for (copy, st, fill), v in sorted(hwm.items())]
        print(table(["copy", "stage", "root fill", "runs", "largest", "KiB, median [min-max]"], rows))

    if args.bench_copy and os.access(args.bench_copy, os.X_OK):
        print("\nThe copy on this machine's page cache against cp -a (bench_copy):")
        argv = [args.bench_copy]
        env = dict(os.environ)
        if args.copy_tree and Path(args.copy_tree).is_dir():
            env["BENCH_TREE"] = args.copy_tree
        out = subprocess.run(argv, capture_output=True, text=True, env=env)
        print("\n".join("    " + line for line in (out.stdout + out.stderr).splitlines()))


def describe(runs):
    base = [r for r in runs if r.name.startswith("main-")]
    if not base:
        return
    section("The benchmark's dom0 (root 4 GiB, as 6.0.2's)")
    stats = dict(line.split("=", 1) for line in
                 (Path(args_g.results) / base[0].name / "payload.stats").read_text().splitlines()
                 if "=" in line and not line.startswith("size "))
    print(f"payload: {stats['files']} files, {stats['dirs']} directories, {stats['symlinks']} "
          f"symlinks, {stats['hardlinked_inodes']} files with {stats['hardlink_names']} hard-linked "
          f"names, {stats['sparse_files']} sparse files, {stats['xattrs']} xattrs; "
          f"{int(stats['bytes']) / GIB:.2f} GiB")
    used = med([r.fs["used_kib"] for r in base]) * 1024
    size = med([r.fs["size_kib"] for r in base]) * 1024
    print(f"root filesystem after the install (stand-in's own tree, marker tree, 32 MiB swap "
          f"file and initrds included): {used / GIB:.2f} GiB used of {size / GIB:.2f} GiB "
          f"({100 * used / size:.0f} %), {med([r.fs['inodes'] for r in base]):.0f} inodes")
    loads = [r.load for r in runs]
    print(f"host load average (1 min) during the runs: mean {statistics.mean(loads):.1f}, "
          f"from {min(loads):.1f} to {max(loads):.1f} (runs' means); 2 cores")


args_g = None


def main():
    global args_g
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--map")
    ap.add_argument("--binary")
    ap.add_argument("--stock-img")
    ap.add_argument("--xsraid-img")
    ap.add_argument("--bench-copy")
    ap.add_argument("--copy-tree")
    args_g = args = ap.parse_args()
    runs = load_runs(args.results) if Path(args.results).is_dir() else []
    if not runs:
        print(f"bench: no runs in {args.results} (make bench runs them)", file=sys.stderr)
    else:
        describe(runs)
        main_table(runs)
        growth_table(runs)
    align_table(args.results)
    if args.map and args.binary:
        footprint(args, runs)


if __name__ == "__main__":
    main()
