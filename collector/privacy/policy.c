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
