/*
 * html.h - writing HTML into a struct buf with escaping.
 *
 * Every string that did not come from this program's own literals goes through
 * html_text (or html_attr): & < > " ' are escaped, so data cannot become markup.
 * Failure behaviour: a full buffer sets the buf's failure flag (buf_failed); the
 * caller checks once at the end.
 */
#ifndef KAIGO_UTIL_HTML_H
#define KAIGO_UTIL_HTML_H

#include "util/buf.h"
#include "util/compiler.h"

/* html_raw - markup written by this program (never data). */
void html_raw(struct buf *b, const char *s);
/* html_text - text, escaped for element content and quoted attribute values. */
void html_text(struct buf *b, const char *s);
void html_textn(struct buf *b, const char *s, size_t n);
/* html_textf - printf, then escaped as text. */
void html_textf(struct buf *b, const char *fmt, ...) FMT(2, 3);
/* html_markupf - printf of markup, not escaped: the format is the page's own and every argument a
 * number (never text from data - that goes through html_text). Longer than 1 KiB: nothing. */
void html_markupf(struct buf *b, const char *fmt, ...) FMT(2, 3);
/* html_url_component - percent-encodes everything but [A-Za-z0-9-._~] (for a query value). */
void html_url_component(struct buf *b, const char *s);

#endif
