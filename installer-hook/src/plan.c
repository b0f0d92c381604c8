// SPDX-License-Identifier: GPL-2.0-only
/*
 * Building the plan: the two stages are tables of steps, and each step is a
 * list of builders, small functions that add the actions of one part of the
 * manual procedure with every value they need.  A new step made of existing
 * builders is one table entry.
 */
#include "plan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "configedit.h"
#include "discover.h"

/* How long each kind of command may take before it is killed, in seconds. */
#define TIMEOUT_PARTITION 120  /* sgdisk, also on a disk that answers slowly */
#define TIMEOUT_MDADM	  120  /* create, add, stop: superblock writes */
#define TIMEOUT_MKFS	  1800 /* mkfs.ext3 of a 4 GiB root on a slow disk */
#define TIMEOUT_LABEL	  120
#define TIMEOUT_INITRD	  900 /* mkinitrd reads every module of a kernel */
#define TIMEOUT_EXTLINUX  120
#define TIMEOUT_CHKCONFIG 60

/* The directories a chroot needs to run the installed system's tools. */
static const char *const SYSTEM_DIRS[] = {"dev", "proc", "sys"};

#define SPEED_LIMIT_MAX "/proc/sys/dev/raid/speed_limit_max"
#define MD_MAJOR_NUMBER 9

const char *plan_stage_name(enum plan_stage s)
{
	switch (s) {
	case STAGE_FILESYSTEM_POPULATED:
		return "filesystem-populated";
	case STAGE_INSTALLATION_COMPLETE:
		return "installation-complete";
	case STAGE_REPLACE_DISK:
		return "replace-disk";
	case STAGE_FIX_BOOT:
		return "fix-boot";
	case N_STAGES:
		break;
	}
	return "?";
}

void plan_part_dev(char *out, size_t outlen, const char *disk, unsigned n)
{
	char name[96];

	partition_name(name, sizeof(name), disk, n);
	xsnprintf(out, outlen, "/dev/%s", name);
}

/* --- adding actions ----------------------------------------------------------- */

struct builder {
	const struct plan_inputs *in;
	enum plan_stage stage;
	struct plan *plan;
	struct plan_step *step;
};

static struct plan_action *add(struct builder *b, enum op_id op)
{
	struct plan_step *s = b->step;

	s->actions = xrealloc(s->actions, (s->n_actions + 1) * sizeof(*s->actions));
	struct plan_action *a = &s->actions[s->n_actions++];
	memset(a, 0, sizeof(*a));
	a->op = op;
	return a;
}

static char *dupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dupf(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return buf_detach(&b);
}

/* An md array's device number, major in the high half as the actions carry it. */
static uint64_t md_devnum(unsigned minor)
{
	return (uint64_t)MD_MAJOR_NUMBER << 32 | minor;
}

static void push_number(struct plan_action *a, uint64_t n)
{
	a->numbers = xrealloc(a->numbers, (a->n_numbers + 1) * sizeof(*a->numbers));
	a->numbers[a->n_numbers++] = n;
}

static char *disk_dev(const struct plan_inputs *in, unsigned disk)
{
	return dupf("/dev/%s", in->disk[disk]);
}

static char *part_dev(const struct plan_inputs *in, unsigned disk, unsigned n)
{
	char p[96];

	plan_part_dev(p, sizeof(p), in->disk[disk], n);
	return xstrdup(p);
}

/* Where the system worked on is: the new root while installing, / on a running host. */
static const char *system_root(const struct builder *b)
{
	return b->in->purpose == PURPOSE_REPLACE_DISK ? b->in->target_dir : XSRAID_NEWROOT;
}

/* What its own tools (extlinux) are chrooted into; nothing on a running host. */
static const char *system_chroot(const struct builder *b)
{
	return b->in->purpose == PURPOSE_REPLACE_DISK ? NULL : XSRAID_NEWROOT;
}

/* The directory a target tool is chrooted into: where the installed system is mounted. */
static const char *tool_root(const struct builder *b, const struct tool *t)
{
	if (!t->in_target)
		return NULL;
	return b->stage == STAGE_FILESYSTEM_POPULATED ? b->in->target_dir : XSRAID_NEWROOT;
}

/* An external command, built by commands.c; consumes @argv. */
static struct plan_action *add_run(struct builder *b, const char *chroot_dir, struct strv *argv,
				   unsigned timeout)
{
	struct plan_action *a = add(b, OP_RUN);

	a->argv = *argv;
	*argv = (struct strv)STRV_INIT;
	a->chroot = chroot_dir ? xstrdup(chroot_dir) : NULL;
	a->timeout_sec = timeout;
	return a;
}

static void when_not_member(struct plan_action *a, unsigned array, const char *member_dev)
{
	a->cond = COND_NOT_MEMBER;
	a->cond_array = xstrdup(md_array_name(array));
	a->cond_member = xstrdup(member_dev + strlen("/dev/"));
}

static void add_mount(struct builder *b, const char *dev, const char *dir, bool ro)
{
	struct plan_action *a = add(b, OP_MOUNT);

	a->device = xstrdup(dev);
	a->path = xstrdup(dir);
	a->fstype = xstrdup(b->in->root_fstype);
	a->read_only = ro;
}

static void add_umount(struct builder *b, const char *dir, const char *note)
{
	struct plan_action *a = add(b, OP_UMOUNT);

	a->path = xstrdup(dir);
	a->note = note ? xstrdup(note) : NULL;
}

static void add_system_binds(struct builder *b, enum op_id op, const char *root, const char *note)
{
	struct plan_action *a = add(b, op);

	a->path = xstrdup(root);
	for (size_t i = 0; i < ARRAY_SIZE(SYSTEM_DIRS); i++)
		strv_push(&a->paths, SYSTEM_DIRS[i]);
	a->note = note ? xstrdup(note) : NULL;
}

static void add_wipe(struct builder *b, char *dev, const char *mode, const char *note)
{
	struct plan_action *a = add(b, OP_WIPE_SIGNATURES);

	a->device = dev;
	a->value = xstrdup(mode);
	a->note = note ? xstrdup(note) : NULL;
}

static void add_write_sysfs(struct builder *b, const char *path, uint32_t value, const char *note)
{
	struct plan_action *a = add(b, OP_WRITE_SYSFS);

	a->path = xstrdup(path);
	a->value = dupf("%" PRIu32, value);
	a->note = xstrdup(note);
}

/* Waits for partitions 1..@count of @disk where the new table puts them. */
static void add_wait_partitions(struct builder *b, unsigned disk, unsigned count)
{
	const struct plan_inputs *in = b->in;
	struct plan_action *a = add(b, OP_WAIT_PARTITIONS);

	a->device = disk_dev(in, disk);
	for (unsigned n = 1; n <= count; n++) {
		char *p = part_dev(in, disk, n);
		strv_push(&a->paths, p);
		free(p);
		push_number(a, (n <= N_ARRAYS ? in->part_first[n - 1] : in->journal_first) *
				       in->sector_size);
	}
}

