/*
 * cpcsv.c - the care-plan CSV layouts, file names and field checks; see cpcsv.h.
 *
 * RULE-CSV-001 (標準仕様 v4.1 別紙): column names, order and formats per file.
 * RULE-CSV-002 (同 ファイル名規約): PREFIX[_YYYYMM]_from10_kind2_to10_kind2_YYYYMMDDHHMMSS.CSV
 *   (v4.1); v3 names carry no service-type codes.
 */
#include <stdio.h>
#include <string.h>

#include "domain/cpcsv.h"
#include "util/date.h"
#include "util/text.h"
#include "util/banned.h"

/* Generated once from careplan-csv.md §7 (names and order [confirmed]; lengths marked ~ there are upper
 * bounds here, [unverified]). Edit by hand with the reference open. */
static const struct cp_col c_hosoku[] = {
    {"CSVバージョン", 6, true, K_VER},
    {"保険者番号", 6, true, K_INSURER},
    {"被保険者番号", 10, true, K_INSURED},
    {"居宅サービス計画作成（変更）日", 8, true, K_DATE0},
    {"利用者氏名フリガナ", 0, false, K_TEXT},
    {"利用者氏名", 0, false, K_TEXT},
    {"利用者性別", 1, false, K_CODE},
    {"利用者生年月日", 8, false, K_DATE},
    {"利用者郵便番号", 8, false, K_POSTAL},
    {"利用者住所１", 0, false, K_TEXT},
    {"利用者住所２", 0, false, K_TEXT},
    {"利用者電話番号", 15, false, K_PHONE},
    {"認定日", 8, false, K_DATE},
    {"限度額適用開始年月日", 8, false, K_DATE},
    {"限度額適用終了年月日", 8, false, K_DATE},
    {"認定状況区分", 1, false, K_CODE},
    {"要介護状態変更日", 8, false, K_DATE},
    {"要介護状態区分", 2, false, K_CODE},
    {"区分支給限度基準額", 7, false, K_INT},
    {"１サービス種類コード", 2, false, K_CODE},
    {"１支給限度基準額", 7, false, K_INT},
    {"１合計単位数", 7, false, K_INT},
    {"１限度超単位数", 7, false, K_INT},
    {"２サービス種類コード", 2, false, K_CODE},
    {"２支給限度基準額", 7, false, K_INT},
    {"２合計単位数", 7, false, K_INT},
    {"２限度超単位数", 7, false, K_INT},
    {"３サービス種類コード", 2, false, K_CODE},
    {"３支給限度基準額", 7, false, K_INT},
    {"３合計単位数", 7, false, K_INT},
    {"３限度超単位数", 7, false, K_INT},
    {"４サービス種類コード", 2, false, K_CODE},
    {"４支給限度基準額", 7, false, K_INT},
    {"４合計単位数", 7, false, K_INT},
    {"４限度超単位数", 7, false, K_INT},
    {"５サービス種類コード", 2, false, K_CODE},
    {"５支給限度基準額", 7, false, K_INT},
    {"５合計単位数", 7, false, K_INT},
    {"５限度超単位数", 7, false, K_INT},
    {"６サービス種類コード", 2, false, K_CODE},
    {"６支給限度基準額", 7, false, K_INT},
    {"６合計単位数", 7, false, K_INT},
    {"６限度超単位数", 7, false, K_INT},
    {"７サービス種類コード", 2, false, K_CODE},
    {"７支給限度基準額", 7, false, K_INT},
    {"７合計単位数", 7, false, K_INT},
    {"７限度超単位数", 7, false, K_INT},
    {"８サービス種類コード", 2, false, K_CODE},
    {"８支給限度基準額", 7, false, K_INT},
    {"８合計単位数", 7, false, K_INT},
    {"８限度超単位数", 7, false, K_INT},
    {"９サービス種類コード", 2, false, K_CODE},
    {"９支給限度基準額", 7, false, K_INT},
    {"９合計単位数", 7, false, K_INT},
    {"９限度超単位数", 7, false, K_INT},
    {"合計限度超単位数", 7, false, K_INT},
    {"入所前月迄利用日数", 5, false, K_INT},
    {"入所累積利用日数", 5, false, K_INT},
    {"前回要介護状態区分", 2, false, K_CODE},
    {"同意書受付業者", 10, false, K_OFFICE},
    {"更新業者コード", 10, false, K_OFFICE},
    {"識別子", 1, false, K_CODE},
    {"対象年月", 6, true, K_YM0},
};
static const struct cp_col c_1kyo[] = {
    {"CSVバージョン", 6, true, K_VER},
    {"保険者番号", 6, true, K_INSURER},
    {"被保険者番号", 10, true, K_INSURED},
    {"作成年月日", 8, true, K_DATE},
    {"利用者郵便番号", 8, false, K_POSTAL},
    {"利用者住所１", 0, false, K_TEXT},
    {"利用者住所２", 0, false, K_TEXT},
    {"居宅サービス計画作成者", 0, false, K_TEXT},
    {"介護支援事業者名", 0, false, K_TEXT},
    {"介護支援事業者郵便番号", 8, false, K_POSTAL},
    {"介護支援事業者住所１", 0, false, K_TEXT},
    {"介護支援事業者住所２", 0, false, K_TEXT},
    {"介護支援事業者コード", 10, false, K_OFFICE},
    {"居宅サービス計画作成（変更）日", 8, true, K_DATE},
    {"初回居宅サービス計画作成日", 8, false, K_DATE},
    {"計画書区分", 2, false, K_CODE},
    {"認定状況区分", 1, false, K_CODE},
    {"認定日", 8, false, K_DATE},
    {"認定有効期間開始日", 8, false, K_DATE},
    {"認定有効期間終了日", 8, false, K_DATE},
    {"要介護状態区分", 2, false, K_CODE},
    {"利用者及び家族の生活に対する意向を踏まえた課題分析の結果", 0, false, K_TEXT},
    {"介護認定審査会の意見及びサービスの種類の指定", 0, false, K_TEXT},
    {"総合的な援助の方針", 0, false, K_TEXT},
    {"生活援助中心型の算定理由", 1, false, K_CODE},
    {"その他理由", 0, false, K_TEXT},
    {"更新業者コード", 10, false, K_OFFICE},
    {"識別子", 1, false, K_CODE},
};
static const struct cp_col c_dlt1kyo[] = {
    {"CSVバージョン", 6, true, K_VER},
    {"保険者番号", 6, true, K_INSURER},
    {"被保険者番号", 10, true, K_INSURED},
    {"居宅サービス計画作成（変更）日", 8, true, K_DATE},
};
static const struct cp_col c_2kyo[] = {
    {"CSVバージョン", 6, true, K_VER},
    {"保険者番号", 6, true, K_INSURER},
    {"被保険者番号", 10, true, K_INSURED},
    {"居宅計画書作成年月日", 8, true, K_DATE},
    {"居宅サービス計画作成（変更）日", 8, true, K_DATE},
    {"課題ＮＯ", 2, false, K_INT},
    {"課題", 0, false, K_TEXT},
    {"援助目標ＮＯ", 2, false, K_INT},
    {"長期目標", 0, false, K_TEXT},
    {"短期目標", 0, false, K_TEXT},
    {"長期期間", 0, false, K_TEXT},
    {"短期期間", 0, false, K_TEXT},
    {"援助内容ＮＯ", 2, false, K_INT},
    {"サービス内容", 0, false, K_TEXT},
    {"保険対象区分", 1, false, K_CODE},
    {"サービス種別", 0, false, K_TEXT},
    {"サービス事業者コード", 10, false, K_OFFICE},
    {"サービス事業所名", 0, false, K_TEXT},
    {"頻度", 0, false, K_TEXT},
    {"実施期間", 0, false, K_TEXT},
    {"更新業者コード", 10, false, K_OFFICE},
    {"識別子", 1, false, K_CODE},
};
static const struct cp_col c_3kyo[] = {
    {"CSVバージョン", 6, true, K_VER},
    {"保険者番号", 6, true, K_INSURER},
    {"被保険者番号", 10, true, K_INSURED},
    {"週間サービス計画表作成年月日", 8, true, K_DATE},
    {"居宅サービス計画作成（変更）日", 8, true, K_DATE},
    {"介護サービス内容", 0, false, K_TEXT},
    {"曜日", 1, false, K_CODE},
    {"開始時間", 4, false, K_TIME},
    {"終了時間", 4, false, K_TIME},
    {"主な日常生活上の活動", 0, false, K_TEXT},
    {"開始時間", 4, false, K_TIME},
    {"終了時間", 4, false, K_TIME},
    {"週単位以外のサービス", 0, false, K_TEXT},
};
/* 第6表 and 実績 in three parts, so that the v3 (CSVバージョン 202208) layout is the same items without the
 * middle: the 本文's revision history says v4.0 added TAISコード, 福祉用具届出コード and 用具名称 (v4 Nos.16-18),
 * so a v3 第6表/実績 has 22 items. Issue #17: kaigo read v3 files against the v4 counts. */
