/*
 * policy.c: see policy.h.
 */
#include "collector/privacy/policy.h"

#include <stdio.h>
#include <stdlib.h>

#include "collector/privacy/botlist.h"

struct policy *policy_create(const struct config *cfg, uint64_t generation,
                             char *err, size_t errlen)
{
    char why[256];
    struct policy *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->generation = generation;
    p->gate.honor_dnt = cfg->honor_dnt;
    p->gate.honor_gpc = cfg->honor_gpc;
    p->limits = (struct http_limits){
        .max_request_line = cfg->max_request_line,
        .max_header_bytes = cfg->max_header_bytes,
        .max_headers = cfg->max_headers,
        .max_body = cfg->max_body,
    };
    p->header_timeout_ms = cfg->header_timeout_ms;
    p->body_timeout_ms = cfg->body_timeout_ms;
    p->idle_timeout_ms = cfg->idle_timeout_ms;
    p->max_batch_events = cfg->max_batch_events;
    if (cidr_list_parse(&p->trusted, cfg->trusted_proxies, why,
                        sizeof(why)) < 0) {
        snprintf(err, errlen, "trusted_proxies: %s", why);
        goto err;
    }
    p->bots = cfg->bot_patterns[0] != '\0'
                  ? botlist_load(cfg->bot_patterns, why, sizeof(why))
                  : botlist_default(why, sizeof(why));
    if (p->bots == NULL) {
        snprintf(err, errlen, "bot_patterns: %s", why);
        goto err;
    }
    if (mail_policy_init(&p->mail, cfg, err, errlen) < 0) {
        goto err;
    }
    return p;
err:
    policy_destroy(p);
    return NULL;
}

void policy_destroy(struct policy *p)
{
    if (p != NULL) {
        botlist_destroy(p->bots);
        mail_policy_deinit(&p->mail);
        free(p);
    }
}
