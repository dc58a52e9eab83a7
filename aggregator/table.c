/*
 * table.c: chained hash table over an arena (see table.h). Buckets double
 * when entries outnumber them; chunks are kept across resets.
 */
#include "aggregator/table.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_CHUNK_BYTES (64 * 1024)
#define TABLE_INITIAL_BUCKETS 1024

struct table_chunk {
    struct table_chunk *next;
    size_t used;
    char data[]; /* TABLE_CHUNK_BYTES - header */
};

struct table {
    struct table_entry **buckets;
    size_t n_buckets; /* power of two */
    size_t count;
    struct table_chunk *chunks; /* first chunk; never NULL */
    struct table_chunk *cur;    /* chunk being filled */
    size_t n_chunks;
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

static struct table_chunk *chunk_new(void)
{
    struct table_chunk *c = malloc(TABLE_CHUNK_BYTES);
    if (c != NULL) {
        c->next = NULL;
        c->used = 0;
    }
    return c;
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
        free(c);
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

static int add_hashed(struct table *t, uint64_t h, const void *key,
                      size_t len, uint64_t n)
{
    struct table_entry *e = lookup(t, h, key, len);
    if (e != NULL) {
        e->count += n;
        return 0;
    }
    e = arena_alloc(t, sizeof(*e) + len);
    if (e == NULL) {
        return -1;
    }
    e->hash = h;
    e->count = n;
    e->key_len = (uint16_t)len;
    memcpy(e->key, key, len);
    size_t i = h & (t->n_buckets - 1);
    e->chain = t->buckets[i];
    t->buckets[i] = e;
    if (++t->count > t->n_buckets) {
        table_grow(t);
    }
    return 1;
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
    uint64_t h = table_hash(key, len);
    struct table_entry *e = lookup(t, h, key, len);
    if (e != NULL) {
        if (e->count < v) {
            e->count = v;
        }
        return 0;
    }
    return add_hashed(t, h, key, len, v);
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
            int rc = add_hashed(dst, e->hash, e->key, e->key_len, e->count);
            if (rc < 0) {
                return -1;
            }
            created += rc;
        }
    }
    return created;
}

void table_reset(struct table *t)
{
    if (t->count > 0) {
        memset(t->buckets, 0, t->n_buckets * sizeof(*t->buckets));
    }
    t->count = 0;
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
