/* text.c - see text.h. */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>

#include "util/log.h"
#include "util/text.h"
#include "util/banned.h"

bool utf8_valid(const char *p, size_t n, size_t *bad_off)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else
            goto bad;
        if (i + len > n)
            goto bad;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                goto bad;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad;
        i += len;
    }
    return true;
bad:
    if (bad_off)
        *bad_off = i;
    return false;
}

static int convert(const char *to, const char *from, const char *p, size_t n, struct buf *out,
                   size_t *bad_off)
{
    iconv_t cd = iconv_open(to, from);
    if (cd == (iconv_t)-1)
        die("iconv: %s -> %s unavailable", from, to);
    char *in = (char *)p;
    size_t left = n;
    char tmp[4096];
    int rc = 0;
    while (left > 0) {
        char *o = tmp;
        size_t room = sizeof tmp;
        size_t r = iconv(cd, &in, &left, &o, &room);
        buf_add(out, tmp, (size_t)(o - tmp));
        if (r == (size_t)-1 && errno != E2BIG) {
            if (bad_off)
                *bad_off = (size_t)(in - p);
            rc = -1;
            break;
        }
    }
    iconv_close(cd);
    return rc;
}

int cp932_to_utf8(const char *p, size_t n, struct buf *out, size_t *bad_off)
{
    return convert("UTF-8", "CP932", p, n, out, bad_off);
}

int utf8_to_cp932(const char *p, size_t n, struct buf *out, size_t *bad_off)
{
    return convert("CP932", "UTF-8", p, n, out, bad_off);
}

void ascii_fold(const char *p, size_t n, struct buf *out)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        /* U+FF01..U+FF5E = EF BC 81..EF BD 9E; U+3000 = E3 80 80 */
        if (i + 2 < n && s[i] == 0xEF && (s[i + 1] == 0xBC || s[i + 1] == 0xBD)) {
            unsigned cp = 0xFF00u | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
            if (cp >= 0xFF01 && cp <= 0xFF5E) {
                buf_addc(out, (char)(cp - 0xFF01 + 0x21));
                i += 3;
                continue;
            }
        }
        if (i + 2 < n && s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x80) {
            buf_addc(out, ' ');
            i += 3;
            continue;
        }
        buf_addc(out, (char)s[i]);
        i++;
    }
}

size_t utf8_count(const char *p, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)p[i] & 0xC0) != 0x80)
            c++;
    return c;
}

bool is_katakana_name(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0, chars = 0;
    while (i < n) {
        if (s[i] == ' ') {
            i++;
            continue;
        }
        if (i + 2 >= n + 0 && i + 3 > n)
            return false;
        if (s[i] == 0xE3 && i + 2 < n) {
            unsigned cp = ((s[i] & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
            /* ァ..ヶ, ・, ー, ヽヾ, and the ideographic space */
            if ((cp >= 0x30A1 && cp <= 0x30F6) || cp == 0x30FB || cp == 0x30FC || cp == 0x30FD ||
                cp == 0x30FE || cp == 0x3000) {
                i += 3;
                chars++;
                continue;
            }
        }
        return false;
    }
    return chars > 0;
}

struct str str_trim(struct str s)
{
    while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t')) {
        s.ptr++;
        s.len--;
    }
    while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
        s.len--;
    return s;
}
