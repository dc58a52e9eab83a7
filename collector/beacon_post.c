/*
 * beacon_post.c: the batch beacon.
 *
 *   Content-Encoding: identity, gzip or deflate (else 415) -> inflated
 *   into the worker's bounded buffer (413 past the limits, 400 when
 *   corrupt) -> Content-Type: JSON (text/plain, application/json, or
 *   none, as sendBeacon sends a typeless Blob) or one form-encoded event
 *   (else 415) -> the gate, once for the request -> each event validated
 *   as a pixel hit, then counted -> 204 with the two counts.
 *
 * Nothing of a refused request (413, 415, 400, 503) is counted: every
 * check on the whole body comes before the first event is recorded.
 */
#include "collector/beacon_post.h"

#include <stdio.h>
#include <string.h>

#include "aggregator/backlog.h"
#include "aggregator/counts.h"
#include "collector/privacy/gate.h"
#include "collector/hit_record.h"
#include "collector/privacy/policy.h"
#include "collector/server.h"
#include "collector/worker.h"
#include "proto/events.h"

#define CORS "Access-Control-Allow-Origin: *\r\n"

/* The value of a header up to ';', without surrounding blanks. */
static struct span header_token(struct span v)
{
    const char *end = v.p != NULL ? memchr(v.p, ';', v.len) : NULL;
    size_t n = end != NULL ? (size_t)(end - v.p) : v.len;
    const char *p = v.p;
    while (n > 0 && (*p == ' ' || *p == '\t')) {
        p++;
        n--;
    }
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t')) {
        n--;
    }
    return span_make(p, n);
}

static int answer(struct worker *w, struct outbuf *out, int status,
                  const char *content_type, const char *extra,
                  const char *body, int head, enum response_conn conn)
{
    char headers[256];
    snprintf(headers, sizeof(headers), CORS "%s", extra != NULL ? extra : "");
    metrics_response(&w->metrics, status);
    if (response_simple(out, &w->date, status, content_type, headers, body,
                        body != NULL ? strlen(body) : 0, head, conn) < 0) {
        return -1;
    }
    return conn == RESPONSE_CLOSE ? -1 : 0;
}

int beacon_post_refuse(struct worker *w, struct outbuf *out, int status,
                       const char *extra, const char *msg, int head,
                       enum response_conn conn)
{
    char body[160];
    snprintf(body, sizeof(body), "{\"error\": \"%s\"}\n", msg);
    return answer(w, out, status, "application/json", extra, body, head,
                  conn);
}

/* What every event of one request shares, and the tally. */
struct batch_run {
    struct worker *w;
    const struct policy *pol;
    const struct request *r;
    const struct ip_addr *peer;
    struct ua_info ua;
    enum metrics_outcome gate; /* METRICS_O_counted: the gate let it pass */
    struct hit_record_page pg;
    struct hit_record_batch shared; /* backlog keys, the last pseudonym */
    int reserved;                /* keys were taken (and must be settled) */
    int valid, accepted, dropped;
};

/* Takes backlog keys for n events at once, when the log has room for
 * them: a batch is counted whole or not at all, whatever the other
 * workers do meanwhile. */
static int reserve(struct batch_run *b, size_t n)
{
    int64_t keys = (int64_t)n * COUNTS_MAX_KEYS_PER_HIT;
    if (worker_log_room(b->w, n) < 0 ||
        backlog_reserve(&b->w->srv->backlog, keys) < 0) {
        return -1;
    }
    b->shared.left = keys;
    b->reserved = 1;
    return 0;
}

/* Gives back the keys the batch did not use. */
static void settle(struct batch_run *b)
{
    if (b->reserved) {
        backlog_add(&b->w->srv->backlog, -b->shared.left);
        b->reserved = 0;
    }
}

static void count_event(struct batch_run *b, int parsed)
{
    enum metrics_outcome o = METRICS_O_invalid;
    if (parsed) {
        b->valid++;
        o = b->gate != METRICS_O_counted
                ? b->gate
                : hit_record(b->w, b->pol, b->r, b->peer, b->ua, &b->w->hit,
                             &b->shared);
    }
    metrics_inc(&b->w->metrics.hits[METRICS_E_batch][o]);
    if (o == METRICS_O_counted) {
        b->accepted++;
    } else {
        b->dropped++;
    }
}

static int on_event(void *arg, const struct hit_fields *f, size_t i,
                    size_t n)
{
    struct batch_run *b = arg;
    struct worker *w = b->w;
    const char *err;

    if (i == 0 && reserve(b, n) < 0) {
        return -1;
    }
    count_event(b, f != NULL &&
                       hit_parse_fields(&w->hit, f, &b->pg.ctx, w->scratch,
                                        w->scratch_cap, &err) == 0);
    return 0;
}

