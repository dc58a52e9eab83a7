/*
 * events.c: see events.h.
 */
#include "proto/events.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ascii.h"
#include "proto/utf8.h"

/*
 * cJSON takes one pair of allocation functions for the whole process.
 * These serve from the arena of the body this thread is decoding, and
 * from malloc otherwise (another thread, or an arena that is full); free
 * tells the two apart by address.
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
    cJSON_Hooks hooks = {arena_malloc, arena_free};
    cJSON_InitHooks(&hooks);
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

/*
 * What cJSON lets through and a body must not carry: bytes that are not
 * UTF-8, control bytes (JSON allows none but its blanks), and \u escapes
 * that are not four hex digits or that decode to NUL (cJSON's strings end
 * at the first NUL: "a\u0000b" would arrive as "a"). Outside a string a
 * backslash is a syntax error anyway, so every backslash starts an escape.
 * Returns what is wrong, or NULL.
 */
static const char *lexical_error(const char *body, size_t len)
{
    const uint64_t ones = 0x0101010101010101ULL;

    if (!utf8_valid(body, len)) {
        return "not UTF-8";
    }
    for (size_t i = 0; i < len; i++) {
        uint64_t w, bs;
        /* Eight bytes at a time while none is below 0x20 or a backslash
         * (a high bit in a byte minus 0x20, or in the byte xor '\\' minus
         * 1, that the byte itself does not have). */
        while (len - i >= sizeof(w)) {
            memcpy(&w, body + i, sizeof(w));
            bs = w ^ (ones * '\\');
            if ((((w - ones * 0x20) & ~w) | ((bs - ones) & ~bs)) &
                (ones * 0x80)) {
                break;
            }
            i += sizeof(w);
        }
        if (i == len) {
            break;
        }
        unsigned char c = (unsigned char)body[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            return "a control character";
        }
        if (c != '\\' || i + 1 == len) {
            continue;
        }
        if (body[i + 1] == '\\') {
            i++; /* an escaped backslash: the next one starts nothing */
        } else if (body[i + 1] == 'u') {
            unsigned v = 0;
            for (size_t k = 2; k < 6; k++) {
                int d = i + k < len
                            ? ascii_hex_value((unsigned char)body[i + k])
                            : -1;
                if (d < 0) {
                    return "a \\u escape without four hex digits";
                }
                v = v << 4 | (unsigned)d;
            }
            if (v == 0) {
                return "an escaped NUL";
            }
            i += 5;
        }
    }
    return NULL;
}

static const char *const field_names[] = {
    "s", "u", "r", "e", "utm_source", "utm_medium", "utm_campaign",
};
#define N_FIELDS (sizeof(field_names) / sizeof(field_names[0]))

static size_t field_index(const char *name)
{
    if (name[0] != '\0' && name[1] == '\0') {
        /* the one-letter names: s, u, r, e */
        const char *at = memchr("sure", name[0], 4);
        return at != NULL ? (size_t)(at - "sure") : N_FIELDS;
    }
    size_t i = 4;
    while (i < N_FIELDS && strcmp(name, field_names[i]) != 0) {
        i++;
    }
    return i;
}

/*
 * The fields of one element into f (when not NULL). Returns 1 for an
 * event, 0 for an element that is not one (not an object, or a field
 * that is neither a string nor null), -1 for an object that gives a field
 * twice: it would mean two things, and the body is refused.
 */
static int fields_of(const cJSON *obj, struct hit_fields *f)
{
    struct hit_fields scratch;
    int event = 1;
    unsigned seen = 0;

    if (!cJSON_IsObject(obj)) {
        return 0;
    }
    if (f == NULL) {
        f = &scratch;
    }
    struct span *slot[N_FIELDS] = {&f->s, &f->u, &f->r, &f->e,
                                   &f->utm_source, &f->utm_medium,
                                   &f->utm_campaign};
    memset(f, 0, sizeof(*f));
    for (const cJSON *v = obj->child; v != NULL; v = v->next) {
        size_t i = field_index(v->string);
        if (i == N_FIELDS) {
            continue; /* unknown fields are ignored, twice or not */
        }
        if (seen & 1u << i) {
            return -1;
        }
        seen |= 1u << i;
        if (cJSON_IsString(v)) {
            *slot[i] = span_make(v->valuestring, strlen(v->valuestring));
        } else if (!cJSON_IsNull(v)) {
            event = 0;
        }
    }
    return event;
}

/* Only JSON's blanks in [p, end). */
static int only_blanks(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
        p++;
    }
    return p == end;
}

/* Checks the elements (the root itself when it is an object) and says
 * how many there are, before the first is handed over. */
static enum events_result check(const cJSON *root, size_t max_events,
                                size_t *n, const char **err)
{
    const cJSON *first = root;

    *n = 1;
    if (cJSON_IsArray(root)) {
        first = root->child;
        *n = (size_t)cJSON_GetArraySize(root);
        if (*n == 0) {
            *err = "empty array";
            return EVENTS_MALFORMED;
        }
        if (*n > max_events) {
            *err = "too many events";
            return EVENTS_TOO_MANY;
        }
    } else if (!cJSON_IsObject(root)) {
        *err = "expected an event object or an array of them";
        return EVENTS_MALFORMED;
    }
    for (const cJSON *v = first; v != NULL; v = v == root ? NULL : v->next) {
        if (fields_of(v, NULL) < 0) {
            *err = "an event gives a field twice";
            return EVENTS_MALFORMED;
        }
    }
    return EVENTS_OK;
}

static enum events_result parse(const char *body, size_t len,
                                size_t max_events, events_fn fn, void *arg,
                                const char **err)
{
    const char *end = NULL;
    size_t n;

    *err = lexical_error(body, len);
    if (*err != NULL) {
        return EVENTS_MALFORMED;
    }
    cJSON *root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    if (root == NULL || !only_blanks(end, body + len)) {
        cJSON_Delete(root);
        *err = "malformed JSON";
        return EVENTS_MALFORMED;
    }
    enum events_result rc = check(root, max_events, &n, err);
    const cJSON *v = cJSON_IsArray(root) ? root->child : root;
    for (size_t i = 0; rc == EVENTS_OK && i < n; i++, v = v->next) {
        struct hit_fields f;
        if (fn(arg, fields_of(v, &f) > 0 ? &f : NULL, i, n) < 0) {
            rc = EVENTS_STOPPED;
        }
    }
    cJSON_Delete(root);
    return rc;
}

enum events_result events_parse(const char *body, size_t len,
                                size_t max_events, events_fn fn, void *arg,
                                const char **err)
{
    return events_parse_in(NULL, body, len, max_events, fn, arg, err);
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
