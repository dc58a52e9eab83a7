/*
 * router.c: the table of public endpoints (SPEC 2) and the plain answers.
 */
#include "collector/router.h"

#include <llhttp.h>
#include <string.h>

#include "collector/pixel.h"
#include "collector/worker.h"

typedef int (*endpoint_fn)(struct worker *w, const struct request *r,
                           struct outbuf *out, enum response_conn conn);

struct route {
    const char *path;
    endpoint_fn get; /* answers GET and HEAD */
};

static const struct route routes[] = {
    {"/p.gif", pixel_handle},
    {"/p", pixel_handle},
};

#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

static const struct route *find_route(struct span path)
{
    for (size_t i = 0; i < N_ROUTES; i++) {
        if (span_eq(path, routes[i].path)) {
            return &routes[i];
        }
    }
    return NULL;
}

int router_known_target(struct span target)
{
    struct span path, query;
    return request_split_target(target, &path, &query) == 0 &&
           find_route(path) != NULL;
}

static int plain(struct worker *w, struct outbuf *out, int status,
                 const char *extra, const char *body, int head,
                 enum response_conn conn)
{
    metrics_response(&w->metrics, status);
    if (response_simple(out, &w->date, status, "text/plain; charset=utf-8",
                        extra, body, strlen(body), head, conn) < 0) {
        return -1;
    }
    return conn == RESPONSE_CLOSE ? -1 : 0;
}

int router_dispatch(struct worker *w, const struct request *r,
                    struct outbuf *out, enum response_conn conn)
{
    int head = r->method == HTTP_HEAD;
    const struct route *route = r->path.p ? find_route(r->path) : NULL;

    if (route == NULL) {
        if (r->path.p == NULL) {
            /* "*" or authority-form: not a resource of ours */
            return plain(w, out, 400, NULL, "bad request target\n", head,
                         RESPONSE_CLOSE);
        }
        return plain(w, out, 404, NULL, "not found\n", head, conn);
    }
    if (r->method != HTTP_GET && r->method != HTTP_HEAD) {
        return plain(w, out, 405, "Allow: GET, HEAD\r\n",
                     "method not allowed\n", head, conn);
    }
    return route->get(w, r, out, conn);
}

void router_error(struct worker *w, int status, struct outbuf *out)
{
    const char *body;
    const char *extra = NULL;
    switch (status) {
    case 404: body = "not found\n"; break;
    case 405:
        body = "method not allowed\n";
        extra = "Allow: GET, HEAD\r\n";
        break;
    case 413: body = "request body too large\n"; break;
    case 414: body = "request line too long\n"; break;
    case 431: body = "request header fields too large\n"; break;
    default:
        status = 400;
        body = "bad request\n";
        break;
    }
    plain(w, out, status, extra, body, 0, RESPONSE_CLOSE);
}
