/*
 * insurers.h - the shipped seed master of insurer names (data/insurers.tsv).
 * Used to name an insurer registered on first import; the operator can
 * rename it later (kaigo insurer set-name).
 */
#ifndef KAIGO_DOMAIN_INSURERS_H
#define KAIGO_DOMAIN_INSURERS_H

struct insurer_seed {
    const char *insurer_no;
    const char *prefecture;
    const char *name;
};

extern const struct insurer_seed insurer_seeds[];
extern const unsigned insurer_seeds_len;

/* insurer_seed_find - the seed row for a 6-digit number, or NULL. */
const struct insurer_seed *insurer_seed_find(const char *insurer_no);

#endif
