"""The operator's answerfile as the template: each host's answerfile has the
RAID extension and the host's settings, and everything else is the
template's, byte for byte.  xsraid itself and the schema accept the result."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from helpers import HEADER, ROWS, TEMPLATE, TOP
from xsraid_pxe import PxeError
from xsraid_pxe.inventory import Fleet, parse_inventory
from xsraid_pxe.render import urls
from xsraid_pxe.template import Template

FLEET = Fleet(server="http://192.0.2.1", interface="eth1")
HOSTS = parse_inventory((HEADER + "".join(ROWS)).encode(), "hosts.csv", FLEET)


def render(template_text, host=HOSTS[0]):
    t = Template(template_text.encode(), "t.xml")
    return t.render(host, urls(FLEET, host)).decode()


class Render(unittest.TestCase):
    def test_example(self):
        data = TEMPLATE.read_bytes()
        t = Template(data, str(TEMPLATE))
        a = t.render(HOSTS[0], urls(FLEET, HOSTS[0])).decode()
        self.assertIn('<primary-disk gueststorage="yes" raid="sdb" '
                      'raid-report="http://192.0.2.1/state/reports/xs01.json" '
                      'raid-report-final="http://192.0.2.1/state/final/01-52-54-00-12-34-56.json">'
                      'sda</primary-disk>', a)
        self.assertIn('<admin-interface hwaddr="52:54:00:12:34:56" proto="static"><ip>192.0.2.11'
                      '</ip><subnet-mask>255.255.255.0</subnet-mask><gateway>192.0.2.254'
                      '</gateway></admin-interface>', a)
        self.assertIn("<hostname>xs01</hostname>", a)
        # The template had no name server: the host's is added before the end.
        self.assertTrue(a.endswith("  <name-server>192.0.2.53</name-server>\n</installation>\n"), a)
        # Each hook once: the template has both already.
        self.assertEqual(a.count("file:///opt/xsraid/xsraid-hook"), 2)
        # Everything else is the template's own bytes, comment included.
        strip = re.compile(r"\s*<(primary-disk|admin-interface|hostname|name-server)\b.*")
        kept = [ln for ln in data.decode().splitlines() if not strip.match(ln)]
        got = [ln for ln in a.splitlines() if not strip.match(ln)]
        self.assertEqual(kept, got)

    def test_wipe_and_devices(self):
        b = render(TEMPLATE.read_text(), HOSTS[1])
        self.assertIn('raid="sdb" raid-wipe="force" raid-report=', b)
        self.assertIn('<admin-interface hwaddr="52:54:00:12:34:57" proto="dhcp"/>', b)
        c = render(TEMPLATE.read_text(), HOSTS[2])
        self.assertIn('raid="disk/by-id/ata-ST2000_Z1E0AAAA"', c)
        self.assertIn(">sdc</primary-disk>", c)

    def test_template_settings_are_fleet_defaults(self):
        text = ('<installation>\n\t<primary-disk raid="sdz" raid-wipe="force" raid-metadata="1.0"'
                ' raid-copy="blocks" raid-report="http://elsewhere/x">sdy</primary-disk>\n'
                '\t<keymap>us</keymap>\n</installation>\n')
        a = render(text)
        self.assertIn('<primary-disk raid-metadata="1.0" raid-copy="blocks" raid="sdb" '
                      'raid-wipe="force" raid-report="http://192.0.2.1/state/reports/xs01.json"', a)
        self.assertNotIn("elsewhere", a)
        self.assertNotIn("sdz", a)
        b = render(text, HOSTS[1])
        self.assertEqual(b.count("raid-wipe="), 1)

    def test_added_elements_follow_the_template_indent(self):
        a = render('<?xml version="1.0"?>\n<installation>\n\t<keymap>us</keymap>\n</installation>')
        self.assertEqual(a, '<?xml version="1.0"?>\n<installation>\n\t<keymap>us</keymap>\n'
                         '\t<primary-disk raid="sdb" '
                         'raid-report="http://192.0.2.1/state/reports/xs01.json" '
                         'raid-report-final="http://192.0.2.1/state/final/'
                         '01-52-54-00-12-34-56.json">sda</primary-disk>\n'
                         '\t<hostname>xs01</hostname>\n'
                         '\t<admin-interface hwaddr="52:54:00:12:34:56" proto="static"><ip>'
                         '192.0.2.11</ip><subnet-mask>255.255.255.0</subnet-mask><gateway>'
                         '192.0.2.254</gateway></admin-interface>\n'
                         '\t<name-server>192.0.2.53</name-server>\n'
                         '\t<script stage="filesystem-populated" type="url">'
                         'file:///opt/xsraid/xsraid-hook</script>\n'
                         '\t<script stage="installation-complete" type="url">'
                         'file:///opt/xsraid/xsraid-hook</script>\n'
                         '</installation>')

    def test_name_servers(self):
        text = ("<installation>\n  <name-server>10.0.0.1</name-server>\n  <keymap>us</keymap>\n"
                "  <nameserver>10.0.0.2</nameserver>\n</installation>\n")
        a = render(text)
        self.assertIn("  <name-server>192.0.2.53</name-server>\n  <keymap>us</keymap>\n", a)
        self.assertNotIn("10.0.0.", a)
        # A host without name servers keeps the template's.
        b = render(text, HOSTS[1])
        self.assertIn("<name-server>10.0.0.1</name-server>", b)
        self.assertIn("<nameserver>10.0.0.2</nameserver>", b)

    def test_empty_admin_interface_element(self):
        a = render('<installation><admin-interface name="eth0" proto="dhcp"/><timezone>UTC'
                   '</timezone></installation>', HOSTS[1])
        self.assertIn('<admin-interface hwaddr="52:54:00:12:34:57" proto="dhcp"/><timezone>UTC'
                      '</timezone>', a)


class Refused(unittest.TestCase):
    def refused(self, text, want):
        with self.assertRaises(PxeError) as c:
            Template(text.encode(), "t.xml")
        self.assertTrue(str(c.exception).startswith(want), str(c.exception))

    def test_refusals(self):
        self.refused('<!DOCTYPE installation [<!ENTITY x "y">]>\n<installation/>',
                     "t.xml:1: <!DOCTYPE>")
        self.refused("<installation>\n<raid device=\"md127\"><disk>sda</disk><disk>sdb</disk>"
                     "</raid></installation>", "t.xml:2: <raid> names disks")
        self.refused("<upgrade/>", "t.xml:1: the root element is <upgrade>")
        self.refused('<installation mode="reinstall"></installation>',
                     't.xml:1: mode="reinstall"')
        self.refused("<installation>\n<keymap>us</installation>", "t.xml:2: not well-formed")
        self.refused("<installation>\n<hostname>a</hostname>\n<hostname>b</hostname>\n"
                     "</installation>", "t.xml:3: a second <hostname>")

    def test_guest_disk_is_not_a_member(self):
        t = Template(b"<installation><guest-disk>/dev/sdb</guest-disk></installation>", "t.xml")
        with self.assertRaises(PxeError) as c:
            t.check_host(HOSTS[0], "hosts.csv:2: ")
        self.assertIn("hosts.csv:2: disk2: 'sdb' is a <guest-disk> in t.xml", str(c.exception))


class Accepted(unittest.TestCase):
    """What the generator writes, xsraid validate and the RELAX NG schema accept."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp)

    def test_xsraid_and_schema_accept(self):
        xsraid = os.environ.get("XSRAID")
        if not xsraid:
            self.skipTest("XSRAID (an xsraid binary) is not set; make check-pxe sets it")
        examples = TOP / "answerfile" / "examples"
        for template in (examples / "raid-attribute.xml", examples / "no-raid.xml",
                         examples / "raid-options.xml"):
            t = Template(template.read_bytes(), str(template))
            for h in HOSTS:
                path = self.tmp / f"{template.stem}-{h.hostname}.xml"
                path.write_bytes(t.render(h, urls(FLEET, h)))
                r = subprocess.run([xsraid, "validate", str(path)], capture_output=True,
                                   text=True)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn(f'"report": "http://192.0.2.1/state/reports/{h.hostname}.json"',
                              r.stdout)
                self.assertIn(f'"disks": ["{h.disks[0]}", "{h.disks[1]}"]', r.stdout)
                r = subprocess.run(["xmllint", "--noout", "--relaxng",
                                    str(TOP / "answerfile" / "xsraid.rng"), str(path)],
                                   capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
