"""The operator's own answerfile, made into one answerfile per host.

The template is parsed once (expat, which reports byte offsets); each host's
answerfile is the template's bytes with a few elements replaced or added:
<primary-disk> (the host's disks, the RAID extension with its wipe policy
and report URLs), <hostname>, <admin-interface>, <name-server> and xsraid's
two <script> hooks.  Everything else, comments and layout included, stays as
the operator wrote it.
"""

import xml.parsers.expat

from . import PxeError

HOOK_URL = "file:///opt/xsraid/xsraid-hook"
HOOK_STAGES = ("filesystem-populated", "installation-complete")
# Set per host: whatever the template says about them is replaced.
OURS = ("raid", "raid-wipe", "raid-report", "raid-report-final")


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text):
    return '"' + escape(text).replace('"', "&quot;") + '"'


class Element:
    def __init__(self, name, attrs, start, line):
        self.name, self.attrs, self.start, self.line = name, attrs, start, line
        self.end = None      # one past the end of the element's last byte
        self.text = ""


def tag_end(data, start):
    """One past the '>' that closes the tag starting at @start ('>' may sit in quotes)."""
    quote = None
    for i in range(start + 1, len(data)):
        c = data[i]
        if quote:
            if c == quote:
                quote = None
        elif c in (0x22, 0x27):
            quote = c
        elif c == 0x3e:
            return i + 1
    raise ValueError("unterminated tag")


