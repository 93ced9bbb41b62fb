/* jsonflat.c - see jsonflat.h. */
#include <string.h>

#include "util/jsonflat.h"
#include "util/text.h"
#include "util/banned.h"

static size_t ws(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

static int hex4(const char *p, unsigned *v);

/* scan_string - s[i] is the opening quote; returns the index after the closing
 * one, or 0. Escapes are validated here (jf_string trusts them): one of
 * \" \\ \/ \b \f \n \r \t, or \uXXXX with surrogates only in valid pairs. */
static size_t scan_string(const char *s, size_t n, size_t i, bool *escaped)
{
    *escaped = false;
    for (i++; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"')
            return i + 1;
        if (c < 0x20)
            return 0;
        if (c != '\\')
            continue;
        *escaped = true;
        if (++i >= n)
            return 0;
        if (strchr("\"\\/bfnrt", s[i]) && s[i])
            continue;
        unsigned cp, lo;
        if (s[i] != 'u' || i + 4 >= n || hex4(s + i + 1, &cp))
            return 0;
        i += 4;
        /* \u0000 would become a NUL that every C string then ends at: "demo-doctor\u0000zz"
         * logged in as demo-doctor. Refused (jansson refuses it too, unless JSON_ALLOW_NUL). */
        if (cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
            return 0;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (i + 6 >= n || s[i + 1] != '\\' || s[i + 2] != 'u' || hex4(s + i + 3, &lo) ||
                lo < 0xDC00 || lo > 0xDFFF)
                return 0;
            i += 6;
        }
    }
    return 0;
}

int jf_parse(const char *s, size_t n, struct jsonflat *out)
{
    out->n = 0;
    size_t i = ws(s, n, 0);
    if (i >= n || s[i] != '{')
        return -1;
    i = ws(s, n, i + 1);
    if (i < n && s[i] == '}')
        return ws(s, n, i + 1) == n ? 0 : -1;
    for (;;) {
        if (out->n == JSONFLAT_MAX_MEMBERS || i >= n || s[i] != '"')
            return -1;
        struct jf_member *m = &out->m[out->n];
        bool esc;
        size_t e = scan_string(s, n, i, &esc);
        if (!e || esc)
            return -1;
        m->key = (struct str){s + i + 1, e - i - 2};
        if (!utf8_valid(m->key.ptr, m->key.len, NULL))
            return -1;
        i = ws(s, n, e);
        if (i >= n || s[i] != ':')
            return -1;
        i = ws(s, n, i + 1);
        if (i >= n)
            return -1;
        if (s[i] == '"') {
            e = scan_string(s, n, i, &m->escaped);
            if (!e)
                return -1;
            m->type = JF_STRING;
            m->value = (struct str){s + i + 1, e - i - 2};
            if (!utf8_valid(m->value.ptr, m->value.len, NULL))
                return -1;
            i = e;
        } else if (s[i] == '-' || (s[i] >= '0' && s[i] <= '9')) {
            size_t b = i++;
            while (i < n && s[i] >= '0' && s[i] <= '9')
                i++;
            size_t d0 = s[b] == '-' ? b + 1 : b; /* first digit */
            if (i - b > 17 || i == d0 || (s[d0] == '0' && i - d0 > 1))
                return -1; /* too long, no digits, or a leading zero */
            unsigned long long mag = 0;
            for (size_t k = d0; k < i; k++)
                mag = mag * 10 + (unsigned long long)(s[k] - '0');
            if (mag > JSONFLAT_INT_MAX)
                return -1; /* beyond ±2^53: not exactly a double elsewhere */
            m->type = JF_INT;
            m->value = (struct str){s + b, i - b};
        } else if (n - i >= 4 && memcmp(s + i, "true", 4) == 0) {
            m->type = JF_TRUE;
            i += 4;
        } else if (n - i >= 5 && memcmp(s + i, "false", 5) == 0) {
            m->type = JF_FALSE;
            i += 5;
        } else if (n - i >= 4 && memcmp(s + i, "null", 4) == 0) {
            m->type = JF_NULL;
            i += 4;
        } else
            return -1;
        /* one value a key: the first (ours) and the last (jansson's) would differ */
        for (size_t k = 0; k < out->n; k++)
            if (out->m[k].key.len == m->key.len &&
                memcmp(out->m[k].key.ptr, m->key.ptr, m->key.len) == 0)
                return -1;
        out->n++;
        i = ws(s, n, i);
        if (i < n && s[i] == ',') {
            i = ws(s, n, i + 1);
            continue;
        }
        if (i < n && s[i] == '}')
            return ws(s, n, i + 1) == n ? 0 : -1;
        return -1;
    }
}

const struct jf_member *jf_get(const struct jsonflat *j, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i < j->n; i++)
        if (j->m[i].key.len == kl && memcmp(j->m[i].key.ptr, key, kl) == 0)
            return &j->m[i];
    return NULL;
}

