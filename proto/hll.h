/*
 * hll.h: Redis's HyperLogLog, the facts beacond needs to build one that
 * redis-server takes as its own (PFMERGE from a string it was SET to).
 * Pure: no allocation, no I/O.
 *
 * An element is hashed with MurmurHash64A (seed 0xadc83b19); the low 14
 * bits pick one of 16 384 registers, and the register keeps the largest
 * rank seen, the position (from 1) of the lowest set bit of the other 50
 * bits (51 when none is set). PFADD does exactly this, so registers built
 * here and merged with PFMERGE equal those PFADD of the same elements
 * leaves: PFCOUNT answers the same, to the unit.
 *
 * The string: "HYLL", encoding (0 dense, 1 sparse), 3 zero bytes, an
 * 8-byte cached cardinality (bit 7 of its last byte set: not valid), then
 *   dense:  16 384 six-bit registers packed from the lowest bit up,
 *           12 288 bytes;
 *   sparse: opcodes covering the registers in order:
 *           00xxxxxx           ZERO:  xxxxxx+1 registers at 0 (1-64)
 *           01xxxxxx yyyyyyyy  XZERO: the 14 bits + 1 registers at 0
 *           1vvvvvxx           VAL:   xx+1 registers at vvvvv+1 (1-32)
 */
#ifndef BEACON_HLL_H
#define BEACON_HLL_H

#include <stddef.h>
#include <stdint.h>

#define HLL_REGISTERS 16384
#define HLL_RANK_MAX 51       /* 64 - 14 bits, plus one */
#define HLL_SPARSE_RANK_MAX 32 /* the most a VAL opcode holds */
#define HLL_HEADER_BYTES 16
#define HLL_DENSE_BYTES (HLL_HEADER_BYTES + HLL_REGISTERS * 6 / 8)

/* MurmurHash64A as Redis computes it (little-endian blocks). */
uint64_t hll_murmur64a(const void *key, size_t len, uint64_t seed);

/* The register an element lands in and the rank it offers (1..51). */
void hll_hash(const void *elem, size_t len, uint32_t *index, uint8_t *rank);

/* Writes the dense string of regs (one byte a register, each <= 51) to
 * out (HLL_DENSE_BYTES). */
void hll_dense_encode(char out[HLL_DENSE_BYTES],
                      const uint8_t regs[HLL_REGISTERS]);

/*
 * A packed register: index << 8 | rank. Writes the sparse string of the n
 * registers in pairs (sorted by index, no index twice, every rank 1..32,
 * every other register 0) to out. Returns its length, or 0 when out
 * (cap bytes) is too small or a pair breaks those rules.
 */
size_t hll_sparse_encode(char *out, size_t cap, const uint32_t *pairs,
                         size_t n);

/* The most bytes the sparse string of n registers takes. */
#define HLL_SPARSE_MAX_BYTES(n) (HLL_HEADER_BYTES + 3 * (size_t)(n) + 2)

#endif
