/*
 * batch_hll.h: the HyperLogLog part of one site's script calls. Each
 * sketch of the counts table (counts.h) becomes a Redis HyperLogLog
 * string that the script merges (PFMERGE) into its keys: an hour's
 * visitors into uv of the hour and of the day ("p"), an area's into the
 * day's index of areas ("a", apply_script.h), a campaign's recipients into
 * its uo or uc ("p"). Sketches need neither the operation table of
 * batch.c nor its sort (batch.c files them in key order). Fields point at
 * the counts table's sketches and keys: they live as long as it does.
 */
#ifndef BEACON_BATCH_HLL_H
#define BEACON_BATCH_HLL_H

#include <stddef.h>
#include <stdint.h>

#include "aggregator/batch.h"
#include "aggregator/counts.h"
#include "proto/keys.h"

struct site_calls;
struct sketch;

struct vfield {
    const char *area; /* "a": in the counts table's key; "p": NULL */
    size_t area_len;
    const struct sketch *s;
};

struct vbucket {
    char key[KEYS_MAX];
    char type; /* 'p' (HyperLogLog) or 'a' (index of areas) */
    uint64_t expire_at;
    struct vfield *field;
    size_t n, cap;
};

struct batch_hll {
    struct vbucket *b;
    size_t n, cap;
    char *encoded;    /* one HyperLogLog string at a time */
    uint8_t *scratch; /* HLL_REGISTERS bytes for sketch_encode */
};

/* Empties v, keeping its memory; frees it. A zeroed struct is empty. */
void batch_hll_reset(struct batch_hll *v);
void batch_hll_free(struct batch_hll *v);

/* Files s, the sketch of counts key k (COUNTS_UV, COUNTS_UVA,
 * COUNTS_MAIL_OPENER or COUNTS_MAIL_CLICKER). Returns 0, or -1 for a
 * malformed key or when out of memory. */
int batch_hll_sketch(struct batch_hll *v, const struct batch_params *p,
                     const struct counts_key *k, const struct sketch *s);

/* Appends the keys filed and their merges to the site's calls, in the
 * order filed. Returns 0, or -1 when out of memory. */
int batch_hll_calls(struct batch_hll *v, struct site_calls *c);

#endif
