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

/* print_pdf - one A4 page per document, docs[i] with the QR code of tokens[i]. */
int print_pdf(const char *path, const struct paper_doc *docs, const char *const *tokens, size_t n,
              const char **why);

#endif
