/*
 * hit.c: a pixel's query string (SPEC 2.1), or the fields of one event of
 * a batch (SPEC 2.2), turned into a struct hit.
 *
 * Only the parameters that matter are decoded, each straight into its
 * fixed-size field of the hit, so that an oversized value fails while it
 * is decoded instead of after. The one value that needs room of its own is
 * u (and later r), decoded into the caller's scratch buffer: u is at most
 * the whole query, so scratch of len bytes always suffices.
 */
#include "proto/hit.h"

#include <string.h>
#include <strings.h>

#include "proto/percent.h"
#include "proto/query.h"
#include "proto/utf8.h"

enum hit_param {
    HIT_P_S,
    HIT_P_U,
    HIT_P_R,
    HIT_P_E,
    HIT_P_UTM_SOURCE,
    HIT_P_UTM_MEDIUM,
    HIT_P_UTM_CAMPAIGN,
    HIT_P_COUNT
};

#define HIT_UTM_COUNT 3

static const char *const hit_param_names[HIT_P_COUNT] = {
    "s", "u", "r", "e", "utm_source", "utm_medium", "utm_campaign",
};

static const char *const hit_utm_errors[HIT_UTM_COUNT] = {
    "bad utm_source",
    "bad utm_medium",
    "bad utm_campaign",
};

/* Longer than any known name: a longer name is unknown without looking. */
#define HIT_NAME_MAX 16

/* The first value of each known parameter: raw (percent-encoded) from a
 * query, or as they are from the fields of a JSON event. */
struct hit_params {
    struct span value[HIT_P_COUNT];
    int found[HIT_P_COUNT];
    int encoded;
};

/*
 * Which of the parameters first..last a raw name is, or -1. Names are
 * decoded like values, so that "utm%5Fsource" is utm_source too.
 */
static int hit_param_of(struct span name, int first, int last)
{
    char buf[HIT_NAME_MAX];
    ssize_t n = percent_decode(buf, sizeof buf, name.p, name.len, 1);

    if (n <= 0) {
        return -1;
    }
    for (int i = first; i <= last; i++) {
        if (span_eq(span_make(buf, (size_t)n), hit_param_names[i])) {
            return i;
        }
    }
    return -1;
}

static void hit_collect(const char *q, size_t len, int first, int last,
                        struct hit_params *out)
{
    struct query_iter it;
    struct span name, value;

    memset(out, 0, sizeof *out);
    out->encoded = 1;
    query_iter_init(&it, q, len);
    while (query_next(&it, &name, &value)) {
        int i = hit_param_of(name, first, last);

        if (i >= 0 && !out->found[i]) {
            out->found[i] = 1;
            out->value[i] = value;
        }
    }
}

static int hit_present(const struct hit_params *ps, enum hit_param i)
{
    return ps->found[i] && ps->value[i].len > 0;
}

/* A value into dst[0..cap): percent-decoded when encoded, else copied.
 * Returns its length, or -1 when malformed or longer than cap. */
static ssize_t hit_value(char *dst, size_t cap, struct span v, int encoded)
{
    if (encoded) {
        return percent_decode(dst, cap, v.p, v.len, 1);
    }
    if (v.len > cap) {
        return -1;
    }
    memcpy(dst, v.p, v.len);
    return (ssize_t)v.len;
}

/* Decodes v into dst (cap + 1 bytes, NUL-terminated); -1 when malformed
 * or longer than cap, and dst is then empty. */
static ssize_t hit_decode_into(char *dst, size_t cap, struct span v,
                               int encoded)
{
    ssize_t n = hit_value(dst, cap, v, encoded);

    if (n < 0) {
        dst[0] = '\0';
        return -1;
    }
    dst[n] = '\0';
    return n;
}

static void hit_lower(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= 'A' && s[i] <= 'Z') {
            s[i] = (char)(s[i] - 'A' + 'a');
        }
    }
}

/* Sets one utm field from a raw value; leaves it empty and returns -1
 * when the value is not acceptable. */
static int hit_set_utm(char *dst, size_t *dst_len, struct span v,
                       int encoded)
{
    ssize_t n = hit_decode_into(dst, HIT_UTM_MAX, v, encoded);

    if (n < 0 || !hit_valid_utm(dst, (size_t)n)) {
        dst[0] = '\0';
        *dst_len = 0;
        return -1;
    }
    hit_lower(dst, (size_t)n);
    *dst_len = (size_t)n;
    return 0;
}

