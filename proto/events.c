/*
 * events.c: see events.h.
 */
#include "proto/events.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/*
 * jansson takes one pair of allocation functions for the whole process.
 * These serve from the arena of the body this thread is decoding, and
 * from malloc otherwise (another thread, another use of jansson, or an
 * arena that is full); free tells the two apart by address.
 */
static _Thread_local struct events_arena *arena_now;
static pthread_once_t alloc_once = PTHREAD_ONCE_INIT;

#define ARENA_ALIGN 16

static void *arena_malloc(size_t n)
{
    struct events_arena *a = arena_now;
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);

    if (a != NULL && need >= n && a->cap - a->used >= need) {
        void *p = a->base + a->used;
        a->used += need;
        return p;
    }
    return malloc(n);
}

static void arena_free(void *p)
{
    struct events_arena *a = arena_now;

    if (a != NULL && (char *)p >= a->base && (char *)p < a->base + a->cap) {
        return; /* given back all at once, when the body is done */
    }
    free(p);
}

static void alloc_setup(void)
{
    json_set_alloc_funcs(arena_malloc, arena_free);
}

void events_setup(void)
{
    pthread_once(&alloc_once, alloc_setup);
}

int events_arena_init(struct events_arena *a, size_t cap)
{
    size_t rounded = (cap + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    a->base = aligned_alloc(ARENA_ALIGN, rounded);
    a->cap = a->base != NULL ? cap : 0;
    a->used = 0;
    return a->base != NULL ? 0 : -1;
}

void events_arena_deinit(struct events_arena *a)
{
    free(a->base);
    a->base = NULL;
    a->cap = 0;
}

static const char *const field_names[] = {
    "s", "u", "r", "e", "utm_source", "utm_medium", "utm_campaign",
};
#define N_FIELDS (sizeof(field_names) / sizeof(field_names[0]))

/* The fields of one element; -1 when it is not an event. */
static int fields_of(json_t *obj, struct hit_fields *f)
{
    struct span *slot[N_FIELDS] = {&f->s, &f->u, &f->r, &f->e,
                                   &f->utm_source, &f->utm_medium,
                                   &f->utm_campaign};

    if (!json_is_object(obj)) {
        return -1;
    }
    memset(f, 0, sizeof(*f));
    for (size_t i = 0; i < N_FIELDS; i++) {
        json_t *v = json_object_get(obj, field_names[i]);
        if (v == NULL || json_is_null(v)) {
            continue;
        }
        if (!json_is_string(v)) {
            return -1;
        }
        *slot[i] = span_make(json_string_value(v), json_string_length(v));
    }
    return 0;
}

static int emit(json_t *obj, size_t i, size_t n, events_fn fn, void *arg)
{
    struct hit_fields f;
    return fn(arg, fields_of(obj, &f) == 0 ? &f : NULL, i, n);
}

enum events_result events_parse(const char *body, size_t len,
                                size_t max_events, events_fn fn, void *arg,
                                const char **err)
{
    return events_parse_in(NULL, body, len, max_events, fn, arg, err);
}

static enum events_result parse(const char *body, size_t len,
                                size_t max_events, events_fn fn, void *arg,
                                const char **err)
{
    json_error_t jerr;
    /* Duplicate keys would make an event mean two things; NUL in a string
     * stays refused (jansson's default). */
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);

    if (root == NULL) {
        *err = "malformed JSON";
        return EVENTS_MALFORMED;
    }
    enum events_result rc = EVENTS_OK;
    if (json_is_object(root)) {
        if (emit(root, 0, 1, fn, arg) < 0) {
            rc = EVENTS_STOPPED;
        }
    } else if (!json_is_array(root)) {
        *err = "expected an event object or an array of them";
        rc = EVENTS_MALFORMED;
    } else if (json_array_size(root) == 0) {
        *err = "empty array";
        rc = EVENTS_MALFORMED;
    } else if (json_array_size(root) > max_events) {
        *err = "too many events";
        rc = EVENTS_TOO_MANY;
    } else {
        size_t i;
        json_t *v;
        json_array_foreach(root, i, v)
        {
            if (emit(v, i, json_array_size(root), fn, arg) < 0) {
                rc = EVENTS_STOPPED;
                break;
            }
        }
    }
    json_decref(root);
    return rc;
}

enum events_result events_parse_in(struct events_arena *arena,
                                   const char *body, size_t len,
                                   size_t max_events, events_fn fn, void *arg,
                                   const char **err)
{
    events_setup();
    if (arena != NULL) {
        arena->used = 0;
    }
    arena_now = arena;
    enum events_result rc = parse(body, len, max_events, fn, arg, err);
    arena_now = NULL;
    return rc;
}
