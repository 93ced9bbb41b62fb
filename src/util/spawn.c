/* spawn.c - see spawn.h. */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/spawn.h"
#include "util/banned.h"

extern char **environ;

#define QR_SCAN_SECONDS "10" /* each helper is stopped after this (timeout(1)) */

char *spawn_read(char *const argv[], size_t max, size_t *n)
{
    int fd[2];
    if (pipe2(fd, O_CLOEXEC)) /* no other thread's helper inherits this pipe (dup2 clears it on fd 1) */
        return NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclose(&fa, fd[0]);
    posix_spawn_file_actions_addclose(&fa, fd[1]);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fd[1]);
    if (rc != 0) {
        close(fd[0]);
        return NULL;
    }
    struct buf b;
    buf_init(&b, max);
    char tmp[4096];
    ssize_t r;
    while ((r = read(fd[0], tmp, sizeof tmp)) > 0 || (r < 0 && errno == EINTR))
        if (r > 0)
            buf_add(&b, tmp, (size_t)r);
    close(fd[0]);
    int st = 0, w;
    while ((w = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
        ;
    if (w < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0 || buf_failed(&b)) {
        buf_release(&b);
        return NULL;
    }
    buf_addc(&b, '\0');
    b.len--;
    return buf_detach(&b, n);
}

int spawn_job(const char *dir, char *const argv[], const char *extra_env, int *pid)
{
    size_t n = 0;
    while (argv[n])
        n++;
    char **a = calloc(n + 6, sizeof *a);
    if (!a)
        return -1;
    /* $1 is the job's directory; the rest is the command, passed as arguments and never parsed */
    a[0] = "/bin/sh";
    a[1] = "-c";
    a[2] = "d=$0; \"$@\" >\"$d/stdout.log\" 2>\"$d/progress.log\" </dev/null; echo $? >\"$d/exit.tmp\" && mv \"$d/exit.tmp\" "
           "\"$d/exit\"";
    a[3] = (char *)dir;
    for (size_t i = 0; i < n; i++)
        a[4 + i] = argv[i];
    size_t ne = 0;
    while (environ[ne])
        ne++;
    char **env = calloc(ne + 2, sizeof *env);
    if (!env) {
        free(a);
        return -1;
    }
    for (size_t i = 0; i < ne; i++)
        env[i] = environ[i];
    env[ne] = (char *)extra_env;
    pid_t p;
    int rc = posix_spawn(&p, "/bin/sh", NULL, NULL, a, env);
    free(env);
    free(a);
    if (rc)
        return -1;
    *pid = (int)p;
    return 0;
}

/* zbar - the QR code of image, read with its decoder named (ImageMagick inside zbarimg
 * would otherwise choose one from the content); at most QR_SCAN_SECONDS */
static char *zbar(const char *kind, const char *image, size_t *n)
{
    char arg[4200];
    if ((size_t)snprintf(arg, sizeof arg, "%s:%s", kind, image) >= sizeof arg)
        return NULL;
    char *const argv[] = {"timeout", QR_SCAN_SECONDS, "zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", arg, NULL};
    char *out = spawn_read(argv, 1 << 16, n);
    if (out)
        while (*n && (out[*n - 1] == '\n' || out[*n - 1] == '\r'))
            out[--*n] = '\0';
    if (out && *n == 0) { /* zbarimg can exit 0 having found nothing */
        free(out);
        out = NULL;
    }
    return out;
}

int pdf_pages(const char *path)
{
    char *const argv[] = {"timeout", QR_SCAN_SECONDS, "pdfinfo", (char *)path, NULL};
    size_t n;
    char *out = spawn_read(argv, 1 << 16, &n);
    const char *p = out ? strstr(out, "\nPages:") : NULL;
    long v = p ? strtol(p + 7, NULL, 10) : -1;
    free(out);
    return v > 0 && v < 100000 ? (int)v : -1;
}

char *qr_scan_page(const char *path, int page, size_t *n)
{
    char dir[] = "/tmp/kaigo-qr-XXXXXX";
    if (!mkdtemp(dir))
        return NULL;
    char prefix[64], png[72], pg[16];
    snprintf(prefix, sizeof prefix, "%s/p", dir);
    snprintf(png, sizeof png, "%s.png", prefix);
    snprintf(pg, sizeof pg, "%d", page);
    /* at 200 dpi, but never more than 3,000 pixels a side (a huge page cannot fill the disk) */
    char *const pdf[] = {"timeout", QR_SCAN_SECONDS, "pdftoppm", "-r", "200", "-scale-to", "3000", "-png", "-f", pg, "-l", pg,
                         "-singlefile", (char *)path, prefix, NULL};
    size_t ignored;
    free(spawn_read(pdf, 1 << 20, &ignored));
    char *out = zbar("png", png, n);
    unlink(png);
    rmdir(dir);
    return out;
}

char *qr_scan(const char *path, size_t *n)
{
    unsigned char head[8] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t got = fread(head, 1, sizeof head, f);
    fclose(f);
    /* only PNG, JPEG and PDF, told by their first bytes; anything else is not decoded */
    if (got == 8 && memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0)
        return zbar("png", path, n);
    if (got >= 3 && memcmp(head, "\xff\xd8\xff", 3) == 0)
        return zbar("jpeg", path, n);
    if (got < 4 || memcmp(head, "%PDF", 4) != 0)
        return NULL;
    return qr_scan_page(path, 1, n);
}
