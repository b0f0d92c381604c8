"""The inventory: what a good one gives, and every bad row refused with its
line and column, in one line."""

import unittest

from helpers import HEADER, ROWS  # noqa: F401 (sets sys.path)
from xsraid_pxe import PxeError
from xsraid_pxe.inventory import Fleet, Serial, parse_inventory


def fleet(**kw):
    return Fleet(server="http://192.0.2.1", interface="eth1", **kw)


def parse(text, **kw):
    return parse_inventory(text.encode(), "hosts.csv", fleet(**kw))


class Good(unittest.TestCase):
    def test_rows(self):
        hosts = parse(HEADER + "".join(ROWS))
        self.assertEqual([h.hostname for h in hosts], ["xs01", "xs02", "xs03"])
        a, b, c = hosts
        self.assertEqual((a.mac, a.key, a.line), ("52:54:00:12:34:56", "01-52-54-00-12-34-56", 2))
        self.assertEqual((a.gateway, a.dns, a.console), ("192.0.2.254", ("192.0.2.53",), "hvc"))
        self.assertEqual(a.xen_args, "dom0_mem=1024M,max:1024M dom0_max_vcpus=1")
        self.assertEqual(a.serial, Serial(0, 115200))
        self.assertEqual((b.serial, b.wipe, b.xen_args), (Serial(1, 57600), "force",
                                                          "dom0_max_vcpus=2 dom0_mem=752M"))
        # Dashes and capitals are the same MAC; /dev/ is dropped; host names are lower case.
        self.assertEqual((c.mac, c.hostname, c.disks, c.serial),
                         ("52:54:00:12:34:58", "xs03", ("sdc", "disk/by-id/ata-ST2000_Z1E0AAAA"),
                          None))

    def test_fleet_defaults_and_comments(self):
        text = ("\ufeff# the rack in room 3\nMAC , Hostname,disk1,disk2,ip\n\n"
                "52:54:00:00:00:01,a,sda,sdb,192.0.2.20\n# a spare\n")
        (h,) = parse(text, gateway="192.0.2.254", dns=("192.0.2.53",), console="hvc")
        self.assertEqual((h.line, h.gateway, h.dns, h.console, h.wipe),
                         (4, "192.0.2.254", ("192.0.2.53",), "hvc", ""))

    def test_reprovision_forces_the_wipe(self):
        (h,) = parse("mac,hostname,disk1,disk2,ip,reprovision\n"
                     "52:54:00:00:00:01,a,sda,sdb,192.0.2.20,2025-06-01\n")
        self.assertEqual((h.reprovision, h.wipe), ("2025-06-01", "force"))


