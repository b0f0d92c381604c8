"""The fleet at a glance: one row per host of the current generation, from
the reports the hosts PUT (state/reports/<hostname>.json) and their times."""

import json
import os
import time
from pathlib import Path

# An install that has said nothing for this long is worth a look.
QUIET_SEC = 15 * 60


def age(seconds):
    seconds = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def step_text(report):
    step = report.get("step")
    if not step:
        return "-"
    text = f"{step['number']}/{step['total']} {step['id']}"
    resync = report.get("resync")
    if step["id"] == "wait-root-resync" and resync:
        text += f" {resync['percent']}%"
    return text


def host_rows(out, now=None):
    """[{host, state, step, report_time, age, disks, message}], sorted by host name."""
    out = Path(out)
    now = time.time() if now is None else now
    answerfiles = out / "current" / "http" / "answerfiles"
    if not answerfiles.is_dir():
        return None
    state = out / "state"
    rows = []
    for af in sorted(answerfiles.glob("*.xml")):
        host = af.name[:-4]
        row = {"host": host, "state": "waiting", "step": "-", "report_time": None,
               "age": None, "disks": "", "message": ""}
        path = state / "reports" / f"{host}.json"
        try:
            mtime = os.stat(path).st_mtime
            report = json.loads(path.read_bytes())
        except FileNotFoundError:
            token = state / "reprovision" / host
            if token.exists():
                row["message"] = (f"reprovision {token.read_text().strip()}: installs at its "
                                  f"next network boot")
            rows.append(row)
            continue
        except (OSError, ValueError) as e:
            row.update(state="unreadable", message=str(e))
            rows.append(row)
            continue
        row["state"] = report.get("state", "?")
        row["step"] = step_text(report)
        row["report_time"] = mtime
        row["age"] = now - mtime
        row["disks"] = " ".join(f"{d['name']}:{d['boot']}" for d in report.get("disks", []))
        row["message"] = report.get("message", "")
        if row["state"] == "installing" and row["age"] > QUIET_SEC:
            row["message"] = f"no report for {age(row['age'])}: is it still running?"
        rows.append(row)
    return rows


def table(rows):
    header = ("HOST", "STATE", "STEP", "LAST REPORT", "AGE", "DISKS (BOOT CHECK)")
    lines = [header]
    for r in rows:
        when = (time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(r["report_time"]))
                if r["report_time"] is not None else "-")
        lines.append((r["host"], r["state"], r["step"], when,
                      age(r["age"]) if r["age"] is not None else "-", r["disks"] or "-"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = []
    for line in lines:
        text.append("  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip())
    notes = [f"{r['host']}: {r['message']}" for r in rows if r["message"]]
    return "\n".join(text + notes) + "\n"
