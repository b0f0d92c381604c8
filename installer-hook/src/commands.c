// SPDX-License-Identifier: GPL-2.0-only
#include "commands.h"

#include <stdio.h>
#include <string.h>

static const char *const PART_NAMES[4] = {"xsraid-md0", "xsraid-md1", "xsraid-md2",
					  "xsraid-journal"};

static void guid(struct strv *argv, const char *opt, unsigned n, const struct gpt_guid *g)
{
	char s[37];

	gpt_guid_format(g, s);
	if (n)
		strv_pushf(argv, "--%s=%u:%s", opt, n, s);
	else
		strv_pushf(argv, "--%s=%s", opt, s);
}

void cmd_sgdisk_zap(const struct plan_inputs *in, const char *dev, struct strv *argv)
{
	strv_push(argv, in->sgdisk.path);
	strv_push(argv, "--zap-all");
	strv_push(argv, dev);
}

static void new_partition(const struct plan_inputs *in, unsigned n, uint64_t first, uint64_t last,
			  const struct gpt_guid *g, const char *type, struct strv *argv)
{
	strv_pushf(argv, "--new=%u:%llu:%llu", n, (unsigned long long)first,
		   (unsigned long long)last);
	guid(argv, "partition-guid", n, g);
	strv_pushf(argv, "--typecode=%u:%s", n, type);
	strv_pushf(argv, "--change-name=%u:%s", n, PART_NAMES[n - 1]);
	(void)in;
}

void cmd_sgdisk_disk2(const struct plan_inputs *in, const char *dev, struct strv *argv)
{
	strv_push(argv, in->sgdisk.path);
	strv_push(argv, "--clear");
	/* Partition 1 starts at LBA 34 on XenServer 6.0: keep it there, unaligned. */
	strv_push(argv, "--set-alignment=1");
	guid(argv, "disk-guid", 0, &in->disk2_guid);
	for (unsigned i = 0; i < N_ARRAYS; i++)
		new_partition(in, i + 1, in->part_first[i], in->part_last[i], &in->part_guid[1][i],
			      "fd00", argv);
	strv_push(argv, "--attributes=1:set:2");
	new_partition(in, 4, in->journal_first, in->journal_last, &in->part_guid[1][3], "8301",
		      argv);
	strv_push(argv, dev);
}

void cmd_sgdisk_disk1(const struct plan_inputs *in, const char *dev, struct strv *argv)
{
	strv_push(argv, in->sgdisk.path);
	if (in->root_copy == ROOT_COPY_BLOCKS) {
		/*
		 * Partition 1 grows into the start of partition 2, keeping both
		 * partitions' GUIDs: its filesystem ends where it did, and md's
		 * superblock goes into the room after it.
		 */
		strv_push(argv, "--set-alignment=1");
		for (unsigned n = 1; n <= 2; n++)
			strv_pushf(argv, "--delete=%u", n);
		for (unsigned n = 1; n <= 2; n++)
			new_partition(in, n, in->part_first[n - 1], in->part_last[n - 1],
				      &in->part_guid[0][n - 1], "fd00", argv);
	} else {
		for (unsigned n = 1; n <= 2; n++) {
			strv_pushf(argv, "--typecode=%u:fd00", n);
			strv_pushf(argv, "--change-name=%u:%s", n, PART_NAMES[n - 1]);
		}
	}
	strv_push(argv, "--attributes=1:set:2");
	strv_push(argv, "--delete=3");
	new_partition(in, 3, in->part_first[2], in->part_last[2], &in->part_guid[0][2], "fd00",
		      argv);
	strv_push(argv, dev);
}

/* Everything both ways of creating an array share: the identity and the layout. */
static void mdadm_create_head(const struct plan_inputs *in, unsigned array, struct strv *argv)
{
	char uuid[36];

	md_uuid_format(in->md_uuid[array], uuid);
	strv_push(argv, in->mdadm.path);
	strv_push(argv, "--create");
	strv_pushf(argv, "/dev/%s", md_array_name(array));
	strv_push(argv, "--run");
	strv_pushf(argv, "--metadata=%s", md_metadata_name(in->metadata[array]));
	strv_push(argv, "--level=1");
	strv_push(argv, "--raid-devices=2");
	strv_pushf(argv, "--uuid=%s", uuid);
	if (in->bitmap == MD_BITMAP_INTERNAL)
		strv_push(argv, "--bitmap=internal");
}