/* Where u leaves the page: its host (for telling internal referrers) and
 * the query its own utm_* come from. */
struct hit_page {
    char host[URL_HOST_MAX + 1];
    ssize_t host_len; /* -1: unknown */
    /* ctx->page_host as given: callers often pass a host they normalised
     * already, and normalising twice would strip a second "www." */
    struct span given;
    struct span query;
};

/* u: an absolute http(s) URL or a bare path, decoded into scratch; sets
 * h->path and pg. Returns 0, or -1 when u is not acceptable. */
static int hit_take_u(struct hit *h, struct span raw, int encoded,
                      const struct hit_context *ctx, char *scratch,
                      size_t scratch_cap, struct hit_page *pg)
{
    ssize_t n = hit_value(scratch, scratch_cap, raw, encoded);
    struct span path;

    pg->host_len = -1;
    pg->given = span_make(NULL, 0);
    pg->query = span_make(NULL, 0);
    if (n <= 0) {
        return -1;
    }
    if (scratch[0] == '/') {
        /* A bare path: "//x" is a path too (location.pathname can say
         * so), never a scheme-relative URL. */
        const char *hash = memchr(scratch, '#', (size_t)n);
        size_t end = hash != NULL ? (size_t)(hash - scratch) : (size_t)n;
        const char *qm = memchr(scratch, '?', end);

        path = span_make(scratch, (size_t)n);
        if (qm != NULL) {
            pg->query = span_make(qm + 1, end - (size_t)(qm + 1 - scratch));
        }
        if (ctx != NULL && ctx->page_host != NULL && ctx->page_host_len > 0) {
            pg->given = span_make(ctx->page_host, ctx->page_host_len);
            pg->host_len = url_host_normalize(
                pg->host, sizeof pg->host, ctx->page_host, ctx->page_host_len);
        }
    } else {
        struct url_parts parts;

        if (url_split(scratch, (size_t)n, &parts) < 0) {
            return -1;
        }
        pg->host_len = url_host_normalize(pg->host, sizeof pg->host,
                                          parts.host.p, parts.host.len);
        if (pg->host_len < 0) {
            return -1;
        }
        path = parts.path.len > 0 ? parts.path : SPAN_LIT("/");
        pg->query = parts.query;
    }
    n = url_normalize_path(h->path, sizeof h->path, path.p, path.len);
    if (n < 0) {
        return -1;
    }
    h->path_len = (size_t)n;
    return 0;
}

static int hit_same_host(const char *ref, size_t len, const struct hit_page *pg)
{
    if (pg->host_len >= 0 && (size_t)pg->host_len == len &&
        memcmp(ref, pg->host, len) == 0) {
        return 1;
    }
    return pg->given.len == len && strncasecmp(pg->given.p, ref, len) == 0;
}

/* r: kept only as an external http(s) host; anything else (android-app://,
 * garbage, the page's own host) simply is not a referrer. */
static void hit_take_ref(struct hit *h, struct span raw, int encoded,
                         char *scratch, size_t scratch_cap,
                         const struct hit_page *pg)
{
    ssize_t n = hit_value(scratch, scratch_cap, raw, encoded);
    ssize_t hn = -1;

    if (n > 0) {
        hn = url_host(h->ref_host, sizeof h->ref_host, scratch, (size_t)n);
    }
    if (hn > 0 && !hit_same_host(h->ref_host, (size_t)hn, pg)) {
        h->ref_len = (size_t)hn;
    } else {
        h->ref_host[0] = '\0';
        h->ref_len = 0;
    }
}