#define PLAN_HEAD                                                                                              \
    {"CSVバージョン", 6, true, K_VER}, {"保険者番号", 6, true, K_INSURER}, {"被保険者番号", 10, true, K_INSURED}, \
        {"作成年月日", 8, true, K_DATE}, {"対象年月", 6, true, K_YM},                                             \
        {"プラン担当業者コード", 10, false, K_OFFICE}, {"プラン担当者名", 0, false, K_TEXT},                        \
        {"単位数", 6, false, K_INT}, {"前月までの短期入所利用日数", 5, false, K_INT},                               \
        {"サービス利用日", 8, true, K_DATE}, {"日割対象日", 31, false, K_DAYS31},                                  \
        {"サービス開始時刻", 4, true, K_TIME}, {"サービス終了時刻", 4, true, K_TIME},                               \
        {"サービス回数", 2, true, K_INT}, {"サービスコード", 6, true, K_SVC}
/* 別紙: TAISコード and 福祉用具届出コード are 12 long (kaigo had 13 until issue #17) */
#define V4_EQUIPMENT                                                                                           \
    {"TAISコード", 12, false, K_TAIS}, {"福祉用具届出コード", 12, false, K_TAIS},                                  \
        {"用具名称（機種名）", 0, false, K_TEXT}
#define PLAN_TAIL                                                                                              \
    {"明細判別コード", 2, false, K_INT}, {"サービス事業者コード", 10, true, K_OFFICE},                             \
        {"サービス事業所名", 0, false, K_TEXT}, {"サテライト枝番", 2, false, K_CODE},                              \
        {"３０日超区分", 1, true, K_CODE}, {"更新業者コード", 10, false, K_OFFICE}, {"識別子", 1, false, K_CODE}
