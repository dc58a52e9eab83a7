/*
 * table.c: chained hash table over an arena (see table.h). Buckets double
 * when entries outnumber them and shrink after an interval with few;
 * a reset keeps the chunks the interval used, up to 256 KiB, and
 * unmaps the rest, so that a burst's memory goes back to the system once
 * it is over.
 */
#include "aggregator/table.h"

#include "aggregator/sketch.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define TABLE_CHUNK_BYTES (64 * 1024)
#define TABLE_INITIAL_BUCKETS 1024
/* A reset keeps at most this many chunks (256 KiB) for the next interval. */
#define TABLE_KEEP_CHUNKS 4
/* ... and at most this many buckets (128 KiB). */
#define TABLE_KEEP_BUCKETS (16 * 1024)
/* A reset shrinks the buckets when the interval's entries were fewer than
 * an eighth of them (they double when entries outnumber them). */
#define TABLE_SHRINK_BELOW 8

struct table_chunk {
    struct table_chunk *next;
    size_t used;
    char data[]; /* TABLE_CHUNK_BYTES - header */
};

/* Sketch entries seen last, direct-mapped (see recent_slot). */
#define TABLE_RECENT 16

struct table {
    struct table_entry **buckets;
    size_t n_buckets; /* power of two */
    size_t count;
    struct table_chunk *chunks; /* first chunk; never NULL */
    struct table_chunk *cur;    /* chunk being filled */
    size_t n_chunks;
    struct table_entry *recent[TABLE_RECENT];
};

/* One secret key for every table of the process: a merge then reuses the
 * hashes its entries carry instead of hashing every key again. */
static unsigned char table_hash_key[crypto_shorthash_KEYBYTES];
static pthread_once_t table_key_once = PTHREAD_ONCE_INIT;

static void table_key_init(void)
{
    randombytes_buf(table_hash_key, sizeof(table_hash_key));
}

static const size_t chunk_data_bytes =
    TABLE_CHUNK_BYTES - sizeof(struct table_chunk);

/* Chunks are mapped, not malloc'd: an unmapped chunk is memory the system
 * has back at once, whatever else the heap holds. */
static struct table_chunk *chunk_new(void)
{
    struct table_chunk *c = mmap(NULL, TABLE_CHUNK_BYTES,
                                 PROT_READ | PROT_WRITE,
                                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (c == MAP_FAILED) {
        return NULL;
    }
    c->next = NULL;
    c->used = 0;
    return c;
}

static void chunk_free(struct table_chunk *c)
{
    munmap(c, TABLE_CHUNK_BYTES);
}

struct table *table_create(void)
{
    struct table *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        goto err;
    }
    t->n_buckets = TABLE_INITIAL_BUCKETS;
    t->buckets = calloc(t->n_buckets, sizeof(*t->buckets));
    if (t->buckets == NULL) {
        goto err;
    }
    t->chunks = chunk_new();
    if (t->chunks == NULL) {
        goto err;
    }
    t->cur = t->chunks;
    t->n_chunks = 1;
    pthread_once(&table_key_once, table_key_init);
    return t;
err:
    table_destroy(t);
    return NULL;
}

void table_destroy(struct table *t)
{
    if (t == NULL) {
        return;
    }
    struct table_chunk *c = t->chunks;
    while (c != NULL) {
        struct table_chunk *next = c->next;
        chunk_free(c);
        c = next;
    }
    free(t->buckets);
    free(t);
}

static uint64_t table_hash(const void *key, size_t len)
{
    unsigned char out[crypto_shorthash_BYTES];
    uint64_t h;

    crypto_shorthash(out, key, len, table_hash_key);
    memcpy(&h, out, sizeof(h));
    return h;
}

/* Bump allocation from the arena; moves to the next chunk (reusing one kept
 * from before a reset when there is one). */
static void *arena_alloc(struct table *t, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    if (t->cur->used + size > chunk_data_bytes) {
        if (t->cur->next == NULL) {
            struct table_chunk *c = chunk_new();
            if (c == NULL) {
                return NULL;
            }
            t->cur->next = c;
            t->n_chunks++;
        }
        t->cur = t->cur->next;
        t->cur->used = 0;
    }
    void *p = t->cur->data + t->cur->used;
    t->cur->used += size;
    return p;
}

/* Doubles the bucket array; on allocation failure the table keeps working
 * with longer chains. */
