// SPDX-License-Identifier: GPL-2.0-only
#include "ops.h"

#include <blkid/blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <linux/major.h>
#include <linux/raid/md_u.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "bootcheck.h"
#include "configedit.h"
#include "copy.h"
#include "discover.h"
#include "fsclone.h"
#include "log.h"
#include "mirror.h"
#include "observer.h"
#include "run.h"

/* How long the kernel gets to show a new partition table, and when it is asked again. */
#define PARTITION_WAIT_POLLS 100
#define PARTITION_POLL_MS    200
#define PARTITION_REREAD_AT  10

/* A recovery that has not moved for this long has stalled (a frozen sync_action). */
#define SYNC_STALL_SECONDS 600
/* Polls (one a second) an idle, degraded array gets to start recovering. */
#define SYNC_IDLE_POLLS 50

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static uint32_t dev_major(uint64_t n)
{
	return (uint32_t)(n >> 32);
}

static uint32_t dev_minor(uint64_t n)
{
	return (uint32_t)n;
}

/* --- reading the system ----------------------------------------------------- */

/* True when something is mounted exactly at @dir, per /proc/self/mounts. */
static bool is_mountpoint(const char *dir)
{
	struct buf b = BUF_INIT;
	bool found = false;
	char *save = NULL;

	if (read_file("/proc/self/mounts", 1 << 20, &b) < 0)
		return false;
	for (char *l = strtok_r(b.data, "\n", &save); l && !found;
	     l = strtok_r(NULL, "\n", &save)) {
		char dev[4096], mnt[4096];
		if (sscanf(l, "%4095s %4095s", dev, mnt) == 2 && !strcmp(mnt, dir))
			found = true;
	}
	buf_free(&b);
	return found;
}

/* The name sysfs gives a block device: cciss/c0d0 is cciss!c0d0. */
static void sysfs_name(const char *name, char *out, size_t outlen)
{
	str_copy(out, outlen, name);
	for (char *c = out; *c; c++)
		if (*c == '/')
			*c = '!';
}

static char *md_sysfs(const char *md, const char *file)
{
	char name[96];

	sysfs_name(md, name, sizeof(name));
	return xasprintf("/sys/block/%s/md/%s", name, file);
}

/* The array's size in 512-byte sectors, 0 when it cannot be read. */
static unsigned long long md_sectors(const char *md)
{
	char name[96], line[32];
	unsigned long long n = 0;

	sysfs_name(md, name, sizeof(name));
	char *path = xasprintf("/sys/block/%s/size", name);
	read_line_file(path, line, sizeof(line));
	free(path);
	if (sscanf(line, "%llu", &n) != 1)
		return 0;
	return n;
}

static bool array_running(const char *md)
{
	char *p = md_sysfs(md, "array_state");
	char state[32];

	read_line_file(p, state, sizeof(state));
	free(p);
	return state[0] && strcmp(state, "inactive") && strcmp(state, "clear");
}

static bool array_has_member(const char *md, const char *member)
{
	char a[96], m[96];

	sysfs_name(md, a, sizeof(a));
	sysfs_name(member, m, sizeof(m));
	char *p = xasprintf("/sys/block/%s/slaves/%s", a, m);
	bool yes = access(p, F_OK) == 0;
	free(p);
	return yes;
}

bool action_condition_holds(const struct plan_action *a)
{
	switch (a->cond) {
	case COND_ALWAYS:
		return true;
	case COND_ARRAY_STOPPED:
		return !array_running(a->cond_array);
	case COND_NOT_MEMBER:
		if (array_has_member(a->cond_array, a->cond_member)) {
			log_info("%s is already in %s", a->cond_member, a->cond_array);
			return false;
		}
		return true;
	case COND_MEMBER:
		if (!array_has_member(a->cond_array, a->cond_member)) {
			log_info("%s is no longer in %s", a->cond_member, a->cond_array);
			return false;
		}
		return true;
	}
	return true;
}

static int write_sys(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		r = -errno;
	close(fd);
	return r;
}

/* --- describing ----------------------------------------------------------------- */

/* "a, b and c" */
static void put_list(struct buf *o, const struct strv *v, const char *prefix)
{
	for (size_t i = 0; i < v->n; i++)
		buf_printf(o, "%s%s%s",
			   i == 0	   ? ""
			   : i + 1 == v->n ? " and "
					   : ", ",
			   prefix, v->v[i]);
}

static void describe_run(const struct plan_action *a, struct buf *o)
{
	if (a->chroot) {
		buf_puts(o, "chroot ");
		shell_quote(o, a->chroot);
		buf_putc(o, ' ');
	}
	shell_quote_argv(o, (const char *const *)strv_argv(&a->argv));
}

static void describe_make_dirs(const struct plan_action *a, struct buf *o)
{
	buf_puts(o, "create ");
	put_list(o, &a->paths, "");
	buf_puts(o, " unless they exist");
}

static void describe_bind_system(const struct plan_action *a, struct buf *o)
{
	buf_puts(o, "bind-mount ");
	put_list(o, &a->paths, "/");
	buf_printf(o, " into %s", a->path);
}

static void describe_unbind_system(const struct plan_action *a, struct buf *o)
{
	buf_puts(o, "undo the bind mounts of ");
	put_list(o, &a->paths, "/");
	buf_printf(o, " in %s", a->path);
}

static void describe_write_sysfs(const struct plan_action *a, struct buf *o)
{
	buf_printf(o, "write %s to %s", a->value, a->path);
}

