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

#include "collector/privacy/gate.h"
#include "collector/hit_record.h"
#include "collector/privacy/policy.h"
#include "collector/server.h"
#include "collector/worker.h"

/* Parses the query and records the hit; returns the outcome. */
static enum metrics_outcome count_hit(struct worker *w,
                                      const struct policy *pol,
                                      const struct request *r,
                                      const struct ip_addr *peer,
                                      struct ua_info ua)
{
    struct hit_record_page pg;
    const char *err;

    hit_record_page(&pg, r);
    if (hit_parse_query(&w->hit, r->query.p, r->query.len, &pg.ctx,
                        w->scratch, w->scratch_cap, &err) < 0) {
        return METRICS_O_invalid;
    }
    return hit_record(w, pol, r, peer, ua, &w->hit, NULL);
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