static void table_grow(struct table *t)
{
    size_t n = t->n_buckets * 2;
    struct table_entry **b = calloc(n, sizeof(*b));
    if (b == NULL) {
        return;
    }
    for (size_t i = 0; i < t->n_buckets; i++) {
        struct table_entry *e = t->buckets[i];
        while (e != NULL) {
            struct table_entry *next = e->chain;
            size_t j = e->hash & (n - 1);
            e->chain = b[j];
            b[j] = e;
            e = next;
        }
    }
    free(t->buckets);
    t->buckets = b;
    t->n_buckets = n;
}

static struct table_entry *lookup(const struct table *t, uint64_t h,
                                  const void *key, size_t len)
{
    struct table_entry *e = t->buckets[h & (t->n_buckets - 1)];
    for (; e != NULL; e = e->chain) {
        if (e->hash == h && e->key_len == len &&
            memcmp(e->key, key, len) == 0) {
            return e;
        }
    }
    return NULL;
}

static void *arena_alloc_fn(void *t, size_t size)
{
    return arena_alloc(t, size);
}

/* A new entry of key (count 0 or an empty sketch), linked in; NULL when
 * out of memory. */
static struct table_entry *insert(struct table *t, uint64_t h,
                                  const void *key, size_t len,
                                  enum table_kind kind)
{
    struct table_entry *e = arena_alloc(t, sizeof(*e) + len);
    if (e == NULL) {
        return NULL;
    }
    e->kind = (uint8_t)kind;
    if (kind == TABLE_SKETCH) {
        e->sketch = sketch_new(arena_alloc_fn, t);
        if (e->sketch == NULL) {
            return NULL; /* the entry's bytes wait for the next reset */
        }
    } else {
        e->count = 0;
    }
    e->hash = h;
    e->key_len = (uint16_t)len;
    memcpy(e->key, key, len);
    size_t i = h & (t->n_buckets - 1);
    e->chain = t->buckets[i];
    t->buckets[i] = e;
    if (++t->count > t->n_buckets) {
        table_grow(t);
    }
    return e;
}

/* key's entry, created (count 0 or an empty sketch) when new: *created
 * says which. NULL when out of memory or when key has the other kind. */
static struct table_entry *upsert(struct table *t, uint64_t h,
                                  const void *key, size_t len,
                                  enum table_kind kind, int *created)
{
    struct table_entry *e = lookup(t, h, key, len);
    *created = e == NULL;
    if (e == NULL) {
        return insert(t, h, key, len, kind);
    }
    return e->kind == kind ? e : NULL;
}

static int add_hashed(struct table *t, uint64_t h, const void *key,
                      size_t len, uint64_t n)
{
    int created;
    struct table_entry *e = upsert(t, h, key, len, TABLE_COUNT, &created);
    if (e == NULL) {
        return -1;
    }
    e->count += n;
    return created;
}

int table_reserve(struct table *t, size_t bytes)
{
    if (bytes > chunk_data_bytes) {
        return -1;
    }
    if (t->cur->used + bytes <= chunk_data_bytes || t->cur->next != NULL) {
        return 0;
    }
    struct table_chunk *c = chunk_new();
    if (c == NULL) {
        return -1;
    }
    t->cur->next = c;
    t->n_chunks++;
    return 0;
}

int table_add(struct table *t, const void *key, size_t len, uint64_t n)
{
    if (len > TABLE_KEY_MAX) {
        return -1;
    }
    return add_hashed(t, table_hash(key, len), key, len, n);
}

int table_max(struct table *t, const void *key, size_t len, uint64_t v)
{
    if (len > TABLE_KEY_MAX) {
        return -1;
    }
    int created;
    struct table_entry *e = upsert(t, table_hash(key, len), key, len,
                                   TABLE_COUNT, &created);
    if (e == NULL) {
        return -1;
    }
    if (e->count < v) {
        e->count = v;
    }
    return created;
}

/*
 * A table has few sketch entries and nearly every hit offers its visitor
 * to one or two of them, so they are looked up first in t->recent by a
 * cheap unkeyed mix of the key's first and last 8 bytes (and its length)
 * instead of by SipHash. Keys that collide there (a client may choose
 * them) only miss and take the keyed path.
 */
static size_t recent_slot(const void *key, size_t len)
{
    uint64_t head = 0, tail = 0;
    size_t n = len < 8 ? len : 8;
    memcpy(&head, key, n);
    memcpy(&tail, (const char *)key + len - n, n);
    uint64_t h = (head ^ tail * 0x9e3779b97f4a7c15ULL ^ len) *
                 0xff51afd7ed558ccdULL;
    return (size_t)(h >> 60) & (TABLE_RECENT - 1);
}

