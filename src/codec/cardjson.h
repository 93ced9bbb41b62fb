/*
 * cardjson.h - the card as JSON (API and `kaigo card show --json`).
 * Dates ISO 8601 in data, with a "<name>_wareki" twin for display.
 */
#ifndef KAIGO_HTTP_CARDJSON_H
#define KAIGO_HTTP_CARDJSON_H

#include "domain/card.h"
#include "util/jsonw.h"

/* card_json - writes the card as one JSON object into w (streaming; no tree). */
void card_json(struct jsonw *w, const struct card *c);

#endif
