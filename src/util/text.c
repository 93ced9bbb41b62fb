/* text.c - see text.h. */
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "util/text.h"
#include "util/banned.h"

bool utf8_valid(const char *p, size_t n, size_t *bad_off)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        /* ASCII eight bytes at a time, and the three-byte form of kana and kanji without the general
         * loop: 0.085 s against 0.149 s over the 1M-person insured file, which every import reads first
         * (bench/utf8.c) */
        uint64_t w;
        while (i + 8 <= n && (memcpy(&w, s + i, 8), (w & 0x8080808080808080u) == 0))
            i += 8;
        if (i == n)
            break;
        unsigned c = s[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xE0 && c <= 0xEF && i + 3 <= n) {
            unsigned c1 = s[i + 1];
            /* E0: A0–BF (not overlong); ED: 80–9F (not a surrogate); others 80–BF */
            if (c1 < (c == 0xE0 ? 0xA0u : 0x80u) || c1 > (c == 0xED ? 0x9Fu : 0xBFu) || (s[i + 2] & 0xC0) != 0x80)
                goto bad;
            i += 3;
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

static unsigned utf8_next(const unsigned char *s, size_t n, size_t *i);

/* enc_range - p[from..to) into CP932 on cd, each character CP932 lacks to bad (offset in p) and
 * written as sub; returns how many. */
static size_t enc_range(iconv_t cd, const char *p, size_t n, size_t from, size_t to, struct buf *out,
                        const char *sub, void (*bad)(void *ctx, size_t off, unsigned cp), void *ctx)
{
    char *in = (char *)p + from;
    size_t left = to - from, count = 0;
    char tmp[4096];
    while (left > 0) {
        char *o = tmp;
        size_t room = sizeof tmp;
        size_t r = iconv(cd, &in, &left, &o, &room);
        buf_add(out, tmp, (size_t)(o - tmp));
        if (r != (size_t)-1 || errno == E2BIG)
            continue;
        /* EILSEQ (or EINVAL at a cut sequence, which valid UTF-8 does not have): this character */
        size_t at = (size_t)(in - p), next = at;
        unsigned cp = utf8_next((const unsigned char *)p, n, &next);
        count++;
        if (bad)
            bad(ctx, at, cp);
        if (sub)
            buf_adds(out, sub);
        in = (char *)p + next;
        left = to - next;
        iconv(cd, NULL, NULL, NULL, NULL); /* reset the shift state */
    }
    return count;
}

size_t utf8_to_cp932_each(const char *p, size_t n, struct buf *out, const char *sub,
                          void (*bad)(void *ctx, size_t off, unsigned cp), void *ctx)
{
    return utf8_to_cp932_keep(p, n, out, sub, bad, ctx, NULL, 0);
}

/* same_char - the two MS932 bytes b decode to the character at p[off..) */
static bool same_char(const char *p, size_t n, size_t off, const unsigned char b[2])
{
    char in[2] = {(char)b[0], (char)b[1]}, u[8];
    char *ip = in, *op = u;
    size_t il = 2, ol = sizeof u;
    iconv_t cd = iconv_open("UTF-8", "CP932");
    if (cd == (iconv_t)-1)
        die("iconv: CP932 -> UTF-8 unavailable");
    size_t r = iconv(cd, &ip, &il, &op, &ol);
    iconv_close(cd);
    size_t un = sizeof u - ol;
    return r != (size_t)-1 && il == 0 && off + un <= n && memcmp(p + off, u, un) == 0 &&
           (off + un == n || ((unsigned char)p[off + un] & 0xC0) != 0x80);
}

size_t utf8_to_cp932_keep(const char *p, size_t n, struct buf *out, const char *sub,
                          void (*bad)(void *ctx, size_t off, unsigned cp), void *ctx,
                          const struct cp932_keep *keep, size_t nkeep)
{
    iconv_t cd = iconv_open("CP932", "UTF-8");
    if (cd == (iconv_t)-1)
        die("iconv: UTF-8 -> CP932 unavailable");
    size_t pos = 0, count = 0;
    for (size_t k = 0; k < nkeep; k++) {
        size_t at = keep[k].off;
        if (at < pos || at >= n || !same_char(p, n, at, keep[k].b))
            continue; /* out of order or not that character (any more): written as usual */
        count += enc_range(cd, p, n, pos, at, out, sub, bad, ctx);
        buf_add(out, (const char *)keep[k].b, 2);
        pos = at;
        (void)utf8_next((const unsigned char *)p, n, &pos);
    }
    count += enc_range(cd, p, n, pos, n, out, sub, bad, ctx);
    iconv_close(cd);
    return count;
}

/* The MS932 codes the encoder does not write for their character (a character with two codes
 * is written with one): a bit per trail byte for each lead, found once by asking iconv itself,
 * so what counts as "other" is exactly what utf8_to_cp932 would change. */
static uint64_t other_code[256][4];
static bool other_lead[256];
static pthread_once_t other_once = PTHREAD_ONCE_INIT;

static void other_init(void)
{
    iconv_t d = iconv_open("UTF-8", "CP932"), e = iconv_open("CP932", "UTF-8");
    if (d == (iconv_t)-1 || e == (iconv_t)-1)
        die("iconv: CP932 unavailable");
    for (unsigned a = 0x81; a <= 0xFC; a++) {
        if (a >= 0xA0 && a <= 0xDF)
            continue;
        for (unsigned b = 0x40; b <= 0xFC; b++) {
            char in[2] = {(char)a, (char)b}, u[8], back[8];
            char *ip = in, *op = u, *bp = back;
            size_t il = 2, ol = sizeof u, bl = sizeof back;
            iconv(d, NULL, NULL, NULL, NULL);
            if (iconv(d, &ip, &il, &op, &ol) == (size_t)-1 || il)
                continue;
            size_t ul = sizeof u - ol;
            char *up = u;
            iconv(e, NULL, NULL, NULL, NULL);
            if (iconv(e, &up, &ul, &bp, &bl) == (size_t)-1 || bp - back != 2 || memcmp(back, in, 2) != 0) {
                other_code[a][b / 64] |= 1ULL << (b % 64);
                other_lead[a] = true;
            }
        }
    }
    iconv_close(d);
    iconv_close(e);
}

size_t cp932_others(const char *p, size_t n, const char *text, size_t tn,
                    void (*fn)(void *ctx, size_t text_off, const unsigned char b[2]), void *ctx)
{
    pthread_once(&other_once, other_init);
    const unsigned char *s = (const unsigned char *)p, *t = (const unsigned char *)text;
    size_t i = 0, j = 0, count = 0;
    /* the bytes alone first: most files have none, and then the text is not walked */
    while (i < n) {
        unsigned a = s[i];
        bool two = (a >= 0x81 && a <= 0x9F) || (a >= 0xE0 && a <= 0xFC);
        if (two && other_lead[a] && i + 1 < n && ((other_code[a][s[i + 1] / 64] >> (s[i + 1] % 64)) & 1))
            break;
        i += two ? 2 : 1;
    }
    if (i >= n)
        return 0;
    i = 0;
    while (i < n && j < tn) {
        unsigned a = s[i];
        bool two = (a >= 0x81 && a <= 0x9F) || (a >= 0xE0 && a <= 0xFC);
        if (two && i + 1 < n && other_lead[a] && ((other_code[a][s[i + 1] / 64] >> (s[i + 1] % 64)) & 1)) {
            count++;
            if (fn)
                fn(ctx, j, s + i);
        }
        i += two ? 2 : 1;
        unsigned c = t[j]; /* one character of the decoded text for each of the bytes' */
        j += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    }
    return count;
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

static int copy_utf8(char *dst, size_t cap, const char *src)
{
    if (cap == 0)
        return -1;
    size_t n = strlen(src);
    if (n < cap) {
        memcpy(dst, src, n + 1);
        return 0;
    }
    n = cap - 1;
    while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80) /* src[n]: the first byte left out */
        n--;
    memcpy(dst, src, n);
    dst[n] = '\0';
    return -1;
}

int str_copy(char *dst, size_t cap, const char *src)
{
    return copy_utf8(dst, cap, src);
}

void str_cut(char *dst, size_t cap, const char *src)
{
    if (copy_utf8(dst, cap, src)) {
        /* shortened on purpose */
    }
}

static unsigned utf8_next(const unsigned char *s, size_t n, size_t *i)
{
    unsigned c = s[*i];
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (*i + len > n)
        len = n - *i;
    unsigned cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; k < len; k++)
        cp = (cp << 6) | (s[*i + k] & 0x3F);
    *i += len;
    return cp;
}

