/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_DISCOVER_H
#define XSRAID_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpt.h"
#include "journal.h"
#include "util.h"

/**
 * What is on this machine, read without changing anything: disks from
 * /sys/block, their GPTs (gpt.c), every signature libblkid finds on the
 * disks and inside their partitions (as wipefs sees them), mounts, running
 * md arrays, xsraid's own journal if a disk carries one, the installer's
 * tools and the freshly installed system at the target root.
 *
 * Everything is read below a system root (normally "/"), so tests can
 * point it at a directory holding sys/, proc/ and dev/ where the "disks"
 * are image files.
 */

/* Signatures kept per disk or partition; wipefs rarely finds more than three. */
#define SIG_MAX	      16
#define SIG_MAGIC_MAX 32

/* Where the remastered installer image carries xsraid (initramfs/). */
#define XSRAID_HELPER_PATH "/opt/xsraid/xsraid"

struct blk_signature {
	/* libblkid TYPE or PTTYPE (ext3, linux_raid_member, LVM2_member, gpt), or for a
	 * secondary one what it is ("md bitmap", "LVM2 metadata area") */
	char type[32];
	char usage[24];	 /* filesystem, raid, crypto, other, partition table */
	uint64_t offset; /* of the magic, from the start of the probed device or partition */
	uint8_t magic[SIG_MAGIC_MAX]; /* the bytes there that make it what it is */
	uint32_t magic_len;
	char label[64];
	char uuid[64];
	char version[24];
	/* Found through the signature before it, which points at it; not shown on its own. */
	bool secondary;
};

struct part_info {
	unsigned number;
	uint64_t first_lba; /* logical sectors */
	uint64_t last_lba;
	struct gpt_guid type;
	struct gpt_guid unique;
	uint64_t attributes;
	char name[GPT_NAME_MAX * 3 + 1];
	char dev[64];	/* "sda1" */
	bool in_kernel; /* the kernel knows it: /sys/block/sda/sda1 exists */
	uint64_t kernel_start_512, kernel_size_512; /* the kernel's view, 512-byte units */
	char mountpoint[256];			    /* "" when not mounted */
	char holder[32];			    /* md array using it ("md0"), or "" */
	/* The md superblock at its end, as mdadm shows it: UUID and "0.90" or "1.0" ("" if none).
	 */
	char md_uuid[36];
	char md_metadata[8];
	size_t n_sigs;
	struct blk_signature sigs[SIG_MAX];
};

struct disk_info {
	char name[64];	 /* "sda" */
	char path[4096]; /* what is opened: <root>/dev/sda */
	uint64_t size_bytes;
	uint32_t sector_size; /* logical */
	uint32_t physical_sector_size;
	bool readonly;
	bool removable;
	char model[64];
	char serial[128];
	int gpt_status; /* 0: valid GPT in .gpt; -ENOENT: none; -EBADMSG: corrupt */
	int read_error; /* 0, or -errno: the disk could not be read, so what it holds is unknown */
	struct gpt_table gpt;
	size_t n_parts;
	struct part_info *parts;
	size_t n_sigs; /* whole-device signatures, including partition tables */
	struct blk_signature sigs[SIG_MAX];
	char mountpoint[256];
	char holder[32];
	bool has_journal;
	struct journal_state journal;
};

/**
 * vpd_unit_serial() - the serial number in a Unit Serial Number VPD page
 * (0x80) as INQUIRY returns it and sysfs shows it (device/vpd_pg80): the
 * printable bytes after the 4-byte header, blanks trimmed.  Returns 0, or
 * -EBADMSG for another page or a length beyond @len, -ENODATA when empty.
 */
int vpd_unit_serial(const unsigned char *page, size_t len, char *out, size_t outlen);

struct md_array {
	char name[32];	/* "md0" */
	char level[16]; /* "raid1" */
	char state[32]; /* array_state: clean, active, inactive ... */
	char sync_action[16];
	unsigned raid_disks; /* the slots it has, 0 if unknown */
	struct strv members; /* "sdb1" ... */
	/* md/dev-MEMBER/state of each member: "in_sync", "faulty", "spare" ... ("" unknown). */
	struct strv member_states;
};

/* What the running (installer's) kernel can do for md. */
struct installer_kernel {
	char release[64]; /* uname -r, from /proc/sys/kernel/osrelease */
	bool md;	  /* md runs, is built in, or its module is there to load */
	bool raid1;	  /* the same for the raid1 personality */
};

