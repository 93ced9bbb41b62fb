/*
 * records.h - the typed records of the registry: insurers, insured persons
 * and their certificate-like records. Fixed-size fields so that the domain
 * allocates nothing; sizes are the limits enforced at import (bytes of UTF-8).
 */
#ifndef KAIGO_DOMAIN_RECORDS_H
#define KAIGO_DOMAIN_RECORDS_H

#include <stdbool.h>

#include "domain/burden.h"
#include "domain/certification.h"
#include "domain/level.h"
#include "domain/numbers.h"
#include "util/date.h"

#define NAME_MAX_CHARS 40     /* 氏名 / カナ, in characters */
#define NAME_BYTES 161        /* 40 chars × 4 bytes + NUL */
#define ADDRESS_MAX_CHARS 120
#define ADDRESS_BYTES 481
#define TEXT_MAX_CHARS 200    /* free text such as 審査会意見 */
#define TEXT_BYTES 801

struct person_key {
    char insurer_no[INSURER_NO_LEN + 1];
    char insured_no[INSURED_NO_LEN + 1];
};

/* When the insurer issues the paper 被保険者証 (an insurer's choice since the 介護保険部会's 2025-09
 * direction: at 要介護認定申請 rather than to everyone reaching 65; national.md §3). */
enum card_issue { CARD_ISSUE_AGE65 = 0, CARD_ISSUE_APPLICATION = 1 };
/* card_issue_parse - "age65" / "application" (or 65歳 / 申請時); 0 or -1. */
int card_issue_parse(const char *s, enum card_issue *out);
const char *card_issue_code(enum card_issue c); /* age65, application */
const char *card_issue_name(enum card_issue c); /* 65歳到達時に全員へ交付, 要介護認定の申請時に交付 */

struct insurer {
    char insurer_no[INSURER_NO_LEN + 1];
    char name[NAME_BYTES];
    char prefecture[16];
    enum card_issue card_issue;
    struct date platform_start; /* 介護情報基盤 の利用開始日, or DATE_NONE when not known */
};

enum sex { SEX_UNKNOWN = 0, SEX_MALE = 1, SEX_FEMALE = 2 };

struct insured {
    struct person_key key;
    char name[NAME_BYTES];
    char kana[NAME_BYTES];
    struct date birth;
    enum sex sex;
    char postal[9]; /* "123-4567" */
    char address[ADDRESS_BYTES];
    struct date acquired; /* 資格取得日 */
    struct date lost;     /* 資格喪失日, or none */
    struct date issued;   /* 交付年月日, or none */
    struct date tokurei;  /* 住所地特例 (介護保険法 第13条) from this date, or none */
};

struct certification {
    enum care_level level;
    enum cert_kind kind;
    struct date applied;    /* 申請日 */
    struct date certified;  /* 認定年月日 */
    struct date valid_from, valid_to;
    char opinion[TEXT_BYTES];  /* 認定審査会の意見 */
    char services[TEXT_BYTES]; /* サービスの種類の指定 */
};

struct burden_cert {
    int ratio; /* 1..3 */
    struct date valid_from, valid_to;
};

struct limit_cert {
    enum limit_stage stage;
    struct date valid_from, valid_to;
};

enum restriction_kind { RESTRICT_PAYMENT_METHOD = 1, RESTRICT_REDUCTION, RESTRICT_SUSPENSION };
struct restriction { /* 給付制限 */
    enum restriction_kind kind;
    struct date valid_from, valid_to;
    char detail[TEXT_BYTES];
};

struct plan_notice { /* 居宅サービス計画作成依頼届出 */
    bool self_made;  /* 自己作成 */
    char provider_no[PROVIDER_NO_LEN + 1];
    char office_name[NAME_BYTES];
    struct date notified; /* 届出年月日 */
    struct date ended;    /* 終了日, or none */
};

struct facility_stay { /* 介護保険施設等 */
    char facility_kind[64];
    char name[NAME_BYTES];
    char provider_no[PROVIDER_NO_LEN + 1];
    struct date admitted, discharged;
};

const char *sex_name(enum sex s);
const char *restriction_name(enum restriction_kind k);

#endif
