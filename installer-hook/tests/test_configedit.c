// SPDX-License-Identifier: GPL-2.0-only
/*
 * configedit: the rewrites of fstab, extlinux.conf, the inventory and
 * default-storage.conf, checked on files in the shape XenServer 6.0.2's
 * installer writes them, and on the odd shapes a human editor leaves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "configedit.h"
#include "testlib.h"
#include "util.h"

#define MD0 "/dev/md0"

/* --- helpers ---------------------------------------------------------------- */

static char *replace_all(const char *s, const char *from, const char *to)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(from);
	const char *p;

	while ((p = strstr(s, from))) {
		buf_append(&b, s, (size_t)(p - s));
		buf_puts(&b, to);
		s = p + n;
	}
	buf_puts(&b, s);
	return buf_detach(&b);
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/* Splits @text into lines, each with its terminator. */
static void split_lines(const char *text, struct strv *out)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) + 1 : strlen(text);
		char *l = xstrndup(text, n);

		strv_push(out, l);
		free(l);
		text += n;
	}
}

/*
 * The diff of @in and @out touches exactly the lines in @changed (1-based,
 * ascending): same number of lines, every other line byte for byte equal.
 */
static void assert_changed_lines(const char *in, const char *out, const unsigned *changed,
				 size_t n_changed)
{
	struct strv a = STRV_INIT, b = STRV_INIT;
	size_t k = 0;

	split_lines(in, &a);
	split_lines(out, &b);
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		if (k < n_changed && changed[k] == i + 1) {
			if (strcmp(a.v[i], b.v[i]) == 0)
				fail_msg("line %zu should have changed: %s", i + 1, a.v[i]);
			k++;
		} else if (strcmp(a.v[i], b.v[i]) != 0) {
			fail_msg("line %zu changed:\n-%s+%s", i + 1, a.v[i], b.v[i]);
		}
	}
	assert_int_equal(k, n_changed);
	strv_free(&a);
	strv_free(&b);
}

/* A one-line reason: non-empty, no line break. */
static void assert_reason(const struct buf *err)
{
	assert_non_null(err->data);
	assert_true(err->len > 0);
	assert_null(strchr(err->data, '\n'));
}

static char sentinel;
#define UNTOUCHED (&sentinel)

/* extlinux: set root and check the result, idempotence and what parse sees afterwards. */
static char *extlinux_set(const char *in, const char *root, unsigned want_entries)
{
	struct buf err = BUF_INIT;
	struct extlinux_config c;
	unsigned n = 0, n2 = 0;
	char *out = NULL, *again = NULL;

	if (config_extlinux_set_root(in, root, &out, &n, &err) < 0)
		fail_msg("set_root: %s", err.data);
	assert_int_equal(n, want_entries);
	assert_int_equal(config_extlinux_set_root(out, root, &again, &n2, &err), 0);
	assert_string_equal(again, out);
	assert_int_equal(n2, want_entries);

	assert_int_equal(config_extlinux_parse(out, &c, &err), 0);
	assert_int_equal(c.n_entries, want_entries);
	for (size_t i = 0; i < c.n_entries; i++) {
		assert_non_null(c.entries[i].root);
		assert_string_equal(c.entries[i].root, root);
	}
	config_extlinux_free(&c);
	free(again);
	buf_free(&err);
	return out;
}

static void extlinux_einval(const char *in, const char *root)
{
	struct buf err = BUF_INIT;
	struct extlinux_config c = {.n_entries = 42};
	char *out = UNTOUCHED;
	unsigned n = 4242;

	assert_int_equal(config_extlinux_set_root(in, root, &out, &n, &err), -EINVAL);
	assert_ptr_equal(out, UNTOUCHED);
	assert_int_equal(n, 4242);
	assert_reason(&err);
	if (root && strcmp(root, MD0) == 0) {
		/* The reader refuses the same shapes. */
		buf_reset(&err);
		assert_int_equal(config_extlinux_parse(in, &c, &err), -EINVAL);
		assert_int_equal(c.n_entries, 42);
		assert_reason(&err);
	}
	buf_free(&err);
}

/* --- extlinux fixtures --------------------------------------------------------- */

#define XS_LABEL "root-qmdbxkzv"
#define XS_KVER	 "2.6.32.12-0.7.1.xs6.0.2.542.170665xen"
#define XS_XEN	 "4.1.1"
#define XEN_MEM	 "mem=1024G dom0_max_vcpus=4 dom0_mem=752M"
#define XEN_POOL "lowmem_emergency_pool=1M crashkernel=64M@32M"
#define XEN_SER	 "com1=115200,8n1 console=com1,vga"

/* What 6.0.2's installer writes with a serial console (writeExtLinux + buildBootLoaderMenu). */
static const char xs602_serial[] =
	"# location mbr\n"
	"serial 0 115200\n"
	"default xe-serial\n"
	"prompt 1\n"
	"timeout 50\n"
	"\n"
	"label xe\n"
	"  # XenServer\n"
	"  kernel mboot.c32\n"
	"  append /boot/xen.gz " XEN_MEM " " XEN_POOL " console=vga vga=mode-0x0311 --- "
	"/boot/vmlinuz-2.6-xen root=LABEL=" XS_LABEL " ro xencons=hvc console=hvc0 console=tty0 "
	"quiet vga=785 splash --- /boot/initrd-2.6-xen.img\n"
	"\n"
	"label xe-serial\n"
	"  # XenServer (Serial)\n"
	"  kernel mboot.c32\n"
	"  append /boot/xen.gz " XEN_SER " " XEN_MEM " " XEN_POOL " --- /boot/vmlinuz-2.6-xen "
	"root=LABEL=" XS_LABEL " ro console=tty0 xencons=hvc console=hvc0 --- "
	"/boot/initrd-2.6-xen.img\n"
	"\n"
	"label safe\n"
	"  # XenServer in Safe Mode\n"
	"  kernel mboot.c32\n"
	"  append /boot/xen.gz nosmp noreboot noirqbalance acpi=off noapic " XEN_MEM " " XEN_SER
	" --- /boot/vmlinuz-2.6-xen nousb root=LABEL=" XS_LABEL " ro console=tty0 xencons=hvc "
	"console=hvc0 --- /boot/initrd-2.6-xen.img\n"
	"\n"
	"label fallback\n"
	"  # XenServer (Xen " XS_XEN " / Linux " XS_KVER ")\n"
	"  kernel mboot.c32\n"
	"  append /boot/xen-" XS_XEN ".gz " XEN_MEM " " XEN_POOL " --- /boot/vmlinuz-" XS_KVER
	" root=LABEL=" XS_LABEL
	" ro xencons=hvc console=hvc0 console=tty0 --- /boot/initrd-" XS_KVER ".img\n"
	"\n"
	"label fallback-serial\n"
	"  # XenServer (Serial, Xen " XS_XEN " / Linux " XS_KVER ")\n"
	"  kernel mboot.c32\n"
	"  append /boot/xen-" XS_XEN ".gz " XEN_SER " " XEN_MEM " " XEN_POOL
	" --- /boot/vmlinuz-" XS_KVER " root=LABEL=" XS_LABEL " ro console=tty0 xencons=hvc "
	"console=hvc0 --- /boot/initrd-" XS_KVER ".img\n";