static void describe_make_nodes(const struct plan_action *a, struct buf *o)
{
	buf_puts(o, "create ");
	for (size_t i = 0; i < a->paths.n && i < a->n_numbers; i++)
		buf_printf(o, "%s%s (block %u:%u)",
			   i == 0		 ? ""
			   : i + 1 == a->paths.n ? " and "
						 : ", ",
			   a->paths.v[i], dev_major(a->numbers[i]), dev_minor(a->numbers[i]));
	buf_puts(o, " if missing");
}

static void describe_journal_create(const struct plan_action *a, struct buf *o)
{
	buf_printf(o, "start the journal on %s at byte %" PRIu64, a->device, a->numbers[0]);
}

static void describe_pmbr_active(const struct plan_action *a, struct buf *o)
{
	buf_printf(o, "mark the protective MBR entry of %s active", a->device);
}

static void describe_wait_partitions(const struct plan_action *a, struct buf *o)
{
	buf_printf(o, "wait until the kernel shows the new partitions of %s: ", a->device);
	for (size_t i = 0; i < a->paths.n && i < a->n_numbers; i++)
		buf_printf(o, "%s%s at byte %" PRIu64, i ? ", " : "", a->paths.v[i], a->numbers[i]);
}

static void describe_wipe_signatures(const struct plan_action *a, struct buf *o)
{
	if (!strcmp(a->value, "raid"))
		buf_printf(o, "erase stale RAID superblocks in %s", a->device);
	else
		buf_printf(o, "erase every signature libblkid finds in %s (as wipefs --all does)",
			   a->device);
}

static void describe_erase_signatures(const struct plan_action *a, struct buf *o)
{
	size_t n = a->sigs ? a->sigs->n : 0;

	buf_printf(o, "erase the %zu old signature%s on %s: ", n, n == 1 ? "" : "s", a->device);
	for (size_t i = 0; i < n; i++) {
		buf_puts(o, i ? ", " : "");
		old_signature_describe(&a->sigs->sig[i], o);
	}
}

static void describe_mount(const struct plan_action *a, struct buf *o)
{
	buf_printf(o, "mount %s (%s%s) on %s unless it is mounted", a->device, a->fstype,
		   a->read_only ? ", read-only" : "", a->path);
}

static void describe_bind_mount(const struct plan_action *a, struct buf *o)
{
	buf_printf(o, "bind-mount %s on %s without what is mounted below it, unless it is",
		   a->source, a->path);
}

static void describe_umount(const struct plan_action *a, struct buf *o)
{
	buf_printf(o, "unmount %s if it is mounted", a->path);
}

static void describe_copy_tree(const struct plan_action *a, struct buf *o)
{
	buf_printf(o,
		   "copy %s to %s: owners, modes, times, hard links, xattrs, sparse files, "
		   "device nodes",
		   a->source, a->path);
}

static void describe_verify_tree(const struct plan_action *a, struct buf *o)
{
	buf_printf(o,
		   "read %s and %s back and compare every name, type, owner, mode, time, xattr, "
		   "link and byte",
		   a->source, a->path);
	if (a->paths.n) {
		buf_puts(o, " but of ");
		put_list(o, &a->paths, "");
	}
}

static void describe_clone_fs(const struct plan_action *a, struct buf *o)
{
	char h[32];

	format_size(h, sizeof(h), a->numbers[0]);
	buf_printf(o,
		   "copy the blocks the filesystem on %s uses (%s filesystem, as its block bitmaps "
		   "say) to the same offsets of %s, then read them back from %s and compare",
		   a->source, h, a->device, a->device);
}

static void describe_check_fs_uuid(const struct plan_action *a, struct buf *o)
{
	buf_printf(o, "check that %s still holds the filesystem with UUID %s", a->device, a->value);
}

static void describe_update_tree(const struct plan_action *a, struct buf *o)
{
	buf_printf(o, "bring %s up to date with %s, leaving ", a->path, a->source);
	put_list(o, &a->paths, "");
	buf_puts(o, " as they are");
}

static void describe_check_disk(const struct plan_action *a, struct buf *o)
{
	buf_printf(o, "check that %s is still the disk recorded (%s, GPT %s)", a->device, a->value,
		   a->guid);
}

static void describe_check_array(const struct plan_action *a, struct buf *o)
{
	buf_printf(o, "check that %s runs as %s from ", a->device, a->value);
	put_list(o, &a->paths, "");
	buf_puts(o, " and nothing else");
}

static void describe_edit_file(const struct plan_action *a, struct buf *o)
{
	const struct file_edit *e = &a->edit;

	switch (e->kind) {
	case EDIT_FSTAB_ROOT:
		buf_printf(o, "%s: mount / from %s", a->path, e->values.v[0]);
		return;
	case EDIT_EXTLINUX_ROOT:
		buf_printf(o, "%s: root=%s in every entry, keeping the --- form", a->path,
			   e->values.v[0]);
		return;
	case EDIT_SHELL_VARS:
		buf_printf(o, "%s: ", a->path);
		for (size_t i = 0; i < e->keys.n; i++) {
			if (i == e->n_required)
				buf_puts(o, "; where present, ");
			else if (i)
				buf_puts(o, ", ");
			buf_printf(o, "%s=%s", e->keys.v[i], e->values.v[i]);
		}
		return;
	case EDIT_WRITE:
		buf_printf(o, "write %s (mode %04o): ", a->path, e->mode);
		/* The whole text, its line breaks shown as " | ". */
		for (const char *c = e->text; *c; c++) {
			if (*c != '\n')
				buf_putc(o, *c);
			else if (c[1])
				buf_puts(o, " | ");
		}
		return;
	}
}

static void describe_write_boot_code(const struct plan_action *a, struct buf *o)
{
	buf_printf(o, "write %s (440 bytes) to the boot code of %s", a->source, a->device);
}