/* The body as the client meant it: inflated when it says so. Returns 0,
 * or the status to answer (with *msg). */
static int decoded_body(struct worker *w, const struct request *r,
                        struct span *body, const char **msg)
{
    struct span enc = header_token(r->header[HDR_CONTENT_ENCODING]);
    enum body_encoding e;

    *body = r->body;
    if (enc.p == NULL || enc.len == 0 || span_ieq(enc, "identity")) {
        return 0;
    }
    if (span_ieq(enc, "gzip") || span_ieq(enc, "x-gzip")) {
        e = BODY_GZIP;
    } else if (span_ieq(enc, "deflate")) {
        e = BODY_DEFLATE;
    } else {
        *msg = "Content-Encoding must be gzip or deflate";
        return 415;
    }
    switch (body_inflate(&w->inflater, e, r->body, body)) {
    case BODY_INFLATE_OK:
        return 0;
    case BODY_INFLATE_TOO_BIG:
        *msg = "the inflated body is too large";
        return 413;
    case BODY_INFLATE_CORRUPT:
        *msg = "corrupt or truncated compressed body";
        return 400;
    default:
        *msg = "out of memory";
        return 503;
    }
}

int beacon_post(struct worker *w, const struct request *r,
                const struct ip_addr *peer, struct outbuf *out,
                enum response_conn conn)
{
    struct span type = header_token(r->header[HDR_CONTENT_TYPE]);
    int form = span_ieq(type, "application/x-www-form-urlencoded");
    const char *msg = NULL;
    struct span body;

    if (!form && type.p != NULL && !span_ieq(type, "text/plain") &&
        !span_ieq(type, "application/json")) {
        return beacon_post_refuse(w, out, 415, NULL,
                     "Content-Type must be text/plain, application/json or "
                     "application/x-www-form-urlencoded",
                     0, conn);
    }
    int status = decoded_body(w, r, &body, &msg);
    if (status != 0) {
        return beacon_post_refuse(w, out, status, NULL, msg, 0, conn);
    }
    struct batch_run b = {.w = w, .pol = server_policy(w->srv), .r = r,
                          .peer = peer};
    struct span agent = r->header[HDR_USER_AGENT];
    b.ua = ua_cache_lookup(&w->ua_cache, b.pol->bots, b.pol->generation,
                           agent.p ? agent.p : "", agent.len);
    struct gate_facts facts = {b.ua.bot, 0};
    b.gate = gate_check(&b.pol->gate, r, &facts);
    hit_record_page(&b.pg, r);

    enum events_result parsed = EVENTS_STOPPED;
    if (!form) {
        parsed = events_parse_in(&w->json_arena, body.p, body.len,
                                 b.pol->max_batch_events, on_event, &b,
                                 &msg);
    } else if (body.len > w->scratch_cap) {
        /* one event's query: a request line's worth, not a batch's */
        return beacon_post_refuse(w, out, 413, NULL,
                     "a form-encoded event is longer than max_request_line",
                     0, conn);
    } else if (reserve(&b, 1) == 0) {
        const char *err;
        count_event(&b, hit_parse_query(&w->hit, body.p, body.len, &b.pg.ctx,
                                        w->scratch, w->scratch_cap,
                                        &err) == 0);
        parsed = EVENTS_OK;
    }
    settle(&b);
    switch (parsed) {
    case EVENTS_OK:
        break;
    case EVENTS_STOPPED:
        metrics_inc(&w->metrics.hits[METRICS_E_batch][METRICS_O_shed]);
        return beacon_post_refuse(w, out, 503, "Retry-After: 5\r\n",
                     "backlog full, retry later", 0, conn);
    case EVENTS_TOO_MANY:
        return beacon_post_refuse(w, out, 413, NULL, msg, 0, conn);
    default:
        return beacon_post_refuse(w, out, 400, NULL, msg, 0, conn);
    }
    if (b.valid == 0) {
        return beacon_post_refuse(w, out, 400, NULL, "no well-formed event",
                                  0, conn);
    }
    char counts[96];
    snprintf(counts, sizeof(counts),
             "X-Beacon-Accepted: %d\r\nX-Beacon-Dropped: %d\r\n%s", b.accepted,
             b.dropped, gate_tk_n(b.gate) ? "Tk: N\r\n" : "");
    return answer(w, out, 204, NULL, counts, NULL, 0, conn);
}

int beacon_options(struct worker *w, const struct request *r,
                   const struct ip_addr *peer, struct outbuf *out,
                   enum response_conn conn)
{
    (void)r;
    (void)peer;
    return answer(w, out, 204, NULL,
                  "Access-Control-Allow-Methods: POST\r\n"
                  "Access-Control-Allow-Headers: Content-Type\r\n"
                  "Access-Control-Max-Age: 86400\r\n",
                  NULL, 0, conn);
}