/* Without a serial console: only xe and fallback. */
static const char xs602_plain[] =
	"# location mbr\n"
	"default xe\n"
	"prompt 1\n"
	"timeout 50\n"
	"\n"
	"label xe\n"
	"  # XenServer\n"
	"  kernel mboot.c32\n"
	"  append /boot/xen.gz " XEN_MEM " " XEN_POOL " console=vga vga=mode-0x0311 --- "
	"/boot/vmlinuz-2.6-xen root=LABEL=" XS_LABEL " ro xencons=hvc console=hvc0 console=tty0 "
	"quiet vga=785 splash --- /boot/initrd-2.6-xen.img\n"
	"\n"
	"label fallback\n"
	"  # XenServer (Xen " XS_XEN " / Linux " XS_KVER ")\n"
	"  kernel mboot.c32\n"
	"  append /boot/xen-" XS_XEN ".gz " XEN_MEM " " XEN_POOL " --- /boot/vmlinuz-" XS_KVER
	" root=LABEL=" XS_LABEL
	" ro xencons=hvc console=hvc0 console=tty0 --- /boot/initrd-" XS_KVER ".img\n";

/* A hand-edited file: upper case, tabs, a help text, menu lines, root= lookalikes. */
static const char hand_edited[] =
	"# XenServer\n"
	"UI menu.c32\n"
	"SERIAL 0 115200\n"
	"DEFAULT\tXE\n"
	"PROMPT 1\n"
	"TIMEOUT 50\n"
	"MENU TITLE Boot menu: label xe is the default\n"
	"\n"
	"LABEL XE\n"
	"\tMENU LABEL ^XenServer\n"
	"\tKERNEL\t/boot/mboot.c32\n"
	"\tAPPEND\t/boot/xen.gz root=/dev/sda1 dom0root=x  " XEN_MEM
	"  ---  /boot/vmlinuz-2.6-xen\t"
	"nfsroot=10.0.0.1:/srv fallbackroot=/dev/sdb1 root=UUID=1b0e2f6a-3c55-4c1d-9a6e-0f6bd4a7c001 "
	"ro  foo=\"a root=b\" console=hvc0  ---  /boot/initrd-2.6-xen.img root=/dev/sda9 --- "
	"/boot/ucode.bin root=/dev/sda8\n"
	"\tTEXT HELP\n"
	"\tlabel nothing: help text is not a label\n"
	"\tappend root=/dev/sda1 is not an append line either\n"
	"\tENDTEXT\n"
	"\n"
	"  Label   linux  \n"
	"    Linux /boot/vmlinuz-2.6.18\n"
	"    Append console=ttyS0,115200 root=/dev/sda1 initrd=/boot/initrd-2.6.18.img quiet  \n"
	"\n"
	"label noroot\n"
	"\tkernel mboot.c32\n"
	"\tappend /boot/xen.gz " XEN_MEM " --- /boot/vmlinuz-2.6-xen ro console=hvc0  --- "
	"/boot/initrd-2.6-xen.img\n";

static const char hand_edited_want[] =
	"# XenServer\n"
	"UI menu.c32\n"
	"SERIAL 0 115200\n"
	"DEFAULT\tXE\n"
	"PROMPT 1\n"
	"TIMEOUT 50\n"
	"MENU TITLE Boot menu: label xe is the default\n"
	"\n"
	"LABEL XE\n"
	"\tMENU LABEL ^XenServer\n"
	"\tKERNEL\t/boot/mboot.c32\n"
	"\tAPPEND\t/boot/xen.gz root=/dev/sda1 dom0root=x  " XEN_MEM
	"  ---  /boot/vmlinuz-2.6-xen\t"
	"nfsroot=10.0.0.1:/srv fallbackroot=/dev/sdb1 root=" MD0 " "
	"ro  foo=\"a root=b\" console=hvc0  ---  /boot/initrd-2.6-xen.img root=/dev/sda9 --- "
	"/boot/ucode.bin root=/dev/sda8\n"
	"\tTEXT HELP\n"
	"\tlabel nothing: help text is not a label\n"
	"\tappend root=/dev/sda1 is not an append line either\n"
	"\tENDTEXT\n"
	"\n"
	"  Label   linux  \n"
	"    Linux /boot/vmlinuz-2.6.18\n"
	"    Append console=ttyS0,115200 root=" MD0 " initrd=/boot/initrd-2.6.18.img quiet  \n"
	"\n"
	"label noroot\n"
	"\tkernel mboot.c32\n"
	"\tappend /boot/xen.gz " XEN_MEM " --- /boot/vmlinuz-2.6-xen ro console=hvc0 root=" MD0
	"  --- /boot/initrd-2.6-xen.img\n";

/* --- extlinux tests ------------------------------------------------------------ */

/* Every line that changed in a multiboot file: Xen's part and the modules stay. */
static void assert_only_dom0_changed(const char *in, const char *out)
{
	struct strv a = STRV_INIT, b = STRV_INIT;

	split_lines(in, &a);
	split_lines(out, &b);
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		const char *s1, *s2, *t1, *t2;

		if (strcmp(a.v[i], b.v[i]) == 0)
			continue;
		s1 = strstr(a.v[i], " --- ");
		s2 = strstr(b.v[i], " --- ");
		assert_non_null(s1);
		assert_non_null(s2);
		/* Part 1, Xen and its arguments, byte for byte. */
		assert_int_equal(s1 - a.v[i], s2 - b.v[i]);
		assert_memory_equal(a.v[i], b.v[i], (size_t)(s1 - a.v[i]));
		/* Parts 3 and later, byte for byte. */
		t1 = strstr(s1 + 5, " --- ");
		t2 = strstr(s2 + 5, " --- ");
		assert_non_null(t1);
		assert_non_null(t2);
		assert_string_equal(t1, t2);
	}
	strv_free(&a);
	strv_free(&b);
}

