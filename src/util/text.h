/*
 * text.h - byte-level text handling for untrusted input: UTF-8 validation,
 * CP932 (MS932) to UTF-8 conversion, and normalisation of full-width ASCII.
 */
#ifndef KAIGO_UTIL_TEXT_H
#define KAIGO_UTIL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/compiler.h"

/* utf8_valid - true if p[0..n) is well-formed UTF-8 (no overlongs, no surrogates).
 * On false, *bad_off (if non-NULL) is the offset of the first bad byte. */
bool utf8_valid(const char *p, size_t n, size_t *bad_off);

/* cp932_to_utf8 - converts with glibc iconv ("CP932"). Returns 0, or -1 with
 * *bad_off set to the offset of the first byte that is not valid CP932.
 * Output is appended to 'out'. */
MUST_CHECK int cp932_to_utf8(const char *p, size_t n, struct buf *out, size_t *bad_off);

/* utf8_to_cp932 - the reverse (for CP932 output). -1 with *bad_off on a
 * character that CP932 cannot represent. */
MUST_CHECK int utf8_to_cp932(const char *p, size_t n, struct buf *out, size_t *bad_off);

/* utf8_to_cp932_each - the same, but every code point CP932 lacks is passed to bad(ctx, offset
 * in p, code point) and written as sub (CP932 bytes, e.g. "\x81\xAC" for 〓) or left out when
 * sub is NULL; the rest is converted. Returns how many there were (0: out is exact). p must be
 * valid UTF-8. */
size_t utf8_to_cp932_each(const char *p, size_t n, struct buf *out, const char *sub,
                          void (*bad)(void *ctx, size_t off, unsigned cp), void *ctx);

/* A character to be written in the MS932 bytes it came in (b) rather than the encoder's own:
 * at off in the UTF-8 text being written. */
struct cp932_keep {
    size_t off;
    unsigned char b[2];
};

/* utf8_to_cp932_keep - utf8_to_cp932_each, with the characters at keep[0..nkeep) (by offset,
 * ascending) written as their kept bytes; a keep whose bytes are not the character at its
 * offset (the text changed) is ignored and the character written as usual. */
size_t utf8_to_cp932_keep(const char *p, size_t n, struct buf *out, const char *sub,
                          void (*bad)(void *ctx, size_t off, unsigned cp), void *ctx,
                          const struct cp932_keep *keep, size_t nkeep);

/* cp932_others - for text[0..tn) = cp932_to_utf8(p[0..n)): each character whose MS932 code is
 * not the one utf8_to_cp932 writes for it - MS932 gives some characters two codes: the NEC row
 * 13 twins of JIS symbols (0x8790 ≒ …), the NEC-selected IBM extension (0xED40–0xEEFC) and the
 * IBM twins of NEC row 13 (0xFA4A–0xFA5B) - goes to fn with its offset in text and its two bytes.
 * Returns how many. Thread-safe (the table is made once). */
size_t cp932_others(const char *p, size_t n, const char *text, size_t tn,
                    void (*fn)(void *ctx, size_t text_off, const unsigned char b[2]), void *ctx);

/* ascii_fold - appends p with full-width ASCII (U+FF01..U+FF5E) and the
 * ideographic space folded to ASCII; other characters copied. p must be valid UTF-8. */
void ascii_fold(const char *p, size_t n, struct buf *out);

/* group_thousands - v in decimal with a comma every three digits (27048 → "27,048"),
 * as amounts are printed on Japanese forms; cut to cap - 1 bytes. */
void group_thousands(long long v, char *out, size_t cap);

/* kana_fold - appends p with half-width katakana (U+FF61–U+FF9F) turned into
 * full-width, a following ﾞ/ﾟ combined (ｶﾞ → ガ, ﾊﾟ → パ, ｳﾞ → ヴ), and the
 * ideographic space kept; everything else copied. p must be valid UTF-8. */
void kana_fold(const char *p, size_t n, struct buf *out);

/* kana_key - a カナ氏名 written for a search: half-width katakana made full-width (kana_fold),
 * hiragana made katakana, every space (ASCII and 全角) dropped. 「すずき あきら」 and 「ｽｽﾞｷ　ｱｷﾗ」 both give
 * 「スズキアキラ」. p must be valid UTF-8. */
void kana_key(const char *p, size_t n, struct buf *out);
/* address_fold - an address written for comparison: half-width katakana made full-width,
 * full-width ASCII made ASCII, spaces (ASCII, 全角) dropped, and every hyphen-like mark (‐ ‑ ‒ –
 * — ― − － ﹣, and ー or ｰ between two digits) written '-'. 「市原市五井１−１」 and 「市原市五井 1-1」 fold
 * alike; 「コーポ」 keeps its ー. p must be valid UTF-8; appended to out. */
void address_fold(const char *p, size_t n, struct buf *out);

/* utf8_scrub - s made valid UTF-8 in place by dropping every byte that does not belong to a valid
 * sequence (a parser's error text quoting cut input; jansson's "near '\"B\\\xE5'"). For messages. */
void utf8_scrub(char *s);

/* utf8_put - code point cp (≤ U+10FFFF, not a surrogate) as UTF-8 into out, NUL-terminated;
 * "" for anything else. */
void utf8_put(unsigned cp, char out[5]);

/* utf8_count - number of code points in valid UTF-8. */
size_t utf8_count(const char *p, size_t n);

/* utf8_visible_count - code points in valid UTF-8 that show as text: not white space (ASCII,
 * U+00A0, U+1680, U+2000–U+200A, U+2028/9, U+202F, U+205F, U+3000), not invisible
 * (U+00AD, U+061C, U+115F/60, U+17B4/5, U+180B–U+180E, U+200B–U+200F, U+202A–U+202E,
 * U+2060–U+206F, U+2800, U+3164, U+FE00–U+FE0F, U+FEFF, U+FFA0, U+FFF9–U+FFFB,
 * U+1BCA0–U+1BCA3, U+E0000–U+E0FFF), not a combining mark (U+0300–U+036F, U+1AB0–U+1AFF,
 * U+20D0–U+20FF, U+FE20–U+FE2F) and not a control. A reason that is
 * required (break-glass, 本人確認's visual check) is counted with this: spaces and
 * zero-width characters are no reason. */
size_t utf8_visible_count(const char *p, size_t n);

/* str_copy - src into dst (cap bytes with the NUL): 0, or -1 when it does not fit; dst then
 * holds the longest prefix that ends on a UTF-8 character boundary. For values that mean
 * something whole (a login, an organisation id, an address compared with another): two long
 * values cut to the same prefix would compare equal, so the caller refuses instead. */
MUST_CHECK int str_copy(char *dst, size_t cap, const char *src);

/* str_cut - the same, where a shortened copy is what is wanted (a message, a label shown):
 * never half a character at the end (snprintf's "%s" cut one in two). */
void str_cut(char *dst, size_t cap, const char *src);

/* is_katakana_name - true if p is non-empty and made of full-width katakana,
 * the prolonged sound mark, middle dot and spaces (氏名カナ). */
bool is_katakana_name(const char *p, size_t n);

/* str_trim - strips ASCII spaces/tabs at both ends. */
struct str str_trim(struct str s);

#endif
