/*
 * assets.h - the web assets built into the binary (tools/embed-assets.cmake from web/).
 * Static, public, never personal data.
 */
#ifndef KAIGO_HTTP_ASSETS_H
#define KAIGO_HTTP_ASSETS_H

#include <stddef.h>

struct asset {
    const char *path;  /* "/assets/kaigo.css" */
    const char *ctype;
    const unsigned char *bytes;
    size_t len;
};

extern const struct asset assets[];
extern const unsigned assets_len;

#endif
