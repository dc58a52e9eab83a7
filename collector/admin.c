/*
 * admin.c: the admin endpoints (see admin.h).
 */
#include "collector/admin.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <llhttp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggregator/flusher.h"
#include "collector/http/conn.h"
#include "collector/http/listener.h"
#include "collector/ingest/ingest.h"
#include "collector/server.h"
#include "collector/worker.h"
#include "common/log.h"

#define TEXT "text/plain; charset=utf-8"
#define GET_HEAD "Allow: GET, HEAD\r\n"

struct admin {
    struct server *srv;
    struct evconnlistener *listeners[CONFIG_MAX_ADDRS];
    int n_listeners;
    struct http_limits limits; /* the public edge's, without bodies */
    struct conn_pool pool;
    struct metrics_worker metrics;
    struct response_date date;
    _Atomic int open;
};

/* A page: writes its body to b, sets its Content-Type, returns its status
 * (or -1: out of memory). */
typedef int (*admin_page_fn)(struct admin *a, struct evbuffer *b,
                             const char **type);

static int livez(struct admin *a, struct evbuffer *b, const char **type)
{
    (void)a;
    *type = TEXT;
    return evbuffer_add_printf(b, "ok\n") < 0 ? -1 : 200;
}

static int readyz(struct admin *a, struct evbuffer *b, const char **type)
{
    const struct flusher_stats *st = flusher_stats(a->srv->flusher);
    int redis_up = atomic_load(&st->redis_up) != 0;
    int64_t keys = backlog_keys(&a->srv->backlog);
    uint64_t wal = atomic_load(&st->wal_bytes);
    /* Redis away and near a limit: soon hits will be shed */
    int ready = redis_up || (keys < a->srv->readyz_backlog_keys &&
                             wal < a->srv->readyz_wal_bytes);
    *type = TEXT;
    if (evbuffer_add_printf(b,
                            "%s\nredis: %s\nbacklog_keys: %lld\n"
                            "wal_bytes: %llu\n",
                            ready ? "ready" : "not ready",
                            redis_up ? "up" : "down", (long long)keys,
                            (unsigned long long)wal) < 0) {
        return -1;
    }
    return ready ? 200 : 503;
}

static int metrics_page(struct admin *a, struct evbuffer *b, const char **type)
{
    struct metrics_worker *m[256];
    uint64_t drops = 0;
    int n = a->srv->n_workers < 256 ? a->srv->n_workers : 256;
    for (int i = 0; i < n; i++) {
        m[i] = &a->srv->workers[i]->metrics;
        drops += ingest_receive_drops(a->srv->workers[i]->ingest);
    }
    *type = "text/plain; version=0.0.4; charset=utf-8";
    return metrics_render(b, m, n, drops, flusher_stats(a->srv->flusher),
                          &a->metrics) < 0
               ? -1
               : 200;
}

static const struct admin_route {
    const char *path;
    admin_page_fn page;
} routes[] = {
    {"/livez", livez},
    {"/readyz", readyz},
    {"/metrics", metrics_page},
};

static const struct admin_route *find_route(struct span path)
{
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (span_eq(path, routes[i].path)) {
            return &routes[i];
        }
    }
    return NULL;
}

/* Appends a response; returns 0, or -1 when the connection closes. */
static int reply(struct admin *a, struct outbuf *out, int status,
                 const char *type, const char *extra, const void *body,
                 size_t len, int head, enum response_conn conn)
{
    metrics_response(&a->metrics, status);
    if (response_simple(out, &a->date, status, type, extra, body, len, head,
                        conn) < 0) {
        return -1;
    }
    return conn == RESPONSE_CLOSE ? -1 : 0;
}

/* "Not Found\n" and the like. */
static int reply_status(struct admin *a, struct outbuf *out, int status,
                        const char *extra, int head, enum response_conn conn)
{
    char text[64];
    int n = snprintf(text, sizeof(text), "%s\n", response_reason(status));
    return reply(a, out, status, TEXT, extra, text, (size_t)n, head, conn);
}

