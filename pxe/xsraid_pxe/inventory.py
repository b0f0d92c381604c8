"""The inventory: a CSV file with a header row, one host per row.

Every value is checked here, before anything is written: a bad row stops
the run with "FILE:LINE: COLUMN: what is wrong and how to write it".
"""

import csv
import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from . import PxeError

# Columns every row fills, then the optional ones (empty: the fleet default).
REQUIRED = ("mac", "hostname", "disk1", "disk2", "ip")
OPTIONAL = ("netmask", "gateway", "dns", "serial", "console", "wipe", "reprovision",
            "xen-args", "dom0-args")

SPEEDS = (9600, 19200, 38400, 57600, 115200)
MAC_RE = re.compile(r"^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$")
LABEL_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
# As the installer names disks (and answerfile/xsraid.rng allows them).
DISK_RE = re.compile(r"^[A-Za-z0-9._:+@-]+(/[A-Za-z0-9._:+@-]+)*$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Kernel arguments the serial column decides, or that would break the boot line.
RESERVED_ARGS = re.compile(r"(^|\s)(com[12]=|console=|xencons=|answerfile|install(\s|$)|---)")


@dataclass(frozen=True)
class Serial:
    """A serial console: ttyS<port> at <speed>, which Xen calls com<port+1>."""
    port: int
    speed: int

    def __str__(self):
        return f"ttyS{self.port},{self.speed}"


# Serial settings and kernel arguments already checked: a fleet repeats the same few.
SERIALS = {"none": None}
ARGS_OK = {}


@dataclass
class Fleet:
    """Settings for every host, from the command line; a row's own values win."""
    server: str                      # base URL of this server's nginx, e.g. http://192.0.2.1
    interface: str                   # where dnsmasq answers DHCP and TFTP
    netmask: str = "255.255.255.0"
    gateway: str = ""
    dns: tuple = ()
    serial: Serial | None = Serial(0, 115200)
    console: str = "ttyS"            # dom0's console with a serial line: ttyS or hvc
    xen_args: str = "dom0_max_vcpus=2 dom0_mem=752M"
    dom0_args: str = ""
    # Derived by check_fleet().
    server_ip: str = ""
    server_port: int = 80
    network: object = None
    net_int: int = 0
    mask_int: int = 0

    def __post_init__(self):
        check_fleet(self)


@dataclass
class Host:
    line: int
    mac: str                 # 52:54:00:12:34:56
    hostname: str
    disks: tuple             # ("sda", "sdb")
    ip: str
    netmask: str
    gateway: str
    dns: tuple
    serial: Serial | None
    console: str
    wipe: str                # "" (the template's, else refuse), refuse or force
    reprovision: str
    xen_args: str
    dom0_args: str
    key: str = field(init=False)  # 01-52-54-00-12-34-56, pxelinux's name for the host

    def __post_init__(self):
        self.key = "01-" + self.mac.replace(":", "-")


def parse_serial(text, where):
    if text in SERIALS:
        return SERIALS[text]
    m = re.fullmatch(r"ttyS([01]),(\d+)", text)
    if not m or int(m.group(2)) not in SPEEDS:
        raise PxeError(f"{where}serial: '{text}' is not a serial console; write ttyS0,115200 "
                       f"(ttyS0 or ttyS1, which Xen calls com1 and com2; speed one of "
                       f"{', '.join(map(str, SPEEDS))}) or none")
    SERIALS[text] = Serial(int(m.group(1)), int(m.group(2)))
    return SERIALS[text]


IPV4_RE = re.compile(r"^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$")


def ipv4_int(text, what, where):
    """@text as a 32-bit number (dotted quad, no leading zeros)."""
    m = IPV4_RE.match(text)
    if not m or any(int(o) > 255 for o in m.groups()):
        raise PxeError(f"{where}{what}: '{text}' is not an IPv4 address such as 192.0.2.11")
    a, b, c, d = map(int, m.groups())
    return a << 24 | b << 16 | c << 8 | d


def parse_ipv4(text, what, where):
    ipv4_int(text, what, where)
    return text


def parse_dns(text, where):
    return tuple(parse_ipv4(a, "dns", where) for a in re.split(r"[\s;]+", text.strip()) if a)


def check_args(text, column, where):
    if text in ARGS_OK:
        return ARGS_OK[text]
    if any(ord(c) < 0x20 or ord(c) > 0x7e for c in text):
        raise PxeError(f"{where}{column}: only printable ASCII belongs on a kernel command line")
    m = RESERVED_ARGS.search(text)
    if m:
        raise PxeError(f"{where}{column}: '{m.group(2).strip()}' is set by xsraid-pxe itself "
                       f"(console settings come from the serial and console columns)")
    ARGS_OK[text] = " ".join(text.split())
    return ARGS_OK[text]


def check_fleet(f):
    u = urlsplit(f.server)
    if u.scheme != "http" or not u.hostname or u.path not in ("", "/") or u.query:
        raise PxeError(f"--server: '{f.server}' must be http://ADDRESS[:PORT] of this server, "
                       f"with no path: lpxelinux fetches over plain http")
    f.server = f.server.rstrip("/")
    f.server_ip = parse_ipv4(u.hostname, "--server", "")
    try:
        f.server_port = u.port or 80
    except ValueError:
        raise PxeError(f"--server: '{f.server}' has a bad port") from None
    if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,15}", f.interface or ""):
        raise PxeError(f"--interface: '{f.interface}' is not a network interface name")
    mask = parse_ipv4(f.netmask, "--netmask", "")
    try:
        f.network = ipaddress.IPv4Network(f"{f.server_ip}/{mask}", strict=False)
    except ValueError:
        raise PxeError(f"--netmask: '{f.netmask}' is not a netmask such as 255.255.255.0") from None
    f.net_int, f.mask_int = int(f.network.network_address), int(f.network.netmask)
    if f.gateway:
        f.gateway = parse_ipv4(f.gateway, "--gateway", "")
    if isinstance(f.serial, str):
        f.serial = parse_serial(f.serial, "--")
    if f.console not in ("ttyS", "hvc"):
        raise PxeError(f"--console: '{f.console}' must be ttyS or hvc")
    f.xen_args = check_args(f.xen_args, "xen-args", "--")
    f.dom0_args = check_args(f.dom0_args, "dom0-args", "--")