static void add_boot_code(struct builder *b, unsigned disk)
{
	struct plan_action *a = add(b, OP_WRITE_BOOT_CODE);

	a->device = disk_dev(b->in, disk);
	a->source = path_join(system_root(b), b->in->gptmbr);
}

/* 6.0's installer marks it (CA-54144): some BIOSes only boot an "active" disk. */
static void add_pmbr_active(struct builder *b, unsigned disk)
{
	if (!b->in->pmbr_boot_flag)
		return;
	struct plan_action *a = add(b, OP_PMBR_ACTIVE);
	a->device = disk_dev(b->in, disk);
	a->note = dupf(b->in->purpose == PURPOSE_REPLACE_DISK
			       ? "as it is on /dev/%s"
			       : "as the installer marked it on /dev/%s",
		       b->in->disk[0]);
}

static void add_edit(struct builder *b, const char *rel, enum edit_kind kind)
{
	struct plan_action *a = add(b, OP_EDIT_FILE);

	a->path = path_join(XSRAID_NEWROOT, rel);
	a->edit.kind = kind;
}

/* --- the builders ------------------------------------------------------------- */

typedef void (*build_fn)(struct builder *b);

static void make_workdir(struct builder *b)
{
	struct plan_action *a = add(b, OP_MAKE_DIRS);

	strv_push(&a->paths, XSRAID_WORKDIR);
	strv_push(&a->paths, XSRAID_NEWROOT);
	strv_push(&a->paths, XSRAID_DISK1_MNT);
	strv_push(&a->paths, XSRAID_SOURCE);
}

static void bind_target_for_tools(struct builder *b)
{
	const struct plan_inputs *in = b->in;

	if (in->mdadm.in_target || in->sgdisk.in_target || in->mkfs.in_target)
		add_system_binds(b, OP_BIND_SYSTEM, in->target_dir, "to run its tools");
}

static void stop_stale_arrays(struct builder *b)
{
	strv_foreach(md, &b->in->stale_arrays) {
		struct strv argv = STRV_INIT;
		cmd_mdadm_stop(b->in, *md, &argv);
		add_run(b, tool_root(b, &b->in->mdadm), &argv, TIMEOUT_MDADM);
	}
}

/*
 * What the second disk carried, erased where it lies before the old table
 * goes: the new partitions do not all start where the old ones did, so
 * their own wipe would miss what lies inside the old ones.
 */
static void erase_old_signatures(struct builder *b)
{
	const struct plan_inputs *in = b->in;

	if (!in->wipe_disk2 || !in->old_sigs.n)
		return;
	struct plan_action *a = add(b, OP_ERASE_OLD_SIGS);
	a->device = disk_dev(in, 1);
	a->sigs = xmalloc(sizeof(*a->sigs));
	*a->sigs = in->old_sigs;
	a->note = xstrdup("each only while its bytes are still there");
}

static void zap_disk2(struct builder *b)
{
	struct strv argv = STRV_INIT;
	char *d2 = disk_dev(b->in, 1);

	if (b->in->wipe_disk2) {
		cmd_sgdisk_zap(b->in, d2, &argv);
		add_run(b, tool_root(b, &b->in->sgdisk), &argv, TIMEOUT_PARTITION);
	}
	free(d2);
}

static void create_journal(struct builder *b)
{
	const struct plan_inputs *in = b->in;
	struct plan_action *a = add(b, OP_JOURNAL_CREATE);

	a->device = disk_dev(in, 1);
	push_number(a, in->journal_first * in->sector_size);
	a->note = dupf("sectors %" PRIu64 "-%" PRIu64 ", the last MiB", in->journal_first,
		       in->journal_last);
}

static void partition_disk2(struct builder *b)
{
	struct strv argv = STRV_INIT;
	char *d2 = disk_dev(b->in, 1);

	cmd_sgdisk_disk2(b->in, d2, &argv);
	add_run(b, tool_root(b, &b->in->sgdisk), &argv, TIMEOUT_PARTITION);
	free(d2);
}

static void pmbr_active_disk2(struct builder *b)
{
	add_pmbr_active(b, 1);
}

static void wait_disk2_partitions(struct builder *b)
{
	add_wait_partitions(b, 1, N_ARRAYS + 1);
}

static void wipe_disk2_partitions(struct builder *b)
{
	for (unsigned n = 1; n <= N_ARRAYS; n++)
		add_wipe(b, part_dev(b->in, 1, n), "all", NULL);
}

static void make_array_nodes(struct builder *b)
{
	struct plan_action *a = add(b, OP_MAKE_NODES);

	for (unsigned i = 0; i < N_ARRAYS; i++) {
		strv_pushf(&a->paths, "/dev/%s", md_array_name(i));
		push_number(a, md_devnum(i));
	}
}

static void create_md0_degraded(struct builder *b)
{
	struct strv argv = STRV_INIT;
	char *member = part_dev(b->in, 1, 1);

	cmd_mdadm_create(b->in, 0, member, &argv);
	when_not_member(add_run(b, tool_root(b, &b->in->mdadm), &argv, TIMEOUT_MDADM), 0, member);
	free(member);
}

/*
 * md0 after a restart, when it is not running: started from its members
 * through the kernel's md sysfs interface.  An installer may have no mdadm,
 * and the installed system's is on md0 itself.  Disk 2's member goes first,
 * so the kernel takes it as the reference and disk 1's joins it, recovering
 * where it must.
 */
static void start_md0(struct builder *b, bool with_disk1)
{
	struct plan_action *a = add(b, OP_START_ARRAY);
	char *member;

	a->device = dupf("/dev/%s", md_array_name(0));
	a->value = xstrdup(md_metadata_name(b->in->metadata[0]));
	push_number(a, md_devnum(0));
	member = part_dev(b->in, 1, 1);
	strv_push(&a->paths, member);
	free(member);
	if (with_disk1) {
		member = part_dev(b->in, 0, 1);
		strv_push(&a->paths, member);
		free(member);
	}
	a->cond = COND_ARRAY_STOPPED;
	a->cond_array = xstrdup(md_array_name(0));
}

static void start_md0_from_disk2(struct builder *b)
{
	start_md0(b, false);
}

static void start_md0_from_both(struct builder *b)
{
	start_md0(b, true);
}

/*
 * The resync speed the answerfile asks for.  /proc/sys/dev/raid exists only
 * once md is loaded, so this goes where md0 is known to run, in steps that
 * run on every attempt: a resumed install gets the same speed.
 */
