/*
 * cmd_demo.c - kaigo demo generate: synthetic import CSVs (UTF-8) with realistic
 * names (kanji + カナ), ages, addresses and a care-level mix following national
 * proportions. Deterministic for a seed. Every generated number passes its
 * check-digit rule, and periods follow the certification rules (they are
 * computed by the domain functions themselves).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "domain/burden.h"
#include "domain/certification.h"
#include "domain/insurers.h"
#include "domain/numbers.h"
#include "util/date.h"
#include "util/log.h"
#include "util/banned.h"

static const char help[] =
    "使い方: kaigo demo generate [--insurers N] [--persons M] [--seed S] OUTDIR\n"
    "  OUTDIR に insured.csv, certification.csv, burden.csv, limit.csv, plan.csv, restriction.csv,\n"
    "  facility.csv を作ります(UTF-8, 1行目は列名)。人はすべて架空です。\n"
    "  既定: --insurers 3 --persons 1000 --seed 1\n"
    "  --insurers は 1〜1571(全国の保険者数)。69 を超える分は架空の保険者番号(検査数字つき)です。\n";

static uint64_t rng_state;
static uint64_t rnd(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static int rint_(int n)
{
    return (int)(rnd() % (uint64_t)n);
}

static const char *const surnames[][2] = {
    {"佐藤", "サトウ"}, {"鈴木", "スズキ"}, {"高橋", "タカハシ"}, {"田中", "タナカ"},
    {"伊藤", "イトウ"}, {"渡辺", "ワタナベ"}, {"山本", "ヤマモト"}, {"中村", "ナカムラ"},
    {"小林", "コバヤシ"}, {"加藤", "カトウ"}, {"吉田", "ヨシダ"}, {"山田", "ヤマダ"},
    {"佐々木", "ササキ"}, {"山口", "ヤマグチ"}, {"松本", "マツモト"}, {"井上", "イノウエ"},
    {"木村", "キムラ"}, {"林", "ハヤシ"}, {"斎藤", "サイトウ"}, {"清水", "シミズ"},
    {"山崎", "ヤマザキ"}, {"森", "モリ"}, {"池田", "イケダ"}, {"橋本", "ハシモト"},
    {"阿部", "アベ"}, {"石川", "イシカワ"}, {"髙橋", "タカハシ"}, {"長谷川", "ハセガワ"},
    {"近藤", "コンドウ"}, {"岡田", "オカダ"}, {"藤田", "フジタ"}, {"後藤", "ゴトウ"},
};
static const char *const male[][2] = {
    {"清", "キヨシ"}, {"茂", "シゲル"}, {"博", "ヒロシ"}, {"勇", "イサム"}, {"実", "ミノル"},
    {"弘", "ヒロシ"}, {"正雄", "マサオ"}, {"武", "タケシ"}, {"進", "ススム"}, {"稔", "ミノル"},
    {"和夫", "カズオ"}, {"隆", "タカシ"}, {"三郎", "サブロウ"}, {"昭", "アキラ"}, {"誠", "マコト"},
    {"修", "オサム"},
};
static const char *const female[][2] = {
    {"和子", "カズコ"}, {"幸子", "サチコ"}, {"節子", "セツコ"}, {"洋子", "ヨウコ"},
    {"美代子", "ミヨコ"}, {"久子", "ヒサコ"}, {"京子", "キョウコ"}, {"弘子", "ヒロコ"},
    {"恵子", "ケイコ"}, {"トシ", "トシ"}, {"ハル", "ハル"}, {"千代", "チヨ"}, {"静子", "シズコ"},
    {"文子", "フミコ"}, {"悦子", "エツコ"}, {"光子", "ミツコ"},
};
static const char *const towns[] = {"本町", "栄町", "緑町", "旭町", "中央", "東町",
                                    "西町", "南町", "北町", "若葉", "桜台", "松が丘"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* National proportions (approximate, MHLW 介護保険事業状況報告 2022): about 19% of
 * 第1号 are certified; among them 要支援1 14%, 要支援2 14%, 要介護1 21%,
 * 要介護2 17%, 要介護3 13%, 要介護4 13%, 要介護5 8%. Demo data only. */
