/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_REMASTER_ISO_H
#define XSRAID_REMASTER_ISO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "remaster.h"
#include "util.h"

/**
 * A XenServer installer CD with its install.img remastered and a new
 * default boot entry (isolinux.h), written with xorriso.
 *
 * xorriso loads the stock ISO and writes a new one from it with two files
 * replaced; `-boot_image any replay` re-creates the stock boot setup: the
 * El Torito entry for isolinux.bin with its boot info table, and, when the
 * stock ISO has one, the isohybrid MBR that lets it boot from a USB stick.
 * Joliet names are kept when the stock ISO has them.  Volume dates and the
 * dates of the two new files are the remaster's fixed time, so the same
 * inputs give the same ISO, byte for byte.
 */

/* What iso_probe() needs of the start of an image, at most. */
#define ISO_PROBE_SIZE (256 * 1024)

struct iso_probe {
	bool el_torito;	 /* an El Torito boot record: bootable from CD */
	bool joliet;	 /* a Joliet supplementary volume descriptor */
	bool hybrid_mbr; /* an MBR with a partition in the system area: isohybrid */
	char volume_id[33];
};

/*
 * Reads the system area and the volume descriptors at the start of an ISO
 * image.  Pure.  Returns 0, or -EINVAL with @err saying why it is not an
 * ISO 9660 image.
 */
int iso_probe(const void *head, size_t len, struct iso_probe *ret, struct buf *err);

/* The name of the new default isolinux entry. */
#define ISO_ENTRY_LABEL "xsraid"

/*
 * Remasters the ISO @stock into @out: install.img through remaster_image()
 * with @p, isolinux.cfg through isolinux_add_entry() with @p->boot_args.
 * Reports to @report.  @out appears only when everything succeeded.
 */
int iso_remaster(const char *stock, const char *out, const struct payload *p, FILE *report);

#endif
