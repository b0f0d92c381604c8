// SPDX-License-Identifier: GPL-2.0-only
/*
 * The config editors over any text, as it could be in the installed
 * system's fstab, extlinux.conf, xensource-inventory or
 * default-storage.conf.  What configedit.h promises is checked: an edit
 * applied to its own output changes nothing (that is how a resumed run sees
 * a step done), extlinux.conf that could be edited parses, a variable that
 * was set reads back, and errors are one line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "configedit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const struct buf *err)
{
	if (strchr(err->data, '\n'))
		abort();
}

static void fstab(const char *text)
{
	struct buf err = BUF_INIT;
	char *once = NULL, *twice = NULL;

	if (config_fstab_set_root(text, "/dev/md0", &once, &err) == 0) {
		if (config_fstab_set_root(once, "/dev/md0", &twice, &err) < 0 ||
		    strcmp(once, twice))
			abort();
	} else {
		check_error(&err);
	}
	free(once);
	free(twice);
	buf_free(&err);
}

static void extlinux(const char *text)
{
	struct buf err = BUF_INIT;
	struct extlinux_config c = {0};
	char *once = NULL, *twice = NULL;
	unsigned n1 = 0, n2 = 0;

	if (config_extlinux_parse(text, &c, &err) < 0)
		check_error(&err);
	config_extlinux_free(&c);
	if (config_extlinux_set_root(text, "/dev/md0", &once, &n1, &err) == 0) {
		if (config_extlinux_set_root(once, "/dev/md0", &twice, &n2, &err) < 0 ||
		    strcmp(once, twice) || n1 != n2)
			abort();
		struct extlinux_config d = {0};
		if (config_extlinux_parse(once, &d, &err) < 0 || d.n_entries != n1)
			abort();
		for (size_t i = 0; i < d.n_entries; i++)
			if (d.entries[i].dom0 &&
			    (!d.entries[i].root || strcmp(d.entries[i].root, "/dev/md0")))
				abort();
		config_extlinux_free(&d);
	} else {
		check_error(&err);
	}
	free(once);
	free(twice);
	buf_free(&err);
}

static void shell_vars(const char *text)
{
	static const char *const keys[] = {"BACKUP_PARTITION", "DEFAULT_SR_PHYSDEVS", "PARTITIONS"};
	static const char *const values[] = {"/dev/md1", "/dev/md2", "it's /dev/md2 \"x\" $y"};
	struct buf err = BUF_INIT;
	char *once = NULL, *twice = NULL;

	free(config_shell_var_get(text, "PRODUCT_VERSION"));
	if (config_shell_vars_set(text, keys, values, ARRAY_SIZE(keys), &once, &err) == 0) {
		if (config_shell_vars_set(once, keys, values, ARRAY_SIZE(keys), &twice, &err) < 0 ||
		    strcmp(once, twice))
			abort();
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
			char *v = config_shell_var_get(once, keys[i]);
			if (!v || strcmp(v, values[i]))
				abort();
			free(v);
		}
	} else {
		check_error(&err);
	}
	free(once);
	free(twice);
	buf_free(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);

	fstab(text);
	extlinux(text);
	shell_vars(text);
	free(text);
	return 0;
}