static bool invisible(unsigned cp)
{
    if (cp <= 0x20 || (cp >= 0x7F && cp <= 0xA0)) /* controls, space, NBSP */
        return true;
    static const struct {
        unsigned lo, hi;
    } ranges[] = {
        {0x00AD, 0x00AD}, {0x0300, 0x036F}, /* combining marks: nothing of their own */
        {0x061C, 0x061C}, {0x115F, 0x1160}, {0x1680, 0x1680}, {0x17B4, 0x17B5},
        {0x180B, 0x180E}, {0x1AB0, 0x1AFF}, {0x2000, 0x200F}, {0x2028, 0x202F},
        {0x205F, 0x206F}, {0x20D0, 0x20FF}, {0x2800, 0x2800}, {0x3000, 0x3000},
        {0x3164, 0x3164}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF},
        {0xFFA0, 0xFFA0}, {0xFFF9, 0xFFFB}, {0x1BCA0, 0x1BCA3}, {0xE0000, 0xE0FFF},
    };
    for (size_t k = 0; k < sizeof ranges / sizeof ranges[0]; k++)
        if (cp >= ranges[k].lo && cp <= ranges[k].hi)
            return true;
    return false;
}

size_t utf8_visible_count(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t c = 0;
    for (size_t i = 0; i < n;)
        c += !invisible(utf8_next(s, n, &i));
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

/* Half-width katakana U+FF61..U+FF9F → full-width (0 = no mapping). */
static const unsigned short hw_kana[0x3F] = {
    0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30E3,
    0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB, 0x30AD, 0x30AF,
    0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8,
    0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB, 0x30DE, 0x30DF,
    0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9, 0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF,
    0x30F3, 0x309B, 0x309C};

static void put3(struct buf *out, unsigned cp)
{
    char e[3] = {(char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3F)),
                 (char)(0x80 | (cp & 0x3F))};
    buf_add(out, e, 3);
}

