/*
 * certdocs.h - the documents of 要介護認定 and what follows it: 認定調査票,
 * 主治医意見書, LIFE 利用者フィードバック. Pure: the structures, their
 * validation against the dated data (data/chosa-items.tsv,
 * data/tokutei-shippei.tsv, data/rates.tsv), and the one visibility rule of a
 * document (a 主治医意見書 whose physician marked 同意しない). Parsing from
 * JSON/CSV is codec/docjson.c's; the checks here name the field and the allowed
 * values in Japanese so that every adapter reports the same message.
 *
 * Fixed-size fields (the limits enforced at input): nothing is allocated.
 */
#ifndef KAIGO_DOMAIN_CERTDOCS_H
#define KAIGO_DOMAIN_CERTDOCS_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/records.h"
#include "util/compiler.h"

#define DOC_ERR_FIELD_BYTES 64
#define DOC_ERR_MSG_BYTES 640
struct doc_error {
    char field[DOC_ERR_FIELD_BYTES]; /* "1-3", "consent" */
    char msg[DOC_ERR_MSG_BYTES];     /* Japanese sentence naming the field and what is allowed */
};

/* ---- 認定調査票 ------------------------------------------------------------ */

#define CHOSA_MAX_ITEMS 96      /* 74 基本調査 + 2 自立度, with room for a future form */
#define CHOSA_ITEM_BYTES 8      /* "1-1-5" */
#define CHOSA_ANSWER_BYTES 8    /* "2", "IIIa" */
#define CHOSA_NOTE_BYTES 401    /* 特記事項 per item: 100 chars */

struct chosa_answer {
    char item[CHOSA_ITEM_BYTES];
    char answer[CHOSA_ANSWER_BYTES];
    char note[CHOSA_NOTE_BYTES]; /* 特記事項 */
};

struct chosa {
    struct date surveyed;             /* 実施日 */
    char investigator[NAME_BYTES];    /* 調査実施者 */
    char place[NAME_BYTES];           /* 実施場所 */
    /* 概況調査 */
    char services_now[TEXT_BYTES];    /* III 現在受けているサービスの状況 */
    char environment[TEXT_BYTES];     /* IV 置かれている環境等 (家族状況・住宅環境・傷病等) */
    char overview[TEXT_BYTES];        /* その他の概況 */
    size_t n;
    struct chosa_answer a[CHOSA_MAX_ITEMS];
};

/* chosa_item - the definition of item id in force on 'on' (a row of
 * chosa_items), or NULL if the form of that date has no such item. */
const struct code_row *chosa_item(const char *id, struct date on);
/* chosa_answer_label - the label of answer code in an item's answers column
 * ("1:ない|2:ある"): a pointer into it and *len bytes, or NULL if code is not one. */
const char *chosa_answer_label(const char *answers, const char *code, size_t *len) NONNULL(1, 2, 3);
/* chosa_item_count - number of items of the form in force on 'on'. */
unsigned chosa_item_count(struct date on);
/* chosa_check - every item of the form in force on c->surveyed answered once,
 * each answer one of the item's codes, no unknown item, a date and an
 * investigator present. 0, or -1 with the first problem in *err. */
MUST_CHECK int chosa_check(const struct chosa *c, struct doc_error *err) NONNULL(1, 2);

/* ---- 主治医意見書 ------------------------------------------------------------ */

#define IKENSHO_MAX_DIAG 3
enum ikensho_consent { IKENSHO_CONSENT_ABSENT = 0, IKENSHO_CONSENT_YES, IKENSHO_CONSENT_NO };

struct ikensho_diag {
    char name[NAME_BYTES];
    struct date onset; /* 発症年月日, or none */
};

struct ikensho {
    struct date written;          /* 記入日: decides the 様式 */
    char doctor[NAME_BYTES];      /* 医師氏名 */
    char institution_no[PROVIDER_NO_LEN + 1]; /* 医療機関コード (10桁) or "" */
    struct date last_exam;        /* 最終診察日 */
    int times;                    /* 作成回数: 1 初回, 2 2回目以上 */
    bool other_depts;             /* 他科受診の有無 */
    char other_depts_text[NAME_BYTES];
    /* 介護サービス計画作成等への利用についての同意: only on forms that carry it */
    enum ikensho_consent consent;
    size_t ndiag;
    struct ikensho_diag diag[IKENSHO_MAX_DIAG]; /* 1 傷病に関する意見 */
    char tokutei[4];              /* 特定疾病 code (1–16) for a 第2号; "" otherwise */
    char stability[16];           /* 安定 | 不安定 | 不明 */
    char course[TEXT_BYTES];      /* 経過及び治療内容 */
    char special_medical[TEXT_BYTES]; /* 2 特別な医療 */
    char netakiri[8];             /* 3 障害高齢者の日常生活自立度 (7-1 codes) */
    char ninchi[8];               /* 3 認知症高齢者の日常生活自立度 (7-2 codes) */
    char state[TEXT_BYTES];       /* 3 心身の状態 */
    char services[TEXT_BYTES];    /* 4 生活機能とサービス */
    char notes[TEXT_BYTES];       /* 5 特記すべき事項 */
};

/* ikensho_form - the 様式 in force on 'written': "2026" for the form from
 * 2026-04-01 without the consent field, "2009" for the earlier one (RULE-DOC-002). */
const char *ikensho_form(struct date written);
/* ikensho_has_consent_field - the form of that date carries 同意する/しない. */
bool ikensho_has_consent_field(struct date written);
/* ikensho_check - the consent field present exactly when the form has it; a
 * 第2号 (dai2) names one 特定疾病; dates in order; codes known. 0 or -1 + *err. */
MUST_CHECK int ikensho_check(const struct ikensho *o, bool dai2, struct doc_error *err) NONNULL(1, 3);
/* ikensho_withheld_from_care - RULE-DOC-003: on a form with the consent field
 * the physician marked 同意しない: the opinion is not for care planning, so no
 * 居宅介護支援事業所, 地域包括 or provider ever sees it (gate_doc_visible). */
bool ikensho_withheld_from_care(const struct ikensho *o) NONNULL(1);
/* tokutei_name - the 特定疾病 of code on 'on', or NULL. */
const char *tokutei_name(const char *code, struct date on);

/* ---- LIFE 利用者フィードバック ----------------------------------------------- */

#define LIFE_MAX_ITEMS 64
#define LIFE_ITEM_BYTES 121 /* 40 chars */
#define LIFE_VALUE_BYTES 65 /* 16 chars */

struct life_item {
    char name[LIFE_ITEM_BYTES];  /* "BI合計", "BMI", "DBD13" */
    char value[LIFE_VALUE_BYTES];
};

struct life_feedback {
    char provider_no[PROVIDER_NO_LEN + 1];
    struct date evaluated;   /* 評価日 */
    char timing[32];         /* 評価時点: 利用開始時 / 利用中 / 利用終了時 or "" */
    size_t n;
    struct life_item items[LIFE_MAX_ITEMS];
};

/* life_check - a valid 事業所番号, a date, 1..LIFE_MAX_ITEMS items with names,
 * no item twice. 0 or -1 + *err. */
MUST_CHECK int life_check(const struct life_feedback *f, struct doc_error *err) NONNULL(1, 2);

#endif