static void test_extlinux_602_serial(void **state)
{
	static const unsigned append_lines[] = {10, 15, 20, 25, 30};
	char *want = replace_all(xs602_serial, "root=LABEL=" XS_LABEL, "root=" MD0);
	char *out;

	(void)state;
	out = extlinux_set(xs602_serial, MD0, 5);
	assert_string_equal(out, want);
	assert_changed_lines(xs602_serial, out, append_lines, ARRAY_SIZE(append_lines));
	assert_only_dom0_changed(xs602_serial, out);
	assert_int_equal(count(out, " --- "), 10);
	free(out);
	free(want);
}

static void test_extlinux_602_no_serial(void **state)
{
	static const unsigned append_lines[] = {9, 14};
	char *want = replace_all(xs602_plain, "root=LABEL=" XS_LABEL, "root=" MD0);
	char *out;

	(void)state;
	out = extlinux_set(xs602_plain, MD0, 2);
	assert_string_equal(out, want);
	assert_changed_lines(xs602_plain, out, append_lines, ARRAY_SIZE(append_lines));
	free(out);
	free(want);
}

static void test_extlinux_already_md0_is_unchanged(void **state)
{
	char *md0 = replace_all(xs602_serial, "root=LABEL=" XS_LABEL, "root=" MD0);
	char *out;

	(void)state;
	out = extlinux_set(md0, MD0, 5);
	assert_string_equal(out, md0);
	free(out);
	free(md0);
}

static void test_extlinux_hand_edited(void **state)
{
	static const unsigned changed[] = {12, 20, 24};
	char *out;

	(void)state;
	out = extlinux_set(hand_edited, MD0, 3);
	assert_string_equal(out, hand_edited_want);
	assert_changed_lines(hand_edited, out, changed, ARRAY_SIZE(changed));
	free(out);
}

static void test_extlinux_crlf(void **state)
{
	char *crlf = replace_all(hand_edited, "\n", "\r\n");
	char *want = replace_all(hand_edited_want, "\n", "\r\n");
	char *out;

	(void)state;
	out = extlinux_set(crlf, MD0, 3);
	assert_string_equal(out, want);
	assert_int_equal(count(out, "\r\n"), count(crlf, "\r\n"));
	assert_int_equal(count(out, "\n"), count(crlf, "\n"));
	free(out);
	free(want);
	free(crlf);
}

static void test_extlinux_no_trailing_newline(void **state)
{
	static const char in[] =
		"default xe\n"
		"label xe\n"
		"  kernel mboot.c32\n"
		"  append /boot/xen.gz dom0_mem=752M --- /boot/vmlinuz-2.6-xen ro --- "
		"/boot/initrd-2.6-xen.img";
	static const char want[] =
		"default xe\n"
		"label xe\n"
		"  kernel mboot.c32\n"
		"  append /boot/xen.gz dom0_mem=752M --- /boot/vmlinuz-2.6-xen ro "
		"root=" MD0 " --- /boot/initrd-2.6-xen.img";
	static const char plain_in[] = "label l\n  kernel /boot/vmlinuz\n  append   ";
	static const char plain_want[] =
		"label l\n  kernel /boot/vmlinuz\n  append root=" MD0 "   ";
	char *out;

	(void)state;
	out = extlinux_set(in, MD0, 1);
	assert_string_equal(out, want);
	free(out);
	out = extlinux_set(plain_in, MD0, 1);
	assert_string_equal(out, plain_want);
	free(out);
}

static void test_extlinux_plain_linux(void **state)
{
	static const char in[] = "default linux\n"
				 "label linux\n"
				 "  kernel /boot/vmlinuz\n"
				 "  append root=LABEL=root-abcdefgh ro initrd=/boot/initrd.img\n"
				 "label rescue\n"
				 "  kernel /boot/vmlinuz\n"
				 "  initrd /boot/initrd-rescue.img\n"
				 "  append console=ttyS0,115200 single\n";
	static const char want[] = "default linux\n"
				   "label linux\n"
				   "  kernel /boot/vmlinuz\n"
				   "  append root=" MD0 " ro initrd=/boot/initrd.img\n"
				   "label rescue\n"
				   "  kernel /boot/vmlinuz\n"
				   "  initrd /boot/initrd-rescue.img\n"
				   "  append console=ttyS0,115200 single root=" MD0 "\n";
	struct buf err = BUF_INIT;
	struct extlinux_config c;
	char *out;

	(void)state;
	out = extlinux_set(in, MD0, 2);
	assert_string_equal(out, want);

	assert_int_equal(config_extlinux_parse(in, &c, &err), 0);
	assert_string_equal(c.default_label, "linux");
	assert_int_equal(c.n_entries, 2);
	assert_string_equal(c.entries[0].label, "linux");
	assert_string_equal(c.entries[0].kernel, "/boot/vmlinuz");
	assert_null(c.entries[0].xen);
	assert_string_equal(c.entries[0].dom0, "/boot/vmlinuz");
	assert_string_equal(c.entries[0].initrd, "/boot/initrd.img");
	assert_string_equal(c.entries[0].root, "LABEL=root-abcdefgh");
	assert_int_equal(c.entries[0].parts, 1);
	assert_string_equal(c.entries[1].initrd, "/boot/initrd-rescue.img");
	assert_null(c.entries[1].root);
	config_extlinux_free(&c);
	free(out);
	buf_free(&err);
}

