/*
 * redis_pool.c: see redis_pool.h.
 */
#include "aggregator/redis_pool.h"

#include <event2/event.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregator/cluster_map.h"
#include "proto/cluster_nodes.h"
#include "common/ev_timer.h"
#include "common/log.h"

/* The map is asked again this often while up, every second while a
 * master has no replica listed (a new cluster's replicas attach after
 * its slots are assigned), and every 500 ms while down (a failover takes
 * the cluster's node timeout to promote a replica). */
#define REFRESH_MS 10000
#define BARE_REFRESH_MS 1000
#define DOWN_REFRESH_MS 500
#define ASKS_MAX 16

struct pool_link {
    struct redis_pool *pool;
    struct redis_target target; /* the pool's, with this node's address */
    char host[CLUSTER_HOST_MAX + 1];
    struct redis_link *link;
    int replicas_listed; /* healthy ones in CLUSTER NODES; -1: not yet */
    int keep;            /* a master of the map, or an ASK's target */
};

struct redis_pool {
    struct event_base *base;
    struct redis_target tmpl;
    redis_pool_cb cb;
    void *arg;
    int cluster;
    int up;
    uint64_t epoch; /* links closed so far */

    struct pool_link **links;
    size_t n_links, cap_links;

    /* cluster mode */
    struct cluster_map map;
    struct pool_link **node_link; /* map node i's connection */
    size_t n_node_link;
    struct cluster_seed seeds[CLUSTER_SEEDS_MAX];
    size_t n_seeds;
    size_t probe_next;       /* next seed or node to ask while none is up */
    int slots_pending;       /* CLUSTER SLOTS (or NODES) is on its way */
    size_t uncovered_said;   /* slots without a master, last logged */
    char map_error[600];     /* why the last map was refused, last logged */
    char masters_said[1024]; /* the masters, last logged */
    struct {
        unsigned slot;
        struct pool_link *to;
    } asks[ASKS_MAX];
    size_t n_asks;
    struct event *refresh_ev;
    struct event *sweep_ev;
};

static int link_up(const struct pool_link *pl)
{
    return pl != NULL && redis_link_ctx(pl->link) != NULL;
}

/* When the map is asked again (see REFRESH_MS). */
static uint64_t refresh_ms(const struct redis_pool *p)
{
    if (!p->up) {
        return DOWN_REFRESH_MS;
    }
    for (size_t i = 0; i < p->map.n_nodes; i++) {
        if (p->map.nodes[i].replicas == 0) {
            return BARE_REFRESH_MS;
        }
    }
    return REFRESH_MS;
}

/* Up: one server connected, or every slot's master connected. */
static void update_up(struct redis_pool *p)
{
    int up = p->n_links > 0 && link_up(p->links[0]);
    if (p->cluster) {
        up = p->map.n_nodes > 0;
        for (size_t s = 0; up && s < CLUSTER_SLOTS; s++) {
            up = p->map.owner[s] >= 0 && link_up(p->node_link[p->map.owner[s]]);
        }
    }
    if (up != p->up) {
        p->up = up;
        if (p->cluster) {
            ev_arm_ms(p->refresh_ev, refresh_ms(p));
        }
        p->cb(p, up, p->arg);
    }
}

static void on_link(struct redis_link *l, int up, void *arg);

static struct pool_link *find_link(struct redis_pool *p, const char *host,
                                   int port)
{
    for (size_t i = 0; i < p->n_links; i++) {
        struct pool_link *pl = p->links[i];
        if (pl->target.port == port && strcmp(pl->host, host) == 0) {
            return pl;
        }
    }
    return NULL;
}

/* The connection to host:port, made when there is none. NULL when out of
 * memory. */
static struct pool_link *link_to(struct redis_pool *p, const char *host,
                                 int port)
{
    struct pool_link *pl = find_link(p, host, port);
    if (pl != NULL) {
        return pl;
    }
    if (p->n_links == p->cap_links) {
        size_t cap = p->cap_links ? 2 * p->cap_links : 8;
        struct pool_link **n = realloc(p->links, cap * sizeof(*n));
        if (n == NULL) {
            return NULL;
        }
        p->links = n;
        p->cap_links = cap;
    }
    pl = calloc(1, sizeof(*pl));
    if (pl == NULL) {
        return NULL;
    }
    pl->pool = p;
    pl->replicas_listed = -1;
    pl->target = p->tmpl;
    snprintf(pl->host, sizeof(pl->host), "%s", host);
    pl->target.host = pl->host;
    pl->target.port = port;
    pl->link = redis_link_create(p->base, &pl->target, on_link, pl);
    if (pl->link == NULL) {
        free(pl);
        return NULL;
    }
    p->links[p->n_links++] = pl;
    return pl;
}

