/*
 * hit_record.c: see hit_record.h.
 */
#include "collector/hit_record.h"

#include <sodium.h>
#include <string.h>

#include "aggregator/backlog.h"
#include "aggregator/counts.h"
#include "aggregator/table.h"
#include "aggregator/wal.h"
#include "collector/privacy/client_addr.h"
#include "collector/privacy/policy.h"
#include "collector/privacy/pseudo.h"
#include "collector/privacy/salt.h"
#include "collector/server.h"
#include "collector/worker.h"
#include "proto/walrec.h"

void hit_record_page(struct hit_record_page *pg, const struct request *r)
{
    struct span referer = r->header[HDR_REFERER];

    pg->ctx.page_host = NULL;
    pg->ctx.page_host_len = 0;
    if (referer.p != NULL) {
        ssize_t n = url_host(pg->host, sizeof(pg->host), referer.p,
                             referer.len);
        if (n > 0) {
            pg->ctx.page_host = pg->host;
            pg->ctx.page_host_len = (size_t)n;
        }
    }
}

enum metrics_outcome hit_record(struct worker *w, const struct policy *pol,
                                const struct request *r,
                                const struct ip_addr *peer,
                                struct ua_info ua, const struct hit *h,
                                struct hit_record_batch *batch)
{
    struct span agent = r->header[HDR_USER_AGENT];

    if (batch != NULL
            ? batch->left < COUNTS_MAX_KEYS_PER_HIT ||
                  table_reserve(w->active, COUNTS_MAX_BYTES_PER_HIT) < 0 ||
                  wal_reserve(w->wal, WALREC_MAX) < 0
            : worker_reserve_hit(w) < 0) {
        return METRICS_O_shed;
    }
    time_t now = worker_now(w);
    uint32_t day = salt_day(now);
    unsigned char salt[SALT_BYTES];
    unsigned char visitor[PSEUDO_BYTES];
    const unsigned char *v = NULL;
    if (batch != NULL && batch->site_len == h->site_len &&
        batch->day == day && memcmp(batch->site, h->site, h->site_len) == 0) {
        v = batch->visitor;
    } else if (salt_get(&w->srv->salts, day, salt) == 0) {
        struct ip_addr client;
        client_addr(&client, &pol->trusted, peer, r);
        pseudo_visitor(visitor, salt, h->site, h->site_len, &client,
                       agent.p ? agent.p : "", agent.len);
        sodium_memzero(salt, sizeof(salt));
        sodium_memzero(&client, sizeof(client));
        v = visitor;
        if (batch != NULL && h->site_len <= sizeof(batch->site)) {
            batch->day = day;
            batch->site_len = h->site_len;
            memcpy(batch->site, h->site, h->site_len);
            memcpy(batch->visitor, visitor, sizeof(visitor));
        }
    }
    size_t len = walrec_put_hit(worker_log_space(w), WALREC_MAX, (uint64_t)now,
                                h, (uint8_t)ua.cls.device,
                                (uint8_t)ua.cls.browser, v);
    int created = len == 0 ? -1
                           : counts_add_hit(w->active, h, ua.cls, v,
                                            (uint32_t)(now / 60));
    if (created < 0) {
        return METRICS_O_shed;
    }
    worker_log(w, len);
    if (batch != NULL) {
        batch->left -= created;
    } else {
        backlog_add(&w->srv->backlog, created);
    }
    return METRICS_O_counted;
}
