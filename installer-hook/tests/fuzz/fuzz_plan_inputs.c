// SPDX-License-Identifier: GPL-2.0-only
/*
 * The plan inputs a journal carries, as resume reads them: parsed, turned
 * into the plan, printed.  Inputs that parse are a fixed point of
 * serialise-and-parse: what a first stage wrote is what a resume reads.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inputs.h"
#include "plan.h"
#include "planprint.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct buf err = BUF_INIT, once = BUF_INIT, twice = BUF_INIT, out = BUF_INIT;
	struct plan_inputs in = {0}, again = {0};
	struct plan p;

	if (inputs_parse(text, &in, &err) < 0) {
		if (strchr(err.data, '\n'))
			abort();
		goto out;
	}
	plan_build(&in, &p);
	plan_print_text(&p, &out);
	buf_reset(&out);
	plan_print_json(&p, &out);
	plan_free(&p);
	inputs_serialize(&in, &once);
	if (inputs_parse(once.data, &again, &err) < 0)
		abort();
	inputs_serialize(&again, &twice);
	if (strcmp(once.data, twice.data))
		abort();
	inputs_free(&again);
	inputs_free(&in);
out:
	buf_free(&err);
	buf_free(&once);
	buf_free(&twice);
	buf_free(&out);
	free(text);
	return 0;
}