static void test_extlinux_root_forms(void **state)
{
	static const char *const roots[] = {"LABEL=root-abcdefgh", "UUID=0c2f7a9e-1d3b-4e5f-8a6b",
					    "/dev/sda1", "/dev/md0"};
	static const char *const targets[] = {"/dev/md0", "/dev/md127", "UUID=a1b2", "LABEL=x"};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(roots); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(targets); j++) {
			char *in = xasprintf("label a\n kernel mboot.c32\n append /boot/xen.gz "
					     "--- /boot/vmlinuz root=%s ro --- /boot/initrd.img\n",
					     roots[i]);
			char *want =
				xasprintf("label a\n kernel mboot.c32\n append /boot/xen.gz "
					  "--- /boot/vmlinuz root=%s ro --- /boot/initrd.img\n",
					  targets[j]);
			char *out = extlinux_set(in, targets[j], 1);

			assert_string_equal(out, want);
			free(out);
			free(want);
			free(in);
		}
	}
}

static void test_extlinux_every_root_replaced(void **state)
{
	static const char in[] =
		"label a\n kernel mboot.c32\n append /boot/xen.gz --- /boot/vmlinuz "
		"root=/dev/sda1 ro root=LABEL=x --- /boot/initrd.img\n";
	static const char want[] =
		"label a\n kernel mboot.c32\n append /boot/xen.gz --- /boot/vmlinuz "
		"root=" MD0 " ro root=" MD0 " --- /boot/initrd.img\n";
	struct buf err = BUF_INIT;
	struct extlinux_config c;
	char *out;

	(void)state;
	/* Linux takes the last root=. */
	assert_int_equal(config_extlinux_parse(in, &c, &err), 0);
	assert_string_equal(c.entries[0].root, "LABEL=x");
	config_extlinux_free(&c);
	out = extlinux_set(in, MD0, 1);
	assert_string_equal(out, want);
	free(out);
	buf_free(&err);
}

static void test_extlinux_tboot(void **state)
{
	static const char in[] =
		"label xe-tboot\n"
		"  kernel mboot.c32\n"
		"  append /boot/tboot.gz root=x logging=vga --- /boot/xen.gz root=y dom0_mem=752M --- "
		"/boot/vmlinuz-2.6-xen root=LABEL=root-abcdefgh ro --- /boot/initrd-2.6-xen.img\n";
	static const char want[] =
		"label xe-tboot\n"
		"  kernel mboot.c32\n"
		"  append /boot/tboot.gz root=x logging=vga --- /boot/xen.gz root=y dom0_mem=752M --- "
		"/boot/vmlinuz-2.6-xen root=" MD0 " ro --- /boot/initrd-2.6-xen.img\n";
	struct buf err = BUF_INIT;
	struct extlinux_config c;
	char *out;

	(void)state;
	out = extlinux_set(in, MD0, 1);
	assert_string_equal(out, want);
	assert_int_equal(config_extlinux_parse(in, &c, &err), 0);
	assert_string_equal(c.entries[0].xen, "/boot/xen.gz");
	assert_string_equal(c.entries[0].dom0, "/boot/vmlinuz-2.6-xen");
	assert_string_equal(c.entries[0].initrd, "/boot/initrd-2.6-xen.img");
	assert_int_equal(c.entries[0].parts, 4);
	config_extlinux_free(&c);
	free(out);
	buf_free(&err);
}

static void test_extlinux_parse_602(void **state)
{
	struct buf err = BUF_INIT;
	struct extlinux_config c;
	static const char *const labels[] = {"xe", "xe-serial", "safe", "fallback",
					     "fallback-serial"};

	(void)state;
	assert_int_equal(config_extlinux_parse(xs602_serial, &c, &err), 0);
	assert_string_equal(c.default_label, "xe-serial");
	assert_int_equal(c.n_entries, 5);
	for (size_t i = 0; i < c.n_entries; i++) {
		const struct extlinux_entry *x = &c.entries[i];

		assert_string_equal(x->label, labels[i]);
		assert_string_equal(x->kernel, "mboot.c32");
		assert_string_equal(x->root, "LABEL=" XS_LABEL);
		assert_int_equal(x->parts, 3);
		if (i < 3) {
			assert_string_equal(x->xen, "/boot/xen.gz");
			assert_string_equal(x->dom0, "/boot/vmlinuz-2.6-xen");
			assert_string_equal(x->initrd, "/boot/initrd-2.6-xen.img");
		} else {
			assert_string_equal(x->xen, "/boot/xen-" XS_XEN ".gz");
			assert_string_equal(x->dom0, "/boot/vmlinuz-" XS_KVER);
			assert_string_equal(x->initrd, "/boot/initrd-" XS_KVER ".img");
		}
	}
	config_extlinux_free(&c);
	assert_null(c.entries);
	assert_int_equal(c.n_entries, 0);

	assert_int_equal(config_extlinux_parse(hand_edited, &c, &err), 0);
	assert_string_equal(c.default_label, "XE");
	assert_int_equal(c.n_entries, 3);
	assert_string_equal(c.entries[0].label, "XE");
	assert_string_equal(c.entries[0].kernel, "/boot/mboot.c32");
	assert_string_equal(c.entries[0].xen, "/boot/xen.gz");
	assert_string_equal(c.entries[0].root, "UUID=1b0e2f6a-3c55-4c1d-9a6e-0f6bd4a7c001");
	assert_int_equal(c.entries[0].parts, 4);
	assert_string_equal(c.entries[1].label, "linux");
	assert_string_equal(c.entries[1].kernel, "/boot/vmlinuz-2.6.18");
	assert_string_equal(c.entries[1].initrd, "/boot/initrd-2.6.18.img");
	assert_string_equal(c.entries[1].root, "/dev/sda1");
	assert_null(c.entries[2].root);
	config_extlinux_free(&c);
	buf_free(&err);
}

