"""xsraid-pxe generate | status: see pxe/README.md."""

import argparse
import json
import os
import pwd
import sys
from pathlib import Path

from . import PxeError
from .inventory import Fleet, parse_dns, parse_inventory
from .status import host_rows, table
from .template import Template
from .tree import Sources, generate

DEFAULT_PXELINUX = "/usr/lib/PXELINUX/lpxelinux.0"
DEFAULT_MODULES = "/usr/lib/syslinux/modules/bios"


def default_owner():
    if os.geteuid() != 0:
        return ""
    try:
        pwd.getpwnam("www-data")
        return "www-data"
    except KeyError:
        return ""


def read(path, what):
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise PxeError(f"{what}: cannot read '{path}': {e.strerror}") from None


def cmd_generate(a):
    fleet = Fleet(server=a.server, interface=a.interface, netmask=a.netmask,
                  gateway=a.gateway, dns=parse_dns(a.dns, "--") if a.dns else (),
                  serial=a.serial, console=a.console, xen_args=a.xen_args,
                  dom0_args=a.dom0_args)
    inventory = read(a.inventory, "--inventory")
    answerfile = read(a.answerfile, "--answerfile")
    hosts = parse_inventory(inventory, a.inventory, fleet)
    template = Template(answerfile, a.answerfile)
    sources = Sources(a.pxelinux, a.syslinux_modules, a.xen, a.vmlinuz, a.install_img)
    listen = a.listen or f"{fleet.server_ip}:{fleet.server_port}"
    gen_id, previous, armed = generate(fleet, hosts, template, sources, a.out, listen,
                                       a.state_owner, [inventory, answerfile], a.inventory)
    if previous == gen_id:
        print(f"xsraid-pxe: {len(hosts)} hosts; generation {gen_id} is already current, "
              f"nothing changed")
    else:
        out = Path(a.out).resolve()
        print(f"xsraid-pxe: {len(hosts)} hosts; generation {gen_id} is now current in "
              f"{out}" + (f" (previous: {previous})" if previous else ""))
        for conf, what in (("dnsmasq.conf", "restart dnsmasq: its configuration changed"),
                           ("nginx.conf", "reload nginx: its configuration changed")):
            new_conf = (out / "gen" / gen_id / conf).read_bytes()
            old_conf = out / "gen" / str(previous) / conf
            if not previous or not old_conf.exists() or old_conf.read_bytes() != new_conf:
                print(f"xsraid-pxe: {what}")
        print("xsraid-pxe: send dnsmasq a SIGHUP (systemctl reload dnsmasq) to read the DHCP "
              "hosts again")
    for h in armed:
        print(f"xsraid-pxe: {h.hostname}: reprovision {h.reprovision}: its final report is "
              f"cleared; at its next network boot it installs again and erases its mirror "
              f"(raid-wipe=\"force\")")
    return 0


def cmd_status(a):
    rows = host_rows(a.out)
    if rows is None:
        raise PxeError(f"--out: nothing generated in '{a.out}' (run xsraid-pxe generate)")
    if a.json:
        print(json.dumps(rows, indent=2, sort_keys=True))
    else:
        sys.stdout.write(table(rows))
    return 0


def parser():
    p = argparse.ArgumentParser(prog="xsraid-pxe", description="PXE installs of XenServer "
                                "mirrored by xsraid: generate what dnsmasq and nginx serve, "
                                "and watch the hosts install.")
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="turn an inventory into the served tree")
    g.add_argument("--inventory", required=True, help="CSV, one host per row (pxe/README.md)")
    g.add_argument("--answerfile", required=True, help="your answerfile, the template")
    g.add_argument("--out", required=True, help="the server's directory, e.g. /srv/xsraid-pxe")
    g.add_argument("--server", required=True,
                   help="http://ADDRESS[:PORT] at which hosts reach this server's nginx")
    g.add_argument("--interface", required=True, help="where dnsmasq answers DHCP and TFTP")
    g.add_argument("--listen", default="", help="nginx's listen (default: the --server address)")
    g.add_argument("--netmask", default="255.255.255.0")
    g.add_argument("--gateway", default="", help="default gateway for every host")
    g.add_argument("--dns", default="", help="name servers for every host (comma-separated)")
    g.add_argument("--serial", default="ttyS0,115200", help="ttyS0|ttyS1,SPEED or none")
    g.add_argument("--console", default="ttyS", choices=("ttyS", "hvc"),
                   help="dom0's console form with a serial line")
    g.add_argument("--xen-args", default="dom0_max_vcpus=2 dom0_mem=752M")
    g.add_argument("--dom0-args", default="")
    g.add_argument("--xen", required=True, help="xen.gz of the installer")
    g.add_argument("--vmlinuz", required=True, help="the installer's dom0 kernel")
    g.add_argument("--install-img", required=True, help="install.img remastered with xsraid")
    g.add_argument("--pxelinux", default=DEFAULT_PXELINUX)
    g.add_argument("--syslinux-modules", default=DEFAULT_MODULES)
    g.add_argument("--state-owner", default=default_owner(),
                   help="nginx's worker user, who writes the reports (default www-data as root)")
    g.set_defaults(run=cmd_generate)
    s = sub.add_parser("status", help="the fleet as a table")
    s.add_argument("--out", required=True)
    s.add_argument("--json", action="store_true")
    s.set_defaults(run=cmd_status)
    return p


def main(argv=None):
    a = parser().parse_args(argv)
    try:
        return a.run(a)
    except PxeError as e:
        print(f"xsraid-pxe: {e}", file=sys.stderr)
        return 1
