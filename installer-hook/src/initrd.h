/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_INITRD_H
#define XSRAID_INITRD_H

#include <stdbool.h>
#include <stddef.h>

#include "answerfile.h"
#include "util.h"

/**
 * What an initrd will do about the root array, read from the image itself:
 * gzip (one member or several, as the kernel unpacks them) or plain newc
 * cpio, its /init script, the modules and tools it carries, and its
 * mdadm.conf.  CentOS 5's mkinitrd assembles an md root in one of three
 * ways, and which one depends on its version and on what the system has:
 *
 *   raidautorun /dev/mdN      the kernel's own autodetect: md built in,
 *                             0.90 superblocks on Linux RAID (fd00)
 *                             partitions only
 *   mdadm -A ... with         ARRAY lines name the arrays by UUID
 *     etc/mdadm.conf
 *   mdadm --assemble --scan   without a config: mdadm 2.6 assembles
 *     without mdadm.conf      nothing without a home host, and later ones
 *                             name what they find md127, so this never
 *                             brings up md0
 *
 * Pure: the caller reads the image file.
 */

struct initrd_facts {
	bool has_md_module;	/* md-mod.ko or md_mod.ko, compressed or not, anywhere */
	bool has_raid1_module;	/* raid1.ko */
	bool has_mdadm;		/* an executable mdadm or mdadm.static */
	bool init_autoruns_md0; /* /init runs "raidautorun /dev/md0" */
	bool init_assembles;	/* /init runs mdadm with -A/--assemble */
	bool init_scans;	/* ... with -s/--scan */
	bool has_conf;		/* etc/mdadm.conf */
	struct strv conf_uuids; /* the UUIDs its ARRAY lines name, as written */
};

/*
 * Reads the initrd @data.  Returns 0, or -EINVAL with one line in @err when
 * it is not a gzip-compressed or plain newc cpio archive, is cut short, or
 * unpacks to more than a sane size.
 */
int initrd_read(const void *data, size_t len, struct initrd_facts *ret, struct buf *err);
void initrd_facts_free(struct initrd_facts *f);

/* What the kernel the initrd boots has built in, from its config. */
struct kernel_md {
	bool md_builtin;    /* CONFIG_BLK_DEV_MD=y */
	bool raid1_builtin; /* CONFIG_MD_RAID1=y */
};

/* Reads a kernel's config text (/boot/config-VERSION); what it does not say is "module". */
void kernel_md_from_config(const char *text, struct kernel_md *ret);

/*
 * Whether an initrd with @f assembles the root array with UUID @uuid (mdadm
 * form) and @metadata on a kernel with @k.  Puts into @out how it does, or
 * what is missing.
 */
bool initrd_assembles_root(const struct initrd_facts *f, const struct kernel_md *k,
			   const char *uuid, enum md_metadata metadata, struct buf *out);

#endif
