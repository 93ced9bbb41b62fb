/* insurers.c - lookups in the seed master; see insurers.h. */
#include <string.h>

#include "domain/insurers.h"
#include "util/banned.h"

const struct insurer_seed *insurer_seed_find(const char *insurer_no)
{
    for (unsigned i = 0; i < insurer_seeds_len; i++)
        if (strcmp(insurer_seeds[i].insurer_no, insurer_no) == 0)
            return &insurer_seeds[i];
    return NULL;
}
