"""The generated nginx site, run by nginx: boot configurations that turn
into a local boot once a host has PUT its final report, reports stored
through WebDAV and listed as JSON, answerfiles kept to the install network,
and the status table made from what the hosts sent."""

import json
import os
import time
import unittest
import urllib.error
import urllib.request

from helpers import Served, run_main
from xsraid_pxe.status import age, host_rows, table

KEY = "01-52-54-00-12-34-56"


def request(url, data=None, method="GET"):
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def report(state, step=None, resync=None, disks=(), message=""):
    return json.dumps({"format": "xsraid-report-1", "state": state, "stage": "",
                       "step": step, "steps": [], "resync": resync,
                       "disks": [{"name": n, "role": r, "boot": b, "failed_checks": 0}
                                 for n, r, b in disks],
                       "message": message, "seq": 1, "time": "2026-01-01T00:00:00Z"}).encode()


class Nginx(Served):
    def test_no_second_install(self):
        status, cfg = request(self.url(f"/boot/pxelinux.cfg/{KEY}"))
        self.assertEqual(status, 200)
        self.assertIn(b"KERNEL mboot.c32", cfg)
        self.assertIn(b"answerfile=" + self.url("/answerfiles/xs01.xml").encode(), cfg)
        # Reports while it installs change nothing.
        self.assertEqual(request(self.url("/state/reports/xs01.json"), report("installing"),
                                 "PUT")[0], 201)
        self.assertIn(b"KERNEL mboot.c32", request(self.url(f"/boot/pxelinux.cfg/{KEY}"))[1])
        # The final report: from now on the host boots its disk.
        self.assertEqual(request(self.url(f"/state/final/{KEY}.json"), report("installed"),
                                 "PUT")[0], 201)
        status, cfg = request(self.url(f"/boot/pxelinux.cfg/{KEY}"))
        self.assertEqual(status, 200)
        self.assertIn(b"LOCALBOOT 0", cfg)
        self.assertNotIn(b"mboot", cfg)
        # The other hosts still install.
        self.assertIn(b"KERNEL mboot.c32",
                      request(self.url("/boot/pxelinux.cfg/01-52-54-00-12-34-57"))[1])
        # lpxelinux asks for names that do not exist first (UUID, IP): plain 404s.
        self.assertEqual(request(self.url("/boot/pxelinux.cfg/C0000201"))[0], 404)

    def test_what_can_be_put(self):
        for path in ("/boot/pxelinux.cfg/default", f"/boot/pxelinux.cfg/{KEY}",
                     "/answerfiles/xs01.xml", "/state/final/xs01.json",
                     "/state/reports/../final/x.json", "/state/reprovision/xs01"):
            status, _ = request(self.url(path), b"{}", "PUT")
            self.assertIn(status, (400, 403, 404, 405), path)
        self.assertEqual(request(self.url("/boot/pxelinux.cfg/default"))[1].count(b"LOCALBOOT"),
                         1)

    def test_listings(self):
        status, body = request(self.url("/hosts/"))
        self.assertEqual(status, 200)
        self.assertEqual([e["name"] for e in json.loads(body)], ["xs01.xml", "xs02.xml",
                                                                 "xs03.xml"])
        # Names only: the answerfiles themselves hold root passwords.
        self.assertEqual(request(self.url("/hosts/xs01.xml"))[0], 404)
        self.assertEqual(request(self.url("/answerfiles/xs01.xml"))[0], 200)  # 127.0.0.0/8
        request(self.url("/state/reports/xs02.json"), report("installing"), "PUT")
        status, body = request(self.url("/state/reports/"))
        self.assertEqual([e["name"] for e in json.loads(body)], ["xs02.json"])
        self.assertEqual(request(self.url("/"))[0], 200)

    def test_status(self):
        request(self.url("/state/reports/xs01.json"),
                report("installing", {"number": 20, "total": 24, "id": "wait-root-resync",
                                      "title": "Wait", "state": "running"},
                       {"array": "md0", "done_bytes": 1, "total_bytes": 2, "percent": 42},
                       [("sda", "installed", "unchecked"), ("sdb", "mirror", "ok")]), "PUT")
        request(self.url("/state/reports/xs02.json"),
                report("refused", message="disk 'sdb' holds data"), "PUT")
        out, err, rc = run_main(["status", "--out", str(self.out)])
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[0].split(), ["HOST", "STATE", "STEP", "LAST", "REPORT", "AGE",
                                            "DISKS", "(BOOT", "CHECK)"])
        self.assertRegex(lines[1], r"^xs01 +installing +20/24 wait-root-resync 42% +"
                                   r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\d+s +sda:unchecked sdb:ok$")
        self.assertRegex(lines[2], r"^xs02 +refused +- +\S+ \S+ +\d+s +-$")
        self.assertRegex(lines[3], r"^xs03 +waiting +- +- +- +-$")
        self.assertEqual(lines[4], "xs02: disk 'sdb' holds data")
        out, _, _ = run_main(["status", "--out", str(self.out), "--json"])
        self.assertEqual([r["state"] for r in json.loads(out)], ["installing", "refused",
                                                                 "waiting"])


class Status(Served):
    def test_quiet_install_and_ages(self):
        path = self.out / "state" / "reports" / "xs01.json"
        path.write_bytes(report("installing"))
        then = time.time() - 3600
        os.utime(path, (then, then))
        rows = host_rows(self.out)
        self.assertEqual(rows[0]["message"], "no report for 1h: is it still running?")
        self.assertIn("xs01: no report for 1h", table(rows))
        self.assertEqual([age(s) for s in (5, 61, 7200, 90000)], ["5s", "1m", "2h", "1d"])
        _, err, rc = run_main(["status", "--out", str(self.tmp / "nothing")])
        self.assertEqual(rc, 1)
        self.assertIn("nothing generated", err)


if __name__ == "__main__":
    unittest.main()
