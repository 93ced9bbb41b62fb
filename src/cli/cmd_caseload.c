/*
 * cmd_caseload.c - kaigo caseload FILE.json: a 居宅介護支援事業所's month —
 * 取扱件数 for the office and per care manager against the staffing standard,
 * the 逓減制 tier and units of each 要介護 case, and each care manager's due
 * list of monitoring home visits (docs/caseload.md). Input carries case labels
 * and levels, never names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "domain/wareki.h"
#include "store/caseloadjson.h"
#include "util/jsonw.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const char help[] =
    "使い方: kaigo caseload FILE.json [--json]\n"
    "  居宅介護支援事業所の月の取扱件数(要介護1件、要支援は令和6年4月から1/3件)を事業所と\n"
    "  ケアマネジャーごとに計算し、人員基準(44件、連携システム+事務職員で49件)と比べ、逓減制の区分と\n"
    "  単位数、モニタリング訪問の期限(毎月。テレビ電話の条件を満たせば2か月ごと、要支援は3か月/6か月)を示します。\n"
    "  入力: {\"month\":\"2026-04\",\"fee\":\"I\",\"managers\":[{\"id\":\"CM-A\",\"fte\":1.0}],\n"
    "         \"cases\":[{\"id\":\"c001\",\"manager\":\"CM-A\",\"level\":\"21\",\"contract\":\"2024-05-01\",\n"
    "                   \"last_home_visit\":\"2026-03-15\",\"video_ok\":false}]}\n";

static void iso(struct date d, char out[11])
{
    date_iso(d, out);
}

int cmd_caseload(int argc, char **argv)
{
    const char *file = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if ((argv[i][0] == '-' && argv[i][1]) || file) {
            fprintf(stderr, "kaigo caseload: 不明な引数です: %s\n%s", argv[i], help);
            return EXIT_USAGE;
        } else
            file = argv[i];
    }
    if (!file) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    size_t n;
    char *text = cli_read_text(file, CASELOAD_JSON_MAX, &n);
    if (!text)
        return EXIT_INVALID;
    struct cl_doc *d = xmalloc(sizeof *d);
    struct doc_error e;
    int rc = 0;
    if (caseloadjson_parse(text, n, d, &e)) {
        fprintf(stderr, "%s: %s\n", file, e.msg);
        free(text);
        free(d);
        return EXIT_INVALID;
    }
    free(text);
    /* the office: every case, 常勤換算 summed */
    int fte = 0;
    for (size_t i = 0; i < d->nmanagers; i++)
        fte += d->managers[i].fte_x100;
    struct cl_result office;
    const char *why;
    if (caseload_compute(d->cases, d->ncases, fte, d->fee2, d->month, &office, &why)) {
        fprintf(stderr, "%s: %s\n", file, why);
        free(d);
        return EXIT_INVALID;
    }
    struct jsonw w;
    jw_init(&w, 64u << 20);
    jw_obj(&w, NULL);
    char buf[64];
    snprintf(buf, sizeof buf, "%04d-%02d", d->month.y, d->month.m);
    jw_str(&w, "month", buf);
    jw_str(&w, "fee", d->fee2 ? "II" : "I");
    jw_obj(&w, "office");
    jw_int(&w, "care_cases", office.care);
    jw_int(&w, "support_cases", office.support);
    snprintf(buf, sizeof buf, "1/%d", office.shien_den);
    jw_str(&w, "support_weight", buf);
    snprintf(buf, sizeof buf, "%.2f", fte / 100.0);
    jw_str(&w, "fte", buf);
    snprintf(buf, sizeof buf, "%.2f", office.per_fte);
    jw_str(&w, "caseload_per_fte", buf);
    jw_int(&w, "standard", office.standard);
    jw_bool(&w, "over_standard", office.over_standard);
    jw_int(&w, "tier1_cases", office.tier_cases[1]);
    jw_int(&w, "tier2_cases", office.tier_cases[2]);
    jw_int(&w, "tier3_cases", office.tier_cases[3]);
    jw_int(&w, "units", office.units);
    jw_end(&w);
    if (!json) {
        struct buf b;
        buf_init(&b, 256);
        if (wareki_format(d->month, WAREKI_LONG, &b) == 0 && b.len > 3)
            b.len = (size_t)(strstr(b.ptr, "月") - b.ptr) + strlen("月"), b.ptr[b.len] = '\0';
        printf("取扱件数 %s  居宅介護支援費(%s)\n", b.ptr ? b.ptr : "", d->fee2 ? "Ⅱ" : "Ⅰ");
        printf("事業所: 要介護 %lld 件 + 要支援 %lld 件 × 1/%d、常勤換算 %.2f 人 → 1人あたり %.2f 件(基準 %d 件%s)\n",
               office.care, office.support, office.shien_den, fte / 100.0, office.per_fte, office.standard,
               office.over_standard ? "、超えています" : "以内");
        printf("逓減制: (ⅰ) %lld 件、(ⅱ) %lld 件、(ⅲ) %lld 件、計 %lld 単位\n", office.tier_cases[1],
               office.tier_cases[2], office.tier_cases[3], office.units);
        buf_release(&b);
    }
    /* per care manager: the standard and the due list */
    jw_arr(&w, "managers");
    struct cl_case *mine = xmalloc((d->ncases ? d->ncases : 1) * sizeof *mine);
    for (size_t m = 0; m < d->nmanagers; m++) {
        size_t k = 0;
        for (size_t i = 0; i < d->ncases; i++)
            if (!strcmp(d->cases[i].manager, d->managers[m].id))
                mine[k++] = d->cases[i];
        struct cl_result r;
        if (caseload_compute(mine, k, d->managers[m].fte_x100, d->fee2, d->month, &r, &why)) {
            fprintf(stderr, "%s: %s\n", file, why);
            rc = EXIT_INVALID;
            break;
        }
        jw_obj(&w, NULL);
        jw_str(&w, "id", d->managers[m].id);
        snprintf(buf, sizeof buf, "%.2f", r.per_fte);
        jw_str(&w, "caseload_per_fte", buf);
        jw_bool(&w, "over_standard", r.over_standard);
        jw_arr(&w, "home_visits_due");
        if (!json)
            printf("\n%s: %.2f 件(常勤換算 %.2f)%s\n  訪問期限:\n", d->managers[m].id, r.per_fte,
                   d->managers[m].fte_x100 / 100.0, r.over_standard ? " 基準超過" : "");
        for (size_t i = 0; i < k; i++) {
            char due[11];
            iso(mine[i].home_due, due);
            jw_obj(&w, NULL);
            jw_str(&w, "case", mine[i].id);
            jw_str(&w, "level", level_code(mine[i].level));
            jw_str(&w, "due", due);
            jw_bool(&w, "overdue", mine[i].overdue);
            jw_bool(&w, "video_ok", mine[i].video_ok);
            jw_end(&w);
            if (!json)
                printf("    %-12s %-6s %s まで%s%s\n", mine[i].id, level_name(mine[i].level), due,
                       mine[i].video_ok ? "(テレビ電話併用)" : "", mine[i].overdue ? "  【期限超過】" : "");
        }
        jw_end(&w);
        jw_end(&w);
    }
    jw_end(&w);
    jw_end(&w);
    char *out = jw_detach(&w, NULL);
    if (json && out && rc == 0)
        puts(out);
    free(out);
    free(mine);
    free(d);
    return rc;
}
