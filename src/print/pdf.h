/*
 * pdf.h - paper documents drawn as PDF with cairo + pango (fonts-noto-cjk) and
 * the signed token as a QR code (libqrencode) (issue #6, docs/paper.md). An
 * output adapter beside http/ and cli/: it draws what domain/paperdoc.h decided
 * and nothing else. Text wraps inside its box and is never cut: a value that
 * does not fit the page is an error, not a silent truncation.
 *
 * Failure: -1 with a Japanese reason in *why; the file may then be partial.
 */
#ifndef KAIGO_PRINT_PDF_H
#define KAIGO_PRINT_PDF_H

#include <stddef.h>

#include "domain/paperdoc.h"

#define PRINT_FONT "Noto Sans CJK JP"

/* The paper a document is printed on: A4 (every document; a 被保険者証 with its three
 * panels one under the other), or the 被保険者証's folded card size (its three
 * panels side by side on a 273 × 128 mm sheet, folded in three to 91 × 128 mm). */
enum print_format { PRINT_A4, PRINT_CARD };

/* print_format_parse - "a4" or "card"; -1 for anything else */
int print_format_parse(const char *s, enum print_format *f);

#define PRINT_UNFIT (-2) /* a document does not fit its paper (never printed cut) */

/* print_pdf - one page per document, docs[i] with the QR code of tokens[i]; PRINT_CARD
 * only for 被保険者証 (-1 otherwise, before anything is written). PRINT_UNFIT when
 * docs[*failed] does not fit (failed may be NULL). */
int print_pdf(const char *path, const struct paper_doc *docs, const char *const *tokens, size_t n,
              enum print_format format, size_t *failed, const char **why);

#endif
