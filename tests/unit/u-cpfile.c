/* u-cpfile.c - the care-plan CSV reader read in parallel stretches, and the packed
 * stored form of a record set (codec/cpfile.c, service/cpstore.c).
 *
 * A file read in k stretches on k threads must give what one stretch gives: the
 * same records (fields, quote masks, raw text, first lines), terminator flags and,
 * for a file with problems, the same problems in the same order. Record sets
 * stored packed must come back as the same records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain/cpcsv.h"
#include "codec/cpfile.h"
#include "service/cpstore.h"
#include "util/buf.h"
#include "util/text.h"

#define PLAN "UPPLAN_202604_1270100017_43_1370100018_15_20260325120000.CSV"

/* one 第6表 line; some quoted fields hold a comma, a doubled quote or a line break */
static void plan_line(struct buf *b, int i, const char *eol)
{
    char line[512];
    const char *tool = i % 7 == 3   ? "\"車いす,標準\""
                       : i % 7 == 5 ? "\"手すり\r\n据置型\""
                       : i % 7 == 6 ? "\"歩行器\"\"ロレータ\"\"\""
                                    : "\"\"";
    snprintf(line, sizeof line,
             "202407,012021,%010d,20260325,202604,1270100017,\"ケア　太郎\",658,,202604%02d,,%s,%s,1,%s,,,%s,,"
             "1370100018,\"デイサービスさくら\",,0,1270100017,%s",
             1000000001 + i / 30, 1 + i % 30, i % 2 ? "1000" : "0930", i % 2 ? "1545" : "1600",
             i % 3 == 0 ? "151111" : i % 3 == 1 ? "155051" : "156100", tool, eol);
    buf_add(b, line, strlen(line));
}

/* the file's bytes (MS932): n lines, the last without a terminator if !final */
static char *plan_file(int n, const char *eol, int final, size_t *len)
{
    struct buf u, m;
    buf_init(&u, 64u << 20);
    buf_init(&m, 64u << 20);
    for (int i = 0; i < n; i++)
        plan_line(&u, i, i + 1 < n || final ? eol : "");
    size_t bad;
    assert_int_equal(utf8_to_cp932(u.ptr, u.len, &m, &bad), 0);
    buf_release(&u);
    *len = m.len;
    return m.ptr;
}

struct errs {
    int n;
    char text[64][160];
};

static void collect(void *ctx, long line, int column, const char *name, const char *msg)
{
    struct errs *e = ctx;
    if (e->n < 64)
        snprintf(e->text[e->n++], sizeof e->text[0], "%ld:%d:%s:%s", line, column, name, msg);
}

static void same_records(const struct cp_filedata *a, const struct cp_filedata *b)
{
    assert_int_equal(a->n, b->n);
    assert_int_equal(a->crlf, b->crlf);
    assert_int_equal(a->final_newline, b->final_newline);
    for (size_t i = 0; i < a->n; i++) {
        assert_int_equal(a->r[i].line, b->r[i].line);
        assert_int_equal(a->r[i].nf, b->r[i].nf);
        assert_memory_equal(a->r[i].quoted, b->r[i].quoted, sizeof a->r[i].quoted);
        assert_int_equal(a->r[i].rawlen, b->r[i].rawlen);
        assert_memory_equal(a->r[i].raw, b->r[i].raw, a->r[i].rawlen);
        for (unsigned j = 0; j < a->r[i].nf; j++)
            assert_string_equal(a->r[i].f[j], b->r[i].f[j]);
    }
}

static void t_parts_same_records(void **s)
{
    (void)s;
    static const struct {
        int lines;
        const char *eol;
        int final;
    } cases[] = {{1, "\r\n", 1}, {2, "\r\n", 0}, {30, "\r\n", 1}, {301, "\r\n", 0}, {300, "\n", 1}, {997, "\r\n", 1}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t len;
        char *bytes = plan_file(cases[c].lines, cases[c].eol, cases[c].final, &len);
        struct cp_filedata one;
        struct errs e = {0};
        assert_int_equal(cpfile_read_parts(PLAN, bytes, len, 1, &one, collect, &e), 0);
        assert_int_equal(one.n, (size_t)cases[c].lines);
        /* a line break inside a quoted field: the next record starts a line later */
        if (cases[c].lines > 6)
            assert_int_equal(one.r[6].line, 7 + 1);
        for (size_t k = 2; k <= CPFILE_MAX_PARTS; k++) {
            struct cp_filedata many;
            assert_int_equal(cpfile_read_parts(PLAN, bytes, len, k, &many, collect, &e), 0);
            same_records(&one, &many);
            cpfile_free(&many);
        }
        assert_int_equal(e.n, 0);
        cpfile_free(&one);
        free(bytes);
    }
}

