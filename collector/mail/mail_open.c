/*
 * mail_open.c: the e-mail open pixel. Like the page pixel, the answer is
 * the GIF whatever happens (a broken image in a message helps no one);
 * X-Beacon says what happened.
 *
 *   recipient token -> keyed hash (the token goes no further)
 *   class (HEAD, mail proxy address, image proxy, link scanner, human)
 *   gate (DNT, GPC, opt-out cookie, recipient opt-out, prefetch, bots:
 *   only a "human" open can be a bot, the other classes are counted as
 *   what they are) -> aggregate
 */
#include "collector/mail/mail_open.h"

#include <llhttp.h>
#include <sodium.h>

#include "aggregator/backlog.h"
#include "aggregator/counts.h"
#include "collector/privacy/client_addr.h"
#include "collector/privacy/gate.h"
#include "collector/privacy/policy.h"
#include "collector/router.h"
#include "collector/server.h"
#include "collector/worker.h"
#include "common/log.h"
#include "proto/mailreq.h"
#include "proto/walrec.h"

static enum metrics_outcome count_open(struct worker *w,
                                       const struct policy *pol,
                                       const struct request *r,
                                       const struct ip_addr *peer)
{
    struct optout_registry *reg = &w->srv->optouts;
    struct mailreq_open o;
    const char *err;
    uint8_t hash[OPTOUT_HASH_BYTES];
    struct ip_addr client;
    struct span agent = r->header[HDR_USER_AGENT];

    if (mailreq_parse_open(r->path, &o, &err) < 0) {
        log_debug("open: %s", err);
        return METRICS_O_invalid;
    }
    optout_recipient_hash(reg, o.recipient.p, o.recipient.len, hash);
    client_addr(&client, &pol->trusted, peer, r);
    enum counts_open_class cls = mail_policy_classify(
        &pol->mail, r->method == HTTP_HEAD, &client, agent);
    sodium_memzero(&client, sizeof(client));

    struct ua_info ua = ua_cache_lookup(&w->ua_cache, pol->bots,
                                        pol->generation,
                                        agent.p ? agent.p : "", agent.len);
    struct gate_facts facts = {
        ua.bot && cls == COUNTS_OPEN_HUMAN,
        optout_registry_has(reg, w->id, o.site.p, o.site.len, hash),
    };
    enum metrics_outcome outcome = gate_check(&pol->gate, r, &facts);
    if (outcome != METRICS_O_counted) {
        return outcome;
    }
    if (worker_reserve_hit(w) < 0) {
        return METRICS_O_shed;
    }
    time_t now = worker_now(w);
    struct counts_mail m = {o.site.p, o.site.len, o.campaign.p,
                            o.campaign.len, hash};
    struct walrec_mail wm = {o.site, o.campaign, span_make(NULL, 0), hash,
                             (uint8_t)cls};
    size_t len = walrec_put_mail(worker_log_space(w), WALREC_MAX, WALREC_OPEN,
                                 (uint64_t)now, &wm);
    int created = len == 0 ? -1 : counts_add_open(w->active, &m, cls, now);
    if (created < 0) {
        return METRICS_O_shed;
    }
    worker_log(w, len);
    backlog_add(&w->srv->backlog, created);
    return METRICS_O_counted;
}

int mail_open(struct worker *w, const struct request *r,
              const struct ip_addr *peer, struct outbuf *out,
              enum response_conn conn)
{
    int head = r->method == HTTP_HEAD;

    if (!w->srv->optouts.have_key) {
        return router_plain(w, out, 503, NULL,
                            "e-mail opens need recipient_key in [mail]\n",
                            head, conn);
    }
    enum metrics_outcome o = count_open(w, server_policy(w->srv), r, peer);
    metrics_inc(&w->metrics.hits[METRICS_E_open][o]);
    metrics_response(&w->metrics, 200);
    if (response_pixel(out, &w->date, gate_x_beacon(o), gate_tk_n(o), head,
                       conn) < 0) {
        return -1;
    }
    return conn == RESPONSE_CLOSE ? -1 : 0;
}