static void set_resync_speed(struct builder *b)
{
	if (b->in->resync_speed_kib)
		add_write_sysfs(b, SPEED_LIMIT_MAX, b->in->resync_speed_kib,
				"KiB/s, for the install");
}

static void restore_resync_speed(struct builder *b)
{
	if (b->in->resync_speed_kib && b->in->speed_max_before)
		add_write_sysfs(b, SPEED_LIMIT_MAX, b->in->speed_max_before,
				"KiB/s, as it was before the install");
}

static void umount_newroot_leftover(struct builder *b)
{
	add_umount(b, XSRAID_NEWROOT, "left by an interrupted attempt");
}

static void mkfs_md0(struct builder *b)
{
	struct strv argv = STRV_INIT;
	char *md0 = dupf("/dev/%s", md_array_name(0));

	cmd_mkfs_root(b->in, md0, &argv);
	add_run(b, tool_root(b, &b->in->mkfs), &argv, TIMEOUT_MKFS);
	free(md0);
}

/* The filesystem's used blocks, at the same offsets, read back and compared. */
static void clone_root(struct builder *b)
{
	struct plan_action *a = add(b, OP_CLONE_FS);

	a->source = part_dev(b->in, 0, 1);
	a->device = dupf("/dev/%s", md_array_name(0));
	push_number(a, b->in->root_fs_bytes);
}

static void set_clone_identity(struct builder *b)
{
	struct strv argv = STRV_INIT;
	char *md0 = dupf("/dev/%s", md_array_name(0));

	cmd_tune2fs_clone_identity(b->in, md0, &argv);
	add_run(b, tool_root(b, &b->in->tune2fs), &argv, TIMEOUT_LABEL);
	free(md0);
}

static void bind_source(struct builder *b)
{
	struct plan_action *a = add(b, OP_BIND_MOUNT);

	a->source = xstrdup(b->in->target_dir);
	a->path = xstrdup(XSRAID_SOURCE);
	a->note = xstrdup("so the copy sees the filesystem itself");
}

static void mount_md0(struct builder *b)
{
	char *md0 = dupf("/dev/%s", md_array_name(0));

	add_mount(b, md0, XSRAID_NEWROOT, false);
	free(md0);
}

static void copy_tree(struct builder *b)
{
	struct plan_action *a = add(b, OP_COPY_TREE);

	a->source = xstrdup(XSRAID_SOURCE);
	a->path = xstrdup(XSRAID_NEWROOT);
}

static void umount_newroot_synced(struct builder *b)
{
	add_umount(b, XSRAID_NEWROOT, "so the copy is on the disk before it is read back");
}

static void verify_copy(struct builder *b)
{
	struct plan_action *a = add(b, OP_VERIFY_TREE);

	a->source = xstrdup(XSRAID_SOURCE);
	a->path = xstrdup(XSRAID_NEWROOT);
}

static void umount_source(struct builder *b)
{
	add_umount(b, XSRAID_SOURCE, NULL);
}

static void edit_fstab(struct builder *b)
{
	add_edit(b, "etc/fstab", EDIT_FSTAB_ROOT);
	strv_pushf(&b->step->actions[b->step->n_actions - 1].edit.values, "/dev/%s",
		   md_array_name(0));
}

static void edit_extlinux(struct builder *b)
{
	add_edit(b, "boot/extlinux.conf", EDIT_EXTLINUX_ROOT);
	strv_pushf(&b->step->actions[b->step->n_actions - 1].edit.values, "/dev/%s",
		   md_array_name(0));
}

static void write_mdadm_conf(struct builder *b)
{
	const struct plan_inputs *in = b->in;
	struct mdadm_conf_array arrays[N_ARRAYS];
	char uuids[N_ARRAYS][36], devs[N_ARRAYS][16];

	for (unsigned i = 0; i < N_ARRAYS; i++) {
		md_uuid_format(in->md_uuid[i], uuids[i]);
		xsnprintf(devs[i], sizeof(devs[i]), "/dev/%s", md_array_name(i));
		arrays[i] = (struct mdadm_conf_array){devs[i], md_metadata_name(in->metadata[i]),
						      uuids[i], 2};
	}
	add_edit(b, "etc/mdadm.conf", EDIT_WRITE);
	struct file_edit *e = &b->step->actions[b->step->n_actions - 1].edit;
	e->text = config_mdadm_conf(arrays, N_ARRAYS, in->mailaddr[0] ? in->mailaddr : NULL,
				    XSRAID_INSTALLED);
	e->mode = 0644;
}

static void shell_var(struct file_edit *e, const char *key, const char *value)
{
	strv_push(&e->keys, key);
	strv_push(&e->values, value);
}

/* xapi's inventory: the backup partition and the SR's device follow the arrays. */
static void edit_inventory(struct builder *b)
{
	char md[2][16];

	add_edit(b, "etc/xensource-inventory", EDIT_SHELL_VARS);
	struct file_edit *e = &b->step->actions[b->step->n_actions - 1].edit;
	for (unsigned i = 0; i < 2; i++)
		xsnprintf(md[i], sizeof(md[i]), "/dev/%s", md_array_name(i + 1));
	shell_var(e, "BACKUP_PARTITION", md[0]);
	shell_var(e, "DEFAULT_SR_PHYSDEVS", md[1]);
	e->n_required = 2;
}

/*
 * The first-boot SR configuration, when the installer wrote one: 6.0 writes
 * both the XS* and the plain keys; the plain ones are only kept in step
 * where it wrote them.
 */
static void edit_storage_conf(struct builder *b)
{
	char md2[16];

	if (!b->in->guest_storage)
		return;
	xsnprintf(md2, sizeof(md2), "/dev/%s", md_array_name(2));
	add_edit(b, "etc/firstboot.d/data/default-storage.conf", EDIT_SHELL_VARS);
	struct file_edit *e = &b->step->actions[b->step->n_actions - 1].edit;
	shell_var(e, "XSPARTITIONS", md2);
	shell_var(e, "XSTYPE", sr_type_name(b->in->sr_type));
	shell_var(e, "PARTITIONS", md2);
	shell_var(e, "TYPE", sr_type_name(b->in->sr_type));
	e->n_required = 2;
}

/* The new root's configuration, pointed at the md devices. */
static void configure_new_root(struct builder *b)
{
	edit_fstab(b);
	edit_extlinux(b);
	write_mdadm_conf(b);
	edit_inventory(b);
	edit_storage_conf(b);
}

/* --- day two: xsraid itself, mdadm's monitor, the periodic check ---------------- */

/* An absolute path as the copy and edit actions take it: relative to the system's root. */
static const char *below_root(const char *path)
{
	return path[0] == '/' ? path + 1 : path;
}

