// SPDX-License-Identifier: GPL-2.0-only
#include "discover.h"

#include <blkid/blkid.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <scsi/sg.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "configedit.h"
#include "fsclone.h"
#include "log.h"

/* Block devices that are never installation disks. */
static const char *const SKIP_PREFIXES[] = {"loop", "ram", "md", "dm-", "sr", "fd", "zram", "nbd"};

static uint64_t read_u64(const char *path, uint64_t def)
{
	char s[64];
	uint64_t v;

	read_line_file(path, s, sizeof(s));
	return parse_u64(s, &v) == 0 ? v : def;
}

static char *rpath(const char *root, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *rpath(const char *root, const char *fmt, ...)
{
	char rel[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	return path_join(root, rel);
}

void partition_name(char *out, size_t outlen, const char *disk, unsigned n)
{
	size_t l = strlen(disk);

	/* The kernel puts a 'p' between a disk name ending in a digit and the number. */
	if (l && isdigit((unsigned char)disk[l - 1]))
		xsnprintf(out, outlen, "%sp%u", disk, n);
	else
		xsnprintf(out, outlen, "%s%u", disk, n);
}

/* sysfs spells "cciss/c0d0" as "cciss!c0d0". */
static void sysfs_to_dev_name(const char *sys, char *out, size_t outlen)
{
	xsnprintf(out, outlen, "%s", sys);
	for (char *c = out; *c; c++)
		if (*c == '!')
			*c = '/';
}

static void dev_to_sysfs_name(const char *dev, char *out, size_t outlen)
{
	xsnprintf(out, outlen, "%s", dev);
	for (char *c = out; *c; c++)
		if (*c == '/')
			*c = '!';
}

/* The result @pr holds, added to @sigs; false when it is not a signature wipefs would list. */
static bool add_signature(struct blk_signature *sigs, size_t *n, blkid_probe pr)
{
	const char *v;
	size_t len = 0;
	struct blk_signature s = {0};
	bool pt = false;

	if (blkid_probe_lookup_value(pr, "TYPE", &v, NULL) == 0) {
		str_copy(s.type, sizeof(s.type), v);
	} else if (blkid_probe_lookup_value(pr, "PTTYPE", &v, NULL) == 0) {
		str_copy(s.type, sizeof(s.type), v);
		pt = true;
	} else {
		return false;
	}
	if (pt)
		snprintf(s.usage, sizeof(s.usage), "partition table");
	else if (blkid_probe_lookup_value(pr, "USAGE", &v, NULL) == 0)
		str_copy(s.usage, sizeof(s.usage), v);
	if (blkid_probe_lookup_value(pr, pt ? "PTMAGIC_OFFSET" : "SBMAGIC_OFFSET", &v, NULL) == 0) {
		uint64_t off;
		if (parse_u64(v, &off) == 0)
			s.offset = off;
	}
	if (blkid_probe_lookup_value(pr, pt ? "PTMAGIC" : "SBMAGIC", &v, &len) == 0 && len) {
		s.magic_len = (uint32_t)(len < SIG_MAGIC_MAX ? len : SIG_MAGIC_MAX);
		memcpy(s.magic, v, s.magic_len);
	}
	if (!pt && blkid_probe_lookup_value(pr, "LABEL", &v, NULL) == 0)
		str_copy(s.label, sizeof(s.label), v);
	if (blkid_probe_lookup_value(pr, pt ? "PTUUID" : "UUID", &v, NULL) == 0)
		str_copy(s.uuid, sizeof(s.uuid), v);
	if (!pt && blkid_probe_lookup_value(pr, "VERSION", &v, NULL) == 0)
		str_copy(s.version, sizeof(s.version), v);
	sigs[(*n)++] = s;
	return true;
}

/* Adds @type at @at (from @base) when @magic lies there. */
static void add_if_there(int fd, uint64_t base, uint64_t at, const char *type, const void *magic,
			 uint32_t len, struct blk_signature *sigs, size_t *n)
{
	uint8_t now[SIG_MAGIC_MAX];

	if (*n >= SIG_MAX || pread_exact(fd, now, len, base + at) < 0 || memcmp(now, magic, len))
		return;
	struct blk_signature *s = &sigs[(*n)++];
	memset(s, 0, sizeof(*s));
	str_copy(s->type, sizeof(s->type), type);
	str_copy(s->usage, sizeof(s->usage), "other");
	s->offset = at;
	memcpy(s->magic, magic, len);
	s->magic_len = len;
	s->secondary = true;
}

/*
 * What an md superblock or an LVM2 label points at, which wipefs leaves
 * behind: an md write-intent bitmap (its superblock "bitm", md-bitmap.h;
 * for 0.90 the 4 KiB after the superblock when MD_SB_BITMAP_PRESENT is set,
 * for 1.x bitmap_offset sectors from it when feature bit 0 is set, md_p.h)
 * and an LVM2 metadata area (its header " LVM2 x[5A%r0N*>" at each offset
 * the pv_header lists after the data areas, LVM2's format_text/layout.h).
 */
static void add_secondary(int fd, uint64_t base, const struct blk_signature *s,
			  struct blk_signature *sigs, size_t *n)
{
	static const char bitmap_magic[] = "bitm", mda_magic[] = " LVM2 x[5A%r0N*>";
	uint8_t b[512];

	if (!strcmp(s->type, "linux_raid_member") &&
	    pread_exact(fd, b, sizeof(b), base + s->offset) == 0) {
		uint64_t at = 0;
		if (get_le32(b + 4) == 0 && (get_le32(b + 132) & (1u << 8)))
			at = s->offset + 4096;
		else if (get_le32(b + 4) == 1 && (get_le32(b + 8) & 1u))
			at = s->offset + (uint64_t)((int64_t)(int32_t)get_le32(b + 96) * 512);
		if (at)
			add_if_there(fd, base, at, "md bitmap", bitmap_magic, 4, sigs, n);
	}
	/* libblkid's magic is the label's "LVM2 001", 24 bytes into it. */
	if (!strcmp(s->type, "LVM2_member") && s->offset >= 24 &&
	    pread_exact(fd, b, sizeof(b), base + s->offset - 24) == 0) {
		uint32_t pv = get_le32(b + 20);
		bool metadata = false;
		/* The pv_header: a UUID, the size, then data areas and metadata areas, each
		 * list of (offset, size) from the PV's start ended by a zero offset. */
		for (uint32_t i = pv + 40; i + 16 <= sizeof(b) && pv >= 32; i += 16) {
			uint64_t area = get_le64(b + i);
			if (!area && metadata)
				break;
			if (!area)
				metadata = true;
			else if (metadata)
				add_if_there(fd, base, area + 4, "LVM2 metadata area", mda_magic,
					     16, sigs, n);
		}
	}
}

/*
 * Every signature in [off, off+size) of @fd, as wipefs finds them: each one
 * found is hidden (in libblkid's buffers only) and the same prober runs
 * again, so a second copy shows too (a GPT's backup header, LUKS2's second
 * header); filesystems, RAID and LVM superblocks with bad checksums count
 * (a damaged superblock still means someone's data); when @tables,
 * partition tables, a GPT also without its protective MBR.
 */
static int probe_range(int fd, uint64_t off, uint64_t size, bool tables, struct blk_signature *sigs,
		       size_t *n)
{
	blkid_probe pr = blkid_new_probe();
	int r = -EIO;

	if (!pr)
		return -ENOMEM;
	if (blkid_probe_set_device(pr, fd, (blkid_loff_t)off, (blkid_loff_t)size) < 0)
		goto out;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE |
						      BLKID_SUBLKS_MAGIC | BLKID_SUBLKS_LABEL |
						      BLKID_SUBLKS_UUID | BLKID_SUBLKS_VERSION |
						      BLKID_SUBLKS_BADCSUM);
	blkid_probe_enable_partitions(pr, tables ? 1 : 0);
	if (tables)
		blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC | BLKID_PARTS_FORCE_GPT);
	while ((r = blkid_do_probe(pr)) == 0 && *n < SIG_MAX) {
		if (!add_signature(sigs, n, pr) || !sigs[*n - 1].magic_len)
			continue;
		const struct blk_signature *s = &sigs[*n - 1];
		if (blkid_probe_hide_range(pr, s->offset, s->magic_len) == 0)
			blkid_probe_step_back(pr);
	}
	/* 1: nothing more to find; 0: SIG_MAX reached; negative: it could not read. */
	r = r < 0 ? -EIO : 0;
	for (size_t i = 0, found = *n; r == 0 && i < found; i++)
		add_secondary(fd, off, &sigs[i], sigs, n);
out:
	blkid_free_probe(pr);
	return r;
}

