/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_MIRROR_H
#define XSRAID_MIRROR_H

#include "discover.h"
#include "inputs.h"

/**
 * The two disks of a mirror, as discovery found them, and the one verdict
 * on the journal the second disk may carry.  The journal is read once, by
 * discover(); everything that must know whether it is ours asks here.
 */

enum journal_verdict {
	JOURNAL_NONE,		    /* the second disk carries no xsraid journal */
	JOURNAL_THIS_INSTALL,	    /* written for this very install: resume it */
	JOURNAL_EARLIER_UNFINISHED, /* ours, for these disks, an earlier install left unfinished */
	JOURNAL_EARLIER_FINISHED,   /* ours, for these disks, a finished mirror: it holds data */
	JOURNAL_FOREIGN,	    /* a journal that does not describe these disks */
};

struct mirror {
	const struct disk_info *disk[2]; /* NULL: no disk of that name */
	enum journal_verdict verdict;
	struct plan_inputs recorded;	     /* the journal's inputs, unless NONE or FOREIGN */
	const struct journal_state *journal; /* disk[1]'s journal, unless NONE */
	char why[1024];			     /* what the verdict rests on, for messages */
};

/* The identity xsraid records for a disk: model, serial and size. */
void mirror_disk_identity(const struct disk_info *d, char *out, size_t outlen);

/*
 * The disks @asked names (as an answerfile writes them: "sda",
 * "disk/by-id/..."), and the verdict on the second one's journal for the
 * system installed at inv->target.
 */
void mirror_find(const struct inventory *inv, const char *const asked[2], struct mirror *ret);

/*
 * The conversion a journal records, found from the journal alone: on
 * @disk2, or on any disk when it is NULL.  Returns 0 with verdict
 * JOURNAL_THIS_INSTALL when the disks are those it was written for (names,
 * identities, the first disk's GPT and root filesystem or md membership);
 * -ENOENT when no disk carries a journal; -ESTALE when one does but the
 * disks are not those it recorded, with @ret->why saying what differs.
 */
int mirror_from_journal(const struct inventory *inv, const char *disk2, struct mirror *ret);

/*
 * A disk replacement (xsraid replace-disk): the new disk @new_name (as the
 * operator names it: "sdb", "/dev/sdb", "disk/by-id/...") and the verdict on
 * the journal it may carry.  JOURNAL_THIS_INSTALL: it records a replacement
 * onto this very disk (identity and GPT) from a good disk that is still here
 * as recorded, to resume with ->recorded; JOURNAL_EARLIER_FINISHED: that
 * replacement finished; JOURNAL_FOREIGN: any other journal (an install's:
 * the disk was part of a mirror, so it holds data); JOURNAL_NONE.
 * ->disk[1] is the new disk (NULL: no such disk), ->disk[0] the recorded
 * good disk when there is one.
 */
void mirror_find_replacement(const struct inventory *inv, const char *new_name, struct mirror *ret);

void mirror_free(struct mirror *m);

const char *journal_verdict_name(enum journal_verdict v);

#endif
