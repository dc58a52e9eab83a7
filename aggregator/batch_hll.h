/*
 * batch_hll.h: the HyperLogLog members of one site's batch command:
 * visitor pseudonyms and e-mail recipient hashes per HyperLogLog key
 * ("p"), and the day's area visitors (area_len | area | pseudonym) per
 * index of areas ("a", apply_script.h). They are most of a busy batch's
 * entries and need neither merging (PFADD is idempotent) nor an order, so
 * they skip batch.c's operation table and its sort. Members point into
 * the counts table's keys: they live as long as it does.
 */
#ifndef BEACON_BATCH_HLL_H
#define BEACON_BATCH_HLL_H

#include <stddef.h>
#include <stdint.h>

#include "aggregator/batch.h"
#include "aggregator/counts.h"
#include "proto/keys.h"

struct argbuf;

struct vmember {
    const char *p; /* in the counts table's key */
    size_t len;
};

struct vbucket {
    char key[KEYS_MAX];
    char type; /* 'p' (HyperLogLog) or 'a' (index of areas) */
    uint64_t expire_at;
    struct vmember *member;
    size_t n, cap;
};

/* The buckets of the minute seen last, by kind (indices: the bucket
 * array may move when it grows); consecutive entries usually share them. */
struct vcache {
    uint32_t minute;
    int valid;
    size_t bucket[2];
};

struct batch_hll {
    struct vbucket *b;
    size_t n, cap;
    struct vcache uv, uva;
};

/* Empties v, keeping its memory; frees it. A zeroed struct is empty. */
void batch_hll_reset(struct batch_hll *v);
void batch_hll_free(struct batch_hll *v);

/*
 * Files an entry of the counts table: a visitor under its hour and day
 * uv; an area visitor under its day's index of areas and its pseudonym
 * under uv; a recipient hash under its campaign's uo or uc. Each returns
 * 0, or -1 for a malformed entry or when out of memory.
 */
int batch_hll_visitor(struct batch_hll *v, const struct batch_params *p,
                      const struct counts_key *k);
int batch_hll_area_visitor(struct batch_hll *v, const struct batch_params *p,
                           const struct counts_key *k);
int batch_hll_recipient(struct batch_hll *v, const struct batch_params *p,
                        const struct counts_key *k);

/* The keys filed (KEYS of the script), their names as arguments, and
 * their operations: type, expire-at, n, n x (member, value). */
size_t batch_hll_keys(const struct batch_hll *v);
int batch_hll_key_args(const struct batch_hll *v, struct argbuf *a);
int batch_hll_op_args(const struct batch_hll *v, struct argbuf *a,
                      uint64_t max_areas);

#endif