/* a file with problems reports the same problems in the same order, however read */
static void t_parts_same_problems(void **s)
{
    (void)s;
    size_t len;
    char *good = plan_file(400, "\r\n", 1, &len);
    static const struct {
        const char *what;
        const char *find, *put; /* replaced at about 2/3 of the file */
    } cases[] = {
        {"service code", ",155051,", ",1550-1,"},
        {"unclosed quote", ",\"\",,1370", ",\"_,,1370"},
        {"quote in a bare field", ",1370100018,", ",13701\"0018,"},
        {"bad byte", "0930", "\x81\x7f" "30"},
        {"version", "202407,", "202208,"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char *bytes = malloc(len + 16);
        memcpy(bytes, good, len);
        size_t flen = strlen(cases[c].find);
        char *at = NULL;
        for (char *p = bytes + len * 2 / 3; p + flen <= bytes + len; p++)
            if (memcmp(p, cases[c].find, flen) == 0) {
                at = p;
                break;
            }
        assert_non_null(at);
        assert_int_equal(flen, strlen(cases[c].put));
        memcpy(at, cases[c].put, flen);
        struct errs one = {0};
        struct cp_filedata d;
        long p1 = cpfile_read_parts(PLAN, bytes, len, 1, &d, collect, &one);
        cpfile_free(&d);
        if (p1 <= 0)
            fail_msg("%s: no problem found", cases[c].what);
        for (size_t k = 2; k <= 4; k++) {
            struct errs many = {0};
            long pk = cpfile_read_parts(PLAN, bytes, len, k, &d, collect, &many);
            cpfile_free(&d);
            assert_int_equal(pk, p1);
            assert_int_equal(many.n, one.n);
            for (int i = 0; i < one.n; i++)
                assert_string_equal(many.text[i], one.text[i]);
        }
        free(bytes);
    }
    free(good);
}

/* stored sets: packed and read back to the same records, whichever rows form the set */
static void t_packed_body(void **s)
{
    (void)s;
    size_t len;
    char *bytes = plan_file(61, "\r\n", 0, &len); /* the last record has no terminator */
    struct cp_filedata f;
    struct errs e = {0};
    assert_int_equal(cpfile_read_parts(PLAN, bytes, len, 1, &f, collect, &e), 0);
    size_t rows[61];
    static const struct {
        const char *what;
        size_t first, step, n;
    } sets[] = {{"all", 0, 1, 61}, {"one", 5, 1, 1}, {"every other", 0, 2, 31}, {"last first", 60, 0, 3}};
    for (size_t c = 0; c < sizeof sets / sizeof sets[0]; c++) {
        size_t n = sets[c].n;
        for (size_t i = 0; i < n; i++)
            rows[i] = sets[c].step ? sets[c].first + i * sets[c].step : (i == 0 ? 60 : i);
        char *body = cps_body(&f, rows, n);
        assert_non_null(body);
        assert_non_null(strstr(body, "\"packed\":1"));
        struct cp_filedata back;
        memset(&back, 0, sizeof back);
        back.layout = f.layout;
        assert_int_equal(cps_decode(body, &back), 0);
        assert_int_equal(back.n, n);
        for (size_t i = 0; i < n; i++) {
            const struct cp_record *a = &f.r[rows[i]], *b = &back.r[i];
            assert_int_equal(a->nf, b->nf);
            assert_memory_equal(a->quoted, b->quoted, sizeof a->quoted);
            for (unsigned j = 0; j < a->nf; j++)
                assert_string_equal(a->f[j], b->f[j]);
        }
        /* shown as text: the records as received, one after the other */
        char *plain = cps_plain(body);
        assert_non_null(plain);
        assert_null(strstr(plain, "packed"));
        const char *t = strchr(plain, '\n') + 1;
        for (size_t i = 0; i < n; i++) {
            const struct cp_record *a = &f.r[rows[i]];
            assert_memory_equal(t, a->raw, a->rawlen);
            t += a->rawlen;
            if (a->raw[a->rawlen - 1] != '\n' && i + 1 < n) {
                assert_memory_equal(t, "\r\n", 2); /* given a terminator inside the set */
                t += 2;
            }
        }
        assert_int_equal(*t, '\0');
        /* the whole set is smaller than its text: 30 lines of a person share most bytes */
        if (n == 61) {
            size_t raw = 0;
            for (size_t i = 0; i < n; i++)
                raw += f.r[i].rawlen;
            assert_true(strlen(body) < raw / 2);
        }
        free(plain);
        free(body);
        cpfile_free(&back);
    }
    /* malformed packed bodies are refused, not read past their end */
    static const char *const bad[] = {
        "{\"packed\":1,\"crlf\":true}\n0 0 5\nab",
        "{\"packed\":1,\"crlf\":true}\n0 0 2\nab3 0 0\n",
        "{\"packed\":1,\"crlf\":true}\n0 0 2\nab0 3 0\n",
        "{\"packed\":1,\"crlf\":true}\n0 0\nab",
        "{\"packed\":1,\"crlf\":true}\nx",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct cp_filedata back;
        memset(&back, 0, sizeof back);
        back.layout = f.layout;
        assert_int_equal(cps_decode(bad[i], &back), -1);
        cpfile_free(&back);
        assert_null(cps_plain(bad[i]));
    }
    cpfile_free(&f);
    free(bytes);
}

/* A character outside MS932 (JIS X 0213's 𠮷 U+20BB7, and ㈱'s cousin 🈂 U+1F202) is never a silent
 * '?' (issue #17 §2): strict writing gives NULL and names each with its line, column, item and
 * person; with substitution each is written 〓 (0x81AC) and still named. Records from UTF-8 text,
 * as a stored set or kaigo's own 第7表 would give them. */
struct seen {
    int n;
    struct cp_unmappable u[4];
    char file[128];
};

static void seen_one(void *ctx, const struct cp_unmappable *u)
{
    struct seen *x = ctx;
    if (x->n < 4)
        x->u[x->n] = *u;
    snprintf(x->file, sizeof x->file, "%s", u->file);
    x->n++;
}

static void t_unmappable(void **s)
{
    (void)s;
    const char *text =
        "202407,012021,1000000001,20260325,202604,1270100017,\"ケア　太郎\",658,,20260401,,0930,1600,1,151111,,,\"\",,"
        "1370100018,\"𠮷野デイサービス\",,0,1270100017,\r\n"
        "202407,012021,1000000002,20260325,202604,1270100017,\"ケア　🈂郎\",658,,20260401,,0930,1600,1,151111,,,\"\",,"
        "1370100018,\"デイサービスさくら\",,0,1270100017,\r\n";
    struct cp_filedata f;
    memset(&f, 0, sizeof f);
    f.layout = cp_layout(CP_UPPLAN);
    assert_int_equal(cpfile_parse_text(text, strlen(text), &f), 0);
    f.crlf = true;
    f.final_newline = true;
    size_t n, count;
    struct seen x = {0};
    assert_null(cpfile_write_ex(&f, PLAN, &n, false, seen_one, &x, &count));
    assert_int_equal(count, 2);
    assert_int_equal(x.n, 2);
    assert_string_equal(x.file, PLAN);
    assert_int_equal(x.u[0].cp, 0x20BB7);
    assert_int_equal(x.u[0].column, 21);
    assert_string_equal(x.u[0].column_name, "サービス事業所名");
    assert_string_equal(x.u[0].insured_no, "1000000001");
    assert_int_equal(x.u[1].cp, 0x1F202);
    assert_int_equal(x.u[1].column, 7);
    assert_string_equal(x.u[1].insured_no, "1000000002");
    assert_int_equal(x.u[1].line, 2);
    /* the old interface: NULL and the first position */
    long bl;
    int bc;
    assert_null(cpfile_write(&f, &n, &bl, &bc));
    assert_int_equal(bl, 1);
    assert_int_equal(bc, 21);
    /* substituted: written, each named, 〓 in place, no '?' */
    struct seen y = {0};
    char *bytes = cpfile_write_ex(&f, PLAN, &n, true, seen_one, &y, &count);
    assert_non_null(bytes);
    assert_int_equal(count, 2);
    assert_int_equal(y.n, 2);
    assert_null(memchr(bytes, '?', n));
    struct buf u;
    buf_init(&u, 1 << 20);
    size_t bad;
    assert_int_equal(cp932_to_utf8(bytes, n, &u, &bad), 0);
    buf_addc(&u, '\0');
    assert_non_null(strstr(u.ptr, "\"〓野デイサービス\""));
    assert_non_null(strstr(u.ptr, "\"ケア　〓郎\""));
    buf_release(&u);
    free(bytes);
    cpfile_free(&f);
}


/* MS932 gives some characters two codes, and both reach kaigo in real files (issue #17 §2): 纊 as
 * NEC-selected 0xED40 (Windows writes IBM 0xFA5C), ≒ as NEC row 13 0x8790 (JIS 0x81E0), Ⅰ as IBM
 * 0xFA4A (NEC 0x8754), ¬ as NEC-selected 0xEEF9 (JIS 0x81CA). A file read and written again - and a
 * stored set relayed - keeps the codes it came in; a record kaigo rebuilt is written in its own.
 * (The code pairs are MS932's, as the Microsoft cp932 table maps both to one character.) */
#define OTHERS "\xED\x40\x87\x90\xFA\x4A\xEE\xF9"
#define OWN "\xFA\x5C\x81\xE0\x87\x54\x81\xCA"

static bool has_bytes(const char *p, size_t n, const char *needle, size_t len)
{
    for (size_t i = 0; i + len <= n; i++)
        if (memcmp(p + i, needle, len) == 0)
            return true;
    return false;
}

static char *others_file(const char *name4, size_t *len)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    for (int i = 0; i < 3; i++) {
        char line[512];
        snprintf(line, sizeof line,
                 "202407,012021,%010d,20260325,202604,1270100017,\"%s\x83\x50\x83\x41\",658,,2026040%d,,0930,1600,1,"
                 "151111,,,\"\",,1370100018,\"\x83\x66\x83\x43%s\",,0,1270100017,\r\n",
                 1000000001 + i, i == 0 ? name4 : "", i + 1, i == 2 ? name4 : "");
        buf_adds(&b, line);
    }
    *len = b.len;
    return b.ptr;
}

