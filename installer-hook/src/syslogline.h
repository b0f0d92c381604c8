/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_SYSLOGLINE_H
#define XSRAID_SYSLOGLINE_H

/**
 * One line to syslog (facility daemon, ident "xsraid").  Apart from log.c
 * because log.h's level names are also <syslog.h>'s macros; @severity is
 * 0 debug, 1 info, 2 notice, 3 warning, 4 error, as log.h's levels.
 */
void syslog_line(int severity, const char *text);

#endif