static void test_extlinux_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		"\n\n",
		"# location mbr\ndefault xe\nprompt 1\ntimeout 50\n",
		"label\n kernel mboot.c32\n append a --- b --- c\n",
		"label xe\n  # no kernel\n  append /boot/xen.gz --- /boot/vmlinuz --- /boot/initrd\n",
		"label xe\n kernel mboot.c32\n",
		"label xe\n kernel mboot.c32\n append /boot/xen.gz --- /boot/vmlinuz root=x\n",
		"label xe\n kernel mboot.c32\n append /boot/xen.gz --- --- /boot/initrd\n",
		"label xe\n kernel mboot.c32\n append /boot/xen.gz --- /boot/vmlinuz --- /boot/i ---\n",
		"label xe\n kernel mboot.c32\n append /boot/tboot.gz --- /boot/xen.gz --- vmlinuz\n",
		"label xe\n kernel mboot.c32\n kernel mboot.c32\n append a --- b --- c\n",
		"label xe\n kernel mboot.c32\n append a --- b --- c\n append a --- b --- c\n",
		"label xe\n kernel\n append a --- b --- c\n",
		"label xe\n kernel /boot/vmlinuz root=/dev/sda1\n append ro\n",
		"label l\n kernel /boot/vmlinuz\n append -\n",
		"label local\n localboot 0\n",
		"label other\n kernel chain.c32\n append hd1\n",
		"label other\n com32 menu.c32\n append x\n",
		"label l\n kernel /boot/vmlinuz\n append ro foo=\"bar\n",
		"label xe\n kernel mboot.c32\n append a --- b x=\" --- c\n",
		"include other.conf\nlabel xe\n kernel /boot/vmlinuz\n append ro\n",
		"label xe\n kernel /boot/vmlinuz\n append ro\nMENU INCLUDE other.conf\n",
		/* A good entry does not make up for a bad one. */
		"label a\n kernel /boot/vmlinuz\n append root=/dev/sda1\nlabel b\n localboot 0\n",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		extlinux_einval(bad[i], MD0);
	extlinux_einval(xs602_serial, "");
	extlinux_einval(xs602_serial, NULL);
	extlinux_einval(xs602_serial, "/dev/md0 ro");
	extlinux_einval(xs602_serial, "---");
	extlinux_einval(xs602_serial, "\"/dev/md0\"");
}

/* --- fstab ------------------------------------------------------------------------- */

/* writeFstab in 6.0.2. */
static const char fstab602[] =
	"LABEL=" XS_LABEL "    /         ext3     defaults   1  1\n"
	"/var/swap/swap.001          swap      swap   defaults   0  0\n"
	"none        /dev/pts  devpts defaults   0  0\n"
	"none        /dev/shm  tmpfs  defaults   0  0\n"
	"none        /proc     proc   defaults   0  0\n"
	"none        /sys      sysfs  defaults   0  0\n"
	"/opt/xensource/packages/iso/XenCenter.iso   /var/xen/xc-install   iso9660   loop,ro   0  0\n";

static char *fstab_set(const char *in, const char *dev)
{
	struct buf err = BUF_INIT;
	char *out = NULL, *again = NULL;

	if (config_fstab_set_root(in, dev, &out, &err) < 0)
		fail_msg("fstab: %s", err.data);
	assert_int_equal(config_fstab_set_root(out, dev, &again, &err), 0);
	assert_string_equal(again, out);
	free(again);
	buf_free(&err);
	return out;
}

static void fstab_einval(const char *in, const char *dev)
{
	struct buf err = BUF_INIT;
	char *out = UNTOUCHED;

	assert_int_equal(config_fstab_set_root(in, dev, &out, &err), -EINVAL);
	assert_ptr_equal(out, UNTOUCHED);
	assert_reason(&err);
	buf_free(&err);
}

static void test_fstab_602(void **state)
{
	static const unsigned first[] = {1};
	char *out;

	(void)state;
	out = fstab_set(fstab602, MD0);
	assert_true(str_starts_with(out, MD0 "    /         ext3     defaults   1  1\n"
					     "/var/swap/swap.001 "));
	assert_string_equal(strchr(out, '\n'), strchr(fstab602, '\n'));
	assert_changed_lines(fstab602, out, first, 1);
	free(out);
}

static void test_fstab_odd_spacing_and_comments(void **state)
{
	static const char in[] =
		"# /etc/fstab\n"
		"#LABEL=root-old / ext3 defaults 1 1\n"
		"   # UUID=x / ext3\n"
		"\n"
		" \t \n"
		"UUID=0c2f7a9e-1d3b-4e5f-8a6b-9d0e1f2a3b4c /boot ext3 defaults 1 2\n"
		"\t UUID=0c2f7a9e-1d3b-4e5f-8a6b-9d0e1f2a3b4d\t\t/ \text3\tdefaults 1 1\n"
		"/dev/sda3 /var ext3 defaults 1 2\n"
		"none /dev/pts devpts defaults 0 0";
	static const char want[] =
		"# /etc/fstab\n"
		"#LABEL=root-old / ext3 defaults 1 1\n"
		"   # UUID=x / ext3\n"
		"\n"
		" \t \n"
		"UUID=0c2f7a9e-1d3b-4e5f-8a6b-9d0e1f2a3b4c /boot ext3 defaults 1 2\n"
		"\t " MD0 "\t\t/ \text3\tdefaults 1 1\n"
		"/dev/sda3 /var ext3 defaults 1 2\n"
		"none /dev/pts devpts defaults 0 0";
	char *crlf = replace_all(in, "\n", "\r\n");
	char *crlf_want = replace_all(want, "\n", "\r\n");
	char *out;

	(void)state;
	out = fstab_set(in, MD0);
	assert_string_equal(out, want);
	free(out);
	out = fstab_set(crlf, MD0);
	assert_string_equal(out, crlf_want);
	free(out);
	free(crlf_want);
	free(crlf);
}

static void test_fstab_device_forms(void **state)
{
	static const char *const devs[] = {"LABEL=root-abcdefgh", "UUID=0c2f7a9e", "/dev/sda1",
					   "/dev/md0", "/dev/disk/by-id/scsi-SATA_x-part1"};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++) {
		char *in = xasprintf("%s / ext3 defaults 1 1\nnone /proc proc defaults 0 0\n",
				     devs[i]);
		char *out = fstab_set(in, MD0);

		assert_string_equal(out,
				    MD0 " / ext3 defaults 1 1\nnone /proc proc defaults 0 0\n");
		if (strcmp(devs[i], MD0) == 0)
			assert_string_equal(out, in);
		free(out);
		free(in);
	}
}

static void test_fstab_invalid(void **state)
{
	(void)state;
	fstab_einval("", MD0);
	fstab_einval("# LABEL=x / ext3 defaults 1 1\n", MD0);
	fstab_einval("LABEL=x /root ext3 defaults 1 1\n/dev/sda3 /var ext3 defaults 1 2\n", MD0);
	fstab_einval("LABEL=x\n", MD0);
	fstab_einval("LABEL=x / ext3 defaults 1 1\n/dev/sdb1\t/\text3 defaults 1 1\n", MD0);
	fstab_einval(fstab602, "");
	fstab_einval(fstab602, NULL);
	fstab_einval(fstab602, "/dev/md 0");
	fstab_einval(fstab602, "#/dev/md0");
}

