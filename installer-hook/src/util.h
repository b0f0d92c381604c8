/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef XSRAID_UTIL_H
#define XSRAID_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Allocation that cannot fail: an installer helper that runs out of memory
 * has nothing sensible left to do, so these print a message and abort.
 */
void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * struct buf - a growable byte buffer.
 *
 * Invariants: @data is NULL or points to @cap bytes; @len < @cap whenever
 * @data is non-NULL, and data[len] == '\0', so the contents can always be
 * used as a C string.  BUF_INIT is a valid empty buffer.
 */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT                                                                                   \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
/* Returns the string (never NULL) and leaves @b empty; the caller frees it. */
char *buf_detach(struct buf *b);

/**
 * struct strv - a NULL-terminated, growable array of owned strings.
 *
 * Invariant: @v is NULL (empty) or v[n] == NULL, so it can be passed as argv.
 */
struct strv {
	char **v;
	size_t n;
	size_t cap;
};

#define STRV_INIT                                                                                  \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void strv_push(struct strv *sv, const char *s);
void strv_pushf(struct strv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strv_free(struct strv *sv);
/* An argv for execve(): never NULL, even for an empty vector. */
char *const *strv_argv(const struct strv *sv);

#define strv_foreach(s, sv) for (char **s = (sv)->v; s && *s; s++)

/*
 * Shell-quotes @s onto @b the way a sysadmin would type it, so that logged
 * and planned commands can be pasted into a shell.  Only for display: xsraid
 * never hands these strings to a shell.
 */
void shell_quote(struct buf *b, const char *s);
/* Appends argv[0..] joined by spaces, each shell-quoted. */
void shell_quote_argv(struct buf *b, const char *const *argv);

/*
 * Appends @text, a message, as it may be shown on a console or in a log: the
 * user:password@ of every URL in it becomes ***@, and control characters are
 * written as \xNN, so a message stays on one line.  At most @max bytes of
 * @text are shown, then "...".
 */
void buf_put_display(struct buf *b, const char *text, size_t max);

/*
 * A location (a path or one URL) as it may be shown, the same way: all of
 * the authority before its last '@' is hidden, whatever characters it holds.
 * At most 256 bytes, then "...".
 */
char *location_display(const char *location);

/* Appends @s as a JSON string literal (with quotes). */
void json_quote(struct buf *b, const char *s);

/* Reads up to @len bytes at @off; fewer only at end of file.  Returns the count or -errno. */
ssize_t pread_full(int fd, void *buf, size_t len, uint64_t off);
/* Little-endian integers in on-disk structures (GPT, ext2/3/4, md, the journal). */
uint16_t get_le16(const uint8_t *p);
uint32_t get_le32(const uint8_t *p);
uint64_t get_le64(const uint8_t *p);
void put_le16(uint8_t *p, uint16_t v);
void put_le32(uint8_t *p, uint32_t v);
void put_le64(uint8_t *p, uint64_t v);

/* Reads exactly @len bytes at @off: -EIO if the file ends first.  Returns 0 or -errno. */
int pread_exact(int fd, void *buf, size_t len, uint64_t off);
/* Writes all @len bytes at @off.  Returns 0 or -errno. */
int pwrite_all(int fd, const void *buf, size_t len, uint64_t off);

/* The first line of a small file (sysfs, procfs), stripped; "" when it cannot be read. */
void read_line_file(const char *path, char *out, size_t outlen);

/* Reads at most @max bytes of @path into @ret.  -EFBIG if it is larger. */
int read_file(const char *path, size_t max, struct buf *ret);

/*
 * Replaces @path atomically: writes a temporary file in the same directory,
 * fsyncs it, renames it over @path and fsyncs the directory.  A power cut
 * leaves either the old or the new contents.  The new file gets @mode and,
 * when @path exists, its owner.
 */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* "@a/@b" with exactly one slash between them; @b may start with '/'. */
char *path_join(const char *a, const char *b);

/* mkdir -p; 0 if it exists already. */
int mkdir_p(const char *path, mode_t mode);

/*
 * A disk as the kernel names it under /dev: [a-z][a-z0-9_]*, or one such
 * name in cciss/, ida/ or rd/ (the Compaq and Mylex controllers' disks).
 */
bool disk_kernel_name(const char *s);

bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
/* Strict decimal parse of a whole string into uint64; -EINVAL or -ERANGE. */
int parse_u64(const char *s, uint64_t *ret);
/*
 * snprintf() for names that must never be cut short (device paths): a
 * truncated "/dev/sda1" could name the whole disk, so truncation aborts.
 */
void xsnprintf(char *dst, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Copies @src into @dst of @size bytes, truncating; always NUL-terminates (size > 0). */
void str_copy(char *dst, size_t size, const char *src);

/* Trims ASCII white space at both ends, in place; returns @s. */
char *str_strip(char *s);
/* Runs of blanks become one space, none at the ends (sysfs pads wwid fields). */
void str_squeeze_blanks(char *s);

/* Human size: "4.0 GiB", "512 MiB", "17 KiB", "100 B". */
void format_size(char *out, size_t outlen, uint64_t bytes);

#endif
