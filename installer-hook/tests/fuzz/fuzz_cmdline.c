// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel command line, split as the installer splits it, and the
 * locations found on it as messages show them: on one line, and without a
 * URL's user:password.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every "://" in @s is followed by an authority (up to "/?#") with no '@' but a leading "***@". */
static void check_display(const char *s)
{
	for (const char *c = s; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			abort();
		if (strncmp(c, "://", 3))
			continue;
		const char *a = c + 3, *end = a + strcspn(a, "/?#");
		if (!strncmp(a, "***@", 4))
			a += 4;
		const char *at = memchr(a, '@', (size_t)(end - a));
		if (at)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct strv args = STRV_INIT;

	cmdline_split(text, &args);
	static const char *const keys[] = {"answerfile", "xsraid_answerfile", "answerfile_sha256"};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *v = cmdline_value(&args, keys[i]);
		if (v) {
			char *shown = location_display(v);
			check_display(shown);
			free(shown);
		}
	}
	strv_foreach(a, &args) {
		char *shown = location_display(*a);
		check_display(shown);
		free(shown);
	}
	strv_free(&args);
	free(text);
	return 0;
}
