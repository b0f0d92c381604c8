// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writes the seeds that xsraid's own code makes: the plan inputs for a
 * XenServer 6.0.2 root (as a journal carries them), journals of a first
 * stage under way with 512- and 4096-byte sectors (one torn by a power cut
 * in its last record), and a GPT with 4096-byte sectors, which sgdisk does
 * not write to an image file; and the plan inputs and journal of a disk
 * replacement on a host xsraid installed.
 *
 * usage: seeds ROOT ANSWERFILE HOSTROOT OUTDIR   (make-seeds.sh runs it)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "answerfile.h"
#include "decide.h"
#include "discover.h"
#include "gpt.h"
#include "journal.h"
#include "mirror.h"
#include "plan.h"
#include "util.h"

static void die(const char *what)
{
	fprintf(stderr, "seeds: %s\n", what);
	exit(1);
}

static void save(const char *dir, const char *name, const void *data, size_t len)
{
	char *path = path_join(dir, name);

	if (mkdir_p(dir, 0755) < 0 || write_file_atomic(path, data, len, 0644) < 0)
		die(path);
	free(path);
}

/* The plan inputs for @answerfile on @root, serialised as the journal carries them. */
static void plan_inputs_for(const char *root, const char *answerfile, struct buf *payload,
			    struct plan *p)
{
	struct buf text = BUF_INIT, err = BUF_INIT;
	struct answerfile af;
	struct inventory inv = {0};
	struct mirror m = {0};
	struct plan_inputs in = {0};

	if (read_file(answerfile, 1 << 20, &text) < 0 ||
	    answerfile_parse(text.data, text.len, answerfile, &af, &err) < 0 ||
	    discover(root, "/tmp/root", &inv) < 0)
		die(err.data ? err.data : "cannot read the answerfile or the root");
	const char *asked[2] = {af.raid.disks[0], af.raid.disks[1]};
	mirror_find(&inv, asked, &m);
	if (decide_inputs(&af, &inv, &m, "/tmp/root", &in, &err) < 0)
		die(err.data ? err.data : "cannot make plan inputs");
	inputs_serialize(&in, payload);
	plan_build(&in, p);
	inputs_free(&in);
	mirror_free(&m);
	inventory_free(&inv);
	answerfile_free(&af);
	buf_free(&text);
	buf_free(&err);
}

/* The plan inputs for replacing sdb on the host root @root (make-hostroot.sh degraded). */
static void replacement_inputs_for(const char *root, struct buf *payload, struct plan *p)
{
	const struct replace_request req = {"sdb", NULL, false};
	struct buf err = BUF_INIT;
	struct inventory inv = {0};
	struct mirror m = {0};
	struct plan_inputs in = {0};

	if (discover(root, "/", &inv) < 0)
		die("cannot read the host root");
	mirror_find_replacement(&inv, req.new_disk, &m);
	if (decide_replace(&req, &inv, &m, &in, &err) < 0)
		die(err.data ? err.data : "cannot make replacement inputs");
	inputs_serialize(&in, payload);
	plan_build(&in, p);
	inputs_free(&in);
	mirror_free(&m);
	inventory_free(&inv);
	buf_free(&err);
}

/*
 * A journal area on a scratch file: the header with @payload, then BEGIN and
 * DONE records for the plan's first steps, the last one only begun, as a
 * power cut in that step leaves it.  Saves the header and @n_records blocks.
 */
