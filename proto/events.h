/*
 * events.h: the JSON body of the batch beacon (SPEC 2.2): one event
 * object, or an array of them, each with the string fields of a pixel hit
 * (s, u, r, e, utm_source, utm_medium, utm_campaign). Decoding only: each
 * event's fields are handed to a callback, which validates them as a hit
 * (hit_parse_fields). Uses cJSON, the one allocating decoder of proto/:
 * its tree costs a fifth of jansson's for a sendBeacon body, and the
 * checks cJSON leaves out (UTF-8, control bytes, escapes that decode to
 * NUL, duplicate fields) are made here.
 */
#ifndef BEACON_EVENTS_H
#define BEACON_EVENTS_H

#include <stddef.h>

#include "proto/hit.h"

enum events_result {
    EVENTS_OK,
    EVENTS_MALFORMED, /* not JSON, not UTF-8, a control byte, an escape
                         of NUL, an event field given twice, nesting
                         deeper than 1 000, neither an object nor an
                         array, an empty array */
    EVENTS_TOO_MANY,  /* an array of more than max_events */
    EVENTS_STOPPED    /* the callback said stop */
};

/*
 * Called once per event, in order: event i (from 0) of n. f is NULL for
 * an element that is not an event: not an object, or a known field that
 * is not a string. Views in f are valid during the call only. Returns 0
 * to go on, -1 to stop (events_parse() then returns EVENTS_STOPPED).
 */
typedef int (*events_fn)(void *arg, const struct hit_fields *f, size_t i,
                         size_t n);

/*
 * Memory for cJSON's tree while one body is decoded: a bump
 * allocator reset for each body, so a worker's batches allocate nothing
 * once its arena is made. A body whose objects do not fit spills over to
 * malloc (and is as correct, only slower).
 */
struct events_arena {
    char *base;
    size_t cap;
    size_t used;
};

/*
 * Installs the allocation functions cJSON uses process-wide (arena or
 * malloc, see events.c). Call it once before threads start (cJSON's
 * condition for parsing in several threads at once); the parse functions
 * call it too, for programs that do not.
 */
void events_setup(void);

/* Makes an arena of cap bytes. Returns 0 or -1. */
int events_arena_init(struct events_arena *a, size_t cap);

/* Frees it; a zeroed arena is fine. */
void events_arena_deinit(struct events_arena *a);

/* Decodes body[0..len) and calls fn for each event. *err (a static
 * string) says what is wrong when the result is EVENTS_MALFORMED or
 * EVENTS_TOO_MANY; fn is then never called. */
enum events_result events_parse(const char *body, size_t len,
                                size_t max_events, events_fn fn, void *arg,
                                const char **err);

/* events_parse() with cJSON's tree in arena (NULL: malloc). */
enum events_result events_parse_in(struct events_arena *arena,
                                   const char *body, size_t len,
                                   size_t max_events, events_fn fn, void *arg,
                                   const char **err);

#endif
