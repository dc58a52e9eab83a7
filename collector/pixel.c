/*
 * pixel.c: the page pixel. The answer is the same 43-byte GIF whether or
 * not the hit counts (a broken image must never show on a page); only
 * X-Beacon says what happened.
 */
#include "collector/pixel.h"

#include <llhttp.h>

#include "aggregator/backlog.h"
#include "aggregator/counts.h"
#include "collector/server.h"
#include "collector/worker.h"
#include "proto/url.h"
#include "proto/useragent.h"

/* Records the hit; returns the outcome. */
static enum metrics_outcome count_hit(struct worker *w,
                                      const struct request *r)
{
    char page_host[URL_HOST_MAX + 1];
    struct hit_context ctx = {NULL, 0};
    const char *err;
    struct span referer = r->header[HDR_REFERER];

    if (referer.p != NULL) {
        ssize_t n = url_host(page_host, sizeof(page_host), referer.p,
                             referer.len);
        if (n > 0) {
            ctx.page_host = page_host;
            ctx.page_host_len = (size_t)n;
        }
    }
    if (hit_parse_query(&w->hit, r->query.p, r->query.len, &ctx, w->scratch,
                        w->scratch_cap, &err) < 0) {
        return METRICS_O_invalid;
    }
    struct span ua = r->header[HDR_USER_AGENT];
    struct ua_class cls = ua_cache_classify(&w->ua_cache, ua.p ? ua.p : "",
                                            ua.len);

    /* Reserve room for every key the hit may create before answering
     * "counted": a counted hit must never be dropped later. */
    if (!backlog_has_room(&w->srv->backlog, COUNTS_MAX_KEYS_PER_HIT)) {
        return METRICS_O_shed;
    }
    uint32_t minute = (uint32_t)(worker_now(w) / 60);
    int created = counts_add_hit(w->active, &w->hit, cls, minute);
    if (created < 0) {
        return METRICS_O_shed;
    }
    backlog_add(&w->srv->backlog, created);
    return METRICS_O_counted;
}

static const char *const x_beacon[METRICS_OUTCOME_COUNT] = {
    [METRICS_O_counted] = "counted",
    [METRICS_O_invalid] = "dropped=invalid",
    [METRICS_O_shed] = "dropped=shed",
    [METRICS_O_dnt] = "dropped=dnt",
    [METRICS_O_gpc] = "dropped=gpc",
    [METRICS_O_optout] = "dropped=optout",
    [METRICS_O_bot] = "dropped=bot",
    [METRICS_O_prefetch] = "dropped=prefetch",
};

int pixel_handle(struct worker *w, const struct request *r,
                 struct outbuf *out, enum response_conn conn)
{
    int head = r->method == HTTP_HEAD;
    /* HEAD is answered like GET but never counted (SPEC 2). */
    enum metrics_outcome o = head ? METRICS_O_head : count_hit(w, r);

    metrics_inc(&w->metrics.hits[METRICS_E_pixel][o]);
    metrics_response(&w->metrics, 200);
    int tk = o == METRICS_O_dnt || o == METRICS_O_gpc;
    if (response_pixel(out, &w->date, x_beacon[o], tk, head, conn) < 0) {
        return -1;
    }
    return conn == RESPONSE_CLOSE ? -1 : 0;
}