/* hw_at - the half-width kana code point at p (3 bytes EF BD A1..EF BE 9F), or 0. */
static unsigned hw_at(const unsigned char *s, size_t i, size_t n)
{
    if (i + 2 >= n || s[i] != 0xEF || (s[i + 1] != 0xBD && s[i + 1] != 0xBE))
        return 0;
    unsigned cp = 0xF000u | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
    return cp >= 0xFF61 && cp <= 0xFF9F ? cp : 0;
}

void kana_key(const char *p, size_t n, struct buf *out)
{
    struct buf f;
    buf_init(&f, n * 2 + 16);
    kana_fold(p, n, &f);
    const unsigned char *s = (const unsigned char *)f.ptr;
    size_t m = buf_failed(&f) ? 0 : f.len;
    for (size_t i = 0; i < m;) {
        if (s[i] == ' ') {
            i++;
            continue;
        }
        if (i + 2 < m && s[i] == 0xE3) {
            unsigned cp = ((unsigned)(s[i] & 0x0F) << 12) | ((unsigned)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
            if (cp == 0x3000) { /* 全角スペース */
                i += 3;
                continue;
            }
            if (cp >= 0x3041 && cp <= 0x3096) { /* ひらがな → カタカナ */
                put3(out, cp + 0x60);
                i += 3;
                continue;
            }
        }
        buf_addc(out, (char)s[i]);
        i++;
    }
    if (buf_failed(&f))
        out->failed = true;
    buf_release(&f);
}

void kana_fold(const char *p, size_t n, struct buf *out)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;
    while (i < n) {
        unsigned cp = hw_at(s, i, n);
        if (!cp) {
            buf_addc(out, (char)s[i]);
            i++;
            continue;
        }
        unsigned full = hw_kana[cp - 0xFF61];
        unsigned next = hw_at(s, i + 3, n);
        i += 3;
        if (next == 0xFF9E) { /* dakuten: カ→ガ etc., ウ→ヴ */
            if (full == 0x30A6) {
                put3(out, 0x30F4);
                i += 3;
                continue;
            }
            if ((full >= 0x30AB && full <= 0x30C8 && full != 0x30C3) || (full >= 0x30CF && full <= 0x30DB)) {
                put3(out, full + 1);
                i += 3;
                continue;
            }
        } else if (next == 0xFF9F && full >= 0x30CF && full <= 0x30DB) { /* handakuten: ハ→パ */
            put3(out, full + 2);
            i += 3;
            continue;
        }
        put3(out, full);
    }
}