static const struct cp_col c_plan[] = {PLAN_HEAD, V4_EQUIPMENT, PLAN_TAIL};
static const struct cp_col c_plan_v3[] = {PLAN_HEAD, PLAN_TAIL};
static const struct cp_col c_dltplan[] = {
    {"CSVバージョン", 6, true, K_VER},
    {"保険者番号", 6, true, K_INSURER},
    {"被保険者番号", 10, true, K_INSURED},
    {"削除対象年月", 6, true, K_YM},
};
static const struct cp_col c_dltjsk[] = {
    {"CSVバージョン", 6, true, K_VER},
    {"保険者番号", 6, true, K_INSURER},
    {"被保険者番号", 10, true, K_INSURED},
    {"削除対象年月", 6, true, K_YM},
    {"サービス事業者コード", 10, true, K_OFFICE},
    {"サービス種類コード", 2, true, K_CODE},
};
/* 第7表 likewise: v4 Nos.10-12 are v4.0's, and 回数／日数 (No.16) was 2 long in v3: 34 items */
#define SIKYU_HEAD                                                                                             \
    {"CSVバージョン", 6, true, K_VER}, {"保険者番号", 6, true, K_INSURER}, {"被保険者番号", 10, true, K_INSURED}, \
        {"作成年月日", 8, true, K_DATE}, {"対象年月", 6, true, K_YM}, {"サービス事業所名", 0, false, K_TEXT},      \
        {"サービス事業所コード", 10, true, K_OFFICE}, {"サテライト枝番", 2, false, K_CODE},                         \
        {"サービスコード", 6, true, K_SVC7}
#define SIKYU_UNITS                                                                                            \
    {"単位数", 6, true, K_INT}, {"割引後率", 5, false, K_INT}, {"割引後単位数", 6, false, K_INT}
/* Nos.17-37. 別紙: No.17 5 (6 until issue #17); No.23 6 in the 99.99 form; Nos.24-29 6 each (9, and 3 for
 * 給付率); No.30 the 別紙 table says 2 but the 本文's history (v3.2) says it became 5: the 本文 is followed */
#define SIKYU_TAIL                                                                                             \
    {"サービス単位金額", 5, false, K_INT}, {"給付管理単位数", 6, false, K_INT},                                    \
        {"種類支給限度基準超単位数", 6, false, K_INT}, {"種類支給限度基準内単位数", 6, false, K_INT},              \
        {"区分支給限度基準超単位数", 6, false, K_INT}, {"区分支給限度基準内単位数", 6, false, K_INT},              \
        {"単位数単価", 6, false, K_PRICE}, {"費用総額保険／事業対象分", 6, false, K_INT},                          \
        {"給付率", 6, false, K_INT}, {"保険／事業費請求額", 6, false, K_INT},                                      \
        {"定額利用者負担単価金額", 6, false, K_INT}, {"利用者負担保険／事業対象分", 6, false, K_INT},              \
        {"利用者負担（全額負担分）", 6, false, K_INT}, {"前月までの利用日数", 5, false, K_INT},                    \
        {"当月の計画利用日数", 2, false, K_INT}, {"累積利用日数", 5, false, K_INT},                                \
        {"３０日超区分", 1, false, K_CODE}, {"事業所コード", 10, false, K_OFFICE},                                \
        {"入力者コード", 10, false, K_OFFICE}, {"更新業者コード", 10, false, K_OFFICE}, {"識別子", 1, false, K_CODE}
static const struct cp_col c_sikyu[] = {SIKYU_HEAD, V4_EQUIPMENT, SIKYU_UNITS, {"回数／日数", 3, true, K_INT}, SIKYU_TAIL};
static const struct cp_col c_sikyu_v3[] = {SIKYU_HEAD, SIKYU_UNITS, {"回数／日数", 2, true, K_INT}, SIKYU_TAIL};

/* 介護予防 (prevention) files. Names and order follow the 別紙 as third parties transcribed it from the PDF,
 * compared item by item with a text copy of the 別紙 in issue #17 (docs/exchange.md)
 * (the reference lacks these layouts): [unverified] until checked against the original; lengths are not
 * known, so text columns are free text and only keys, dates and codes are checked. */
