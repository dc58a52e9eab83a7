/*
 * hit.h: one page hit as the aggregates see it, and its parsing from the
 * query string of a pixel request (SPEC 2.1). Every field is validated and
 * normalised here, so that nothing downstream sees raw client input.
 */
#ifndef BEACON_HIT_H
#define BEACON_HIT_H

#include <stddef.h>

#include "proto/url.h"
#include "proto/useragent.h"

#define HIT_SITE_MAX 64
#define HIT_EVENT_MAX 64
#define HIT_UTM_MAX 64

struct hit {
    char site[HIT_SITE_MAX + 1];
    size_t site_len;
    char path[URL_PATH_MAX + 1];
    size_t path_len;
    char ref_host[URL_HOST_MAX + 1]; /* empty: none, or internal */
    size_t ref_len;
    char event[HIT_EVENT_MAX + 1]; /* "pageview" unless e= says otherwise */
    size_t event_len;
    int is_pageview;
    char utm_source[HIT_UTM_MAX + 1]; /* lower-cased; empty: absent */
    char utm_medium[HIT_UTM_MAX + 1];
    char utm_campaign[HIT_UTM_MAX + 1];
    size_t utm_source_len, utm_medium_len, utm_campaign_len;
};

/* What the caller knows beyond the query string. */
struct hit_context {
    /* Host of the embedding page (the Referer header's host), compared with
     * r= when u= is a bare path; NULL/0 when unknown. */
    const char *page_host;
    size_t page_host_len;
};

/*
 * Fills h from a pixel query string q[0..len) (without '?'):
 *   s    required, [A-Za-z0-9._-]{1,64}
 *   u    required, absolute http(s) URL or a path starting with '/';
 *        only the normalised path is kept (url_normalize_path)
 *   r    optional, referrer URL: only its host (url_host); internal when
 *        it equals the page's host (u's host, else ctx->page_host, both
 *        normalised alike), then not kept; an r that is not an http(s)
 *        URL is ignored
 *   e    optional, [A-Za-z0-9._: -]{1,64}, default "pageview"
 *   utm_source utm_medium utm_campaign
 *        optional, [^\x00-\x1f]{1,64} valid UTF-8, lower-cased (ASCII
 *        letters only); override the same parameters in u's query (those
 *        are ignored when invalid; an invalid top-level one is an error)
 * Values and names are percent-decoded with '+' as space; the first
 * occurrence of a name counts; empty optional values count as absent;
 * unknown names are ignored. scratch must hold at least len bytes
 * (decoding space) and must not overlap q.
 * Returns 0, or -1 when the hit is invalid; err then names the reason
 * ("missing s", "bad u", ...), a static string.
 */
int hit_parse_query(struct hit *h, const char *q, size_t len,
                    const struct hit_context *ctx, char *scratch,
                    size_t scratch_cap, const char **err);

/* The fields of one event of a batch (SPEC 2.2), already decoded (JSON
 * strings): p NULL when absent. */
struct hit_fields {
    struct span s, u, r, e, utm_source, utm_medium, utm_campaign;
};

/*
 * hit_parse_query() for an event's fields: the same rules, but values are
 * taken as they are (no percent-decoding; u's own query is still read as
 * a URL query). scratch must hold the longest of u and r.
 */
int hit_parse_fields(struct hit *h, const struct hit_fields *f,
                     const struct hit_context *ctx, char *scratch,
                     size_t scratch_cap, const char **err);

/*
 * The area of a page path: its first segment ("/blog/2024/x" -> "blog",
 * "/blog" -> "blog"), "/" for the root. path starts with '/' (as a hit's
 * path does). Returns a view into path, or the static "/".
 */
struct span hit_area(const char *path, size_t len);

/* Validators shared with other endpoints; each returns 1 when valid. */
int hit_valid_site(const char *s, size_t len);
int hit_valid_event(const char *s, size_t len);
int hit_valid_utm(const char *s, size_t len);

#endif