/* The first and the last MiB, where every kind of metadata lives, can be read. */
static int readable_ends(int fd, uint64_t size)
{
	uint64_t span = size < (1 << 20) ? size : (1 << 20);
	uint8_t *b = xmalloc((size_t)span);
	int r = pread_exact(fd, b, (size_t)span, 0);

	if (r == 0)
		r = pread_exact(fd, b, (size_t)span, size - span);
	free(b);
	return r;
}

#define MD_SB_MAGIC 0xa92b4efcu

void md_superblock_read(int fd, uint64_t offset, uint64_t size, char out[36], char version[8])
{
	uint64_t sectors = size / 512;
	uint8_t sb[64];

	out[0] = version[0] = '\0';
	/*
	 * 0.90: 64 KiB on a 64 KiB boundary at the end, in the writer's byte
	 * order (x86: little-endian); mdadm shows the four UUID words as hex.
	 */
	if (sectors >= 256 &&
	    pread_exact(fd, sb, sizeof(sb), offset + ((sectors & ~UINT64_C(127)) - 128) * 512) ==
		    0 &&
	    get_le32(sb) == MD_SB_MAGIC && get_le32(sb + 4) == 0 && get_le32(sb + 8) == 90) {
		snprintf(out, 36, "%08x:%08x:%08x:%08x", get_le32(sb + 5 * 4),
			 get_le32(sb + 13 * 4), get_le32(sb + 14 * 4), get_le32(sb + 15 * 4));
		snprintf(version, 8, "0.90");
		return;
	}
	/* 1.0: 8 KiB from the end on a 4 KiB boundary; the UUID is 16 bytes at offset 16. */
	if (sectors >= 24 &&
	    pread_exact(fd, sb, sizeof(sb), offset + ((sectors - 16) & ~UINT64_C(7)) * 512) == 0 &&
	    get_le32(sb) == MD_SB_MAGIC && get_le32(sb + 4) == 1) {
		const uint8_t *u = sb + 16;
		snprintf(out, 36,
			 "%02x%02x%02x%02x:%02x%02x%02x%02x:%02x%02x%02x%02x:%02x%02x%02x%02x",
			 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
			 u[12], u[13], u[14], u[15]);
		snprintf(version, 8, "1.0");
	}
}

/* Partitions of a disk whose table is not a GPT (MBR, BSD ...), as libblkid lists them. */
static void other_table_partitions(int fd, struct disk_info *d)
{
	blkid_probe pr = blkid_new_probe();
	blkid_partlist pl;

	if (!pr)
		return;
	if (blkid_probe_set_device(pr, fd, 0, 0) < 0)
		goto out;
	blkid_probe_enable_partitions(pr, 1);
	pl = blkid_probe_get_partitions(pr);
	if (!pl)
		goto out;
	int count = blkid_partlist_numof_partitions(pl);
	d->parts = xcalloc((size_t)(count > 0 ? count : 1), sizeof(*d->parts));
	for (int i = 0; i < count; i++) {
		blkid_partition p = blkid_partlist_get_partition(pl, i);
		struct part_info *pi = &d->parts[d->n_parts++];
		/* libblkid counts in 512-byte sectors whatever the device's sector size. */
		uint64_t start = (uint64_t)blkid_partition_get_start(p) * 512 / d->sector_size;
		uint64_t size = (uint64_t)blkid_partition_get_size(p) * 512 / d->sector_size;
		pi->number = (unsigned)blkid_partition_get_partno(p);
		pi->first_lba = start;
		pi->last_lba = size ? start + size - 1 : start;
	}
out:
	blkid_free_probe(pr);
}

/* The printable bytes of @s, without leading and trailing blanks. */
static void printable_copy(char *out, size_t outlen, const char *s, size_t len)
{
	size_t k = 0;

	for (size_t j = 0; j < len && k + 1 < outlen; j++)
		if (isprint((unsigned char)s[j]) && (k || !isspace((unsigned char)s[j])))
			out[k++] = s[j];
	out[k] = '\0';
	str_strip(out);
}

