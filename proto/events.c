/*
 * events.c: see events.h.
 */
#include "proto/events.h"

#include <jansson.h>
#include <string.h>

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
