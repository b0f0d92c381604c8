// SPDX-License-Identifier: GPL-2.0-only
/*
 * The answerfile parser and the rewrite for the stock installer, over any
 * bytes.  Beyond not crashing: an error is one line naming the file, a
 * rewrite of a valid file parses again with the same mirror and both hooks,
 * and a file without a mirror goes through unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "answerfile.h"

#define HOOK "file:///opt/xsraid/xsraid-hook"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const struct buf *err)
{
	if (!str_starts_with(err->data, "a.xml:") || strchr(err->data, '\n'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct buf err = BUF_INIT, json = BUF_INIT, out = BUF_INIT;
	struct answerfile af, again;

	if (answerfile_parse(text, size, "a.xml", &af, &err) < 0) {
		check_error(&err);
		buf_free(&err);
		return 0;
	}
	answerfile_to_json(&af, &json);
	if (answerfile_for_stock_installer(text, size, "a.xml", HOOK, &out, &err) == 0) {
		if (af.raid.syntax == RAID_SYNTAX_NONE &&
		    (out.len != size || memcmp(out.data, data, size)))
			abort();
		if (af.raid.syntax == RAID_SYNTAX_ATTRIBUTE) {
			if (answerfile_parse(out.data, out.len, "a.xml", &again, &err) < 0)
				abort();
			if (again.raid.syntax != RAID_SYNTAX_ATTRIBUTE ||
			    strcmp(again.raid.disks[0], af.raid.disks[0]) ||
			    strcmp(again.raid.disks[1], af.raid.disks[1]) ||
			    !answerfile_has_script(&again, "filesystem-populated", HOOK) ||
			    !answerfile_has_script(&again, "installation-complete", HOOK))
				abort();
			answerfile_free(&again);
		}
	} else {
		check_error(&err);
	}
	answerfile_free(&af);
	buf_free(&err);
	buf_free(&json);
	buf_free(&out);
	return 0;
}
