/*
 * cmd_card.c - kaigo card show: the 被保険者証 of one person, through the same
 * disclosure gate as the API (the local operator is the actor; audited).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "domain/wareki.h"
#include "codec/cardjson.h"
#include "service/disclose.h"
#include "util/xalloc.h"
#include "util/banned.h"

static const char help[] =
    "使い方: kaigo card show [--db PATH] [--date YYYY-MM-DD|和暦] [--json] INSURER INSURED\n"
    "  被保険者証(一)(二)(三)・負担割合証・負担限度額認定証の内容を表示します。\n"
    "  表示は開示として監査ログに記録されます(運用者によるCLIからの参照)。\n"
    "  --db     データベース (既定: $KAIGO_DB)\n"
    "  --date   基準日 (既定: 今日)\n"
    "  --json   JSON で出力\n";

/* grouped - 16765 → "16,765" (display only; data stays integers). */
static void grouped(struct buf *b, long long v)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%lld", v < 0 ? -v : v);
    if (v < 0)
        buf_addc(b, '-');
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            buf_addc(b, ',');
        buf_addc(b, digits[i]);
    }
}

static void wk(struct date d, struct buf *b);

/* span - 「令和6年4月1日から令和9年3月31日まで」, or 「…から」 with no end (as on the printed card) */
static void span(struct date from, struct date to, struct buf *b)
{
    if (!date_is_none(from)) {
        wk(from, b);
        buf_adds(b, "から");
    }
    if (!date_is_none(to)) {
        wk(to, b);
        buf_adds(b, "まで");
    }
}

static void wk(struct date d, struct buf *b)
{
    if (date_is_none(d) || wareki_format(d, WAREKI_LONG, b))
        buf_adds(b, "―");
}

/* Pad by display width: ASCII is 1 column, everything else 2 (Japanese text). */
static void line(const char *label, const char *value)
{
    int w = cli_width(label);
    printf("  %s%*s %s\n", label, w < 22 ? 22 - w : 0, "", value && *value ? value : "―");
}

static void dline(const char *label, struct date d)
{
    struct buf b;
    buf_init(&b, 64);
    wk(d, &b);
    line(label, b.ptr);
    buf_release(&b);
}

static void print_text(const struct card *c)
{
    struct buf b;
    buf_init(&b, 1024);
    printf("介護保険被保険者証 (基準日 ");
    wk(c->on, &b);
    printf("%s)\n\n(一)\n", b.ptr);
    line("被保険者番号", c->person.key.insured_no);
    line("住所", c->person.address);
    line("フリガナ", c->person.kana);
    line("氏名", c->person.name);
    dline("生年月日", c->person.birth);
    line("性別", sex_name(c->person.sex));
    dline("交付年月日", c->person.issued);
    line("被保険者区分", c->dai1 ? "第1号被保険者" : "第2号被保険者");
    line("資格", c->qualified ? "あり" : "なし(資格喪失)");
    buf_reset(&b);
    buf_addf(&b, "%s %s", c->person.key.insurer_no, c->insurer.name[0] ? c->insurer.name : "(名称未設定)");
    line("保険者番号・名称", b.ptr);

    printf("\n(二)\n");
    if (c->has_cert) {
        line("要介護状態区分等", level_name(c->cert.level));
        dline("認定年月日", c->cert.certified);
        buf_reset(&b);
        span(c->cert.valid_from, c->cert.valid_to, &b);
        line("認定の有効期間", b.ptr);
        buf_reset(&b);
        if (c->kubun_limit >= 0)
        {
            buf_adds(&b, "1月当たり ");
            grouped(&b, c->kubun_limit);
            buf_adds(&b, " 単位");
        }
        else
            buf_adds(&b, "―(有効期間外または対象外)");
        line("区分支給限度基準額", b.ptr);
        line("認定審査会の意見等", c->cert.opinion);
        line("サービスの種類の指定", c->cert.services);
    } else
        line("要介護状態区分等", "(認定なし)");
    if (c->pending) {
        buf_reset(&b);
        buf_addf(&b, "申請中(%s申請 ", cert_kind_name(c->pending_kind));
        wk(c->pending_applied, &b);
        buf_adds(&b, ")");
        line("認定申請", b.ptr);
        if (c->shikakusha)
            dline("資格者証交付年月日", c->shikakusha_issued);
    }

    printf("\n(三)\n");
    if (c->nrestrictions == 0)
        line("給付制限", "なし");
    for (size_t i = 0; i < c->nrestrictions; i++) {
        buf_reset(&b);
        buf_addf(&b, "%s ", restriction_name(c->restrictions[i].kind));
        span(c->restrictions[i].valid_from, c->restrictions[i].valid_to, &b);
        line("給付制限", b.ptr);
    }
    if (c->has_plan) {
        buf_reset(&b);
        if (c->plan.self_made)
            buf_adds(&b, "自己作成");
        else
            buf_addf(&b, "%s (%s)", c->plan.office_name, c->plan.provider_no);
        line("居宅介護支援事業者", b.ptr);
        dline("届出年月日", c->plan.notified);
    } else
        line("居宅介護支援事業者", "届出なし");
    for (size_t i = 0; i < c->nstays; i++) {
        buf_reset(&b);
        buf_addf(&b, "%s %s 入所等 ", c->stays[i].facility_kind, c->stays[i].name);
        wk(c->stays[i].admitted, &b);
        buf_adds(&b, " 退所等 ");
        wk(c->stays[i].discharged, &b);
        line("介護保険施設等", b.ptr);
    }

    printf("\n介護保険負担割合証\n");
    if (c->has_burden) {
        buf_reset(&b);
        buf_addf(&b, "%d割", c->burden.ratio);
        line("利用者負担の割合", b.ptr);
        buf_reset(&b);
        span(c->burden.valid_from, c->burden.valid_to, &b);
        line("適用期間", b.ptr);
    } else
        line("利用者負担の割合", "(交付なし)");

    printf("\n介護保険負担限度額認定証\n");
    if (c->has_limit) {
        line("利用者負担段階", limit_stage_name(c->limit.stage));
        buf_reset(&b);
        span(c->limit.valid_from, c->limit.valid_to, &b);
        line("適用期間", b.ptr);
        for (int i = 0; i < LIMIT_ITEM_COUNT; i++) {
            if (c->limit_daily[i] < 0)
                continue; /* not in force on the date, as on paper */
            buf_reset(&b);
            grouped(&b, c->limit_daily[i]);
            buf_adds(&b, " 円/日");
            line(limit_item_name((enum limit_item)i), b.ptr);
        }
    } else
        line("負担限度額", "(認定なし)");
    buf_release(&b);
}

