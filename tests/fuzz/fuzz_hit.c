/*
 * fuzz_hit.c: hit_parse_query with an arbitrary query string (and the
 * query iterator under it).
 *
 * The first input byte, when odd, makes the rest up to the first '\n' a
 * page host for the context. Scratch is exactly len bytes of its own heap
 * block, so ASan sees any use beyond what the header promises.
 *
 * Invariants: every field of an accepted hit is within its cap, passes the
 * validator for its kind, is NUL-terminated at its length, and is valid
 * UTF-8; the path is normalised; hosts and utm values are lower-case; a
 * rejected hit names a reason; parsing twice gives the same hit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/hit.h"
#include "proto/query.h"
#include "proto/url.h"
#include "proto/utf8.h"
#include "tests/fuzz/fuzz_check.h"

static void check_field(const char *s, size_t len, size_t cap)
{
    CHECK(len <= cap);
    CHECK(s[len] == '\0');
    CHECK(strlen(s) == len);
    CHECK(utf8_valid(s, len));
}

static void check_no_upper(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        CHECK(!(s[i] >= 'A' && s[i] <= 'Z'));
    }
}

static void check_hit(const struct hit *h)
{
    char again[URL_PATH_MAX + 1];

    check_field(h->site, h->site_len, HIT_SITE_MAX);
    CHECK(hit_valid_site(h->site, h->site_len));

    check_field(h->path, h->path_len, URL_PATH_MAX);
    CHECK(h->path_len >= 1 && h->path[0] == '/');
    CHECK(url_normalize_path(again, sizeof again, h->path, h->path_len) ==
          (ssize_t)h->path_len);
    CHECK(memcmp(again, h->path, h->path_len) == 0);

    check_field(h->ref_host, h->ref_len, URL_HOST_MAX);
    check_no_upper(h->ref_host, h->ref_len);

    check_field(h->event, h->event_len, HIT_EVENT_MAX);
    CHECK(hit_valid_event(h->event, h->event_len));
    CHECK(h->is_pageview == (strcmp(h->event, "pageview") == 0));

    check_field(h->utm_source, h->utm_source_len, HIT_UTM_MAX);
    check_field(h->utm_medium, h->utm_medium_len, HIT_UTM_MAX);
    check_field(h->utm_campaign, h->utm_campaign_len, HIT_UTM_MAX);
    CHECK(h->utm_source_len == 0 ||
          hit_valid_utm(h->utm_source, h->utm_source_len));
    CHECK(h->utm_medium_len == 0 ||
          hit_valid_utm(h->utm_medium, h->utm_medium_len));
    CHECK(h->utm_campaign_len == 0 ||
          hit_valid_utm(h->utm_campaign, h->utm_campaign_len));
    check_no_upper(h->utm_source, h->utm_source_len);
    check_no_upper(h->utm_medium, h->utm_medium_len);
    check_no_upper(h->utm_campaign, h->utm_campaign_len);
}

static int same_hit(const struct hit *a, const struct hit *b)
{
    return a->site_len == b->site_len && a->path_len == b->path_len &&
           a->ref_len == b->ref_len && a->event_len == b->event_len &&
           a->is_pageview == b->is_pageview &&
           a->utm_source_len == b->utm_source_len &&
           a->utm_medium_len == b->utm_medium_len &&
           a->utm_campaign_len == b->utm_campaign_len &&
           strcmp(a->site, b->site) == 0 && strcmp(a->path, b->path) == 0 &&
           strcmp(a->ref_host, b->ref_host) == 0 &&
           strcmp(a->event, b->event) == 0 &&
           strcmp(a->utm_source, b->utm_source) == 0 &&
           strcmp(a->utm_medium, b->utm_medium) == 0 &&
           strcmp(a->utm_campaign, b->utm_campaign) == 0;
}

static void check_iter(const char *q, size_t len)
{
    struct query_iter it;
    struct span n, v;

    query_iter_init(&it, q, len);
    while (query_next(&it, &n, &v)) {
        CHECK(n.p >= q && n.p + n.len <= q + len);
        CHECK(v.p >= q && v.p + v.len <= q + len);
        CHECK(n.len + v.len > 0 || v.p > n.p);
        CHECK(memchr(n.p, '&', n.len) == NULL);
        CHECK(memchr(n.p, '=', n.len) == NULL);
        CHECK(memchr(v.p, '&', v.len) == NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hit_context ctx = {NULL, 0};
    const struct hit_context *pctx = NULL;
    const char *q;
    size_t len;
    char *query, *scratch;
    struct hit h1, h2;
    const char *err1 = NULL, *err2 = NULL;
    int rc1, rc2;

    if (size == 0) {
        return 0;
    }
    q = (const char *)data + 1;
    len = size - 1;
    if (data[0] & 1) {
        const char *nl = memchr(q, '\n', len);

        if (nl != NULL) {
            ctx.page_host = q;
            ctx.page_host_len = (size_t)(nl - q);
            len -= ctx.page_host_len + 1;
            q = nl + 1;
            pctx = &ctx;
        }
    }
    /* Own blocks of exactly the sizes promised. */
    query = malloc(len > 0 ? len : 1);
    scratch = malloc(len > 0 ? len : 1);
    CHECK(query != NULL && scratch != NULL);
    memcpy(query, q, len);

    check_iter(query, len);
    rc1 = hit_parse_query(&h1, query, len, pctx, scratch, len, &err1);
    rc2 = hit_parse_query(&h2, query, len, pctx, scratch, len, &err2);
    CHECK(rc1 == 0 || rc1 == -1);
    CHECK(rc1 == rc2);
    if (rc1 == 0) {
        check_hit(&h1);
        CHECK(same_hit(&h1, &h2));
    } else {
        CHECK(err1 != NULL && err1 == err2);
    }
    if (len > 0) {
        CHECK(hit_parse_query(&h2, query, len, pctx, scratch, len - 1, &err2) ==
              -1);
    }
    free(query);
    free(scratch);
    return 0;
}