int vpd_unit_serial(const unsigned char *page, size_t len, char *out, size_t outlen)
{
	/* SPC: byte 1 the page code, bytes 2-3 the length of what follows the header. */
	if (outlen == 0 || len < 4 || page[1] != 0x80)
		return -EBADMSG;
	size_t n = (size_t)page[2] << 8 | page[3];
	if (n > len - 4)
		return -EBADMSG;
	printable_copy(out, outlen, (const char *)page + 4, n);
	return out[0] ? 0 : -ENODATA;
}

/*
 * The serial from the disk itself: a SCSI INQUIRY for the Unit Serial
 * Number VPD page (0x80) through SG_IO, which the sd driver and libata's
 * SATA translation answer on 2.6.32 as on later kernels; sysfs shows the
 * same page as device/vpd_pg80 only from Linux 3.15.  Fails quietly on
 * anything that is not a SCSI block device (image files under --sysroot).
 */
static int serial_from_inquiry(const char *dev, char *out, size_t outlen)
{
	unsigned char cdb[6] = {0x12, 0x01, 0x80, 0, 0xff, 0}; /* INQUIRY, EVPD, page 0x80 */
	unsigned char page[255], sense[32];
	sg_io_hdr_t io = {0};
	int fd = open(dev, O_RDONLY | O_NONBLOCK | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	io.interface_id = 'S';
	io.dxfer_direction = SG_DXFER_FROM_DEV;
	io.cmd_len = sizeof(cdb);
	io.cmdp = cdb;
	io.dxferp = page;
	io.dxfer_len = sizeof(page);
	io.sbp = sense;
	io.mx_sb_len = sizeof(sense);
	io.timeout = 5000;
	memset(page, 0, sizeof(page));
	if (ioctl(fd, SG_IO, &io) < 0)
		r = -errno;
	else if ((io.info & SG_INFO_OK_MASK) != SG_INFO_OK)
		r = -EIO;
	else
		r = vpd_unit_serial(page, sizeof(page) - (size_t)(io.resid > 0 ? io.resid : 0), out,
				    outlen);
	close(fd);
	return r;
}

/*
 * The serial from udev's /dev/disk/by-id name for the whole disk, for
 * kernels and devices that answer neither sysfs nor INQUIRY: XenServer
 * 6.0's udev names SATA disks scsi-SATA_<model>_<serial>, later udev
 * ata-<model>_<serial> (spaces become '_').  With the model in front, the
 * rest is the serial; otherwise the whole name identifies the disk.
 */
static int serial_from_by_id(const char *root, const char *name, const char *model, char *out,
			     size_t outlen)
{
	static const char *const prefixes[] = {"ata-", "scsi-SATA_", "scsi-"};
	char *dir = rpath(root, "dev/disk/by-id");
	struct dirent **links = NULL;
	int n = scandir(dir, &links, NULL, alphasort), r = -ENOENT;
	char model_id[64];

	str_copy(model_id, sizeof(model_id), model);
	for (char *c = model_id; *c; c++)
		if (*c == ' ')
			*c = '_';
	for (size_t pi = 0; pi < ARRAY_SIZE(prefixes) && r < 0; pi++) {
		size_t pl = strlen(prefixes[pi]);
		for (int i = 0; i < n && r < 0; i++) {
			const char *ln = links[i]->d_name;
			char target[PATH_MAX];
			if (strncmp(ln, prefixes[pi], pl) || strstr(ln, "-part"))
				continue;
			char *lp = path_join(dir, ln);
			ssize_t tl = readlink(lp, target, sizeof(target) - 1);
			free(lp);
			if (tl <= 0)
				continue;
			target[tl] = '\0';
			/* "../../sda", or "../../cciss/c0d0" for cciss/c0d0 */
			size_t nl = strlen(name), tlen = (size_t)tl;
			if (tlen < nl || strcmp(target + tlen - nl, name) ||
			    (tlen > nl && target[tlen - nl - 1] != '/'))
				continue;
			const char *rest = ln + pl;
			size_t ml = strlen(model_id);
			if (ml && !strncmp(rest, model_id, ml) && rest[ml] == '_' && rest[ml + 1])
				rest += ml + 1;
			printable_copy(out, outlen, rest, strlen(rest));
			r = out[0] ? 0 : -ENODATA;
		}
	}
	for (int i = 0; i < n; i++)
		free(links[i]);
	free(links);
	free(dir);
	return r;
}

void discover_identity(const char *root, const char *name, char *model, size_t model_len,
		       char *serial, size_t serial_len)
{
	char sysname[256], vendor[64];
	char *p;

	dev_to_sysfs_name(name, sysname, sizeof(sysname));
	serial[0] = '\0';
	p = rpath(root, "sys/block/%s/device/vendor", sysname);
	read_line_file(p, vendor, sizeof(vendor));
	free(p);
	p = rpath(root, "sys/block/%s/device/model", sysname);
	read_line_file(p, model, model_len);
	free(p);
	if (vendor[0] && strcmp(vendor, "ATA")) {
		char *both = xasprintf("%s %s", vendor, model);
		str_copy(model, model_len, both);
		free(both);
	}
	/* A serial number: wwid on most kernels, the VPD page on others, "serial" for virtio/nvme.
	 */
	static const char *const serial_files[] = {"device/wwid", "device/serial", "serial",
						   "device/vpd_pg80"};
	for (size_t i = 0; i < ARRAY_SIZE(serial_files) && !serial[0]; i++) {
		p = rpath(root, "sys/block/%s/%s", sysname, serial_files[i]);
		struct buf b = BUF_INIT;
		if (read_file(p, 4096, &b) == 0) {
			if (!strcmp(serial_files[i], "device/vpd_pg80"))
				vpd_unit_serial((const unsigned char *)b.data, b.len, serial,
						serial_len);
			else
				printable_copy(serial, serial_len, b.data, b.len);
		}
		buf_free(&b);
		free(p);
	}
	/* Linux 2.6.32 (XenServer 6.0) has none of those files for a SATA disk. */
	p = rpath(root, "dev/%s", name);
	if (!serial[0] && serial_from_inquiry(p, serial, serial_len) == 0)
		log_debug("%s: no serial in sysfs; serial '%s' from INQUIRY (VPD page 0x80)", name,
			  serial);
	free(p);
	if (!serial[0] && serial_from_by_id(root, name, model, serial, serial_len) == 0)
		log_debug("%s: no serial in sysfs or INQUIRY; serial '%s' from /dev/disk/by-id",
			  name, serial);
}

bool discover_parent_disk(const char *root, const char *name, char *out, size_t outlen)
{
	char sysname[256];
	char *dir = rpath(root, "sys/block");
	DIR *dh;
	struct dirent *e;
	bool found = false;

	dev_to_sysfs_name(name, sysname, sizeof(sysname));
	char *self = path_join(dir, sysname);
	if (access(self, F_OK) == 0) {
		str_copy(out, outlen, name);
		found = true;
	}
	free(self);
	dh = found ? NULL : opendir(dir);
	while (dh && !found && (e = readdir(dh))) {
		if (e->d_name[0] == '.')
			continue;
		char *part = rpath(dir, "%s/%s/partition", e->d_name, sysname);
		if (access(part, F_OK) == 0) {
			sysfs_to_dev_name(e->d_name, out, outlen);
			found = true;
		}
		free(part);
	}
	if (dh)
		closedir(dh);
	free(dir);
	return found;
}

static void read_kernel_partitions(const char *root, const char *sysname, struct disk_info *d)
{
	char *dir = rpath(root, "sys/block/%s", sysname);
	DIR *dh = opendir(dir);
	struct dirent *e;

	if (!dh) {
		free(dir);
		return;
	}
	while ((e = readdir(dh))) {
		if (strncmp(e->d_name, sysname, strlen(sysname)))
			continue;
		char *pf = rpath(dir, "%s/partition", e->d_name);
		uint64_t number = read_u64(pf, 0);
		free(pf);
		if (!number)
			continue;
		for (size_t i = 0; i < d->n_parts; i++) {
			struct part_info *pi = &d->parts[i];
			if (pi->number != number)
				continue;
			char *sf = rpath(dir, "%s/start", e->d_name);
			char *zf = rpath(dir, "%s/size", e->d_name);
			pi->in_kernel = true;
			pi->kernel_start_512 = read_u64(sf, 0);
			pi->kernel_size_512 = read_u64(zf, 0);
			free(sf);
			free(zf);
			char *hd = rpath(dir, "%s/holders", e->d_name);
			DIR *hh = opendir(hd);
			struct dirent *h;
			while (hh && (h = readdir(hh)))
				if (h->d_name[0] != '.')
					str_copy(pi->holder, sizeof(pi->holder), h->d_name);
			if (hh)
				closedir(hh);
			free(hd);
		}
	}
	closedir(dh);
	free(dir);
}

static void read_disk(const char *root, const char *sysname, struct disk_info *d)
{
	char *p;
	int fd;

	sysfs_to_dev_name(sysname, d->name, sizeof(d->name));
	p = rpath(root, "dev/%s", d->name);
	str_copy(d->path, sizeof(d->path), p);
	free(p);

	p = rpath(root, "sys/block/%s/size", sysname);
	d->size_bytes = read_u64(p, 0) * 512; /* sysfs counts 512-byte units on every disk */
	free(p);
	p = rpath(root, "sys/block/%s/queue/logical_block_size", sysname);
	d->sector_size = (uint32_t)read_u64(p, 512);
	free(p);
	p = rpath(root, "sys/block/%s/queue/physical_block_size", sysname);
	d->physical_sector_size = (uint32_t)read_u64(p, d->sector_size);
	free(p);
	p = rpath(root, "sys/block/%s/ro", sysname);
	d->readonly = read_u64(p, 0) != 0;
	free(p);
	p = rpath(root, "sys/block/%s/removable", sysname);
	d->removable = read_u64(p, 0) != 0;
	free(p);
	discover_identity(root, d->name, d->model, sizeof(d->model), d->serial, sizeof(d->serial));

	char *hd = rpath(root, "sys/block/%s/holders", sysname);
	DIR *hh = opendir(hd);
	struct dirent *h;
	while (hh && (h = readdir(hh)))
		if (h->d_name[0] != '.')
			str_copy(d->holder, sizeof(d->holder), h->d_name);
	if (hh)
		closedir(hh);
	free(hd);

	d->gpt_status = -ENOENT;
	if (d->size_bytes == 0)
		return;
	fd = open(d->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		d->gpt_status = d->read_error = -errno;
		log_debug("cannot open '%s': %s", d->path, strerror(errno));
		return;
	}
	d->read_error = readable_ends(fd, d->size_bytes);
	d->gpt_status = gpt_read(fd, d->size_bytes, d->sector_size, &d->gpt);
	if (d->gpt_status < 0 && d->gpt_status != -ENOENT && d->gpt_status != -EBADMSG &&
	    !d->read_error)
		d->read_error = d->gpt_status;
	int pr = probe_range(fd, 0, 0, true, d->sigs, &d->n_sigs);
	if (pr < 0 && !d->read_error)
		d->read_error = pr;
	if (d->gpt_status == 0) {
		d->parts =
			xcalloc(d->gpt.n_partitions ? d->gpt.n_partitions : 1, sizeof(*d->parts));
		for (size_t i = 0; i < d->gpt.n_partitions; i++) {
			const struct gpt_partition *g = &d->gpt.partitions[i];
			struct part_info *pi = &d->parts[d->n_parts++];
			pi->number = g->number;
			pi->first_lba = g->first_lba;
			pi->last_lba = g->last_lba;
			pi->type = g->type;
			pi->unique = g->unique;
			pi->attributes = g->attributes;
			str_copy(pi->name, sizeof(pi->name), g->name);
		}
	} else {
		other_table_partitions(fd, d);
	}
	for (size_t i = 0; i < d->n_parts; i++) {
		struct part_info *pi = &d->parts[i];
		partition_name(pi->dev, sizeof(pi->dev), d->name, pi->number);
		uint64_t off = pi->first_lba * d->sector_size;
		uint64_t size = (pi->last_lba - pi->first_lba + 1) * d->sector_size;
		if (off + size <= d->size_bytes) {
			pr = probe_range(fd, off, size, false, pi->sigs, &pi->n_sigs);
			if (pr < 0 && !d->read_error)
				d->read_error = pr;
			md_superblock_read(fd, off, size, pi->md_uuid, pi->md_metadata);
		}
	}
	read_kernel_partitions(root, sysname, d);

	uint64_t joff = journal_area_offset(d->size_bytes, d->sector_size);
	if (joff && journal_read(fd, joff, d->sector_size, &d->journal) == 0)
		d->has_journal = true;
	close(fd);
}

static bool skip_device(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(SKIP_PREFIXES); i++)
		if (str_starts_with(name, SKIP_PREFIXES[i]))
			return true;
	return false;
}