static int hex4(const char *p, unsigned *v)
{
    *v = 0;
    for (int k = 0; k < 4; k++) {
        char c = p[k];
        *v <<= 4;
        if (c >= '0' && c <= '9')
            *v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            *v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            *v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    return 0;
}

int jf_string(const struct jf_member *m, char *out, size_t cap)
{
    if (!m || m->type != JF_STRING || cap == 0)
        return -1;
    const char *p = m->value.ptr;
    size_t n = m->value.len, o = 0;
    if (!m->escaped) {
        if (n >= cap)
            return -1;
        memcpy(out, p, n);
        out[n] = '\0';
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        unsigned char enc[4];
        size_t el = 1;
        if (c != '\\')
            enc[0] = (unsigned char)c;
        else {
            c = p[++i];
            switch (c) {
            case '"': case '\\': case '/': enc[0] = (unsigned char)c; break;
            case 'b': enc[0] = '\b'; break;
            case 'f': enc[0] = '\f'; break;
            case 'n': enc[0] = '\n'; break;
            case 'r': enc[0] = '\r'; break;
            case 't': enc[0] = '\t'; break;
            case 'u': {
                unsigned cp;
                if (i + 4 >= n || hex4(p + i + 1, &cp))
                    return -1;
                i += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF) { /* a surrogate pair */
                    unsigned lo;
                    if (i + 6 >= n || p[i + 1] != '\\' || p[i + 2] != 'u' || hex4(p + i + 3, &lo) ||
                        lo < 0xDC00 || lo > 0xDFFF)
                        return -1;
                    i += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF)
                    return -1;
                if (cp < 0x80)
                    enc[0] = (unsigned char)cp;
                else if (cp < 0x800) {
                    enc[0] = (unsigned char)(0xC0 | (cp >> 6));
                    enc[1] = (unsigned char)(0x80 | (cp & 0x3F));
                    el = 2;
                } else if (cp < 0x10000) {
                    enc[0] = (unsigned char)(0xE0 | (cp >> 12));
                    enc[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                    enc[2] = (unsigned char)(0x80 | (cp & 0x3F));
                    el = 3;
                } else {
                    enc[0] = (unsigned char)(0xF0 | (cp >> 18));
                    enc[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
                    enc[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
                    enc[3] = (unsigned char)(0x80 | (cp & 0x3F));
                    el = 4;
                }
                break;
            }
            default:
                return -1;
            }
        }
        if (o + el >= cap)
            return -1;
        memcpy(out + o, enc, el);
        o += el;
    }
    out[o] = '\0';
    return 0;
}

int jf_int(const struct jf_member *m, long long *out)
{
    if (!m || m->type != JF_INT)
        return -1;
    long long v = 0;
    size_t i = 0;
    bool neg = m->value.ptr[0] == '-';
    if (neg)
        i = 1;
    for (; i < m->value.len; i++)
        v = v * 10 + (m->value.ptr[i] - '0');
    *out = neg ? -v : v;
    return 0;
}