static void journal_seed(const char *dir, const char *name, uint32_t sector_size,
			 const char *payload, const struct plan *p, unsigned n_records, bool torn)
{
	static const struct gpt_guid guid = {{0x58, 0x53, 0x52, 0x41, 0x49, 0x44, 0x2d, 0x4a, 0x4f,
					      0x55, 0x52, 0x4e, 0x41, 0x4c, 0x2d, 0x31}};
	char *path = path_join(dir, ".journal-area");
	uint32_t block = sector_size > 512 ? sector_size : 512;
	size_t len = JOURNAL_HEADER_BYTES + (size_t)n_records * block;
	struct journal j;
	struct buf area = BUF_INIT;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || ftruncate(fd, JOURNAL_AREA_BYTES) < 0)
		die(path);
	close(fd);
	if (journal_create(path, 0, sector_size, &guid, payload, &j) < 0)
		die("journal_create");
	for (unsigned i = 0, step = 0; i < n_records && step < p->n_steps; step++) {
		const char *id = p->steps[step].id;
		if (journal_append(&j, step + 1, id, JOURNAL_BEGIN, 0, p->steps[step].title) < 0)
			die("journal_append");
		if (++i < n_records && journal_append(&j, step + 1, id, JOURNAL_DONE, 0, NULL) < 0)
			die("journal_append");
		i++;
	}
	journal_close(&j);
	if (read_file(path, JOURNAL_AREA_BYTES, &area) < 0)
		die(path);
	if (torn) /* a flipped byte in the last record: its CRC no longer matches */
		area.data[len - block + 100] ^= 0x5a;
	save(dir, name, area.data, len);
	unlink(path);
	buf_free(&area);
	free(path);
}

/* XenServer 6.0.2's layout, scaled down, on a disk with 4096-byte sectors. */
static void gpt_4k_seed(const char *dir)
{
	static const struct gpt_guid disk = {{0x34, 0x4b, 0x2d, 0x64, 0x69, 0x73, 0x6b, 0x2d, 0x67,
					      0x75, 0x69, 0x64, 0x2d, 0x30, 0x30, 0x31}};
	struct gpt_partition parts[3] = {
		{.number = 1, .first_lba = 6, .last_lba = 7, .name = "root"},
		{.number = 2, .first_lba = 8, .last_lba = 9, .name = "backup"},
		{.number = 3, .first_lba = 10, .last_lba = 10, .name = "storage"},
	};
	char *path = path_join(dir, ".gpt-4k");
	struct buf img = BUF_INIT;
	int fd;

	parts[0].type = GPT_TYPE_BASIC_DATA;
	parts[0].attributes = GPT_ATTR_LEGACY_BIOS_BOOTABLE;
	parts[1].type = GPT_TYPE_BASIC_DATA;
	parts[2].type = GPT_TYPE_LINUX_LVM;
	for (int i = 0; i < 3; i++)
		for (int k = 0; k < 16; k++)
			parts[i].unique.b[k] = (uint8_t)(0x10 * (i + 1) + k);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	/* 16 sectors: MBR, header, 4 entry sectors, 5 usable, 4 entry sectors, header. */
	if (fd < 0 || gpt_write_image(fd, 4096, 16, &disk, parts, 3) < 0)
		die("gpt_write_image");
	close(fd);
	if (read_file(path, 1 << 20, &img) < 0)
		die(path);
	save(dir, "xenserver-4k", img.data, img.len);
	unlink(path);
	buf_free(&img);
	free(path);
}

int main(int argc, char **argv)
{
	struct buf payload = BUF_INIT, replace = BUF_INIT;
	struct plan p, rp;

	if (argc != 5)
		die("usage: seeds ROOT ANSWERFILE HOSTROOT OUTDIR");
	const char *out = argv[4];
	char *dir_inputs = path_join(out, "plan_inputs");
	char *dir_journal = path_join(out, "journal");
	char *dir_gpt = path_join(out, "gpt");

	plan_inputs_for(argv[1], argv[2], &payload, &p);
	save(dir_inputs, "xenserver-602", payload.data, payload.len);
	journal_seed(dir_journal, "stage-a-512", 512, payload.data, &p, 9, false);
	journal_seed(dir_journal, "stage-a-512-torn", 512, payload.data, &p, 9, true);
	journal_seed(dir_journal, "stage-a-4096", 4096, payload.data, &p, 3, false);
	gpt_4k_seed(dir_gpt);
	replacement_inputs_for(argv[3], &replace, &rp);
	save(dir_inputs, "replace-disk", replace.data, replace.len);
	journal_seed(dir_journal, "replace-disk-512", 512, replace.data, &rp, 5, false);
	plan_free(&rp);
	plan_free(&p);
	buf_free(&replace);
	buf_free(&payload);
	free(dir_inputs);
	free(dir_journal);
	free(dir_gpt);
	return 0;
}
