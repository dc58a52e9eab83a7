/*
 * batch.h: a sealed batch of aggregates and the Redis commands that apply
 * it. A batch is built once, from the merged worker tables, and then sent
 * as many times as it takes: its commands never change, so a retry is the
 * same sequence number with the same content (apply_script.h).
 */
#ifndef BEACON_BATCH_H
#define BEACON_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "proto/keys.h"

struct table;

struct batch_params {
    const char *prefix; /* key prefix, "bc" */
    /* names the applied-key P:{S}:applied:<applied_as>: the instance id,
     * and the data dir's log id (datadir.h) when it has one */
    const char *applied_as;
    uint64_t retention_minute_s;
    uint64_t retention_hour_s;
    uint64_t retention_day_s;
    uint64_t max_members; /* per sorted set; the rest goes to "(other)" */
    uint64_t max_areas;   /* areas per site and day with their own uva */
    /* a script call's size (site_calls.h); 0: 5 000 operations, 1 MiB */
    size_t max_call_ops, max_call_bytes;
};

/*
 * One command as an argument vector (the flusher formats it as RESP). A
 * script command is "EVALSHA <sha> ...": the sender points argv[1] at the
 * SHA that SCRIPT LOAD returned on its connection before each send.
 */
struct batch_cmd {
    int is_script;
    int argc;
    const char **argv;
    size_t *argvlen;
    char *strings; /* owns what argv points to */
};

struct batch {
    uint64_t seq;
    /* each site's EVALSHA calls in order, then one SADD P:sites */
    struct batch_cmd *cmds;
    size_t n_cmds, cmds_cap;
    size_t bytes; /* memory held by the commands */
    int64_t keys; /* aggregate keys it covers, for the backlog */
};

/*
 * Builds the commands for the aggregates in counts (a table keyed as in
 * counts.h) under sequence seq. Returns a batch, or NULL when out of
 * memory or when counts holds a key that does not decode (err says which).
 */
struct batch *batch_build(const struct table *counts, uint64_t seq,
                          const struct batch_params *p, char *err,
                          size_t errlen);

/* When a bucket of granularity g holding time t expires: its retention
 * after the bucket ends (for the batch's parts: batch.c, batch_hll.c). */
uint64_t batch_expire_at(const struct batch_params *p, enum keys_gran g,
                         time_t t);

/* A zeroed command past b's last, or NULL when out of memory. The caller
 * fills it and then counts it in n_cmds. */
struct batch_cmd *batch_next_cmd(struct batch *b);

/* Frees b; NULL is a no-op. */
void batch_destroy(struct batch *b);

#endif
