/*
 * admin.c: the admin endpoints (see admin.h).
 */
#include "collector/admin.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <jansson.h>
#include <llhttp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aggregator/flusher.h"
#include "collector/admin_query.h"
#include "collector/http/conn.h"
#include "collector/http/listener.h"
#include "collector/ingest/ingest.h"
#include "collector/server.h"
#include "collector/worker.h"
#include "common/log.h"
#include "dashboard/dash_assets.h"

#define TEXT "text/plain; charset=utf-8"
#define JSON "application/json"
#define GET_HEAD "Allow: GET, HEAD\r\n"
/* The dashboard's pages load nothing from elsewhere and are framed by
 * nobody. */
#define DASH_HEADERS                                                           \
    "Content-Security-Policy: default-src 'none'; script-src 'self'; "       \
    "style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; "  \
    "frame-ancestors 'none'\r\n"                                              \
    "X-Content-Type-Options: nosniff\r\n"                                     \
    "Referrer-Policy: no-referrer\r\n"
#define CHALLENGE "WWW-Authenticate: Basic realm=\"beacond\", charset=\"UTF-8\"\r\n"

struct admin {
    struct server *srv;
    struct evconnlistener *listeners[CONFIG_MAX_ADDRS];
    int n_listeners;
    struct http_limits limits; /* the public edge's, without bodies */
    struct conn_pool pool;
    struct metrics_worker metrics;
    struct response_date date;
    _Atomic int open;
    struct admin_query *query;
    /* Argon2id strings, "" when open; replaced by a reload */
    char admin_hash[sizeof(((struct config *)0)->admin_password_hash)];
    char metrics_hash[sizeof(((struct config *)0)->metrics_password_hash)];
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
    int ready = redis_up ||
                (keys < a->srv->readyz_backlog_keys &&
                 atomic_load(&st->wal_bytes_fullest) <
                     a->srv->readyz_worker_wal_bytes);
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

static int dash_page(struct admin *a, struct evbuffer *b, const char **type)
{
    (void)a;
    *type = "text/html; charset=utf-8";
    return evbuffer_add(b, dash_html, dash_html_len) < 0 ? -1 : 200;
}

static int dash_app(struct admin *a, struct evbuffer *b, const char **type)
{
    (void)a;
    *type = "text/javascript; charset=utf-8";
    return evbuffer_add(b, dash_js, dash_js_len) < 0 ? -1 : 200;
}

static int dash_chart(struct admin *a, struct evbuffer *b, const char **type)
{
    (void)a;
    *type = "text/javascript; charset=utf-8";
    return evbuffer_add(b, chart_js, chart_js_len) < 0 ? -1 : 200;
}

/* Who may see a page. */
enum admin_guard {
    GUARD_NONE,    /* the probes */
    GUARD_METRICS, /* metrics_password_hash, user "metrics" */
    GUARD_ADMIN,   /* admin_password_hash, user "admin" */
};

static const struct admin_route {
    const char *path;
    admin_page_fn page; /* NULL: JSON from Redis (the query thread) */
    enum admin_guard guard;
    enum admin_job_data data;
    const char *headers;
} routes[] = {
    {"/livez", livez, GUARD_NONE, ADMIN_JOB_NONE, NULL},
    {"/readyz", readyz, GUARD_NONE, ADMIN_JOB_NONE, NULL},
    {"/metrics", metrics_page, GUARD_METRICS, ADMIN_JOB_NONE, NULL},
    {"/dash", dash_page, GUARD_ADMIN, ADMIN_JOB_NONE, DASH_HEADERS},
    {"/dash/app.js", dash_app, GUARD_ADMIN, ADMIN_JOB_NONE, DASH_HEADERS},
    {"/dash/chart.js", dash_chart, GUARD_ADMIN, ADMIN_JOB_NONE, DASH_HEADERS},
    {"/api/stats", NULL, GUARD_ADMIN, ADMIN_JOB_STATS, NULL},
    {"/api/sites", NULL, GUARD_ADMIN, ADMIN_JOB_SITES, NULL},
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

/* The Argon2id string that guards a route, or NULL when it is open. */
static const char *guard_hash(const struct admin *a, enum admin_guard g,
                              const char **user)
{
    const char *h = g == GUARD_ADMIN     ? a->admin_hash
                    : g == GUARD_METRICS ? a->metrics_hash
                                         : "";
    *user = g == GUARD_ADMIN ? "admin" : "metrics";
    return h[0] != '\0' ? h : NULL;
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

/* A page drawn here, on the loop: its status and body into out. */
static int answer_page(struct admin *a, const struct admin_route *route,
                       struct outbuf *out, int head, enum response_conn conn)
{
    struct evbuffer *b = evbuffer_new();
    const char *type = TEXT;
    int status = b != NULL ? route->page(a, b, &type) : -1;
    int rc;
    if (status < 0) {
        rc = reply_status(a, out, 500, NULL, head, RESPONSE_CLOSE);
    } else {
        size_t len = evbuffer_get_length(b);
        rc = reply(a, out, status, type, route->headers,
                   evbuffer_pullup(b, -1), len, head, conn);
    }
    if (b != NULL) {
        evbuffer_free(b);
    }
    return rc;
}

/* {"error": why} with status. */
static int reply_json_error(struct admin *a, struct outbuf *out, int status,
                            const char *extra, const char *why, int head,
                            enum response_conn conn)
{
    json_t *o = json_pack("{s:s}", "error", why);
    if (o == NULL) { /* why repeats bytes of the query that are not UTF-8 */
        o = json_pack("{s:s}", "error", "bad query");
    }
    char *body = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (body == NULL) {
        return reply_status(a, out, 500, NULL, head, RESPONSE_CLOSE);
    }
    size_t n = strlen(body);
    int rc = reply(a, out, status, JSON, extra, body, n, head, conn);
    free(body);
    return rc;
}

/* Hands a request to the query thread; its answer comes later
 * (on_job_done). */
static int submit(struct admin *a, const struct request *r,
                  const struct ip_addr *peer, const struct admin_route *route,
                  const char *hash, const char *user, struct outbuf *out,
                  int head, enum response_conn conn)
{
    char why[160];
    struct admin_job *j = calloc(1, sizeof(*j));
    if (j == NULL) {
        return reply_status(a, out, 500, NULL, head, RESPONSE_CLOSE);
    }
    j->now = time(NULL);
    j->data = route->data;
    if (j->data == ADMIN_JOB_STATS &&
        stats_range_from_query(&j->range, r->query.p, r->query.len, j->now,
                               why, sizeof(why)) < 0) {
        if (hash == NULL) {
            admin_job_free(j);
            return reply_json_error(a, out, 400, NULL, why, head, conn);
        }
        /* behind a password, the credentials come first: 401 before 400 */
        j->data = ADMIN_JOB_NONE;
        j->bad_query = 1;
        snprintf(j->error, sizeof(j->error), "%s", why);
    }
    if (admin_query_pending(a->query) >= ADMIN_QUERY_QUEUE) {
        admin_job_free(j);
        return reply_json_error(a, out, 503, "Retry-After: 1\r\n",
                                "busy: too many requests wait", head, conn);
    }
    j->page = (int)(route - routes);
    j->head = head;
    if (hash != NULL) {
        /* a copy: a reload may replace the admin's before the job runs */
        snprintf(j->hash, sizeof(j->hash), "%s", hash);
    }
    j->user = user;
    j->peer = *peer;
    struct span auth = r->header[HDR_AUTHORIZATION];
    if (auth.p != NULL) {
        j->has_auth = 1;
        /* longer than any Basic credentials we accept: checked as empty
         * ones, a failed try */
        j->auth_len = auth.len < sizeof(j->auth) ? auth.len : 0;
        memcpy(j->auth, auth.p, j->auth_len);
    }
    j->ticket = conn_pool_defer(&a->pool);
    admin_query_submit(a->query, j); /* room checked above */
    return 0;
}

static int answer(void *arg, const struct request *r,
                  const struct ip_addr *peer, struct outbuf *out,
                  enum response_conn conn)
{
    struct admin *a = arg;
    int head = r->method == HTTP_HEAD;
    const struct admin_route *route = r->path.p ? find_route(r->path) : NULL;

    if (route == NULL) {
        return reply_status(a, out, r->path.p ? 404 : 400, NULL, head, conn);
    }
    if (r->method != HTTP_GET && !head) {
        return reply_status(a, out, 405, GET_HEAD, head, conn);
    }
    const char *user;
    const char *hash = guard_hash(a, route->guard, &user);
    if (hash != NULL || route->page == NULL) {
        return submit(a, r, peer, route, hash, user, out, head, conn);
    }
    return answer_page(a, route, out, head, conn);
}

/* The answer of a job, written into its connection's output. */
static int write_job(void *arg, struct outbuf *out, enum response_conn conn)
{
    struct admin_job *j = arg;
    struct admin *a = j->owner;
    const struct admin_route *route = &routes[j->page];
    char extra[64];

    if (j->auth_result == ADMIN_AUTH_LIMITED) {
        snprintf(extra, sizeof(extra), "Retry-After: %d\r\n",
                 j->retry_after > 0 ? j->retry_after : 1);
        return reply_status(a, out, 429, extra, j->head, conn);
    }
    if (j->auth_result == ADMIN_AUTH_DENIED) {
        return reply_status(a, out, 401, CHALLENGE, j->head, conn);
    }
    if (route->page != NULL) {
        return answer_page(a, route, out, j->head, conn);
    }
    if (j->bad_query) {
        return reply_json_error(a, out, 400, NULL, j->error, j->head, conn);
    }
    if (j->body == NULL) {
        return reply_json_error(a, out, 503, "Retry-After: 5\r\n", j->error,
                                j->head, conn);
    }
    return reply(a, out, 200, JSON, NULL, j->body, strlen(j->body), j->head,
                 conn);
}

static void on_job_done(void *arg, struct admin_job *j)
{
    struct admin *a = arg;
    j->owner = a;
    if (conn_pool_answer(&a->pool, j->ticket, write_job, j) < 0) {
        log_debug("admin: a client left before its answer");
    }
    admin_job_free(j);
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
    snprintf(a->admin_hash, sizeof(a->admin_hash), "%s",
             cfg->admin_password_hash);
    snprintf(a->metrics_hash, sizeof(a->metrics_hash), "%s",
             cfg->metrics_password_hash);
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
    a->query = admin_query_create(base, cfg, on_job_done, a, err, errlen);
    if (a->query == NULL) {
        goto err;
    }
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

void admin_reload(struct admin *a, const struct config *cfg)
{
    snprintf(a->admin_hash, sizeof(a->admin_hash), "%s",
             cfg->admin_password_hash);
    snprintf(a->metrics_hash, sizeof(a->metrics_hash), "%s",
             cfg->metrics_password_hash);
    a->limits.max_request_line = cfg->max_request_line;
    a->limits.max_header_bytes = cfg->max_header_bytes;
    a->limits.max_headers = cfg->max_headers;
    a->pool.header_timeout_ms = cfg->header_timeout_ms;
    a->pool.idle_timeout_ms = cfg->idle_timeout_ms;
}

void admin_destroy(struct admin *a)
{
    if (a == NULL) {
        return;
    }
    for (int i = 0; i < a->n_listeners; i++) {
        evconnlistener_free(a->listeners[i]);
    }
    /* the thread first: a job it finishes names a connection of the pool */
    admin_query_destroy(a->query);
    conn_pool_close_all(&a->pool);
    free(a);
}
