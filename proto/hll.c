/*
 * hll.c: Redis's HyperLogLog hash and string encodings (see hll.h).
 */
#include "proto/hll.h"

#include <string.h>

#define HLL_P 14
#define HLL_SEED 0xadc83b19ULL

uint64_t hll_murmur64a(const void *key, size_t len, uint64_t seed)
{
    const uint64_t m = 0xc6a4a7935bd1e995ULL;
    const int r = 47;
    const unsigned char *p = key;
    uint64_t h = seed ^ (len * m);
    size_t blocks = len / 8;

    for (size_t i = 0; i < blocks; i++, p += 8) {
        uint64_t k = 0;
        for (int b = 7; b >= 0; b--) {
            k = k << 8 | p[b];
        }
        k *= m;
        k ^= k >> r;
        k *= m;
        h ^= k;
        h *= m;
    }
    size_t tail = len & 7;
    if (tail > 0) {
        for (size_t b = tail; b-- > 0;) {
            h ^= (uint64_t)p[b] << (8 * b);
        }
        h *= m;
    }
    h ^= h >> r;
    h *= m;
    h ^= h >> r;
    return h;
}

void hll_hash(const void *elem, size_t len, uint32_t *index, uint8_t *rank)
{
    uint64_t h = hll_murmur64a(elem, len, HLL_SEED);
    *index = (uint32_t)(h & (HLL_REGISTERS - 1));
    /* The bit above the 50 used stops the count at 51. */
    *rank = (uint8_t)(__builtin_ctzll(h >> HLL_P | 1ULL << (64 - HLL_P)) + 1);
}

static void header(char *out, int encoding)
{
    memcpy(out, "HYLL", 4);
    out[4] = (char)encoding;
    memset(out + 5, 0, HLL_HEADER_BYTES - 5);
    out[HLL_HEADER_BYTES - 1] = (char)0x80; /* no cached cardinality */
}

void hll_dense_encode(char out[HLL_DENSE_BYTES],
                      const uint8_t regs[HLL_REGISTERS])
{
    unsigned char *p = (unsigned char *)out + HLL_HEADER_BYTES;

    header(out, 0);
    /* Four registers fill three bytes exactly. */
    for (size_t i = 0; i < HLL_REGISTERS; i += 4, p += 3) {
        uint32_t v = (uint32_t)regs[i] | (uint32_t)regs[i + 1] << 6 |
                     (uint32_t)regs[i + 2] << 12 | (uint32_t)regs[i + 3] << 18;
        p[0] = (unsigned char)v;
        p[1] = (unsigned char)(v >> 8);
        p[2] = (unsigned char)(v >> 16);
    }
}

/* Appends a run of n (>= 1) zero registers. */
static unsigned char *zeros(unsigned char *p, uint32_t n)
{
    if (n <= 64) {
        *p++ = (unsigned char)(n - 1);
    } else {
        *p++ = (unsigned char)(0x40 | (n - 1) >> 8);
        *p++ = (unsigned char)(n - 1);
    }
    return p;
}

size_t hll_sparse_encode(char *out, size_t cap, const uint32_t *pairs,
                         size_t n)
{
    if (cap < HLL_SPARSE_MAX_BYTES(n)) {
        return 0;
    }
    unsigned char *p = (unsigned char *)out + HLL_HEADER_BYTES;
    uint32_t next = 0; /* first register not yet written */

    header(out, 1);
    for (size_t i = 0; i < n;) {
        uint32_t index = pairs[i] >> 8, rank = pairs[i] & 0xff;
        if (index < next || index >= HLL_REGISTERS || rank < 1 ||
            rank > HLL_SPARSE_RANK_MAX) {
            return 0;
        }
        /* XZERO covers every gap (at most 16 384), ZERO the short ones */
        if (index > next) {
            p = zeros(p, index - next);
        }
        /* neighbours of the same rank share a VAL opcode, up to 4 */
        uint32_t run = 1;
        while (run < 4 && i + run < n && index + run < HLL_REGISTERS &&
               pairs[i + run] == pairs[i] + (run << 8)) {
            run++;
        }
        *p++ = (unsigned char)(0x80 | (rank - 1) << 2 | (run - 1));
        next = index + run;
        i += run;
    }
    if (next < HLL_REGISTERS) {
        p = zeros(p, HLL_REGISTERS - next);
    }
    return (size_t)(p - (unsigned char *)out);
}