static int cmp_disks(const void *a, const void *b)
{
	return strcmp(((const struct disk_info *)a)->name, ((const struct disk_info *)b)->name);
}

static void read_arrays(const char *root, struct inventory *inv)
{
	char *dir = rpath(root, "sys/block");
	DIR *dh = opendir(dir);
	struct dirent *e;

	while (dh && (e = readdir(dh))) {
		if (strncmp(e->d_name, "md", 2) || !isdigit((unsigned char)e->d_name[2]))
			continue;
		inv->arrays = xrealloc(inv->arrays, (inv->n_arrays + 1) * sizeof(*inv->arrays));
		struct md_array *a = &inv->arrays[inv->n_arrays++];
		memset(a, 0, sizeof(*a));
		str_copy(a->name, sizeof(a->name), e->d_name);
		char *p = rpath(dir, "%s/md/level", e->d_name);
		read_line_file(p, a->level, sizeof(a->level));
		free(p);
		p = rpath(dir, "%s/md/array_state", e->d_name);
		read_line_file(p, a->state, sizeof(a->state));
		free(p);
		p = rpath(dir, "%s/md/sync_action", e->d_name);
		read_line_file(p, a->sync_action, sizeof(a->sync_action));
		free(p);
		p = rpath(dir, "%s/md/raid_disks", e->d_name);
		a->raid_disks = (unsigned)read_u64(p, 0);
		free(p);
		p = rpath(dir, "%s/slaves", e->d_name);
		struct dirent **slaves = NULL;
		int n = scandir(p, &slaves, NULL, alphasort);
		for (int k = 0; k < n; k++) {
			const char *m = slaves[k]->d_name;
			if (m[0] != '.') {
				char name[256], state[64];
				char *sp = rpath(dir, "%s/md/dev-%s/state", e->d_name, m);
				read_line_file(sp, state, sizeof(state));
				free(sp);
				sysfs_to_dev_name(m, name, sizeof(name));
				strv_push(&a->members, name);
				strv_push(&a->member_states, state);
			}
			free(slaves[k]);
		}
		free(slaves);
		free(p);
	}
	if (dh)
		closedir(dh);
	free(dir);
}