static void t_other_codes(void **s)
{
    (void)s;
    size_t len, n;
    char *bytes = others_file(OTHERS, &len);
    long bl;
    int bc;
    for (size_t parts = 1; parts <= 3; parts++) {
        struct cp_filedata f;
        struct errs e = {0};
        assert_int_equal(cpfile_read_parts(PLAN, bytes, len, parts, &f, collect, &e), 0);
        assert_int_equal(f.nkeep, 8); /* four in line 1, four in line 3 */
        assert_int_equal(f.keep[0].rec, 0);
        assert_int_equal(f.keep[7].rec, 2);
        char *out = cpfile_write(&f, &n, &bl, &bc);
        assert_non_null(out);
        assert_int_equal(n, len);
        assert_memory_equal(out, bytes, len); /* the same bytes, not Windows' own codes */
        free(out);
        /* a stored set of line 3 alone, relayed: its codes as they came */
        size_t row = 2;
        char *body = cps_body(&f, &row, 1);
        assert_non_null(strstr(body, "\"ms932\":["));
        struct cp_filedata back;
        memset(&back, 0, sizeof back);
        back.layout = f.layout;
        assert_int_equal(cps_decode(body, &back), 0);
        assert_int_equal(back.nkeep, 4);
        out = cpfile_write(&back, &n, &bl, &bc);
        const char *line3 = strstr(bytes, "1000000003") - 14; /* after 202407,012021, */
        assert_int_equal(n, (size_t)(bytes + len - line3));
        assert_memory_equal(out, line3, n);
        free(out);
        free(body);
        cpfile_free(&back);
        /* line 2 has none: no list */
        row = 1;
        body = cps_body(&f, &row, 1);
        assert_null(strstr(body, "ms932"));
        free(body);
        /* a record rebuilt from its fields (raw gone) is written in kaigo's own codes */
        f.r[0].raw = NULL;
        out = cpfile_write(&f, &n, &bl, &bc);
        assert_non_null(out);
        assert_true(has_bytes(out, n, "\"" OWN "\x83\x50\x83\x41\"", 14));
        assert_true(has_bytes(out, n, "\x83\x66\x83\x43" OTHERS "\"", 13)); /* line 3 untouched */
        free(out);
        cpfile_free(&f);
    }
    /* a list that does not fit the set is a broken body */
    static const char *const bad[] = {
        "{\"packed\":1,\"crlf\":true,\"ms932\":[\"1:0:ED40\"]}\n0 0 4\na,b\n",
        "{\"packed\":1,\"crlf\":true,\"ms932\":[\"0:9:ED40\"]}\n0 0 4\na,b\n",
        "{\"packed\":1,\"crlf\":true,\"ms932\":[\"0:0:ED4\"]}\n0 0 4\na,b\n",
        "{\"packed\":1,\"crlf\":true,\"ms932\":[\"0:0:ED40x\"]}\n0 0 4\na,b\n",
        "{\"packed\":1,\"crlf\":true,\"ms932\":[\"-1:0:ED40\"]}\n0 0 4\na,b\n",
        "{\"packed\":1,\"crlf\":true,\"ms932\":\"0:0:ED40\"}\n0 0 4\na,b\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct cp_filedata back;
        memset(&back, 0, sizeof back);
        assert_int_equal(cps_decode(bad[i], &back), -1);
        cpfile_free(&back);
    }
    free(bytes);
}

