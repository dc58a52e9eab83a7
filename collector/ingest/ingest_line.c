/*
 * ingest_line.c: see ingest_line.h.
 *
 *   syslog MSG -> v1 line -> page view? (GET, 2xx, not an asset)
 *   -> gate (DNT, GPC, opt-out cookie, bot) -> site from $host, page
 *   -> the pixel's hit_record()
 *
 * The logged fields are put where a request's headers would be, so the
 * gate and the pseudonym read them exactly as they read a pixel's.
 */
#include "collector/ingest/ingest_line.h"

#include <llhttp.h>
#include <string.h>
#include <strings.h>

#include "collector/hit_record.h"
#include "collector/privacy/gate.h"
#include "collector/privacy/policy.h"
#include "collector/server.h"
#include "collector/worker.h"
#include "proto/syslog.h"

static const char optout_cookie[] = GATE_OPTOUT_COOKIE "=1";

static int span_is(struct span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.len == n && memcmp(s.p, lit, n) == 0;
}

/* The site id of host: its [sites] mapping, else the host itself (which
 * hit_parse_fields() then checks as a site id). */
static struct span site_of(const struct config *cfg, struct span host)
{
    for (int i = 0; i < cfg->n_sites; i++) {
        const struct config_site *m = &cfg->sites[i];
        if (strlen(m->host) == host.len &&
            strncasecmp(m->host, host.p, host.len) == 0) {
            return (struct span){m->site, strlen(m->site)};
        }
    }
    return host;
}

/* A page view: GET, 2xx, and not an asset. */
static int is_page_view(const struct config *cfg,
                        const struct accesslog_line *l)
{
    return span_is(l->method, "GET") && l->status >= 200 &&
           l->status < 300 && !accesslog_ext_listed(l->uri, cfg->ingest_skip_ext);
}

/* The request a pixel would have brought: the headers the gate and the
 * pseudonym read, and the opt-out cookie nginx logged by value. */
static void as_request(struct request *r, const struct accesslog_line *l)
{
    memset(r, 0, sizeof(*r));
    r->method = HTTP_GET;
    r->header[HDR_USER_AGENT] = l->user_agent;
    r->header[HDR_REFERER] = l->referer;
    r->header[HDR_DNT] = l->dnt;
    r->header[HDR_SEC_GPC] = l->sec_gpc;
    r->header[HDR_HOST] = l->host;
    if (span_is(l->optout, "1")) {
        r->cookie[0] = (struct span){optout_cookie, sizeof(optout_cookie) - 1};
        r->n_cookie = 1;
    }
}

static enum metrics_outcome judge(struct worker *w, struct ingest_scratch *s,
                                  const char *msg, size_t len)
{
    const struct config *cfg = w->srv->cfg;
    struct span line;
    struct accesslog_line l;
    struct request r;

    if (syslog_message(msg, len, &line) < 0 ||
        accesslog_parse(line.p, line.len, &l, s->unescaped,
                        sizeof(s->unescaped), NULL) < 0) {
        return METRICS_O_invalid;
    }
    if (!is_page_view(cfg, &l)) {
        return METRICS_O_skipped;
    }
    const struct policy *pol = server_policy(w->srv);
    struct ua_info ua = ua_cache_lookup(&w->ua_cache, pol->bots,
                                        pol->generation, l.user_agent.p,
                                        l.user_agent.len);
    struct gate_facts facts = {ua.bot, 0};
    as_request(&r, &l);
    enum metrics_outcome o = gate_check(&pol->gate, &r, &facts);
    if (o != METRICS_O_counted) {
        return o;
    }
    struct hit_fields f = {
        .s = site_of(cfg, l.host),
        .u = l.uri,
        .r = l.referer.len > 0 ? l.referer : (struct span){NULL, 0},
    };
    struct hit_context ctx = {l.host.p, l.host.len};
    if (hit_parse_fields(&w->hit, &f, &ctx, s->hit, sizeof(s->hit), NULL) <
        0) {
        return METRICS_O_invalid;
    }
    return hit_record(w, pol, &r, &l.addr, ua, &w->hit, NULL);
}

enum metrics_outcome ingest_line(struct worker *w, struct ingest_scratch *s,
                                 const char *msg, size_t len)
{
    enum metrics_outcome o = judge(w, s, msg, len);
    if (o == METRICS_O_counted) {
        /* shown as counted once its record is written (worker.c) */
        w->syslog_counted_unlogged++;
    } else {
        metrics_inc(&w->metrics.hits[METRICS_E_syslog][o]);
    }
    return o;
}
