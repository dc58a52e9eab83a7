/*
 * config_check.c: what makes a configuration valid as a whole, beyond each
 * key's own syntax and bounds (config.c): the settings resolved from
 * others (workers, instance_id, public_url) and the checks across keys
 * (listeners that would share a port, a log segment larger than the
 * backlog).
 */
#include "config/config.h"
#include "config/config_parse.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

/* workers = 0: one per online CPU, at most CONFIG_WORKERS_MAX. */
static int resolve_workers(struct config *c, char *err, size_t errlen)
{
    if (c->workers == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        c->workers = n < 1                    ? 1
                     : n > CONFIG_WORKERS_MAX ? CONFIG_WORKERS_MAX
                                              : (int)n;
    }
    if (c->workers < 1 || c->workers > CONFIG_WORKERS_MAX) {
        snprintf(err, errlen, "workers: must be from 1 to %d",
                 CONFIG_WORKERS_MAX);
        return -1;
    }
    return 0;
}

static int check_key_prefix(const struct config *c, char *err, size_t errlen)
{
    if (!config_is_word(c->key_prefix, "", sizeof(c->key_prefix) - 1)) {
        snprintf(err, errlen,
                 "key_prefix: expected 1 to 31 of A-Z a-z 0-9 . _ -");
        return -1;
    }
    return 0;
}

static int addr_port(const struct config_addr *a)
{
    if (a->sa.ss_family == AF_INET6) {
        return ntohs(((const struct sockaddr_in6 *)&a->sa)->sin6_port);
    }
    return ntohs(((const struct sockaddr_in *)&a->sa)->sin_port);
}

static int addr_is_any(const struct config_addr *a)
{
    if (a->sa.ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->sa;
        return IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
    }
    return ((const struct sockaddr_in *)&a->sa)->sin_addr.s_addr ==
           htonl(INADDR_ANY);
}

/* Whether a and b would share a port: the same one, and the same address
 * or a wildcard on either side. */
static int addrs_overlap(const struct config_addr *a,
                         const struct config_addr *b)
{
    return addr_port(a) == addr_port(b) &&
           (strcmp(a->text, b->text) == 0 || addr_is_any(a) || addr_is_any(b));
}

/* The first address of l that overlaps one of m, or NULL. */
static const struct config_addr *list_overlap(const struct config_addr_list *l,
                                              const struct config_addr_list *m,
                                              const struct config_addr **with)
{
    for (int i = 0; i < l->n; i++) {
        for (int j = 0; j < m->n; j++) {
            if (addrs_overlap(&l->addr[i], &m->addr[j])) {
                *with = &m->addr[j];
                return &l->addr[i];
            }
        }
    }
    return NULL;
}

/*
 * Both listeners are needed, and no admin address (nor a TCP syslog one)
 * may take a port that another listener holds: with SO_REUSEPORT the two
 * would share its traffic.
 */
static int check_listeners(const struct config *c, char *err, size_t errlen)
{
    const struct config_addr *a, *with;

    if (c->listen.n < 1 || c->admin.n < 1) {
        snprintf(err, errlen, "%s: needs at least one address",
                 c->listen.n < 1 ? "listen" : "admin");
        return -1;
    }
    if ((a = list_overlap(&c->admin, &c->listen, &with)) != NULL) {
        snprintf(err, errlen, "admin: %s overlaps listen %s", a->text,
                 with->text);
        return -1;
    }
    if (c->ingest_syslog_tcp &&
        ((a = list_overlap(&c->ingest_syslog, &c->listen, &with)) != NULL ||
         (a = list_overlap(&c->ingest_syslog, &c->admin, &with)) != NULL)) {
        snprintf(err, errlen, "ingest_syslog: %s overlaps %s (TCP is on)",
                 a->text, with->text);
        return -1;
    }
    return 0;
}

static int check_wal(const struct config *c, char *err, size_t errlen)
{
    if (c->wal_segment_bytes > c->backlog_max_bytes) {
        snprintf(err, errlen,
                 "wal_segment_bytes: may not exceed backlog_max_bytes");
        return -1;
    }
    return 0;
}

/* instance_id = host name + ":" + first listen port. */
static int resolve_instance_id(struct config *c, char *err, size_t errlen)
{
    char host[64];

    if (c->instance_id[0] != '\0') {
        return 0;
    }
    if (gethostname(host, sizeof(host)) < 0) {
        snprintf(err, errlen, "instance_id: gethostname: %s", strerror(errno));
        return -1;
    }
    host[sizeof(host) - 1] = '\0';
    snprintf(c->instance_id, sizeof(c->instance_id), "%s:%d", host,
             addr_port(&c->listen.addr[0]));
    if (!config_is_word(c->instance_id, ":", sizeof(c->instance_id) - 1)) {
        snprintf(err, errlen,
                 "instance_id: the host name gives '%s'; set instance_id",
                 c->instance_id);
        return -1;
    }
    return 0;
}

static void resolve_public_url(struct config *c)
{
    if (c->public_url[0] == '\0') {
        snprintf(c->public_url, sizeof(c->public_url), "http://%s",
                 c->listen.addr[0].text);
    }
}

int config_validate(struct config *c, char *err, size_t errlen)
{
    if (resolve_workers(c, err, errlen) < 0 ||
        config_check_bounds(c, err, errlen) < 0 ||
        check_key_prefix(c, err, errlen) < 0 ||
        check_listeners(c, err, errlen) < 0 || check_wal(c, err, errlen) < 0 ||
        resolve_instance_id(c, err, errlen) < 0) {
        return -1;
    }
    resolve_public_url(c);
    return 0;
}