def parse_mac(text, where):
    mac = text.lower()
    if not MAC_RE.match(mac):
        raise PxeError(f"{where}mac: '{text}' is not a MAC address; write six hex pairs such as "
                       f"52:54:00:12:34:56")
    mac = mac.replace("-", ":")
    if int(mac[:2], 16) & 1:
        raise PxeError(f"{where}mac: '{text}' is a multicast address, which no network card has")
    if mac == "00:00:00:00:00:00":
        raise PxeError(f"{where}mac: '{text}' is not a network card's address")
    return mac


def parse_hostname(text, where):
    name = text.lower()
    if len(name) > 253 or not all(LABEL_RE.match(label) for label in name.split(".")):
        raise PxeError(f"{where}hostname: '{text}' is not a host name (letters, digits and "
                       f"hyphens, dot-separated labels of at most 63)")
    return name


def parse_disk(text, column, where):
    disk = text[5:] if text.startswith("/dev/") else text
    if not DISK_RE.match(disk) or ".." in disk.split("/"):
        raise PxeError(f"{where}{column}: '{text}' is not a disk name such as sda or "
                       f"disk/by-id/ata-MODEL_SERIAL")
    return disk


def parse_row(values, line, name, fleet):
    """@values: the row's stripped fields by column."""
    where = f"{name}:{line}: "
    get = values.get

    for column in REQUIRED:
        if not get(column, ""):
            raise PxeError(f"{where}{column}: missing; every host needs "
                           f"{', '.join(REQUIRED)}")
    disks = (parse_disk(get("disk1", ""), "disk1", where),
             parse_disk(get("disk2", ""), "disk2", where))
    if disks[0] == disks[1]:
        raise PxeError(f"{where}disk2: '{disks[1]}' is also disk1; a mirror needs two "
                       f"different disks")
    netmask = get("netmask", "") or fleet.netmask
    parse_ipv4(netmask, "netmask", where)
    ip = get("ip", "")
    if ipv4_int(ip, "ip", where) & fleet.mask_int != fleet.net_int:
        raise PxeError(f"{where}ip: {ip} is outside {fleet.network}, where this server answers "
                       f"DHCP for the install")
    if ip == fleet.server_ip:
        raise PxeError(f"{where}ip: {ip} is this server's own address")
    serial = parse_serial(get("serial", ""), where) if get("serial", "") else fleet.serial
    console = get("console", "") or fleet.console
    if console not in ("ttyS", "hvc"):
        raise PxeError(f"{where}console: '{console}' must be ttyS (console=ttySN,SPEED "
                       f"xencons=ttySN,SPEED) or hvc (xencons=hvc console=hvc0)")
    if get("console", "") and not serial:
        raise PxeError(f"{where}console: '{console}' needs a serial console, and serial is none")
    wipe = get("wipe", "")
    if wipe not in ("", "refuse", "force"):
        raise PxeError(f"{where}wipe: '{wipe}' must be refuse (a second disk that holds data "
                       f"is left alone) or force (erase it)")
    reprovision = get("reprovision", "")
    if reprovision and not TOKEN_RE.match(reprovision):
        raise PxeError(f"{where}reprovision: '{reprovision}' must be a short token such as "
                       f"2025-06-01 (letters, digits, . _ : -)")
    if reprovision and wipe == "refuse":
        raise PxeError(f"{where}wipe: refuse contradicts reprovision={reprovision}, which "
                       f"erases the host's mirror; leave wipe empty or write force")
    return Host(
        line=line,
        mac=parse_mac(get("mac", ""), where),
        hostname=parse_hostname(get("hostname", ""), where),
        disks=disks,
        ip=ip,
        netmask=netmask,
        gateway=(parse_ipv4(get("gateway", ""), "gateway", where) if get("gateway", "")
                 else fleet.gateway),
        dns=parse_dns(get("dns", ""), where) if get("dns", "") else tuple(fleet.dns),
        serial=serial,
        console=console,
        wipe="force" if reprovision else wipe,
        reprovision=reprovision,
        xen_args=check_args(get("xen-args", ""), "xen-args", where) or fleet.xen_args,
        dom0_args=check_args(get("dom0-args", ""), "dom0-args", where) or fleet.dom0_args,
    )