/* Whether the plan schedules the check itself: asked for, cron there, none scheduled yet. */
static bool checks_from_cron(const struct plan_inputs *in)
{
	return in->check != MD_CHECK_NONE && in->cron_d && !in->distro_check[0];
}

static void install_helper(struct builder *b)
{
	struct plan_action *a = add(b, OP_COPY_FILE);

	a->source = xstrdup(b->in->helper);
	a->path = path_join(XSRAID_NEWROOT, XSRAID_INSTALLED);
	a->mode = 0755;
	a->note = xstrdup("for the operator, cron and mdadm's monitor");
}

/*
 * What xsraid reads when mdadm's monitor runs it (PROGRAM in mdadm.conf):
 * after logging the event to syslog it runs the answerfile's program.
 */
static void write_event_config(struct builder *b)
{
	static const char HEADER[] =
		"# Read by xsraid when mdadm's monitor reports an md event (PROGRAM in\n"
		"# /etc/mdadm.conf): it logs the event to syslog, then runs PROGRAM, if\n"
		"# any, with the event, the array and the member, as mdadm would.\n";
	const char *keys[] = {"PROGRAM"}, *values[] = {b->in->program};
	struct buf err = BUF_INIT;
	char *text = NULL;

	/* The answerfile's parser let through only a path: setting it cannot fail. */
	if (config_shell_vars_set(HEADER, keys, values, 1, &text, &err) < 0)
		text = xstrdup(HEADER);
	buf_free(&err);
	add_edit(b, below_root(XSRAID_SYSCONFIG), EDIT_WRITE);
	struct file_edit *e = &b->step->actions[b->step->n_actions - 1].edit;
	e->text = text;
	e->mode = 0644;
}

/* Sunday at 01:00, as RHEL's raid-check; monthly runs only in the month's first week. */
static void schedule_check(struct builder *b)
{
	const struct plan_inputs *in = b->in;

	if (!checks_from_cron(in))
		return;
	add_edit(b, below_root(XSRAID_CRON_CHECK), EDIT_WRITE);
	struct file_edit *e = &b->step->actions[b->step->n_actions - 1].edit;
	e->text = dupf("# A check (scrub) of the md arrays, %s: md reads both halves of every\n"
		       "# mirror, so a sector gone bad is found while the other disk still holds\n"
		       "# its data.  Written by xsraid; xsraid status shows the check's progress.\n"
		       "0 1 * * Sun root %s scrub%s\n",
		       md_check_name(in->check), XSRAID_INSTALLED,
		       in->check == MD_CHECK_MONTHLY ? " --first-week" : "");
	e->mode = 0644;
}

/* The mdmonitor service at boot, turned on as 6.0's installer turns services on. */
static void enable_monitor(struct builder *b)
{
	struct strv argv = STRV_INIT;

	if (!b->in->chkconfig[0] || !b->in->mdmonitor[0])
		return;
	cmd_chkconfig_on(b->in, b->in->mdmonitor, &argv);
	add_run(b, XSRAID_NEWROOT, &argv, TIMEOUT_CHKCONFIG);
}

static void set_up_day_two(struct builder *b)
{
	install_helper(b);
	write_event_config(b);
	schedule_check(b);
	enable_monitor(b);
}

static void bind_newroot(struct builder *b)
{
	add_system_binds(b, OP_BIND_SYSTEM, XSRAID_NEWROOT, NULL);
}

static void rebuild_initrds(struct builder *b)
{
	strv_foreach(k, &b->in->kernels) {
		struct strv argv = STRV_INIT;
		cmd_initrd(b->in, *k, &argv);
		add_run(b, XSRAID_NEWROOT, &argv, TIMEOUT_INITRD);
	}
}

static void install_extlinux(struct builder *b)
{
	struct strv argv = STRV_INIT;

	cmd_extlinux_install(b->in, &argv);
	add_run(b, system_chroot(b), &argv, TIMEOUT_EXTLINUX);
}

static void boot_code_disk2(struct builder *b)
{
	add_boot_code(b, 1);
}

/* What must hold for @disk to boot the system on md0 on its own. */
static void verify_boots(struct builder *b, unsigned disk)
{
	const struct plan_inputs *in = b->in;
	struct plan_action *a = add(b, OP_VERIFY_BOOT);
	struct boot_expect *e = xcalloc(1, sizeof(*e));
	char u[36];

	e->disk = disk_dev(in, disk);
	e->disk_bytes = in->disk_sectors[disk] * in->sector_size;
	e->sector_size = in->sector_size;
	e->part1 = part_dev(in, disk, 1);
	e->part1_first = in->part_first[0];
	e->part1_last = in->part_last[0];
	e->boot_code = path_join(system_root(b), in->gptmbr);
	e->root_dir = xstrdup(system_root(b));
	e->root_device = dupf("/dev/%s", md_array_name(0));
	for (unsigned i = 0; i < N_ARRAYS; i++) {
		md_uuid_format(in->md_uuid[i], u);
		strv_push(&e->uuids, u);
	}
	e->root_metadata = in->metadata[0];
	strv_foreach(k, &in->kernels)
		strv_push(&e->kernels, *k);
	a->boot = e;
}

static void verify_disk2_boots(struct builder *b)
{
	verify_boots(b, 1);
}

static void verify_disk1_boots(struct builder *b)
{
	verify_boots(b, 0);
}

static void unbind_newroot(struct builder *b)
{
	add_system_binds(b, OP_UNBIND_SYSTEM, XSRAID_NEWROOT, NULL);
}

static void umount_newroot(struct builder *b)
{
	add_umount(b, XSRAID_NEWROOT,
		   b->stage == STAGE_INSTALLATION_COMPLETE ? "the arrays stay assembled" : NULL);
}

static void unbind_target(struct builder *b)
{
	add_system_binds(b, OP_UNBIND_SYSTEM, b->in->target_dir, "so the installer can unmount it");
}

static void umount_disk1(struct builder *b)
{
	add_umount(b, XSRAID_DISK1_MNT, NULL);
}

static void mount_disk1_ro(struct builder *b)
{
	char *p1 = part_dev(b->in, 0, 1);

	add_mount(b, p1, XSRAID_DISK1_MNT, true);
	free(p1);
}

static void check_disk1_root(struct builder *b)
{
	struct plan_action *a = add(b, OP_CHECK_FS_UUID);

	a->device = part_dev(b->in, 0, 1);
	a->value = xstrdup(b->in->root_uuid);
	a->note = xstrdup("the filesystem that was copied");
}

/*
 * What xsraid itself made on md0 and disk 1's root does not have: never
 * copied from disk 1, never removed.  extlinux's loader is tied to where its
 * blocks lie on md0, and the initrds were made for md0.
 */
