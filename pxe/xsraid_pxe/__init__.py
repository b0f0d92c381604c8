"""xsraid-pxe: from an inventory of hosts to everything a PXE server serves
for unattended XenServer installs mirrored by xsraid (see pxe/README.md)."""


class PxeError(Exception):
    """A problem the operator fixes: the message is one line that says what
    and where (file:line: field: ...), and nothing has been written."""