/* /proc/mounts escapes white space as \040 and friends. */
static void unescape_mount_field(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* The kernel name behind a /dev path, following symlinks below @root. */
static bool device_name(const char *root, const char *devpath, char *out, size_t outlen)
{
	char resolved[PATH_MAX];
	char *full;

	if (!str_starts_with(devpath, "/dev/"))
		return false;
	full = path_join(root, devpath);
	if (realpath(full, resolved)) {
		char *devdir = rpath(root, "dev/");
		if (str_starts_with(resolved, devdir))
			snprintf(out, outlen, "%s", resolved + strlen(devdir));
		else
			snprintf(out, outlen, "%s", devpath + 5);
		free(devdir);
	} else {
		snprintf(out, outlen, "%s", devpath + 5);
	}
	free(full);
	return true;
}

static void mark_in_use(struct inventory *inv, const char *name, const char *where)
{
	for (size_t i = 0; i < inv->n_disks; i++) {
		struct disk_info *d = &inv->disks[i];
		if (!strcmp(d->name, name) && !d->mountpoint[0])
			str_copy(d->mountpoint, sizeof(d->mountpoint), where);
		for (size_t j = 0; j < d->n_parts; j++)
			if (!strcmp(d->parts[j].dev, name) && !d->parts[j].mountpoint[0])
				str_copy(d->parts[j].mountpoint, sizeof(d->parts[j].mountpoint),
					 where);
	}
}

static void read_mounts(const char *root, struct inventory *inv)
{
	static const char *const tables[] = {"proc/mounts", "proc/swaps"};

	for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
		char *p = path_join(root, tables[t]);
		struct buf b = BUF_INIT;
		if (read_file(p, 1 << 20, &b) == 0) {
			char *save = NULL;
			for (char *line = strtok_r(b.data, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save)) {
				char dev[PATH_MAX], mnt[PATH_MAX], name[64];
				if (sscanf(line, "%4095s %4095s", dev, mnt) != 2)
					continue;
				unescape_mount_field(dev);
				unescape_mount_field(mnt);
				if (t == 1)
					snprintf(mnt, sizeof(mnt), "[swap]");
				if (device_name(root, dev, name, sizeof(name)))
					mark_in_use(inv, name, mnt);
			}
		}
		buf_free(&b);
		free(p);
	}
}

/* An executable that is not busybox: its applets take other options than the real tools. */
static bool real_tool(const char *root, const char *path)
{
	char *full = path_join(root, path);
	char resolved[PATH_MAX];
	struct stat st, bb;
	bool ok = false;

	if (access(full, X_OK) == 0 && realpath(full, resolved) && stat(resolved, &st) == 0 &&
	    S_ISREG(st.st_mode)) {
		const char *base = strrchr(resolved, '/');
		ok = !base || strcmp(base + 1, "busybox");
		char *busybox = path_join(root, "bin/busybox");
		if (ok && stat(busybox, &bb) == 0 && bb.st_ino == st.st_ino &&
		    bb.st_dev == st.st_dev)
			ok = false;
		free(busybox);
	}
	free(full);
	return ok;
}

static void find_tool(const char *root, const char *const *names, size_t n_names, char *out,
		      size_t outlen)
{
	static const char *const dirs[] = {"/sbin", "/usr/sbin", "/bin", "/usr/bin"};

	out[0] = '\0';
	for (size_t i = 0; i < n_names; i++) {
		for (size_t j = 0; j < ARRAY_SIZE(dirs); j++) {
			char *p = path_join(dirs[j], names[i]);
			if (real_tool(root, p)) {
				snprintf(out, outlen, "%s", p);
				free(p);
				return;
			}
			free(p);
		}
	}
}

