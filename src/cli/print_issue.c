/*
 * print_issue.c - the issue of printed documents, shared by `kaigo print … --person` and the
 * batch (issue #6, docs/paper.md): tokens signed under serials taken beforehand from the
 * insurer's next unused one, then — once the PDF is on disk — the issue records written
 * under exactly those serials in one recorded change. A serial taken meanwhile by another
 * print of the insurer fails the record (rolled back); the caller removes the PDF.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "domain/paperdoc.h"
#include "store/store.h"
#include "util/banned.h"

int print_sign(const struct paper_doc *docs, size_t n, uint32_t first, const unsigned char *sk,
               struct paper_token *t, char (*tokens)[PAPER_TOKEN_TEXT_MAX])
{
    for (size_t i = 0; i < n; i++) {
        paper_token_of(&docs[i], &t[i]);
        t[i].serial = first + (uint32_t)i;
        if (paper_token_sign(&t[i], sk) || paper_token_text(&t[i], tokens[i]))
            return -1;
    }
    return 0;
}

int print_record(struct store *wst, struct paper_token *t, size_t n, const char *what)
{
    if (n == 0)
        return 0;
    struct actor a;
    cli_actor(&a);
    long long change;
    int rc = wst->ops->begin(wst) || wst->ops->change_begin(wst, a.id, what, &change);
    for (size_t i = 0; i < n && rc == 0; i++) {
        uint32_t want = t[i].serial;
        rc = wst->ops->paper_issue(wst, &t[i], change) || t[i].serial != want;
    }
    if (rc == 0 && wst->ops->commit(wst) == 0)
        return 0;
    wst->ops->rollback(wst);
    return -1;
}