static const struct cp_col c_yobo[] = {
    {"CSVバージョン", 6, true, K_VER},
    {"保険者番号", 6, true, K_INSURER},
    {"被保険者番号", 10, true, K_INSURED},
    {"計画作成（変更）日", 8, true, K_DATE},
    {"計画種類", 1, false, K_CODE},
    {"委託の有無", 1, false, K_CODE},
    {"整理番号", 0, false, K_TEXT},
    {"利用者名", 0, false, K_TEXT},
    {"認定年月日", 8, false, K_DATE},
    {"認定有効期間開始日", 8, false, K_DATE},
    {"認定有効期間終了日", 8, false, K_DATE},
    {"計画書区分", 2, false, K_CODE},
    {"認定状況区分", 1, false, K_CODE},
    {"要支援状態区分", 1, false, K_CODE},
    {"計画作成者氏名（地域包括支援センター担当者名）", 0, false, K_TEXT},
    {"計画作成者氏名（担当介護支援専門員名）", 0, false, K_TEXT},
    {"計画作成者事業者・事業所名", 0, false, K_TEXT},
    {"計画作成者事業者・事業所住所", 0, false, K_TEXT},
    {"計画作成者事業者・事業所電話番号", 15, false, K_PHONE},
    {"初回作成日", 8, false, K_DATE},
    {"担当地域包括支援センター", 0, false, K_TEXT},
    {"目標とする生活（1日）", 0, false, K_TEXT},
    {"目標とする生活（1年）", 0, false, K_TEXT},
    {"【運動・移動】現在の状況", 0, false, K_TEXT},
    {"【運動・移動】本人・家族の意欲・意向", 0, false, K_TEXT},
    {"【運動・移動】領域における課題の有無", 1, false, K_CODE},
    {"【運動・移動】領域における課題（背景・原因）", 0, false, K_TEXT},
    {"【日常生活（家庭生活）】現在の状況", 0, false, K_TEXT},
    {"【日常生活（家庭生活）】本人・家族の意欲・意向", 0, false, K_TEXT},
    {"【日常生活（家庭生活）】領域における課題の有無", 1, false, K_CODE},
    {"【日常生活（家庭生活）】領域における課題（背景・原因）", 0, false, K_TEXT},
    {"【社会参加、対人関係・コミュニケーション】現在の状況", 0, false, K_TEXT},
    {"【社会参加、対人関係・コミュニケーション】本人・家族の意欲・意向", 0, false, K_TEXT},
    {"【社会参加、対人関係・コミュニケーション】領域における課題の有無", 1, false, K_CODE},
    {"【社会参加、対人関係・コミュニケーション】領域における課題（背景・原因）", 0, false, K_TEXT},
    {"【健康管理】現在の状況", 0, false, K_TEXT},
    {"【健康管理】本人・家族の意欲・意向", 0, false, K_TEXT},
    {"【健康管理】領域における課題の有無", 1, false, K_CODE},
    {"【健康管理】領域における課題（背景・原因）", 0, false, K_TEXT},
    {"健康状態の留意点", 0, false, K_TEXT},
    {"妥当な支援の実施に向けた方針", 0, false, K_TEXT},
    {"総合的な方針", 0, false, K_TEXT},
    {"基本チェックリストの該当数（運動不足）", 1, false, K_INT}, /* Nos.43-48: 別紙 1 (2 until issue #17) */
    {"基本チェックリストの該当数（栄養改善）", 1, false, K_INT},
    {"基本チェックリストの該当数（口腔内ケア）", 1, false, K_INT},
    {"基本チェックリストの該当数（閉じこもり予防）", 1, false, K_INT},
    {"基本チェックリストの該当数（物忘れ予防）", 1, false, K_INT},
    {"基本チェックリストの該当数（うつ予防）", 1, false, K_INT},
    {"事業プログラムの要否（運動不足）", 1, false, K_CODE},
    {"事業プログラムの要否（栄養改善）", 1, false, K_CODE},
    {"事業プログラムの要否（口腔内ケア）", 1, false, K_CODE},
    {"事業プログラムの要否（閉じこもり予防）", 1, false, K_CODE},
    {"事業プログラムの要否（物忘れ予防）", 1, false, K_CODE},
    {"事業プログラムの要否（うつ予防）", 1, false, K_CODE},
    {"地域包括支援センター意見", 0, false, K_TEXT},
    {"同意日", 8, false, K_DATE},
    {"同意者氏名", 0, false, K_TEXT},
};
static const struct cp_col c_yobo_sub[] = {
    {"CSVバージョン", 6, true, K_VER},
    {"保険者番号", 6, true, K_INSURER},
    {"被保険者番号", 10, true, K_INSURED},
    {"計画作成（変更）日", 8, true, K_DATE},
    {"課題ＮＯ", 2, false, K_INT},
    {"総合的課題", 0, false, K_TEXT},
    {"課題に対する目標と具体策の提案", 0, false, K_TEXT},
    {"具体策についての意向（本人・家族）", 0, false, K_TEXT},
    {"目標", 0, false, K_TEXT},
    {"支援計画ＮＯ", 2, false, K_INT},
    {"【支援計画】目標についての支援のポイント", 0, false, K_TEXT},
    {"【支援計画】本人等のセルフケアや家族の支援、インフォーマルサービス", 0, false, K_TEXT},
    {"【支援計画】介護保険サービス又は地域支援事業", 0, false, K_TEXT},
    {"利用サービスＮＯ", 2, false, K_INT},
    {"【利用サービス】サービス種別", 0, false, K_TEXT},
    {"【利用サービス】事業所（利用先）", 0, false, K_TEXT},
    {"【利用サービス】期間", 0, false, K_TEXT},
};
static const struct cp_col c_dltyobo[] = {
    {"CSVバージョン", 6, true, K_VER},
    {"保険者番号", 6, true, K_INSURER},
    {"被保険者番号", 10, true, K_INSURED},
    {"計画作成（変更）日", 8, true, K_DATE},
};

/* 介護予防支援 利用者基本情報 (UPKIHON 71, its 別表1 タイムスケジュール UPKIHON_SUB1 7 and 別表2 現病歴・既往歴
 * UPKIHON_SUB2 11, and DLTKIHON 4), keyed by 相談日. Names, order and lengths from a text extraction of the
 * 別紙 PDF (whose columns are shifted: the ○ marks and notes do not line up), so only the key columns 1–4
 * are required and the rest are checked by kind and length: [likely], to be checked against the PDF. */
