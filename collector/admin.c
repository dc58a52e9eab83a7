/*
 * admin.c: the admin endpoints (see admin.h).
 */
#include "collector/admin.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregator/flusher.h"
#include "collector/listener.h"
#include "collector/server.h"
#include "collector/worker.h"
#include "common/log.h"

struct admin {
    struct evhttp *http;
    struct server *srv;
};

static void reply_text(struct evhttp_request *req, int code,
                       const char *reason, const char *type,
                       struct evbuffer *body)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", type);
    evhttp_add_header(h, "Cache-Control",
                      "no-store, no-cache, must-revalidate, max-age=0");
    evhttp_send_reply(req, code, reason, body);
}

static void on_livez(struct evhttp_request *req, void *arg)
{
    struct evbuffer *b = evbuffer_new();
    (void)arg;
    if (b == NULL) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evbuffer_add_printf(b, "ok\n");
    reply_text(req, 200, "OK", "text/plain; charset=utf-8", b);
    evbuffer_free(b);
}

static void on_readyz(struct evhttp_request *req, void *arg)
{
    struct admin *a = arg;
    const struct flusher_stats *st = flusher_stats(a->srv->flusher);
    int redis_up = atomic_load(&st->redis_up) != 0;
    int64_t keys = backlog_keys(&a->srv->backlog);
    int ready = redis_up || keys < a->srv->readyz_backlog_keys;
    struct evbuffer *b = evbuffer_new();
    if (b == NULL) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evbuffer_add_printf(b, "%s\nredis: %s\nbacklog_keys: %lld\n",
                        ready ? "ready" : "not ready",
                        redis_up ? "up" : "down", (long long)keys);
    reply_text(req, ready ? 200 : 503, ready ? "OK" : "Service Unavailable",
               "text/plain; charset=utf-8", b);
    evbuffer_free(b);
}

static void on_metrics(struct evhttp_request *req, void *arg)
{
    struct admin *a = arg;
    struct metrics_worker *m[256];
    int n = a->srv->n_workers < 256 ? a->srv->n_workers : 256;
    struct evbuffer *b = evbuffer_new();
    if (b == NULL) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    for (int i = 0; i < n; i++) {
        m[i] = &a->srv->workers[i]->metrics;
    }
    if (metrics_render(b, m, n, flusher_stats(a->srv->flusher)) < 0) {
        evbuffer_free(b);
        evhttp_send_error(req, 500, NULL);
        return;
    }
    reply_text(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", b);
    evbuffer_free(b);
}

static void on_other(struct evhttp_request *req, void *arg)
{
    (void)arg;
    evhttp_send_error(req, 404, NULL);
}

struct admin *admin_create(struct event_base *base, struct server *srv,
                           char *err, size_t errlen)
{
    struct admin *a = calloc(1, sizeof(*a));
    if (a == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->srv = srv;
    a->http = evhttp_new(base);
    if (a->http == NULL) {
        snprintf(err, errlen, "out of memory");
        goto err;
    }
    evhttp_set_allowed_methods(a->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
    evhttp_set_cb(a->http, "/livez", on_livez, a);
    evhttp_set_cb(a->http, "/readyz", on_readyz, a);
    evhttp_set_cb(a->http, "/metrics", on_metrics, a);
    evhttp_set_gencb(a->http, on_other, a);
    for (int i = 0; i < srv->cfg->admin.n; i++) {
        int fd = listener_open(&srv->cfg->admin.addr[i], 0, err, errlen);
        if (fd < 0) {
            goto err;
        }
        if (evhttp_accept_socket(a->http, fd) != 0) {
            snprintf(err, errlen, "%s: cannot accept",
                     srv->cfg->admin.addr[i].text);
            goto err;
        }
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
    if (a->http != NULL) {
        evhttp_free(a->http);
    }
    free(a);
}
