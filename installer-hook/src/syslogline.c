// SPDX-License-Identifier: GPL-2.0-only
#include "syslogline.h"

#include <stdbool.h>
#include <syslog.h>

void syslog_line(int severity, const char *text)
{
	static const int priorities[] = {LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING, LOG_ERR};
	static bool opened;

	if (!opened) {
		openlog("xsraid", LOG_PID, LOG_DAEMON);
		opened = true;
	}
	if (severity < 0)
		severity = 0;
	if (severity > 4)
		severity = 4;
	syslog(priorities[severity], "%s", text);
}
