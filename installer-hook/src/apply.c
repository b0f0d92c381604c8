// SPDX-License-Identifier: GPL-2.0-only
#include "apply.h"

#include <blkid/blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <linux/major.h>
#include <linux/raid/md_u.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "configedit.h"
#include "copy.h"
#include "journal.h"
#include "log.h"
#include "observer.h"
#include "run.h"

#define PENDING_MAX 16

struct pending_record {
	unsigned step;
	char id[JOURNAL_STEP_ID_MAX];
	enum journal_event event;
	int status;
	char detail[JOURNAL_DETAIL_MAX];
};

struct apply_ctx {
	const struct plan_inputs *in;
	char disk2_dev[96];
	uint64_t journal_offset;
	struct journal journal;
	bool journal_open;
	struct journal_state state; /* records of this plan's journal from earlier runs */
	bool have_state;
	size_t n_pending;
	struct pending_record pending[PENDING_MAX];
};

/* --- small system helpers ------------------------------------------------------ */

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

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

static bool array_running(const char *md)
{
	char *p = xasprintf("/sys/block/%s/md/array_state", md);
	char state[32];

	read_line_file(p, state, sizeof(state));
	free(p);
	return state[0] && strcmp(state, "inactive") && strcmp(state, "clear");
}

static bool array_has_member(const char *md, const char *member)
{
	char *p = xasprintf("/sys/block/%s/slaves/%s", md, member);
	bool yes = access(p, F_OK) == 0;

	free(p);
	return yes;
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

/* --- journal ------------------------------------------------------------------ */

static void record(struct apply_ctx *c, unsigned step, const char *id, enum journal_event ev,
		   int status, const char *detail)
{
	if (c->journal_open) {
		int r = journal_append(&c->journal, step, id, ev, status, detail);
		if (r < 0)
			log_errno(r, "cannot write to the journal on '%s'", c->disk2_dev);
		return;
	}
	if (c->n_pending >= PENDING_MAX)
		return;
	struct pending_record *pr = &c->pending[c->n_pending++];
	pr->step = step;
	str_copy(pr->id, sizeof(pr->id), id);
	pr->event = ev;
	pr->status = status;
	str_copy(pr->detail, sizeof(pr->detail), detail ? detail : "");
}

static int journal_start(struct apply_ctx *c)
{
	struct buf payload = BUF_INIT;
	int r;

	plan_inputs_serialize(c->in, &payload);
	r = journal_create(c->disk2_dev, c->journal_offset, c->in->sector_size, &c->in->disk2_guid,
			   payload.data, &c->journal);
	buf_free(&payload);
	if (r < 0)
		return log_errno(r, "cannot create the journal on '%s'", c->disk2_dev);
	c->journal_open = true;
	log_info("journal started on %s at byte %" PRIu64 " (generation %" PRIu64 ")", c->disk2_dev,
		 c->journal_offset, c->journal.generation);
	for (size_t i = 0; i < c->n_pending; i++) {
		const struct pending_record *pr = &c->pending[i];
		record(c, pr->step, pr->id, pr->event, pr->status, pr->detail);
	}
	c->n_pending = 0;
	return 0;
}

/*
 * An existing journal belongs to this plan when it was written for the
 * very same inputs; its records then tell which steps are done.
 */
static void journal_load(struct apply_ctx *c)
{
	struct buf payload = BUF_INIT;
	struct journal_state s = {0};
	int fd;

	fd = open(c->disk2_dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (journal_read(fd, c->journal_offset, c->in->sector_size, &s) == 0) {
		plan_inputs_serialize(c->in, &payload);
		if (!strcmp(s.payload, payload.data)) {
			c->state = s;
			c->have_state = true;
			s = (struct journal_state){0};
		}
	}
	close(fd);
	journal_state_free(&s);
	buf_free(&payload);
	if (c->have_state &&
	    journal_open(c->disk2_dev, c->journal_offset, c->in->sector_size, &c->journal) == 0)
		c->journal_open = true;
}

/* --- internal operations -------------------------------------------------------- */

static int op_prepare_workdir(void)
{
	static const char *const dirs[] = {XSRAID_WORKDIR, XSRAID_NEWROOT, XSRAID_DISK1_MNT,
					   XSRAID_SOURCE};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		int r = mkdir_p(dirs[i], 0700);
		if (r < 0)
			return log_errno(r, "cannot create '%s'", dirs[i]);
	}
	return 0;
}

static const char *const SYSTEM_DIRS[] = {"dev", "proc", "sys"};

static int op_bind_system(const char *dir)
{
	for (size_t i = 0; i < ARRAY_SIZE(SYSTEM_DIRS); i++) {
		char *src = xasprintf("/%s", SYSTEM_DIRS[i]);
		char *dst = path_join(dir, SYSTEM_DIRS[i]);
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

static int op_unbind_system(const char *dir)
{
	int ret = 0;

	for (size_t i = ARRAY_SIZE(SYSTEM_DIRS); i-- > 0;) {
		char *dst = path_join(dir, SYSTEM_DIRS[i]);
		if (is_mountpoint(dst) && umount(dst) < 0 && umount2(dst, MNT_DETACH) < 0)
			ret = log_errno(-errno, "cannot unmount '%s'", dst);
		free(dst);
	}
	return ret;
}

static int op_set_speed(const char *kib)
{
	int r = write_sys("/proc/sys/dev/raid/speed_limit_max", kib);

	if (r < 0)
		return log_errno(r, "cannot set /proc/sys/dev/raid/speed_limit_max to %s", kib);
	return 0;
}

static int op_mknod_arrays(void)
{
	for (unsigned i = 0; i < N_ARRAYS; i++) {
		char *path = xasprintf("/dev/md%u", i);
		struct stat st;
		int r = 0;
		if (stat(path, &st) < 0 && mknod(path, S_IFBLK | 0660, makedev(9, i)) < 0 &&
		    errno != EEXIST)
			r = log_errno(-errno, "cannot create '%s'", path);
		free(path);
		if (r < 0)
			return r;
	}
	return 0;
}

static int op_pmbr_boot_flag(const char *dev)
{
	uint8_t mbr[512];
	int fd, r = 0;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return log_errno(-errno, "cannot open '%s'", dev);
	if (pread(fd, mbr, sizeof(mbr), 0) != (ssize_t)sizeof(mbr)) {
		r = log_errno(-EIO, "cannot read the MBR of '%s'", dev);
	} else if (mbr[510] != 0x55 || mbr[511] != 0xaa || mbr[446 + 4] != 0xee) {
		r = log_error(-EINVAL, "'%s' has no protective MBR to mark active", dev);
	} else if (mbr[446] != 0x80) {
		/* XenServer 6.0 marks it (CA-54144): some BIOSes only boot an "active" disk. */
		mbr[446] = 0x80;
		if (pwrite(fd, mbr, sizeof(mbr), 0) != (ssize_t)sizeof(mbr) || fsync(fd) < 0)
			r = log_errno(-EIO, "cannot write the MBR of '%s'", dev);
	}
	close(fd);
	return r;
}

/* Makes /dev/NAME from the kernel's dev numbers when nothing else (udev, devtmpfs) did. */
static int ensure_node(const char *name, const char *sysdir)
{
	char *node = xasprintf("/dev/%s", name);
	char *devfile = path_join(sysdir, "dev");
	char numbers[32];
	unsigned maj, min;
	struct stat st;
	int r = 0;

	if (stat(node, &st) == 0 && S_ISBLK(st.st_mode))
		goto out;
	read_line_file(devfile, numbers, sizeof(numbers));
	if (sscanf(numbers, "%u:%u", &maj, &min) != 2) {
		r = -ENOENT;
		goto out;
	}
	unlink(node);
	if (mknod(node, S_IFBLK | 0660, makedev(maj, min)) < 0)
		r = -errno;
out:
	free(node);
	free(devfile);
	return r;
}

static int reread_partitions(const char *disk)
{
	char *dev = xasprintf("/dev/%s", disk);
	int fd = open(dev, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0 || ioctl(fd, BLKRRPART) < 0)
		r = -errno;
	if (fd >= 0)
		close(fd);
	free(dev);
	return r;
}

static int op_wait_partitions(const struct plan_inputs *in, const char *disk, const char *count)
{
	unsigned n = (unsigned)atoi(count);
	bool disk2 = !strcmp(disk, in->disk[1]);

	for (int attempt = 0; attempt < 100; attempt++) {
		bool all = true;
		for (unsigned i = 1; i <= n && all; i++) {
			char part[96], sysdir[256], start[32];
			uint64_t want = i <= N_ARRAYS ? in->part_first[i - 1] : in->journal_first;
			uint64_t got;
			partition_name(part, sizeof(part), disk, i);
			/* cciss/c0d0p1 lives at /sys/block/cciss!c0d0/cciss!c0d0p1 */
			char sysdisk[96], syspart[96];
			str_copy(sysdisk, sizeof(sysdisk), disk);
			str_copy(syspart, sizeof(syspart), part);
			for (char *c = sysdisk; *c; c++)
				*c = *c == '/' ? '!' : *c;
			for (char *c = syspart; *c; c++)
				*c = *c == '/' ? '!' : *c;
			snprintf(sysdir, sizeof(sysdir), "/sys/block/%s/%s", sysdisk, syspart);
			char *sf = path_join(sysdir, "start");
			read_line_file(sf, start, sizeof(start));
			free(sf);
			if (parse_u64(start, &got) < 0 || got * 512 != want * in->sector_size) {
				all = false;
				break;
			}
			if (ensure_node(part, sysdir) < 0)
				all = false;
		}
		if (all)
			return 0;
		/* The kernel may not have seen the new table yet: ask it again now and then. */
		if (attempt % 20 == 10)
			reread_partitions(disk);
		sleep_ms(200);
	}
	(void)disk2;
	return log_error(-ETIMEDOUT,
			 "the kernel does not show the new partitions of '/dev/%s' (is a partition "
			 "still in use?)",
			 disk);
}

static int op_wipe_signatures(const char *dev, const char *mode)
{
	bool only_raid = !strcmp(mode, "raid");
	blkid_probe pr = NULL;
	int fd, r = 0, wiped = 0;

	fd = open(dev, O_RDWR | O_EXCL | O_CLOEXEC);
	if (fd < 0)
		return log_errno(-errno, "cannot open '%s' to erase old signatures", dev);
	pr = blkid_new_probe();
	if (!pr || blkid_probe_set_device(pr, fd, 0, 0) < 0) {
		r = log_error(-ENOMEM, "cannot probe '%s'", dev);
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
		log_info("erasing the %s signature at offset %s of %s", type, off, dev);
		if (blkid_do_wipe(pr, 0) < 0) {
			r = log_errno(errno ? -errno : -EIO,
				      "cannot erase the %s signature on '%s'", type, dev);
			goto out;
		}
		wiped++;
		/* Probe the same place again: there may be more than one signature type there. */
		blkid_probe_step_back(pr);
	}
	if (wiped && fsync(fd) < 0)
		r = log_errno(-errno, "cannot flush '%s'", dev);
out:
	if (pr)
		blkid_free_probe(pr);
	close(fd);
	return r;
}

static int op_mount(const char *dev, const char *dir, const char *type, bool ro)
{
	if (is_mountpoint(dir))
		return 0;
	/*
	 * The copy keeps xattrs and ACLs; old ext3 drivers only store them when
	 * asked to.  A kernel that knows no such options gets a plain mount.
	 */
	if (!ro && mount(dev, dir, type, 0, "user_xattr,acl") == 0)
		return 0;
	/* Read-only means read-only: no journal replay writing to the device either. */
	if (ro && mount(dev, dir, type, MS_RDONLY, "noload") == 0)
		return 0;
	if (mount(dev, dir, type, ro ? MS_RDONLY : 0, NULL) < 0)
		return log_errno(-errno, "cannot mount '%s' (%s) on '%s'", dev, type, dir);
	return 0;
}

/* A non-recursive bind mount shows a filesystem without whatever is mounted inside it. */
static int op_bind_source(const char *dir, const char *where)
{
	int r = mkdir_p(where, 0700);

	if (r < 0)
		return log_errno(r, "cannot create '%s'", where);
	if (is_mountpoint(where))
		return 0;
	if (mount(dir, where, NULL, MS_BIND, NULL) < 0)
		return log_errno(-errno, "cannot bind-mount '%s' on '%s'", dir, where);
	return 0;
}

static int op_umount(const char *dir)
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

static void copy_progress(uint64_t done, uint64_t total, void *what)
{
	log_progress(what, done, total);
}

static const char *const COPY_EXCLUDE[] = {NULL};

static int op_copy_tree(const char *src, const char *dst, bool verify)
{
	struct copy_options o = {
		.exclude = COPY_EXCLUDE,
		.progress = copy_progress,
		.userdata = (void *)(verify ? "verifying the copy" : "copying the root filesystem"),
	};
	struct copy_stats st = {0};
	int r;

	r = verify ? copy_verify(src, dst, &o, &st) : copy_tree(src, dst, &o, &st);
	if (r < 0)
		return r;
	log_notice("%s %" PRIu64 " files (%" PRIu64 " MiB), %" PRIu64 " directories, %" PRIu64
		   " symlinks, %" PRIu64 " hard links, %" PRIu64 " special files, %" PRIu64
		   " xattrs",
		   verify ? "verified" : "copied", st.files, st.bytes >> 20, st.dirs, st.symlinks,
		   st.hardlinks, st.specials, st.xattrs);
	return 0;
}

static int op_check_source(const struct plan_inputs *in, const char *dev)
{
	blkid_probe pr = blkid_new_probe_from_filename(dev);
	const char *uuid = NULL;
	int r = 0;

	if (!pr)
		return log_errno(errno ? -errno : -EIO, "cannot probe '%s'", dev);
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_UUID | BLKID_SUBLKS_TYPE);
	if (blkid_do_safeprobe(pr) != 0 || blkid_probe_lookup_value(pr, "UUID", &uuid, NULL) < 0)
		uuid = NULL;
	if (!uuid || strcmp(uuid, in->root_uuid))
		r = log_error(-ESTALE,
			      "'%s' no longer holds the filesystem that was copied (UUID %s, now "
			      "%s); the first disk is left as it is",
			      dev, in->root_uuid, uuid ? uuid : "none");
	blkid_free_probe(pr);
	return r;
}

static int op_copy_subtree(const char *src, const char *dst, const char *rel)
{
	char *s = path_join(src, rel);
	struct stat st;
	int r = 0;

	if (lstat(s, &st) == 0)
		r = copy_update_subtree(src, dst, rel);
	else
		log_info("'%s' does not exist; nothing to carry over", s);
	free(s);
	return r;
}

/* Reads @rel below @root, applies @edit, writes it back atomically keeping its mode. */
typedef int (*edit_fn)(const struct plan_inputs *in, const char *text, char **ret, struct buf *err);

static int edit_file(const struct plan_inputs *in, const char *root, const char *rel, edit_fn edit,
		     bool optional)
{
	char *path = path_join(root, rel);
	struct buf text = BUF_INIT, err = BUF_INIT;
	char *out = NULL;
	struct stat st;
	int r;

	r = read_file(path, 4 << 20, &text);
	if (r == -ENOENT && optional) {
		log_info("'%s' does not exist; nothing to change", path);
		r = 0;
		goto out;
	}
	if (r < 0) {
		log_errno(r, "cannot read '%s'", path);
		goto out;
	}
	r = edit(in, text.data, &out, &err);
	if (r < 0) {
		log_error(r, "cannot update '%s': %s", path, err.data);
		goto out;
	}
	if (!strcmp(out, text.data)) {
		log_info("'%s' already says so", path);
		goto out;
	}
	r = stat(path, &st) == 0 ? 0 : -errno;
	if (r == 0)
		r = write_file_atomic(path, out, strlen(out), st.st_mode & 07777);
	if (r < 0)
		log_errno(r, "cannot write '%s'", path);
	else
		log_info("updated '%s'", path);
out:
	free(out);
	buf_free(&text);
	buf_free(&err);
	free(path);
	return r;
}

static int edit_fstab(const struct plan_inputs *in, const char *text, char **ret, struct buf *err)
{
	(void)in;
	return config_fstab_set_root(text, "/dev/md0", ret, err);
}

static int edit_extlinux(const struct plan_inputs *in, const char *text, char **ret,
			 struct buf *err)
{
	unsigned n = 0;
	int r = config_extlinux_set_root(text, "/dev/md0", ret, &n, err);

	(void)in;
	if (r == 0)
		log_info("extlinux.conf: %u entries boot with root=/dev/md0", n);
	return r;
}

static int edit_inventory(const struct plan_inputs *in, const char *text, char **ret,
			  struct buf *err)
{
	static const char *const keys[] = {"BACKUP_PARTITION", "DEFAULT_SR_PHYSDEVS"};
	static const char *const values[] = {"/dev/md1", "/dev/md2"};

	(void)in;
	return config_shell_vars_set(text, keys, values, ARRAY_SIZE(keys), ret, err);
}

static int edit_storage(const struct plan_inputs *in, const char *text, char **ret, struct buf *err)
{
	const char *keys[4], *values[4];
	size_t n = 0;

	/* Keep to the keys the installer wrote; 6.0 writes both the XS* and plain forms. */
	static const char *const part_keys[] = {"XSPARTITIONS", "PARTITIONS"};
	static const char *const type_keys[] = {"XSTYPE", "TYPE"};
	for (size_t i = 0; i < 2; i++) {
		char *v = config_shell_var_get(text, part_keys[i]);
		if (v || i == 0) {
			keys[n] = part_keys[i];
			values[n++] = "/dev/md2";
		}
		free(v);
		v = config_shell_var_get(text, type_keys[i]);
		if (v || i == 0) {
			keys[n] = type_keys[i];
			values[n++] = sr_type_name(in->sr_type);
		}
		free(v);
	}
	return config_shell_vars_set(text, keys, values, n, ret, err);
}

static int op_write_mdadm_conf(const struct plan_inputs *in, const char *root)
{
	struct mdadm_conf_array arrays[N_ARRAYS];
	char uuids[N_ARRAYS][36], devs[N_ARRAYS][16];
	char *path = path_join(root, "etc/mdadm.conf");
	char *text;
	int r;

	for (unsigned i = 0; i < N_ARRAYS; i++) {
		md_uuid_format(in->md_uuid[i], uuids[i]);
		snprintf(devs[i], sizeof(devs[i]), "/dev/md%u", i);
		arrays[i] = (struct mdadm_conf_array){devs[i], md_metadata_name(in->metadata),
						      uuids[i], 2};
	}
	text = config_mdadm_conf(arrays, N_ARRAYS);
	r = write_file_atomic(path, text, strlen(text), 0644);
	if (r < 0)
		log_errno(r, "cannot write '%s'", path);
	else
		log_info("wrote '%s'", path);
	free(text);
	free(path);
	return r;
}

static int read_exact(const char *path, uint8_t *buf, size_t len)
{
	struct buf b = BUF_INIT;
	int r = read_file(path, 1 << 20, &b);

	if (r == 0 && b.len != len)
		r = -EINVAL;
	if (r == 0)
		memcpy(buf, b.data, len);
	buf_free(&b);
	return r;
}

static int op_write_mbr(const char *dev, const char *gptmbr)
{
	char *src = path_join(XSRAID_NEWROOT, gptmbr);
	uint8_t code[440], back[440];
	int fd, r;

	r = read_exact(src, code, sizeof(code));
	if (r < 0) {
		log_errno(r, "cannot read '%s' (the 440-byte gptmbr.bin)", src);
		free(src);
		return r;
	}
	free(src);
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return log_errno(-errno, "cannot open '%s'", dev);
	/* Only the boot code: the disk signature and partition entries after byte 440 stay. */
	if (pwrite(fd, code, sizeof(code), 0) != (ssize_t)sizeof(code) || fsync(fd) < 0)
		r = log_errno(-EIO, "cannot write the boot code of '%s'", dev);
	else if (pread(fd, back, sizeof(back), 0) != (ssize_t)sizeof(back) ||
		 memcmp(code, back, sizeof(code)))
		r = log_error(-EIO, "the boot code of '%s' does not read back as written", dev);
	close(fd);
	return r;
}

/* --- verifying that the second disk boots on its own ---------------------------- */

static int check(bool ok, int *failures, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int check(bool ok, int *failures, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ok) {
		log_info("ok: %s", msg);
		return 0;
	}
	log_error(-EUCLEAN, "check failed: %s", msg);
	(*failures)++;
	return -EUCLEAN;
}

static bool exists_in_root(const char *root, const char *path)
{
	char *p = path_join(root, path);
	struct stat st;
	bool ok = stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;

	free(p);
	return ok;
}

static int op_verify_boot(const struct plan_inputs *in, const char *disk)
{
	char dev[96], part1[96], *p;
	uint8_t mbr[512], code[440], vbr[512];
	struct extlinux_config conf = {0};
	struct buf text = BUF_INIT, err = BUF_INIT;
	struct gpt_table *gpt = xcalloc(1, sizeof(*gpt));
	int failures = 0, fd;

	snprintf(dev, sizeof(dev), "/dev/%s", disk);
	plan_part_dev(part1, sizeof(part1), disk, 1);

	fd = open(dev, O_RDONLY | O_CLOEXEC);
	bool mbr_ok = fd >= 0 && pread(fd, mbr, sizeof(mbr), 0) == (ssize_t)sizeof(mbr);
	p = path_join(XSRAID_NEWROOT, in->gptmbr);
	mbr_ok = mbr_ok && read_exact(p, code, sizeof(code)) == 0 && !memcmp(mbr, code, 440);
	free(p);
	check(mbr_ok, &failures, "%s starts with the installed system's gptmbr.bin", dev);
	/* Stage B checks both disks, which need not be the same size. */
	uint64_t sectors = in->disk_sectors[strcmp(disk, in->disk[0]) ? 1 : 0];
	check(fd >= 0 && gpt_read(fd, sectors * in->sector_size, in->sector_size, gpt) == 0 &&
		      gpt->primary_valid && gpt->backup_valid,
	      &failures, "%s has a valid GPT, both copies", dev);
	const struct gpt_partition *gp1 = gpt_find(gpt, 1);
	check(gp1 && gp1->first_lba == in->part_first[0] && gp1->last_lba == in->part_last[0] &&
		      (gp1->attributes & GPT_ATTR_LEGACY_BIOS_BOOTABLE),
	      &failures, "partition 1 of %s is where the first disk's is, legacy-BIOS-bootable",
	      dev);
	if (fd >= 0)
		close(fd);

	/* extlinux's boot sector sits at the start of md0, so at the start of partition 1. */
	fd = open(part1, O_RDONLY | O_CLOEXEC);
	bool vbr_ok = fd >= 0 && pread(fd, vbr, sizeof(vbr), 0) == (ssize_t)sizeof(vbr) &&
		      vbr[510] == 0x55 && vbr[511] == 0xaa &&
		      (memmem(vbr, sizeof(vbr), "EXTLINUX", 8) ||
		       memmem(vbr, sizeof(vbr), "SYSLINUX", 8));
	if (fd >= 0)
		close(fd);
	check(vbr_ok, &failures, "%s carries extlinux's boot sector", part1);
	check(exists_in_root(XSRAID_NEWROOT, "boot/ldlinux.sys"), &failures,
	      "boot/ldlinux.sys is on md0");

	p = path_join(XSRAID_NEWROOT, "boot/extlinux.conf");
	if (read_file(p, 1 << 20, &text) == 0 &&
	    config_extlinux_parse(text.data, &conf, &err) == 0) {
		check(conf.n_entries > 0, &failures, "extlinux.conf has boot entries");
		for (size_t i = 0; i < conf.n_entries; i++) {
			const struct extlinux_entry *e = &conf.entries[i];
			const char *files[] = {e->kernel, e->xen, e->dom0, e->initrd};
			check(e->root && !strcmp(e->root, "/dev/md0"), &failures,
			      "entry '%s' boots with root=/dev/md0", e->label);
			for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
				if (!files[f])
					continue;
				/* extlinux resolves relative names against /boot, where its config
				 * is. */
				char *rel = files[f][0] == '/' ? xstrdup(files[f])
							       : xasprintf("/boot/%s", files[f]);
				check(exists_in_root(XSRAID_NEWROOT, rel), &failures,
				      "entry '%s': %s exists", e->label, rel);
				free(rel);
			}
		}
	} else {
		check(false, &failures, "boot/extlinux.conf can be read: %s", err.data);
	}
	free(p);

	p = path_join(XSRAID_NEWROOT, "etc/fstab");
	buf_reset(&text);
	bool fstab_ok = false;
	if (read_file(p, 1 << 20, &text) == 0) {
		char *out = NULL;
		struct buf e2 = BUF_INIT;
		fstab_ok = config_fstab_set_root(text.data, "/dev/md0", &out, &e2) == 0 &&
			   !strcmp(out, text.data);
		free(out);
		buf_free(&e2);
	}
	check(fstab_ok, &failures, "etc/fstab mounts / from /dev/md0");
	free(p);

	p = path_join(XSRAID_NEWROOT, "etc/mdadm.conf");
	buf_reset(&text);
	bool conf_ok = read_file(p, 1 << 20, &text) == 0;
	for (unsigned i = 0; i < N_ARRAYS && conf_ok; i++) {
		char u[36];
		md_uuid_format(in->md_uuid[i], u);
		conf_ok = strstr(text.data, u) != NULL;
	}
	check(conf_ok, &failures, "etc/mdadm.conf names md0, md1 and md2 by UUID");
	free(p);

	strv_foreach(k, &in->kernels) {
		char *img = xasprintf("boot/initrd-%s.img", *k);
		check(exists_in_root(XSRAID_NEWROOT, img), &failures, "%s was rebuilt", img);
		free(img);
	}

	config_extlinux_free(&conf);
	buf_free(&text);
	buf_free(&err);
	free(gpt);
	observe_boot_check(disk, failures);
	if (failures)
		return log_error(-EUCLEAN,
				 "%d boot check%s failed on /dev/%s; the first disk is left "
				 "untouched",
				 failures, failures == 1 ? "" : "s", disk);
	log_notice("/dev/%s can boot the new system on its own", disk);
	return 0;
}

static int op_wait_resync(const char *md)
{
	char *action_path = xasprintf("/sys/block/%s/md/sync_action", md);
	char *done_path = xasprintf("/sys/block/%s/md/sync_completed", md);
	char *degraded_path = xasprintf("/sys/block/%s/md/degraded", md);
	char what[64];
	int r = 0, idle_polls = 0;
	unsigned long long last_total = 0;

	snprintf(what, sizeof(what), "%s recovery", md);
	for (;;) {
		char action[32], completed[64], degraded[16];
		unsigned long long done, total;
		read_line_file(action_path, action, sizeof(action));
		read_line_file(done_path, completed, sizeof(completed));
		read_line_file(degraded_path, degraded, sizeof(degraded));
		if (!action[0]) {
			r = log_error(-ENODEV, "'%s' is not running", md);
			break;
		}
		if (!strcmp(action, "idle") && !strcmp(degraded, "0")) {
			if (last_total) {
				log_progress(what, last_total * 512, last_total * 512);
				observe_progress(md, last_total * 512, last_total * 512);
			}
			log_notice("%s is in sync", md);
			break;
		}
		if (!strcmp(action, "idle") && ++idle_polls > 50) {
			/* Recovery should have started right after the member was added. */
			r = log_error(-EIO, "'%s' is degraded and not recovering", md);
			break;
		}
		if (sscanf(completed, "%llu / %llu", &done, &total) == 2 && total) {
			log_progress(what, done * 512, total * 512);
			observe_progress(md, done * 512, total * 512);
			last_total = total;
		}
		sleep_ms(1000);
	}
	free(action_path);
	free(done_path);
	free(degraded_path);
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
 * Starts @md from its members through /sys/block/MD/md, the interface
 * mdadm itself uses: the metadata version, each member's device numbers
 * (the kernel reads and checks its superblock, and refuses one that does not
 * belong), then "active".  This needs no mdadm, which the installer may not
 * have and which is otherwise only found on md0 itself.  The first member is
 * the reference; the second may not have joined yet, which is fine.
 */
static int op_assemble(const struct plan_inputs *in, const char *md, const char *first,
		       const char *second)
{
	char *node = xasprintf("/dev/%s", md);
	char *sys = xasprintf("/sys/block/%s/md", md);
	char *path = NULL, numbers[32];
	int fd = -1, r, members = 0;

	r = op_mknod_arrays();
	if (r < 0)
		goto out;
	/* Opening the node creates the array in the kernel; it stays while we hold it. */
	fd = open(node, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		r = log_errno(-errno, "cannot open '%s'", node);
		goto out;
	}
	path = path_join(sys, "metadata_version");
	r = write_sys(path, md_metadata_name(in->metadata));
	if (r < 0) {
		log_errno(r, "cannot set the metadata version of %s", md);
		goto out;
	}
	const char *devs[] = {first, second};
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++) {
		if (!devs[i])
			continue;
		free(path);
		path = path_join(sys, "new_dev");
		r = device_numbers(devs[i], numbers, sizeof(numbers));
		if (r == 0)
			r = write_sys(path, numbers);
		if (r == 0) {
			members++;
			log_info("%s: %s is a member", md, devs[i]);
		} else if (i == 0) {
			log_errno(r, "%s: the kernel does not take %s as a member", md, devs[i]);
			goto out;
		} else {
			log_info("%s: %s is not a member (yet): %s", md, devs[i], strerror(-r));
		}
	}
	free(path);
	path = path_join(sys, "array_state");
	r = write_sys(path, "active");
	if (r < 0) {
		log_errno(r, "cannot start %s from %d member%s", md, members,
			  members == 1 ? "" : "s");
		goto out;
	}
	log_notice("started %s from %d member%s", md, members, members == 1 ? "" : "s");
out:
	if (r < 0 && fd >= 0)
		ioctl(fd, STOP_ARRAY, NULL);
	if (fd >= 0)
		close(fd);
	free(path);
	free(sys);
	free(node);
	return r;
}

static int op_save_log(const char *root)
{
	char *dir = path_join(root, "var/log/installer");
	char *dst = path_join(dir, "xsraid-log");
	struct buf b = BUF_INIT;
	int r;

	r = mkdir_p(dir, 0755);
	if (r == 0)
		r = read_file(XSRAID_LOG, 16 << 20, &b);
	if (r == 0)
		r = write_file_atomic(dst, b.data, b.len, 0600);
	if (r < 0)
		log_errno(r, "cannot save the log to '%s'", dst);
	buf_free(&b);
	free(dir);
	free(dst);
	return r;
}

static int run_internal(struct apply_ctx *c, const struct plan_action *a)
{
	const struct plan_inputs *in = c->in;

	switch (a->op) {
	case OP_PREPARE_WORKDIR:
		return op_prepare_workdir();
	case OP_BIND_SYSTEM:
		return op_bind_system(a->arg[0]);
	case OP_UNBIND_SYSTEM:
		return op_unbind_system(a->arg[0]);
	case OP_SET_SPEED:
		return op_set_speed(a->arg[0]);
	case OP_MKNOD_ARRAYS:
		return op_mknod_arrays();
	case OP_JOURNAL_CREATE:
		return journal_start(c);
	case OP_PMBR_BOOT_FLAG:
		return op_pmbr_boot_flag(a->arg[0]);
	case OP_WAIT_PARTITIONS:
		return op_wait_partitions(in, a->arg[0], a->arg[1]);
	case OP_WIPE_SIGNATURES:
		return op_wipe_signatures(a->arg[0], a->arg[1]);
	case OP_MOUNT:
		return op_mount(a->arg[0], a->arg[1], a->arg[2], a->read_only);
	case OP_BIND_SOURCE:
		return op_bind_source(a->arg[0], a->arg[1]);
	case OP_UMOUNT:
		return op_umount(a->arg[0]);
	case OP_COPY_TREE:
		return op_copy_tree(a->arg[0], a->arg[1], false);
	case OP_VERIFY_TREE:
		return op_copy_tree(a->arg[0], a->arg[1], true);
	case OP_CHECK_SOURCE:
		return op_check_source(in, a->arg[0]);
	case OP_COPY_SUBTREE:
		return op_copy_subtree(a->arg[0], a->arg[1], a->arg[2]);
	case OP_EDIT_FSTAB:
		return edit_file(in, a->arg[0], "etc/fstab", edit_fstab, false);
	case OP_EDIT_EXTLINUX:
		return edit_file(in, a->arg[0], "boot/extlinux.conf", edit_extlinux, false);
	case OP_WRITE_MDADM_CONF:
		return op_write_mdadm_conf(in, a->arg[0]);
	case OP_EDIT_INVENTORY:
		return edit_file(in, a->arg[0], "etc/xensource-inventory", edit_inventory, false);
	case OP_EDIT_STORAGE_CONF:
		return edit_file(in, a->arg[0], "etc/firstboot.d/data/default-storage.conf",
				 edit_storage, !in->guest_storage);
	case OP_WRITE_MBR:
		return op_write_mbr(a->arg[0], a->arg[1]);
	case OP_VERIFY_BOOT:
		return op_verify_boot(in, a->arg[0]);
	case OP_WAIT_RESYNC:
		return op_wait_resync(a->arg[0]);
	case OP_SAVE_LOG:
		return op_save_log(a->arg[0]);
	case OP_ASSEMBLE:
		return op_assemble(in, a->arg[0], a->arg[1], a->arg[2]);
	}
	return log_error(-EINVAL, "internal: unknown operation %d", (int)a->op);
}

static int run_external(const struct plan_action *a)
{
	struct run_cmd cmd = RUN_CMD_INIT;
	int r;

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
	r = run_command(&cmd);
	if (r < 0)
		return r;
	if (r != 0) {
		struct buf line = BUF_INIT;
		plan_action_command(a, &line);
		log_error(-EIO, "'%s' failed with exit status %d", line.data, r);
		buf_free(&line);
		return -EIO;
	}
	return 0;
}

static bool action_needed(const struct plan_action *a)
{
	switch (a->cond) {
	case COND_ALWAYS:
		return true;
	case COND_ARRAY_STOPPED:
		return !array_running(a->cond_arg);
	case COND_NOT_MEMBER:
		if (array_has_member(a->cond_arg, a->cond_arg2)) {
			log_info("%s is already in %s", a->cond_arg2, a->cond_arg);
			return false;
		}
		return true;
	}
	return true;
}

static int run_step(struct apply_ctx *c, size_t index, const struct plan_step *s)
{
	for (size_t j = 0; j < s->n_actions; j++) {
		const struct plan_action *a = &s->actions[j];
		int r;

		if (!action_needed(a))
			continue;
		if (a->kind == ACTION_INTERNAL) {
			log_info("step %zu: %s", index + 1, a->describe);
			r = run_internal(c, a);
		} else {
			r = run_external(a);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* What the first stage leaves mounted must go, or the installer cannot unmount its target. */
static void release_mounts(const struct plan_inputs *in)
{
	op_unbind_system(XSRAID_NEWROOT);
	op_umount(XSRAID_NEWROOT);
	op_umount(XSRAID_DISK1_MNT);
	op_umount(XSRAID_SOURCE);
	op_unbind_system(in->target_dir);
}

int apply_stage(const struct plan *p, enum plan_stage stage, const struct apply_options *opts)
{
	struct apply_ctx c = {.in = &p->in};
	size_t total = 0, number = 0;
	int r = 0;

	(void)opts;
	snprintf(c.disk2_dev, sizeof(c.disk2_dev), "/dev/%s", p->in.disk[1]);
	c.journal_offset = p->in.journal_first * p->in.sector_size;
	journal_load(&c);

	for (size_t i = 0; i < p->n_steps; i++)
		total += p->steps[i].stage == stage;
	log_notice("%s: %zu steps for /dev/%s and /dev/%s", plan_stage_name(stage), total,
		   p->in.disk[0], p->in.disk[1]);
	observe_stage_begin(plan_stage_name(stage), total);

	for (size_t i = 0; i < p->n_steps; i++) {
		const struct plan_step *s = &p->steps[i];
		if (s->stage != stage)
			continue;
		number++;
		if (!s->always && c.have_state &&
		    journal_last_event(&c.state, s->id) == JOURNAL_DONE) {
			log_notice("step %zu/%zu %s: done earlier, skipped", number, total, s->id);
			observe_step(s->id, OBSERVE_STEP_SKIPPED, 0);
			continue;
		}
		log_notice("step %zu/%zu %s: %s", number, total, s->id, s->title);
		record(&c, (unsigned)i + 1, s->id, JOURNAL_BEGIN, 0, s->title);
		observe_step(s->id, OBSERVE_STEP_BEGIN, 0);
		r = run_step(&c, i, s);
		if (r < 0) {
			observe_step(s->id, OBSERVE_STEP_FAILED, r);
			char detail[128];
			str_copy(detail, sizeof(detail), strerror(-r));
			record(&c, (unsigned)i + 1, s->id, JOURNAL_FAILED, r, detail);
			log_error(
				r, "step %s failed; %s", s->id,
				stage == STAGE_FILESYSTEM_POPULATED
					? "the first disk is untouched and boots as installed"
					: "see the log; the second disk holds the complete system");
			break;
		}
		record(&c, (unsigned)i + 1, s->id, JOURNAL_DONE, 0, NULL);
		observe_step(s->id, OBSERVE_STEP_DONE, 0);
	}
	if (r < 0 && stage == STAGE_FILESYSTEM_POPULATED)
		release_mounts(&p->in);
	if (r == 0)
		log_notice("%s: all steps done", plan_stage_name(stage));
	if (c.journal_open)
		journal_close(&c.journal);
	journal_state_free(&c.state);
	observe_stage_end(plan_stage_name(stage), r);
	return r;
}

bool apply_step_done(const struct plan *p, const char *step_id)
{
	char dev[96];
	struct journal_state s = {0};
	struct buf payload = BUF_INIT;
	bool done = false;
	int fd;

	snprintf(dev, sizeof(dev), "/dev/%s", p->in.disk[1]);
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (journal_read(fd, p->in.journal_first * p->in.sector_size, p->in.sector_size, &s) == 0) {
		plan_inputs_serialize(&p->in, &payload);
		done = !strcmp(s.payload, payload.data) &&
		       journal_last_event(&s, step_id) == JOURNAL_DONE;
	}
	close(fd);
	journal_state_free(&s);
	buf_free(&payload);
	return done;
}