/* The installer's own tools, as paths to execute ("" when absent). */
struct installer_tools {
	char sgdisk[256];
	char mkfs_ext3[256];
	char tune2fs[256];
	char mdadm[256];
};

/* The freshly installed system, at the directory the installer mounted it on. */
struct target_info {
	bool present;
	char root_dir[4096]; /* as given, e.g. /tmp/root */
	char root_dev[64];   /* partition mounted there: "sda1" */
	char fs_type[16];
	char fs_label[64];
	char fs_uuid[64];
	char fstab_root[256]; /* device field of the "/" entry of etc/fstab */
	char product_version[64];
	struct strv kernels;	    /* versions with a boot/initrd-<v>.img to rebuild */
	char initrd_tool[16];	    /* "mkinitrd" or "dracut" */
	char initrd_tool_path[256]; /* inside the target */
	char extlinux_path[256];    /* inside the target, "" when absent */
	char gptmbr_path[256];	    /* inside the target */
	char mdadm_path[256];	    /* inside the target */
	char sgdisk_path[256];	    /* inside the target */
	char mkfs_path[256];	    /* inside the target */
	char tune2fs_path[256];	    /* inside the target */
	char chkconfig_path[256];   /* inside the target, "" when absent */
	char mdmonitor_path[256];   /* the init script that starts mdadm's monitor */
	char raid_check_path[256];  /* a check job of the target's own mdadm, "" when none */
	bool cron_d;		    /* etc/cron.d exists */
	unsigned extlinux_entries;
	/* The root filesystem as a block copy sees it: its size, and what stands in the way. */
	uint64_t fs_bytes;
	char clone_problem[192]; /* "" when its used blocks can be copied as they lie */
	char problem[256];	 /* why the target cannot be converted, "" if it can */
};

struct inventory {
	char *root; /* system root everything was read below, "/" normally */
	size_t n_disks;
	struct disk_info *disks;
	size_t n_arrays;
	struct md_array *arrays;
	struct installer_tools tools;
	struct installer_kernel kernel;
	char helper[4096]; /* this program: /opt/xsraid/xsraid in the installer */
	struct target_info target;
	uint32_t speed_limit_min, speed_limit_max; /* /proc/sys/dev/raid, 0 if unknown */
};

/*
 * Reads the inventory below @root.  @target_dir is the installed system's
 * mount point (NULL when there is none yet).  Only fails on out-of-the-
 * ordinary errors (-errno); a disk that cannot be read is listed with what
 * could be learned about it.
 */
int discover(const char *root, const char *target_dir, struct inventory *ret);
void inventory_free(struct inventory *inv);

const struct disk_info *inventory_disk(const struct inventory *inv, const char *name);
const struct md_array *inventory_array(const struct inventory *inv, const char *name);

/*
 * Resolves a disk name from an answerfile ("sda", "disk/by-id/ata-X") to the
 * kernel's name by following the symlink below <root>/dev.  Returns a
 * malloc'd name, or NULL when nothing of that name exists.
 */
char *discover_resolve_disk(const char *root, const char *name);

/*
 * A disk's model and serial number as sysfs gives them below @root ("" for
 * what it does not say): the identity plans record and status shows.
 * @name is the kernel's name ("sda", "cciss/c0d0").
 */
void discover_identity(const char *root, const char *name, char *model, size_t model_len,
		       char *serial, size_t serial_len);

/*
 * The whole disk holding partition @name ("sda" for "sda1"; @name itself
 * for a whole disk), from <root>/sys/block.  False when sysfs does not know
 * @name.
 */
bool discover_parent_disk(const char *root, const char *name, char *out, size_t outlen);

/* Whether @a's member @member (a kernel name) is in sync, per md's sysfs. */
bool md_member_in_sync(const struct md_array *a, size_t member);
bool md_member_faulty(const struct md_array *a, size_t member);

/*
 * The md superblock with its end in the @size bytes at @offset of @fd
 * (metadata 0.90 or 1.0): its UUID in mdadm's form into @uuid and its
 * version into @version; both "" when there is none.
 */
void md_superblock_read(int fd, uint64_t offset, uint64_t size, char uuid[36], char version[8]);

/* Name of partition @n of disk @disk: sda1, nvme0n1p1, cciss/c0d0p1. */
void partition_name(char *out, size_t outlen, const char *disk, unsigned n);

/*
 * Human-readable list of a partition's or disk's signatures ("ext4 'data',
 * gpt"), each kind once: a GPT's two headers or LUKS2's two are one thing.
 */
void signatures_describe(const struct blk_signature *sigs, size_t n, struct buf *out);

#endif
