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

#include "util/text.h"
#include "cli/cli.h"
#include "domain/wareki.h"
#include "codec/caseloadjson.h"
#include "service/caseloadplan.h"
#include "service/disclose.h"
#include "util/jsonw.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const char help[] =
    "使い方: kaigo caseload FILE.json [--json]\n"
    "        kaigo caseload --office 事業所番号 --month YYYY-MM [--fte 担当者名=1.0]... [--fee II] [--json] [--db PATH]\n"
    "  居宅介護支援事業所の月の取扱件数(要介護1件、要支援は令和6年4月から1/3件)を事業所と\n"
    "  ケアマネジャーごとに計算し、人員基準(44件、連携システム+事務職員で49件)と比べ、逓減制の区分と\n"
    "  単位数、モニタリング訪問の期限(毎月。テレビ電話の条件を満たせば2か月ごと、要支援は3か月/6か月)を示します。\n"
    "  入力: {\"month\":\"2026-04\",\"fee\":\"I\",\"managers\":[{\"id\":\"CM-A\",\"fte\":1.0}],\n"
    "         \"cases\":[{\"id\":\"c001\",\"manager\":\"CM-A\",\"level\":\"21\",\"contract\":\"2024-05-01\",\n"
    "                   \"last_home_visit\":\"2026-03-15\",\"video_ok\":false}]}\n"
    "  介護予防ケアマネジメント(総合事業: 事業対象者、または要支援で \"yobo_cm\":true)は指定介護予防支援では\n"
    "  ないため取扱件数に数えません(別に件数を示します)。\n"
    "  --office: 取り込んだ第6表(その月の予定、プラン担当業者コードがこの事業所)から数えます。担当者は\n"
    "  プラン担当者名、要介護状態区分はその月の利用者補足情報、契約順は第1表の初回居宅サービス計画作成日\n"
    "  (なければ第6表の作成年月日)。利用者ごとにアクセス記録が残ります。モニタリング訪問の記録は\n"
    "  kaigo にないため、訪問期限は示しません。--fte を省いた担当者は常勤換算 1.0 とします。\n";

/* ---- cases from the stored plans (service/caseloadplan.c) --------------------------- */

static void skipped(void *ctx, const struct person_key *k)
{
    (void)ctx;
    fprintf(stderr, "%s/%s: この月の利用者補足情報(要介護状態区分)がないため数えていません\n", k->insurer_no, k->insured_no);
}

/* from_db - the office's cases of the month from the stored 第6表 through the gate. */
static int from_db(const char *db, const char *office, struct date month, struct cl_doc *d)
{
    struct store *st;
    struct auditq *aq;
    if (cli_open_audited(db, &st, &aq))
        return EXIT_INTERNAL;
    struct actor a;
    cli_actor(&a);
    char rid[REQUEST_ID_BYTES];
    cli_request_id(rid);
    d->month = month;
    struct cl_from_plans x;
    enum disclose_status s = caseload_from_plans(st, aq, &a, PURPOSE_ADMIN, office, rid, clock_now_ms(), d, &x, skipped,
                                                 NULL);
    long long denied = x.denied;
    auditq_stop(aq);
    store_close(st);
    if (x.long_name) {
        fprintf(stderr, "kaigo caseload: 第6表のプラン担当者名が長すぎるため数えられません(%d バイトまで)\n",
                CL_MANAGER_BYTES - 1);
        return EXIT_INVALID;
    }
    if (x.full) {
        fprintf(stderr, "kaigo caseload: 利用者 %d 人・担当者 %d 人を超えるため数えられません\n", CL_MAX_CASES,
                CL_MAX_MANAGERS);
        return EXIT_INVALID;
    }
    if (s != DISCLOSE_OK) {
        fprintf(stderr, "kaigo caseload: %s\n", s == DISCLOSE_AUDIT_FAILED ? "アクセス記録を保存できないため表示できません"
                                                                          : "記録を読めませんでした");
        return EXIT_INTERNAL;
    }
    if (denied)
        fprintf(stderr, "kaigo caseload: %lld 人は参照が許可されていないため数えていません\n", denied);
    if (d->ncases == 0 && x.skipped == 0) {
        fprintf(stderr, "kaigo caseload: 事業所 %s の %04d年%02d月の第6表が取り込まれていません\n", office, month.y,
                month.m);
        return EXIT_INVALID;
    }
    return 0;
}

static void iso(struct date d, char out[11])
{
    date_iso(d, out);
}

