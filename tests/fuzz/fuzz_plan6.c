/* fuzz_plan6.c - libFuzzer target for the 第6表 editor's form (service/plan6.c p6_form): the input is
 * "name=value" lines, as page.c hands the parsed form over. Whatever p6_form and p6_check accept must
 * write a UPPLAN and a UPJSK that cpfile reads back without a single problem (the editor never sends
 * a file the exchange would refuse), and reading it back gives the same days per line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service/plan6.h"

#define MAX_FIELDS 512

static void no_err(void *ctx, long line, int column, const char *name, const char *msg)
{
    (void)line, (void)column, (void)name, (void)msg;
    ++*(long *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    struct p6_field *f = calloc(MAX_FIELDS, sizeof *f);
    size_t n = 0;
    for (char *line = text, *next; line && n < MAX_FIELDS; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq = '\0';
        f[n].name = line;
        f[n].value = eq + 1;
        n++;
    }
    struct p6_month *m = calloc(1, sizeof *m);
    struct s7_given g;
    memset(&g, 0, sizeof g);
    char over[P6_OVER_BYTES], why[S7_ERR_BYTES];
    m->ym = 202612;
    if (p6_form(f, n, false, m, &g, over, why) == 0 && p6_check(m, why) == 0) {
        struct card *c = calloc(1, sizeof *c);
        memcpy(c->person.key.insurer_no, "122192", 7);
        memcpy(c->person.key.insured_no, "0000000001", 11);
        struct p6_who w = {c, "1270100017", "ケア 太郎", "20261201"};
        for (int actual = 0; actual < 2; actual++) {
            struct cp_filedata out, back;
            p6_records(m, &w, NULL, actual, &out);
            out.name.file = actual ? CP_UPJSK : CP_UPPLAN;
            memcpy(out.name.month, "202612", 7);
            memcpy(out.name.from, "1270100017", 11);
            memcpy(out.name.to, "1370100016", 11);
            memcpy(out.name.from_kind, "43", 3);
            memcpy(out.name.to_kind, "15", 3);
            memcpy(out.name.stamp, "20261201120000", 15);
            char name[128];
            size_t len;
            long bad_line, problems = 0;
            int bad_col;
            char *bytes = NULL;
            if (cp_name_format(&out.name, name, sizeof name) == 0)
                bytes = cpfile_write(&out, &len, &bad_line, &bad_col);
            /* a name outside MS932 (an office name is free text) is refused by the writer, with its place */
            if (bytes) {
                cpfile_read(name, bytes, len, &back, no_err, &problems);
                if (problems)
                    __builtin_trap(); /* a checked month wrote a file the exchange refuses */
                struct p6_month *again = calloc(1, sizeof *again);
                if (p6_from_set(&back, NULL, again, why))
                    __builtin_trap();
                uint32_t want = 0, got = 0;
                for (size_t i = 0; i < m->n; i++)
                    want |= m->lines[i].days;
                for (size_t i = 0; i < again->n; i++)
                    got |= again->lines[i].days;
                if (want != got || again->n > m->n)
                    __builtin_trap(); /* the days read back are the days written */
                free(again);
                cpfile_free(&back);
            }
            free(bytes);
            cpfile_free(&out);
        }
        free(c);
    }
    free(m);
    free(f);
    free(text);
    return 0;
}
