/*
 * mail_policy.c: see mail_policy.h.
 */
#include "collector/mail/mail_policy.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/privacy/botlist.h"

/*
 * User agents of the mail-security gateways that fetch every link and
 * image of a message before delivering it (case-insensitive substrings,
 * botlist syntax). Their opens are "scanner" opens, their clicks are not
 * counted. The generic words also stand in the bot list; here they make a
 * scanner's open a scanner open instead of a dropped bot hit.
 */
static const char scanner_patterns[] = "Barracuda\n"
                                       "Mimecast\n"
                                       "Proofpoint\n"
                                       "urldefense\n"
                                       "MessageLabs\n"
                                       "Symantec\n"
                                       "Trend Micro\n"
                                       "TrendMicro\n"
                                       "IronPort\n"
                                       "Cisco Secure Email\n"
                                       "Forcepoint\n"
                                       "Sophos\n"
                                       "FortiGuard\n"
                                       "Fortinet\n"
                                       "Zscaler\n"
                                       "SafeLinks\n"
                                       "Cloudmark\n"
                                       "SpamTitan\n"
                                       "Hornetsecurity\n"
                                       "AppRiver\n"
                                       "Avanan\n"
                                       "Abnormal Security\n"
                                       "scanner\n"
                                       "scanning\n"
                                       "linkcheck\n"
                                       "link check\n";

/* "A, B" -> a botlist of the items ("A\nB"); *out stays NULL for a blank
 * list (no image proxies). */
static int agents_compile(struct botlist **out, const char *list, char *err,
                          size_t errlen)
{
    size_t n = strlen(list);
    char why[256];
    char *text;

    *out = NULL;
    if (strspn(list, " \t,") == n) {
        return 0;
    }
    text = malloc(n + 1);
    if (text == NULL) {
        snprintf(err, errlen, "image_proxy_agents: out of memory");
        return -1;
    }
    for (size_t i = 0; i <= n; i++) {
        text[i] = list[i] == ',' ? '\n' : list[i];
    }
    *out = botlist_create(text, n, why, sizeof(why));
    free(text);
    if (*out == NULL) {
        snprintf(err, errlen, "image_proxy_agents: %s", why);
        return -1;
    }
    return 0;
}

int mail_policy_init(struct mail_policy *m, const struct config *cfg,
                     char *err, size_t errlen)
{
    char why[256];

    memset(m, 0, sizeof(*m));
    if (cidr_list_parse(&m->proxy_cidrs, cfg->mail_proxy_cidrs, why,
                        sizeof(why)) < 0) {
        snprintf(err, errlen, "mail_proxy_cidrs: %s", why);
        return -1;
    }
    if (agents_compile(&m->image_proxies, cfg->image_proxy_agents, err,
                       errlen) < 0) {
        goto err;
    }
    m->scanners = botlist_create(scanner_patterns, sizeof(scanner_patterns) - 1,
                                 why, sizeof(why));
    if (m->scanners == NULL) {
        snprintf(err, errlen, "link scanners: %s", why);
        goto err;
    }
    while (m->n_keys < CONFIG_LINK_KEYS_MAX) {
        struct mail_link_key *k = &m->keys[m->n_keys];
        unsigned char raw[CONFIG_KEY_MAX];
        size_t len;
        int rc = config_link_key_at(cfg, m->n_keys, k->id, sizeof(k->id), raw,
                                    &len);
        if (rc == 0) {
            clicklink_key_init(&k->ready, raw, len);
            m->n_keys++;
        }
        sodium_memzero(raw, sizeof(raw));
        if (rc < 0) {
            break;
        }
    }
    return 0;
err:
    mail_policy_deinit(m);
    return -1;
}

void mail_policy_deinit(struct mail_policy *m)
{
    botlist_destroy(m->image_proxies);
    botlist_destroy(m->scanners);
    m->image_proxies = NULL;
    m->scanners = NULL;
    sodium_memzero(m->keys, sizeof(m->keys));
    m->n_keys = 0;
}

const struct mail_link_key *mail_policy_key(const struct mail_policy *m,
                                            struct span id)
{
    for (int i = 0; i < m->n_keys; i++) {
        if (span_eq(id, m->keys[i].id)) {
            return &m->keys[i];
        }
    }
    return NULL;
}

/* botlist_match() calls an empty user agent a bot; here it is nothing. */
static int agent_matches(const struct botlist *b, struct span ua)
{
    return b != NULL && ua.len > 0 && botlist_match(b, ua.p, ua.len);
}

int mail_policy_is_scanner(const struct mail_policy *m, struct span ua)
{
    return agent_matches(m->scanners, ua);
}

enum counts_open_class mail_policy_classify(const struct mail_policy *m,
                                            int head,
                                            const struct ip_addr *client,
                                            struct span ua)
{
    if (head) {
        return COUNTS_OPEN_SCANNER;
    }
    if (cidr_list_match(&m->proxy_cidrs, client)) {
        return COUNTS_OPEN_MACHINE;
    }
    if (agent_matches(m->image_proxies, ua)) {
        return COUNTS_OPEN_PROXY;
    }
    if (agent_matches(m->scanners, ua)) {
        return COUNTS_OPEN_SCANNER;
    }
    return COUNTS_OPEN_HUMAN;
}