int cmd_caseload(int argc, char **argv)
{
    const char *file = NULL, *office_no = NULL, *month = NULL, *fee = NULL, *db = db_default();
    const char *ftes[CL_MAX_MANAGERS];
    size_t nfte = 0;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if ((v = opt_value(argc, argv, &i, "--office")))
            office_no = v;
        else if ((v = opt_value(argc, argv, &i, "--month")))
            month = v;
        else if ((v = opt_value(argc, argv, &i, "--fee")))
            fee = v;
        else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--fte")) && nfte < CL_MAX_MANAGERS)
            ftes[nfte++] = v;
        else if ((argv[i][0] == '-' && argv[i][1]) || file) {
            fprintf(stderr, "kaigo caseload: 不明な引数です: %s\n%s", argv[i], help);
            return EXIT_USAGE;
        } else
            file = argv[i];
    }
    if (office_no && month && !db)
        return cli_no_db("kaigo caseload");
    if (!file == !office_no || (office_no && (!month || !db || strlen(office_no) != 10)) ||
        (fee && strcmp(fee, "I") && strcmp(fee, "II"))) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    struct cl_doc *d = xcalloc(1, sizeof *d);
    int rc = 0;
    if (file) {
        size_t n;
        char *text = cli_read_text(file, CASELOAD_JSON_MAX, &n);
        if (!text) {
            free(d);
            return EXIT_INVALID;
        }
        struct doc_error e;
        if (caseloadjson_parse(text, n, d, &e)) {
            fprintf(stderr, "%s: %s\n", file, e.msg);
            free(text);
            free(d);
            return EXIT_INVALID;
        }
        free(text);
    } else {
        char iso8601[16];
        snprintf(iso8601, sizeof iso8601, "%s-01", month);
        const char *why;
        if (strlen(month) != 7 || date_parse_iso(iso8601, strlen(iso8601), &d->month, &why)) {
            fprintf(stderr, "kaigo caseload: --month は YYYY-MM です\n");
            free(d);
            return EXIT_USAGE;
        }
        d->fee2 = fee && strcmp(fee, "II") == 0;
        d->visits_unknown = true;
        if ((rc = from_db(db, office_no, d->month, d)) != 0) {
            free(d);
            return rc;
        }
        for (size_t i = 0; i < nfte; i++) { /* "name=1.0" */
            const char *eq = strrchr(ftes[i], '=');
            char *end;
            double v = eq ? strtod(eq + 1, &end) : -1;
            if (!eq || *end || v <= 0 || v > 1.0) {
                fprintf(stderr, "kaigo caseload: --fte は 担当者名=常勤換算(0より大きく1.0以下)です: %s\n", ftes[i]);
                free(d);
                return EXIT_USAGE;
            }
            bool found = false;
            for (size_t m = 0; m < d->nmanagers; m++)
                if (strlen(d->managers[m].id) == (size_t)(eq - ftes[i]) &&
                    !strncmp(d->managers[m].id, ftes[i], (size_t)(eq - ftes[i]))) {
                    d->managers[m].fte_x100 = (int)(v * 100 + 0.5);
                    found = true;
                }
            if (!found)
                fprintf(stderr, "kaigo caseload: この月の第6表に担当者 %.*s はいません\n", (int)(eq - ftes[i]), ftes[i]);
        }
        file = office_no;
    }
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
    jw_int(&w, "yobo_cm_cases", office.yobo_cm); /* 介護予防ケアマネジメント: not counted (RULE-CM-004) */
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
        if (office.yobo_cm)
            printf("介護予防ケアマネジメント(総合事業)%lld 件は取扱件数に数えません\n", office.yobo_cm);
        printf("逓減制: (ⅰ) %lld 件、(ⅱ) %lld 件、(ⅲ) %lld 件、計 %lld 単位\n", office.tier_cases[1],
               office.tier_cases[2], office.tier_cases[3], office.units);
        buf_release(&b);
    }
    /* per care manager: the standard and the due list */
    jw_arr(&w, "managers");
    struct cl_case *mine = xmalloc((d->ncases ? d->ncases : 1) * sizeof *mine);
    for (size_t m = 0; m < d->nmanagers; m++) {
        size_t k;
        struct cl_result r;
        if (caseload_of_manager(d, m, mine, &k, &r, &why)) {
            fprintf(stderr, "%s: %s\n", file, why);
            rc = EXIT_INVALID;
            break;
        }
        jw_obj(&w, NULL);
        jw_str(&w, "id", d->managers[m].id);
        snprintf(buf, sizeof buf, "%.2f", r.per_fte);
        jw_str(&w, "caseload_per_fte", buf);
        jw_bool(&w, "over_standard", r.over_standard);
        jw_bool(&w, "visits_recorded", !d->visits_unknown);
        jw_arr(&w, d->visits_unknown ? "cases" : "home_visits_due");
        if (!json)
            printf("\n%s: %.2f 件(常勤換算 %.2f)%s\n  %s:\n", d->managers[m].id, r.per_fte,
                   d->managers[m].fte_x100 / 100.0, r.over_standard ? " 基準超過" : "",
                   d->visits_unknown ? "利用者(モニタリング訪問の記録が kaigo にないため期限は示しません)" : "訪問期限");
        for (size_t i = 0; i < k && d->visits_unknown; i++) {
            jw_obj(&w, NULL);
            jw_str(&w, "case", mine[i].id);
            jw_str(&w, "level", level_code(mine[i].level));
            jw_end(&w);
            if (!json)
                printf("    %-17s %s\n", mine[i].id, level_name(mine[i].level));
        }
        for (size_t i = 0; i < k && !d->visits_unknown; i++) {
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