/* --- shell-style files ----------------------------------------------------------------- */

#define DISK "/dev/disk/by-id/scsi-SATA_ST3500418AS_9VM8ABCD"

/* writeInventory in 6.0.2: 21 keys, DEFAULT_SR_PHYSDEVS as the kernel name. */
static const char inventory602[] = "PRODUCT_BRAND='XenServer'\n"
				   "PRODUCT_NAME='xenenterprise'\n"
				   "PRODUCT_VERSION='6.0.2'\n"
				   "PRODUCT_VERSION_TEXT='6.0'\n"
				   "PRODUCT_VERSION_TEXT_SHORT='6.0'\n"
				   "COMPANY_NAME='Citrix Systems, Inc.'\n"
				   "COMPANY_NAME_SHORT='Citrix'\n"
				   "BRAND_CONSOLE='XenCenter'\n"
				   "PLATFORM_NAME='XCP'\n"
				   "PLATFORM_VERSION='1.4.90'\n"
				   "BUILD_NUMBER='53456p'\n"
				   "KERNEL_VERSION='2.6.32.12-0.7.1.xs6.0.2.542.170665'\n"
				   "XEN_VERSION='" XS_XEN "'\n"
				   "INSTALLATION_DATE='2012-06-12 14:03:27.408213'\n"
				   "PRIMARY_DISK='" DISK "'\n"
				   "BACKUP_PARTITION='" DISK "-part2'\n"
				   "INSTALLATION_UUID='a4e2c3b0-0b55-4d0f-9c1e-6f1c2f8d9e01'\n"
				   "CONTROL_DOMAIN_UUID='5d3b2c1a-7e8f-4a9b-b0c1-d2e3f4a5b6c7'\n"
				   "DEFAULT_SR_PHYSDEVS='/dev/sda3'\n"
				   "DOM0_MEM='752'\n"
				   "MANAGEMENT_INTERFACE='xenbr0'\n";

/* prepareStorageRepositories in 6.0.2. */
static const char storage602[] = "XSPARTITIONS='" DISK "-part3'\n"
				 "XSTYPE='lvm'\n"
				 "PARTITIONS='" DISK "-part3'\n"
				 "TYPE='lvm'\n";

static char *shell_set(const char *in, const char *const *keys, const char *const *values, size_t n)
{
	struct buf err = BUF_INIT;
	char *out = NULL, *again = NULL;

	if (config_shell_vars_set(in, keys, values, n, &out, &err) < 0)
		fail_msg("shell vars: %s", err.data);
	assert_int_equal(config_shell_vars_set(out, keys, values, n, &again, &err), 0);
	assert_string_equal(again, out);
	for (size_t i = 0; i < n; i++) {
		char *v = config_shell_var_get(out, keys[i]);

		assert_non_null(v);
		assert_string_equal(v, values[i]);
		free(v);
	}
	free(again);
	buf_free(&err);
	return out;
}

static void shell_einval(const char *in, const char *const *keys, const char *const *values,
			 size_t n)
{
	struct buf err = BUF_INIT;
	char *out = UNTOUCHED;

	assert_int_equal(config_shell_vars_set(in, keys, values, n, &out, &err), -EINVAL);
	assert_ptr_equal(out, UNTOUCHED);
	assert_reason(&err);
	buf_free(&err);
}

static void test_inventory_602(void **state)
{
	static const char *const keys[] = {"BACKUP_PARTITION", "DEFAULT_SR_PHYSDEVS"};
	static const char *const values[] = {"/dev/md1", "/dev/md2"};
	static const unsigned changed[] = {16, 19};
	struct strv a = STRV_INIT;
	char *out, *want, *tmp;

	(void)state;
	out = shell_set(inventory602, keys, values, 2);
	tmp = replace_all(inventory602, "BACKUP_PARTITION='" DISK "-part2'",
			  "BACKUP_PARTITION='/dev/md1'");
	want = replace_all(tmp, "DEFAULT_SR_PHYSDEVS='/dev/sda3'",
			   "DEFAULT_SR_PHYSDEVS='/dev/md2'");
	assert_string_equal(out, want);
	assert_changed_lines(inventory602, out, changed, ARRAY_SIZE(changed));

	/* Every other key reads back as it was. */
	split_lines(inventory602, &a);
	strv_foreach(l, &a) {
		char *key = xstrndup(*l, strcspn(*l, "="));
		char *before = config_shell_var_get(inventory602, key);
		char *after = config_shell_var_get(out, key);

		assert_non_null(before);
		assert_non_null(after);
		if (strcmp(key, keys[0]) != 0 && strcmp(key, keys[1]) != 0)
			assert_string_equal(before, after);
		free(after);
		free(before);
		free(key);
	}
	assert_int_equal(a.n, 21);
	strv_free(&a);
	free(want);
	free(tmp);
	free(out);
}

static void test_inventory_by_id_and_comments(void **state)
{
	static const char in[] = "# written by hand\n"
				 "\n"
				 "PRIMARY_DISK='" DISK "'\n"
				 "BACKUP_PARTITION='" DISK "-part2'   # the backup copy\n"
				 "  DEFAULT_SR_PHYSDEVS='" DISK "-part3'\n"
				 "# DEFAULT_SR_PHYSDEVS='/dev/sdz3'\n"
				 "DOM0_MEM='752'";
	static const char want[] = "# written by hand\n"
				   "\n"
				   "PRIMARY_DISK='" DISK "'\n"
				   "BACKUP_PARTITION='/dev/md1'   # the backup copy\n"
				   "  DEFAULT_SR_PHYSDEVS='/dev/md2'\n"
				   "# DEFAULT_SR_PHYSDEVS='/dev/sdz3'\n"
				   "DOM0_MEM='752'";
	static const char *const keys[] = {"BACKUP_PARTITION", "DEFAULT_SR_PHYSDEVS"};
	static const char *const values[] = {"/dev/md1", "/dev/md2"};
	char *out;

	(void)state;
	out = shell_set(in, keys, values, 2);
	assert_string_equal(out, want);
	free(out);
}