static int answer(void *arg, const struct request *r,
                  const struct ip_addr *peer, struct outbuf *out,
                  enum response_conn conn)
{
    struct admin *a = arg;
    int head = r->method == HTTP_HEAD;
    const struct admin_route *route = r->path.p ? find_route(r->path) : NULL;
    (void)peer;

    if (route == NULL) {
        return reply_status(a, out, r->path.p ? 404 : 400, NULL, head, conn);
    }
    if (r->method != HTTP_GET && !head) {
        return reply_status(a, out, 405, GET_HEAD, head, conn);
    }
    struct evbuffer *b = evbuffer_new();
    const char *type = TEXT;
    int status = b != NULL ? route->page(a, b, &type) : -1;
    int rc;
    if (status < 0) {
        rc = reply_status(a, out, 500, NULL, head, RESPONSE_CLOSE);
    } else {
        size_t len = evbuffer_get_length(b);
        rc = reply(a, out, status, type, NULL, evbuffer_pullup(b, -1), len,
                   head, conn);
    }
    if (b != NULL) {
        evbuffer_free(b);
    }
    return rc;
}

static void refuse(void *arg, int status, struct span target,
                   struct outbuf *out)
{
    struct admin *a = arg;
    struct span path, query;
    const char *allow = NULL;
    if (status == 405) {
        /* an unknown method: 405 on our paths, 404 elsewhere */
        if (target.p != NULL &&
            request_split_target(target, &path, &query) == 0 &&
            find_route(path) != NULL) {
            allow = GET_HEAD;
        } else {
            status = 404;
        }
    }
    reply_status(a, out, status, allow, 0, RESPONSE_CLOSE);
}

void admin_accept(struct admin *a, int fd, const struct sockaddr *sa)
{
    conn_pool_accept(&a->pool, fd, sa);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd,
                      struct sockaddr *sa, int salen, void *arg)
{
    (void)l;
    (void)salen;
    admin_accept(arg, fd, sa);
}

static void on_accept_error(struct evconnlistener *l, void *arg)
{
    (void)l;
    (void)arg;
    log_warn("admin: accept: %s",
             evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

struct admin *admin_create(struct event_base *base, struct server *srv,
                           char *err, size_t errlen)
{
    const struct config *cfg = srv->cfg;
    struct admin *a = calloc(1, sizeof(*a));
    if (a == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->srv = srv;
    a->limits = srv->limits;
    a->limits.max_body = 0; /* SPEC 6: the admin listener takes no body */
    response_date_update(&a->date, time(NULL));
    a->pool = (struct conn_pool){
        .base = base,
        .limits = &a->limits,
        .header_timeout_ms = cfg->header_timeout_ms,
        .body_timeout_ms = cfg->body_timeout_ms,
        .idle_timeout_ms = cfg->idle_timeout_ms,
        .handler = {answer, refuse, a},
        .metrics = &a->metrics,
        .date = &a->date,
        .open = &a->open,
        .max_open = ADMIN_MAX_CONNECTIONS,
    };
    for (int i = 0; i < cfg->admin.n; i++) {
        int fd = listener_open(&cfg->admin.addr[i], 0, err, errlen);
        if (fd < 0) {
            goto err;
        }
        a->listeners[i] = evconnlistener_new(
            base, on_accept, a, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
            -1, fd);
        if (a->listeners[i] == NULL) {
            close(fd);
            snprintf(err, errlen, "%s: cannot accept", cfg->admin.addr[i].text);
            goto err;
        }
        evconnlistener_set_error_cb(a->listeners[i], on_accept_error);
        a->n_listeners++;
    }
    return a;
err:
    admin_destroy(a);
    return NULL;
}

void admin_destroy(struct admin *a)
{
    if (a == NULL) {
        return;
    }
    for (int i = 0; i < a->n_listeners; i++) {
        evconnlistener_free(a->listeners[i]);
    }
    conn_pool_close_all(&a->pool);
    free(a);
}
