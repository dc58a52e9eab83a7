/*
 * table.h: a counting hash table, byte-string key -> 64-bit count or
 * HyperLogLog sketch (sketch.h: unique visitors and recipients). Workers
 * pre-aggregate hits in one (no lock: each worker owns its tables), and the
 * flusher merges the workers' tables into a batch table of the same kind.
 *
 * Entries live in an arena of fixed-size chunks that reset() rewinds but
 * keeps, so a table that has reached its working size allocates nothing
 * more. Buckets are chosen by keyed SipHash (libsodium; one random key per
 * process), so a client that picks paths cannot force collisions.
 */
#ifndef BEACON_TABLE_H
#define BEACON_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define TABLE_KEY_MAX 1024

struct sketch;

enum table_kind { TABLE_COUNT, TABLE_SKETCH };

struct table_entry {
    struct table_entry *chain; /* next in the same bucket */
    uint64_t hash;
    union {
        uint64_t count;        /* TABLE_COUNT */
        struct sketch *sketch; /* TABLE_SKETCH, in the table's arena */
    };
    uint16_t key_len;
    uint8_t kind; /* enum table_kind: fixed by the first add of a key */
    char key[];   /* key_len bytes, not NUL-terminated */
};

struct table;

/* Returns a new empty table, or NULL when out of memory. */
struct table *table_create(void);

/* Frees t and all its memory; NULL is a no-op. */
void table_destroy(struct table *t);

/*
 * Adds n to the count of key[0..len) (len <= TABLE_KEY_MAX), creating the
 * entry at 0 first. Returns 1 when an entry was created, 0 when it existed,
 * -1 when out of memory or when key holds a sketch (t unchanged).
 */
int table_add(struct table *t, const void *key, size_t len, uint64_t n);

/* Like table_add, but the count becomes max(count, v): for values that
 * must not add up, such as a time of last activity. */
int table_max(struct table *t, const void *key, size_t len, uint64_t v);

/*
 * Offers rank to register index of the sketch under key, creating an empty
 * sketch first. Returns 1 when an entry was created, 0 when it existed,
 * -1 when out of memory or when key counts instead.
 */
int table_sketch_add(struct table *t, const void *key, size_t len,
                     uint32_t index, uint8_t rank);

/*
 * table_sketch_add in two steps, for a caller with other work to do in
 * between: the sketch under key (created empty when missing: *created 1,
 * else 0), with the memory of register index on its way into the cache;
 * then the rank offered to it once that memory has come. Entries do not
 * move while the table lives. get: NULL when out of memory or when key
 * counts instead; offer: 0, or -1 when out of memory.
 */
struct table_entry *table_sketch_get(struct table *t, const void *key,
                                     size_t len, uint32_t index,
                                     int *created);
int table_sketch_offer(struct table *t, struct table_entry *e,
                       uint32_t index, uint8_t rank);

/*
 * Makes sure the next adds of up to `bytes` of keys in total cannot fail
 * for want of memory (bucket growth may still fail; it only slows). Lets a
 * caller add several entries all or nothing. Returns 0 or -1.
 */
int table_reserve(struct table *t, size_t bytes);

/* Looks key up; returns its entry or NULL. */
const struct table_entry *table_find(const struct table *t, const void *key,
                                     size_t len);

/*
 * Adds every entry of src into dst (sketches: register-wise maximum). Returns the number of entries created
 * in dst, or -1 when out of memory (dst then holds part of src: callers
 * treat that as fatal for the batch, see flusher.c).
 */
long table_merge(struct table *dst, const struct table *src);

/* Empties t, keeping for reuse the memory that the entries since the last
 * reset took, and giving back what they did not need (a burst's). */
void table_reset(struct table *t);

/* Number of entries. */
size_t table_count(const struct table *t);

/* Bytes of memory held (arena and buckets). */
size_t table_bytes(const struct table *t);

/*
 * Fills out[0..table_count(t)) with pointers to every entry, in no
 * particular order. out must have room for table_count(t) pointers.
 */
void table_entries(const struct table *t, const struct table_entry **out);

#endif