void cmd_mdadm_create(const struct plan_inputs *in, unsigned array, const char *member,
		      struct strv *argv)
{
	mdadm_create_head(in, array, argv);
	/* "missing" first: disk 1 later joins in slot 0, as it was the first disk. */
	strv_push(argv, "missing");
	strv_push(argv, member);
}

void cmd_mdadm_create_clean(const struct plan_inputs *in, unsigned array, const char *member1,
			    const char *member2, struct strv *argv)
{
	mdadm_create_head(in, array, argv);
	strv_push(argv, "--assume-clean");
	strv_push(argv, member1);
	strv_push(argv, member2);
}

void cmd_mdadm_add(const struct plan_inputs *in, unsigned array, const char *member,
		   struct strv *argv)
{
	strv_push(argv, in->mdadm.path);
	strv_pushf(argv, "/dev/%s", md_array_name(array));
	strv_push(argv, "--add");
	strv_push(argv, member);
}

void cmd_mdadm_stop(const struct plan_inputs *in, const char *array, struct strv *argv)
{
	strv_push(argv, in->mdadm.path);
	strv_push(argv, "--stop");
	strv_pushf(argv, "/dev/%s", array);
}

void root_temp_label(const struct plan_inputs *in, char *out, size_t outlen)
{
	size_t l = strlen(in->root_label);
	/* ext2/3 labels hold 16 bytes: keep the random suffix of "root-abcdefgh". */
	const char *suffix = l > 8 ? in->root_label + l - 8 : in->root_label;

	xsnprintf(out, outlen, "xsraid-%s", *suffix ? suffix : "new");
}

void cmd_mkfs_root(const struct plan_inputs *in, const char *dev, struct strv *argv)
{
	char label[32];

	root_temp_label(in, label, sizeof(label));
	strv_push(argv, in->mkfs.path);
	strv_push(argv, "-q");
	strv_push(argv, "-L");
	strv_push(argv, label);
	strv_push(argv, dev);
}

void cmd_tune2fs_clone_identity(const struct plan_inputs *in, const char *dev, struct strv *argv)
{
	char label[32];

	root_temp_label(in, label, sizeof(label));
	strv_push(argv, in->tune2fs.path);
	strv_push(argv, "-U");
	strv_push(argv, "random");
	strv_push(argv, "-L");
	strv_push(argv, label);
	strv_push(argv, dev);
}

void cmd_tune2fs_label(const struct plan_inputs *in, const char *dev, struct strv *argv)
{
	strv_push(argv, in->tune2fs.path);
	strv_push(argv, "-L");
	strv_push(argv, in->root_label);
	strv_push(argv, dev);
}

void cmd_extlinux(const char *extlinux, struct strv *argv)
{
	strv_push(argv, extlinux);
	strv_push(argv, "--install");
	strv_push(argv, "/boot");
}

void cmd_extlinux_install(const struct plan_inputs *in, struct strv *argv)
{
	cmd_extlinux(in->extlinux, argv);
}

void cmd_chkconfig_on(const struct plan_inputs *in, const char *script, struct strv *argv)
{
	const char *name = strrchr(script, '/');

	strv_push(argv, in->chkconfig);
	strv_push(argv, name ? name + 1 : script);
	strv_push(argv, "on");
}

void cmd_sgdisk_bootable(const char *sgdisk, const char *dev, unsigned part, bool set,
			 struct strv *argv)
{
	strv_push(argv, sgdisk);
	strv_pushf(argv, "--attributes=%u:%s:2", part, set ? "set" : "clear");
	strv_push(argv, dev);
}

void cmd_initrd(const struct plan_inputs *in, const char *kver, struct strv *argv)
{
	char image[512];

	snprintf(image, sizeof(image), "/boot/initrd-%s.img", kver);
	strv_push(argv, in->initrd_tool_path);
	if (!strcmp(in->initrd_tool, "dracut")) {
		strv_push(argv, "--force");
		strv_push(argv, image);
		strv_push(argv, kver);
		return;
	}
	/* The options XenServer 6's installer gives CentOS 5's mkinitrd, plus -f to replace. */
	strv_push(argv, "-f");
	strv_push(argv, "-v");
	strv_push(argv, "--theme=/usr/share/splash");
	strv_push(argv, "--without-multipath");
	strv_push(argv, image);
	strv_push(argv, kver);
}
