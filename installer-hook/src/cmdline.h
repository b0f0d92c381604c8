/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_CMDLINE_H
#define XSRAID_CMDLINE_H

#include "util.h"

/*
 * The kernel command line, split the way XenServer's preinit splits it:
 * on spaces, except inside a pair of double quotes (which group and are
 * then dropped: answerfile="http://h/a b.xml" gives the URL without them).
 */
void cmdline_split(const char *text, struct strv *ret);

/*
 * The value of the last "KEY=value" argument (the kernel lets a later one
 * override), or NULL.  The pointer is into @args.
 */
const char *cmdline_value(const struct strv *args, const char *key);

/* Reads and splits @path (normally /proc/cmdline).  Returns 0 or -errno. */
int cmdline_read(const char *path, struct strv *ret);

#endif
