"""Publishing: the same inventory gives the same bytes, one host's change
changes only that host's files, a bad row writes nothing, and reprovisioning
is a one-time decision of the inventory."""

import os
import unittest

from helpers import HEADER, ROWS, Fleet, tree_bytes

HOST_FILES = {
    "xs02": {"http/boot/pxelinux.cfg/01-52-54-00-12-34-57", "http/answerfiles/xs02.xml",
             "dnsmasq/hosts/01-52-54-00-12-34-57"},
}


class Generate(Fleet):
    def test_layout(self):
        out, _ = self.generate()
        self.assertIn("restart dnsmasq: its configuration changed", out)
        self.assertIn("reload nginx: its configuration changed", out)
        tree = tree_bytes(self.current())
        for rel in ("tftp/lpxelinux.0", "http/boot/ldlinux.c32", "http/boot/mboot.c32",
                    "http/boot/libcom32.c32", "http/boot/xen.gz", "http/boot/vmlinuz",
                    "http/boot/install.img", "http/boot/pxelinux.cfg/default",
                    "http/index.html", "http/fleet.js", "http/fleet.css",
                    "dnsmasq.conf", "nginx.conf"):
            self.assertIn(rel, tree)
        # Only the loader goes over TFTP: everything else is HTTP.
        self.assertEqual([r for r in tree if r.startswith("tftp/")], ["tftp/lpxelinux.0"])
        self.assertEqual(tree["http/boot/install.img"], self.files["install_img"].read_bytes())
        for h in ("xs01", "xs02", "xs03"):
            self.assertIn(f"http/answerfiles/{h}.xml", tree)
        self.assertEqual(len([r for r in tree if r.startswith("http/boot/pxelinux.cfg/01-")]), 3)
        self.assertTrue(os.path.islink(self.current()))

    def test_rerun_changes_nothing(self):
        self.generate()
        before = tree_bytes(self.out / "gen")
        target = os.readlink(self.current())
        stamp = os.stat(self.out / target).st_mtime_ns
        out, _ = self.generate()
        self.assertIn("is already current, nothing changed", out)
        self.assertEqual(os.readlink(self.current()), target)
        self.assertEqual(os.stat(self.out / target).st_mtime_ns, stamp)
        self.assertEqual(tree_bytes(self.out / "gen"), before)

    def test_one_host_changes_only_its_files(self):
        self.generate()
        first = os.readlink(self.current())
        a = tree_bytes(self.current())
        # xs02 gets another IP and disk; nobody else changes.
        self.write_inventory(HEADER + ROWS[0] + ROWS[1].replace("192.0.2.12", "192.0.2.42")
                             .replace(",sda,sdb,", ",sda,sdc,") + ROWS[2])
        out, _ = self.generate()
        self.assertIn(f"(previous: {first.split('/')[-1]})", out)
        # Only the hosts changed: dnsmasq re-reads them on SIGHUP; nothing to reload.
        self.assertNotIn("reload nginx", out)
        self.assertNotIn("restart dnsmasq", out)
        self.assertIn("send dnsmasq a SIGHUP", out)
        b = tree_bytes(self.current())
        self.assertEqual(a.keys(), b.keys())
        changed = {rel for rel in a if a[rel] != b[rel]}
        self.assertEqual(changed, HOST_FILES["xs02"])
        # The previous generation stays for a rollback; older ones go.
        self.write_inventory(HEADER + ROWS[0] + ROWS[1])
        self.generate()
        self.assertEqual(len(os.listdir(self.out / "gen")), 2)

    def test_bad_row_writes_nothing(self):
        self.write_inventory(HEADER + ROWS[0] + ROWS[1].replace("52:54:00:12:34:57",
                                                                "52:54:00:12:34:56"))
        _, err = self.generate(expect=1)
        self.assertEqual(err, "xsraid-pxe: " + str(self.inventory) +
                         ":3: mac: 52:54:00:12:34:56 is already host 'xs01' on line 2\n")
        self.assertFalse(self.out.exists())
        # Nor does it touch a published tree.
        self.write_inventory(HEADER + "".join(ROWS))
        self.generate()
        before = tree_bytes(self.out)
        listing = sorted(p.name for p in (self.out / "gen").iterdir())
        self.write_inventory(HEADER + ROWS[0] + ROWS[1].replace(",sda,sdb,", ",sdb,sdb,"))
        _, err = self.generate(expect=1)
        self.assertIn(":3: disk2: 'sdb' is also disk1", err)
        self.assertEqual(tree_bytes(self.out), before)
        self.assertEqual(sorted(p.name for p in (self.out / "gen").iterdir()), listing)

    def test_old_install_sets_go(self):
        """A new install.img is stored once; the one no kept generation uses goes."""
        def stored():
            return sorted(p.name for p in (self.out / "files").iterdir() if len(p.name) == 64)

        self.generate()
        first = stored()
        for n in range(3):
            self.files["install_img"].write_bytes(f"install.img {n}".encode() * 500)
            self.generate()
        # 7 boot files; the kept two generations share all but install.img.
        self.assertEqual(len(stored()), len(first) + 1)
        self.assertEqual(len(os.listdir(self.out / "gen")), 2)
        self.assertEqual((self.current() / "http/boot/install.img").read_bytes(),
                         self.files["install_img"].read_bytes())

    def test_missing_boot_file(self):
        self.files["install_img"].unlink()
        _, err = self.generate(expect=1)
        self.assertIn("install.img: no such file (needed as http/boot/install.img)", err)
        self.assertFalse(self.out.exists())


