/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_CONFIGEDIT_H
#define XSRAID_CONFIGEDIT_H

#include <stddef.h>

#include "util.h"

/**
 * Pure text transforms of the installed system's configuration files.
 *
 * Each function takes the current contents and returns the new contents in
 * a malloc'd string (*ret, caller frees), changing only what it must: other
 * lines, comments, order and spacing stay byte for byte, so a diff of before
 * and after shows exactly what xsraid did.  Applying a transform to its own
 * output gives the same output again (idempotent), which is how a resumed
 * run recognises the step as done.
 *
 * On input that does not have the expected shape they return -EINVAL and
 * put a one-line reason into @err (e.g. "no entry mounts '/'"), without
 * writing *ret.  Callers add the file name.
 */

/*
 * fstab: replaces the device field (first field) of the one entry whose
 * mount point (second field) is "/" with @new_dev, keeping the separators
 * and the other fields.  -EINVAL if there is no such entry or more than one.
 */
int config_fstab_set_root(const char *text, const char *new_dev, char **ret, struct buf *err);

/*
 * One boot entry of an extlinux.conf ("label NAME" up to the next label).
 * For XenServer's multiboot form, "kernel mboot.c32" and
 * "append XEN [XEN ARGS] --- KERNEL [ARGS] --- INITRD", the fields below are
 * taken from the three "---" parts.  For a plain Linux entry, "kernel" is
 * the kernel, root is from "append", and initrd from "initrd=" or "initrd".
 */
struct extlinux_entry {
	char *label;
	char *kernel;	/* the "kernel" line: mboot.c32 for multiboot entries */
	char *xen;	/* multiboot only: the hypervisor image, else NULL */
	char *dom0;	/* multiboot: the dom0 kernel; plain: same as kernel */
	char *initrd;	/* NULL if none */
	char *root;	/* value of root= on the Linux command line, NULL if none */
	unsigned parts; /* number of "---"-separated parts in append (3 for multiboot) */
};

struct extlinux_config {
	char *default_label; /* NULL if no "default" line */
	size_t n_entries;
	struct extlinux_entry *entries;
};

/* Parses @text.  Keywords are case-insensitive, as syslinux reads them. */
int config_extlinux_parse(const char *text, struct extlinux_config *ret, struct buf *err);
void config_extlinux_free(struct extlinux_config *c);

/*
 * Sets root=@new_root on the Linux command line of every entry: in the
 * second "---" part of multiboot entries (never in Xen's own arguments), in
 * the append line of plain entries, keeping the "---" form and everything
 * else.  An entry whose command line has no root= gets one appended to it.
 * *ret_entries is the number of entries.  -EINVAL if there are none.
 *
 * Only whole root= arguments count (never nfsroot=); if a command line has
 * several, all get @new_root.  A tboot entry ("append TBOOT --- XEN ---
 * KERNEL [ARGS] --- INITRD") has its Linux command line in the third part.
 * Entries that are not a Linux kernel or mboot.c32 (localboot, chain.c32),
 * that lack an append line, repeat kernel or append lines or leave a double
 * quote open, and "include" lines are -EINVAL for both this and
 * config_extlinux_parse().
 */
int config_extlinux_set_root(const char *text, const char *new_root, char **ret,
			     unsigned *ret_entries, struct buf *err);

/*
 * Shell-style KEY='value' files (/etc/xensource-inventory,
 * /etc/firstboot.d/data/default-storage.conf): sets each keys[i] to
 * values[i], replacing the existing assignment in place (keeping the quote
 * style the file uses: '...' or "...", none if the old value had none and
 * the new one needs none) or appending "KEY='value'" at the end.  Values
 * are quoted safely for sh, a ' as '\''; a value with a line break is
 * -EINVAL, and so is a file with a quote left open on an assignment line.
 * xapi reads the inventory with its own parser, which only strips one pair
 * of surrounding single quotes: values meant for it should need no escaping.
 */
int config_shell_vars_set(const char *text, const char *const *keys, const char *const *values,
			  size_t n, char **ret, struct buf *err);

/*
 * Reads KEY's value from a shell-style file, unquoted as sh does but without
 * expanding $ or `; the last assignment wins.  NULL if absent or if its quote
 * is not closed on the line.  Caller frees.
 */
char *config_shell_var_get(const char *text, const char *key);

/* One array for /etc/mdadm.conf. */
struct mdadm_conf_array {
	const char *device;   /* "/dev/md0" */
	const char *metadata; /* "0.90" or "1.0" */
	const char *uuid;     /* mdadm form: "xxxxxxxx:xxxxxxxx:xxxxxxxx:xxxxxxxx" */
	unsigned devices;     /* number of members */
};

/*
 * /etc/mdadm.conf as xsraid writes it: a header comment, "DEVICE
 * partitions", one ARRAY line per array with level, num-devices, metadata
 * and UUID, then what mdadm's monitor reads: "MAILADDR @mailaddr" (root when
 * NULL) and, unless NULL, "PROGRAM @program".  Both CentOS 5's mdadm 2.6 and
 * current mdadm read this form.  The values are one word each: callers pass
 * validated ones.
 */
char *config_mdadm_conf(const struct mdadm_conf_array *arrays, size_t n, const char *mailaddr,
			const char *program);

#endif