static void own_files(const struct plan_inputs *in, struct strv *out)
{
	strv_push(out, "etc/mdadm.conf");
	strv_push(out, below_root(XSRAID_INSTALLED));
	strv_push(out, below_root(XSRAID_SYSCONFIG));
	if (checks_from_cron(in))
		strv_push(out, below_root(XSRAID_CRON_CHECK));
	strv_push(out, "boot/ldlinux.sys");
	strv_push(out, "boot/ldlinux.c32");
	strv_foreach(k, &in->kernels)
		strv_pushf(out, "boot/initrd-%s.img", *k);
}

/*
 * Whatever wrote to disk 1's root after the copy (the installer's logs, a
 * later filesystem-populated script) reaches md0 before disk 1 is taken.
 */
static void update_from_disk1(struct builder *b)
{
	struct plan_action *a = add(b, OP_UPDATE_TREE);

	a->source = xstrdup(XSRAID_DISK1_MNT);
	a->path = xstrdup(XSRAID_NEWROOT);
	own_files(b->in, &a->paths);
	a->note = xstrdup("changes and new files copied, removed files removed");
}

/* Every file but xsraid's own is as on disk 1 (before xsraid's edits are made again). */
static void verify_against_disk1(struct builder *b)
{
	struct plan_action *a = add(b, OP_VERIFY_TREE);

	a->source = xstrdup(XSRAID_DISK1_MNT);
	a->path = xstrdup(XSRAID_NEWROOT);
	own_files(b->in, &a->paths);
}

static void check_disk(struct builder *b, unsigned disk)
{
	struct plan_action *a = add(b, OP_CHECK_DISK);
	char g[37];

	a->device = disk_dev(b->in, disk);
	a->value = xstrdup(b->in->identity[disk]);
	gpt_guid_format(disk == 0 ? &b->in->disk1_guid : &b->in->disk2_guid, g);
	a->guid = xstrdup(g);
}

/* Before anything of theirs is overwritten: the disks are the ones the plan was made for. */
static void check_disks(struct builder *b)
{
	check_disk(b, 0);
	check_disk(b, 1);
}

/* md0 runs as xsraid made it: a RAID1 of its partitions 1, nothing else. */
static void check_md0(struct builder *b)
{
	struct plan_action *a = add(b, OP_CHECK_ARRAY);

	a->device = dupf("/dev/%s", md_array_name(0));
	a->value = xstrdup("raid1");
	for (unsigned d = 2; d-- > 0;) {
		char *p = part_dev(b->in, d, 1);
		strv_push(&a->paths, p);
		free(p);
	}
}

static void label_md0(struct builder *b)
{
	struct strv argv = STRV_INIT;
	char *md0 = dupf("/dev/%s", md_array_name(0));

	cmd_tune2fs_label(b->in, md0, &argv);
	add_run(b, tool_root(b, &b->in->tune2fs), &argv, TIMEOUT_LABEL);
	free(md0);
}

static void partition_disk1(struct builder *b)
{
	struct strv argv = STRV_INIT;
	char *d1 = disk_dev(b->in, 0);

	cmd_sgdisk_disk1(b->in, d1, &argv);
	add_run(b, tool_root(b, &b->in->sgdisk), &argv, TIMEOUT_PARTITION);
	free(d1);
}

static void wait_disk1_partitions(struct builder *b)
{
	add_wait_partitions(b, 0, N_ARRAYS);
}

static void wipe_disk1_partitions(struct builder *b)
{
	add_wipe(b, part_dev(b->in, 0, 1), "raid", "its filesystem stays until it joins md0");
	for (unsigned n = 2; n <= N_ARRAYS; n++)
		add_wipe(b, part_dev(b->in, 0, n), "all", NULL);
}

static void add_disk1_to_md0(struct builder *b)
{
	struct strv argv = STRV_INIT;
	char *member = part_dev(b->in, 0, 1);

	cmd_mdadm_add(b->in, 0, member, &argv);
	when_not_member(add_run(b, tool_root(b, &b->in->mdadm), &argv, TIMEOUT_MDADM), 0, member);
	free(member);
}

/*
 * The backup partition and the SR partition hold nothing yet: the SR is
 * made at first boot and the backup partition at the first upgrade.  Built
 * whole, both members are in sync from the start, so either disk brings
 * them up alone without hours of resync over empty space.
 */
static void create_data_arrays(struct builder *b)
{
	for (unsigned i = 1; i < N_ARRAYS; i++) {
		struct strv argv = STRV_INIT;
		char *m1 = part_dev(b->in, 0, i + 1), *m2 = part_dev(b->in, 1, i + 1);
		cmd_mdadm_create_clean(b->in, i, m1, m2, &argv);
		when_not_member(add_run(b, tool_root(b, &b->in->mdadm), &argv, TIMEOUT_MDADM), i,
				m1);
		free(m1);
		free(m2);
	}
}

static void boot_code_disk1(struct builder *b)
{
	add_boot_code(b, 0);
}

static void pmbr_active_disk1(struct builder *b)
{
	add_pmbr_active(b, 0);
}

/* md0's recovery onto partition 1 of @disk. */
static void add_wait_sync(struct builder *b, unsigned disk)
{
	struct plan_action *a = add(b, OP_WAIT_SYNC);

	a->device = dupf("/dev/%s", md_array_name(0));
	a->value = part_dev(b->in, disk, 1);
	a->note = xstrdup("showing progress");
}

static void wait_md0_sync(struct builder *b)
{
	add_wait_sync(b, 0);
}

static void save_log(struct builder *b)
{
	struct plan_action *a = add(b, OP_COPY_FILE);

	a->source = xstrdup(XSRAID_LOG);
	a->path = path_join(XSRAID_NEWROOT, "var/log/installer/xsraid-log");
}

/* --- replacing a disk ------------------------------------------------------------- */

/*
 * A failed member leaves its array through md's sysfs, as mdadm --remove
 * does; this works when its disk is gone from the system too.
 */
static void remove_failed_members(struct builder *b)
{
	strv_foreach(rm, &b->in->remove_members) {
		const char *colon = strchr(*rm, ':');
		if (!colon)
			continue;
		char *md = xstrndup(*rm, (size_t)(colon - *rm));
		char sys[96];
		str_copy(sys, sizeof(sys), colon + 1);
		for (char *c = sys; *c; c++)
			*c = *c == '/' ? '!' : *c;
		struct plan_action *a = add(b, OP_WRITE_SYSFS);
		a->path = dupf("/sys/block/%s/md/dev-%s/state", md, sys);
		a->value = xstrdup("remove");
		a->note = dupf("the failed member %s leaves %s", colon + 1, md);
		a->cond = COND_MEMBER;
		a->cond_array = md;
		a->cond_member = xstrdup(colon + 1);
	}
}