/* the lengths and forms the 別紙 gives (issue #17 §1; docs/exchange.md): vectors from the 別紙 text, the
 * TAIS example 「00001－000010」 being its own */
static const struct cp_col *col_named(enum cp_file f, const char *name)
{
    const struct cp_layout *L = cp_layout(f);
    for (unsigned i = 0; L && i < L->ncols; i++)
        if (strcmp(L->cols[i].name, name) == 0)
            return &L->cols[i];
    fail_msg("no column %s", name);
    return NULL;
}

static void t_bessi_widths(void **s)
{
    (void)s;
    static const struct {
        enum cp_file f;
        const char *col, *value;
        bool ok;
    } v[] = {
        {CP_UPPLAN, "TAISコード", "00001－000010", true},         /* the 別紙's example, 12 characters */
        {CP_UPPLAN, "TAISコード", "00001－0000100", false},       /* 13 */
        {CP_UPSIKYU, "福祉用具届出コード", "000000000000", true},
        {CP_UPSIKYU, "福祉用具届出コード", "0000000000000", false},
        {CP_UPSIKYU, "単位数単価", "11.40", true},
        {CP_UPSIKYU, "単位数単価", "11.4", true},                /* refused before issue #17 */
        {CP_UPSIKYU, "単位数単価", "10", true},
        {CP_UPSIKYU, "単位数単価", "11.", false},
        {CP_UPSIKYU, "単位数単価", "111.4", false},
        {CP_UPSIKYU, "単位数単価", "11.405", false},
        {CP_UPSIKYU, "サービス単位金額", "99999", true},
        {CP_UPSIKYU, "サービス単位金額", "100000", false},
        {CP_UPSIKYU, "費用総額保険／事業対象分", "999999", true},
        {CP_UPSIKYU, "費用総額保険／事業対象分", "1000000", false},
        {CP_UPSIKYU, "給付率", "90", true},
        {CP_UPYOBO, "基本チェックリストの該当数（運動不足）", "5", true},
        {CP_UPYOBO, "基本チェックリストの該当数（運動不足）", "10", false},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        const char *why = NULL;
        int rc = cp_field_check(col_named(v[i].f, v[i].col), (struct str){v[i].value, strlen(v[i].value)}, &why);
        if ((rc == 0) != v[i].ok)
            fail_msg("case %zu: %s=%s %s (%s)", i, v[i].col, v[i].value, rc ? "refused" : "accepted", why ? why : "");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_parts_same_records),
        cmocka_unit_test(t_parts_same_problems),
        cmocka_unit_test(t_packed_body),
        cmocka_unit_test(t_unmappable),
        cmocka_unit_test(t_other_codes),
        cmocka_unit_test(t_bessi_widths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