static const struct {
    const char *code;
    int per_mille; /* of all persons */
} mix[] = {{"12", 27}, {"13", 27}, {"21", 40}, {"22", 32}, {"23", 25}, {"24", 25}, {"25", 15}, {"06", 4}};

static void provider_no(char out[11], int pref)
{
    char s[32];
    snprintf(s, sizeof s, "%02d7%02d%04d", pref % 100, rint_(90) + 10, rint_(9000) + 1000);
    int cd = provider_no_digit(s, PROVIDER_RULE_GENERAL);
    snprintf(out, 11, "%.9s%d", s, cd);
}

static FILE *open_out(const char *dir, const char *name, const char *header)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        error("%s: %s", path, strerror(errno));
        return NULL;
    }
    fprintf(f, "%s\n", header);
    return f;
}

#define DEMO_MAX_INSURERS 1571 /* the nation's 保険者 (platform.md) */

/* demo_insurer - the ii-th insurer: the seed list's (data/insurers.tsv) first, then synthetic ones,
 * for a national-scale load: a valid number (JIS code of a prefecture 01-47 and a municipality
 * 600-633, check digit by insurer_no_digit) that is not a seed's, named 架空町NNNN. */
static struct insurer_seed demo_insurer(long ii, char no[INSURER_NO_LEN + 1], char name[32])
{
    if (ii < (long)insurer_seeds_len)
        return insurer_seeds[ii];
    for (long k = ii;; k += DEMO_MAX_INSURERS) {
        unsigned pref = 1 + (unsigned)(k % 47), town = 600 + (unsigned)(k / 47 % 400);
        char jis5[6] = {(char)('0' + pref / 10), (char)('0' + pref % 10), (char)('0' + town / 100),
                        (char)('0' + town / 10 % 10), (char)('0' + town % 10), '\0'};
        memcpy(no, jis5, 5);
        no[5] = (char)('0' + insurer_no_digit(jis5));
        no[6] = '\0';
        if (!insurer_seed_find(no))
            break;
    }
    snprintf(name, 32, "架空町%04ld", ii);
    const char *pref = "";
    for (unsigned s = 0; s < insurer_seeds_len; s++)
        if (memcmp(insurer_seeds[s].insurer_no, no, 2) == 0) {
            pref = insurer_seeds[s].prefecture;
            break;
        }
    return (struct insurer_seed){no, pref, name};
}

