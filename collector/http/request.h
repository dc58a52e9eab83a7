/*
 * request.h: one framed HTTP request as the endpoints see it. Every view
 * points into the connection's read buffer (but the path "/" of an
 * absolute-form target that has none: a static string) and is valid only
 * during the call that receives the request.
 */
#ifndef BEACON_REQUEST_H
#define BEACON_REQUEST_H

#include "proto/span.h"

/* The headers any endpoint reads; all others are only counted. */
#define REQUEST_HEADERS(X)                                                     \
    X(HOST, "host")                                                            \
    X(USER_AGENT, "user-agent")                                                \
    X(REFERER, "referer")                                                      \
    X(DNT, "dnt")                                                              \
    X(SEC_GPC, "sec-gpc")                                                      \
    X(COOKIE, "cookie")                                                        \
    X(X_FORWARDED_FOR, "x-forwarded-for")                                      \
    X(CONTENT_TYPE, "content-type")                                            \
    X(CONTENT_ENCODING, "content-encoding")                                    \
    X(TRANSFER_ENCODING, "transfer-encoding")                                  \
    X(SEC_PURPOSE, "sec-purpose")                                              \
    X(PURPOSE, "purpose")                                                      \
    X(X_MOZ, "x-moz")                                                          \
    X(X_PURPOSE, "x-purpose")                                                  \
    X(AUTHORIZATION, "authorization")

#define REQUEST_HDR_ENUM(id, name) HDR_##id,
enum request_header { REQUEST_HEADERS(REQUEST_HDR_ENUM) HDR_COUNT };
#undef REQUEST_HDR_ENUM

/* Header lines kept per request for the headers that may repeat. */
#define REQUEST_XFF_MAX 8    /* X-Forwarded-For: the last lines */
/* Cookie: every line up to the default max_headers, so that an opt-out
 * cookie is seen wherever it is */
#define REQUEST_COOKIE_MAX 64

struct request {
    int method;         /* llhttp's enum llhttp_method */
    struct span target; /* as sent: origin-form or absolute-form */
    struct span path;   /* target without scheme://authority and query */
    struct span query;  /* after '?', without it; empty when none */
    struct span header[HDR_COUNT]; /* first occurrence; p NULL if absent */
    struct span xff[REQUEST_XFF_MAX]; /* X-Forwarded-For lines, in order */
    int n_xff;
    struct span cookie[REQUEST_COOKIE_MAX];
    int n_cookie;
    struct span body;   /* the whole body (de-chunked); empty when none */
    int keep_alive;     /* the client allows another request */
    int http_minor;     /* 0 or 1 (HTTP/1.x) */
};

/* Identifies a header name (case-insensitive); HDR_COUNT when not one of
 * REQUEST_HEADERS. */
enum request_header request_header_id(const char *name, size_t len);

/* Splits a request target into path and query (absolute-form
 * "http://host/p?q" included). Returns 0, or -1 for a target that is not
 * origin-form or absolute-form ("*", authority-form). */
int request_split_target(struct span target, struct span *path,
                         struct span *query);

#endif
