/* insurers.c - lookups in the seed master (see insurers.h), and the insurer's card-issue policy
 * (records.h). */
#include <string.h>

#include "domain/insurers.h"
#include "domain/records.h"
#include "util/banned.h"

const struct insurer_seed *insurer_seed_find(const char *insurer_no)
{
    for (unsigned i = 0; i < insurer_seeds_len; i++)
        if (strcmp(insurer_seeds[i].insurer_no, insurer_no) == 0)
            return &insurer_seeds[i];
    return NULL;
}

/* 介護保険部会 (2025-09, national.md §3): an insurer may issue the paper 被保険者証 at 要介護認定申請
 * instead of to everyone on reaching 65. The choice is the insurer's data. */
static const struct {
    enum card_issue c;
    const char *code, *alt, *name;
} issue_kinds[] = {
    {CARD_ISSUE_AGE65, "age65", "65歳", "65歳到達時に全員へ交付"},
    {CARD_ISSUE_APPLICATION, "application", "申請時", "要介護認定の申請時に交付"},
};

int card_issue_parse(const char *s, enum card_issue *out)
{
    for (size_t i = 0; i < sizeof issue_kinds / sizeof issue_kinds[0]; i++)
        if (strcmp(s, issue_kinds[i].code) == 0 || strcmp(s, issue_kinds[i].alt) == 0) {
            *out = issue_kinds[i].c;
            return 0;
        }
    return -1;
}

const char *card_issue_code(enum card_issue c)
{
    return c == CARD_ISSUE_APPLICATION ? "application" : "age65";
}

const char *card_issue_name(enum card_issue c)
{
    return c == CARD_ISSUE_APPLICATION ? issue_kinds[1].name : issue_kinds[0].name;
}
