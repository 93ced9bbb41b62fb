/*
 * cardjson.h - the card as JSON (API and `kaigo card show --json`).
 * Dates ISO 8601 in data; a "wareki" twin for display.
 */
#ifndef KAIGO_HTTP_CARDJSON_H
#define KAIGO_HTTP_CARDJSON_H

#include <jansson.h>

#include "domain/card.h"

/* card_json - new reference (caller json_decref()s). */
json_t *card_json(const struct card *c);

#endif
