// SPDX-License-Identifier: GPL-2.0-only
/*
 * xsraid-remaster: puts xsraid into a stock XenServer install.img or
 * installer ISO.  See initramfs/README.md.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "iso.h"
#include "log.h"
#include "remaster.h"

static const char usage[] =
	"usage: xsraid-remaster image STOCK.img OUT.img --helper FILE --hooks DIR [--answerfile FILE]\n"
	"       xsraid-remaster iso STOCK.iso OUT.iso --helper FILE --hooks DIR\n"
	"                       (--answerfile FILE | --answerfile-url URL [--via-generator])\n"
	"       xsraid-remaster inspect STOCK.img\n"
	"\n"
	"image    STOCK.img with /opt/xsraid added (and /answerfile.xml), same compression\n"
	"iso      STOCK.iso with its install.img remastered and a new default boot entry\n"
	"         that installs unattended with the answerfile\n"
	"inspect  what the remaster finds in STOCK.img, and whether it would refuse it\n"
	"\n"
	"  --helper FILE        the static xsraid, as /opt/xsraid/xsraid (none: leave it out)\n"
	"  --hooks DIR          every file of DIR as /opt/xsraid/NAME, mode 0755\n"
	"  --answerfile FILE    embed FILE as /answerfile.xml, checked as xsraid reads it\n"
	"  --answerfile-url URL the new boot entry fetches the answerfile from URL\n"
	"  --via-generator      ... through xsraid's answerfile generator (XCP-ng syntax, https)\n"
	"\n"
	"Nothing is written unless everything succeeds; the same inputs give the same bytes\n"
	"(added entries are dated $SOURCE_DATE_EPOCH, else as the stock image's newest entry).\n"
	"Exit status: 0 done, 1 refused or failed, 2 usage.\n";

static int usage_error(const char *msg)
{
	fprintf(stderr, "xsraid-remaster: %s\n%s", msg, usage);
	return 2;
}

static int cmd_image(const char *stock, const char *out, const struct payload *p)
{
	struct buf img = BUF_INIT;
	uint32_t epoch;
	int r = remaster_image(stock, stock, p, stdout, &img, &epoch);

	if (r == 0) {
		r = write_file_atomic(out, img.data, img.len, 0644);
		if (r < 0)
			log_errno(r, "cannot write %s", out);
	}
	if (r == 0) {
		char size[32];
		format_size(size, sizeof(size), img.len);
		printf("wrote %s (%s)\n", out, size);
	}
	buf_free(&img);
	return r;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"helper", required_argument, NULL, 'b'},
		{"hooks", required_argument, NULL, 'k'},
		{"answerfile", required_argument, NULL, 'a'},
		{"answerfile-url", required_argument, NULL, 'u'},
		{"via-generator", no_argument, NULL, 'g'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct remaster_opts o = {0};
	bool have_helper = false;
	struct payload p;
	int c, r;

	log_set_prefix("xsraid-remaster");
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			have_helper = true;
			o.helper = strcmp(optarg, "none") == 0 ? NULL : optarg;
			break;
		case 'k':
			o.hooks_dir = optarg;
			break;
		case 'a':
			o.answerfile = optarg;
			break;
		case 'u':
			o.answerfile_url = optarg;
			break;
		case 'g':
			o.via_generator = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	const char *verb = optind < argc ? argv[optind] : "";
	int args = argc - optind - 1;

	if (strcmp(verb, "inspect") == 0) {
		if (args != 1)
			return usage_error("inspect takes one image");
		if (remaster_inspect(argv[optind + 1], stdout) < 0)
			return 1;
		printf("%s can be remastered\n", argv[optind + 1]);
		return 0;
	}
	bool iso = strcmp(verb, "iso") == 0;
	if (!iso && strcmp(verb, "image") != 0)
		return usage_error("say image, iso or inspect");
	if (args != 2)
		return usage_error("give the stock file and the output file");
	if (!have_helper || !o.hooks_dir)
		return usage_error("--helper and --hooks are needed");
	if (o.answerfile && o.answerfile_url)
		return usage_error("--answerfile or --answerfile-url, not both");
	if (!iso && o.answerfile_url)
		return usage_error("--answerfile-url is for iso: an image has no boot entry");
	if (iso && !o.answerfile && !o.answerfile_url)
		return usage_error(
			"iso needs --answerfile or --answerfile-url for its unattended entry");
	if (o.via_generator && !o.answerfile_url)
		return usage_error("--via-generator goes with --answerfile-url");

	if (payload_load(&o, &p) < 0)
		return 1;
	const char *stock = argv[optind + 1], *out = argv[optind + 2];
	r = iso ? iso_remaster(stock, out, &p, stdout) : cmd_image(stock, out, &p);
	payload_free(&p);
	return r < 0 ? 1 : 0;
}
