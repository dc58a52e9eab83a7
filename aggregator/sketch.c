/*
 * sketch.c: see sketch.h.
 */
#include "aggregator/sketch.h"

#include <stdlib.h>
#include <string.h>

#define SKETCH_FIRST_SLOTS 8
#define HEAD offsetof(struct sketch, u)

_Static_assert(HLL_SPARSE_MAX_BYTES(SKETCH_SPARSE_MAX) <= HLL_DENSE_BYTES,
               "a sparse string fits where a dense one does");

static struct sketch *sparse_new(uint32_t slots, sketch_alloc_fn alloc,
                                 void *ctx)
{
    struct sketch *s = alloc(ctx, HEAD + slots * sizeof(uint32_t));
    if (s != NULL) {
        s->slots = slots;
        s->n = 0;
        memset(s->u.slot, 0, slots * sizeof(uint32_t));
    }
    return s;
}

struct sketch *sketch_new(sketch_alloc_fn alloc, void *ctx)
{
    return sparse_new(SKETCH_FIRST_SLOTS, alloc, ctx);
}

/* The slot of index in a sparse sketch, or the empty one it would take
 * (the set is never full). */
static uint32_t *sparse_slot(struct sketch *s, uint32_t index)
{
    uint32_t mask = s->slots - 1;
    for (uint32_t i = index & mask;; i = (i + 1) & mask) {
        uint32_t have = s->u.slot[i];
        if (have == 0 || have >> 8 == index) {
            return &s->u.slot[i];
        }
    }
}

/* Puts a register of another sketch (packed, index not yet present) into
 * sparse s, which has room. */
static void sparse_put(struct sketch *s, uint32_t packed)
{
    *sparse_slot(s, packed >> 8) = packed;
    s->n++;
}

/* A copy of sparse s in a block that takes at least one more register:
 * twice the slots, or dense past SKETCH_SPARSE_MAX. */
static struct sketch *grow(const struct sketch *s, sketch_alloc_fn alloc,
                           void *ctx)
{
    struct sketch *g;
    if (s->n + 1 > SKETCH_SPARSE_MAX) {
        g = alloc(ctx, SKETCH_GROW_MAX);
        if (g == NULL) {
            return NULL;
        }
        g->slots = 0;
        g->n = 0;
        memset(g->u.reg, 0, HLL_REGISTERS);
        for (uint32_t i = 0; i < s->slots; i++) {
            uint32_t v = s->u.slot[i];
            if (v != 0) {
                g->u.reg[v >> 8] = (uint8_t)v;
            }
        }
        return g;
    }
    g = sparse_new(s->slots * 2, alloc, ctx);
    if (g == NULL) {
        return NULL;
    }
    for (uint32_t i = 0; i < s->slots; i++) {
        if (s->u.slot[i] != 0) {
            sparse_put(g, s->u.slot[i]);
        }
    }
    return g;
}

void sketch_prefetch(const struct sketch *s, uint32_t index)
{
    if (s->slots == 0) {
        __builtin_prefetch(&s->u.reg[index], 1);
    } else {
        __builtin_prefetch(&s->u.slot[index & (s->slots - 1)], 1);
    }
}

int sketch_add(struct sketch **s, uint32_t index, uint8_t rank,
               sketch_alloc_fn alloc, void *ctx)
{
    struct sketch *k = *s;
    if (k->slots == 0) {
        if (k->u.reg[index] < rank) {
            k->u.reg[index] = rank;
        }
        return 0;
    }
    uint32_t *slot = sparse_slot(k, index);
    if (*slot != 0) {
        if ((*slot & 0xff) < rank) {
            *slot = index << 8 | rank;
        }
        return 0;
    }
    /* A new register: grow first at half full, so probes stay short. */
    if (2 * (k->n + 1) > k->slots) {
        k = grow(k, alloc, ctx);
        if (k == NULL) {
            return -1;
        }
        *s = k;
        if (k->slots == 0) {
            k->u.reg[index] = rank;
            return 0;
        }
        slot = sparse_slot(k, index);
    }
    *slot = index << 8 | rank;
    k->n++;
    return 0;
}

int sketch_merge(struct sketch **dst, const struct sketch *src,
                 sketch_alloc_fn alloc, void *ctx)
{
    if (src->slots != 0) {
        for (uint32_t i = 0; i < src->slots; i++) {
            uint32_t v = src->u.slot[i];
            if (v != 0 && sketch_add(dst, v >> 8, (uint8_t)v, alloc, ctx) < 0) {
                return -1;
            }
        }
        return 0;
    }
    if ((*dst)->slots != 0) {
        /* dense src: make dst dense too, then take the maxima */
        struct sketch *d = alloc(ctx, SKETCH_GROW_MAX);
        if (d == NULL) {
            return -1;
        }
        memcpy(d, src, SKETCH_GROW_MAX);
        for (uint32_t i = 0; i < (*dst)->slots; i++) {
            uint32_t v = (*dst)->u.slot[i];
            if (v != 0 && d->u.reg[v >> 8] < (uint8_t)v) {
                d->u.reg[v >> 8] = (uint8_t)v;
            }
        }
        *dst = d;
        return 0;
    }
    uint8_t *r = (*dst)->u.reg;
    for (size_t i = 0; i < HLL_REGISTERS; i++) {
        r[i] = r[i] > src->u.reg[i] ? r[i] : src->u.reg[i];
    }
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

size_t sketch_encode(const struct sketch *s, char *out, uint8_t *scratch)
{
    if (s->slots != 0) {
        uint32_t pairs[SKETCH_SPARSE_MAX];
        size_t n = 0;
        for (uint32_t i = 0; i < s->slots; i++) {
            if (s->u.slot[i] != 0) {
                pairs[n++] = s->u.slot[i];
            }
        }
        qsort(pairs, n, sizeof(pairs[0]), cmp_u32);
        size_t len = hll_sparse_encode(out, HLL_DENSE_BYTES, pairs, n);
        if (len > 0) {
            return len;
        }
        /* a rank above 32 has no sparse opcode (one visitor in 2^32) */
        memset(scratch, 0, HLL_REGISTERS);
        for (size_t i = 0; i < n; i++) {
            scratch[pairs[i] >> 8] = (uint8_t)pairs[i];
        }
        hll_dense_encode(out, scratch);
        return HLL_DENSE_BYTES;
    }
    hll_dense_encode(out, s->u.reg);
    return HLL_DENSE_BYTES;
}