class Reprovision(Fleet):
    def host_state(self):
        s = self.out / "state"
        return ((s / "final" / "01-52-54-00-12-34-56.json").exists(),
                (s / "reports" / "xs01.json").exists())

    def finish_install(self):
        """What xs01 does at the end of its install: PUT its report and final report."""
        for rel in ("final/01-52-54-00-12-34-56.json", "reports/xs01.json"):
            (self.out / "state" / rel).write_text('{"state": "installed"}\n')

    def test_token(self):
        self.generate()
        self.finish_install()
        self.assertEqual(self.host_state(), (True, True))
        # Nothing but the token brings a host back to the installer.
        self.write_inventory(HEADER + ROWS[0].replace(",hvc,,,", ",hvc,,2025-06-01,") + ROWS[1])
        out, _ = self.generate()
        self.assertIn("xs01: reprovision 2025-06-01: its final report is cleared", out)
        self.assertEqual(self.host_state(), (False, False))
        af = (self.current() / "http/answerfiles/xs01.xml").read_text()
        self.assertIn('raid-wipe="force"', af)
        # It installs again and finishes; the same inventory run again leaves it alone.
        self.finish_install()
        out, _ = self.generate()
        self.assertNotIn("reprovision", out)
        self.assertEqual(self.host_state(), (True, True))
        # A new token, a new install.
        self.write_inventory(HEADER + ROWS[0].replace(",hvc,,,", ",hvc,,2025-07-01,") + ROWS[1])
        out, _ = self.generate()
        self.assertIn("xs01: reprovision 2025-07-01", out)
        self.assertEqual(self.host_state(), (False, False))

    def test_state_owner(self):
        if os.geteuid() != 0:
            self.skipTest("chown needs root")
        self.generate("--state-owner", "nobody")
        st = os.stat(self.out / "state" / "reports")
        self.assertEqual(st.st_uid, 65534)
        before = tree_bytes(self.out)
        self.write_inventory(HEADER + ROWS[0])
        _, err = self.generate("--state-owner", "no-such-user", expect=1)
        self.assertIn("--state-owner: no user 'no-such-user'", err)
        self.assertEqual(tree_bytes(self.out), before)


if __name__ == "__main__":
    unittest.main()