int cmd_demo(int argc, char **argv)
{
    long insurers = 3, persons = 1000;
    unsigned long long seed = 1;
    const char *out = NULL;
    if (argc < 2 || strcmp(argv[1], "generate") != 0) {
        fputs(help, argc >= 2 && is_help(argv[1]) ? stdout : stderr);
        return argc >= 2 && is_help(argv[1]) ? 0 : EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        const char *v;
        if (is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if ((v = opt_value(argc, argv, &i, "--insurers")))
            insurers = strtol(v, NULL, 10);
        else if ((v = opt_value(argc, argv, &i, "--persons")))
            persons = strtol(v, NULL, 10);
        else if ((v = opt_value(argc, argv, &i, "--seed")))
            seed = strtoull(v, NULL, 10);
        else if (!out && argv[i][0] != '-')
            out = argv[i];
        else {
            fputs(help, stderr);
            return EXIT_USAGE;
        }
    }
    if (!out || insurers < 1 || insurers > DEMO_MAX_INSURERS || persons < 1 || persons > 50000000) {
        fprintf(stderr, "kaigo demo: --insurers は 1〜%d、--persons は 1〜50000000 です\n%s", DEMO_MAX_INSURERS,
                help);
        return EXIT_USAGE;
    }
    if (mkdir(out, 0755) && errno != EEXIST) {
        error("%s: %s", out, strerror(errno));
        return EXIT_INTERNAL;
    }
    rng_state = seed;
    FILE *fi = open_out(out, "insured.csv",
                        "保険者番号,被保険者番号,氏名,氏名カナ,生年月日,性別,郵便番号,住所,資格取得日,資格喪失日,交付年月日");
    FILE *fc = open_out(out, "certification.csv",
                        "保険者番号,被保険者番号,要介護状態区分,申請日,認定年月日,有効期間開始日,有効期間終了日,申請区分,前回要介護状態区分,認定審査会の意見,サービスの種類の指定");
    FILE *fb = open_out(out, "burden.csv", "保険者番号,被保険者番号,負担割合,適用開始日,適用終了日");
    FILE *fl = open_out(out, "limit.csv", "保険者番号,被保険者番号,利用者負担段階,適用開始日,適用終了日");
    FILE *fp = open_out(out, "plan.csv", "保険者番号,被保険者番号,届出年月日,事業所番号,事業所名称,自己作成,終了日");
    FILE *fr = open_out(out, "restriction.csv", "保険者番号,被保険者番号,給付制限内容,開始日,終了日,詳細");
    FILE *ff = open_out(out, "facility.csv", "保険者番号,被保険者番号,施設種類,施設名称,事業所番号,入所等年月日,退所等年月日");
    if (!fi || !fc || !fb || !fl || !fp || !fr || !ff)
        return EXIT_INTERNAL;

    struct date today = date_today();
    struct date bfrom, bto;
    burden_period(today, &bfrom, &bto);
    char iso[11], iso2[11], iso3[11];
    long per = persons / insurers, extra = persons % insurers;
    for (long ii = 0; ii < insurers; ii++) {
        char ino[INSURER_NO_LEN + 1], iname[32];
        const struct insurer_seed seed_row = demo_insurer(ii, ino, iname), *ins = &seed_row;
        int pref = (ins->insurer_no[0] - '0') * 10 + (ins->insurer_no[1] - '0');
        long count = per + (ii < extra ? 1 : 0);
        for (long k = 0; k < count; k++) {
            char no[32];
            snprintf(no, sizeof no, "%010ld", 1000000000L + k + 1);
            int sex = 1 + rint_(100) < 44 ? 1 : 2; /* women outnumber men among the old */
            int r = rint_(100);
            int age = r < 45 ? 65 + rint_(10) : r < 82 ? 75 + rint_(10) : r < 98 ? 85 + rint_(15) : 40 + rint_(25);
            struct date birth = {today.y - age - 1, 1 + rint_(12), 1};
            birth.d = 1 + rint_(date_days_in_month(birth.y, birth.m));
            struct date acq = birth.y + 65 > 2000 ? (struct date){birth.y + 65, birth.m, 1}
                                                  : (struct date){2000, 4, 1};
            if (age < 65)
                acq = (struct date){birth.y + 40, birth.m, 1};
            if (date_cmp(acq, (struct date){2000, 4, 1}) < 0)
                acq = (struct date){2000, 4, 1};
            if (date_cmp(acq, today) > 0)
                acq = today;
            if (acq.d != 1 && date_age(birth, acq) < 40)
                acq = date_add_days(acq, 1);
            while (date_age(birth, acq) < (age < 65 ? 40 : 65))
                acq = date_add_days(acq, 1);
            const char *const(*sn)[2] = &surnames[rint_((int)N(surnames))];
            const char *const(*gn)[2] = sex == 1 ? &male[rint_((int)N(male))] : &female[rint_((int)N(female))];
            date_iso(birth, iso);
            date_iso(acq, iso2);
            fprintf(fi, "%s,%s,%s　%s,%s　%s,%s,%d,%03d-%04d,%s%s%s%d丁目%d番%d号,%s,,%s\n",
                    ins->insurer_no, no, (*sn)[0], (*gn)[0], (*sn)[1], (*gn)[1], iso, sex,
                    rint_(900) + 100, rint_(10000), ins->prefecture, ins->name,
                    towns[rint_((int)N(towns))], 1 + rint_(5), 1 + rint_(30), 1 + rint_(20), iso2,
                    iso2);

            /* certification by the national mix (only 第1号, plus a few 第2号) */
            int pm = rint_(1000), acc = 0;
            const char *lv = NULL;
            for (size_t m = 0; m < N(mix); m++) {
                acc += mix[m].per_mille;
                if (pm < acc) {
                    lv = mix[m].code;
                    break;
                }
            }
            if (!lv || (age < 65 && rint_(4)))
                continue;
            if (strcmp(lv, "06") == 0) {
                struct date from = date_add_days(today, -rint_(300));
                date_iso(from, iso);
                fprintf(fc, "%s,%s,06,%s,%s,%s,,,,,\n", ins->insurer_no, no, iso, iso, iso);
                continue;
            }
            struct date from, to, applied;
            const char *why;
            if (rint_(3) == 0) { /* new application within the last months */
                applied = date_add_days(today, -rint_(150));
                if (date_cmp(applied, acq) < 0)
                    applied = acq;
                if (cert_period(CERT_NEW, false, applied, DATE_NONE, 6, &from, &to, &why))
                    continue;
                date_iso(applied, iso);
                date_iso(from, iso2);
                date_iso(to, iso3);
                fprintf(fc, "%s,%s,%s,%s,%s,%s,%s,新規,,,\n", ins->insurer_no, no, lv, iso,
                        iso, iso2, iso3);
            } else { /* renewal: previous period ended at a month-end before today */
                int months = (int[]){12, 24, 36, 48}[rint_(4)];
                struct date prev_end = date_month_end(date_add_months(today, -rint_(months - 1) - 1));
                applied = date_add_days(prev_end, -rint_(50) - 5);
                if (date_cmp(applied, acq) < 0)
                    continue;
                if (cert_period(CERT_RENEW, true, applied, prev_end, months, &from, &to, &why))
                    continue;
                date_iso(applied, iso);
                date_iso(from, iso2);
                date_iso(to, iso3);
                char cdate[11];
                date_iso(date_add_days(applied, 25 + rint_(10)), cdate);
                fprintf(fc, "%s,%s,%s,%s,%s,%s,%s,更新,%s,,\n", ins->insurer_no, no, lv, iso, cdate,
                        iso2, iso3, lv);
            }
            /* 負担割合 (2割 ≈ 4.3%, 3割 ≈ 3.9%) */
            int br = rint_(1000);
            date_iso(bfrom, iso);
            date_iso(bto, iso2);
            fprintf(fb, "%s,%s,%d,%s,%s\n", ins->insurer_no, no, br < 43 ? 2 : br < 82 ? 3 : 1, iso, iso2);
            if (rint_(10) == 0)
                fprintf(fl, "%s,%s,%s,%s,%s\n", ins->insurer_no, no,
                        (const char *[]){"1", "2", "3a", "3b"}[rint_(4)], iso, iso2);
            date_iso(from, iso3);
            if (rint_(100) == 0)
                fprintf(fp, "%s,%s,%s,,,1,\n", ins->insurer_no, no, iso3);
            else {
                char pno[11];
                provider_no(pno, pref);
                fprintf(fp, "%s,%s,%s,%s,%s居宅介護支援センター,0,\n", ins->insurer_no, no, iso3, pno,
                        towns[rint_((int)N(towns))]);
            }
            if (rint_(200) == 0)
                fprintf(fr, "%s,%s,1,%s,,保険料滞納による支払方法変更\n", ins->insurer_no, no, iso3);
            if (lv[0] == '2' && lv[1] >= '3' && rint_(8) == 0) {
                char pno[11];
                provider_no(pno, pref);
                fprintf(ff, "%s,%s,介護老人福祉施設,特別養護老人ホーム%s苑,%s,%s,\n", ins->insurer_no, no,
                        towns[rint_((int)N(towns))], pno, iso3);
            }
        }
    }
    int bad = 0;
    FILE *all[] = {fi, fc, fb, fl, fp, fr, ff};
    for (size_t i = 0; i < N(all); i++)
        bad |= fclose(all[i]) != 0;
    if (bad)
        return error("%s: 書き込みに失敗しました", out) ? EXIT_INTERNAL : EXIT_INTERNAL;
    printf("%s: %ld 保険者, %ld 人の合成データを作成しました\n", out, insurers, persons);
    return 0;
}