void group_thousands(long long v, char *out, size_t cap)
{
    char digits[32], grouped[48];
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    int n = snprintf(digits, sizeof digits, "%llu", u), o = 0;
    if (v < 0)
        grouped[o++] = '-';
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            grouped[o++] = ',';
        grouped[o++] = digits[i];
    }
    grouped[o] = '\0';
    snprintf(out, cap, "%s", grouped);
}

/* hyphen-like code points written '-' in an address (always), and the prolonged sound mark
 * (only between digits: 「1ー1」 is a hyphen, 「コーポ」 is not) */
static bool hyphen_like(unsigned cp)
{
    return (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE63 || cp == 0x2043;
}

void address_fold(const char *p, size_t n, struct buf *out)
{
    struct buf k, a;
    buf_init(&k, n * 3 + 16);
    buf_init(&a, n * 3 + 16);
    kana_fold(p, n, &k); /* ｰ becomes ー here */
    ascii_fold(k.ptr ? k.ptr : "", k.len, &a); /* － becomes '-', 全角 space ' ' */
    const unsigned char *s = (const unsigned char *)(a.ptr ? a.ptr : "");
    size_t i = 0, len = a.len;
    char prev = 0; /* the last byte written, for "between two digits" */
    while (i < len) {
        size_t at = i;
        unsigned cp = utf8_next(s, len, &i);
        if (cp == ' ' || cp == '\t')
            continue;
        size_t nx = i; /* the next byte written: spaces are dropped, so look past them */
        while (nx < len && (s[nx] == ' ' || s[nx] == '\t'))
            nx++;
        if (hyphen_like(cp) || (cp == 0x30FC && prev >= '0' && prev <= '9' && nx < len && s[nx] >= '0' && s[nx] <= '9')) {
            buf_addc(out, '-');
            prev = '-';
            continue;
        }
        buf_add(out, s + at, i - at);
        prev = (char)s[i - 1];
    }
    buf_release(&k);
    buf_release(&a);
}

void utf8_put(unsigned cp, char out[5])
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        o[1] = 0;
    } else if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        o[2] = 0;
    } else if (cp < 0x10000 && (cp < 0xD800 || cp > 0xDFFF)) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        o[3] = 0;
    } else if (cp >= 0x10000 && cp <= 0x10FFFF) {
        o[0] = (unsigned char)(0xF0 | cp >> 18);
        o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (unsigned char)(0x80 | (cp & 0x3F));
        o[4] = 0;
    } else
        o[0] = 0;
}

void utf8_scrub(char *s)
{
    size_t n = strlen(s), off;
    while (!utf8_valid(s, n, &off) && off < n) {
        memmove(s + off, s + off + 1, n - off); /* the NUL moves too */
        n--;
    }
}
