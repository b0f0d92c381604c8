"""The boot configurations: Citrix's mboot.c32 line with console settings
that agree on port and speed, a default that never installs, and the
dnsmasq and nginx configuration."""

import unittest

from helpers import HEADER, ROWS  # noqa: F401
from xsraid_pxe.inventory import Fleet, parse_inventory
from xsraid_pxe.render import (console_args, default_config, dhcp_host, dnsmasq_conf,
                               install_config, nginx_conf)

FLEET = Fleet(server="http://192.0.2.1", interface="eth1", gateway="192.0.2.254")
HOSTS = parse_inventory((HEADER + "".join(ROWS)).encode(), "hosts.csv", FLEET)


def host(row):
    return parse_inventory((HEADER + row).encode(), "hosts.csv", FLEET)[0]


class BootLine(unittest.TestCase):
    def test_install_config(self):
        self.assertEqual(install_config(FLEET, HOSTS[1]), (
            "# xs02 (52:54:00:12:34:57): XenServer with xsraid, mirrored on sda and sdb\n"
            "SERIAL 1 57600\n"
            "DEFAULT install\nPROMPT 0\nTIMEOUT 0\n"
            "LABEL install\n"
            "  KERNEL mboot.c32\n"
            "  APPEND xen.gz dom0_max_vcpus=2 dom0_mem=752M com2=57600,8n1 console=com2 --- "
            "vmlinuz console=ttyS1,57600 xencons=ttyS1,57600 "
            "answerfile=http://192.0.2.1/answerfiles/xs02.xml "
            "answerfile_device=52:54:00:12:34:57 install --- install.img\n"))

    def test_consoles_agree(self):
        """Xen's comN=SPEED and dom0's ttyS(N-1),SPEED name the same port and speed."""
        for row, xen, dom0 in (
                ("52:54:00:00:00:01,a,sda,sdb,192.0.2.20,,,,,,,\n",
                 "com1=115200,8n1 console=com1", "console=ttyS0,115200 xencons=ttyS0,115200"),
                ("52:54:00:00:00:01,a,sda,sdb,192.0.2.20,,,\"ttyS1,9600\",,,,\n",
                 "com2=9600,8n1 console=com2", "console=ttyS1,9600 xencons=ttyS1,9600"),
                ("52:54:00:00:00:01,a,sda,sdb,192.0.2.20,,,\"ttyS0,38400\",hvc,,,\n",
                 "com1=38400,8n1 console=com1", "xencons=hvc console=hvc0"),
                ("52:54:00:00:00:01,a,sda,sdb,192.0.2.20,,,none,,,,\n",
                 "console=vga", "console=tty0")):
            h = host(row)
            self.assertEqual(console_args(h), (xen, dom0))
            append = install_config(FLEET, h).splitlines()[-1]
            xen_part, dom0_part, module = append.split(" --- ")
            self.assertTrue(xen_part.endswith(xen), xen_part)
            self.assertTrue(dom0_part.startswith(f"vmlinuz {dom0} answerfile="), dom0_part)
            self.assertEqual(module, "install.img")
            # The serial console is dom0's last console=: 6.0.2's installer then
            # makes the serial entry (xe-serial) the installed system's default.
            consoles = [a for a in dom0_part.split() if a.startswith("console=")]
            self.assertEqual(consoles[-1], dom0.split()[-1] if h.console == "hvc"
                             else dom0.split()[0])

    def test_extra_args(self):
        h = host("52:54:00:00:00:01,a,sda,sdb,192.0.2.20,,,,,,,\"dom0_mem=2048M iommu=off\"\n")
        self.assertIn("APPEND xen.gz dom0_mem=2048M iommu=off com1=", install_config(FLEET, h))

    def test_default_never_installs(self):
        text = default_config(FLEET)
        self.assertIn("LOCALBOOT 0", text)
        self.assertNotIn("mboot", text)
        self.assertNotIn("install.img", text)


class Servers(unittest.TestCase):
    def test_dnsmasq(self):
        text = dnsmasq_conf(FLEET, "/srv/pxe")
        for line in ("interface=eth1", "dhcp-range=192.0.2.0,static,255.255.255.0,1h",
                     "dhcp-ignore=tag:!known", "dhcp-hostsdir=/srv/pxe/current/dnsmasq/hosts",
                     "dhcp-boot=lpxelinux.0", "dhcp-option-force=210,http://192.0.2.1/boot/",
                     "tftp-root=/srv/pxe/current/tftp", "dhcp-option=option:router,192.0.2.254",
                     "dhcp-option=option:dns-server", "port=0"):
            self.assertIn(line + "\n", text)
        self.assertEqual(dhcp_host(HOSTS[0]), "52:54:00:12:34:56,192.0.2.11,xs01\n")

    def test_nginx(self):
        text = nginx_conf(FLEET, "/srv/pxe", "192.0.2.1:80")
        self.assertIn("listen 192.0.2.1:80;", text)
        self.assertIn("root /srv/pxe/current/http;", text)
        self.assertIn("if (-f /srv/pxe/state/final/$1.json)", text)
        self.assertIn("rewrite ^ /boot/pxelinux.cfg/default last;", text)
        self.assertIn("dav_methods PUT;", text)
        self.assertIn("allow 192.0.2.0/24;", text)
        self.assertIn("autoindex_format json;", text)


if __name__ == "__main__":
    unittest.main()
