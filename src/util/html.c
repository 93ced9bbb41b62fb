/* html.c - see html.h. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/html.h"
#include "util/banned.h"

void html_raw(struct buf *b, const char *s)
{
    buf_adds(b, s);
}

void html_textn(struct buf *b, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        case '\0': rep = ""; break;
        default: continue;
        }
        buf_add(b, s + run, i - run);
        buf_adds(b, rep);
        run = i + 1;
    }
    buf_add(b, s + run, n - run);
}

void html_text(struct buf *b, const char *s)
{
    if (s)
        html_textn(b, s, strlen(s));
}

/* vformat - printf into tmp: the length of what is there (cut to cap - 1, *cut set), or -1 on an error */
static int vformat(char *tmp, size_t cap, bool *cut, const char *fmt, va_list ap) FMT(4, 0);
static int vformat(char *tmp, size_t cap, bool *cut, const char *fmt, va_list ap)
{
    int n = vsnprintf(tmp, cap, fmt, ap);
    if (n < 0)
        return -1;
    *cut = (size_t)n >= cap;
    return *cut ? (int)cap - 1 : n;
}

void html_textf(struct buf *b, const char *fmt, ...)
{
    char tmp[1024];
    bool cut;
    va_list ap;
    va_start(ap, fmt);
    int n = vformat(tmp, sizeof tmp, &cut, fmt, ap);
    va_end(ap);
    if (n >= 0)
        html_textn(b, tmp, (size_t)n); /* text: what fits */
}

void html_markupf(struct buf *b, const char *fmt, ...)
{
    char tmp[1024];
    bool cut;
    va_list ap;
    va_start(ap, fmt);
    int n = vformat(tmp, sizeof tmp, &cut, fmt, ap);
    va_end(ap);
    if (n >= 0 && !cut)
        buf_add(b, tmp, (size_t)n); /* markup: never a cut tag, all or nothing */
}

void html_url_component(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~')
            buf_addc(b, (char)*p);
        else {
            buf_addc(b, '%');
            buf_addc(b, hex[*p >> 4]);
            buf_addc(b, hex[*p & 15]);
        }
    }
}