static const struct cp_col c_kihon[] = {
    {"CSVバージョン", 6, true, K_VER},
    {"保険者番号", 6, true, K_INSURER},
    {"被保険者番号", 10, true, K_INSURED},
    {"相談日", 8, true, K_DATE},
    {"計画種類", 1, false, K_CODE},
    {"委託の有無", 1, false, K_CODE},
    {"作成担当者", 0, false, K_TEXT},
    {"相談方法", 2, false, K_CODE},
    {"相談方法（その他の内容）", 0, false, K_TEXT},
    {"相談回数", 2, false, K_CODE},
    {"前回相談日", 8, false, K_DATE},
    {"利用者の現況", 2, false, K_CODE},
    {"利用者の現況（状況補足）", 0, false, K_TEXT},
    {"利用者氏名フリガナ", 0, false, K_TEXT},
    {"利用者氏名", 0, false, K_TEXT},
    {"利用者性別", 1, false, K_CODE},
    {"利用者生年月日", 8, false, K_DATE},
    {"利用者住所", 0, false, K_TEXT},
    {"利用者電話番号", 15, false, K_PHONE},
    {"利用者Fax番号", 15, false, K_PHONE},
    {"障害高齢者の日常生活自立度", 2, false, K_CODE},
    {"認知症高齢者の日常生活自立度", 2, false, K_CODE},
    {"要介護状態区分", 2, false, K_CODE},
    {"認定有効期間開始日", 8, false, K_DATE},
    {"認定有効期間終了日", 8, false, K_DATE},
    {"前回の介護度", 2, false, K_CODE},
    {"基本チェックリスト記入結果", 1, false, K_CODE},
    {"基本チェックリスト記入日", 8, false, K_DATE},
    {"障害等認定（身障）", 1, false, K_CODE},
    {"障害等認定（療育）", 1, false, K_CODE},
    {"障害等認定（精神）", 1, false, K_CODE},
    {"障害等認定（難病）", 1, false, K_CODE},
    {"障害等認定特記事項", 0, false, K_TEXT},
    {"居住形態", 2, false, K_CODE},
    {"自室の階数", 2, false, K_CODE},
    {"住宅改修の有無", 1, false, K_CODE},
    {"経済状況（国民年金）", 1, false, K_CODE},
    {"経済状況（厚生年金）", 1, false, K_CODE},
    {"経済状況（障害年金）", 1, false, K_CODE},
    {"経済状況（生活保護）", 1, false, K_CODE},
    {"経済状況詳細", 0, false, K_TEXT},
    {"来所者（相談者）氏名", 0, false, K_TEXT},
    {"来所者（相談者）住所", 0, false, K_TEXT},
    {"来所者（相談者）電話番号", 15, false, K_PHONE},
    {"来所者（相談者）続柄", 0, false, K_TEXT},
    {"緊急連絡先１（氏名）", 0, false, K_TEXT},
    {"緊急連絡先１（続柄）", 0, false, K_TEXT},
    {"緊急連絡先１（住所）", 0, false, K_TEXT},
    {"緊急連絡先１（電話番号）", 15, false, K_PHONE},
    {"緊急連絡先２（氏名）", 0, false, K_TEXT},
    {"緊急連絡先２（続柄）", 0, false, K_TEXT},
    {"緊急連絡先２（住所）", 0, false, K_TEXT},
    {"緊急連絡先２（電話番号）", 15, false, K_PHONE},
    {"緊急連絡先３（氏名）", 0, false, K_TEXT},
    {"緊急連絡先３（続柄）", 0, false, K_TEXT},
    {"緊急連絡先３（住所）", 0, false, K_TEXT},
    {"緊急連絡先３（電話番号）", 15, false, K_PHONE},
    {"緊急連絡先４（氏名）", 0, false, K_TEXT},
    {"緊急連絡先４（続柄）", 0, false, K_TEXT},
    {"緊急連絡先４（住所）", 0, false, K_TEXT},
    {"緊急連絡先４（電話番号）", 15, false, K_PHONE},
    {"家族構成 画像ファイル名", 0, false, K_TEXT},
    {"家族関係等の状況", 0, false, K_TEXT},
    {"今までの生活", 0, false, K_TEXT},
    {"１日の生活・すごし方（生活全般）", 0, false, K_TEXT},
    {"趣味・楽しみ・特技", 0, false, K_TEXT},
    {"友人・地域との関係", 0, false, K_TEXT},
    {"現在利用している公的サービス", 0, false, K_TEXT},
    {"現在利用している非公的サービス", 0, false, K_TEXT},
    {"同意日", 8, false, K_DATE},
    {"同意者氏名", 0, false, K_TEXT},
};
static const struct cp_col c_kihon_sub1[] = {
    {"CSVバージョン", 6, true, K_VER},
    {"保険者番号", 6, true, K_INSURER},
    {"被保険者番号", 10, true, K_INSURED},
    {"相談日", 8, true, K_DATE},
    {"時間", 0, false, K_TEXT},
    {"本人の生活状況", 0, false, K_TEXT},
    {"介護者・家族の生活状況", 0, false, K_TEXT},
};
static const struct cp_col c_kihon_sub2[] = {
    {"CSVバージョン", 6, true, K_VER},
    {"保険者番号", 6, true, K_INSURER},
    {"被保険者番号", 10, true, K_INSURED},
    {"相談日", 8, true, K_DATE},
    {"年月日", 0, false, K_TEXT},
    {"病名", 0, false, K_TEXT},
    {"医療機関・医師名", 0, false, K_TEXT},
    {"主治医・意見作成者フラグ", 1, false, K_CODE},
    {"医療機関・医師電話番号", 15, false, K_PHONE},
    {"経過", 2, false, K_CODE},
    {"治療中の内容", 0, false, K_TEXT},
};
static const struct cp_col c_dltkihon[] = {
    {"CSVバージョン", 6, true, K_VER},
    {"保険者番号", 6, true, K_INSURER},
    {"被保険者番号", 10, true, K_INSURED},
    {"相談日", 8, true, K_DATE},
};

