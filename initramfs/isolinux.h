/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_REMASTER_ISOLINUX_H
#define XSRAID_REMASTER_ISOLINUX_H

#include <stddef.h>

#include "util.h"

/**
 * The isolinux.cfg of a XenServer installer CD, given a new default entry
 * that starts the install unattended.  Pure: text in, text out.
 *
 * The file is read as syslinux reads it: one directive per line, keywords
 * in any case after optional white space, '#' comments, TEXT HELP blocks
 * up to ENDTEXT; an entry runs from its LABEL to the next LABEL.
 * XenServer's entries boot Xen through mboot.c32:
 *
 *	LABEL install
 *	  KERNEL mboot.c32
 *	  APPEND /boot/xen.gz XEN-ARGS --- /boot/vmlinuz KERNEL-ARGS --- /install.img
 *
 * isolinux_add_entry() copies the entry DEFAULT names to a new entry
 * @label, inserted before the first LABEL, whose APPEND has @args at the
 * end of the dom0 kernel's part (between the first and second "---"),
 * and makes it the DEFAULT (and ONTIMEOUT, when there is one).  The copy
 * leaves out what would contradict @args: answerfile=, rt_answerfile=,
 * answerfile_generator=, xsraid_answerfile= and install, and the entry's
 * MENU DEFAULT; its MENU LABEL says what it is.  Every other line is kept
 * byte for byte, with these exceptions, each reported in @notes:
 *   - MENU DEFAULT is removed from stock entries (it would win over DEFAULT);
 *   - a prompt that would wait for a key forever (PROMPT 1 or a menu UI
 *     without TIMEOUT, or with TIMEOUT 0) gets TIMEOUT 50;
 *   - an entry named @label from an earlier run is replaced; when it was
 *     the default, it is the one copied (without its old arguments).
 * Line endings follow the stock file's.
 *
 * Errors: -EINVAL with one line in @err: no DEFAULT, a DEFAULT that names
 * no LABEL (INCLUDEd files are not read), or a default entry that does not
 * boot Xen through mboot.c32 with both "---".
 */
int isolinux_add_entry(const char *cfg, size_t len, const char *label, const char *args,
		       struct buf *out, struct buf *notes, struct buf *err);

#endif