/* Where this program is: in the installer, where the remastered image puts it. */
static void read_helper(const char *root, char *out, size_t outlen)
{
	char *p = path_join(root, XSRAID_HELPER_PATH);
	ssize_t n;

	if (access(p, F_OK) == 0) {
		str_copy(out, outlen, XSRAID_HELPER_PATH);
	} else if ((n = readlink("/proc/self/exe", out, outlen - 1)) > 0) {
		out[n] = '\0';
	} else {
		str_copy(out, outlen, XSRAID_HELPER_PATH);
	}
	free(p);
}

static void read_tools(const char *root, struct installer_tools *t)
{
	static const char *const sgdisk[] = {"sgdisk"};
	static const char *const mkfs[] = {"mkfs.ext3"};
	static const char *const tune2fs[] = {"tune2fs"};
	static const char *const mdadm[] = {"mdadm"};

	find_tool(root, sgdisk, 1, t->sgdisk, sizeof(t->sgdisk));
	find_tool(root, mkfs, 1, t->mkfs_ext3, sizeof(t->mkfs_ext3));
	find_tool(root, tune2fs, 1, t->tune2fs, sizeof(t->tune2fs));
	find_tool(root, mdadm, 1, t->mdadm, sizeof(t->mdadm));
}

/* The device field of the fstab entry mounted on "/". */
static void fstab_root(const char *text, char *out, size_t outlen)
{
	char *copy = xstrdup(text), *save = NULL;

	out[0] = '\0';
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char dev[256], mnt[256];
		char *s = str_strip(line);
		if (*s == '#' || sscanf(s, "%255s %255s", dev, mnt) != 2)
			continue;
		if (!strcmp(mnt, "/")) {
			snprintf(out, outlen, "%s", dev);
			break;
		}
	}
	free(copy);
}

static void read_kernels(const char *tdir, struct target_info *t)
{
	char *boot = path_join(tdir, "boot");
	struct dirent **names = NULL;
	int n = scandir(boot, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		const char *f = names[i]->d_name;
		size_t l = strlen(f);
		if (str_starts_with(f, "initrd-") && str_ends_with(f, ".img") && l > 11) {
			char *kver = xstrndup(f + 7, l - 11);
			char *img = path_join(boot, f);
			char *mods = xasprintf("%s/lib/modules/%s", tdir, kver);
			struct stat st, ms;
			/* Links like initrd-2.6-xen.img point at a real image; rebuild that one. */
			if (lstat(img, &st) == 0 && S_ISREG(st.st_mode) && stat(mods, &ms) == 0 &&
			    S_ISDIR(ms.st_mode))
				strv_push(&t->kernels, kver);
			free(mods);
			free(img);
			free(kver);
		}
		free(names[i]);
	}
	free(names);
	free(boot);
}

static void find_in_target(const char *tdir, const char *const *cands, size_t n, char *out,
			   size_t outlen)
{
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char *p = path_join(tdir, cands[i]);
		bool ok = access(p, F_OK) == 0;
		free(p);
		if (ok) {
			snprintf(out, outlen, "%s", cands[i]);
			return;
		}
	}
}

/* Whether the root filesystem, mounted now, can later be copied as its used blocks. */
static void read_clone_facts(const struct disk_info *d, const struct part_info *pi,
			     struct target_info *t)
{
	uint8_t sb[FSCLONE_SUPERBLOCK_BYTES];
	uint64_t off = pi->first_lba * d->sector_size;
	struct fsclone_info fi;
	struct buf why = BUF_INIT;
	int fd = open(d->path, O_RDONLY | O_CLOEXEC);
	int r = fd < 0 ? -errno : pread_exact(fd, sb, sizeof(sb), off + FSCLONE_SUPERBLOCK_OFFSET);

	if (r < 0) {
		snprintf(t->clone_problem, sizeof(t->clone_problem),
			 "the superblock of %s cannot be read: %s", pi->dev, strerror(-r));
	} else if (fsclone_parse_superblock(sb, true, &fi, &why) == 0) {
		t->fs_bytes = fi.fs_bytes;
		if (fi.fs_bytes > (pi->last_lba - pi->first_lba + 1) * d->sector_size)
			snprintf(t->clone_problem, sizeof(t->clone_problem),
				 "the filesystem on %s is larger than its partition", pi->dev);
	} else {
		snprintf(t->clone_problem, sizeof(t->clone_problem), "%s", why.data);
	}
	buf_free(&why);
	if (fd >= 0)
		close(fd);
}