#define L(f, p, t, m, c) {f, p, t, m, c, sizeof c / sizeof c[0]}
static const struct cp_layout layouts[] = {
    L(CP_UPHOSOKU, "UPHOSOKU", "利用者補足情報", true, c_hosoku),
    L(CP_UP1KYO, "UP1KYO", "居宅サービス計画1表", false, c_1kyo),
    L(CP_DLT1KYO, "DLT1KYO", "居宅サービス計画1表_削除", false, c_dlt1kyo),
    L(CP_UP2KYO, "UP2KYO", "居宅サービス計画2表", false, c_2kyo),
    L(CP_UP3KYO, "UP3KYO", "居宅サービス計画3表", false, c_3kyo),
    L(CP_UPPLAN, "UPPLAN", "第6表(サービス利用票)予定", true, c_plan),
    L(CP_DLTPLAN, "DLTPLAN", "第6表 予定削除", true, c_dltplan),
    L(CP_UPJSK, "UPJSK", "第6表 実績情報", true, c_plan),
    L(CP_DLTJSK, "DLTJSK", "実績情報削除", true, c_dltjsk),
    L(CP_UPSIKYU, "UPSIKYU", "第7表(サービス利用票別表)", true, c_sikyu),
    L(CP_UPYOBO, "UPYOBO", "介護予防サービス・支援計画書", false, c_yobo),
    L(CP_UPYOBO_SUB, "UPYOBO_SUB", "介護予防サービス・支援計画書(別表)支援計画", false, c_yobo_sub),
    L(CP_DLTYOBO, "DLTYOBO", "介護予防サービス・支援計画書 削除", false, c_dltyobo),
    L(CP_UPKIHON, "UPKIHON", "介護予防支援 利用者基本情報", false, c_kihon),
    L(CP_UPKIHON_SUB1, "UPKIHON_SUB1", "利用者基本情報(別表1)1日の生活・すごし方", false, c_kihon_sub1),
    L(CP_UPKIHON_SUB2, "UPKIHON_SUB2", "利用者基本情報(別表2)現病歴・既往歴", false, c_kihon_sub2),
    L(CP_DLTKIHON, "DLTKIHON", "利用者基本情報 削除", false, c_dltkihon),
};

/* every prefix, the longest first so that UPKIHON_SUB1 is not read as UPKIHON */
static const struct {
    enum cp_file f;
    const char *prefix;
} prefixes[] = {
    {CP_UPKIHON_IMAGE, "UPKIHON_IMAGE"},
    {CP_UPKIHON_SUB1, "UPKIHON_SUB1"}, {CP_UPKIHON_SUB2, "UPKIHON_SUB2"}, {CP_UPYOBO_SUB, "UPYOBO_SUB"},
    {CP_UPHOSOKU, "UPHOSOKU"},         {CP_DLTKIHON, "DLTKIHON"},         {CP_UPSIKYU, "UPSIKYU"},
    {CP_UPKIHON, "UPKIHON"},           {CP_DLT1KYO, "DLT1KYO"},           {CP_DLTPLAN, "DLTPLAN"},
    {CP_DLTYOBO, "DLTYOBO"},           {CP_UP1KYO, "UP1KYO"},             {CP_UP2KYO, "UP2KYO"},
    {CP_UP3KYO, "UP3KYO"},             {CP_UPPLAN, "UPPLAN"},             {CP_UPYOBO, "UPYOBO"},
    {CP_DLTJSK, "DLTJSK"},             {CP_UPJSK, "UPJSK"},
};

static const struct cp_layout layouts_v3[] = {
    L(CP_UPPLAN, "UPPLAN", "第6表(サービス利用票)予定 v3", true, c_plan_v3),
    L(CP_UPJSK, "UPJSK", "第6表 実績情報 v3", true, c_plan_v3),
    L(CP_UPSIKYU, "UPSIKYU", "第7表(サービス利用票別表) v3", true, c_sikyu_v3),
};

const struct cp_layout *cp_layout_era(enum cp_file f, bool v3)
{
    for (size_t i = 0; v3 && i < sizeof layouts_v3 / sizeof layouts_v3[0]; i++)
        if (layouts_v3[i].file == f)
            return &layouts_v3[i];
    return cp_layout(f);
}

int cp_v4_col(unsigned nf, unsigned v4_index)
{
    unsigned gap = nf == CP_V3_PLAN_ITEMS ? 15 : nf == CP_V3_SIKYU_ITEMS ? 9 : 0; /* the 3 items v4.0 added */
    if (!gap || v4_index < gap)
        return (int)v4_index;
    if (v4_index < gap + 3)
        return -1;
    return (int)v4_index - 3;
}

const struct cp_layout *cp_layout(enum cp_file f)
{
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
        if (layouts[i].file == f)
            return &layouts[i];
    return NULL;
}

const char *cp_prefix(enum cp_file f)
{
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (prefixes[i].f == f)
            return prefixes[i].prefix;
    return "";
}

