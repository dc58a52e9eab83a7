/*
 * fuzz_events.c: events_parse (the JSON body of POST /e) and
 * hit_parse_fields on every event it hands over, with arbitrary bodies.
 *
 * Invariants: no crash, no read past the body (an exact-size copy); the
 * callback sees indexes 0..n-1 in order with n at most the limit; an
 * accepted event holds a valid site and a path that starts with '/';
 * a refused body never reaches the callback.
 */
// clang-format off
// FUZZ_SOURCES: proto/*.c
// FUZZ_SEED: [{"s":"b","u":"/a","r":"https://x.example/","e":"signup","utm_source":"n"}]
// FUZZ_SEED: {"s":"b","u":"https://x.example/p?utm_medium=m"}
// FUZZ_SEED: [1,{},null,[[[]]],{"s":1}]
// clang-format on
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/events.h"
#include "proto/hit.h"
#include "tests/fuzz/fuzz_check.h"

#define MAX_EVENTS 100

struct seen {
    size_t next;
};

static int on_event(void *arg, const struct hit_fields *f, size_t i, size_t n)
{
    static char scratch[8192];
    struct seen *s = arg;
    struct hit h;
    const char *err;

    CHECK(i == s->next && i < n && n <= MAX_EVENTS);
    s->next++;
    if (f != NULL &&
        hit_parse_fields(&h, f, NULL, scratch, sizeof(scratch), &err) == 0) {
        CHECK(hit_valid_site(h.site, h.site_len));
        CHECK(h.path_len > 0 && h.path[0] == '/');
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = malloc(size ? size : 1);
    struct seen s = {0};
    const char *err = NULL;

    CHECK(body != NULL);
    memcpy(body, data, size);
    enum events_result rc = events_parse(body, size, MAX_EVENTS, on_event, &s,
                                         &err);
    if (rc != EVENTS_OK) {
        CHECK(err != NULL && s.next == 0);
    } else {
        CHECK(s.next >= 1);
    }
    free(body);
    return 0;
}