struct table_entry *table_sketch_get(struct table *t, const void *key,
                                     size_t len, uint32_t index,
                                     int *created)
{
    *created = 0;
    if (len > TABLE_KEY_MAX) {
        return NULL;
    }
    size_t slot = recent_slot(key, len);
    struct table_entry *e = t->recent[slot];
    if (e == NULL || e->key_len != len || memcmp(e->key, key, len) != 0) {
        e = upsert(t, table_hash(key, len), key, len, TABLE_SKETCH, created);
        if (e == NULL) {
            return NULL;
        }
        t->recent[slot] = e;
    }
    sketch_prefetch(e->sketch, index);
    return e;
}

int table_sketch_offer(struct table *t, struct table_entry *e,
                       uint32_t index, uint8_t rank)
{
    return sketch_add(&e->sketch, index, rank, arena_alloc_fn, t);
}

int table_sketch_add(struct table *t, const void *key, size_t len,
                     uint32_t index, uint8_t rank)
{
    int created;
    struct table_entry *e = table_sketch_get(t, key, len, index, &created);
    if (e == NULL || table_sketch_offer(t, e, index, rank) < 0) {
        return -1;
    }
    return created;
}

const struct table_entry *table_find(const struct table *t, const void *key,
                                     size_t len)
{
    if (len > TABLE_KEY_MAX) {
        return NULL;
    }
    return lookup(t, table_hash(key, len), key, len);
}

long table_merge(struct table *dst, const struct table *src)
{
    long created = 0;
    for (size_t i = 0; i < src->n_buckets; i++) {
        for (const struct table_entry *e = src->buckets[i]; e != NULL;
             e = e->chain) {
            int rc;
            struct table_entry *d = upsert(dst, e->hash, e->key, e->key_len,
                                           (enum table_kind)e->kind, &rc);
            if (d == NULL) {
                return -1;
            }
            if (e->kind == TABLE_SKETCH) {
                if (sketch_merge(&d->sketch, e->sketch, arena_alloc_fn,
                                 dst) < 0) {
                    return -1;
                }
            } else {
                d->count += e->count;
            }
            created += rc;
        }
    }
    return created;
}

void table_reset(struct table *t)
{
    /* The chunks this interval did not reach go back to the system, and
     * any past TABLE_KEEP_CHUNKS: a table that an idle worker does not
     * hand over again must not hold a burst's memory. */
    struct table_chunk *last = t->chunks;
    for (int i = 1; i < TABLE_KEEP_CHUNKS && last != t->cur; i++) {
        last = last->next;
    }
    struct table_chunk *c = last->next;
    last->next = NULL;
    while (c != NULL) {
        struct table_chunk *next = c->next;
        chunk_free(c);
        t->n_chunks--;
        c = next;
    }
    /* Buckets for a burst's entries, in an interval with few, or more
     * than a table keeps: fewer (they double again as entries come). */
    int cleared = 0;
    if (t->n_buckets > TABLE_INITIAL_BUCKETS &&
        (t->count < t->n_buckets / TABLE_SHRINK_BELOW ||
         t->n_buckets > TABLE_KEEP_BUCKETS)) {
        size_t n = TABLE_INITIAL_BUCKETS;
        while (n < t->count * 2 && n < TABLE_KEEP_BUCKETS) {
            n *= 2;
        }
        struct table_entry **b = calloc(n, sizeof(*b));
        if (b != NULL) { /* else: the old ones, cleared, do as well */
            free(t->buckets);
            t->buckets = b;
            t->n_buckets = n;
            cleared = 1;
        }
    }
    if (t->count > 0 && !cleared) {
        memset(t->buckets, 0, t->n_buckets * sizeof(*t->buckets));
    }
    t->count = 0;
    memset(t->recent, 0, sizeof(t->recent));
    t->cur = t->chunks;
    t->cur->used = 0;
}

size_t table_count(const struct table *t)
{
    return t->count;
}

size_t table_bytes(const struct table *t)
{
    return t->n_chunks * TABLE_CHUNK_BYTES +
           t->n_buckets * sizeof(*t->buckets);
}

void table_entries(const struct table *t, const struct table_entry **out)
{
    size_t k = 0;
    for (size_t i = 0; i < t->n_buckets; i++) {
        for (const struct table_entry *e = t->buckets[i]; e != NULL;
             e = e->chain) {
            out[k++] = e;
        }
    }
}
