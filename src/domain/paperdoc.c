/* paperdoc.c - the printed lines of paper documents; see paperdoc.h. */
#include <stdio.h>
#include <string.h>

#include "domain/paperdoc.h"
#include "domain/wareki.h"
#include "util/banned.h"

static void wareki(struct date d, char *out, size_t cap)
{
    struct buf b;
    buf_init(&b, 64);
    if (wareki_format(d, WAREKI_LONG, &b) == 0 && b.ptr)
        snprintf(out, cap, "%s", b.ptr);
    else
        date_iso(d, out);
    buf_release(&b);
}

static void add(struct paper_doc *d, const char *label, const char *value)
{
    if (d->n == PAPER_MAX_LINES)
        return;
    snprintf(d->l[d->n].label, sizeof d->l[0].label, "%s", label);
    snprintf(d->l[d->n].value, sizeof d->l[0].value, "%s", value);
    d->n++;
}

static void add_date(struct paper_doc *d, const char *label, struct date v)
{
    char w[64] = "";
    if (!date_is_none(v))
        wareki(v, w, sizeof w);
    add(d, label, w);
}

int paper_doc_burden(const struct card *c, struct date issued, struct paper_doc *d, const char **why)
{
    memset(d, 0, sizeof *d);
    if (!c->has_burden) {
        *why = "この日に有効な負担割合の記録がありません";
        return -1;
    }
    d->kind = PAPER_BURDEN;
    snprintf(d->title, sizeof d->title, "%s", "介護保険負担割合証");
    d->issued = issued;
    d->valid_from = c->burden.valid_from;
    d->valid_to = c->burden.valid_to;
    add_date(d, "交付年月日", issued);
    add(d, "被保険者番号", c->person.key.insured_no);
    add(d, "住所", c->person.address);
    add(d, "フリガナ", c->person.kana);
    add(d, "氏名", c->person.name);
    add_date(d, "生年月日", c->person.birth);
    add(d, "性別", c->person.sex == SEX_MALE ? "男" : c->person.sex == SEX_FEMALE ? "女" : "");
    char ratio[16];
    snprintf(ratio, sizeof ratio, "%d割", c->burden.ratio);
    add(d, "利用者負担の割合", ratio);
    add_date(d, "適用期間(開始年月日)", c->burden.valid_from);
    add_date(d, "適用期間(終了年月日)", c->burden.valid_to);
    snprintf(d->issuer, sizeof d->issuer, "保険者番号 %s  %s", c->insurer.insurer_no, c->insurer.name);
    return 0;
}

void paper_doc_text(const struct paper_doc *d, struct buf *out)
{
    buf_adds(out, d->title);
    buf_addc(out, '\n');
    for (size_t i = 0; i < d->n; i++) {
        buf_adds(out, d->l[i].label);
        buf_addc(out, '\t');
        buf_adds(out, d->l[i].value);
        buf_addc(out, '\n');
    }
    buf_adds(out, d->issuer);
    buf_addc(out, '\n');
}
