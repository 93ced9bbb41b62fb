/*
 * paperdoc.h - what a paper document prints, as lines of (label, value) in
 * Japanese with 和暦 dates (issue #6). The one source for both the drawing
 * (src/print) and the content hash in the QR token: the hash is SHA-256 of
 * paper_doc_text(), so a verifier holding the same record can rebuild the text
 * and compare. Pure.
 *
 * Failure: -1 with a Japanese reason when the person has nothing in force to
 * print for that document on the date.
 */
#ifndef KAIGO_DOMAIN_PAPERDOC_H
#define KAIGO_DOMAIN_PAPERDOC_H

#include <stddef.h>

#include "domain/card.h"
#include "domain/papertoken.h"
#include "util/buf.h"

#define PAPER_MAX_LINES 48 /* a 被保険者証 with 8 給付制限 and 4 stays: 43 */
#define PAPER_VALUE_BYTES 1024 /* above any record text (TEXT_BYTES 800) */

struct paper_line {
    char label[96];
    char value[PAPER_VALUE_BYTES];
};

struct paper_doc {
    enum paper_kind kind;
    char insurer_no[7], insured_no[11]; /* whose document */
    char title[96];
    struct date issued, valid_from, valid_to;
    size_t n;
    struct paper_line l[PAPER_MAX_LINES];
    char issuer[256]; /* 保険者番号並びに保険者の名称 */
    /* the facts the token carries for a clerk to compare with the paper (papertoken.h v2) */
    char level[3];    /* 要介護状態区分 code printed on a 被保険者証 */
    bool pending;     /* 申請中 printed on it */
    int ratio;        /* 負担割合 printed (負担割合証, お知らせ); 0 none */
    int stage;        /* 負担限度額 段階 printed (認定証, お知らせ); 0 none */
    bool overflow;    /* a line did not fit (never printed cut: the builder fails) */
};

/* paper_doc_burden - the 介護保険負担割合証 of card c (built for a date within its
 * validity), issued on 'issued'. */
MUST_CHECK int paper_doc_burden(const struct card *c, struct date issued, struct paper_doc *d, const char **why)
    NONNULL(1, 3, 4);

/* paper_doc_limit - the 介護保険負担限度額認定証 (段階 and the daily limits of the
 * stage for the month of the validity's start), issued on 'issued'. */
MUST_CHECK int paper_doc_limit(const struct card *c, struct date issued, struct paper_doc *d, const char **why)
    NONNULL(1, 3, 4);

/* paper_doc_card - the 介護保険被保険者証 in its three panels (一)(二)(三)
 * (platform.md §3.1): labels carry the panel. It has no validity of its own;
 * 申請中 and the 資格者証 show in (二). -1 when not insured on the date. */
MUST_CHECK int paper_doc_card(const struct card *c, struct date issued, struct paper_doc *d, const char **why)
    NONNULL(1, 3, 4);

/* The 被保険者証's panels: each line of a card's document has a label beginning with one. */
#define PAPER_PANELS 3
extern const char *const paper_panel[PAPER_PANELS];

/* paper_line_panel - the panel (0, 1, 2) a label begins with, and in *rest the label
 * after the mark; -1 (and *rest = label) for a label of no panel. */
int paper_line_panel(const char *label, const char **rest) NONNULL(1, 2);

/* paper_doc_postpone - the 延期通知 of application a (its latest 延期通知: reason and expected date) to the person
 * of c (介護保険法 第27条 第11項ただし書: a decision later than 30 days after the application is notified with
 * the reason and the expected date). -1 (*why) when the application has no 延期通知 recorded. */
struct application;
MUST_CHECK int paper_doc_postpone(const struct card *c, const struct application *a, struct date issued,
                                  struct paper_doc *d, const char **why);
/* paper_doc_notice - the periodic お知らせ of 負担割合 and 負担限度額 for people who do not
 * use マイナポータル (platform.md §0): what both certificates say, on one page. */
MUST_CHECK int paper_doc_notice(const struct card *c, struct date issued, struct paper_doc *d, const char **why)
    NONNULL(1, 3, 4);

/* One entry of the person's access log, as the report prints it. */
struct paper_access {
    int64_t time_ms;
    char org_name[192];  /* or the role's name; a proxy by name: 「山田 花子(代理人)」 */
    char category[64];   /* 資格, … */
    char purpose[64];    /* 介護サービスの提供, 保険者の事務, … ("" if none) */
    bool allowed, breakglass;
    bool paper_identity; /* the office registered itself with the person's paper card */
};
#define PAPER_ACCESS_PER_PAGE 8  /* entries on each page of the report: 8, as an entry with a long office name and the paper-identity note takes two lines (12 overflowed the page: found by the clerk's 開示請求 test, issue #19) */
#define PAPER_ACCESS_MAX_PAGES 75 /* 600 entries; older ones are counted on the last page */

/* paper_doc_access - the person's access report (閲覧記録のお知らせ) over as many pages as
 * its entries need, newest first (e[] in any order): how many reads, then every entry
 * with when (和暦, JST), who, what and the outcome, PAPER_ACCESS_PER_PAGE a page, each
 * page a document of its own ("(2/5)" in its title, its own serial and token when
 * printed) so any page checks alone. Beyond PAPER_ACCESS_MAX_PAGES the older entries are
 * counted on the last page. With since (not DATE_NONE) only the entries from that day on
 * (JST) are reported, and the period is printed. pages holds PAPER_ACCESS_MAX_PAGES;
 * *npages is set. c gives the name. */
MUST_CHECK int paper_doc_access(const struct card *c, const struct paper_access *e, size_t n, struct date since,
                                struct date issued, struct paper_doc *pages, size_t *npages, const char **why)
    NONNULL(1, 6, 7, 8);

/* paper_token_of - the token of d (kind, numbers, dates, the hash of paper_doc_text),
 * all but its serial and signature. */
void paper_token_of(const struct paper_doc *d, struct paper_token *t) NONNULL(1, 2);

/* paper_doc_text - the canonical printed text (title, then "label\tvalue" lines,
 * then the issuer; each line ends with '\n'), appended to out. */
void paper_doc_text(const struct paper_doc *d, struct buf *out) NONNULL(1, 2);

/* paper_token_facts - what a (version 2) token asserts, for people: 要介護状態区分等
 * (with 申請中), 利用者負担の割合, 負担限度額の段階; a clerk compares them with the paper.
 * Returns how many were written (0 for a version 1 token or a document without them). */
struct paper_fact {
    const char *label;
    char value[96];
};
size_t paper_token_facts(const struct paper_token *t, struct paper_fact out[3]) NONNULL(1, 2);

#endif