int cmd_card(int argc, char **argv)
{
    if (argc >= 2 && is_help(argv[1])) {
        fputs(help, stdout);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "show") != 0) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    const char *db = db_default(), *date_s = NULL, *pos[2] = {0};
    bool json = false;
    int np = 0;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--db")))
            db = v;
        else if ((v = opt_value(argc, argv, &i, "--date")))
            date_s = v;
        else if (strcmp(argv[i], "--json") == 0)
            json = true;
        else if (argv[i][0] == '-' || np == 2) {
            fprintf(stderr, "kaigo card show: 不明な引数です: %s\n%s", argv[i], help);
            return EXIT_USAGE;
        } else
            pos[np++] = argv[i];
    }
    if (!db && np == 2)
        return cli_no_db("kaigo card show");
    if (!db || np != 2) {
        fputs(help, stderr);
        return EXIT_USAGE;
    }
    const char *why;
    struct person_key k = {0};
    if (insurer_no_check(pos[0], strlen(pos[0]), &why) ||
        insured_no_check(pos[1], strlen(pos[1]), &why)) {
        fprintf(stderr, "kaigo card show: %s\n", why);
        return EXIT_INVALID;
    }
    memcpy(k.insurer_no, pos[0], INSURER_NO_LEN);
    memcpy(k.insured_no, pos[1], INSURED_NO_LEN);
    struct date on = date_today();
    if (date_s && date_parse_any(date_s, strlen(date_s), &on, &why)) {
        fprintf(stderr, "kaigo card show: --date %s: %s\n", date_s, why);
        return EXIT_INVALID;
    }
    struct card *c = xmalloc(sizeof *c);
    const char *reason = "";
    enum disclose_status s = cli_read_card(db, &k, on, c, &reason);
    int rc = 0;
    switch (s) {
    case DISCLOSE_OK:
        if (json) {
            struct jsonw w;
            jw_init(&w, 1 << 20);
            card_json(&w, c);
            char *out = jw_detach(&w, NULL);
            if (out)
                puts(out);
            free(out);
        } else
            print_text(c);
        break;
    case DISCLOSE_NOT_FOUND:
        fprintf(stderr, "kaigo card show: 該当する被保険者が見つかりません\n");
        rc = EXIT_INVALID;
        break;
    case DISCLOSE_DENIED:
        fprintf(stderr, "kaigo card show: 参照が許可されていません: %s\n", reason);
        rc = EXIT_INVALID;
        break;
    case DISCLOSE_AUDIT_FAILED:
        fprintf(stderr, "kaigo card show: アクセス記録を保存できないため表示できません\n");
        rc = EXIT_INTERNAL;
        break;
    default:
        fprintf(stderr, "kaigo card show: 内部エラーが発生しました\n");
        rc = EXIT_INTERNAL;
    }
    sodium_memzero(c, sizeof *c);
    free(c);
    return rc;
}