static void close_link(struct redis_pool *p, struct pool_link *pl)
{
    p->epoch++;
    redis_link_destroy(pl->link);
    free(pl);
}

/* Closes the connections that neither the map nor an ASK needs; run from
 * sweep_ev, never inside one of their callbacks. */
static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
    struct redis_pool *p = arg;
    size_t kept = 0, n = p->n_links, n_gone = 0;
    (void)fd;
    (void)what;
    struct pool_link **gone = malloc((n ? n : 1) * sizeof(*gone));
    if (gone == NULL) {
        return; /* they go at the next sweep */
    }
    /* The pool is whole again before the first close: closing a link
     * calls back (its replies, as NULL), and those callbacks may use it. */
    for (size_t i = 0; i < n; i++) {
        struct pool_link *pl = p->links[i];
        if (pl->keep || (p->map.n_nodes == 0 && link_up(pl))) {
            p->links[kept++] = pl;
        } else {
            gone[n_gone++] = pl;
        }
    }
    p->n_links = kept;
    for (size_t i = 0; i < n_gone; i++) {
        close_link(p, gone[i]);
    }
    free(gone);
}

/* Connections for the map's masters; the others go at the next sweep.
 * Out of memory, the map is dropped (no slot has a master until the next
 * one), so that no slot leads to a connection that is not there. */
static void sync_links(struct redis_pool *p)
{
    struct pool_link **nl = realloc(
        p->node_link, (p->map.n_nodes ? p->map.n_nodes : 1) * sizeof(*nl));
    if (nl == NULL) {
        log_error("redis: out of memory for the cluster's connections");
        cluster_map_free(&p->map);
        return;
    }
    p->node_link = nl;
    p->n_node_link = p->map.n_nodes;
    for (size_t i = 0; i < p->n_links; i++) {
        p->links[i]->keep = 0;
    }
    for (size_t i = 0; i < p->n_asks; i++) {
        p->asks[i].to->keep = 1;
    }
    for (size_t i = 0; i < p->map.n_nodes; i++) {
        const struct cluster_node *n = &p->map.nodes[i];
        nl[i] = link_to(p, n->host, n->port);
        if (nl[i] == NULL) {
            log_error("redis: out of memory for the cluster's connections");
            cluster_map_free(&p->map);
            return;
        }
        nl[i]->keep = 1;
    }
    event_active(p->sweep_ev, 0, 0);
}

/* "host:port (1 replica), ..." of the masters that own slots. */
static void map_text(const struct cluster_map *m, char *out, size_t len)
{
    size_t used = 0;
    size_t *slots = calloc(m->n_nodes ? m->n_nodes : 1, sizeof(*slots));
    out[0] = '\0';
    if (slots == NULL) {
        return;
    }
    for (size_t s = 0; s < CLUSTER_SLOTS; s++) {
        if (m->owner[s] >= 0) {
            slots[m->owner[s]]++;
        }
    }
    for (size_t i = 0; i < m->n_nodes && used < len; i++) {
        if (slots[i] > 0) {
            int n = snprintf(out + used, len - used,
                             "%s%s:%d (%zu slots, %d "
                             "replica%s)",
                             used ? ", " : "", m->nodes[i].host,
                             m->nodes[i].port, slots[i], m->nodes[i].replicas,
                             m->nodes[i].replicas == 1 ? "" : "s");
            used += n > 0 ? (size_t)n : 0;
        }
    }
    free(slots);
}

/* The map's replica counts from CLUSTER NODES where it answered (CLUSTER
 * SLOTS leaves out replicas a new cluster has not fed yet). */
static void apply_listed(struct redis_pool *p)
{
    for (size_t i = 0; i < p->map.n_nodes; i++) {
        struct cluster_node *n = &p->map.nodes[i];
        struct pool_link *pl = find_link(p, n->host, n->port);
        if (pl != NULL && pl->replicas_listed >= 0) {
            n->replicas = pl->replicas_listed;
        }
    }
}

static void log_masters(struct redis_pool *p)
{
    char text[sizeof(p->masters_said)];
    map_text(&p->map, text, sizeof(text));
    if (strcmp(text, p->masters_said) != 0) {
        log_info("redis: cluster masters: %s", text);
        memcpy(p->masters_said, text, sizeof(text));
    }
}