enum cp_file cp_file_from_prefix(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strlen(prefixes[i].prefix) == n && memcmp(prefixes[i].prefix, s, n) == 0)
            return prefixes[i].f;
    return CP_NONE;
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool alnum(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')))
            return false;
    return true;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static bool valid_date(const char *s)
{
    int y = num(s, 4), m = num(s + 4, 2), d = num(s + 6, 2);
    struct date x = {y, m, d};
    return y >= 1868 && date_valid(x);
}

static bool valid_ym(const char *s)
{
    int y = num(s, 4), m = num(s + 4, 2);
    return y >= 1868 && m >= 1 && m <= 12;
}

bool cp_version_known(struct str v)
{
    return str_eq(v, CP_VERSION_V41) || str_eq(v, "202504") || str_eq(v, CP_VERSION_V3);
}

/* The checks per kind (RULE-CSV-001). */
int cp_field_check(const struct cp_col *c, struct str v, const char **why)
{
    const char *s = v.ptr;
    size_t n = v.len;
    if (n == 0) {
        if (c->required) {
            *why = "必須項目が空です";
            return -1;
        }
        return 0;
    }
    switch (c->kind) {
    case K_VER:
        if (!cp_version_known(v)) {
            *why = "CSVバージョンは 202407(v4.1)、202504(v4.0)、202208(v3)のいずれかです";
            return -1;
        }
        return 0;
    case K_INSURER:
        if (n != 6 || !digits(s, n)) {
            *why = "保険者番号は数字6桁です";
            return -1;
        }
        return 0;
    case K_INSURED:
        if (n != 10 || !(alnum(s, n) || (s[0] == 'H' && digits(s + 1, 9)))) {
            *why = "被保険者番号は10桁(生保単独は H + 数字9桁)です";
            return -1;
        }
        return 0;
    case K_OFFICE:
        if (n != 10 || !alnum(s, n)) {
            *why = "事業所番号は英数字10桁です";
            return -1;
        }
        return 0;
    case K_DATE0:
        if (n == 8 && memcmp(s, "00000000", 8) == 0)
            return 0;
        /* fallthrough */
    case K_DATE:
        if (n != 8 || !digits(s, 8) || !valid_date(s)) {
            *why = "日付は実在する YYYYMMDD です";
            return -1;
        }
        return 0;
    case K_YM0:
        if (n == 6 && memcmp(s, "000000", 6) == 0)
            return 0;
        /* fallthrough */
    case K_YM:
        if (n != 6 || !digits(s, 6) || !valid_ym(s)) {
            *why = "年月は YYYYMM です";
            return -1;
        }
        return 0;
    case K_TIME:
        if (n != 4 || !digits(s, 4) ||
            (memcmp(s, "9999", 4) != 0 && (num(s, 2) > 24 || num(s + 2, 2) > 59))) {
            *why = "時刻は HHMM(時間表示の無いサービスは 9999)です";
            return -1;
        }
        return 0;
    case K_INT: {
        size_t i = s[0] == '-' ? 1 : 0;
        if (i == n || !digits(s + i, n - i) || n - i > c->len) {
            *why = "整数(桁数の上限あり)です";
            return -1;
        }
        return 0;
    }
    case K_CODE:
        if (n > c->len || !alnum(s, n)) {
            *why = "英数字のコード(桁数の上限あり)です";
            return -1;
        }
        return 0;
    case K_TEXT:
        return 0;
    case K_DAYS31:
        for (size_t i = 0; i < n; i++)
            if (s[i] != '0' && s[i] != '1')
                n = 0;
        if (n != 31) {
            *why = "日割対象日は 0/1 の31桁です";
            return -1;
        }
        return 0;
    case K_SVC:
        if (n != 6 || !alnum(s, n)) {
            *why = "サービスコードは英数字6桁(種類2桁+項目4桁)です";
            return -1;
        }
        return 0;
    case K_SVC7:
        if (n != 6 || !alnum(s, n)) {
            *why = "サービスコードは6桁(小計は種類+AAAA/EEEE/ZZZZ、合計は 999999)です";
            return -1;
        }
        return 0;
    case K_POSTAL:
        if (n != 8 || s[3] != '-' || !digits(s, 3) || !digits(s + 4, 4)) {
            *why = "郵便番号は XXX-XXXX です";
            return -1;
        }
        return 0;
    case K_PRICE: { /* 99.99 形式: 1-2 digits, and a '.' with 1-2 more (11.4, 11.40, 10) */
        const char *dot = memchr(s, '.', n);
        size_t a = dot ? (size_t)(dot - s) : n, b = dot ? n - a - 1 : 0;
        if (n > c->len || a < 1 || a > 2 || !digits(s, a) || (dot && (b < 1 || b > 2 || !digits(dot + 1, b)))) {
            *why = "単位数単価は 99.99 の形式です";
            return -1;
        }
        return 0;
    }
    case K_PHONE:
        for (size_t i = 0; i < n; i++)
            if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '(' || s[i] == ')'))
                n = 0;
        if (n == 0 || v.len > c->len) {
            *why = "電話番号は数字とハイフン(15桁まで)です";
            return -1;
        }
        return 0;
    case K_TAIS:
        if (!utf8_valid(s, n, NULL) || utf8_count(s, n) > c->len) {
            *why = "TAISコード・届出コードが長すぎます";
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '-' || (unsigned char)s[i] >= 0x80)) {
                *why = "TAISコード・届出コードは数字とハイフンです";
                return -1;
            }
        return 0;
    }
    *why = "未知の項目です";
    return -1;
}

