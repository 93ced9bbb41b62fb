/* log.c - diagnostics to stderr; see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/banned.h"

static int quiet;
static bool stamped, json; /* set once by log_open, before threads start */
static char *log_path;
static pthread_mutex_t reopen_mu = PTHREAD_MUTEX_INITIALIZER;

void log_set_quiet(int q)
{
    quiet = q;
}

/* put - the line (ending in '\n') to stderr in one write(2) */
static void put(const char *line, size_t len)
{
    fflush(stderr); /* whatever stdio holds goes first */
    for (size_t off = 0; off < len;) {
        ssize_t w = write(STDERR_FILENO, line + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
}

/* stamp - "2026-12-03T20:54:03.123Z" (24 characters + NUL) */
static void stamp(char out[64])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000));
}

/* json_str - s as a JSON string body into out (cap ≥ 8); cut at a character, never mid-escape */
static size_t json_str(char *out, size_t cap, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        char esc[8];
        size_t el;
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            el = 2;
        } else if (ch == '\n' || ch == '\t') {
            esc[0] = '\\';
            esc[1] = ch == '\n' ? 'n' : 't';
            el = 2;
        } else if (ch < 0x20 || ch == 0x7f) {
            el = (size_t)snprintf(esc, sizeof esc, "\\u%04x", ch);
        } else {
            esc[0] = (char)ch;
            el = 1;
        }
        if (o + el >= cap) {
            if ((ch & 0xC0) == 0x80) { /* mid-character: drop the part of it written */
                while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80)
                    o--;
                if (o > 0)
                    o--;
            }
            break;
        }
        memcpy(out + o, esc, el);
        o += el;
    }
    return o;
}

/* vreport - one whole line in one write(2): lines from several threads never interleave
 * ("kaigo: warning: kaigo: warning: …" was three stdio calls a line). A line longer than
 * LOG_LINE_MAX is cut at a character boundary and ends in "…". level: "error", "warning",
 * "info", "fatal", "bug" or NULL (a line as it is). */
#define LOG_LINE_MAX 2048
static void vreport(const char *level, const char *prefix, const char *fmt, va_list ap) FMT(3, 0);
static void vreport(const char *level, const char *prefix, const char *fmt, va_list ap)
{
    char msg[LOG_LINE_MAX];
    size_t p = strlen(prefix);
    memcpy(msg, prefix, p);
    int n = vsnprintf(msg + p, sizeof msg - p - 1, fmt, ap);
    size_t len = n < 0 ? p : p + (size_t)n;
    if (len > sizeof msg - 5) { /* cut: back to a UTF-8 lead byte, then "…" */
        len = sizeof msg - 5;
        while (len > p && ((unsigned char)msg[len] & 0xC0) == 0x80)
            len--;
        memcpy(msg + len, "\xE2\x80\xA6", 3);
        len += 3;
    }
    char line[2 * LOG_LINE_MAX + 96];
    size_t l = 0;
    char ts[64];
    if (json) {
        stamp(ts);
        l = (size_t)snprintf(line, sizeof line, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"", ts,
                             level ? level : "notice");
        /* the "kaigo: warning: " prefix is the level's, said once */
        size_t skip = level ? p : 0;
        l += json_str(line + l, sizeof line - l - 4, msg + skip, len - skip);
        memcpy(line + l, "\"}\n", 3);
        l += 3;
    } else {
        if (stamped) {
            stamp(ts);
            l = (size_t)snprintf(line, sizeof line, "%s ", ts);
        }
        memcpy(line + l, msg, len);
        l += len;
        line[l++] = '\n';
    }
    put(line, l);
}

int log_open(const char *path, bool as_json)
{
    if (path) {
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
            return error("ログファイル %s を開けません: %s", path, strerror(errno));
        fflush(stderr);
        if (dup2(fd, STDERR_FILENO) < 0) {
            close(fd);
            return error("ログファイル %s: dup2: %s", path, strerror(errno));
        }
        close(fd);
        free(log_path);
        log_path = strdup(path);
        stamped = true;
    }
    json = as_json;
    return 0;
}

int log_reopen(void)
{
    pthread_mutex_lock(&reopen_mu);
    int rc = 0;
    if (log_path) {
        int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
            rc = -1;
        if (fd >= 0)
            close(fd);
        if (rc)
            warn("ログファイル %s を開き直せません: %s (元のファイルに書き続けます)", log_path,
                 strerror(errno));
        else
            info("ログファイルを開き直しました");
    }
    pthread_mutex_unlock(&reopen_mu);
    return rc;
}

void log_access(const char *id, const char *method, const char *route, unsigned status, long us)
{
    if (!json) {
        log_line("access id=%s method=%s route=%s status=%u us=%ld", id, method, route, status, us);
        return;
    }
    char ts[64], r[512];
    stamp(ts);
    size_t rl = json_str(r, sizeof r, route, strlen(route));
    r[rl] = '\0';
    char line[768];
    int n = snprintf(line, sizeof line,
                     "{\"time\":\"%s\",\"level\":\"access\",\"id\":\"%.16s\",\"method\":\"%.16s\","
                     "\"route\":\"%s\",\"status\":%u,\"us\":%ld}\n",
                     ts, id, method, r, status, us);
    if (n > 0 && (size_t)n < sizeof line)
        put(line, (size_t)n);
}

int error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("error", "kaigo: error: ", fmt, ap);
    va_end(ap);
    return -1;
}

void log_line(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(NULL, "", fmt, ap);
    va_end(ap);
}

void warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("warning", "kaigo: warning: ", fmt, ap);
    va_end(ap);
}

void info(const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vreport("info", "kaigo: ", fmt, ap);
    va_end(ap);
}

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("fatal", "kaigo: fatal: ", fmt, ap);
    va_end(ap);
    exit(3);
}

void bug_at(const char *file, int line, const char *fmt, ...)
{
    char prefix[256];
    snprintf(prefix, sizeof prefix, "kaigo: BUG at %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vreport("bug", prefix, fmt, ap);
    va_end(ap);
    abort();
}
