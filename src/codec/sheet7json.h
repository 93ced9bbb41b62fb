/*
 * sheet7json.h - the input and output of `kaigo sheet7` (docs/sheet7.md): the
 * one place a 第7表 case is parsed from untrusted JSON (≤ SHEET7_JSON_MAX,
 * counts within S7_MAX_*, every member type-checked; members not listed are
 * ignored, so a richer document from other software still reads) and the
 * computed table written back as JSON.
 *
 * Defaults are resolved here from data: limit_exempt from the service-code
 * master (limit_managed), units from the master when a line gives none,
 * unit_price from the office's 地域区分 grade and the service type, or left for
 * the caller when the office names its municipality (municipality[i]).
 */
#ifndef KAIGO_STORE_SHEET7JSON_H
#define KAIGO_STORE_SHEET7JSON_H

#include "domain/certdocs.h"
#include "domain/sheet7.h"
#include "domain/svcmaster.h"

#define SHEET7_JSON_MAX (4u << 20)
#define SHEET7_NAME_MAX 120 /* bytes of an office's name */

struct s7_doc {
    struct s7_input in;
    struct s7_office offices[S7_MAX_OFFICES];
    struct s7_line lines[S7_MAX_LINES];
    /* offices priced by the 地域区分 of their municipality (imported data): the
     * caller looks the grade up and sets offices[i].price_x100 (0 until then) */
    char municipality[S7_MAX_OFFICES][7];
    /* for the UPSIKYU file (optional members: insurer_no, insured_no, created,
     * plan_office, csv_version; offices[].name); empty when not given */
    struct s7_ident id;
    char names[S7_MAX_OFFICES][SHEET7_NAME_MAX + 1];
    const char *name_of[S7_MAX_OFFICES];
};

/* sheet7json_parse - *d filled (master may be NULL: no defaults from it).
 * 0, or -1 with the member path in err->field ("offices[0].lines[2].units"). */
MUST_CHECK int sheet7json_parse(const char *s, size_t n, const struct svc_master *master,
                                struct s7_doc *d, struct doc_error *err);
/* sheet7json_result - the computed table as JSON (caller frees). */
char *sheet7json_result(const struct s7_doc *d, const struct s7_total *t);

#endif
