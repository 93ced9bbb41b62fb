/* migrations.h - the embedded numbered SQL migrations (src/store/sqlite/migrations/NNNN_*.sql). */
#ifndef KAIGO_STORE_MIGRATIONS_H
#define KAIGO_STORE_MIGRATIONS_H

struct migration {
    int version;
    const char *name;
    const unsigned char *sql; /* NUL-terminated UTF-8 */
};

extern const struct migration migrations[];
extern const unsigned migrations_len;

#endif