static void test_default_storage_602(void **state)
{
	static const char *const keys[] = {"XSPARTITIONS", "XSTYPE", "PARTITIONS", "TYPE"};
	static const char *const values[] = {"/dev/md2", "lvm", "/dev/md2", "lvm"};
	static const char want[] = "XSPARTITIONS='/dev/md2'\n"
				   "XSTYPE='lvm'\n"
				   "PARTITIONS='/dev/md2'\n"
				   "TYPE='lvm'\n";
	static const unsigned changed[] = {1, 3};
	char *out;

	(void)state;
	out = shell_set(storage602, keys, values, 4);
	assert_string_equal(out, want);
	assert_changed_lines(storage602, out, changed, ARRAY_SIZE(changed));
	free(out);
}

static void test_shell_quote_styles(void **state)
{
	static const char in[] = "A='x'\n"
				 "B=\"x\"\n"
				 "C=x\n"
				 "D=x\n"
				 "export E=x # comment\n"
				 "F='old'\n"
				 "F='older'\n"
				 "AB=keep\n"
				 "  # A='not this'\n";
	static const char want[] = "A='it'\\''s $HOME'\n"
				   "B=\"it's \\$HOME \\\"\\\\\\`\"\n"
				   "C=/dev/md2\n"
				   "D='two words'\n"
				   "export E='' # comment\n"
				   "F='new'\n"
				   "F='new'\n"
				   "AB=keep\n"
				   "  # A='not this'\n"
				   "G='/dev/md0'\n";
	static const char *const keys[] = {"A", "B", "C", "D", "E", "F", "G"};
	static const char *const values[] = {
		"it's $HOME", "it's $HOME \"\\`", "/dev/md2", "two words", "", "new", "/dev/md0",
	};
	char *out;

	(void)state;
	out = shell_set(in, keys, values, ARRAY_SIZE(keys));
	assert_string_equal(out, want);
	free(out);
}

static void test_shell_append_line_endings(void **state)
{
	static const char *const keys[] = {"NEW"};
	static const char *const values[] = {"v"};
	char *out;

	(void)state;
	out = shell_set("A='1'", keys, values, 1);
	assert_string_equal(out, "A='1'\nNEW='v'\n");
	free(out);
	out = shell_set("A='1'\r\nB='2'\r\n", keys, values, 1);
	assert_string_equal(out, "A='1'\r\nB='2'\r\nNEW='v'\r\n");
	free(out);
	out = shell_set("", keys, values, 1);
	assert_string_equal(out, "NEW='v'\n");
	free(out);
	/*
	 * A last line ending in a lone "\r" reads the same before and after a
	 * "\n" goes after it: a value, or a backslash continuing the line.
	 */
	out = shell_set("A='1'\r", keys, values, 1);
	assert_string_equal(out, "A='1'\r\nNEW='v'\n");
	free(out);
	shell_einval("A=x\\\r", keys, values, 1);
	out = shell_set("A='1'\r\nNEW='old'\r\n", keys, values, 1);
	assert_string_equal(out, "A='1'\r\nNEW='v'\r\n");
	free(out);
}

/* What a POSIX shell makes of KEY in @text, written to @dir/vars. */
static char *sh_reads(const char *dir, const char *text, const char *key)
{
	char *path = path_join(dir, "vars");
	char *script = xasprintf(". '%s' && printf '%%s' \"$%s\"", path, key);
	const char *const argv[] = {"/bin/sh", "-c", script, NULL};
	char *out = NULL;

	test_write_file(path, text);
	assert_int_equal(test_run_capture(argv, &out), 0);
	assert_non_null(out);
	free(script);
	free(path);
	return out;
}

static void test_shell_quoting_round_trip(void **state)
{
	static const char *const values[] = {
		"plain",
		"two words",
		"it's",
		"'",
		"''",
		"'\\''",
		"\"quoted\"",
		"$HOME and ${PATH}",
		"`id`",
		"$(id)",
		"back\\slash\\",
		"\\",
		"tab\there",
		"# not a comment",
		"semi;colon & amp | pipe",
		"",
		"/dev/disk/by-id/scsi-SATA_ST3500418AS_9VM8ABCD-part3 /dev/sdb3",
	};
	static const char *const files[] = {
		"K='old'\n", "K=\"old\"\n", "K=old\n", "OTHER=1\n", "# K='x'\n", "",
	};
	static const char *const keys[] = {"K"};
	char *dir = test_mkdtemp();

	(void)state;
	for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
		for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
			const char *const vals[] = {values[v]};
			char *out = shell_set(files[f], keys, vals, 1);
			char *sh = sh_reads(dir, out, "K");

			if (strcmp(sh, values[v]) != 0)
				fail_msg("sh reads [%s] from:\n%s", sh, out);
			free(sh);
			free(out);
		}
	}
	free(dir);
}

static void test_shell_get(void **state)
{
	static const struct {
		const char *text, *key, *want;
	} cases[] = {
		{"K='a b'\n", "K", "a b"},
		{"K=\"a \\\"b\\\" \\$c \\\\ \\d\"\n", "K", "a \"b\" $c \\ \\d"},
		{"K=a\\ b\\'c # comment\n", "K", "a b'c"},
		{"K='it'\\''s'\n", "K", "it's"},
		{"K=\n", "K", ""},
		{"K=''\n", "K", ""},
		{"K=1\nK=2\n", "K", "2"},
		{"export K='x'\n", "K", "x"},
		{"  K=x\r\n", "K", "x"},
		{"K='a'\"b\"c\n", "K", "abc"},
		{"KEY='a'\nK='b'\nKK='c'\n", "K", "b"},
		{"K=#x\n", "K", "#x"},
		{"K=", "K", ""},
		{"# K=x\n", "K", NULL},
		{"K ='x'\n", "K", NULL},
		{"KX='x'\n", "K", NULL},
		{"K='x\n", "K", NULL},
		{"K=\"x\n", "K", NULL},
		{"K=x\\\n", "K", NULL},
		{"", "K", NULL},
		{"K=x\n", "1K", NULL},
		{"K=x\n", "", NULL},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *v = config_shell_var_get(cases[i].text, cases[i].key);

		if (!cases[i].want) {
			if (v)
				fail_msg("case %zu: got [%s], want NULL", i, v);
			continue;
		}
		if (!v || strcmp(v, cases[i].want) != 0)
			fail_msg("case %zu: got [%s], want [%s]", i, v ? v : "(null)",
				 cases[i].want);
		free(v);
	}
}