class Template:
    def __init__(self, data, name):
        self.name = name
        self.data = data
        self.children = []   # the root's element children, in order
        self.root = None
        self.root_end_tag = None
        self._parse()
        self._check()

    def _fail(self, line, message):
        raise PxeError(f"{self.name}:{line}: {message}")

    def _parse(self):
        p = xml.parsers.expat.ParserCreate()
        stack = []

        def doctype(*_):
            self._fail(p.CurrentLineNumber, "<!DOCTYPE> in an answerfile: installers need "
                       "none, and xsraid refuses one; remove it")

        def start(name, attrs):
            e = Element(name, attrs, p.CurrentByteIndex, p.CurrentLineNumber)
            if not stack:
                self.root = e
            elif len(stack) == 1:
                self.children.append(e)
            stack.append(e)

        def end(name):
            e = stack.pop()
            head = tag_end(self.data, e.start)
            if self.data[head - 2:head] == b"/>":
                e.end, at = head, None    # <x/>: no end tag
            else:
                at = p.CurrentByteIndex   # where "</x>" starts
                e.end = self.data.index(b">", at) + 1
            if not stack:
                self.root_end_tag = at

        def chars(text):
            if len(stack) == 2:
                stack[-1].text += text

        p.StartDoctypeDeclHandler = doctype
        p.StartElementHandler = start
        p.EndElementHandler = end
        p.CharacterDataHandler = chars
        p.ordered_attributes = False
        try:
            p.Parse(self.data, True)
        except xml.parsers.expat.ExpatError as e:
            self._fail(e.lineno, f"not well-formed XML: {xml.parsers.expat.ErrorString(e.code)}")

    def _check(self):
        r = self.root
        if r.name != "installation":
            self._fail(r.line, f"the root element is <{r.name}>; the template must be a fresh "
                       f"install, <installation>")
        if r.attrs.get("mode", "fresh") != "fresh":
            self._fail(r.line, f"mode=\"{r.attrs['mode']}\": xsraid mirrors fresh installs only")
        if self.root_end_tag is None:
            self._fail(r.line, "<installation/> is empty; start from your working answerfile")
        seen = {}
        for e in self.children:
            if e.name == "raid":
                self._fail(e.line, "<raid> names disks, and the inventory names each host's: "
                           "remove it (settings go on <primary-disk> as raid-metadata= etc.)")
            if e.name in ("primary-disk", "hostname", "admin-interface") and e.name in seen:
                self._fail(e.line, f"a second <{e.name}>; the installer reads only the first")
            seen[e.name] = e
        self.guest_disks = {e.text.strip().removeprefix("/dev/") for e in self.children
                            if e.name == "guest-disk"}
        self.hooked = {e.attrs.get("stage") for e in self.children
                       if e.name == "script" and e.text.strip() == HOOK_URL}
        pd = seen.get("primary-disk")
        self.wipe = pd.attrs.get("raid-wipe", "") if pd else ""
        if self.wipe not in ("", "refuse", "force"):
            self._fail(pd.line, f"raid-wipe=\"{self.wipe}\" must be refuse or force")
        self._plan_edits()

    def _line_span(self, e):
        """The element's bytes, widened to its whole line(s) when nothing else is on them."""
        d = self.data
        s = d.rfind(b"\n", 0, e.start) + 1
        t = d.find(b"\n", e.end)
        t = len(d) if t < 0 else t + 1
        if d[s:e.start].strip() or d[e.end:t].strip():
            return e.start, e.end
        return s, t

    def _plan_edits(self):
        """Splits the template into fixed byte runs and the places per-host text goes."""
        replace = {"primary-disk": None, "hostname": None, "admin-interface": None,
                   "name-server": None}
        cuts = []   # (start, end, slot): bytes start..end are replaced by slot's text
        for e in self.children:
            slot = "name-server" if e.name in ("name-server", "nameserver") else e.name
            if slot not in replace:
                continue
            if slot != "name-server" or replace[slot] is None:
                cuts.append((e.start, e.end, slot))
                replace[slot] = e
            else:
                # The first name server's place takes the host's list; the others go.
                s, t = self._line_span(e)
                cuts.append((s, t, "name-server-more"))
        self.primary_attrs = replace["primary-disk"].attrs if replace["primary-disk"] else {}
        # Elements the template lacks are added before </installation>, indented
        # like the template's first child.
        indent = b"  "
        if self.children:
            first = self.children[0]
            line_start = self.data.rfind(b"\n", 0, first.start) + 1
            if not self.data[line_start:first.start].strip():
                indent = self.data[line_start:first.start]
        self.indent = indent.decode()
        self.missing = [slot for slot in ("primary-disk", "hostname", "admin-interface",
                                          "name-server") if replace[slot] is None]
        cuts.sort()
        self.pieces = []   # bytes, or a slot name
        at = 0
        for s, t, slot in cuts:
            self.pieces.append(self.data[at:s])
            # The template's own bytes stay where the host has nothing to say.
            self.pieces.append((slot, self.data[s:t]))
            at = t
        end_line = self.data.rfind(b"\n", 0, self.root_end_tag) + 1
        insert_at = end_line if not self.data[end_line:self.root_end_tag].strip() \
            else self.root_end_tag
        self.pieces.append(self.data[at:insert_at])
        self.pieces.append(("added", b""))
        self.pieces.append(self.data[insert_at:])

    def check_host(self, host, where):
        for column, disk in zip(("disk1", "disk2"), host.disks):
            if disk in self.guest_disks:
                raise PxeError(f"{where}{column}: '{disk}' is a <guest-disk> in {self.name}; "
                               f"a mirror member cannot also hold guest storage")

    def render(self, host, urls):
        """The answerfile of @host; @urls has report and final (the report URLs)."""
        wipe = host.wipe or self.wipe
        attrs = [(k, v) for k, v in self.primary_attrs.items() if k not in OURS]
        attrs.append(("raid", host.disks[1]))
        if wipe:
            attrs.append(("raid-wipe", wipe))
        attrs.append(("raid-report", urls["report"]))
        attrs.append(("raid-report-final", urls["final"]))
        text = {
            "primary-disk": "<primary-disk%s>%s</primary-disk>" % (
                "".join(f" {k}={quoteattr(v)}" for k, v in attrs), escape(host.disks[0])),
            "hostname": f"<hostname>{host.hostname}</hostname>",
        }
        if host.gateway:
            text["admin-interface"] = (
                f'<admin-interface hwaddr="{host.mac}" proto="static"><ip>{host.ip}</ip>'
                f"<subnet-mask>{host.netmask}</subnet-mask><gateway>{host.gateway}</gateway>"
                f"</admin-interface>")
        else:
            # 6.0's installer insists on a <gateway> for proto="static".
            text["admin-interface"] = f'<admin-interface hwaddr="{host.mac}" proto="dhcp"/>'
        sep = "\n" + self.indent
        text["name-server"] = sep.join(f"<name-server>{a}</name-server>" for a in host.dns)
        added = [text[slot] for slot in self.missing if text[slot] and slot != "name-server"]
        added += [text["name-server"]] if "name-server" in self.missing and host.dns else []
        added += [f'<script stage="{stage}" type="url">{HOOK_URL}</script>'
                  for stage in HOOK_STAGES if stage not in self.hooked]
        text["added"] = "".join(f"{self.indent}{a}\n" for a in added)
        if not host.dns:
            del text["name-server"]
        text["name-server-more"] = "" if host.dns else None
        out = []
        for piece in self.pieces:
            if isinstance(piece, bytes):
                out.append(piece)
                continue
            slot, original = piece
            out.append(original if text.get(slot) is None else text[slot].encode())
        return b"".join(out)