/* The hit of SPEC 2.1 from its parameters (top). */
static int hit_from_params(struct hit *h, const struct hit_params *top,
                           const struct hit_context *ctx, char *scratch,
                           size_t scratch_cap, const char **err)
{
    struct hit_params inner;
    struct hit_page pg;
    char *utm[HIT_UTM_COUNT] = {h->utm_source, h->utm_medium, h->utm_campaign};
    size_t *utm_len[HIT_UTM_COUNT] = {&h->utm_source_len, &h->utm_medium_len,
                                      &h->utm_campaign_len};
    const char *reason;
    int enc = top->encoded;
    ssize_t n;

    memset(h, 0, sizeof *h);
    if (!hit_present(top, HIT_P_S)) {
        reason = "missing s";
        goto fail;
    }
    n = hit_decode_into(h->site, HIT_SITE_MAX, top->value[HIT_P_S], enc);
    if (n < 0 || !hit_valid_site(h->site, (size_t)n)) {
        reason = "bad s";
        goto fail;
    }
    h->site_len = (size_t)n;

    if (!hit_present(top, HIT_P_U)) {
        reason = "missing u";
        goto fail;
    }
    if (hit_take_u(h, top->value[HIT_P_U], enc, ctx, scratch, scratch_cap,
                   &pg) < 0) {
        reason = "bad u";
        goto fail;
    }

    /* The page's own utm_* first (u's query is always percent-encoded); a
     * bad one there is the page's business, not a reason to lose the
     * hit. */
    hit_collect(pg.query.p, pg.query.len, HIT_P_UTM_SOURCE, HIT_P_UTM_CAMPAIGN,
                &inner);
    for (int i = 0; i < HIT_UTM_COUNT; i++) {
        if (hit_present(&inner, HIT_P_UTM_SOURCE + i)) {
            (void)hit_set_utm(utm[i], utm_len[i],
                              inner.value[HIT_P_UTM_SOURCE + i], 1);
        }
    }

    if (hit_present(top, HIT_P_E)) {
        n = hit_decode_into(h->event, HIT_EVENT_MAX, top->value[HIT_P_E], enc);
        if (n < 0 || !hit_valid_event(h->event, (size_t)n)) {
            reason = "bad e";
            goto fail;
        }
        h->event_len = (size_t)n;
    } else {
        memcpy(h->event, "pageview", sizeof "pageview");
        h->event_len = sizeof "pageview" - 1;
    }
    h->is_pageview = span_eq(span_make(h->event, h->event_len), "pageview");

    for (int i = 0; i < HIT_UTM_COUNT; i++) {
        struct span v = top->value[HIT_P_UTM_SOURCE + i];

        if (hit_present(top, HIT_P_UTM_SOURCE + i) &&
            hit_set_utm(utm[i], utm_len[i], v, enc) < 0) {
            reason = hit_utm_errors[i];
            goto fail;
        }
    }

    /* u's decoded value is no longer needed: r may reuse scratch. */
    if (hit_present(top, HIT_P_R)) {
        hit_take_ref(h, top->value[HIT_P_R], enc, scratch, scratch_cap, &pg);
    }
    return 0;

fail:
    if (err != NULL) {
        *err = reason;
    }
    return -1;
}

int hit_parse_query(struct hit *h, const char *q, size_t len,
                    const struct hit_context *ctx, char *scratch,
                    size_t scratch_cap, const char **err)
{
    struct hit_params top;

    if (scratch_cap < len) {
        memset(h, 0, sizeof *h);
        if (err != NULL) {
            *err = "scratch too small";
        }
        return -1;
    }
    hit_collect(q, len, HIT_P_S, HIT_P_UTM_CAMPAIGN, &top);
    return hit_from_params(h, &top, ctx, scratch, scratch_cap, err);
}

int hit_parse_fields(struct hit *h, const struct hit_fields *f,
                     const struct hit_context *ctx, char *scratch,
                     size_t scratch_cap, const char **err)
{
    const struct span *v[HIT_P_COUNT] = {
        &f->s, &f->u, &f->r, &f->e,
        &f->utm_source, &f->utm_medium, &f->utm_campaign,
    };
    struct hit_params top;

    memset(&top, 0, sizeof top);
    for (int i = 0; i < HIT_P_COUNT; i++) {
        top.value[i] = *v[i];
        top.found[i] = v[i]->p != NULL;
    }
    return hit_from_params(h, &top, ctx, scratch, scratch_cap, err);
}

struct span hit_area(const char *path, size_t len)
{
    size_t n = 0;
    if (len > 0 && path[0] == '/') {
        path++;
        len--;
        while (n < len && path[n] != '/') {
            n++;
        }
    }
    return n > 0 ? span_make(path, n) : SPAN_LIT("/");
}

int hit_valid_site(const char *s, size_t len)
{
    if (len == 0 || len > HIT_SITE_MAX) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
            return 0;
        }
    }
    return 1;
}

int hit_valid_event(const char *s, size_t len)
{
    if (len == 0 || len > HIT_EVENT_MAX) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
              c == ' ' || c == '-')) {
            return 0;
        }
    }
    return 1;
}

int hit_valid_utm(const char *s, size_t len)
{
    if (len == 0 || len > HIT_UTM_MAX) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)s[i] < 0x20) {
            return 0;
        }
    }
    return utf8_valid(s, len);
}