static void test_shell_invalid(void **state)
{
	static const char *const k1[] = {"K"};
	static const char *const bad_key[] = {"1K"};
	static const char *const bad_key2[] = {"K-X"};
	static const char *const nl[] = {"a\nb"};
	static const char *const cr[] = {"a\rb"};
	static const char *const ok[] = {"v"};
	static const char *const none[] = {NULL};

	(void)state;
	shell_einval("K='x'\n", bad_key, ok, 1);
	shell_einval("K='x'\n", bad_key2, ok, 1);
	shell_einval("K='x'\n", k1, nl, 1);
	shell_einval("K='x'\n", k1, cr, 1);
	shell_einval("K='x'\n", k1, none, 1);
	/* An open quote anywhere: sh would read the next lines into it. */
	shell_einval("OTHER='x\nK='y'\n", k1, ok, 1);
	shell_einval("K=\"x\n", k1, ok, 1);
}

/* --- mdadm.conf --------------------------------------------------------------------- */

static void test_mdadm_conf(void **state)
{
	static const struct mdadm_conf_array arrays[] = {
		{"/dev/md0", "0.90", "a1b2c3d4:e5f60718:293a4b5c:6d7e8f90", 2},
		{"/dev/md1", "0.90", "0a1b2c3d:4e5f6071:8293a4b5:c6d7e8f9", 2},
		{"/dev/md2", "1.0", "90817263:54453627:18090a0b:0c0d0e0f", 2},
	};
	char *s;

	(void)state;
	s = config_mdadm_conf(arrays, ARRAY_SIZE(arrays), NULL, NULL);
	assert_string_equal(
		s, "# mdadm.conf written by xsraid: the arrays of this XenServer host.\n"
		   "DEVICE partitions\n"
		   "ARRAY /dev/md0 level=raid1 num-devices=2 metadata=0.90 "
		   "UUID=a1b2c3d4:e5f60718:293a4b5c:6d7e8f90\n"
		   "ARRAY /dev/md1 level=raid1 num-devices=2 metadata=0.90 "
		   "UUID=0a1b2c3d:4e5f6071:8293a4b5:c6d7e8f9\n"
		   "ARRAY /dev/md2 level=raid1 num-devices=2 metadata=1.0 "
		   "UUID=90817263:54453627:18090a0b:0c0d0e0f\n"
		   "# mdadm's monitor (the mdmonitor service) mails MAILADDR and runs PROGRAM\n"
		   "# with the event, the array and the member on every failure or rebuild.\n"
		   "MAILADDR root\n");
	free(s);
	s = config_mdadm_conf(NULL, 0, "ops@example.com,root", "/usr/sbin/xsraid");
	assert_string_equal(
		s, "# mdadm.conf written by xsraid: the arrays of this XenServer host.\n"
		   "DEVICE partitions\n"
		   "# mdadm's monitor (the mdmonitor service) mails MAILADDR and runs PROGRAM\n"
		   "# with the event, the array and the member on every failure or rebuild.\n"
		   "MAILADDR ops@example.com,root\n"
		   "PROGRAM /usr/sbin/xsraid\n");
	free(s);
}

/* --- idempotence over every fixture ---------------------------------------------------- */

static void test_every_fixture_idempotent(void **state)
{
	static const char *const extlinux[] = {xs602_serial, xs602_plain, hand_edited,
					       hand_edited_want};
	static const char *const roots[] = {MD0, "/dev/md1", ("LABEL=" XS_LABEL)};
	static const char *const shell[] = {inventory602, storage602};
	static const char *const keys[] = {"BACKUP_PARTITION", "XSPARTITIONS", "NEW"};
	static const char *const values[] = {"/dev/md1", "/dev/md2", "a 'b' \"c\""};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(extlinux); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(roots); j++) {
			char *crlf = replace_all(extlinux[i], "\n", "\r\n");
			unsigned n = i < 2 ? (i == 0 ? 5 : 2) : 3;
			char *a = extlinux_set(extlinux[i], roots[j], n);
			char *b = extlinux_set(crlf, roots[j], n);
			char *a_crlf = replace_all(a, "\n", "\r\n");

			assert_string_equal(b, a_crlf);
			free(a_crlf);
			free(b);
			free(a);
			free(crlf);
		}
	}
	for (size_t j = 0; j < ARRAY_SIZE(roots); j++)
		free(fstab_set(fstab602, roots[j]));
	for (size_t i = 0; i < ARRAY_SIZE(shell); i++)
		free(shell_set(shell[i], keys, values, ARRAY_SIZE(keys)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extlinux_602_serial),
		cmocka_unit_test(test_extlinux_602_no_serial),
		cmocka_unit_test(test_extlinux_already_md0_is_unchanged),
		cmocka_unit_test(test_extlinux_hand_edited),
		cmocka_unit_test(test_extlinux_crlf),
		cmocka_unit_test(test_extlinux_no_trailing_newline),
		cmocka_unit_test(test_extlinux_plain_linux),
		cmocka_unit_test(test_extlinux_root_forms),
		cmocka_unit_test(test_extlinux_every_root_replaced),
		cmocka_unit_test(test_extlinux_tboot),
		cmocka_unit_test(test_extlinux_parse_602),
		cmocka_unit_test(test_extlinux_invalid),
		cmocka_unit_test(test_fstab_602),
		cmocka_unit_test(test_fstab_odd_spacing_and_comments),
		cmocka_unit_test(test_fstab_device_forms),
		cmocka_unit_test(test_fstab_invalid),
		cmocka_unit_test(test_inventory_602),
		cmocka_unit_test(test_inventory_by_id_and_comments),
		cmocka_unit_test(test_default_storage_602),
		cmocka_unit_test(test_shell_quote_styles),
		cmocka_unit_test(test_shell_append_line_endings),
		cmocka_unit_test(test_shell_quoting_round_trip),
		cmocka_unit_test(test_shell_get),
		cmocka_unit_test(test_shell_invalid),
		cmocka_unit_test(test_mdadm_conf),
		cmocka_unit_test(test_every_fixture_idempotent),
	};

	return cmocka_run_group_tests(tests, NULL, test_cleanup_tmpdirs);
}