static void describe_verify_boot(const struct plan_action *a, struct buf *o)
{
	const struct boot_expect *e = a->boot;

	buf_printf(o,
		   "check that %s boots alone: %s's boot code in its MBR, a valid GPT with "
		   "partition 1 at sectors %" PRIu64 "-%" PRIu64 " legacy-BIOS-bootable, "
		   "extlinux's boot sector in %s, boot/ldlinux.sys, every extlinux entry's files "
		   "and root=%s, fstab's / on %s, etc/mdadm.conf naming ",
		   e->disk, e->boot_code, e->part1_first, e->part1_last, e->part1, e->root_device,
		   e->root_device);
	put_list(o, &e->uuids, "");
	buf_printf(o, ", and initrds that assemble %s (metadata %s) for ", e->root_device,
		   md_metadata_name(e->root_metadata));
	put_list(o, &e->kernels, "");
	buf_printf(o, ", in %s", e->root_dir);
}

static void describe_wait_sync(const struct plan_action *a, struct buf *o)
{
	buf_printf(o, "wait for %s's recovery onto %s", a->device, a->value);
}

static void describe_copy_file(const struct plan_action *a, struct buf *o)
{
	buf_printf(o, "copy %s to %s", a->source, a->path);
	if (a->mode)
		buf_printf(o, " (mode %04o)", a->mode);
}

static void describe_start_array(const struct plan_action *a, struct buf *o)
{
	buf_printf(o, "start %s (metadata %s) from ", a->device, a->value);
	put_list(o, &a->paths, "");
	buf_puts(o, " through /sys/block/");
	buf_puts(o, a->device + strlen("/dev/"));
	buf_puts(o, "/md, as mdadm --assemble does");
	if (a->paths.n > 1)
		buf_puts(o, "; members after the first only once they have joined");
}

void action_describe(const struct plan_action *a, struct buf *o)
{
	OPS[a->op].describe(a, o);
	if (a->note)
		buf_printf(o, " (%s)", a->note);
	if (a->cond == COND_ARRAY_STOPPED)
		buf_printf(o, "  (only if %s is not running)", a->cond_array);
	else if (a->cond == COND_NOT_MEMBER)
		buf_printf(o, "  (unless %s is already in %s)", a->cond_member, a->cond_array);
	else if (a->cond == COND_MEMBER)
		buf_printf(o, "  (while %s is still in %s)", a->cond_member, a->cond_array);
}

/* --- running ------------------------------------------------------------------- */

static int run_command_action(const struct plan_action *a, struct op_context *ctx)
{
	struct run_cmd cmd = RUN_CMD_INIT;
	int r;

	(void)ctx;
	if (a->chroot) {
		char *tool = path_join(a->chroot, a->argv.v[0]);
		bool there = access(tool, X_OK) == 0;
		free(tool);
		if (!there)
			return log_error(-ENOENT,
					 "cannot run '%s' inside '%s': it is not there (is the "
					 "installed system mounted?)",
					 a->argv.v[0], a->chroot);
	}
	cmd.argv = (const char *const *)strv_argv(&a->argv);
	cmd.root = a->chroot;
	cmd.timeout_sec = a->timeout_sec;
	r = run_command(&cmd);
	if (r < 0)
		return r;
	if (r != 0) {
		struct buf line = BUF_INIT;
		describe_run(a, &line);
		log_error(-EIO, "'%s' failed with exit status %d", line.data, r);
		buf_free(&line);
		return -EIO;
	}
	return 0;
}

static int op_make_dirs(const struct plan_action *a, struct op_context *ctx)
{
	(void)ctx;
	strv_foreach(d, &a->paths) {
		int r = mkdir_p(*d, 0700);
		if (r < 0)
			return log_errno(r, "cannot create '%s'", *d);
	}
	return 0;
}

static int op_bind_system(const struct plan_action *a, struct op_context *ctx)
{
	(void)ctx;
	strv_foreach(sys, &a->paths) {
		char *src = xasprintf("/%s", *sys);
		char *dst = path_join(a->path, *sys);
		int r = 0;
		if (!is_mountpoint(dst)) {
			if (mkdir(dst, 0755) < 0 && errno != EEXIST)
				r = -errno;
			if (r == 0 && mount(src, dst, NULL, MS_BIND, NULL) < 0)
				r = -errno;
		}
		if (r < 0)
			log_errno(r, "cannot bind-mount '%s' on '%s'", src, dst);
		free(src);
		free(dst);
		if (r < 0)
			return r;
	}
	return 0;
}

static int op_unbind_system(const struct plan_action *a, struct op_context *ctx)
{
	int ret = 0;

	(void)ctx;
	for (size_t i = a->paths.n; i-- > 0;) {
		char *dst = path_join(a->path, a->paths.v[i]);
		if (is_mountpoint(dst) && umount(dst) < 0 && umount2(dst, MNT_DETACH) < 0)
			ret = log_errno(-errno, "cannot unmount '%s'", dst);
		free(dst);
	}
	return ret;
}

static int op_write_sysfs(const struct plan_action *a, struct op_context *ctx)
{
	int r = write_sys(a->path, a->value);

	(void)ctx;
	if (r < 0)
		return log_errno(r, "cannot write %s to '%s'", a->value, a->path);
	return 0;
}

static int make_node(const char *path, uint64_t number)
{
	struct stat st;
	dev_t want = makedev(dev_major(number), dev_minor(number));

	if (stat(path, &st) == 0 && S_ISBLK(st.st_mode) && st.st_rdev == want)
		return 0;
	unlink(path);
	if (mknod(path, S_IFBLK | 0660, want) < 0 && errno != EEXIST)
		return log_errno(-errno, "cannot create '%s'", path);
	return 0;
}