def parse_inventory(data, name, fleet):
    """Reads the CSV @data (bytes) named @name; returns the hosts in file order."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise PxeError(f"{name}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    lines = text.splitlines()
    # Comment lines (#) and blank lines are skipped, but keep their numbers.
    numbered = [(n, line) for n, line in enumerate(lines, 1)
                if line.strip() and not line.lstrip().startswith("#")]
    if not numbered:
        raise PxeError(f"{name}: empty; the first line names the columns: "
                       f"{','.join(REQUIRED)},...")
    rows = csv.reader([line for _, line in numbered], strict=True)
    try:
        parsed = list(rows)
    except csv.Error as e:
        raise PxeError(f"{name}:{numbered[rows.line_num - 1][0]}: {e}") from None
    header_line, header = numbered[0][0], [c.strip().lower() for c in parsed[0]]
    for column in header:
        if column not in REQUIRED + OPTIONAL:
            raise PxeError(f"{name}:{header_line}: unknown column '{column}'; known: "
                           f"{', '.join(REQUIRED + OPTIONAL)}")
        if header.count(column) > 1:
            raise PxeError(f"{name}:{header_line}: column '{column}' appears twice")
    for column in REQUIRED:
        if column not in header:
            raise PxeError(f"{name}:{header_line}: no '{column}' column; the header needs "
                           f"{', '.join(REQUIRED)}")

    hosts, by_mac, by_name, by_ip = [], {}, {}, {}
    for (line, _), fields in zip(numbered[1:], parsed[1:]):
        if len(fields) != len(header):
            raise PxeError(f"{name}:{line}: {len(fields)} fields, but the header names "
                           f"{len(header)} columns")
        host = parse_row(dict(zip(header, map(str.strip, fields))), line, name, fleet)
        for index, value, column in ((by_mac, host.mac, "mac"),
                                     (by_name, host.hostname, "hostname"),
                                     (by_ip, host.ip, "ip")):
            if value in index:
                other = index[value]
                raise PxeError(f"{name}:{line}: {column}: {value} is already host "
                               f"'{other.hostname}' on line {other.line}")
            index[value] = host
        hosts.append(host)
    if not hosts:
        raise PxeError(f"{name}: no hosts below the header")
    return hosts