static void check_good_disk(struct builder *b)
{
	check_disk(b, 0);
}

/* md0 first: it is rebuilt first, so the new disk can boot as soon as possible. */
static void add_new_members(struct builder *b)
{
	for (unsigned i = 0; i < N_ARRAYS; i++) {
		struct strv argv = STRV_INIT;
		char *member = part_dev(b->in, 1, i + 1);
		cmd_mdadm_add(b->in, i, member, &argv);
		when_not_member(add_run(b, tool_root(b, &b->in->mdadm), &argv, TIMEOUT_MDADM), i,
				member);
		free(member);
	}
}

static void wait_new_md0_sync(struct builder *b)
{
	add_wait_sync(b, 1);
}

static void verify_new_disk_boots(struct builder *b)
{
	verify_boots(b, 1);
}

/* --- the stages ----------------------------------------------------------------- */

typedef void (*destroys_fn)(const struct plan_inputs *in, struct buf *out);

static void destroys_disk2(const struct plan_inputs *in, struct buf *out)
{
	buf_printf(out, "everything on /dev/%s", in->disk[1]);
}

static void destroys_md0(const struct plan_inputs *in, struct buf *out)
{
	(void)in;
	buf_printf(out, "the contents of /dev/%s", md_array_name(0));
}

static void destroys_disk1_table(const struct plan_inputs *in, struct buf *out)
{
	buf_printf(out, "the partition table of /dev/%s", in->disk[0]);
}

static void destroys_disk1_install(const struct plan_inputs *in, struct buf *out)
{
	buf_printf(out, "the original installation on /dev/%s", in->disk[0]);
}

static void destroys_data_partitions(const struct plan_inputs *in, struct buf *out)
{
	buf_printf(out, "partitions 2 and 3 of /dev/%s and of /dev/%s", in->disk[0], in->disk[1]);
}

static bool has_stale_arrays(const struct plan_inputs *in)
{
	return in->stale_arrays.n > 0;
}

static bool copies_files(const struct plan_inputs *in)
{
	return in->root_copy == ROOT_COPY_FILES;
}

static bool copies_blocks(const struct plan_inputs *in)
{
	return in->root_copy == ROOT_COPY_BLOCKS;
}

static bool has_failed_members(const struct plan_inputs *in)
{
	return in->remove_members.n > 0;
}

#define MAX_BUILDERS 12

struct step_def {
	const char *id;
	enum plan_stage stage;
	bool always;
	const char *title;
	destroys_fn destroys;			      /* NULL: the step destroys nothing */
	bool (*wanted)(const struct plan_inputs *in); /* NULL: always in the plan */
	build_fn build[MAX_BUILDERS];
};

#define A STAGE_FILESYSTEM_POPULATED
#define B STAGE_INSTALLATION_COMPLETE

// clang-format off
/*
 * What makes disk 2 a system of its own once md0 holds the root: in the first
 * stage after a file copy, in the second after a block copy.
 */
#define BUILD_DISK2_STEPS(stage, copy)                                                             \
	{"configure-target", stage, .wanted = copy,                                                \
	 .title = "Point the new root's configuration at the md devices",                         \
	 .build = {mount_md0, configure_new_root}},                                                \
	{"set-up-monitoring", stage, .wanted = copy,                                               \
	 .title = "Install xsraid on the new root, turn mdadm's monitor on and schedule a check "  \
		  "of the arrays",                                                                  \
	 .build = {mount_md0, set_up_day_two}},                                                    \
	{"rebuild-initrds", stage, .wanted = copy,                                                 \
	 .title = "Rebuild every initrd with the target's own tool while the arrays run",         \
	 .build = {mount_md0, bind_newroot, rebuild_initrds}},                                     \
	{"bootloader-disk2", stage, .wanted = copy,                                                \
	 .title = "Install extlinux on md0 and gptmbr.bin on the second disk",                    \
	 .build = {mount_md0, bind_newroot, install_extlinux, boot_code_disk2}},                   \
	{"verify-disk2", stage, .wanted = copy,                                                    \
	 .title = "Check that the second disk can boot the new system on its own",                \
	 .build = {mount_md0, verify_disk2_boots}}