static int op_make_nodes(const struct plan_action *a, struct op_context *ctx)
{
	(void)ctx;
	for (size_t i = 0; i < a->paths.n && i < a->n_numbers; i++) {
		int r = make_node(a->paths.v[i], a->numbers[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int op_journal_create(const struct plan_action *a, struct op_context *ctx)
{
	return ctx->start_journal(ctx, a->device, a->numbers[0]);
}

static int op_pmbr_active(const struct plan_action *a, struct op_context *ctx)
{
	uint8_t mbr[512];
	int fd, r = 0;

	(void)ctx;
	fd = open(a->device, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return log_errno(-errno, "cannot open '%s'", a->device);
	if (pread_exact(fd, mbr, sizeof(mbr), 0) < 0) {
		r = log_errno(-EIO, "cannot read the MBR of '%s'", a->device);
	} else if (mbr[510] != 0x55 || mbr[511] != 0xaa || mbr[446 + 4] != 0xee) {
		r = log_error(-EINVAL, "'%s' has no protective MBR to mark active", a->device);
	} else if (mbr[446] != 0x80) {
		/* XenServer 6.0 marks it (CA-54144): some BIOSes only boot an "active" disk. */
		mbr[446] = 0x80;
		if (pwrite_all(fd, mbr, sizeof(mbr), 0) < 0 || fsync(fd) < 0)
			r = log_errno(-EIO, "cannot write the MBR of '%s'", a->device);
	}
	close(fd);
	return r;
}

/* Makes @dev (/dev/NAME) from the kernel's dev numbers when nothing else (udev, devtmpfs) did. */
static int ensure_node(const char *dev, const char *sysdir)
{
	char *devfile = path_join(sysdir, "dev");
	char numbers[32];
	unsigned maj, min;
	struct stat st;
	int r = 0;

	if (stat(dev, &st) == 0 && S_ISBLK(st.st_mode))
		goto out;
	read_line_file(devfile, numbers, sizeof(numbers));
	if (sscanf(numbers, "%u:%u", &maj, &min) != 2) {
		r = -ENOENT;
		goto out;
	}
	unlink(dev);
	if (mknod(dev, S_IFBLK | 0660, makedev(maj, min)) < 0)
		r = -errno;
out:
	free(devfile);
	return r;
}

static void reread_partitions(const char *disk)
{
	int fd = open(disk, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ioctl(fd, BLKRRPART);
		close(fd);
	}
}

/* Partition @part of @disk shows at the byte @start, with a device node. */
static bool partition_shown(const char *disk, const char *part, uint64_t start)
{
	char d[96], p[96], value[32];
	uint64_t got;

	sysfs_name(disk + strlen("/dev/"), d, sizeof(d));
	sysfs_name(part + strlen("/dev/"), p, sizeof(p));
	char *sysdir = xasprintf("/sys/block/%s/%s", d, p);
	char *startfile = path_join(sysdir, "start");
	read_line_file(startfile, value, sizeof(value));
	/* sysfs counts 512-byte units whatever the logical sector size. */
	bool ok =
		parse_u64(value, &got) == 0 && got * 512 == start && ensure_node(part, sysdir) == 0;
	free(startfile);
	free(sysdir);
	return ok;
}

static int op_wait_partitions(const struct plan_action *a, struct op_context *ctx)
{
	(void)ctx;
	for (int attempt = 0; attempt < PARTITION_WAIT_POLLS; attempt++) {
		bool all = true;
		for (size_t i = 0; i < a->paths.n && all; i++)
			all = partition_shown(a->device, a->paths.v[i], a->numbers[i]);
		if (all)
			return 0;
		/* The kernel may not have seen the new table yet: ask it again now and then. */
		if (attempt % 20 == PARTITION_REREAD_AT)
			reread_partitions(a->device);
		sleep_ms(PARTITION_POLL_MS);
	}
	return log_error(-ETIMEDOUT,
			 "the kernel does not show the new partitions of '%s' (is a partition "
			 "still in use?)",
			 a->device);
}

static int op_wipe_signatures(const struct plan_action *a, struct op_context *ctx)
{
	bool only_raid = !strcmp(a->value, "raid");
	blkid_probe pr = NULL;
	int fd, r = 0, wiped = 0;

	(void)ctx;
	fd = open(a->device, O_RDWR | O_EXCL | O_CLOEXEC);
	if (fd < 0)
		return log_errno(-errno, "cannot open '%s' to erase old signatures", a->device);
	pr = blkid_new_probe();
	if (!pr || blkid_probe_set_device(pr, fd, 0, 0) < 0) {
		r = log_error(-ENOMEM, "cannot probe '%s'", a->device);
		goto out;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE |
						      BLKID_SUBLKS_MAGIC | BLKID_SUBLKS_BADCSUM);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
	while (blkid_do_probe(pr) == 0) {
		const char *type = "", *usage = "", *off = "";
		if (blkid_probe_lookup_value(pr, "TYPE", &type, NULL) < 0)
			blkid_probe_lookup_value(pr, "PTTYPE", &type, NULL);
		blkid_probe_lookup_value(pr, "USAGE", &usage, NULL);
		if (blkid_probe_lookup_value(pr, "SBMAGIC_OFFSET", &off, NULL) < 0)
			blkid_probe_lookup_value(pr, "PTMAGIC_OFFSET", &off, NULL);
		if (only_raid && strcmp(usage, "raid"))
			continue;
		log_info("erasing the %s signature at offset %s of %s", type, off, a->device);
		if (blkid_do_wipe(pr, 0) < 0) {
			r = log_errno(errno ? -errno : -EIO,
				      "cannot erase the %s signature on '%s'", type, a->device);
			goto out;
		}
		wiped++;
		/* Probe the same place again: there may be more than one signature type there. */
		blkid_probe_step_back(pr);
	}
	if (wiped && fsync(fd) < 0)
		r = log_errno(-errno, "cannot flush '%s'", a->device);
out:
	if (pr)
		blkid_free_probe(pr);
	close(fd);
	return r;
}

/*
 * Zeroes each signature's bytes where they still are.  Bytes that are zero
 * already were erased by an earlier attempt; other bytes are something new
 * (this plan's journal or table, on a rerun) and stay.
 */
static int op_erase_signatures(const struct plan_action *a, struct op_context *ctx)
{
	static const uint8_t zeros[OLD_SIG_MAGIC_MAX];
	int fd, r = 0, erased = 0;

	(void)ctx;
	fd = open(a->device, O_RDWR | O_EXCL | O_CLOEXEC);
	if (fd < 0)
		return log_errno(-errno, "cannot open '%s' to erase old signatures", a->device);
	for (size_t i = 0; a->sigs && i < a->sigs->n && r == 0; i++) {
		const struct old_signature *s = &a->sigs->sig[i];
		uint8_t now[OLD_SIG_MAGIC_MAX];
		r = pread_exact(fd, now, s->magic_len, s->offset);
		if (r < 0) {
			log_errno(r, "cannot read byte %" PRIu64 " of '%s'", s->offset, a->device);
		} else if (!memcmp(now, s->magic, s->magic_len)) {
			r = pwrite_all(fd, zeros, s->magic_len, s->offset);
			if (r < 0)
				log_errno(r, "cannot erase the %s", s->what);
			else
				log_info("erased the %s at byte %" PRIu64, s->what, s->offset);
			erased += r == 0;
		} else if (!memcmp(now, zeros, s->magic_len)) {
			log_info("the %s at byte %" PRIu64 " is erased already", s->what,
				 s->offset);
		} else {
			log_info("the %s at byte %" PRIu64
				 " is no longer there; what is there stays",
				 s->what, s->offset);
		}
	}
	if (r == 0 && erased && fsync(fd) < 0)
		r = log_errno(-errno, "cannot flush '%s'", a->device);
	close(fd);
	return r;
}

static int op_mount(const struct plan_action *a, struct op_context *ctx)
{
	(void)ctx;
	if (is_mountpoint(a->path))
		return 0;
	/*
	 * The copy keeps xattrs and ACLs; old ext3 drivers only store them when
	 * asked to.  A kernel that knows no such options gets a plain mount.
	 */
	if (!a->read_only && mount(a->device, a->path, a->fstype, 0, "user_xattr,acl") == 0)
		return 0;
	/* Read-only means read-only: no journal replay writing to the device either. */
	if (a->read_only && mount(a->device, a->path, a->fstype, MS_RDONLY, "noload") == 0)
		return 0;
	if (mount(a->device, a->path, a->fstype, a->read_only ? MS_RDONLY : 0, NULL) < 0)
		return log_errno(-errno, "cannot mount '%s' (%s) on '%s'", a->device, a->fstype,
				 a->path);
	return 0;
}

/* A non-recursive bind mount shows a filesystem without whatever is mounted inside it. */
static int op_bind_mount(const struct plan_action *a, struct op_context *ctx)
{
	int r = mkdir_p(a->path, 0700);

	(void)ctx;
	if (r < 0)
		return log_errno(r, "cannot create '%s'", a->path);
	if (is_mountpoint(a->path))
		return 0;
	if (mount(a->source, a->path, NULL, MS_BIND, NULL) < 0)
		return log_errno(-errno, "cannot bind-mount '%s' on '%s'", a->source, a->path);
	return 0;
}

static int umount_dir(const char *dir)
{
	if (!is_mountpoint(dir))
		return 0;
	sync();
	for (int attempt = 0; attempt < 20; attempt++) {
		if (umount(dir) == 0)
			return 0;
		if (errno != EBUSY)
			break;
		sleep_ms(250);
	}
	return log_errno(-errno, "cannot unmount '%s'", dir);
}

static int op_umount(const struct plan_action *a, struct op_context *ctx)
{
	(void)ctx;
	return umount_dir(a->path);
}

static void copy_progress(uint64_t done, uint64_t total, void *what)
{
	log_progress(what, done, total);
}

static int copy_or_verify(const struct plan_action *a, bool verify)
{
	struct copy_options o = {
		.exclude = (const char *const *)strv_argv(&a->paths),
		.progress = copy_progress,
		.userdata = (void *)(verify ? "verifying the copy" : "copying the root filesystem"),
	};
	struct copy_stats st = {0};
	int r;

	r = verify ? copy_verify(a->source, a->path, &o, &st)
		   : copy_tree(a->source, a->path, &o, &st);
	if (r < 0)
		return r;
	log_notice("%s %" PRIu64 " files (%" PRIu64 " MiB), %" PRIu64 " directories, %" PRIu64
		   " symlinks, %" PRIu64 " hard links, %" PRIu64 " special files, %" PRIu64
		   " xattrs",
		   verify ? "verified" : "copied", st.files, st.bytes >> 20, st.dirs, st.symlinks,
		   st.hardlinks, st.specials, st.xattrs);
	return 0;
}

static int op_copy_tree(const struct plan_action *a, struct op_context *ctx)
{
	(void)ctx;
	return copy_or_verify(a, false);
}

static int op_verify_tree(const struct plan_action *a, struct op_context *ctx)
{
	(void)ctx;
	return copy_or_verify(a, true);
}

static int op_clone_fs(const struct plan_action *a, struct op_context *ctx)
{
	struct fsclone_stats st = {0};
	struct buf err = BUF_INIT;
	int r;

	(void)ctx;
	r = fsclone_copy(a->source, a->device, copy_progress,
			 (void *)"copying the root filesystem's blocks", &st, &err);
	if (r < 0)
		log_error(r, "%s; the first disk is left as it is", err.data);
	else
		log_notice("copied %" PRIu64 " MiB in %" PRIu64 " runs from %s to %s; read back "
			   "%" PRIu64 " MiB, the same",
			   st.bytes_copied >> 20, st.runs, a->source, a->device,
			   st.bytes_verified >> 20);
	buf_free(&err);
	return r;
}

static int op_check_fs_uuid(const struct plan_action *a, struct op_context *ctx)
{
	blkid_probe pr = blkid_new_probe_from_filename(a->device);
	const char *uuid = NULL;
	int r = 0;

	(void)ctx;
	if (!pr)
		return log_errno(errno ? -errno : -EIO, "cannot probe '%s'", a->device);
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_UUID | BLKID_SUBLKS_TYPE);
	if (blkid_do_safeprobe(pr) != 0 || blkid_probe_lookup_value(pr, "UUID", &uuid, NULL) < 0)
		uuid = NULL;
	if (!uuid || strcmp(uuid, a->value))
		r = log_error(
			-ESTALE,
			"'%s' no longer holds the filesystem with UUID %s (now %s); the first "
			"disk is left as it is",
			a->device, a->value, uuid ? uuid : "none");
	blkid_free_probe(pr);
	return r;
}

static int op_update_tree(const struct plan_action *a, struct op_context *ctx)
{
	struct copy_options o = {.exclude = (const char *const *)strv_argv(&a->paths)};

	(void)ctx;
	return copy_update_tree(a->source, a->path, &o);
}

/* The disk named by the action is the one the plan was made for, by identity and GPT. */
static int op_check_disk(const struct plan_action *a, struct op_context *ctx)
{
	const char *name = a->device + strlen("/dev/");
	struct inventory inv = {0};
	char id[256], g[37] = "none";
	int r;

	(void)ctx;
	r = discover("/", NULL, &inv);
	if (r < 0)
		return r;
	const struct disk_info *d = inventory_disk(&inv, name);
	if (d) {
		mirror_disk_identity(d, id, sizeof(id));
		if (d->gpt_status == 0)
			gpt_guid_format(&d->gpt.disk_guid, g);
	}
	if (!d)
		r = log_error(-ENODEV, "%s is gone; nothing more is done to the disks", a->device);
	else if (strcmp(id, a->value) || strcasecmp(g, a->guid))
		r = log_error(-ESTALE,
			      "%s is not the disk recorded (%s, GPT %s) but %s, GPT %s: renamed or "
			      "replaced; nothing more is done to the disks",
			      a->device, a->value, a->guid, id, g);
	inventory_free(&inv);
	return r;
}

/* The array is a running raid1 whose members all are among the action's. */
static int op_check_array(const struct plan_action *a, struct op_context *ctx)
{
	const char *md = a->device + strlen("/dev/");
	char *p = md_sysfs(md, "level"), level[32], name[96];
	struct strv members = STRV_INIT;
	DIR *dh;
	int r = 0;

	(void)ctx;
	read_line_file(p, level, sizeof(level));
	free(p);
	sysfs_name(md, name, sizeof(name));
	p = xasprintf("/sys/block/%s/slaves", name);
	dh = opendir(p);
	for (struct dirent *e; dh && (e = readdir(dh));)
		if (e->d_name[0] != '.')
			strv_pushf(&members, "/dev/%s", e->d_name);
	if (dh)
		closedir(dh);
	free(p);
	if (strcmp(level, a->value))
		r = log_error(-EBUSY, "%s runs as '%s', not as the %s xsraid made: another array",
			      a->device, level[0] ? level : "nothing", a->value);
	strv_foreach(m, &members) {
		bool ours = false;
		char dev[96];
		/* sysfs names cciss/c0d0p1 cciss!c0d0p1 */
		str_copy(dev, sizeof(dev), *m);
		for (char *c = dev; *c; c++)
			*c = *c == '!' ? '/' : *c;
		strv_foreach(want, &a->paths)
			ours = ours || !strcmp(dev, *want);
		if (!ours && r == 0)
			r = log_error(
				-EBUSY,
				"%s has the member %s, which xsraid did not put there: another "
				"array; stop it or name other disks",
				a->device, dev);
	}
	strv_free(&members);
	return r;
}

/* The new text of a file under @e, from its current @text. */
static int edit_text(const struct file_edit *e, const char *text, char **ret, struct buf *err)
{
	unsigned entries = 0;
	int r;

	switch (e->kind) {
	case EDIT_FSTAB_ROOT:
		return config_fstab_set_root(text, e->values.v[0], ret, err);
	case EDIT_EXTLINUX_ROOT:
		r = config_extlinux_set_root(text, e->values.v[0], ret, &entries, err);
		if (r == 0)
			log_info("extlinux.conf: %u entries boot with root=%s", entries,
				 e->values.v[0]);
		return r;
	case EDIT_SHELL_VARS: {
		struct strv keys = STRV_INIT, values = STRV_INIT;
		for (size_t i = 0; i < e->keys.n; i++) {
			char *old =
				i < e->n_required ? NULL : config_shell_var_get(text, e->keys.v[i]);
			if (i < e->n_required || old) {
				strv_push(&keys, e->keys.v[i]);
				strv_push(&values, e->values.v[i]);
			}
			free(old);
		}
		r = config_shell_vars_set(text, (const char *const *)keys.v,
					  (const char *const *)values.v, keys.n, ret, err);
		strv_free(&keys);
		strv_free(&values);
		return r;
	}
	case EDIT_WRITE:
		*ret = xstrdup(e->text);
		return 0;
	}
	return -EINVAL;
}

/* Reads the file, applies the edit, writes it back atomically keeping its mode. */
static int op_edit_file(const struct plan_action *a, struct op_context *ctx)
{
	const struct file_edit *e = &a->edit;
	struct buf text = BUF_INIT, err = BUF_INIT;
	unsigned mode = e->mode;
	char *out = NULL;
	struct stat st;
	int r = 0;

	(void)ctx;
	if (e->kind != EDIT_WRITE) {
		r = read_file(a->path, 4 << 20, &text);
		if (r < 0) {
			log_errno(r, "cannot read '%s'", a->path);
			goto out;
		}
		if (stat(a->path, &st) < 0) {
			r = log_errno(-errno, "cannot stat '%s'", a->path);
			goto out;
		}
		mode = st.st_mode & 07777;
	} else if (read_file(a->path, 4 << 20, &text) < 0) {
		buf_reset(&text);
	}
	r = edit_text(e, text.data ? text.data : "", &out, &err);
	if (r < 0) {
		log_error(r, "cannot update '%s': %s", a->path, err.data);
		goto out;
	}
	if (text.data && !strcmp(out, text.data)) {
		log_info("'%s' already says so", a->path);
		goto out;
	}
	r = write_file_atomic(a->path, out, strlen(out), mode);
	if (r < 0)
		log_errno(r, "cannot write '%s'", a->path);
	else
		log_info("updated '%s'", a->path);
out:
	free(out);
	buf_free(&text);
	buf_free(&err);
	return r;
}

static int op_write_boot_code(const struct plan_action *a, struct op_context *ctx)
{
	uint8_t back[440];
	struct buf code = BUF_INIT;
	int fd, r;

	(void)ctx;
	r = read_file(a->source, 1 << 20, &code);
	if (r == 0 && code.len != sizeof(back))
		r = -EINVAL;
	if (r < 0) {
		log_errno(r, "cannot read '%s' (the 440-byte gptmbr.bin)", a->source);
		goto out;
	}
	fd = open(a->device, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = log_errno(-errno, "cannot open '%s'", a->device);
		goto out;
	}
	/* Only the boot code: the disk signature and partition entries after byte 440 stay. */
	if (pwrite_all(fd, code.data, code.len, 0) < 0 || fsync(fd) < 0)
		r = log_errno(-EIO, "cannot write the boot code of '%s'", a->device);
	else if (pread_exact(fd, back, sizeof(back), 0) < 0 ||
		 memcmp(code.data, back, sizeof(back)))
		r = log_error(-EIO, "the boot code of '%s' does not read back as written",
			      a->device);
	close(fd);
out:
	buf_free(&code);
	return r;
}

static int op_verify_boot(const struct plan_action *a, struct op_context *ctx)
{
	(void)ctx;
	return bootcheck_disk(a->boot);
}

/*
 * Waits until the array is idle and not degraded, showing progress.  A
 * recovery that stops moving (sync_action "frozen", a member that fails)
 * is a failure after SYNC_STALL_SECONDS, which leaves the step to be resumed.
 */
static int op_wait_sync(const struct plan_action *a, struct op_context *ctx)
{
	const char *md = a->device + strlen("/dev/");
	char *action_path = md_sysfs(md, "sync_action");
	char *done_path = md_sysfs(md, "sync_completed");
	char *degraded_path = md_sysfs(md, "degraded");
	char what[64];
	int r = 0, idle_polls = 0;
	unsigned long long last_done = 0, last_total = 0;
	time_t last_move = time(NULL);

	(void)ctx;
	xsnprintf(what, sizeof(what), "%s recovery", md);
	for (;;) {
		char action[32], completed[64], degraded[16];
		unsigned long long done, total;
		read_line_file(action_path, action, sizeof(action));
		read_line_file(done_path, completed, sizeof(completed));
		read_line_file(degraded_path, degraded, sizeof(degraded));
		if (!action[0]) {
			r = log_error(-ENODEV, "'%s' is not running", a->device);
			break;
		}
		if (!strcmp(action, "idle") && !strcmp(degraded, "0")) {
			/* A recovery done before the first look is whole too: md's size is its
			 * total. */
			if (!last_total)
				last_total = md_sectors(md);
			if (last_total) {
				log_progress(what, last_total * 512, last_total * 512);
				observe_progress(md, last_total * 512, last_total * 512);
			}
			log_notice("%s is in sync", md);
			break;
		}
		if (!strcmp(action, "idle") && ++idle_polls > SYNC_IDLE_POLLS) {
			/* Recovery should have started right after the member was added. */
			r = log_error(-EIO, "'%s' is degraded and not recovering", a->device);
			break;
		}
		if (sscanf(completed, "%llu / %llu", &done, &total) == 2 && total) {
			log_progress(what, done * 512, total * 512);
			observe_progress(md, done * 512, total * 512);
			if (done != last_done)
				last_move = time(NULL);
			last_done = done;
			last_total = total;
		}
		if (time(NULL) - last_move > SYNC_STALL_SECONDS) {
			r = log_error(-ETIMEDOUT,
				      "%s's recovery has not moved for %d s (sync_action '%s', "
				      "degraded %s); resume once it runs",
				      md, SYNC_STALL_SECONDS, action, degraded);
			break;
		}
		sleep_ms(1000);
	}
	free(action_path);
	free(done_path);
	free(degraded_path);
	return r;
}

static int op_copy_file(const struct plan_action *a, struct op_context *ctx)
{
	char *dir = xstrdup(a->path);
	struct buf b = BUF_INIT;
	int r;

	(void)ctx;
	*strrchr(dir, '/') = '\0';
	r = mkdir_p(dir, 0755);
	if (r == 0)
		r = read_file(a->source, 16 << 20, &b);
	if (r == 0)
		r = write_file_atomic(a->path, b.data, b.len, a->mode ? a->mode : 0600);
	if (r < 0)
		log_errno(r, "cannot copy '%s' to '%s'", a->source, a->path);
	buf_free(&b);
	free(dir);
	return r;
}

/* "MAJ:MIN" of a block device node, as md's sysfs files take it. */
static int device_numbers(const char *dev, char *out, size_t outlen)
{
	struct stat st;

	if (stat(dev, &st) < 0)
		return -errno;
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	snprintf(out, outlen, "%u:%u", major(st.st_rdev), minor(st.st_rdev));
	return 0;
}

/*
 * Starts the array from its members through /sys/block/MD/md, the interface
 * mdadm itself uses: the metadata version, each member's device numbers
 * (the kernel reads and checks its superblock, and refuses one that does not
 * belong), then "active".  This needs no mdadm, which the installer may not
 * have and which is otherwise only found on md0 itself.  The first member is
 * the reference; the others may not have joined yet, which is fine.
 */
static int op_start_array(const struct plan_action *a, struct op_context *ctx)
{
	const char *md = a->device + strlen("/dev/");
	char *path = NULL, numbers[32];
	int fd = -1, r, members = 0;

	(void)ctx;
	r = make_node(a->device, a->numbers[0]);
	if (r < 0)
		return r;
	/* Opening the node creates the array in the kernel; it stays while we hold it. */
	fd = open(a->device, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return log_errno(-errno, "cannot open '%s'", a->device);
	path = md_sysfs(md, "metadata_version");
	r = write_sys(path, a->value);
	if (r < 0) {
		log_errno(r, "cannot set the metadata version of %s", md);
		goto out;
	}
	for (size_t i = 0; i < a->paths.n; i++) {
		const char *dev = a->paths.v[i];
		free(path);
		path = md_sysfs(md, "new_dev");
		r = device_numbers(dev, numbers, sizeof(numbers));
		if (r == 0)
			r = write_sys(path, numbers);
		if (r == 0) {
			members++;
			log_info("%s: %s is a member", md, dev);
		} else if (i == 0) {
			log_errno(r, "%s: the kernel does not take %s as a member", md, dev);
			goto out;
		} else {
			log_info("%s: %s is not a member (yet): %s", md, dev, strerror(-r));
			r = 0;
		}
	}
	free(path);
	path = md_sysfs(md, "array_state");
	r = write_sys(path, "active");
	if (r < 0) {
		log_errno(r, "cannot start %s from %d member%s", md, members,
			  members == 1 ? "" : "s");
		goto out;
	}
	log_notice("started %s from %d member%s", md, members, members == 1 ? "" : "s");
out:
	if (r < 0)
		ioctl(fd, STOP_ARRAY, NULL);
	close(fd);
	free(path);
	return r;
}

const struct op OPS[N_OPS] = {
	[OP_RUN] = {"run", run_command_action, describe_run},
	[OP_MAKE_DIRS] = {"make-dirs", op_make_dirs, describe_make_dirs},
	[OP_BIND_SYSTEM] = {"bind-system", op_bind_system, describe_bind_system},
	[OP_UNBIND_SYSTEM] = {"unbind-system", op_unbind_system, describe_unbind_system},
	[OP_WRITE_SYSFS] = {"write-sysfs", op_write_sysfs, describe_write_sysfs},
	[OP_MAKE_NODES] = {"make-nodes", op_make_nodes, describe_make_nodes},
	[OP_JOURNAL_CREATE] = {"journal-create", op_journal_create, describe_journal_create},
	[OP_PMBR_ACTIVE] = {"pmbr-active", op_pmbr_active, describe_pmbr_active},
	[OP_WAIT_PARTITIONS] = {"wait-partitions", op_wait_partitions, describe_wait_partitions},
	[OP_WIPE_SIGNATURES] = {"wipe-signatures", op_wipe_signatures, describe_wipe_signatures},
	[OP_MOUNT] = {"mount", op_mount, describe_mount},
	[OP_BIND_MOUNT] = {"bind-mount", op_bind_mount, describe_bind_mount},
	[OP_UMOUNT] = {"umount", op_umount, describe_umount},
	[OP_COPY_TREE] = {"copy-tree", op_copy_tree, describe_copy_tree},
	[OP_VERIFY_TREE] = {"verify-tree", op_verify_tree, describe_verify_tree},
	[OP_CHECK_FS_UUID] = {"check-fs-uuid", op_check_fs_uuid, describe_check_fs_uuid},
	[OP_UPDATE_TREE] = {"update-tree", op_update_tree, describe_update_tree},
	[OP_CHECK_DISK] = {"check-disk", op_check_disk, describe_check_disk},
	[OP_CHECK_ARRAY] = {"check-array", op_check_array, describe_check_array},
	[OP_EDIT_FILE] = {"edit-file", op_edit_file, describe_edit_file},
	[OP_WRITE_BOOT_CODE] = {"write-boot-code", op_write_boot_code, describe_write_boot_code},
	[OP_VERIFY_BOOT] = {"verify-boot", op_verify_boot, describe_verify_boot},
	[OP_WAIT_SYNC] = {"wait-sync", op_wait_sync, describe_wait_sync},
	[OP_COPY_FILE] = {"copy-file", op_copy_file, describe_copy_file},
	[OP_START_ARRAY] = {"start-array", op_start_array, describe_start_array},
	[OP_ERASE_OLD_SIGS] = {"erase-signatures", op_erase_signatures, describe_erase_signatures},
	[OP_CLONE_FS] = {"clone-fs", op_clone_fs, describe_clone_fs},
};