/* ---- file names (RULE-CSV-002) ------------------------------------------------ */

static int take(const char **p, const char *end, size_t n, char *out, bool (*ok)(const char *, size_t))
{
    if ((size_t)(end - *p) < n || !ok(*p, n))
        return -1;
    memcpy(out, *p, n);
    out[n] = '\0';
    *p += n;
    return 0;
}

static int sep(const char **p, const char *end)
{
    if (*p >= end || **p != '_')
        return -1;
    (*p)++;
    return 0;
}

int cp_name_parse(const char *name, struct cp_name *o, const char **why)
{
    memset(o, 0, sizeof *o);
    size_t len = strlen(name);
    *why = "ファイル名が標準仕様の規約(例: UPPLAN_201912_0300000100_43_0300000005_11_20191025200201.CSV)と違います";
    /* the 家族構成 image: UPKIHON_IMAGE_from_kind_to_kind_stamp_枝番(4).jpg (v4.1 names only) */
    bool image = len > 4 && strcmp(name + len - 4, ".jpg") == 0 && strncmp(name, "UPKIHON_IMAGE_", 14) == 0;
    if (len < 4 || (strcmp(name + len - 4, ".CSV") != 0 && !image))
        return -1;
    const char *p = name, *end = name + len - 4;
    if (image) {
        if (len < 4 + 5 || end[-5] != '_' || !digits(end - 4, 4))
            return -1;
        memcpy(o->branch, end - 4, 4);
        end -= 5;
    }
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0] && !o->file; i++) {
        size_t n = strlen(prefixes[i].prefix);
        if ((size_t)(end - p) > n && memcmp(p, prefixes[i].prefix, n) == 0 && p[n] == '_') {
            o->file = prefixes[i].f;
            p += n;
        }
    }
    if (!o->file || image != (o->file == CP_UPKIHON_IMAGE))
        return -1;
    bool month = o->file == CP_UPHOSOKU || o->file == CP_UPPLAN || o->file == CP_UPJSK ||
                 o->file == CP_DLTPLAN || o->file == CP_DLTJSK || o->file == CP_UPSIKYU;
    if (month && (sep(&p, end) || take(&p, end, 6, o->month, digits)))
        return -1;
    /* v4.1: from10 _ kind2 _ to10 _ kind2 _ stamp14; v3: from _ to _ stamp14 */
    size_t rest = (size_t)(end - p);
    if (rest == 1 + 10 + 1 + 2 + 1 + 10 + 1 + 2 + 1 + 14) {
        if (sep(&p, end) || take(&p, end, 10, o->from, alnum) || sep(&p, end) ||
            take(&p, end, 2, o->from_kind, alnum) || sep(&p, end) || take(&p, end, 10, o->to, alnum) ||
            sep(&p, end) || take(&p, end, 2, o->to_kind, alnum) || sep(&p, end) ||
            take(&p, end, 14, o->stamp, digits))
            return -1;
    } else if (rest == 1 + 10 + 1 + 10 + 1 + 14 && !image) {
        o->v3 = true;
        if (sep(&p, end) || take(&p, end, 10, o->from, alnum) || sep(&p, end) ||
            take(&p, end, 10, o->to, alnum) || sep(&p, end) || take(&p, end, 14, o->stamp, digits))
            return -1;
        /* the 本文's history: v4.0 (202504) added the 第3表 and the 介護予防支援等 files - no v3 file has them */
        if (o->file == CP_UP3KYO || o->file == CP_UPKIHON || o->file == CP_UPKIHON_SUB1 ||
            o->file == CP_UPKIHON_SUB2 || o->file == CP_DLTKIHON || o->file == CP_UPYOBO || o->file == CP_UPYOBO_SUB ||
            o->file == CP_DLTYOBO) {
            *why = "このファイルは v4.0 で加わったもので、v3 の名前(サービス種類コードなし)では送れません";
            return -1;
        }
    } else
        return -1;
    if (!valid_date(o->stamp) || num(o->stamp + 8, 2) > 23 || num(o->stamp + 10, 2) > 59 ||
        num(o->stamp + 12, 2) > 59) {
        *why = "ファイル名の作成日時(YYYYMMDDHHMMSS)が正しくありません";
        return -1;
    }
    if (month && strcmp(o->month, "000000") != 0 && !valid_ym(o->month)) {
        *why = "ファイル名の年月(YYYYMM)が正しくありません";
        return -1;
    }
    return 0;
}

int cp_name_format(const struct cp_name *n, char *out, size_t cap)
{
    char month[8] = "";
    if (n->month[0])
        snprintf(month, sizeof month, "_%s", n->month);
    int w = n->file == CP_UPKIHON_IMAGE
                ? snprintf(out, cap, "%s_%s_%s_%s_%s_%s_%s.jpg", cp_prefix(n->file), n->from, n->from_kind, n->to,
                           n->to_kind, n->stamp, n->branch)
            : n->v3 ? snprintf(out, cap, "%s%s_%s_%s_%s.CSV", cp_prefix(n->file), month, n->from, n->to, n->stamp)
                    : snprintf(out, cap, "%s%s_%s_%s_%s_%s_%s.CSV", cp_prefix(n->file), month, n->from,
                               n->from_kind, n->to, n->to_kind, n->stamp);
    return w < 0 || (size_t)w >= cap ? -1 : 0;
}