static void on_nodes(redisAsyncContext *ac, void *r, void *priv)
{
    struct pool_link *pl = priv;
    struct redis_pool *p = pl->pool;
    const redisReply *reply = r;
    (void)ac;

    p->slots_pending = 0;
    size_t max = p->map.n_nodes + 16;
    struct cluster_master_replicas *m = malloc(max * sizeof(*m));
    long n =
        m == NULL || reply == NULL || reply->type != REDIS_REPLY_STRING
            ? -1
            : cluster_nodes_replicas(reply->str, reply->len, pl->host, m, max);
    for (long i = 0; i < n; i++) {
        struct pool_link *master = find_link(p, m[i].host, m[i].port);
        if (master != NULL) {
            master->replicas_listed = m[i].replicas;
        }
    }
    free(m);
    apply_listed(p);
    log_masters(p);
}

static void on_slots(redisAsyncContext *ac, void *r, void *priv)
{
    struct pool_link *pl = priv;
    struct redis_pool *p = pl->pool;
    char err[160];

    p->slots_pending = 0;
    if (r == NULL) {
        return; /* the connection dropped: on_link asks again */
    }
    if (cluster_map_load(&p->map, r, pl->host, err, sizeof(err)) < 0) {
        const redisReply *reply = r;
        char why[sizeof(p->map_error)];
        snprintf(why, sizeof(why), "%s:%d: %s%s%.100s", pl->host,
                 pl->target.port, err,
                 reply->type == REDIS_REPLY_ERROR ? ": " : "",
                 reply->type == REDIS_REPLY_ERROR ? reply->str : "");
        /* asked again every 500 ms: said once until it changes */
        if (strcmp(why, p->map_error) != 0) {
            log_warn("redis: %s", why);
            memcpy(p->map_error, why, sizeof(why));
        }
        return;
    }
    p->map_error[0] = '\0';
    size_t uncovered = cluster_map_uncovered(&p->map);
    if (uncovered > 0 && uncovered != p->uncovered_said) {
        log_warn("redis: %zu slots have no master in the cluster", uncovered);
    }
    p->uncovered_said = uncovered;
    p->n_asks = 0; /* migrations are in the map now */
    sync_links(p);
    apply_listed(p);
    /* the replicas, as CLUSTER NODES has them; the masters are logged
     * with them */
    if (redisAsyncCommand(ac, on_nodes, pl, "CLUSTER NODES") == REDIS_OK) {
        p->slots_pending = 1;
    } else {
        log_masters(p);
    }
    update_up(p);
}

/* Asks an up connection for the map; with none up, connects to the next
 * seed or known node (its "up" asks). */
static void refresh(struct redis_pool *p)
{
    if (p->slots_pending) {
        return;
    }
    for (size_t i = 0; i < p->n_links; i++) {
        struct pool_link *pl = p->links[i];
        redisAsyncContext *ac = redis_link_ctx(pl->link);
        if (ac != NULL &&
            redisAsyncCommand(ac, on_slots, pl, "CLUSTER SLOTS") == REDIS_OK) {
            p->slots_pending = 1;
            return;
        }
    }
    size_t candidates = p->n_seeds + p->map.n_nodes;
    size_t k = p->probe_next++ % candidates;
    const char *host =
        k < p->n_seeds ? p->seeds[k].host : p->map.nodes[k - p->n_seeds].host;
    int port =
        k < p->n_seeds ? p->seeds[k].port : p->map.nodes[k - p->n_seeds].port;
    if (link_to(p, host, port) == NULL) {
        log_error("redis: out of memory connecting to %s:%d", host, port);
    }
}

static void on_refresh(evutil_socket_t fd, short what, void *arg)
{
    struct redis_pool *p = arg;
    (void)fd;
    (void)what;
    ev_arm_ms(p->refresh_ev, refresh_ms(p));
    refresh(p);
}

static void on_link(struct redis_link *l, int up, void *arg)
{
    struct pool_link *pl = arg;
    struct redis_pool *p = pl->pool;
    (void)l;
    if (p->cluster && up && (p->map.n_nodes == 0 || !p->up)) {
        refresh(p);
    }
    update_up(p);
}

