/*
 * spawn.h - running a helper program (pdftoppm, zbarimg, pdfunite) and reading what it
 * prints, and reading a QR code from an image or PDF file with them.
 *
 * posix_spawnp (safe in a threaded server); the helper's stderr goes to /dev/null (the
 * decoders' own chatter is not ours to show). Failure behaviour: NULL when the program
 * cannot run, exits non-zero, or prints more than max bytes; the caller frees the result.
 */
#ifndef KAIGO_UTIL_SPAWN_H
#define KAIGO_UTIL_SPAWN_H

#include <stddef.h>

char *spawn_read(char *const argv[], size_t max, size_t *n);

/* spawn_job - starts argv (argv[0] a path) in the background with stdin from /dev/null; its stdout and
 * stderr go to DIR/stdout.log and DIR/progress.log and, when it ends, its exit status is written to
 * DIR/exit (through /bin/sh; nothing of argv is interpreted by the shell). *pid gets the shell's pid; the
 * caller reaps it (waitpid WNOHANG) when it looks at the job. extra_env ("NAME=value", or NULL) is added to the
 * environment. 0, or -1 if it could not start. */
int spawn_job(const char *dir, char *const argv[], const char *extra_env, int *pid);

/* qr_scan - the text of the QR code in a PNG or JPEG image, or on the first page of a PDF
 * (rendered at 200 dpi, at most 3,000 pixels a side); the file's first bytes decide, not its
 * name, and anything else is refused unread. Each helper runs at most 10 s. Trailing
 * newlines removed. NULL if none could be read. */
char *qr_scan(const char *path, size_t *n);
/* qr_scan_page - the QR code on page (1-based) of a PDF; pdf_pages - its page count (pdfinfo), -1 if unknown. */
char *qr_scan_page(const char *path, int page, size_t *n);
int pdf_pages(const char *path);

#endif
