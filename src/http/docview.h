/*
 * docview.h - the JSON answers of the document routes, built after the audit
 * entry is durable from the rows the disclosure pipeline handed over: each row
 * is {"kind", "rkey", "body"} with body the stored canonical JSON. Adds what a
 * reader needs beside the stored fields: stage names and the days left to the
 * 30-day deadline (applications), item names and answer labels (認定調査票),
 * the 様式 and the consent field (意見書), a time series per item (LIFE), and
 * what remains and why (ledger). Returns a new reference (caller decrefs).
 */
#ifndef KAIGO_HTTP_DOCVIEW_H
#define KAIGO_HTTP_DOCVIEW_H

#include <jansson.h>

#include "domain/gate.h"
#include "util/date.h"

json_t *docview_build(enum category c, json_t *rows, struct date today, int withheld);

#endif
