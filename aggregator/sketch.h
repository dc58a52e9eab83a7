/*
 * sketch.h: a HyperLogLog built in memory, register for register the one
 * Redis builds (proto/hll.h), so that a flush sends one string a key and
 * one PFMERGE instead of a PFADD argument per visitor: a million visitors
 * in an interval cost 12 KiB.
 *
 * Small sketches stay sparse, an open-addressing set of packed registers
 * (index << 8 | rank, 0 = empty) probed from the index, which is already
 * uniform; past SKETCH_SPARSE_MAX registers a sketch turns dense, one byte
 * a register. Memory comes from the caller's allocator (a table's arena,
 * table.c) and is never freed one sketch at a time: a sketch that grows
 * moves to a new block and leaves the old one to the arena's next reset.
 */
#ifndef BEACON_SKETCH_H
#define BEACON_SKETCH_H

#include <stddef.h>
#include <stdint.h>

#include "proto/hll.h"

#define SKETCH_SPARSE_MAX 512

struct sketch {
    uint32_t slots; /* sparse: size of slot[] (a power of two); 0: dense */
    uint32_t n;     /* sparse: registers set */
    union {
        uint32_t slot[1]; /* sparse */
        uint8_t reg[1];   /* dense: HLL_REGISTERS bytes */
    } u;
};

/* The most one sketch_add can allocate (a sparse sketch turning dense). */
#define SKETCH_GROW_MAX (offsetof(struct sketch, u) + HLL_REGISTERS)

/* Returns size bytes (8-aligned), or NULL when out of memory. */
typedef void *(*sketch_alloc_fn)(void *ctx, size_t size);

/* A new empty sketch, or NULL when out of memory. */
struct sketch *sketch_new(sketch_alloc_fn alloc, void *ctx);

/* Starts fetching the memory that register index lives in (a cache miss
 * on a dense sketch costs more than the rest of a hit's counting). */
void sketch_prefetch(const struct sketch *s, uint32_t index);

/*
 * Offers rank (1..HLL_RANK_MAX) to register index (< HLL_REGISTERS), as
 * hll_hash() gives them. *s may move to a new block (only for an index it
 * did not hold). Returns 0, or -1 when out of memory (*s unchanged).
 */
int sketch_add(struct sketch **s, uint32_t index, uint8_t rank,
               sketch_alloc_fn alloc, void *ctx);

/* Register-wise maximum of *dst and src into *dst (which may move).
 * Returns 0, or -1 when out of memory (*dst then holds part of src). */
int sketch_merge(struct sketch **dst, const struct sketch *src,
                 sketch_alloc_fn alloc, void *ctx);

/*
 * Writes s as a Redis HyperLogLog string (sparse while it is small and
 * every rank fits a sparse opcode, else dense) to out, which has
 * HLL_DENSE_BYTES; scratch holds HLL_REGISTERS bytes. Returns the length.
 */
size_t sketch_encode(const struct sketch *s, char *out, uint8_t *scratch);

#endif
