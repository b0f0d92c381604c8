// SPDX-License-Identifier: GPL-2.0-only
#include "cmdline.h"

#include <stdbool.h>
#include <string.h>

void cmdline_split(const char *text, struct strv *ret)
{
	struct buf cur = BUF_INIT;
	bool quoted = false, have = false;

	for (const char *p = text;; p++) {
		char c = *p;
		if (c == '\0' || ((c == ' ' || c == '\n' || c == '\t') && !quoted)) {
			/* A lone pair of quotes is an empty argument (cur.data is still NULL). */
			if (have)
				strv_push(ret, cur.data ? cur.data : "");
			buf_reset(&cur);
			have = false;
			if (c == '\0')
				break;
			continue;
		}
		if (c == '"') {
			/* Quotes group; they are not part of the value. */
			quoted = !quoted;
			have = true;
			continue;
		}
		buf_putc(&cur, c);
		have = true;
	}
	buf_free(&cur);
}

const char *cmdline_value(const struct strv *args, const char *key)
{
	size_t kl = strlen(key);
	const char *found = NULL;

	strv_foreach(a, args) {
		if (!strncmp(*a, key, kl) && (*a)[kl] == '=')
			found = *a + kl + 1;
	}
	return found;
}

int cmdline_read(const char *path, struct strv *ret)
{
	struct buf b = BUF_INIT;
	int r = read_file(path, 65536, &b);

	if (r < 0)
		return r;
	cmdline_split(b.data, ret);
	buf_free(&b);
	return 0;
}