/* The manual procedure, in order.  Disk 1 is only touched once disk 2 is verified to boot. */
static const struct step_def STEPS[] = {
	{"prepare", A, .always = true,
	 .title = "Prepare xsraid's working directories and tools",
	 .build = {make_workdir, bind_target_for_tools}},
	{"stop-stale-arrays", A, .wanted = has_stale_arrays,
	 .title = "Stop the arrays that run from the second disk",
	 .build = {stop_stale_arrays}},
	{"partition-disk2", A, .destroys = destroys_disk2,
	 .title = "Give the second disk the first disk's layout, a 1 MiB-aligned partition 3 and the journal",
	 .build = {erase_old_signatures, zap_disk2, create_journal, partition_disk2, pmbr_active_disk2,
		   wait_disk2_partitions}},
	{"wipe-disk2-partitions", A,
	 .title = "Erase old signatures inside the second disk's new partitions",
	 .build = {wipe_disk2_partitions}},
	{"create-root-array", A,
	 .title = "Create md0 degraded on the second disk",
	 .build = {make_array_nodes, create_md0_degraded}},
	/* After a restart md0 is not running; every later step of this stage needs it. */
	{"start-root-array", A, .always = true,
	 .title = "Make sure md0 runs",
	 .build = {start_md0_from_disk2, check_md0, set_resync_speed}},
	{"copy-root", A, .wanted = copies_files, .destroys = destroys_md0,
	 .title = "Make the root filesystem on md0 and copy the installed system into it",
	 .build = {umount_newroot_leftover, mkfs_md0, bind_source, mount_md0, copy_tree, umount_newroot_synced}},
	{"verify-copy", A, .wanted = copies_files,
	 .title = "Compare the copy with the installed system",
	 .build = {bind_source, mount_md0, verify_copy, umount_source}},
	BUILD_DISK2_STEPS(A, copies_files),
	{"finish-disk2", A,
	 .title = "Unmount the new root; leave the arrays running for the installer's last steps",
	 .build = {unbind_newroot, umount_newroot, umount_source, unbind_target}},

	{"reopen", B, .always = true, .wanted = copies_files,
	 .title = "Make sure the arrays run and mount the new root",
	 .build = {make_workdir, start_md0_from_both, check_md0, set_resync_speed, mount_md0, bind_newroot}},
	{"reopen", B, .always = true, .wanted = copies_blocks,
	 .title = "Make sure md0 runs",
	 .build = {make_workdir, start_md0_from_both, check_md0, set_resync_speed}},
	/* A block copy: disk 2 is built now, from disk 1's root as the installer left it. */
	{"clone-root", B, .wanted = copies_blocks, .destroys = destroys_md0,
	 .title = "Copy the blocks the installed root filesystem uses to md0, and read them back",
	 .build = {umount_newroot_leftover, check_disk1_root, clone_root, set_clone_identity}},
	BUILD_DISK2_STEPS(B, copies_blocks),
	/* A resumed run skips the steps above: the ones below run the new root's tools. */
	{"mount-new-root", B, .always = true, .wanted = copies_blocks,
	 .title = "Make sure the new root is mounted, with /dev, /proc and /sys, for its tools",
	 .build = {mount_md0, bind_newroot}},
	{"catch-up", B, .wanted = copies_files,
	 .title = "Bring md0 up to date with what was written to the first disk after the copy, and check again that the second disk boots",
	 .build = {unbind_newroot, mount_disk1_ro, check_disk1_root, update_from_disk1,
		   verify_against_disk1, umount_disk1, configure_new_root, set_up_day_two,
		   verify_disk2_boots, bind_newroot}},
	{"partition-disk1", B, .destroys = destroys_disk1_table, .wanted = copies_files,
	 .title = "Retype the first disk's partitions as Linux RAID and align partition 3",
	 .build = {check_disks, partition_disk1, wait_disk1_partitions}},
	{"partition-disk1", B, .destroys = destroys_disk1_table, .wanted = copies_blocks,
	 .title = "Give the first disk the second disk's partitions 1 and 2, as Linux RAID, and align partition 3",
	 .build = {check_disks, partition_disk1, wait_disk1_partitions}},
	{"wipe-disk1-partitions", B,
	 .title = "Erase stale RAID superblocks and old signatures before disk 1 joins",
	 .build = {check_disks, wipe_disk1_partitions}},
	{"add-disk1", B, .destroys = destroys_disk1_install,
	 .title = "Add the first disk's root partition to md0",
	 .build = {check_disks, add_disk1_to_md0}},
	/* Only now: until disk 1's root was a member, two filesystems would have had its label. */
	{"label-root", B,
	 .title = "Give md0's filesystem the installed system's label",
	 .build = {label_md0}},
	{"create-data-arrays", B, .destroys = destroys_data_partitions,
	 .title = "Create md1 and md2 on both disks; they hold no data yet, so no resync",
	 .build = {check_disks, create_data_arrays}},
	{"bootloader-disk1", B,
	 .title = "Write gptmbr.bin to the first disk too",
	 .build = {check_disks, boot_code_disk1, pmbr_active_disk1}},
	{"wait-root-resync", B,
	 .title = "Wait until md0 is in sync, so either disk boots on its own",
	 .build = {wait_md0_sync}},
	/* The last gate: both disks, the first now a member, each boot the system alone. */
	{"verify-disks", B,
	 .title = "Check that each disk, md0 in sync, can boot the system on its own",
	 .build = {verify_disk1_boots, verify_disk2_boots}},
	{"finish", B,
	 .title = "Save the log and leave the arrays assembled",
	 .build = {restore_resync_speed, save_log, unbind_newroot, umount_newroot}},
};
// clang-format on

#define R STAGE_REPLACE_DISK

/*
 * A new disk in place of a failed one, on the running host: only the new
 * disk is written; the good disk is only read, by md, to rebuild.
 */
// clang-format off
static const struct step_def REPLACE_STEPS[] = {
	{"remove-failed", R, .wanted = has_failed_members,
	 .title = "Take the failed disk's members out of the arrays",
	 .build = {remove_failed_members}},
	{"partition-new-disk", R, .destroys = destroys_disk2,
	 .title = "Give the new disk the good disk's partitions with new GUIDs, and the journal",
	 .build = {check_good_disk, zap_disk2, create_journal, partition_disk2, pmbr_active_disk2,
		   wait_disk2_partitions}},
	{"wipe-new-partitions", R,
	 .title = "Erase old signatures inside the new disk's partitions",
	 .build = {check_disks, wipe_disk2_partitions}},
	{"add-to-arrays", R,
	 .title = "Add the new disk's partitions to md0, md1 and md2; md rebuilds them one after the other",
	 .build = {check_disks, add_new_members}},
	{"boot-code", R,
	 .title = "Write gptmbr.bin to the new disk",
	 .build = {check_disks, boot_code_disk2}},
	{"wait-root-sync", R,
	 .title = "Wait until md0 is rebuilt onto the new disk",
	 .build = {wait_new_md0_sync}},
	{"bootloader", R,
	 .title = "Install extlinux on md0 again, so both disks carry the same boot sector and loader",
	 .build = {install_extlinux}},
	{"verify-new-disk", R,
	 .title = "Check that the new disk can boot the system on its own",
	 .build = {verify_new_disk_boots}},
};
// clang-format on

#undef R
#undef BUILD_DISK2_STEPS

/* What a failed first stage releases, so the installer can unmount its target. */
static const build_fn CLEANUP[] = {unbind_newroot, umount_newroot, umount_disk1, umount_source,
				   unbind_target};

#undef A
#undef B

static void build_step(struct builder *b, const struct step_def *d)
{
	struct plan *p = b->plan;

	p->steps = xrealloc(p->steps, (p->n_steps + 1) * sizeof(*p->steps));
	struct plan_step *s = &p->steps[p->n_steps++];
	memset(s, 0, sizeof(*s));
	s->id = d->id;
	s->stage = d->stage;
	s->title = d->title;
	s->always = d->always;
	if (d->destroys) {
		struct buf what = BUF_INIT;
		d->destroys(b->in, &what);
		s->destroys = buf_detach(&what);
	}
	b->stage = d->stage;
	b->step = s;
	for (size_t i = 0; i < MAX_BUILDERS && d->build[i]; i++)
		d->build[i](b);
}

/* What the installed system lacks for monitoring: said, not refused. */
static void add_day_two_notes(struct plan *p)
{
	const struct plan_inputs *in = &p->in;

	if (!in->mdmonitor[0])
		strv_push(&p->notes, "the installed system has no mdmonitor init script: nothing "
				     "starts mdadm's monitor at boot; run mdadm --monitor --scan "
				     "--daemonise from a start-up script of your own");
	else if (!in->chkconfig[0])
		strv_pushf(&p->notes,
			   "the installed system has no chkconfig: %s is not turned on; turn it "
			   "on yourself",
			   in->mdmonitor);
	if (in->check != MD_CHECK_NONE && in->distro_check[0])
		strv_pushf(&p->notes,
			   "the installed system's mdadm checks the arrays itself (%s): xsraid "
			   "schedules no check",
			   in->distro_check);
	else if (in->check != MD_CHECK_NONE && !in->cron_d)
		strv_push(&p->notes, "the installed system has no /etc/cron.d: no check of the "
				     "arrays is scheduled");
}

