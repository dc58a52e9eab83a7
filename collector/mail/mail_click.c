/*
 * mail_click.c: the click redirect. Nothing here waits on Redis: the
 * signature is checked against keys in memory, the click goes into the
 * worker's table like any hit, and the 302 leaves at once, so a reader's
 * click works while Redis is away.
 *
 *   parse and validate -> key by id -> HMAC-SHA256 over the SPEC 2.4
 *   message, compared in constant time -> 403, or: gate (DNT, GPC, opt-out
 *   cookie, recipient opt-out, prefetch, bots and link scanners: still
 *   redirected, not counted) -> aggregate -> 302
 */
#include "collector/mail/mail_click.h"

#include <llhttp.h>
#include <stdio.h>

#include "aggregator/backlog.h"
#include "aggregator/counts.h"
#include "collector/privacy/gate.h"
#include "collector/privacy/policy.h"
#include "collector/router.h"
#include "collector/server.h"
#include "collector/worker.h"
#include "common/log.h"
#include "proto/clicklink.h"
#include "proto/mailreq.h"
#include "proto/walrec.h"

/* The signed message: "v1", three ids, to and a token, LF-separated. */
#define MESSAGE_MAX                                                            \
    (2 + 3 * (1 + 64) + 1 + CLICKLINK_TO_MAX + 1 + CLICKLINK_RECIPIENT_MAX + 1)

/* Location, X-Beacon and Tk lines. */
#define HEADERS_MAX (CLICKLINK_LOCATION_MAX + 128)

/* NULL when c's signature verifies under the key it names, else why
 * not. */
static const char *check_signature(const struct policy *pol,
                                   const struct mailreq_click *c)
{
    char msg[MESSAGE_MAX];
    const struct mail_link_key *key = mail_policy_key(&pol->mail, c->key_id);
    if (key == NULL) {
        return "unknown key id";
    }
    int len = clicklink_message(msg, sizeof(msg), c->site, c->campaign,
                                c->link, c->to, c->recipient);
    if (len < 0 ||
        !clicklink_verify_with(c->sig.p, c->sig.len, &key->ready, msg,
                               (size_t)len)) {
        return "bad signature";
    }
    return NULL;
}

static enum metrics_outcome count_click(struct worker *w,
                                        const struct policy *pol,
                                        const struct request *r,
                                        const struct mailreq_click *c)
{
    struct optout_registry *reg = &w->srv->optouts;
    struct span agent = r->header[HDR_USER_AGENT];
    uint8_t hash[OPTOUT_HASH_BYTES];
    const unsigned char *recipient = NULL;

    if (c->recipient.len > 0) {
        optout_recipient_hash(reg, c->recipient.p, c->recipient.len, hash);
        recipient = hash;
    }
    struct ua_info ua = ua_cache_lookup(&w->ua_cache, pol->bots,
                                        pol->generation,
                                        agent.p ? agent.p : "", agent.len);
    struct gate_facts facts = {
        ua.bot || mail_policy_is_scanner(&pol->mail, agent),
        recipient != NULL &&
            optout_registry_has(reg, w->id, c->site.p, c->site.len, hash),
    };
    enum metrics_outcome o = gate_check(&pol->gate, r, &facts);
    if (o != METRICS_O_counted) {
        return o;
    }
    if (worker_reserve_hit(w) < 0) {
        return METRICS_O_shed;
    }
    time_t now = worker_now(w);
    struct counts_mail m = {c->site.p, c->site.len, c->campaign.p,
                            c->campaign.len, recipient};
    struct walrec_mail wm = {c->site, c->campaign, c->link, recipient, 0};
    size_t len = walrec_put_mail(worker_log_space(w), WALREC_MAX,
                                 WALREC_CLICK, (uint64_t)now, &wm);
    int created = len == 0 ? -1
                           : counts_add_click(w->active, &m, c->link.p,
                                              c->link.len, now);
    if (created < 0) {
        return METRICS_O_shed;
    }
    worker_log(w, len);
    backlog_add(&w->srv->backlog, created);
    return METRICS_O_counted;
}

int mail_click(struct worker *w, const struct request *r,
               const struct ip_addr *peer, struct outbuf *out,
               enum response_conn conn)
{
    int head = r->method == HTTP_HEAD;
    const struct policy *pol = server_policy(w->srv);
    struct mailreq_click c;
    const char *err = NULL;
    (void)peer;

    if (!w->srv->optouts.have_key) {
        return router_plain(w, out, 503, NULL,
                            "e-mail clicks need recipient_key in [mail]\n",
                            head, conn);
    }
    if (mailreq_parse_click(r->path, r->query, w->scratch, w->scratch_cap, &c,
                            &err) == 0) {
        err = check_signature(pol, &c);
    }
    if (err != NULL) {
        log_debug("click refused: %s", err);
        metrics_inc(&w->metrics.hits[METRICS_E_click][METRICS_O_invalid]);
        return router_plain(w, out, 403, NULL, "invalid link\n", head, conn);
    }

    /* HEAD follows the link like GET but is never counted (SPEC 2). */
    enum metrics_outcome o =
        head ? METRICS_O_head : count_click(w, pol, r, &c);
    metrics_inc(&w->metrics.hits[METRICS_E_click][o]);

    char location[CLICKLINK_LOCATION_MAX + 1];
    char headers[HEADERS_MAX];
    const char *x_beacon = gate_x_beacon(o);
    if (clicklink_location(location, sizeof(location), c.to.p, c.to.len) < 0) {
        return -1;
    }
    int n = snprintf(headers, sizeof(headers), "Location: %s\r\n%s%s%s%s",
                     location, x_beacon ? "X-Beacon: " : "",
                     x_beacon ? x_beacon : "", x_beacon ? "\r\n" : "",
                     gate_tk_n(o) ? "Tk: N\r\n" : "");
    if (n < 0 || (size_t)n >= sizeof(headers)) {
        return -1;
    }
    return router_plain(w, out, 302, headers, NULL, head, conn);
}