class Bad(unittest.TestCase):
    def refused(self, rows, want, header="mac,hostname,disk1,disk2,ip,serial,console,wipe,"
                "reprovision,xen-args\n"):
        with self.assertRaises(PxeError) as c:
            parse(header + rows)
        msg = str(c.exception)
        self.assertTrue(msg.startswith(want), f"'{msg}' does not start with '{want}'")
        self.assertNotIn("\n", msg)
        return msg

    OK1 = "52:54:00:00:00:01,a,sda,sdb,192.0.2.20,,,,,\n"

    def test_mac(self):
        self.refused("52:54:00:zz:00:01,a,sda,sdb,192.0.2.20,,,,,\n",
                     "hosts.csv:2: mac: '52:54:00:zz:00:01' is not a MAC address")
        self.refused("52:54:00:00:01,a,sda,sdb,192.0.2.20,,,,,\n", "hosts.csv:2: mac:")
        self.refused("01:00:5e:00:00:01,a,sda,sdb,192.0.2.20,,,,,\n",
                     "hosts.csv:2: mac: '01:00:5e:00:00:01' is a multicast address")
        self.refused(self.OK1 + "52-54-00-00-00-01,b,sda,sdb,192.0.2.21,,,,,\n",
                     "hosts.csv:3: mac: 52:54:00:00:00:01 is already host 'a' on line 2")

    def test_hostname(self):
        self.refused(self.OK1 + "52:54:00:00:00:02,A,sda,sdb,192.0.2.21,,,,,\n",
                     "hosts.csv:3: hostname: a is already host 'a' on line 2")
        self.refused("52:54:00:00:00:01,a_b,sda,sdb,192.0.2.20,,,,,\n",
                     "hosts.csv:2: hostname: 'a_b' is not a host name")

    def test_disks(self):
        self.refused("52:54:00:00:00:01,a,sda,/dev/sda,192.0.2.20,,,,,\n",
                     "hosts.csv:2: disk2: 'sda' is also disk1")
        self.refused("52:54:00:00:00:01,a,sda,../sdb,192.0.2.20,,,,,\n",
                     "hosts.csv:2: disk2: '../sdb' is not a disk name")

    def test_missing(self):
        self.refused("52:54:00:00:00:01,a,sda,,192.0.2.20,,,,,\n", "hosts.csv:2: disk2: missing")
        self.refused("52:54:00:00:00:01,a,sda,sdb\n",
                     "hosts.csv:2: 4 fields, but the header names 10 columns")
        self.refused("52:54:00:00:00:01,a,sda,sdb\n", "hosts.csv:1: no 'ip' column",
                     header="mac,hostname,disk1,disk2\n")
        self.refused("", "hosts.csv:1: unknown column 'hostnam'",
                     header="mac,hostnam,disk1,disk2,ip\n")
        self.refused("", "hosts.csv: no hosts below the header")

    def test_addresses(self):
        self.refused("52:54:00:00:00:01,a,sda,sdb,10.0.0.1,,,,,\n",
                     "hosts.csv:2: ip: 10.0.0.1 is outside 192.0.2.0/24")
        self.refused("52:54:00:00:00:01,a,sda,sdb,192.0.2.300,,,,,\n",
                     "hosts.csv:2: ip: '192.0.2.300' is not an IPv4 address")
        self.refused(self.OK1 + "52:54:00:00:00:02,b,sda,sdb,192.0.2.20,,,,,\n",
                     "hosts.csv:3: ip: 192.0.2.20 is already host 'a'")

    def test_console_and_args(self):
        self.refused("52:54:00:00:00:01,a,sda,sdb,192.0.2.20,ttyS2;9600,,,,\n".replace(";", ""),
                     "hosts.csv:2: serial: 'ttyS29600' is not a serial console")
        self.refused("52:54:00:00:00:01,a,sda,sdb,192.0.2.20,\"ttyS0,1200\",,,,\n",
                     "hosts.csv:2: serial: 'ttyS0,1200'")
        self.refused("52:54:00:00:00:01,a,sda,sdb,192.0.2.20,none,hvc,,,\n",
                     "hosts.csv:2: console: 'hvc' needs a serial console")
        self.refused("52:54:00:00:00:01,a,sda,sdb,192.0.2.20,,tty,,,\n",
                     "hosts.csv:2: console: 'tty' must be ttyS")
        self.refused("52:54:00:00:00:01,a,sda,sdb,192.0.2.20,,,,,console=vga\n",
                     "hosts.csv:2: xen-args: 'console=' is set by xsraid-pxe itself")
        self.refused("52:54:00:00:00:01,a,sda,sdb,192.0.2.20,,,,,a --- b\n",
                     "hosts.csv:2: xen-args: '---'")

    def test_wipe(self):
        self.refused("52:54:00:00:00:01,a,sda,sdb,192.0.2.20,,,yes,,\n",
                     "hosts.csv:2: wipe: 'yes' must be refuse")
        self.refused("52:54:00:00:00:01,a,sda,sdb,192.0.2.20,,,refuse,2025-06,\n",
                     "hosts.csv:2: wipe: refuse contradicts reprovision=2025-06")
        self.refused("52:54:00:00:00:01,a,sda,sdb,192.0.2.20,,,,a b,\n",
                     "hosts.csv:2: reprovision: 'a b' must be a short token")

    def test_csv(self):
        self.refused("52:54:00:00:00:01,\"a,sda,sdb,192.0.2.20,,,,,\n", "hosts.csv:2:")
        with self.assertRaises(PxeError) as c:
            parse_inventory(b"\xff\xfe", "hosts.csv", fleet())
        self.assertIn("not UTF-8", str(c.exception))

    def test_fleet_options(self):
        for kw, want in (({"server": "https://192.0.2.1"}, "--server:"),
                         ({"server": "http://192.0.2.1/pxe"}, "--server:"),
                         ({"interface": "eth 1"}, "--interface:"),
                         ({"serial": "ttyS3,115200"}, "--serial:"),
                         ({"xen_args": "com1=9600"}, "--xen-args:")):
            args = {"server": "http://192.0.2.1", "interface": "eth1", **kw}
            with self.assertRaises(PxeError) as c:
                Fleet(**args)
            self.assertTrue(str(c.exception).startswith(want), str(c.exception))


if __name__ == "__main__":
    unittest.main()
