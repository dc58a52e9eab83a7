/*
 * router.c: the table of public endpoints (SPEC 2) and the plain answers.
 */
#include "collector/router.h"

#include <llhttp.h>
#include <stdio.h>
#include <string.h>

#include "collector/beacon_post.h"
#include "collector/mail/mail_click.h"
#include "collector/mail/mail_open.h"
#include "collector/privacy/optout_pages.h"
#include "collector/privacy/optout_registry.h"
#include "collector/pixel.h"
#include "collector/script.h"
#include "collector/worker.h"
#include "proto/mailreq.h"

typedef int (*endpoint_fn)(struct worker *w, const struct request *r,
                           const struct ip_addr *peer, struct outbuf *out,
                           enum response_conn conn);

struct route {
    const char *path;
    size_t len;
    int prefix;        /* path is the start of the paths it serves */
    endpoint_fn get;     /* answers GET and HEAD; NULL: neither */
    endpoint_fn post;    /* NULL: no POST */
    endpoint_fn options; /* NULL: no OPTIONS */
    const char *allow;   /* the Allow header of a 405 */
    int cors; /* pages of any origin call it: refusals go through
                 beacon_post_refuse(), CORS and JSON even on errors */
};

#define GET_HEAD "Allow: GET, HEAD\r\n"
#define EXACT(path) path, sizeof(path) - 1, 0
#define PREFIX(path) path, sizeof(path) - 1, 1

static const struct route routes[] = {
    {EXACT("/p.gif"), pixel_handle, NULL, NULL, GET_HEAD, 0},
    {EXACT("/p"), pixel_handle, NULL, NULL, GET_HEAD, 0},
    {EXACT("/e"), NULL, beacon_post, beacon_options,
     "Allow: POST, OPTIONS\r\n", 1},
    {EXACT("/beacon.js"), script_handle, NULL, NULL, GET_HEAD, 0},
    {EXACT("/optout"), optout_page, NULL, NULL, GET_HEAD, 0},
    {EXACT("/optin"), optin_page, NULL, NULL, GET_HEAD, 0},
    {EXACT("/optout/recipient"), NULL, optout_recipient, NULL,
     "Allow: POST\r\n", 0},
    {EXACT("/.well-known/gpc.json"), gpc_json, NULL, NULL, GET_HEAD, 0},
    {PREFIX(MAILREQ_OPEN_PREFIX), mail_open, NULL, NULL, GET_HEAD, 0},
    {PREFIX(MAILREQ_CLICK_PREFIX), mail_click, NULL, NULL, GET_HEAD, 0},
};

#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

static const struct route *find_route(struct span path)
{
    for (size_t i = 0; i < N_ROUTES; i++) {
        const struct route *r = &routes[i];
        if ((r->prefix ? path.len >= r->len : path.len == r->len) &&
            memcmp(path.p, r->path, r->len) == 0) {
            return r;
        }
    }
    return NULL;
}

static const struct route *route_of_target(struct span target)
{
    struct span path, query;
    if (target.p == NULL || request_split_target(target, &path, &query) < 0) {
        return NULL;
    }
    return find_route(path);
}

int router_plain(struct worker *w, struct outbuf *out, int status,
                 const char *extra, const char *text, int head,
                 enum response_conn conn)
{
    metrics_response(&w->metrics, status);
    if (response_simple(out, &w->date, status,
                        text != NULL ? "text/plain; charset=utf-8" : NULL,
                        extra, text != NULL ? text : "",
                        text != NULL ? strlen(text) : 0, head, conn) < 0) {
        return -1;
    }
    return conn == RESPONSE_CLOSE ? -1 : 0;
}

int router_dispatch(struct worker *w, const struct request *r,
                    const struct ip_addr *peer, struct outbuf *out,
                    enum response_conn conn)
{
    int head = r->method == HTTP_HEAD;
    const struct route *route = r->path.p ? find_route(r->path) : NULL;

    if (route == NULL) {
        if (r->path.p == NULL) {
            /* "*" or authority-form: not a resource of ours */
            return router_plain(w, out, 400, NULL, "bad request target\n", head,
                         RESPONSE_CLOSE);
        }
        return router_plain(w, out, 404, NULL, "not found\n", head, conn);
    }
    if ((r->method == HTTP_GET || r->method == HTTP_HEAD) &&
        route->get != NULL) {
        return route->get(w, r, peer, out, conn);
    }
    if (r->method == HTTP_POST && route->post != NULL) {
        return route->post(w, r, peer, out, conn);
    }
    if (r->method == HTTP_OPTIONS && route->options != NULL) {
        return route->options(w, r, peer, out, conn);
    }
    if (route->cors) {
        return beacon_post_refuse(w, out, 405, route->allow,
                                  "method not allowed", head, conn);
    }
    return router_plain(w, out, 405, route->allow, "method not allowed\n",
                        head, conn);
}

void router_error(struct worker *w, int status, struct span target,
                  struct outbuf *out)
{
    const struct route *route = route_of_target(target);
    const char *allow = NULL;
    const char *why;
    char body[64];
    if (status == 405) {
        /* an unknown method: 405 on our paths, 404 elsewhere */
        if (route == NULL) {
            status = 404;
        } else {
            allow = route->allow;
        }
    }
    switch (status) {
    case 404: why = "not found"; break;
    case 405: why = "method not allowed"; break;
    case 408: why = "request timeout"; break;
    case 413: why = "request body too large"; break;
    case 414: why = "request line too long"; break;
    case 431: why = "request header fields too large"; break;
    case 503: why = "service unavailable"; break;
    case 505: why = "HTTP version not supported"; break;
    default:
        status = 400;
        why = "bad request";
        break;
    }
    if (route != NULL && route->cors) {
        beacon_post_refuse(w, out, status, allow, why, 0, RESPONSE_CLOSE);
        return;
    }
    snprintf(body, sizeof(body), "%s\n", why);
    router_plain(w, out, status, allow, body, 0, RESPONSE_CLOSE);
}
