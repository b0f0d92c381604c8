/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_DECIDE_H
#define XSRAID_DECIDE_H

#include "answerfile.h"
#include "discover.h"
#include "inputs.h"
#include "mirror.h"
#include "util.h"

/**
 * Deciding whether and how an install can be mirrored: every safety rule
 * lives here (missing or busy disks, data on the second disk, sizes, the
 * installed system's shape), each refusal one line that names the problem
 * and the fix.  Pure: it reads only what discovery found.
 */

/*
 * The inputs of the plan for @af on the disks @m, with the installed system
 * mounted at @target_dir.  When @m's journal is this install's own, they are
 * the recorded ones (the conversion resumes).  Returns 0 and fills @ret;
 * -ENODATA when the answerfile asks for no mirror; or -EINVAL with one line
 * in @err.
 */
int decide_inputs(const struct answerfile *af, const struct inventory *inv, const struct mirror *m,
		  const char *target_dir, struct plan_inputs *ret, struct buf *err);

/* What the operator asked of xsraid replace-disk. */
struct replace_request {
	const char *new_disk; /* as written: "sdb", "/dev/sdb", "disk/by-id/..." */
	const char *from;     /* the good disk, or NULL: the one the arrays run from */
	bool force;	      /* the new disk may be erased when it holds something */
};

/*
 * The inputs of a replace-disk plan on the running host whose disks and
 * arrays are @inv, with @m the new disk and the verdict on its journal
 * (mirror_find_replacement()).  When the journal records this very
 * replacement, they are the recorded ones (it resumes).  Returns 0 and
 * fills @ret; -EALREADY when the recorded replacement is finished; or
 * -EINVAL with one line in @err naming what is wrong and the fix.
 */
int decide_replace(const struct replace_request *req, const struct inventory *inv,
		   const struct mirror *m, struct plan_inputs *ret, struct buf *err);

#endif
