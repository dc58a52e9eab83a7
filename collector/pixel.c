/*
 * pixel.c: the page pixel. The answer is the same 43-byte GIF whether or
 * not the hit counts (a broken image must never show on a page); only
 * X-Beacon says what happened.
 *
 *   gate (DNT, GPC, opt-out, prefetch, bot) -> parse and validate
 *   -> client address -> pseudonym under the day's salt -> aggregate
 */
#include "collector/pixel.h"

#include <llhttp.h>
#include <sodium.h>

#include "aggregator/backlog.h"
#include "aggregator/counts.h"
#include "aggregator/table.h"
#include "collector/client_addr.h"
#include "collector/gate.h"
#include "collector/policy.h"
#include "collector/pseudo.h"
#include "collector/salt.h"
#include "collector/server.h"
#include "collector/worker.h"
#include "proto/url.h"

/* Parses the query and records the hit; returns the outcome. */
static enum metrics_outcome count_hit(struct worker *w,
                                      const struct policy *pol,
                                      const struct request *r,
                                      const struct ip_addr *peer,
                                      struct ua_info ua)
{
    char page_host[URL_HOST_MAX + 1];
    struct hit_context ctx = {NULL, 0};
    const char *err;
    struct span referer = r->header[HDR_REFERER];
    struct span agent = r->header[HDR_USER_AGENT];

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
    if (worker_reserve_hit(w) < 0) {
        return METRICS_O_shed;
    }

    time_t now = worker_now(w);
    unsigned char salt[SALT_BYTES];
    unsigned char visitor[PSEUDO_BYTES];
    const unsigned char *v = NULL;
    if (salt_get(&w->srv->salts, salt_day(now), salt) == 0) {
        struct ip_addr client;
        client_addr(&client, &pol->trusted, peer, r);
        pseudo_visitor(visitor, salt, w->hit.site, w->hit.site_len, &client,
                       agent.p ? agent.p : "", agent.len);
        sodium_memzero(salt, sizeof(salt));
        sodium_memzero(&client, sizeof(client));
        v = visitor;
    }
    int created = counts_add_hit(w->active, &w->hit, ua.cls, v,
                                 (uint32_t)(now / 60));
    if (created < 0) {
        return METRICS_O_shed;
    }
    backlog_add(&w->srv->backlog, created);
    return METRICS_O_counted;
}

int pixel_handle(struct worker *w, const struct request *r,
                 const struct ip_addr *peer, struct outbuf *out,
                 enum response_conn conn)
{
    int head = r->method == HTTP_HEAD;
    enum metrics_outcome o;

    if (head) {
        /* HEAD is answered like GET but never counted (SPEC 2). */
        o = METRICS_O_head;
    } else {
        const struct policy *pol = server_policy(w->srv);
        struct span agent = r->header[HDR_USER_AGENT];
        struct ua_info ua = ua_cache_lookup(&w->ua_cache, pol->bots,
                                            pol->generation,
                                            agent.p ? agent.p : "",
                                            agent.len);
        struct gate_facts facts = {ua.bot, 0};
        o = gate_check(&pol->gate, r, &facts);
        if (o == METRICS_O_counted) {
            o = count_hit(w, pol, r, peer, ua);
        }
    }
    metrics_inc(&w->metrics.hits[METRICS_E_pixel][o]);
    metrics_response(&w->metrics, 200);
    if (response_pixel(out, &w->date, gate_x_beacon(o), gate_tk_n(o), head,
                       conn) < 0) {
        return -1;
    }
    return conn == RESPONSE_CLOSE ? -1 : 0;
}