static void read_target(const char *root, const char *target_dir, struct inventory *inv)
{
	static const char *const dracut[] = {"/usr/sbin/dracut", "/sbin/dracut", "/usr/bin/dracut"};
	static const char *const mkinitrd[] = {"/sbin/mkinitrd", "/usr/sbin/mkinitrd"};
	static const char *const extlinux[] = {"/sbin/extlinux", "/usr/sbin/extlinux",
					       "/usr/bin/extlinux"};
	static const char *const gptmbr[] = {"/usr/share/syslinux/gptmbr.bin",
					     "/usr/lib/syslinux/gptmbr.bin",
					     "/usr/lib/syslinux/mbr/gptmbr.bin"};
	static const char *const mdadm[] = {"/sbin/mdadm", "/usr/sbin/mdadm"};
	static const char *const sgdisk[] = {"/sbin/sgdisk", "/usr/sbin/sgdisk"};
	static const char *const mkfs[] = {"/sbin/mkfs.ext3", "/usr/sbin/mkfs.ext3"};
	static const char *const tune2fs[] = {"/sbin/tune2fs", "/usr/sbin/tune2fs"};
	static const char *const chkconfig[] = {"/sbin/chkconfig", "/usr/sbin/chkconfig"};
	static const char *const mdmonitor[] = {"/etc/rc.d/init.d/mdmonitor",
						"/etc/init.d/mdmonitor"};
	/* What mdadm packages schedule themselves: RHEL's raid-check, Debian's checkarray. */
	static const char *const raid_check[] = {
		"/etc/cron.d/raid-check", "/etc/cron.weekly/99-raid-check", "/etc/cron.d/mdadm"};
	struct target_info *t = &inv->target;
	char *tdir = path_join(root, target_dir);
	struct buf b = BUF_INIT;
	char *p;

	t->present = true;
	str_copy(t->root_dir, sizeof(t->root_dir), target_dir);

	/* The partition mounted there, and its filesystem. */
	for (size_t i = 0; i < inv->n_disks; i++) {
		const struct disk_info *d = &inv->disks[i];
		for (size_t j = 0; j < d->n_parts; j++) {
			const struct part_info *pi = &d->parts[j];
			char *want = path_join("/", target_dir);
			bool match = !strcmp(pi->mountpoint, want);
			free(want);
			if (!match || t->root_dev[0])
				continue;
			str_copy(t->root_dev, sizeof(t->root_dev), pi->dev);
			read_clone_facts(d, pi, t);
			for (size_t k = 0; k < pi->n_sigs; k++) {
				if (strcmp(pi->sigs[k].usage, "filesystem"))
					continue;
				str_copy(t->fs_type, sizeof(t->fs_type), pi->sigs[k].type);
				str_copy(t->fs_label, sizeof(t->fs_label), pi->sigs[k].label);
				str_copy(t->fs_uuid, sizeof(t->fs_uuid), pi->sigs[k].uuid);
				break;
			}
		}
	}

	p = path_join(tdir, "etc/fstab");
	if (read_file(p, 1 << 20, &b) == 0)
		fstab_root(b.data, t->fstab_root, sizeof(t->fstab_root));
	free(p);

	p = path_join(tdir, "etc/xensource-inventory");
	if (read_file(p, 1 << 20, &b) == 0) {
		char *v = config_shell_var_get(b.data, "PRODUCT_VERSION");
		if (v)
			str_copy(t->product_version, sizeof(t->product_version), v);
		free(v);
	}
	free(p);

	read_kernels(tdir, t);
	find_in_target(tdir, dracut, ARRAY_SIZE(dracut), t->initrd_tool_path,
		       sizeof(t->initrd_tool_path));
	str_copy(t->initrd_tool, sizeof(t->initrd_tool), t->initrd_tool_path[0] ? "dracut" : "");
	if (!t->initrd_tool_path[0]) {
		find_in_target(tdir, mkinitrd, ARRAY_SIZE(mkinitrd), t->initrd_tool_path,
			       sizeof(t->initrd_tool_path));
		if (t->initrd_tool_path[0])
			snprintf(t->initrd_tool, sizeof(t->initrd_tool), "mkinitrd");
	}
	find_in_target(tdir, extlinux, ARRAY_SIZE(extlinux), t->extlinux_path,
		       sizeof(t->extlinux_path));
	find_in_target(tdir, gptmbr, ARRAY_SIZE(gptmbr), t->gptmbr_path, sizeof(t->gptmbr_path));
	find_in_target(tdir, mdadm, ARRAY_SIZE(mdadm), t->mdadm_path, sizeof(t->mdadm_path));
	find_in_target(tdir, sgdisk, ARRAY_SIZE(sgdisk), t->sgdisk_path, sizeof(t->sgdisk_path));
	find_in_target(tdir, mkfs, ARRAY_SIZE(mkfs), t->mkfs_path, sizeof(t->mkfs_path));
	find_in_target(tdir, tune2fs, ARRAY_SIZE(tune2fs), t->tune2fs_path,
		       sizeof(t->tune2fs_path));
	find_in_target(tdir, chkconfig, ARRAY_SIZE(chkconfig), t->chkconfig_path,
		       sizeof(t->chkconfig_path));
	find_in_target(tdir, mdmonitor, ARRAY_SIZE(mdmonitor), t->mdmonitor_path,
		       sizeof(t->mdmonitor_path));
	find_in_target(tdir, raid_check, ARRAY_SIZE(raid_check), t->raid_check_path,
		       sizeof(t->raid_check_path));
	p = path_join(tdir, "etc/cron.d");
	struct stat cs;
	t->cron_d = stat(p, &cs) == 0 && S_ISDIR(cs.st_mode);
	free(p);

	p = path_join(tdir, "boot/extlinux.conf");
	if (read_file(p, 1 << 20, &b) == 0) {
		struct extlinux_config c = {0};
		struct buf err = BUF_INIT;
		if (config_extlinux_parse(b.data, &c, &err) == 0)
			t->extlinux_entries = (unsigned)c.n_entries;
		else
			snprintf(t->problem, sizeof(t->problem), "boot/extlinux.conf: %s",
				 err.data);
		config_extlinux_free(&c);
		buf_free(&err);
	} else {
		char *grub = path_join(tdir, "boot/grub/grub.cfg");
		bool is_grub = access(grub, F_OK) == 0;
		free(grub);
		snprintf(t->problem, sizeof(t->problem), "%s",
			 is_grub ? "the installed system boots with GRUB2 (XenServer 7 or later), "
				   "which xsraid does not convert yet"
				 : "the installed system has no /boot/extlinux.conf");
	}
	free(p);

	if (!t->problem[0] && !t->root_dev[0])
		snprintf(t->problem, sizeof(t->problem),
			 "nothing is mounted on '%s'; the installer mounts the new system there",
			 target_dir);
	else if (!t->problem[0] && !t->fstab_root[0])
		snprintf(t->problem, sizeof(t->problem), "etc/fstab has no entry for '/'");
	else if (!t->problem[0] && !t->initrd_tool[0])
		snprintf(t->problem, sizeof(t->problem),
			 "the installed system has neither mkinitrd nor dracut");
	else if (!t->problem[0] && !t->kernels.n)
		snprintf(t->problem, sizeof(t->problem),
			 "the installed system has no /boot/initrd-<version>.img to rebuild");
	else if (!t->problem[0] && !t->extlinux_path[0])
		snprintf(t->problem, sizeof(t->problem), "the installed system has no extlinux");
	else if (!t->problem[0] && !t->gptmbr_path[0])
		snprintf(t->problem, sizeof(t->problem), "the installed system has no gptmbr.bin");
	buf_free(&b);
	free(tdir);
}

/* Whether a module file @module (.ko, maybe compressed) is anywhere below @dir. */
static bool find_module(const char *dir, const char *module, unsigned depth)
{
	DIR *dh = opendir(dir);
	struct dirent *e;
	bool found = false;
	size_t n = strlen(module);

	while (dh && !found && (e = readdir(dh))) {
		if (e->d_name[0] == '.')
			continue;
		if (!strncmp(e->d_name, module, n) &&
		    (!e->d_name[n] || !strcmp(e->d_name + n, ".gz") ||
		     !strcmp(e->d_name + n, ".xz") || !strcmp(e->d_name + n, ".zst"))) {
			found = true;
		} else if (depth) {
			char *sub = path_join(dir, e->d_name);
			struct stat st;
			if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
				found = find_module(sub, module, depth - 1);
			free(sub);
		}
	}
	if (dh)
		closedir(dh);
	return found;
}

