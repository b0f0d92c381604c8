"""The fleet page in Debian's headless Chromium, driven over the DevTools
protocol (--remote-debugging-pipe, so nothing but the standard library):
the rows a person sees for a fleet of reports, and the page refreshing by
itself when a host sends a new one."""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.request

from helpers import HEADER, Served

CHROMIUM = shutil.which("chromium")


class Chromium:
    """A headless Chromium, one page, spoken to through fds 3 and 4."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="xsraid-pxe-chromium-")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def fds():
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={self.profile}", "--remote-debugging-pipe",
             "--window-size=1280,800", "about:blank"],
            pass_fds=(3, 4), preexec_fn=fds, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.next_id = 0
        self.buffer = b""
        self.session = None

    def call(self, method, session=True, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            while b"\0" not in self.buffer:
                chunk = os.read(self.from_chrome, 1 << 16)
                if not chunk:
                    raise RuntimeError("chromium went away")
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def open(self, url):
        target = self.call("Target.createTarget", session=False, url=url)["targetId"]
        self.session = self.call("Target.attachToTarget", session=False, targetId=target,
                                 flatten=True)["sessionId"]

    def evaluate(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                      awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(r["exceptionDetails"])
        return r["result"].get("value")

    def screenshot(self, path):
        png = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(png))

    def close(self):
        try:
            self.call("Browser.close", session=False)
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_chrome)
        os.close(self.from_chrome)
        shutil.rmtree(self.profile, ignore_errors=True)


# What a person reads in each row, and what the progress bar shows.
ROWS_JS = """
(() => [...document.querySelectorAll('#fleet tbody tr')].map(tr => {
  const bar = tr.querySelector('.bar'), fill = tr.querySelector('.bar .fill');
  return {
    host: tr.querySelector('.host').innerText,
    state: tr.querySelector('.state').innerText,
    message: (tr.querySelector('.message') || {innerText: ''}).innerText,
    step: tr.querySelector('.step').innerText,
    bar: bar ? bar.getAttribute('aria-valuenow') : null,
    barText: bar ? bar.innerText : tr.querySelector('.resync').innerText,
    filled: bar ? Math.round(100 * fill.getBoundingClientRect().width /
                             bar.getBoundingClientRect().width) : null,
    stateColour: getComputedStyle(tr.querySelector('.state')).backgroundColor,
    disks: tr.querySelector('.disks').innerText,
    age: tr.querySelector('.age').innerText,
  };
}))()
"""

INVENTORY = HEADER + "".join(
    f"52:54:00:00:00:0{i},xs0{i},sda,sdb,127.0.2.{10 + i},,,,,,,\n" for i in range(1, 5))


def report(state, number=None, step_id=None, percent=None, disks=(), message=""):
    steps = 24
    return json.dumps({
        "format": "xsraid-report-1", "state": state, "stage": "installation-complete",
        "step": {"number": number, "total": steps, "id": step_id, "title": step_id,
                 "state": "running"} if number else None,
        "steps": [],
        "resync": {"array": "md0", "done_bytes": percent * 2684354, "total_bytes": 268435456,
                   "percent": percent} if percent is not None else None,
        "disks": [{"name": n, "role": r, "boot": b, "failed_checks": 0 if b != "failed" else 2}
                  for n, r, b in disks],
        "message": message, "seq": 7, "time": "2026-01-01T00:00:00Z"}).encode()


@unittest.skipUnless(CHROMIUM, "chromium is not installed (tools/install-deps installs it)")
class Page(Served):
    INVENTORY = INVENTORY

    def setUp(self):
        super().setUp()
        self.put("xs01", report("installing", 20, "wait-root-resync", 42,
                                [("sda", "installed", "unchecked"), ("sdb", "mirror", "ok")]))
        self.put("xs02", report("installed", 24, "finish", 100,
                                [("sda", "installed", "ok"), ("sdb", "mirror", "ok")]))
        self.put("xs03", report("failed", 8, "verify-copy", None,
                                [("sda", "installed", "unchecked"), ("sdb", "mirror", "failed")],
                                "2 files differ between the copy and the installed system"))
        self.browser = Chromium()
        self.addCleanup(self.browser.close)

    def put(self, host, body):
        req = urllib.request.Request(self.url(f"/state/reports/{host}.json"), data=body,
                                     method="PUT", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            self.assertIn(r.status, (201, 204))  # created, replaced

    def rows(self, until, timeout=20):
        """The rows once @until(rows) holds, polling as a person would wait."""
        deadline = time.time() + timeout
        while True:
            rows = self.browser.evaluate(ROWS_JS) or []
            if until(rows) or time.time() > deadline:
                return rows
            time.sleep(0.25)

    def test_fleet_page(self):
        self.browser.open(self.url("/?every=1"))
        rows = self.rows(lambda r: len(r) == 4)
        by_host = {r["host"]: r for r in rows}
        self.assertEqual([r["host"] for r in rows], ["xs01", "xs02", "xs03", "xs04"])

        a = by_host["xs01"]
        self.assertEqual((a["state"], a["step"], a["bar"], a["barText"]),
                         ("installing", "20/24 wait-root-resync", "42", "md0 42%"))
        self.assertTrue(40 <= a["filled"] <= 44, a["filled"])   # the bar is 42% full
        self.assertEqual(a["disks"], "sda: unchecked sdb: ok")
        self.assertRegex(a["age"], r"^\d+ s ago$")

        b = by_host["xs02"]
        self.assertEqual((b["state"], b["bar"], b["disks"]),
                         ("installed", "100", "sda: ok sdb: ok"))
        self.assertEqual(b["filled"], 100)

        c = by_host["xs03"]
        self.assertEqual((c["state"], c["step"], c["barText"], c["disks"]),
                         ("failed", "8/24 verify-copy", "–", "sda: unchecked sdb: failed"))
        self.assertEqual(c["message"], "2 files differ between the copy and the installed system")

        d = by_host["xs04"]
        self.assertEqual((d["state"], d["step"], d["barText"], d["disks"], d["age"]),
                         ("waiting", "–", "–", "–", "never"))
        # Each state has its own colour.
        self.assertEqual(len({r["stateColour"] for r in rows}), 4)
        summary = self.browser.evaluate("document.getElementById('summary').innerText")
        self.assertRegex(summary, r"^4 hosts: 1 failed, 1 installed, 1 installing, 1 waiting "
                                  r"\(updated \d\d:\d\d:\d\d UTC\)$")
        if os.environ.get("XSRAID_PAGE_SCREENSHOT"):
            self.browser.screenshot(os.environ["XSRAID_PAGE_SCREENSHOT"])

        # xs01 finishes and xs04 starts: the page shows it without being reloaded.
        self.put("xs01", report("installed", 24, "finish", 100,
                                [("sda", "installed", "ok"), ("sdb", "mirror", "ok")]))
        self.put("xs04", report("installing", 3, "partition-disk2", None,
                                [("sda", "installed", "unchecked"),
                                 ("sdb", "mirror", "unchecked")]))
        rows = self.rows(lambda r: [x["state"] for x in r] ==
                         ["installed", "installed", "failed", "installing"], timeout=15)
        self.assertEqual([x["state"] for x in rows], ["installed", "installed", "failed",
                                                      "installing"])
        self.assertEqual((rows[0]["bar"], rows[0]["disks"]), ("100", "sda: ok sdb: ok"))
        self.assertEqual(rows[3]["step"], "3/24 partition-disk2")

    def test_server_gone(self):
        self.browser.open(self.url("/?every=1"))
        self.rows(lambda r: len(r) == 4)
        subprocess.run([str(self.serve), "stop", str(self.run_dir)], check=True)
        problem = ""
        deadline = time.time() + 15
        while time.time() < deadline and not problem:
            problem = self.browser.evaluate(
                "document.getElementById('problem').hidden ? '' : "
                "document.getElementById('problem').innerText")
            time.sleep(0.25)
        self.assertTrue(problem.startswith("Cannot read the reports:"), problem)


if __name__ == "__main__":
    unittest.main()
