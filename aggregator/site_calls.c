/*
 * site_calls.c: see site_calls.h.
 */
#include "aggregator/site_calls.h"

#include <stdio.h>
#include <string.h>

#include "aggregator/batch.h"

#define DEFAULT_MAX_OPS 5000
#define DEFAULT_MAX_BYTES (1024 * 1024)
/* What an argument costs besides its bytes: its RESP header, mostly. */
#define ARG_OVERHEAD 8

int site_calls_begin(struct site_calls *c, struct batch *out,
                     const struct batch_params *p, const char *applied_key,
                     uint64_t seq)
{
    memset(c, 0, sizeof(*c));
    c->out = out;
    c->p = p;
    c->seq = seq;
    c->n_slot = -1;
    size_t n = strlen(applied_key);
    if (n >= sizeof(c->applied_key)) {
        return -1;
    }
    memcpy(c->applied_key, applied_key, n + 1);
    return 0;
}

/* Writes the current key's pair count into its slot. */
static void patch_pairs(struct site_calls *c)
{
    if (c->n_slot < 0) {
        return;
    }
    /* the slot was written as ten digits: room for any count here */
    char num[24];
    int len = snprintf(num, sizeof(num), "%llu", (unsigned long long)c->pairs);
    memcpy(c->ops.buf + c->ops.off[c->n_slot], num, (size_t)len);
    c->ops.arglen[c->n_slot] = (size_t)len;
}

int site_calls_key(struct site_calls *c, char type, uint64_t expire_at,
                   const char *key)
{
    size_t n = strlen(key);
    if (n >= sizeof(c->key)) {
        return -1;
    }
    patch_pairs(c);
    memcpy(c->key, key, n + 1);
    c->type = type;
    c->expire_at = expire_at;
    c->n_slot = -1;
    return 0;
}

static size_t max_ops(const struct site_calls *c)
{
    return c->p->max_call_ops ? c->p->max_call_ops : DEFAULT_MAX_OPS;
}

static size_t max_bytes(const struct site_calls *c)
{
    return c->p->max_call_bytes ? c->p->max_call_bytes : DEFAULT_MAX_BYTES;
}

/* The open call as an EVALSHA (apply_script.h), appended to the batch. */
static int close_call(struct site_calls *c)
{
    struct argbuf a = {0};
    struct batch_cmd *cmd;

    patch_pairs(c);
    if (argbuf_str(&a, "EVALSHA") < 0 || argbuf_str(&a, "(script sha)") < 0 ||
        argbuf_u64(&a, (uint64_t)(c->keys.argc + c->area_keys.argc) + 1) <
            0 ||
        argbuf_str(&a, c->applied_key) < 0 || argbuf_append(&a, &c->keys) < 0 ||
        argbuf_append(&a, &c->area_keys) < 0 || argbuf_u64(&a, c->seq) < 0 ||
        argbuf_u64(&a, c->call) < 0 ||
        argbuf_u64(&a, c->p->retention_day_s) < 0 ||
        argbuf_u64(&a, c->p->max_areas) < 0 ||
        argbuf_u64(&a, c->p->max_members) < 0 ||
        argbuf_u64(&a, (uint64_t)c->keys.argc) < 0 ||
        argbuf_append(&a, &c->ops) < 0 ||
        (cmd = batch_next_cmd(c->out)) == NULL || argbuf_finish(&a, cmd) < 0) {
        argbuf_free(&a);
        return -1;
    }
    cmd->is_script = 1;
    c->out->n_cmds++;
    c->call++;
    argbuf_reset(&c->keys);
    argbuf_reset(&c->area_keys);
    argbuf_reset(&c->ops);
    c->n_ops = 0;
    c->bytes = 0;
    c->n_slot = -1;
    return 0;
}

/* What a pair costs the open call, its key's header included when the
 * pair is the key's first in the call, and an area's HyperLogLog key. */
static void pair_cost(const struct site_calls *c, size_t field_len,
                      size_t value_len, size_t *ops, size_t *bytes)
{
    size_t key_len = strlen(c->key);
    *ops = 1;
    *bytes = field_len + value_len + 2 * ARG_OVERHEAD;
    if (c->n_slot < 0) {
        *ops += 1;
        *bytes += key_len + 40 + 4 * ARG_OVERHEAD;
    }
    if (c->type == 'a') {
        *bytes += key_len + 1 + field_len + ARG_OVERHEAD;
        if (c->n_slot < 0) {
            *bytes += key_len + sizeof(":(other)") + ARG_OVERHEAD;
        }
    }
}

/* Declares <key>:<suffix>, a HyperLogLog an "a" key's area merges into. */
static int area_key(struct site_calls *c, const char *suffix, size_t len)
{
    char name[2 * KEYS_MAX];
    size_t n = strlen(c->key);
    if (n + 1 + len > sizeof(name)) {
        return -1;
    }
    memcpy(name, c->key, n);
    name[n] = ':';
    memcpy(name + n + 1, suffix, len);
    return argbuf_add(&c->area_keys, name, n + 1 + len);
}

int site_calls_pair(struct site_calls *c, const char *field, size_t field_len,
                    const char *value, size_t value_len)
{
    size_t ops, cost;

    pair_cost(c, field_len, value_len, &ops, &cost);
    /* a full call is closed; a pair alone in a call always fits */
    if (c->n_ops > 0 &&
        (c->n_ops + ops > max_ops(c) || c->bytes + cost > max_bytes(c))) {
        if (close_call(c) < 0) {
            return -1;
        }
        pair_cost(c, field_len, value_len, &ops, &cost);
    }
    if (c->n_slot < 0) {
        char type[2] = {c->type, '\0'};
        if (argbuf_str(&c->keys, c->key) < 0 || argbuf_str(&c->ops, type) < 0 ||
            argbuf_u64(&c->ops, c->expire_at) < 0 ||
            argbuf_str(&c->ops, "0000000000") < 0) {
            return -1;
        }
        c->n_slot = c->ops.argc - 1;
        c->pairs = 0;
        if (c->type == 'a' && area_key(c, "(other)", 7) < 0) {
            return -1;
        }
    }
    if (c->type == 'a' && area_key(c, field, field_len) < 0) {
        return -1;
    }
    if (argbuf_add(&c->ops, field, field_len) < 0 ||
        argbuf_add(&c->ops, value, value_len) < 0) {
        return -1;
    }
    c->pairs++;
    c->n_ops += ops;
    c->bytes += cost;
    return 0;
}

int site_calls_count(struct site_calls *c, const char *field,
                     size_t field_len, uint64_t count)
{
    char num[ARGBUF_DIGITS];
    size_t i = argbuf_digits(num, count);
    return site_calls_pair(c, field, field_len, num + i, ARGBUF_DIGITS - i);
}

int site_calls_end(struct site_calls *c)
{
    return c->n_ops > 0 ? close_call(c) : 0;
}

void site_calls_free(struct site_calls *c)
{
    argbuf_free(&c->keys);
    argbuf_free(&c->area_keys);
    argbuf_free(&c->ops);
    memset(&c->keys, 0, sizeof(c->keys));
    memset(&c->area_keys, 0, sizeof(c->area_keys));
    memset(&c->ops, 0, sizeof(c->ops));
}