/*
 * md and raid1 in the running kernel: loaded or built in (/proc/mdstat,
 * /sys/module), or there to be loaded from /lib/modules/RELEASE.
 */
static void read_kernel(const char *root, struct installer_kernel *k)
{
	char *p = rpath(root, "proc/sys/kernel/osrelease");
	struct buf mdstat = BUF_INIT;

	read_line_file(p, k->release, sizeof(k->release));
	free(p);
	p = rpath(root, "proc/mdstat");
	if (read_file(p, 1 << 20, &mdstat) == 0) {
		k->md = true;
		k->raid1 = strstr(mdstat.data, "[raid1]") != NULL;
	}
	free(p);
	buf_free(&mdstat);
	p = rpath(root, "sys/module/md_mod");
	k->md = k->md || access(p, F_OK) == 0;
	free(p);
	p = rpath(root, "sys/module/raid1");
	k->raid1 = k->raid1 || access(p, F_OK) == 0;
	free(p);
	if (k->release[0] && (!k->md || !k->raid1)) {
		p = rpath(root, "lib/modules/%s", k->release);
		k->md = k->md || find_module(p, "md-mod.ko", 6) || find_module(p, "md_mod.ko", 6);
		k->raid1 = k->raid1 || find_module(p, "raid1.ko", 6);
		free(p);
	}
}

int discover(const char *root, const char *target_dir, struct inventory *ret)
{
	struct inventory inv = {0};
	char *dir = rpath(root, "sys/block");
	struct dirent **names = NULL;
	int n;

	inv.root = xstrdup(root);
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		int r = log_errno(-errno, "cannot list block devices in '%s'", dir);
		free(dir);
		free(inv.root);
		return r;
	}
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (name[0] != '.' && !skip_device(name)) {
			inv.disks = xrealloc(inv.disks, (inv.n_disks + 1) * sizeof(*inv.disks));
			struct disk_info *d = &inv.disks[inv.n_disks++];
			memset(d, 0, sizeof(*d));
			read_disk(root, name, d);
		}
		free(names[i]);
	}
	free(names);
	free(dir);
	qsort(inv.disks, inv.n_disks, sizeof(*inv.disks), cmp_disks);

	read_arrays(root, &inv);
	read_mounts(root, &inv);
	read_tools(root, &inv.tools);
	read_kernel(root, &inv.kernel);
	read_helper(root, inv.helper, sizeof(inv.helper));
	if (target_dir)
		read_target(root, target_dir, &inv);

	char *p = rpath(root, "proc/sys/dev/raid/speed_limit_min");
	inv.speed_limit_min = (uint32_t)read_u64(p, 0);
	free(p);
	p = rpath(root, "proc/sys/dev/raid/speed_limit_max");
	inv.speed_limit_max = (uint32_t)read_u64(p, 0);
	free(p);

	*ret = inv;
	return 0;
}

void inventory_free(struct inventory *inv)
{
	for (size_t i = 0; i < inv->n_disks; i++) {
		free(inv->disks[i].parts);
		journal_state_free(&inv->disks[i].journal);
	}
	free(inv->disks);
	for (size_t i = 0; i < inv->n_arrays; i++) {
		strv_free(&inv->arrays[i].members);
		strv_free(&inv->arrays[i].member_states);
	}
	free(inv->arrays);
	strv_free(&inv->target.kernels);
	free(inv->root);
	memset(inv, 0, sizeof(*inv));
}

const struct disk_info *inventory_disk(const struct inventory *inv, const char *name)
{
	for (size_t i = 0; i < inv->n_disks; i++)
		if (!strcmp(inv->disks[i].name, name))
			return &inv->disks[i];
	return NULL;
}

/* Whether the space-separated @states hold @word. */
static bool has_word(const char *states, const char *word)
{
	size_t l = strlen(word);

	for (const char *c = states; (c = strstr(c, word)); c += l)
		if ((c == states || c[-1] == ',' || c[-1] == ' ') &&
		    (c[l] == '\0' || c[l] == ',' || c[l] == ' '))
			return true;
	return false;
}

bool md_member_in_sync(const struct md_array *a, size_t member)
{
	return member < a->member_states.n && has_word(a->member_states.v[member], "in_sync") &&
	       !has_word(a->member_states.v[member], "faulty");
}

bool md_member_faulty(const struct md_array *a, size_t member)
{
	return member < a->member_states.n && has_word(a->member_states.v[member], "faulty");
}

const struct md_array *inventory_array(const struct inventory *inv, const char *name)
{
	for (size_t i = 0; i < inv->n_arrays; i++)
		if (!strcmp(inv->arrays[i].name, name))
			return &inv->arrays[i];
	return NULL;
}

char *discover_resolve_disk(const char *root, const char *name)
{
	char *devpath = xasprintf("/dev/%s", name);
	char out[64], sys[64];
	char *sysdir;
	bool exists;

	if (!device_name(root, devpath, out, sizeof(out))) {
		free(devpath);
		return NULL;
	}
	free(devpath);
	dev_to_sysfs_name(out, sys, sizeof(sys));
	sysdir = rpath(root, "sys/block/%s", sys);
	exists = access(sysdir, F_OK) == 0;
	free(sysdir);
	return exists ? xstrdup(out) : NULL;
}

void signatures_describe(const struct blk_signature *sigs, size_t n, struct buf *out)
{
	size_t shown = 0;

	for (size_t i = 0; i < n; i++) {
		bool again = sigs[i].secondary;
		for (size_t j = 0; j < i && !again; j++)
			again = !strcmp(sigs[j].type, sigs[i].type) &&
				!strcmp(sigs[j].uuid, sigs[i].uuid);
		if (again)
			continue;
		buf_printf(out, "%s%s", shown++ ? ", " : "", sigs[i].type);
		if (sigs[i].label[0])
			buf_printf(out, " '%s'", sigs[i].label);
		if (!strcmp(sigs[i].type, "linux_raid_member") && sigs[i].version[0])
			buf_printf(out, " (md %s)", sigs[i].version);
	}
}