struct redis_pool *redis_pool_create(struct event_base *base,
                                     const struct redis_target *target,
                                     const char *seeds, redis_pool_cb cb,
                                     void *arg, char *err, size_t errlen)
{
    struct redis_pool *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    p->base = base;
    p->tmpl = *target;
    p->cb = cb;
    p->arg = arg;
    p->cluster = seeds != NULL && seeds[0] != '\0';
    cluster_map_init(&p->map);
    p->refresh_ev = evtimer_new(base, on_refresh, p);
    p->sweep_ev = event_new(base, -1, 0, on_sweep, p);
    if (p->refresh_ev == NULL || p->sweep_ev == NULL) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (!p->cluster) {
        /* a unix socket's path comes with the target */
        if (link_to(p, target->host ? target->host : "", target->port) ==
            NULL) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        return p;
    }
    int n = cluster_parse_seeds(seeds, p->seeds, err, errlen);
    if (n < 0) {
        goto fail;
    }
    p->n_seeds = (size_t)n;
    /* A cluster has database 0 only. */
    p->tmpl.db = 0;
    p->tmpl.unix_path = NULL;
    refresh(p);
    ev_arm_ms(p->refresh_ev, DOWN_REFRESH_MS);
    return p;
fail:
    redis_pool_destroy(p);
    return NULL;
}

void redis_pool_destroy(struct redis_pool *p)
{
    if (p == NULL) {
        return;
    }
    for (size_t i = 0; i < p->n_links; i++) {
        close_link(p, p->links[i]);
    }
    free(p->links);
    free(p->node_link);
    cluster_map_free(&p->map);
    if (p->refresh_ev != NULL) {
        event_free(p->refresh_ev);
    }
    if (p->sweep_ev != NULL) {
        event_free(p->sweep_ev);
    }
    free(p);
}

int redis_pool_up(const struct redis_pool *p)
{
    return p->up;
}

struct redis_link *redis_pool_route(struct redis_pool *p, const char *key,
                                    size_t len, int *asking)
{
    *asking = 0;
    if (!p->cluster) {
        return link_up(p->links[0]) ? p->links[0]->link : NULL;
    }
    unsigned slot = cluster_key_slot(key, len);
    for (size_t i = 0; i < p->n_asks; i++) {
        if (p->asks[i].slot == slot) {
            *asking = 1;
            return link_up(p->asks[i].to) ? p->asks[i].to->link : NULL;
        }
    }
    int owner = p->map.owner[slot];
    return owner >= 0 && link_up(p->node_link[owner])
               ? p->node_link[owner]->link
               : NULL;
}

struct redisAsyncContext *redis_pool_ctx(struct redis_pool *p, const char *key)
{
    int asking;
    struct redis_link *l = redis_pool_route(p, key, strlen(key), &asking);
    return l != NULL && !asking ? redis_link_ctx(l) : NULL;
}

int redis_pool_replicas(const struct redis_pool *p, const struct redis_link *l)
{
    for (size_t i = 0; i < p->n_node_link && i < p->map.n_nodes; i++) {
        if (p->node_link[i] != NULL && p->node_link[i]->link == l) {
            return p->map.nodes[i].replicas;
        }
    }
    return 0;
}

enum cluster_redirect_kind redis_pool_redirected(struct redis_pool *p,
                                                 struct redis_link *l,
                                                 const char *err, size_t len)
{
    struct pool_link *from = redis_link_arg(l);
    struct cluster_redirect r;
    enum cluster_redirect_kind kind = cluster_parse_redirect(err, len, &r);

    if (kind == CLUSTER_NO_REDIRECT || !p->cluster) {
        return CLUSTER_NO_REDIRECT;
    }
    const char *host = r.host[0] != '\0' ? r.host : from->host;
    if (kind == CLUSTER_MOVED) {
        /* sync_links connects to the new owner */
        if (cluster_map_move(&p->map, &r, from->host) < 0) {
            log_error("redis: out of memory following a MOVED");
        } else {
            sync_links(p);
        }
        /* a slot seldom moves alone: ask for the whole map */
        refresh(p);
        update_up(p);
        return kind;
    }
    struct pool_link *to = link_to(p, host, r.port);
    if (to == NULL) {
        log_error("redis: out of memory following an ASK");
        return kind;
    }
    to->keep = 1;
    for (size_t i = 0; i < p->n_asks; i++) {
        if (p->asks[i].slot == r.slot) {
            p->asks[i].to = to;
            return kind;
        }
    }
    if (p->n_asks < ASKS_MAX) {
        p->asks[p->n_asks].slot = r.slot;
        p->asks[p->n_asks].to = to;
        p->n_asks++;
    }
    return kind;
}

void redis_pool_fail(struct redis_pool *p, const char *why)
{
    for (size_t i = 0; i < p->n_links; i++) {
        redis_link_fail(p->links[i]->link, why);
    }
}

void *redis_pool_arg_of(struct redis_link *l)
{
    return ((struct pool_link *)redis_link_arg(l))->pool->arg;
}

uint64_t redis_pool_epoch(const struct redis_pool *p)
{
    return p->epoch;
}