static void add_notes(struct plan *p)
{
	const struct plan_inputs *in = &p->in;
	uint64_t ss = in->sector_size;

	if (in->wipe_disk2)
		strv_pushf(&p->notes, "/dev/%s will be erased: %s", in->disk[1], in->wipe_reason);
	if (in->purpose == PURPOSE_REPLACE_DISK) {
		strv_foreach(rm, &in->remove_members)
			strv_pushf(&p->notes, "%.*s's failed member %s is taken out first",
				   (int)strcspn(*rm, ":"), *rm,
				   strchr(*rm, ':') ? strchr(*rm, ':') + 1 : *rm);
		strv_pushf(&p->notes,
			   "md1 and md2 are rebuilt after md0, in the background: xsraid status "
			   "shows their progress; /dev/%s is only read",
			   in->disk[0]);
		return;
	}
	add_day_two_notes(p);
	if (in->root_copy_note[0])
		strv_pushf(&p->notes,
			   "copy=\"blocks\" was asked for, but the root is copied file by "
			   "file: %s",
			   in->root_copy_note);
	if (in->root_copy == ROOT_COPY_BLOCKS) {
		char h[32];
		format_size(h, sizeof(h), in->root_fs_bytes);
		strv_pushf(
			&p->notes,
			"the root is copied as blocks once the installer has finished: partition "
			"1 ends at sector %" PRIu64 " on both disks, past the %s filesystem, so "
			"md0 holds it whole",
			in->part_last[0], h);
	}
	uint64_t p3 = (in->part_last[2] - in->part_first[2] + 1) * ss;
	/* What disk 1 could hold from partition 3's start to its last usable sector. */
	uint64_t room = (in->disk_sectors[0] - 2 - 16384 / ss - in->part_first[2] + 1) * ss;
	if (room > p3 + JOURNAL_AREA_BYTES) {
		char h1[32], h2[32];
		format_size(h1, sizeof(h1), p3);
		format_size(h2, sizeof(h2), room);
		strv_pushf(&p->notes,
			   "md2 is %s, not the %s /dev/%s could hold: /dev/%s is smaller", h1, h2,
			   in->disk[0], in->disk[1]);
	}
	if (!in->guest_storage)
		strv_push(&p->notes, "guest-storage is off: md2 is created, no SR is configured");
	for (unsigned i = 1; i < N_ARRAYS; i++)
		if (in->metadata[i] != in->metadata[0])
			strv_pushf(
				&p->notes,
				"%s uses metadata %s: md %s cannot hold members of 2 TiB and more on "
				"Linux 2.6.32, and only md0 must be assembled by the initrd",
				md_array_name(i), md_metadata_name(in->metadata[i]),
				md_metadata_name(in->metadata[0]));
}

void plan_build(const struct plan_inputs *in, struct plan *ret)
{
	struct plan p = {0};
	struct builder b = {.plan = &p};

	inputs_copy(&p.in, in);
	b.in = &p.in;
	p.journal.device = disk_dev(in, 1);
	p.journal.offset = in->journal_first * in->sector_size;
	p.journal.sector_size = in->sector_size;
	add_notes(&p);
	if (in->purpose == PURPOSE_REPLACE_DISK) {
		for (size_t i = 0; i < ARRAY_SIZE(REPLACE_STEPS); i++)
			if (!REPLACE_STEPS[i].wanted || REPLACE_STEPS[i].wanted(in))
				build_step(&b, &REPLACE_STEPS[i]);
		*ret = p;
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(STEPS); i++)
		if (!STEPS[i].wanted || STEPS[i].wanted(in))
			build_step(&b, &STEPS[i]);
	p.cleanup.id = "release-mounts";
	p.cleanup.stage = STAGE_FILESYSTEM_POPULATED;
	p.cleanup.title = "Release what the first stage mounted";
	b.stage = STAGE_FILESYSTEM_POPULATED;
	b.step = &p.cleanup;
	for (size_t i = 0; i < ARRAY_SIZE(CLEANUP); i++)
		CLEANUP[i](&b);
	*ret = p;
}

void boot_expect_free(struct boot_expect *e)
{
	free(e->disk);
	free(e->part1);
	free(e->boot_code);
	free(e->root_dir);
	free(e->root_device);
	strv_free(&e->uuids);
	strv_free(&e->kernels);
	free(e->sgdisk);
	free(e->extlinux);
	memset(e, 0, sizeof(*e));
}

void plan_action_free(struct plan_action *a)
{
	strv_free(&a->argv);
	free(a->chroot);
	free(a->device);
	free(a->path);
	free(a->source);
	free(a->fstype);
	free(a->value);
	free(a->guid);
	strv_free(&a->paths);
	free(a->numbers);
	strv_free(&a->edit.keys);
	strv_free(&a->edit.values);
	free(a->edit.text);
	if (a->boot) {
		boot_expect_free(a->boot);
		free(a->boot);
	}
	free(a->sigs);
	free(a->cond_array);
	free(a->cond_member);
	free(a->note);
}

static void step_free(struct plan_step *s)
{
	for (size_t j = 0; j < s->n_actions; j++)
		plan_action_free(&s->actions[j]);
	free(s->actions);
	free(s->destroys);
	free(s->own_id);
	free(s->own_title);
}

struct plan_step *plan_add_step(struct plan *p, enum plan_stage stage, const char *id,
				const char *title)
{
	p->steps = xrealloc(p->steps, (p->n_steps + 1) * sizeof(*p->steps));
	struct plan_step *s = &p->steps[p->n_steps++];
	memset(s, 0, sizeof(*s));
	s->stage = stage;
	s->id = s->own_id = xstrdup(id);
	s->title = s->own_title = xstrdup(title);
	return s;
}

void plan_step_take_action(struct plan_step *s, struct plan_action *a)
{
	s->actions = xrealloc(s->actions, (s->n_actions + 1) * sizeof(*s->actions));
	s->actions[s->n_actions++] = *a;
	memset(a, 0, sizeof(*a));
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n_steps; i++)
		step_free(&p->steps[i]);
	free(p->steps);
	step_free(&p->cleanup);
	free(p->journal.device);
	strv_free(&p->notes);
	inputs_free(&p->in);
	memset(p, 0, sizeof(*p));
}

const struct plan_step *plan_find_step(const struct plan *p, const char *id)
{
	for (size_t i = 0; i < p->n_steps; i++)
		if (!strcmp(p->steps[i].id, id))
			return &p->steps[i];
	return NULL;
}
