/*
 * mail_policy.h: what the e-mail endpoints take from the configuration:
 * how an open is classified (SPEC 4) and the keys that sign click links
 * (SPEC 2.4). It is part of the reloadable policy (policy.h), so SIGHUP
 * brings in a new link key, proxy range or agent list without a restart.
 */
#ifndef BEACON_MAIL_POLICY_H
#define BEACON_MAIL_POLICY_H

#include <stddef.h>

#include "aggregator/counts.h"
#include "config/config.h"
#include "config/config_parse.h"
#include "proto/clicklink.h"
#include "proto/ipaddr.h"
#include "proto/span.h"

struct botlist;

struct mail_link_key {
    char id[CONFIG_LINK_ID_MAX + 1];
    struct clicklink_key ready; /* the key, prepared for verifying */
};

struct mail_policy {
    struct cidr_list proxy_cidrs;  /* mail_proxy_cidrs: machine opens */
    struct botlist *image_proxies; /* image_proxy_agents; NULL: none */
    struct botlist *scanners;      /* link scanners (built in) */
    struct mail_link_key keys[CONFIG_LINK_KEYS_MAX];
    int n_keys;
};

/* Fills m from cfg. Returns 0, or -1 with err set. */
int mail_policy_init(struct mail_policy *m, const struct config *cfg,
                     char *err, size_t errlen);

/* Frees what init allocated and wipes the keys. */
void mail_policy_deinit(struct mail_policy *m);

/* The link key named id, or NULL. */
const struct mail_link_key *mail_policy_key(const struct mail_policy *m,
                                            struct span id);

/*
 * The class of an open (SPEC 2, 4): a HEAD request is a scanner; else a
 * client address in mail_proxy_cidrs is a machine (Apple Mail Privacy
 * Protection fetches every image of every message it receives); else an
 * image-proxy user agent is a proxy (Gmail and Yahoo fetch on the
 * reader's behalf when the message is shown); else a link-scanner user
 * agent is a scanner; else a human.
 */
enum counts_open_class mail_policy_classify(const struct mail_policy *m,
                                            int head,
                                            const struct ip_addr *client,
                                            struct span ua);

/* 1 when ua names a link scanner (a mail gateway that fetches every URL
 * of a message before delivering it). */
int mail_policy_is_scanner(const struct mail_policy *m, struct span ua);

#endif
