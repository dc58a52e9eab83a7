/*
 * site_calls.h: one site's part of a batch cut into script calls of
 * bounded size (apply_script.h). A flush can bring a site 100 000s of
 * operations; one call applying them all would stall Redis, every other
 * client with it, for a second. So operations are appended key by key,
 * and a call is closed once it holds max_ops operations or max_bytes of
 * arguments; the key being filled goes on in the next call.
 *
 * Calls of one site are numbered from 0 within the batch and applied in
 * that order, each at most once: the site's applied-key records the last
 * (sequence, call) applied, and a call whose predecessor is not recorded
 * is refused, so a retry resumes exactly where Redis stopped.
 *
 * The cut depends only on the operations and their order, so a batch
 * rebuilt from the log after a crash is cut the same way.
 */
#ifndef BEACON_SITE_CALLS_H
#define BEACON_SITE_CALLS_H

#include <stddef.h>
#include <stdint.h>

#include "aggregator/argbuf.h"
#include "proto/keys.h"

struct batch;
struct batch_params;

struct site_calls {
    struct batch *out;   /* calls are appended to out->cmds */
    const struct batch_params *p;
    char applied_key[KEYS_MAX];
    uint64_t seq;
    unsigned call;       /* number of the open call */
    struct argbuf keys;  /* data keys of the open call */
    /* the HyperLogLogs its "a" keys' areas may merge into: declared too,
     * so that in a Redis Cluster a slot being migrated redirects the call
     * instead of letting it write a key the migration has yet to move */
    struct argbuf area_keys;
    struct argbuf ops;   /* their operations */
    size_t n_ops, bytes; /* what the open call holds */
    /* the key being filled: its header waits for its first pair */
    char type;
    uint64_t expire_at;
    char key[KEYS_MAX];
    int n_slot; /* index in ops of the key's pair count; -1 before a pair */
    uint64_t pairs;
};

/* Starts the calls of one site (applied_key names its record of applied
 * calls) in batch out. Returns 0, or -1 when the key is too long. */
int site_calls_begin(struct site_calls *c, struct batch *out,
                     const struct batch_params *p, const char *applied_key,
                     uint64_t seq);

/* The next pairs go to key (type as in apply_script.h), expiring at
 * expire_at. Returns 0, or -1 when the name is too long. */
int site_calls_key(struct site_calls *c, char type, uint64_t expire_at,
                   const char *key);

/* One (field, value) pair of the current key; a count as its value. Each
 * returns 0, or -1 when out of memory. */
int site_calls_pair(struct site_calls *c, const char *field, size_t field_len,
                    const char *value, size_t value_len);
int site_calls_count(struct site_calls *c, const char *field,
                     size_t field_len, uint64_t count);

/* Closes the last call. Returns 0, or -1 when out of memory. */
int site_calls_end(struct site_calls *c);

/* Frees what c holds (after a failure, or after site_calls_end). */
void site_calls_free(struct site_calls *c);

#endif
